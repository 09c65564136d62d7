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
