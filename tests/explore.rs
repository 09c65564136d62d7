//! The explorer (`exitpath explore`) and schedules: every reported schedule replays to
//! the same finding at the same step; one CPU gives the plain run's findings; on tiny
//! two-CPU scenarios the explorer agrees with brute force over every schedule; each
//! two-CPU race of docs/model.md §10 is found from a plain scenario with the fewest
//! preemptions it needs, and not in the design that fixed it; the same search gives
//! the same report; a schedule is part of the replayed state.

use exitpath::engine::explore::{ExploreFinding, ExploreReport, Explorer, Place};
use exitpath::engine::library::BUILTINS;
use exitpath::engine::scenario::{self, Scenario};
use exitpath::engine::schedule::Schedule;
use exitpath::engine::trace::{Check, Step, Trace};
use exitpath::engine::{Design, Sim};
use std::collections::BTreeSet;

fn parse(text: &str) -> Scenario {
    scenario::parse(text).unwrap()
}

fn explore(text: &str, d: Design, k: u8) -> ExploreReport {
    Explorer::run(&parse(text), Some(d), k, 20_000_000)
}

fn run_with(sc: &Scenario, d: Design, s: &Schedule) -> Trace {
    let mut sc = sc.clone();
    sc.schedule = s.clone();
    Sim::run(&sc, Some(d))
}

fn place_of(t: &Trace, step: u64) -> Option<Place> {
    t.steps.get(step as usize).map(|s| Place {
        func: s.func,
        line: s.line,
    })
}

/// `run --schedule S` reaches the finding at the same step, at the same place.
fn assert_replays(sc: &Scenario, d: Design, f: &ExploreFinding) {
    let t = run_with(sc, d, &f.schedule);
    assert!(
        t.findings
            .iter()
            .any(|g| g.check == f.check && g.step == f.step && place_of(&t, g.step) == f.place),
        "{d:?}: schedule {} does not reach {:?} at step {} ({:?}); the run found {:?}",
        f.schedule,
        f.check,
        f.step,
        f.place,
        t.findings
            .iter()
            .map(|g| (g.check, g.step))
            .collect::<Vec<_>>()
    );
}

const FIXTURES: [(&str, &str); 5] = [
    ("fork-wait", include_str!("explore/fork-wait.scn")),
    (
        "lwp-exit-while-exiting",
        include_str!("explore/lwp-exit-while-exiting.scn"),
    ),
    (
        "lwp-created-while-exiting",
        include_str!("explore/lwp-created-while-exiting.scn"),
    ),
    ("two-last-lwps", include_str!("explore/two-last-lwps.scn")),
    ("exit-and-fork", include_str!("explore/exit-and-fork.scn")),
];

#[test]
fn every_reported_schedule_replays() {
    let two_cpu_builtins = BUILTINS
        .iter()
        .filter(|b| parse(b.text).cpus == 2)
        .map(|b| (b.id, b.text));
    let mut n = 0;
    for (id, text) in two_cpu_builtins.chain(FIXTURES) {
        let sc = parse(text);
        for d in Design::ALL {
            let r = Explorer::run(&sc, Some(d), 2, 20_000_000);
            assert!(r.complete, "{id} {d:?}: not complete");
            for f in &r.findings {
                assert_replays(&sc, d, f);
                n += 1;
            }
        }
    }
    assert!(n > 20, "only {n} findings replayed");
}

#[test]
fn on_one_cpu_the_explorer_reports_the_plain_runs_findings() {
    for b in BUILTINS {
        let sc = parse(b.text);
        if sc.cpus != 1 {
            continue;
        }
        for d in Design::ALL {
            let t = Sim::run(&sc, Some(d));
            // the plain run's findings, one per (check, place), the first of each
            let mut want: Vec<(Check, Option<Place>, u64, String)> = Vec::new();
            for f in &t.findings {
                let p = place_of(&t, f.step);
                if !want.iter().any(|w| w.0 == f.check && w.1 == p) {
                    want.push((f.check, p, f.step, f.message.clone()));
                }
            }
            let r = Explorer::run(&sc, Some(d), 2, u64::MAX);
            assert!(r.complete);
            assert_eq!(r.schedules, 1, "{} {d:?}: one CPU, one schedule", b.id);
            assert_eq!(r.states, t.steps.len() as u64, "{} {d:?}", b.id);
            let mut got: Vec<(Check, Option<Place>, u64, String)> = r
                .findings
                .iter()
                .map(|f| {
                    assert_eq!(f.preemptions, 0);
                    assert!(f.schedule.is_round_robin());
                    (f.check, f.place, f.step, f.message.clone())
                })
                .collect();
            got.sort_by_key(|g| g.2);
            want.sort_by_key(|g| g.2);
            assert_eq!(got, want, "{} {d:?}", b.id);
        }
    }
}

