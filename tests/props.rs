//! Property tests over random scenarios: for 10,000 generated scenarios per design,
//! the engine never panics, never reports a fault or broken invariant (the kernel is
//! not broken on purpose), always finishes, and gives the same trace twice.
//! The generator is seeded, so a failure names a seed that reproduces it.

use exitpath::engine::trace::Check;
use exitpath::engine::{scenario, Design, Sim};

mod gen;
use gen::{Gen, Rng};

/// Generated scenarios are small: far fewer steps than this means a livelock.
const STEP_LIMIT: u64 = 200_000;

fn check(seed: u64, d: Design, cpus: u8) -> Result<u64, String> {
    let text = Gen::scenario_on(seed, cpus);
    let sc = scenario::parse(&text)
        .map_err(|e| format!("seed {seed}: generated scenario does not parse: {e}\n{text}"))?;
    let run = || {
        std::panic::catch_unwind(|| {
            let mut sim = Sim::new(&sc, Some(d));
            sim.cfg.step_limit = STEP_LIMIT;
            sim.run_to_end(false)
        })
    };
    let a = run().map_err(|_| format!("seed {seed} {d:?}: the engine panicked\n{text}"))?;
    if a.truncated {
        return Err(format!("seed {seed} {d:?}: hit the step limit\n{text}"));
    }
    let stuck = a
        .last
        .procs
        .iter()
        .any(|p| p.nlwps > 0 && p.nlwps == p.nzlwps);
    if let Some(f) = a
        .findings
        .iter()
        .find(|f| !allowed(d, cpus, f.check, stuck))
    {
        return Err(format!(
            "seed {seed} {d:?}: step {} {:?}: {}\n{text}",
            f.step, f.check, f.message
        ));
    }
    let b = run().map_err(|_| format!("seed {seed} {d:?}: panicked on the second run"))?;
    if a.steps != b.steps || a.last != b.last {
        return Err(format!("seed {seed} {d:?}: two runs differ\n{text}"));
    }
    if seed.is_multiple_of(25) {
        // any position's state, replayed from its checkpoint, equals a straight run's
        let mut straight = Sim::new(&sc, Some(d));
        let n = a.steps.len() as u64;
        for pos in 0..=n {
            if pos % 337 == 0 || pos == n {
                let replayed = Sim::at(&sc, Some(d), &a, pos);
                if replayed.st != straight.st {
                    return Err(format!("seed {seed} {d:?}: the state replayed at {pos} differs from a straight run\n{text}"));
                }
            }
            straight.step();
        }
    }
    Ok(a.steps.len() as u64)
}

/// Findings that are the design's own, not the model's, on two CPUs:
/// - the patch as posted leaves a CPU's bit in pm_cpus when an LWP other than the
///   last exits on that CPU (its cpu_exit lost pmap_deactivate; the committed form
///   put it back in lwp_exit);
/// - the patch's lwp_exit2 runs unlocked, so exit_lwps' lwp_wait1 on the other CPU
///   may collect an LWP it has not finished (LwpReapedInExit2, then a p_nzlwps off
///   by one);
/// - as committed on 2004-01-04, lwp_exit2 unlinks the last LWP from p_lwps after the
///   parent may have freed the proc (ListMismatch at proc_free, ProcFreedInUse): the
///   bug PRs kern/24329 and kern/24574 reported, which `fixed` fixes;
/// - before the patch, the last two LWPs of a process can `_lwp_exit` at once on two
///   CPUs: each sees the other as live (LSDEAD, not yet counted in p_nzlwps until the
///   reaper runs), so neither calls exit1 and the process is left with only zombie
///   LWPs (`stuck`), never exiting; its children and its parent then wait forever.
fn allowed(d: Design, cpus: u8, c: Check, stuck: bool) -> bool {
    if d.own_flaw(c) {
        return true;
    }
    if cpus < 2 {
        return false;
    }
    match d {
        Design::Patch => matches!(
            c,
            Check::PmapActiveFreed | Check::LwpReapedInExit2 | Check::CountMismatch
        ),
        Design::Reaper => stuck && matches!(c, Check::ZombieUnreaped | Check::SleepForever),
        Design::Committed => false,
        Design::Fixed => false,
    }
}

fn many(d: Design) {
    many_on(d, 1);
}

