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
        // committed: the parent may free the proc before lwp_exit2 unlinks its last
        // LWP (the bug of PRs kern/24329 and kern/24574); see the test below
        assert!(
            s.trace.findings.iter().all(|f| d.own_flaw(f.check)),
            "{d:?}: {:?}",
            s.trace.findings
        );
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
    assert!(run(&text, Design::Fixed).trace.findings.is_empty());
    assert!(!checks(&run(&text, Design::Committed)).contains(&Check::PmapActiveFreed));
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

/// Two CPUs: p0's main LWP exits while its three LWPs are alive; the last one
/// created finishes `lwp_exit2` on the other CPU just as exit_lwps scans.
const RACE: &str =
    "cpus 2\nproc p0\n  thread t0\n  thread t0\n  yield\n  thread t0\n  yield\n  exit 0\nlwp t0\n  yield\n";

#[test]
fn lwp_wait1_can_collect_an_lwp_whose_lwp_exit2_still_runs_in_the_patch_only() {
    // The patch's lwp_exit2 runs without the big lock (lwp_exit dropped it before
    // cpu_exit), so exit_lwps on the other CPU sees LSZOMB before p_nzlwps++ and frees
    // the LWP under it. Re-checked with lwp_exit_hook's KERNEL_PROC_LOCK (the LWPs
    // exit_lwps kills hold the big lock until cpu_exit): the window is still open,
    // because lwp_exit2 itself runs unlocked.
    let s = run(RACE, Design::Patch);
    let f = s
        .trace
        .findings
        .iter()
        .find(|f| f.check == Check::LwpReapedInExit2)
        .expect("patch: the race is reported");
    assert!(
        f.message.contains("not counted in p_nzlwps"),
        "{}",
        f.message
    );
    for d in [Design::Reaper, Design::Committed, Design::Fixed] {
        let s = run(RACE, d);
        assert!(
            !checks(&s).contains(&Check::LwpReapedInExit2),
            "{d:?}: {:?}",
            s.trace.findings
        );
    }
}

#[test]
fn lwp_exit_hook_takes_the_big_lock_so_the_tss_window_of_the_old_scenario_closes() {
    // Before lwp_exit_hook took KERNEL_PROC_LOCK (kern_exit.c 1.121), an LWP killed by
    // exit_lwps ran lwp_exit and cpu_lwp_free without the big lock, and the other
    // CPU's _lwp_create took its TSS slot while still in %tr (TrReused, committed).
    // With the lock, the other CPU's tss_alloc waits until KERNEL_PROC_UNLOCK, and
    // this CPU reaches switch_exit's ltr first: no finding in any design.
    let text = "cpus 2\nproc p0\n  fork p1\n  lwp_wait\n  lwp_wait\n  fork p1\n  sleep 4\n  exit 0\n\
                proc p1\n  yield\n  yield\n  repeat 2\n    yield\n    thread t0\n    thread t0\n  yield\n  exit 1\n\
                lwp t0\n  yield\n  yield\n";
    for d in Design::ALL {
        let s = run(text, d);
        let hook_locks = s.trace.steps.iter().any(|st| {
            st.func == exitpath::engine::func::Func::lwp_exit_hook && st.event == Event::BigLock
        });
        assert!(hook_locks, "{d:?}: lwp_exit_hook never took the big lock");
        assert!(
            !checks(&s).contains(&Check::TrReused),
            "{d:?}: {:?}",
            s.trace.findings
        );
    }
    // The check stays a broken invariant, not a fault: the CPU runs on its cached copy.
    assert!(!Check::TrReused.is_fault());
}