// ---- brute force -------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
}

/// A tiny two-CPU scenario: one process with at most one extra LWP or child.
fn tiny(seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = String::from("cpus 2\nproc p0\n");
    let mut extra = String::new();
    match r.below(4) {
        0 => {
            out.push_str("  fork c\n");
            if r.below(2) == 0 {
                out.push_str("  wait\n");
            }
            extra.push_str(&format!("proc c\n  exit {}\n", r.below(3)));
        }
        1 => {
            out.push_str("  thread t\n");
            if r.below(2) == 0 {
                out.push_str("  lwp_wait\n");
            }
            let end = ["lwp_exit", "yield", "exit 1"][r.below(3) as usize];
            extra.push_str(&format!("lwp t\n  {end}\n"));
        }
        2 => {
            out.push_str("  thread t detached\n");
            extra.push_str("lwp t\n  lwp_exit\n");
        }
        _ => {
            out.push_str("  fork c\n  yield\n");
            extra.push_str("proc c\n  yield\n");
        }
    }
    out.push_str(["  exit 0\n", "  lwp_exit\n", "  yield\n"][r.below(3) as usize]);
    out.push_str(&extra);
    out
}

type Key = (Check, Option<Place>);

/// Brute force: every schedule with at most `bound` preemptions, enumerated one by
/// one, with no visited set and no reduction. A preemption is running the other CPU
/// where the CPU that ran last could go on, "could" meaning its next step would change
/// the kernel state (compared in full, not hashed). Returns the (check, place) pairs
/// found and the number of schedules.
fn brute_force(sc: &Scenario, d: Design, bound: u8) -> (BTreeSet<Key>, u64) {
    fn note(sim: &Sim, seen: usize, step: Option<Step>, out: &mut BTreeSet<Key>) {
        let place = step.map(|s| Place {
            func: s.func,
            line: s.line,
        });
        for f in &sim.findings()[seen..] {
            out.insert((f.check, place));
        }
    }
    /// `sim` after running `cpu` here, and whether that changed the state.
    fn try_on(sim: &Sim, cpu: u8, out: &mut BTreeSet<Key>) -> (Sim, bool) {
        let mut t = sim.clone();
        let seen = t.findings().len();
        let step = t.step_on(cpu);
        let mut same = t.st.clone();
        same.next_cpu = sim.st.next_cpu;
        same.choices = sim.st.choices;
        let changed = same != sim.st || t.findings().len() != seen;
        if changed {
            note(&t, seen, step, out);
        }
        (t, changed)
    }
    fn go(mut sim: Sim, mut cur: u8, pre: u8, bound: u8, out: &mut BTreeSet<Key>, n: &mut u64) {
        loop {
            if sim.st.finished || sim.step_no >= 20_000 {
                break;
            }
            if !sim.choice_point() {
                let seen = sim.findings().len();
                let step = sim.step();
                note(&sim, seen, step, out);
                match step {
                    Some(s) => cur = s.cpu,
                    None => break,
                }
                continue;
            }
            let (on_cur, cur_moves) = try_on(&sim, cur, out);
            let (on_other, other_moves) = try_on(&sim, 1 - cur, out);
            match (cur_moves, other_moves) {
                (true, true) => {
                    if pre < bound {
                        go(on_other, 1 - cur, pre + 1, bound, out, n);
                    }
                    sim = on_cur;
                }
                (true, false) => sim = on_cur,
                (false, true) => {
                    sim = on_other;
                    cur = 1 - cur;
                }
                (false, false) => break,
            }
        }
        *n += 1;
    }
    let mut out = BTreeSet::new();
    let mut n = 0;
    go(Sim::new(sc, Some(d)), 0, 0, bound, &mut out, &mut n);
    (out, n)
}

