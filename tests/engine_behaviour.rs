//! What the two designs must show on the example scenarios: the u-area cache above
//! UVM_NUAREA_MAX only after the patch, drains, the pagedaemon, context-switch costs,
//! orphans, LWPs, and no finding anywhere with the kernel unbroken.

use exitpath::engine::metrics::Metrics;
use exitpath::engine::session::Session;
use exitpath::engine::trace::Event;
use exitpath::engine::{scenario, Design, Sim};

fn scn(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/scenarios/{name}.scn",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn session(name: &str, d: Design) -> Session {
    Session::new(&scn(name), Some(d)).unwrap()
}

fn metrics(text: &str, d: Design) -> Metrics {
    let sc = scenario::parse(text).unwrap();
    Metrics::of(d, &Sim::new(&sc, Some(d)).run_to_end(false))
}

#[test]
fn examples_run_clean_in_both_designs() {
    for name in ["fork-wait-loop", "three-lwps", "orphans", "fork-storm"] {
        for d in Design::ALL {
            let s = session(name, d);
            assert!(!s.trace.truncated, "{name} {d:?} hit the step limit");
            let broken: Vec<_> = s
                .trace
                .findings
                .iter()
                .filter(|f| !d.own_flaw(f.check))
                .collect();
            assert!(broken.is_empty(), "{name} {d:?}: {broken:#?}");
            assert!(s.trace.last.finished && s.trace.last.panic.is_none());
            assert!(
                s.trace.last.zombproc.is_empty(),
                "{name} {d:?} left zombies"
            );
        }
    }
}

#[test]
fn the_same_run_twice_gives_the_same_trace() {
    for d in Design::ALL {
        let a = session("three-lwps", d);
        let b = session("three-lwps", d);
        assert_eq!(a.trace.steps, b.trace.steps);
        assert_eq!(a.trace.last, b.trace.last);
    }
}

/// Count the cache size at every step of a run.
fn cache_sizes(s: &Session) -> Vec<u32> {
    let mut sim = s.sim_at(0);
    let mut v = vec![sim.st.uvm_nuarea];
    while sim.step().is_some() {
        v.push(sim.st.uvm_nuarea);
    }
    v
}

#[test]
fn fork_storm_fills_the_cache_past_the_limit_only_with_the_patch() {
    let p = session("fork-storm", Design::Patch);
    let r = session("fork-storm", Design::Reaper);
    let pm = Metrics::of(Design::Patch, &p.trace);
    let rm = Metrics::of(Design::Reaper, &r.trace);
    assert_eq!(
        pm.uarea_cache_peak, 20,
        "20 children exit before the parent waits"
    );
    assert!(
        rm.uarea_cache_peak <= 16,
        "the old uvm_uarea_free never caches more than UVM_NUAREA_MAX"
    );
    assert_eq!(r.trace.last.uvm_nuarea_max, 16);
    // patch: the first wait4 drains down to UVM_NUAREA_MAX, the pagedaemon to zero
    let sizes = cache_sizes(&p);
    let drains = p.markers(exitpath::engine::session::MarkerKind::Drain);
    assert!(!drains.is_empty());
    assert!(sizes.contains(&20));
    let first_drain = drains[0] as usize;
    assert!(drains.len() >= 2, "wait4 drains, then the pagedaemon");
    assert!(
        sizes[first_drain..].contains(&0),
        "the pagedaemon's uvm_uarea_drain(TRUE) empties the cache"
    );
    let after = sizes[first_drain..]
        .iter()
        .position(|&n| n == 16)
        .map(|i| i + first_drain);
    assert!(
        after.is_some(),
        "wait4's uvm_uarea_drain(FALSE) trims to UVM_NUAREA_MAX"
    );
    // reaper: the pagedaemon leaves the cache alone, surplus u-areas went to uvm_km_free
    assert!(*cache_sizes(&r).last().unwrap() > 0);
    assert!(rm.km_free >= 4);
    assert_eq!(pm.km_free, 20, "4 by wait4's drain, 16 by the pagedaemon");
}

#[test]
fn the_fork_wait_loop_costs_one_more_switch_per_iteration_with_the_reaper() {
    for n in [1u32, 5, 50] {
        let text = format!("proc shell\n  repeat {n}\n    fork worker\n    wait\n  exit 0\nproc worker\n  exit 3\n");
        let r = metrics(&text, Design::Reaper);
        let p = metrics(&text, Design::Patch);
        // init's own fork/wait of the shell counts as one more iteration
        assert_eq!(
            r.context_switches - p.context_switches,
            (n + 1) as u64,
            "n={n}"
        );
        assert_eq!(r.reaper_wakeups, (n + 1) as u64);
        assert_eq!(p.reaper_wakeups, 0);
        assert!(r.exit_to_reap_switches.iter().all(|&s| s == 2));
        assert!(p.exit_to_reap_switches.iter().all(|&s| s == 1));
        assert!(r
            .exit_to_reap_steps
            .iter()
            .zip(&p.exit_to_reap_steps)
            .all(|(a, b)| a > b));
        assert_eq!(
            r.km_alloc, 2,
            "the shell and one worker; later workers reuse cached u-areas"
        );
        assert_eq!(p.km_alloc, 2);
    }
}