#[test]
fn a_detached_lwp_is_never_collected_by_lwp_wait1_so_never_freed_twice() {
    // lwp_wait1 skips L_DETACHED LWPs on every scan, exit_lwps' included, so the
    // "freed twice" variant of the lwp_exit2 race cannot happen (kern_lwp.c 1.4).
    let text = "cpus 2\nproc p0\n  thread t0\n  thread t0\n  wait\n  wait\n  exit 0\n\
                proc p1\n  wait\n  sleep 1\n  exit 1\n\
                lwp t0\n  thread t0 detached\n  thread t0\n  yield\n";
    for d in Design::ALL {
        let s = run(text, d);
        assert!(
            !checks(&s).contains(&Check::ModelError),
            "{d:?}: {:?}",
            s.trace.findings
        );
        assert!(
            s.trace
                .findings
                .iter()
                .all(|f| !f.message.contains("freed twice")),
            "{d:?}: {:?}",
            s.trace.findings
        );
    }
}

#[test]
fn an_lwp_created_while_the_process_exits_makes_exit_lwps_panic() {
    // exit_lwps clears L_DETACHED only on the LWPs that exist when it runs. A detached
    // LWP created later on the other CPU is never counted by lwp_wait1 (it skips
    // detached LWPs), so once it is the only other LWP left, lwp_wait1 finds nothing:
    // ESRCH, and exit_lwps panics ("exit_lwps: lwp_wait1 failed with error 3").
    // In `reaper` the window is wide (the LWP waits on deadlwp for the reaper).
    let text = "cpus 2\nproc p0\n  thread t0\n  exit 0\nlwp t0\n  thread t1 detached\nlwp t1\n  yield\n  yield\n  sleep 3\n";
    let s = run(text, Design::Reaper);
    let f = s
        .trace
        .findings
        .iter()
        .find(|f| f.check == Check::KernelPanic)
        .expect("reaper: exit_lwps panics");
    assert!(
        f.message
            .contains("exit_lwps: lwp_wait1 failed with error 3"),
        "{}",
        f.message
    );
    assert!(f.check.is_fault());
    assert!(s.trace.last.panic.is_some(), "the run ends at the panic");
}

#[test]
fn as_committed_the_parent_can_free_the_proc_before_lwp_exit2_unlinks_its_last_lwp() {
    // 2004-01-04: exit1 makes the process SZOMB, drops proclist_lock and the big lock,
    // and leaves the last LWP on p_lwps for lwp_exit2 to unlink. On two CPUs the
    // parent's wait4 collects and frees the proc first; lwp_exit2's LIST_REMOVE then
    // writes into freed memory. The early-2004 fix (PRs kern/24329, kern/24574)
    // unlinks it in exit1 and asserts in proc_free that a freed proc has no LWPs.
    let text = include_str!("../scenarios/two-cpus-proc-freed.scn");
    let s = run(text, Design::Committed);
    let f = s
        .trace
        .findings
        .iter()
        .find(|f| f.check == Check::ProcFreedInUse)
        .expect("committed: use after free of the proc");
    assert!(f.check.is_fault());
    assert!(
        f.message.contains("LIST_REMOVE(l, l_sibling)"),
        "{}",
        f.message
    );
    assert_eq!(
        s.trace.steps[f.step as usize].func,
        exitpath::engine::func::Func::lwp_exit2
    );
    let fixed = run(text, Design::Fixed);
    assert!(
        fixed.trace.findings.is_empty(),
        "{:?}",
        fixed.trace.findings
    );
    // the fixed proc_free's KASSERT line runs, and holds
    assert!(fixed
        .trace
        .steps
        .iter()
        .any(|st| st.func == exitpath::engine::func::Func::proc_free
            && exitpath::engine::source::line(Design::Fixed, st.func, st.line as u16)
                .is_some_and(|l| l.text.contains("KASSERT(LIST_EMPTY(&p->p_lwps))"))));
    // on one CPU lwp_exit2 runs before anyone else: committed is fine there
    let one = run(&text.replacen("cpus 2\n", "", 1), Design::Committed);
    assert!(one.trace.findings.is_empty(), "{:?}", one.trace.findings);
    for d in [Design::Reaper, Design::Patch] {
        assert!(run(text, d).trace.findings.is_empty(), "{d:?}");
    }
}