#[test]
fn on_tiny_two_cpu_scenarios_the_explorer_agrees_with_brute_force() {
    let mut compared = 0;
    let mut with_findings = 0;
    for seed in 0..16 {
        let text = tiny(seed);
        let sc = parse(&text);
        for d in Design::ALL {
            let bound = if seed < 3 { 2 } else { 1 };
            let r = Explorer::run(&sc, Some(d), bound, 20_000_000);
            assert!(r.complete, "seed {seed} {d:?}\n{text}");
            let (want, schedules) = brute_force(&sc, d, bound);
            let got: BTreeSet<Key> = r.findings.iter().map(|f| (f.check, f.place)).collect();
            assert_eq!(got, want, "seed {seed} {d:?} bound {bound}\n{text}");
            eprintln!(
                "seed {seed} {d:?} K={bound}: explorer {} states, {} schedules; brute force {schedules} schedules, {} findings",
                r.states,
                r.schedules,
                want.len()
            );
            for f in &r.findings {
                assert_replays(&sc, d, f);
            }
            compared += 1;
            with_findings += usize::from(!want.is_empty());
        }
    }
    assert!(compared >= 60);
    assert!(with_findings >= 8, "only {with_findings} had findings");
}

// ---- the races of docs/model.md §10 ------------------------------------------------

/// The fewest preemptions `check` needs in `d`: found with `k`, so not with `k - 1`
/// (the search with `k - 1` is complete first, iterative context bounding).
fn min_k(text: &str, d: Design, check: Check, k: u8) -> ExploreFinding {
    let r = explore(text, d, k);
    assert!(r.complete, "{d:?}: not complete");
    let f = r
        .findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("{d:?}: no {check:?} with {k} preemptions: {:?}", r.findings))
        .clone();
    assert_eq!(f.preemptions, k, "{d:?} {check:?}: {}", f.schedule);
    if k > 0 {
        let below = explore(text, d, k - 1);
        assert!(below.complete);
        assert!(below.findings.iter().all(|g| g.check != check));
    }
    assert_replays(&parse(text), d, &f);
    f
}

fn none_within(text: &str, d: Design, check: Check, k: u8) {
    let r = explore(text, d, k);
    assert!(r.complete, "{d:?}: not complete");
    assert!(
        r.findings.iter().all(|f| f.check != check),
        "{d:?}: {check:?} within {k}: {:?}",
        r.findings
    );
}

#[test]
fn the_proc_freed_too_early_needs_one_preemption_in_committed_and_none_in_fixed() {
    let text = include_str!("explore/fork-wait.scn");
    let f = min_k(text, Design::Committed, Check::ProcFreedInUse, 1);
    assert_eq!(f.place.map(|p| p.func.name()), Some("lwp_exit2"));
    none_within(text, Design::Fixed, Check::ProcFreedInUse, 1);
    none_within(text, Design::Fixed, Check::ProcFreedInUse, 2);
    // and the built-in, from its plain text (no tuned sleeps in it)
    let b = include_str!("../scenarios/two-cpus-proc-freed.scn");
    min_k(b, Design::Committed, Check::ProcFreedInUse, 1);
    none_within(b, Design::Fixed, Check::ProcFreedInUse, 2);
}

#[test]
fn lwp_wait1_collecting_an_lwp_in_lwp_exit2_needs_two_preemptions_in_patch_and_committed_closes_it()
{
    let text = include_str!("explore/lwp-exit-while-exiting.scn");
    min_k(text, Design::Patch, Check::LwpReapedInExit2, 2);
    none_within(text, Design::Committed, Check::LwpReapedInExit2, 2);
    none_within(text, Design::Fixed, Check::LwpReapedInExit2, 2);
}

