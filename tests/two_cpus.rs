//! Two CPUs (`cpus 2`): per-CPU idle PCBs, a contended big lock, and what the model
//! finds there (docs/model.md §10), each pinned down by a scenario.

use exitpath::engine::session::Session;
use exitpath::engine::trace::{Check, Event};
use exitpath::engine::{Design, Switch};

fn run(text: &str, d: Design) -> Session {
    Session::new(text, Some(d)).unwrap()
}

fn checks(s: &Session) -> Vec<Check> {
    s.trace.findings.iter().map(|f| f.check).collect()
}

const LOOP: &str =
    "cpus 2\nproc shell\n  repeat 5\n    fork worker\n    wait\n  exit 0\nproc worker\n  exit 3\n";

#[test]
fn both_cpus_work_and_the_big_lock_is_contended() {
    for d in Design::ALL {
        let s = run(
            &format!("cpus 2\n{}", include_str!("../scenarios/fork-storm.scn")),
            d,
        );
        assert!(s.trace.findings.is_empty(), "{d:?}: {:?}", s.trace.findings);
        let on = |c: u8| {
            s.trace
                .steps
                .iter()
                .filter(|st| st.cpu == c && st.lwp != u32::MAX)
                .count()
        };
        assert!(
            on(0) > 100 && on(1) > 100,
            "{d:?}: cpu0 {} cpu1 {}",
            on(0),
            on(1)
        );
        assert!(
            s.trace.steps.iter().any(|st| st.event == Event::Spin),
            "{d:?}: nobody ever spun on the big lock"
        );
        assert_eq!(s.trace.last.cpus.len(), 2);
    }
    let s = run(LOOP, Design::Patch);
    assert!(s.trace.findings.is_empty());
}

#[test]
fn the_early_cache_push_hands_a_live_stack_to_the_other_cpu() {
    // Laight's worry (tech-kern, 2003-11-05): the u-area enters the cache before
    // switch_exit has left it, and the other CPU's fork may take it.
    let text = format!(
        "cpus 2\nswitch {}\n{}",
        Switch::UareaCacheBeforeSwitchExit.name(),
        include_str!("../scenarios/fork-storm.scn")
    );
    for d in [Design::Patch, Design::Committed] {
        let s = run(&text, d);
        assert!(checks(&s).contains(&Check::RunOnFreedUarea), "{d:?}");
    }
}

#[test]
fn the_patch_as_posted_leaves_a_cpu_in_pm_cpus() {
    // The patch removed pmap_deactivate from cpu_exit and put it in exit1 only: a
    // non-last LWP exiting on cpu1 leaves cpu1's bit set; the committed form calls
    // pmap_deactivate in lwp_exit again.
    let text = format!("cpus 2\n{}", include_str!("../scenarios/three-lwps.scn"));
    assert!(checks(&run(&text, Design::Patch)).contains(&Check::PmapActiveFreed));
    assert!(checks(&run(&text, Design::Patch)).contains(&Check::TssLeak));
    assert!(run(&text, Design::Committed).trace.findings.is_empty());
    assert!(run(&text, Design::Reaper).trace.findings.is_empty());
}

#[test]
fn two_last_lwps_exiting_at_once_leave_a_process_that_never_exits() {
    // Each sees the other as live (p_nlwps - p_nzlwps == 2), so neither calls exit1.
    let text = "cpus 2\nproc shell\n  fork p0\n  wait\n  exit 0\nproc p0\n  thread t0\n  lwp_exit\nlwp t0\n  lwp_exit\n";
    for d in Design::ALL {
        let s = run(text, d);
        let stuck = s
            .trace
            .last
            .procs
            .iter()
            .any(|p| p.nlwps > 0 && p.nlwps == p.nzlwps);
        assert!(stuck, "{d:?}: expected a process with only zombie LWPs");
        assert!(
            checks(&s).contains(&Check::SleepForever),
            "{d:?}: the shell waits forever"
        );
        // on one CPU the same program is fine
        let one = run(&text.replacen("cpus 2\n", "", 1), d);
        assert!(
            one.trace.findings.iter().all(|f| d.own_flaw(f.check)),
            "{d:?} on one CPU: {:?}",
            one.trace.findings
        );
    }
}

#[test]
fn lwp_wait1_can_collect_an_lwp_whose_lwp_exit2_still_runs_in_the_patch_only() {
    // The fuzzer's find: the patch's lwp_exit2 runs without the big lock, so exit_lwps
    // on the other CPU sees LSZOMB before p_nzlwps++ and frees the LWP under it.
    let text = include_str!("../fuzz/artifacts/engine/nzlwps-overflow-two-cpus.scn");
    let s = run(text, Design::Patch);
    let f = s
        .trace
        .findings
        .iter()
        .find(|f| f.check == Check::LwpReapedInExit2)
        .expect("patch: the race is reported");
    assert!(f.message.contains("below zero"), "{}", f.message);
    for d in [Design::Reaper, Design::Committed] {
        let s = run(text, d);
        assert!(
            !checks(&s).contains(&Check::LwpReapedInExit2),
            "{d:?}: {:?}",
            s.trace.findings
        );
    }
}

#[test]
fn a_tss_slot_taken_by_the_other_cpu_while_still_in_tr_is_a_broken_invariant_not_a_fault() {
    // committed frees the TSS in lwp_exit (cpu_lwp_free), before switch_exit loads the
    // idle one; on two CPUs the other CPU's _lwp_create takes the slot in that window.
    // The i386 keeps using the descriptor it cached in %tr, so nothing crashes.
    let text = "cpus 2\nproc p0\n  fork p1\n  lwp_wait\n  lwp_wait\n  fork p1\n  sleep 4\n  exit 0\n\
                proc p1\n  yield\n  yield\n  repeat 2\n    yield\n    thread t0\n    thread t0\n  yield\n  exit 1\n\
                lwp t0\n  yield\n  yield\n";
    let s = run(text, Design::Committed);
    let f = s
        .trace
        .findings
        .iter()
        .find(|f| f.check == Check::TrReused)
        .expect("committed: the slot is reused while in %tr");
    assert!(!f.check.is_fault());
    assert!(f.message.contains("a new LWP of pid"), "{}", f.message);
}

#[test]
fn lwp_exit2_freeing_an_lwp_already_collected_is_the_race_not_a_model_error() {
    // Found with random two-CPU scenarios: a detached LWP's lwp_exit2 (patch) loses the
    // race to exit_lwps' lwp_wait1, which frees it; lwp_exit2's own pool_put is then a
    // second free in the kernel code, reported as part of the race.
    let text = "cpus 2\nproc p0\n  thread t0\n  thread t0\n  wait\n  wait\n  exit 0\n\
                proc p1\n  wait\n  sleep 1\n  exit 1\n\
                lwp t0\n  thread t0 detached\n  thread t0\n  yield\n";
    let s = run(text, Design::Patch);
    assert!(
        !checks(&s).contains(&Check::ModelError),
        "{:?}",
        s.trace.findings
    );
    assert!(
        s.trace
            .findings
            .iter()
            .any(|f| f.check == Check::LwpReapedInExit2 && f.message.contains("freed twice")),
        "{:?}",
        s.trace.findings
    );
}
