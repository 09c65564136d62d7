//! One test per correction of the 2026-11-30 source review (docs/model.md §11) that
//! tests/two_cpus.rs and tests/library.rs do not already pin: each checks the line the
//! page shows and what the engine does with it, in every design it touches.

use exitpath::engine::func::{Func, Op, ProcOp, SchedOp};
use exitpath::engine::session::Session;
use exitpath::engine::source;
use exitpath::engine::trace::{Check, Event};
use exitpath::engine::Design;

fn ops(d: Design, f: Func) -> Vec<Op> {
    source::body(d, f)
        .unwrap_or_else(|| panic!("{d:?} has no {f:?}"))
        .lines
        .iter()
        .map(|l| l.op)
        .collect()
}

fn text(d: Design, f: Func) -> String {
    source::render(source::body(d, f).unwrap())
}

fn narration(s: &Session) -> Vec<(u64, String)> {
    (1..=s.len())
        .map(|pos| {
            (
                pos - 1,
                s.position(pos)
                    .step
                    .map(|v| v.narration)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// Point 7: `uvmexp.swtch++` is in exit1 only (MI, C1) and `cpu_exit` is `switch_exit`
/// alone; `npxsave` moved into `cpu_lwp_free`.
#[test]
fn committed_counts_a_context_switch_in_exit1_only_and_cpu_exit_is_switch_exit() {
    for d in [Design::Committed, Design::Fixed] {
        assert!(
            !ops(d, Func::lwp_exit).contains(&Op::Sched(SchedOp::SwtchInc)),
            "{d:?}"
        );
        assert!(
            ops(d, Func::exit1).contains(&Op::Sched(SchedOp::SwtchInc)),
            "{d:?}"
        );
        let cpu_exit = source::body(d, Func::cpu_exit).unwrap();
        assert_eq!(
            cpu_exit.lines.len(),
            1,
            "{d:?}: {}",
            text(d, Func::cpu_exit)
        );
        assert!(cpu_exit.lines[0]
            .text
            .starts_with("switch_exit(l, lwp_exit2)"));
        assert!(text(d, Func::cpu_lwp_free).contains("npxsave_lwp"));
    }
    // three LWPs: the two that die before the last cost no uvmexp.swtch of their own,
    // so `committed` counts two context switches fewer than `patch`, whose MD
    // cpu_exit still bumps it for every LWP
    let t = include_str!("../scenarios/three-lwps.scn");
    let sw = |d| {
        exitpath::engine::metrics::Metrics::of(d, &Session::new(t, Some(d)).unwrap().trace)
            .context_switches
    };
    assert_eq!(sw(Design::Patch) - sw(Design::Committed), 2);
}

/// Point 8: after uvm_proc_exit borrowed proc0's vmspace, exit1's pmap_deactivate
/// clears this CPU's bit in the kernel pmap, and the narration says so.
#[test]
fn committed_exit1_deactivates_the_kernel_pmap_and_says_so() {
    for d in [Design::Committed, Design::Fixed] {
        let s = Session::new(include_str!("../scenarios/fork-wait-loop.scn"), Some(d)).unwrap();
        let n = narration(&s);
        let in_exit1 = n
            .iter()
            .filter(|(i, _)| s.trace.steps[*i as usize].func == Func::exit1)
            .filter(|(_, t)| t.contains("pmap_deactivate"))
            .collect::<Vec<_>>();
        assert!(!in_exit1.is_empty(), "{d:?}");
        for (_, t) in in_exit1 {
            assert!(t.contains("the kernel pmap's pm_cpus"), "{d:?}: {t}");
        }
    }
    // before the patch the exiting process's own pmap is the one left
    let s = Session::new(
        include_str!("../scenarios/fork-wait-loop.scn"),
        Some(Design::Reaper),
    )
    .unwrap();
    assert!(narration(&s)
        .iter()
        .any(|(_, t)| t.contains("leaves pid 11's pm_cpus")));
}

/// Point 9: a stale pm_cpus bit is a broken invariant (TLB-shootdown bookkeeping),
/// not a fault.
#[test]
fn a_pmap_destroyed_while_in_pm_cpus_is_a_broken_invariant() {
    assert!(!Check::PmapActiveFreed.is_fault());
    let text = format!("cpus 2\n{}", include_str!("../scenarios/three-lwps.scn"));
    let s = Session::new(&text, Some(Design::Patch)).unwrap();
    let f = s
        .trace
        .findings
        .iter()
        .find(|f| f.check == Check::PmapActiveFreed)
        .unwrap();
    assert!(s.trace.violations().any(|v| v == f));
}

/// Point 10 and the pagedaemon's narration: uvm_uarea_drain(TRUE) keeps none.
#[test]
fn the_pagedaemon_drain_keeps_none_and_says_so() {
    for d in [Design::Patch, Design::Committed, Design::Fixed] {
        let s = Session::new(include_str!("../scenarios/pagedaemon.scn"), Some(d)).unwrap();
        let n = narration(&s);
        let all = n
            .iter()
            .find(|(i, _)| s.trace.steps[*i as usize].event == Event::DrainAll);
        let (_, t) = all.unwrap_or_else(|| panic!("{d:?}: no uvm_uarea_drain(TRUE)"));
        assert!(t.contains("keeps none"), "{d:?}: {t}");
        assert!(
            !n.iter().any(|(_, t)| t.contains("more than it keeps")),
            "{d:?}"
        );
    }
}

/// Point 11: the P_WEXIT check is sys_exit's, exit1 starts with the initproc panic.
#[test]
fn the_p_wexit_check_is_in_sys_exit_and_exit1_starts_with_the_initproc_panic() {
    for d in Design::ALL {
        let sys_exit = source::body(d, Func::sys_exit).unwrap();
        assert!(
            sys_exit.lines[0].text.contains("P_WEXIT) lwp_exit(l)"),
            "{d:?}"
        );
        assert_eq!(sys_exit.lines[0].op, Op::Proc(ProcOp::SysExitWexit));
        let exit1 = source::body(d, Func::exit1).unwrap();
        assert!(
            exit1.lines[0]
                .text
                .starts_with("if (__predict_false(p == initproc)) panic("),
            "{d:?}"
        );
        assert!(
            !exit1.lines.iter().any(|l| l.text.contains("lwp_exit(l)")),
            "{d:?}"
        );
    }
    // a second exit(2) in the same process becomes lwp_exit at sys_exit's first line
    let t = "cpus 2\nproc p\n  thread t\n  exit 1\nlwp t\n  exit 2\n";
    let mut seen = false;
    for d in Design::ALL {
        let s = Session::new(t, Some(d)).unwrap();
        let exits = s
            .trace
            .steps
            .iter()
            .filter(|st| st.event == Event::ExitBegin)
            .count();
        assert_eq!(exits, 1, "{d:?}: exit1 runs once for p");
        // the patch's own two-CPU flaw (pm_cpus, docs/model.md §10) aside, nothing breaks
        assert!(
            s.trace.findings.iter().all(|f| d.own_flaw(f.check)
                || (d == Design::Patch && f.check == Check::PmapActiveFreed)),
            "{d:?}: {:?}",
            s.trace.findings
        );
        seen |=
            s.trace.steps.windows(2).any(|w| {
                w[0].func == Func::sys_exit && w[0].line == 0 && w[1].func == Func::lwp_exit
            });
    }
    assert!(
        seen,
        "some design runs the second exit(2) into lwp_exit from sys_exit"
    );
}

/// Point 13: the posted patch leaks the TSS of every LWP but the last, those that
/// exit_lwps kills included (three-lwps: t1 and t2 are killed by exit_lwps).
#[test]
fn the_posted_patch_leaks_the_tss_of_lwps_that_exit_lwps_kills() {
    let s = Session::new(
        include_str!("../scenarios/three-lwps.scn"),
        Some(Design::Patch),
    )
    .unwrap();
    let leaks: Vec<_> = s
        .trace
        .findings
        .iter()
        .filter(|f| f.check == Check::TssLeak)
        .collect();
    assert_eq!(leaks.len(), 2, "{leaks:?}");
    let kicked = s
        .trace
        .steps
        .iter()
        .position(|st| st.event == Event::Kick)
        .unwrap() as u64;
    assert!(
        leaks.iter().all(|f| f.step > kicked),
        "the leaks follow exit_lwps"
    );
    for d in [Design::Reaper, Design::Committed, Design::Fixed] {
        let s = Session::new(include_str!("../scenarios/three-lwps.scn"), Some(d)).unwrap();
        assert!(s.trace.findings.is_empty(), "{d:?}: {:?}", s.trace.findings);
    }
}
