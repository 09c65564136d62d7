//! Text renderings of a run: the readable trace (golden files, `exitpath run`) and
//! the metrics table.

use super::design::Design;
use super::metrics::{MetricValue, Metrics, ROWS};
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

/// The metrics of several designs side by side (the rows of `metrics::ROWS`), with
/// each one's difference from the first.
pub fn compare_table(runs: &[Metrics]) -> String {
    let w = ROWS
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = String::new();
    let _ = write!(out, "{:<w$}", "metric");
    for m in runs {
        let _ = write!(out, "{:>12}", m.design.name());
    }
    for m in runs.iter().skip(1) {
        let _ = write!(
            out,
            "{:>20}",
            format!("{} - {}", m.design.name(), runs[0].design.name())
        );
    }
    out.push('\n');
    for row in ROWS {
        let v: Vec<MetricValue> = runs.iter().map(|m| row.value(m)).collect();
        let _ = write!(out, "{:<w$}", row.label);
        for x in &v {
            let _ = write!(out, "{:>12}", x.display());
        }
        for x in v.iter().skip(1) {
            let _ = write!(out, "{:>20}", x.minus(v[0]).display_diff("-"));
        }
        out.push('\n');
    }
    out
}