#[test]
fn the_tss_slot_reused_in_tr_is_reached_in_committed_with_one_preemption() {
    // docs/model.md §10: "the window between KERNEL_PROC_UNLOCK and switch_exit's ltr is
    // still there in principle; none of our round-robin scenarios reaches it". The
    // explorer reaches it on the plain fork/wait loop: the exiting CPU is preempted
    // right after exit1's KERNEL_PROC_UNLOCK, and the parent, on the other CPU, reaps
    // the child and forks again; the new child's tss_alloc takes the slot still in %tr.
    // The early-2004 fix does not touch it; the patch frees the TSS under the big lock
    // until lwp_exit2: no window.
    let text = include_str!("explore/fork-wait.scn");
    for d in [Design::Committed, Design::Fixed] {
        let f = min_k(text, d, Check::TrReused, 1);
        assert_eq!(f.place.map(|p| p.func.name()), Some("tss_alloc"));
        assert_eq!(f.schedule.switches(), 1, "{}", f.schedule);
    }
    none_within(text, Design::Patch, Check::TrReused, 2);
    none_within(
        include_str!("explore/exit-and-fork.scn"),
        Design::Patch,
        Check::TrReused,
        2,
    );
}

#[test]
fn an_lwp_created_while_exiting_panics_exit_lwps_with_one_preemption_in_every_design() {
    // §10 says the model reached it only in `reaper`; with one preemption it is there
    // in patch, committed and fixed too.
    let text = include_str!("explore/lwp-created-while-exiting.scn");
    for d in Design::ALL {
        let f = min_k(text, d, Check::KernelPanic, 1);
        assert!(
            f.message
                .contains("exit_lwps: lwp_wait1 failed with error 3"),
            "{}",
            f.message
        );
    }
}

#[test]
fn two_last_lwps_exiting_at_once_need_one_preemption_in_every_design() {
    let text = include_str!("explore/two-last-lwps.scn");
    for d in Design::ALL {
        min_k(text, d, Check::SleepForever, 1);
    }
}

#[test]
fn the_patch_leaves_a_cpu_in_pm_cpus_with_one_preemption_and_committed_does_not() {
    let text = include_str!("explore/lwp-exit-while-exiting.scn");
    min_k(text, Design::Patch, Check::PmapActiveFreed, 1);
    none_within(text, Design::Committed, Check::PmapActiveFreed, 2);
}

// ---- determinism and replay ---------------------------------------------------------

#[test]
fn the_same_search_gives_the_same_report() {
    let text = include_str!("explore/exit-and-fork.scn");
    for d in [Design::Patch, Design::Committed] {
        assert_eq!(explore(text, d, 2), explore(text, d, 2));
    }
    // sliced as the page would run it: the same report
    let sc = parse(text);
    let mut e = Explorer::new(&sc, Some(Design::Committed), 2, 20_000_000);
    while !e.advance(777) {}
    assert_eq!(e.report(), explore(text, Design::Committed, 2));
}

#[test]
fn a_state_limit_leaves_the_search_incomplete_and_says_so() {
    let r = explore(
        include_str!("explore/exit-and-fork.scn"),
        Design::Committed,
        2,
    );
    let cut = Explorer::run(
        &parse(include_str!("explore/exit-and-fork.scn")),
        Some(Design::Committed),
        2,
        r.states / 2,
    );
    assert!(!cut.complete);
    assert!(cut.states <= r.states / 2 + 1);
}

#[test]
fn a_schedule_is_part_of_the_replayed_state() {
    // fork-storm on two CPUs is long enough to cross several checkpoints
    let text = format!("cpus 2\n{}", include_str!("../scenarios/fork-storm.scn"));
    for (i, s) in ["0:40,1:7,0:3,1:900,0:2", "1:1000", "0:1,1:1,0:1,1:1,0:500"]
        .iter()
        .enumerate()
    {
        let mut sc = parse(&text);
        sc.schedule = Schedule::parse(s).unwrap();
        let d = Design::ALL[i % 4];
        let t = Sim::run(&sc, Some(d));
        assert!(t.steps.len() > 2500, "{}", t.steps.len());
        let rr = Sim::run(&parse(&text), Some(d));
        assert_ne!(t.steps, rr.steps, "{s}: the schedule changed nothing");
        let mut straight = Sim::new(&sc, Some(d));
        for pos in 0..=t.steps.len() as u64 {
            if pos % 517 == 0 || pos == t.steps.len() as u64 {
                let replayed = Sim::at(&sc, Some(d), &t, pos);
                assert!(
                    replayed.st == straight.st,
                    "{s} {d:?}: state at {pos} differs"
                );
            }
            straight.step();
        }
    }
}

