//! Timeline lanes and "run until" kinds count what their names say, and agree with the
//! metrics that count the same thing (issue: counters that agree), on every built-in
//! in every design it runs in.

use exitpath::engine::library::BUILTINS;
use exitpath::engine::metrics::Metrics;
use exitpath::engine::session::{MarkerKind, Session};
use exitpath::engine::trace::Event;

fn count(s: &Session, k: MarkerKind) -> u64 {
    s.markers(k).len() as u64
}

#[test]
fn lanes_agree_with_the_metrics_on_every_builtin() {
    for b in BUILTINS {
        for &d in b.designs {
            let s = Session::new(b.text, Some(d)).unwrap();
            let m = Metrics::of(d, &s.trace);
            let at = format!("{} {d:?}", b.id);
            assert_eq!(
                count(&s, MarkerKind::Switch),
                m.context_switches,
                "{at}: context switches"
            );
            assert_eq!(
                count(&s, MarkerKind::ReaperWakeup),
                m.reaper_wakeups,
                "{at}: reaper wake-ups"
            );
            assert_eq!(
                count(&s, MarkerKind::KmFree),
                m.km_free,
                "{at}: uvm_km_free"
            );
            let faults = s
                .trace
                .faults()
                .map(|f| f.step)
                .collect::<std::collections::BTreeSet<_>>();
            let violations = s
                .trace
                .violations()
                .map(|f| f.step)
                .collect::<std::collections::BTreeSet<_>>();
            assert_eq!(
                count(&s, MarkerKind::Fault),
                faults.len() as u64,
                "{at}: faults"
            );
            assert_eq!(
                count(&s, MarkerKind::Violation),
                violations.len() as u64,
                "{at}: violations"
            );
            // process zombies and LWP zombies are apart: one process zombie per exit
            // that got that far, whatever its LWPs did
            let zombies = s
                .trace
                .steps
                .iter()
                .filter(|st| st.event == Event::Zombie)
                .count() as u64;
            assert_eq!(count(&s, MarkerKind::Zombie), zombies, "{at}");
            assert!(
                count(&s, MarkerKind::Zombie) <= count(&s, MarkerKind::Exit),
                "{at}"
            );
        }
    }
}

#[test]
fn the_fork_storm_has_one_process_zombie_per_exit_in_every_design() {
    // Before, the zombie lane counted LWP zombies too: 42 in `patch` for 21 exits.
    let b = exitpath::engine::library::find("fork-storm").unwrap();
    for &d in b.designs {
        let s = Session::new(b.text, Some(d)).unwrap();
        assert_eq!(count(&s, MarkerKind::Exit), 21, "{d:?}");
        assert_eq!(count(&s, MarkerKind::Zombie), 21, "{d:?}");
    }
}

#[test]
fn the_context_switch_lane_is_uvmexp_swtch_not_every_cpu_switch() {
    // The lane once counted every cpu_switch, idle included (25 against the metric's
    // 19 in the fork/wait loop): switch_exit going idle is not a context switch.
    let b = exitpath::engine::library::find("fork-wait-loop").unwrap();
    for &d in b.designs {
        let s = Session::new(b.text, Some(d)).unwrap();
        let every_switch = s
            .trace
            .steps
            .iter()
            .filter(|st| matches!(st.event, Event::Switch | Event::ToIdle))
            .count() as u64;
        let m = Metrics::of(d, &s.trace);
        assert_eq!(count(&s, MarkerKind::Switch), m.context_switches, "{d:?}");
        assert_ne!(
            every_switch, m.context_switches,
            "{d:?}: the old lane disagreed"
        );
    }
}

#[test]
fn marker_ids_are_unique_and_stable() {
    let ids: std::collections::BTreeSet<_> = MarkerKind::ALL.iter().map(|k| k.id()).collect();
    assert_eq!(ids.len(), MarkerKind::ALL.len());
    for k in MarkerKind::ALL {
        assert!(k.id().chars().all(|c| c.is_ascii_lowercase()), "{k:?}");
        assert!(!k.counts().is_empty());
    }
}
