//! `exitpath bench`: engine speed and trace memory for a long fork/exit/wait loop.

use super::scenario;
use super::sim::Sim;
use std::time::Instant;

/// The benchmark scenario: `iterations` rounds of fork, child exit, wait.
pub fn loop_scenario(iterations: u64) -> String {
    format!("proc shell\n  repeat {iterations}\n    fork worker\n    wait\n  exit 0\nproc worker\n  exit 3\n")
}

/// Write micro-steps per second and bytes per micro-step, per design, to `out` (the
/// caller decides what a closed pipe means).
pub fn run(iterations: u64, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let text = loop_scenario(iterations.clamp(1, 1_000_000));
    let Ok(sc) = scenario::parse(&text) else {
        writeln!(out, "bench: the benchmark scenario does not parse")?;
        return Ok(());
    };
    writeln!(
        out,
        "exitpath engine bench: fork/exit/wait loop, {iterations} iterations, native"
    )?;
    writeln!(
        out,
        "{:<8} {:>12} {:>10} {:>14} {:>14} {:>12}",
        "design", "micro-steps", "seconds", "steps/s", "bytes/step", "trace MB"
    )?;
    for d in super::Design::ALL {
        let mut sim = Sim::new(&sc, Some(d));
        sim.cfg.step_limit = u64::MAX;
        let t0 = Instant::now();
        let trace = sim.run_to_end(false);
        let secs = t0.elapsed().as_secs_f64();
        let n = trace.steps.len() as f64;
        let bps = trace.bytes_per_step();
        writeln!(
            out,
            "{:<8} {:>12} {:>10.3} {:>14.0} {:>14.1} {:>12.1}",
            d.name(),
            trace.steps.len(),
            secs,
            n / secs,
            bps,
            bps * n / 1e6
        )?;
        out.flush()?;
    }
    Ok(())
}

/// Rounds of the long run `bench --history` measures on: about 1.02 M micro-steps in
/// `reaper`, the page's long run (xtask's BIG_ROUNDS, e2e/bench.mjs).
pub const HISTORY_ROUNDS: u64 = 7600;

/// Milliseconds since `t0`.
fn ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1e3
}

/// `exitpath bench --history`: on the long run in `reaper`, `why` (depth 1) for every
/// cell that exists at the end and half-way, asked there: one `why-bench` line with
/// the time of the first far question (init's `p_stat` at the end: the run's
/// `WhyIndex` is built on the way), of building that index alone, and the worst and
/// the median time of an answer once it exists, and of `next_change` (the watchpoint
/// forward) from the start and half-way; then a `lifelines-bench` line (the time to
/// build the run's lifelines) and an `export-bench` line (the Perfetto export, once
/// the lifelines exist).
pub fn history(out: &mut impl std::io::Write) -> std::io::Result<()> {
    use super::session::Session;
    use super::why;
    let text = loop_scenario(HISTORY_ROUNDS);
    let Ok(s) = Session::new(&text, Some(super::Design::Reaper)) else {
        writeln!(out, "bench: the benchmark scenario does not parse")?;
        return Ok(());
    };
    let t0 = Instant::now();
    let mut sim = s.sim_at(0);
    sim.checks = false;
    while sim.step_no < s.len() && sim.step().is_some() {}
    let replay_ms = ms(t0);
    // the first far question of a run builds its index on the way
    let t0 = Instant::now();
    let init = why::Cell::Proc(1, why::ProcField::Stat);
    let _ = s.why(init, s.len(), 1);
    let cold_ms = ms(t0);
    let t0 = Instant::now();
    let index = why::WhyIndex::build(&s);
    let index_ms = ms(t0);
    let index_entries = index.entries();
    let mut times = Vec::new();
    let mut worst = (0.0, String::new());
    for at in [s.len(), s.len() / 2] {
        for cell in why::cells(&s.sim_at(at).st) {
            let t0 = Instant::now();
            let answered = s.why(cell, at, 1).is_ok();
            let t = ms(t0);
            if answered {
                times.push(t);
                if t > worst.0 {
                    worst = (t, format!("{cell}@{at}"));
                }
            }
        }
    }
    times.sort_by(f64::total_cmp);
    // the watchpoint forward, from the start and half-way, for the same cells
    let mut next = Vec::new();
    for at in [0, s.len() / 2] {
        for cell in why::cells(&s.sim_at(s.len() / 2).st) {
            let t0 = Instant::now();
            let _ = s.next_change(cell, at);
            next.push(ms(t0));
        }
    }
    next.sort_by(f64::total_cmp);
    writeln!(
        out,
        "why-bench steps={} cells={} depth=1 replay_ms={replay_ms:.1} cold_ms={cold_ms:.1} index_ms={index_ms:.1} index_entries={index_entries} \
         worst_ms={:.2} median_ms={:.2} worst_cell={} next_worst_ms={:.2} next_median_ms={:.2}",
        s.len(),
        times.len(),
        worst.0,
        times.get(times.len() / 2).copied().unwrap_or(f64::NAN),
        worst.1,
        next.last().copied().unwrap_or(f64::NAN),
        next.get(next.len() / 2).copied().unwrap_or(f64::NAN),
    )?;
    let t0 = Instant::now();
    let lifelines = s.lifelines();
    writeln!(
        out,
        "lifelines-bench steps={} build_ms={:.1} lwp_lanes={} proc_lanes={} spans={}",
        s.len(),
        ms(t0),
        lifelines.lwps.len(),
        lifelines.procs.len(),
        lifelines.spans()
    )?;
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let events = super::export::perfetto(&s, &mut buf)?;
    writeln!(
        out,
        "export-bench steps={} perfetto_ms={:.1} bytes={} events={events}",
        s.len(),
        ms(t0),
        buf.len()
    )?;
    quiz_bench(&s, out)
}

/// `quiz-bench`: Predict's questions. On the long run (no other designs: past
/// `quiz::OTHERS_MAX_STEPS`), every kind asked at 25 positions spread over it (worst,
/// median); on the default built-in, the panel's set-up (the other designs' runs and
/// the 8-question quiz) and one question with the other designs' choices.
fn quiz_bench(s: &super::session::Session, out: &mut impl std::io::Write) -> std::io::Result<()> {
    use super::quiz::{self, Ask};
    let mut times = Vec::new();
    for k in 0..25u64 {
        let at = s.len() * k / 25 + k * 7;
        for a in Ask::ALL {
            let t0 = Instant::now();
            let _ = quiz::ask(s, &[], at, a, k);
            times.push(ms(t0));
        }
    }
    times.sort_by(f64::total_cmp);
    let def = super::library::default_builtin();
    let d = super::session::Session::new(def.text, Some(super::Design::Reaper));
    let (setup, one, steps) = match d {
        Ok(d) => {
            let t0 = Instant::now();
            let others = quiz::others(&d);
            let qs = quiz::quiz(&d, &others, 1, 8);
            let setup = ms(t0);
            let t0 = Instant::now();
            for q in &qs {
                let _ = quiz::ask(&d, &others, q.step, q.ask, 1);
            }
            (setup, ms(t0) / qs.len().max(1) as f64, d.len())
        }
        Err(_) => (f64::NAN, f64::NAN, 0),
    };
    writeln!(
        out,
        "quiz-bench steps={} asked={} worst_ms={:.2} median_ms={:.2} builtin_steps={steps} setup_ms={setup:.1} with_others_ms={one:.2}",
        s.len(),
        times.len(),
        times.last().copied().unwrap_or(f64::NAN),
        times.get(times.len() / 2).copied().unwrap_or(f64::NAN),
    )
}