#[test]
fn without_a_schedule_nothing_changes_and_rr_is_round_robin() {
    for b in BUILTINS {
        let sc = parse(b.text);
        let mut rr = sc.clone();
        rr.schedule = Schedule::parse("rr").unwrap();
        let d = Design::Committed;
        assert_eq!(
            Sim::run(&sc, Some(d)).steps,
            Sim::run(&rr, Some(d)).steps,
            "{}",
            b.id
        );
    }
    // a schedule on one CPU decides nothing: there are no choice points
    let one = parse("schedule 1:5\nproc p\n  fork c\n  wait\nproc c\n  exit 0\n");
    let plain = parse("proc p\n  fork c\n  wait\nproc c\n  exit 0\n");
    assert_eq!(Sim::run(&one, None).steps, Sim::run(&plain, None).steps);
}

#[test]
fn each_reduction_is_sound_the_findings_do_not_change_without_it() {
    use exitpath::engine::explore::Reductions;
    let all = Reductions::default();
    let offs = [
        Reductions {
            local: false,
            ..all
        },
        Reductions {
            sparse: false,
            ..all
        },
        Reductions {
            visited: false,
            ..all
        },
    ];
    for text in [
        include_str!("explore/lwp-exit-while-exiting.scn"),
        include_str!("explore/lwp-created-while-exiting.scn"),
    ] {
        let sc = parse(text);
        for d in [Design::Patch, Design::Committed] {
            let key = |r: &ExploreReport| -> BTreeSet<(Check, Option<Place>, u8)> {
                assert!(r.complete);
                r.findings
                    .iter()
                    .map(|f| (f.check, f.place, f.preemptions))
                    .collect()
            };
            let with = key(&Explorer::run(&sc, Some(d), 2, 50_000_000));
            for red in offs {
                let mut e = Explorer::new(&sc, Some(d), 2, 50_000_000).with_reductions(red);
                while !e.advance(1 << 20) {}
                assert_eq!(key(&e.report()), with, "{d:?} {red:?}");
            }
        }
    }
}

/// The reports of the explorer on every two-CPU built-in and test scenario, in every
/// design (K = 2), checked in: `tests/explore/reports.txt`, which the wasm test
/// `tests/web_digest.rs` checks in Chromium too. `UPDATE_EXPLORE=1` rewrites it.
#[test]
fn the_reports_match_the_checked_in_ones() {
    let mut got = String::new();
    let builtins = BUILTINS
        .iter()
        .filter(|b| parse(b.text).cpus == 2)
        .map(|b| (b.id, b.text));
    for (id, text) in builtins.chain(FIXTURES.into_iter().take(2)) {
        for d in Design::ALL {
            got.push_str(&format!("{id} {}", explore(text, d, 2).summary()));
        }
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/explore/reports.txt");
    if std::env::var_os("UPDATE_EXPLORE").is_some() {
        std::fs::write(path, &got).unwrap();
        return;
    }
    assert_eq!(std::fs::read_to_string(path).unwrap_or_default(), got);
}

#[test]
fn a_session_runs_a_reported_schedule_and_marks_its_switches() {
    use exitpath::engine::session::Session;
    let text = include_str!("explore/fork-wait.scn");
    let r = explore(text, Design::Committed, 1);
    let f = r
        .findings
        .iter()
        .find(|f| f.check == Check::TrReused)
        .unwrap();
    let s = Session::with_schedule(text, Some(Design::Committed), &f.schedule).unwrap();
    assert!(s
        .trace
        .findings
        .iter()
        .any(|g| g.check == Check::TrReused && g.step == f.step));
    let sw = s.schedule_switches();
    assert_eq!(sw.len(), f.schedule.switches());
    // the switch is a step of CPU 1 after one of CPU 0, before the finding
    let at = sw[0] as usize;
    assert!(sw[0] < f.step);
    assert_eq!(s.trace.steps[at].cpu, 1);
    assert_eq!(s.trace.steps[at - 1].cpu, 0);
}
