//! Expected transient states do not look like faults (issue 13 item 4): the exiting LWP
//! running on its own freed vmspace and TSS until switch_exit is `Concern::Expected`
//! (the UI's neutral tone), never `Warn`, in a healthy run of every design; the
//! `no_pmap_deactivate` and `tss_free_before_exit_lwps` what-ifs still warn.

use exitpath::engine::library::{self, BUILTINS};
use exitpath::engine::scenario;
use exitpath::engine::sim::Sim;
use exitpath::engine::snapshot::{Concern, Cr3State, Snapshot, TrState};
use exitpath::engine::Design;

/// Every snapshot of `text` in `design`, one per micro-step (at most `limit`).
fn snapshots(text: &str, design: Design, limit: usize) -> Vec<Snapshot> {
    let sc = scenario::parse(text).unwrap();
    let mut sim = Sim::new(&sc, Some(design));
    let mut out = vec![Snapshot::of(&sim)];
    for _ in 0..limit {
        if sim.step().is_none() {
            break;
        }
        out.push(Snapshot::of(&sim));
    }
    out
}

fn text(id: &str) -> &'static str {
    library::find(id).unwrap().text
}

/// (steps with an expected %cr3, steps with an expected %tr, the first warning seen).
fn tally(snaps: &[Snapshot]) -> (usize, usize, Option<String>) {
    let (mut cr3, mut tr, mut warn) = (0, 0, None);
    for s in snaps {
        for c in &s.cpus {
            cr3 += usize::from(c.cr3_kind == Cr3State::ExitingOnFreed);
            tr += usize::from(c.tr_kind == TrState::ExitingOnFreed);
            if warn.is_none()
                && (c.cr3_kind.concern() == Concern::Warn || c.tr_kind.concern() == Concern::Warn)
            {
                warn = Some(format!(
                    "step {}, cpu{}: %cr3 {:?} \"{}\", %tr {:?} \"{}\"",
                    s.step, c.id, c.cr3_kind, c.cr3_state, c.tr_kind, c.tr_state
                ));
            }
        }
    }
    (cr3, tr, warn)
}

#[test]
fn a_healthy_run_shows_the_exit_transient_as_expected_not_as_a_warning() {
    for design in Design::ALL {
        let (cr3, tr, warn) = tally(&snapshots(text("fork-wait-loop"), design, 20_000));
        assert_eq!(warn, None, "{design:?}: a warning in a healthy run");
        match design {
            // cpu_exit deactivates, switch_exit loads the kernel's page directory and
            // the idle TSS, and the reaper frees both later: no transient at all.
            Design::Reaper => assert_eq!((cr3, tr), (0, 0), "{design:?}"),
            // exit1 frees the vmspace (after pmap_deactivate) and the TSS (cpu_wait)
            // while the exiting LWP still runs on them.
            Design::Patch => assert!(cr3 > 0 && tr > 0, "{design:?}: {cr3} {tr}"),
            // uvm_proc_exit moves onto proc0's vmspace first; cpu_lwp_free frees the
            // TSS before switch_exit.
            Design::Committed | Design::Fixed => {
                assert!(cr3 == 0 && tr > 0, "{design:?}: {cr3} {tr}")
            }
        }
    }
}

#[test]
fn no_builtin_story_warns_about_a_register_in_any_design() {
    for b in BUILTINS.iter().filter(|b| !b.is_whatif()) {
        for design in Design::ALL {
            let (_, _, warn) = tally(&snapshots(b.text, design, 6_000));
            assert_eq!(warn, None, "{} in {design:?}", b.id);
        }
    }
}

#[test]
fn the_what_ifs_still_warn() {
    // Without pmap_deactivate the exiting CPU is still in the freed pmap's pm_cpus.
    let snaps = snapshots(text("whatif-no-pmap-deactivate"), Design::Patch, 20_000);
    let stale = snaps
        .iter()
        .flat_map(|s| &s.cpus)
        .filter(|c| c.cr3_kind == Cr3State::Stale)
        .count();
    assert!(stale > 0, "no stale %cr3 with no_pmap_deactivate");
    assert!(snaps
        .iter()
        .flat_map(|s| &s.cpus)
        .all(|c| c.cr3_kind != Cr3State::ExitingOnFreed));
    // A TSS freed in exit1 before exit_lwps sleeps, while %tr still holds it.
    for design in Design::ALL {
        let snaps = snapshots(text("whatif-tss-free-before-exit-lwps"), design, 20_000);
        let (_, _, warn) = tally(&snaps);
        assert!(
            warn.is_some_and(|w| w.contains("Stale")),
            "{design:?}: tss_free_before_exit_lwps shows no stale %tr"
        );
    }
}
