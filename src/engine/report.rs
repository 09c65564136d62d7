//! Text renderings of a run: the readable trace (golden files, `exitpath run`) and
//! the metrics table.

use super::design::Design;
use super::metrics::Metrics;
use super::scenario::Scenario;
use super::sim::Sim;
use super::trace::Trace;
use std::fmt::Write;

/// Run `sc` in `design` and render the whole trace as text, one line per micro-step,
/// a header per action, findings where they happen and the metrics at the end.
pub fn trace_text(sc: &Scenario, design: Option<Design>) -> (Trace, String) {
    let sim = Sim::new(sc, design);
    let d = sim.cfg.design;
    let trace = sim.run_to_end(true);
    let mut out = String::new();
    let _ = writeln!(out, "# exitpath trace, design {}", d.name());
    let narr = trace.narration.as_deref().unwrap_or(&[]);
    let mut ai = 0;
    let mut fi = 0;
    for (i, s) in trace.steps.iter().enumerate() {
        let i = i as u64;
        while ai < trace.actions.len() && trace.actions[ai].step == i {
            let a = &trace.actions[ai];
            let at = if a.line > 0 {
                format!(" (line {})", a.line)
            } else {
                String::new()
            };
            let _ = writeln!(out, "== {}.{}: {}{}", a.pid, a.lid, a.text, at);
            ai += 1;
        }
        let (who, text) = narr
            .get(i as usize)
            .map(|(w, t)| (w.as_str(), t.as_str()))
            .unwrap_or(("?", ""));
        let at = format!("{}:{}", s.func.name(), s.line + 1);
        let _ = writeln!(out, "{i:>6} cpu{} {who:<6} {at:<22} {text}", s.cpu);
        while fi < trace.findings.len() && trace.findings[fi].step <= i {
            let f = &trace.findings[fi];
            let kind = if f.check.is_fault() {
                "FAULT"
            } else {
                "VIOLATION"
            };
            let _ = writeln!(out, "!! {kind} {:?}: {}", f.check, f.message);
            fi += 1;
        }
    }
    for f in &trace.findings[fi..] {
        let kind = if f.check.is_fault() {
            "FAULT"
        } else {
            "VIOLATION"
        };
        let _ = writeln!(out, "!! {kind} {:?}: {}", f.check, f.message);
    }
    let m = Metrics::of(d, &trace);
    let _ = writeln!(out, "# metrics");
    let _ = writeln!(
        out,
        "# micro_steps {} context_switches {} reaper_wakeups {} km_alloc {} km_free {} uarea_cache_hits {} uarea_cache_peak {} tss_slots_peak {} zombies_left {}",
        m.micro_steps, m.context_switches, m.reaper_wakeups, m.km_alloc, m.km_free, m.uarea_cache_hits, m.uarea_cache_peak, m.tss_slots_peak, m.zombies_left
    );
    let _ = writeln!(out, "# exit_to_reap_steps {:?}", m.exit_to_reap_steps);
    let _ = writeln!(out, "# exit_to_reap_switches {:?}", m.exit_to_reap_switches);
    (trace, out)
}

/// The metrics of several designs side by side, with each one's difference from the first.
pub fn compare_table(rows: &[Metrics]) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<28}", "metric");
    for m in rows {
        let _ = write!(out, "{:>12}", m.design.name());
    }
    for m in rows.iter().skip(1) {
        let _ = write!(
            out,
            "{:>20}",
            format!("{} - {}", m.design.name(), rows[0].design.name())
        );
    }
    out.push('\n');
    let sum = |v: &[u64]| v.iter().sum::<u64>();
    let mean = |v: &[u64]| {
        if v.is_empty() {
            0.0
        } else {
            sum(v) as f64 / v.len() as f64
        }
    };
    let lines: Vec<(&str, Vec<f64>)> = vec![
        (
            "micro-steps",
            rows.iter().map(|m| m.micro_steps as f64).collect(),
        ),
        (
            "context switches",
            rows.iter().map(|m| m.context_switches as f64).collect(),
        ),
        (
            "reaper wake-ups",
            rows.iter().map(|m| m.reaper_wakeups as f64).collect(),
        ),
        (
            "uvm_km_alloc (u-areas)",
            rows.iter().map(|m| m.km_alloc as f64).collect(),
        ),
        (
            "uvm_km_free (u-areas)",
            rows.iter().map(|m| m.km_free as f64).collect(),
        ),
        (
            "u-area cache hits",
            rows.iter().map(|m| m.uarea_cache_hits as f64).collect(),
        ),
        (
            "u-area cache peak",
            rows.iter().map(|m| m.uarea_cache_peak as f64).collect(),
        ),
        (
            "TSS slots peak",
            rows.iter().map(|m| m.tss_slots_peak as f64).collect(),
        ),
        (
            "mean steps exit->reap",
            rows.iter().map(|m| mean(&m.exit_to_reap_steps)).collect(),
        ),
        (
            "mean switches exit->reap",
            rows.iter()
                .map(|m| mean(&m.exit_to_reap_switches))
                .collect(),
        ),
        (
            "zombies left",
            rows.iter().map(|m| m.zombies_left as f64).collect(),
        ),
        (
            "faults",
            rows.iter().map(|m| m.faults.len() as f64).collect(),
        ),
        (
            "invariant violations",
            rows.iter()
                .map(|m| m.invariant_violations.len() as f64)
                .collect(),
        ),
    ];
    for (name, v) in lines {
        // a row with a fraction anywhere shows one decimal in every column
        let dec = if v.iter().any(|x| x.fract() != 0.0) {
            1
        } else {
            0
        };
        let _ = write!(out, "{name:<28}");
        for x in &v {
            let _ = write!(out, "{:>12}", format!("{x:.dec$}"));
        }
        for x in v.iter().skip(1) {
            let _ = write!(out, "{:>20}", fmt_signed(x - v[0], dec));
        }
        out.push('\n');
    }
    out
}

/// A difference with its sign: "+1.5", "-3", "0".
fn fmt_signed(x: f64, dec: usize) -> String {
    let s = format!("{:.dec$}", x.abs());
    if s.trim_start_matches(['0', '.']).is_empty() {
        "0".into()
    } else if x > 0.0 {
        format!("+{s}")
    } else {
        format!("-{s}")
    }
}