fn many_on(d: Design, cpus: u8) {
    let cases: u64 = std::env::var("EXITPATH_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let first: u64 = std::env::var("EXITPATH_PROP_FIRST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut failures = Vec::new();
    let mut steps = 0;
    for seed in first..first + cases {
        match check(seed, d, cpus) {
            Ok(n) => steps += n,
            Err(e) => {
                failures.push(e);
                if failures.len() >= 3 {
                    break;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing scenarios, first ones:\n{}",
        failures.len(),
        failures.join("\n---\n")
    );
    eprintln!("{d:?} on {cpus} CPU(s): {cases} scenarios, {steps} micro-steps, no finding");
}

#[test]
fn random_scenarios_reaper() {
    many(Design::Reaper);
}

#[test]
fn random_scenarios_patch() {
    many(Design::Patch);
}

#[test]
fn random_scenarios_committed() {
    many(Design::Committed);
}

#[test]
fn random_scenarios_fixed() {
    many(Design::Fixed);
}

#[test]
fn random_scenarios_two_cpus() {
    for d in Design::ALL {
        many_on(d, 2);
    }
}

#[test]
fn generator_covers_the_language() {
    let all: String = (0..200).map(Gen::scenario).collect();
    for word in [
        "fork",
        "wait p",
        "thread",
        "detached",
        "lwp_wait",
        "lwp_exit",
        "yield",
        "sleep",
        "pagedaemon",
        "repeat",
        "exit",
        "uvm_nuarea_max",
    ] {
        assert!(all.contains(word), "the generator never writes `{word}`");
    }
}

/// Two CPUs under random schedules: the engine never panics, two runs are the same, and
/// any position's state replayed from its checkpoint (choice counter included) equals a
/// straight run's. Findings are not checked: a schedule may open any race of §10.
#[test]
fn random_schedules_replay_exactly() {
    use exitpath::engine::schedule::Schedule;
    for seed in 0..300u64 {
        let text = Gen::scenario_on(seed, 2);
        let mut sc = scenario::parse(&text).unwrap();
        let mut rng = Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) | 1);
        let mut s = Schedule::round_robin();
        for _ in 0..1 + rng.below(12) {
            s.push(rng.below(2) as u8, 1 + rng.below(60) as u32);
        }
        sc.schedule = s;
        let d = Design::ALL[(seed % 4) as usize];
        let run = || {
            std::panic::catch_unwind(|| {
                let mut sim = Sim::new(&sc, Some(d));
                sim.cfg.step_limit = STEP_LIMIT;
                sim.run_to_end(false)
            })
            .unwrap_or_else(|_| panic!("seed {seed} {d:?} {}: panicked\n{text}", sc.schedule))
        };
        let (a, b) = (run(), run());
        assert!(
            a.steps == b.steps && a.last == b.last,
            "seed {seed}: two runs differ"
        );
        let mut straight = Sim::new(&sc, Some(d));
        straight.cfg.step_limit = STEP_LIMIT;
        let n = a.steps.len() as u64;
        for pos in 0..=n {
            if pos % 211 == 0 || pos == n {
                let replayed = Sim::at(&sc, Some(d), &a, pos);
                assert!(
                    replayed.st == straight.st,
                    "seed {seed} {d:?} {}: state at {pos} differs\n{text}",
                    sc.schedule
                );
            }
            straight.step();
        }
    }
}

/// `Session::position` keeps the machine of the last position asked and steps it
/// forward when that is cheaper than a replay: a random walk of positions (mostly
/// steps forward, some jumps and steps back) over every built-in scenario in every
/// design, and random two-CPU scenarios, gives what a session with nothing cached does.
#[test]
fn position_through_the_replay_cache_equals_a_fresh_replay() {
    use exitpath::engine::library::BUILTINS;
    use exitpath::engine::session::Session;
    let mut texts: Vec<String> = BUILTINS.iter().map(|b| b.text.to_string()).collect();
    texts.extend((0..40).map(|seed| Gen::scenario_on(seed, 2)));
    for (t, text) in texts.iter().enumerate() {
        for d in Design::ALL {
            let s = Session::new(text, Some(d)).unwrap();
            let pristine = s.clone(); // nothing cached yet
            let len = s.len();
            let mut rng = Rng((t as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let mut pos = 0;
            for _ in 0..60 {
                pos = match rng.below(10) {
                    0 => rng.below(len + 1),
                    1 => pos.saturating_sub(1 + rng.below(3)),
                    2 => (pos + 1 + rng.below(200)).min(len),
                    _ => (pos + 1).min(len),
                };
                let fresh = pristine.clone();
                assert!(
                    s.position(pos) == fresh.position(pos),
                    "text {t} {d:?}: position {pos} of {len} differs through the cache\n{text}"
                );
            }
        }
    }
}