#[test]
fn orphans_that_are_already_zombies_reach_init() {
    for d in Design::ALL {
        let s = session("orphans", d);
        let reparents = s
            .trace
            .steps
            .iter()
            .filter(|st| st.event == Event::Reparent)
            .count();
        assert!(reparents >= 3, "{d:?}: {reparents}");
        // init (pid 1) reaps every orphan: all processes but init are gone at the end
        let left: Vec<u32> = s
            .trace
            .last
            .procs
            .iter()
            .map(|p| p.pid)
            .filter(|&p| p >= 10)
            .collect();
        assert!(left.is_empty(), "{d:?}: {left:?}");
    }
}

#[test]
fn a_three_lwp_exit_collects_its_threads() {
    let s = session("three-lwps", Design::Patch);
    // exit1 of the multi-LWP process runs exit_lwps and then uvm_uarea_drain(FALSE)
    let names: Vec<&str> = s.trace.steps.iter().map(|st| st.func.name()).collect();
    assert!(names.contains(&"exit_lwps"));
    assert!(names.contains(&"lwp_wait1"));
    let drains_in_exit1 = s
        .trace
        .steps
        .windows(2)
        .filter(|w| w[0].func.name() == "exit1" && w[1].func.name() == "uvm_uarea_drain")
        .count();
    assert!(drains_in_exit1 >= 1);
    let r = session("three-lwps", Design::Reaper);
    let zl = r.trace.steps.iter().any(|st| st.func.name() == "reaper");
    assert!(zl, "in the reaper design the reaper frees the threads");
}

#[test]
fn any_position_can_be_reached_and_matches_a_straight_run() {
    let s = session("fork-storm", Design::Patch);
    let mut sim = s.sim_at(0);
    for pos in 0..=s.len() {
        if pos % 97 == 0 || pos == s.len() {
            let direct = s.sim_at(pos);
            assert_eq!(direct.st, sim.st, "state at {pos}");
        }
        sim.step();
    }
}

#[test]
fn a_run_built_in_chunks_equals_a_run_built_at_once() {
    let text = scn("fork-storm");
    for d in Design::ALL {
        let whole = Session::new(&text, Some(d)).unwrap();
        let mut b = Session::build(&text, Some(d)).unwrap();
        let mut chunks = 0;
        while !b.advance(333) {
            chunks += 1;
            assert!(chunks < 100_000);
        }
        let (done, limit) = b.progress();
        assert_eq!(done, whole.len());
        assert!(limit >= done);
        let s = b.finish();
        assert_eq!(s.trace.steps, whole.trace.steps);
        assert_eq!(s.trace.checkpoints, whole.trace.checkpoints);
        assert_eq!(s.trace.last, whole.trace.last);
    }
}

#[test]
fn a_resumed_lwp_serves_its_own_action() {
    let s = session("fork-wait-loop", Design::Patch);
    // the first step of the shell after its sleep in wait4: it serves `wait`, not the
    // worker's `exit 3`
    let resume = s.trace.steps.iter().enumerate().find(|(i, st)| {
        st.func.name() == "ltsleep"
            && st.line == 3
            && s.trace.steps[i - 1].event == exitpath::engine::trace::Event::Switch
            && {
                let a = s.action_at(*i as u64 + 1).unwrap();
                a.text == "wait" && a.line > 0
            }
    });
    assert!(resume.is_some());
    let reaper = session("fork-wait-loop", Design::Reaper);
    let k = reaper
        .trace
        .steps
        .iter()
        .position(|st| st.func.name() == "reaper")
        .unwrap();
    assert!(
        reaper.action_at(k as u64 + 1).is_none(),
        "the reaper serves no scenario line"
    );
}

#[test]
fn a_position_is_one_replay_of_the_same_states() {
    let s = session("fork-storm", Design::Reaper);
    assert!(s.len() > 2048);
    for pos in [0, 1, 2, 500, 1023, 1024, 1025, 2049, s.len()] {
        let p = s.position(pos);
        assert_eq!(p.snapshot, s.snapshot_at(pos), "{pos}");
        assert_eq!(
            p.previous,
            pos.checked_sub(1).map(|q| s.snapshot_at(q)),
            "{pos}"
        );
        assert_eq!(p.step, s.step_view(pos), "{pos}");
    }
}
