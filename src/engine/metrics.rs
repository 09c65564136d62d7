//! The numbers a kernel developer compares between designs: `Metrics` of a run, and
//! `ROWS`, the one table of how each is labelled and shown (CLI and web UI alike).

use super::design::Design;
use super::snapshot::Snapshot;
use super::state::EXIT_TO_REAP_KEPT;
use super::trace::Trace;
use crate::arch_i386::gdt::NGDT;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Metrics {
    pub design: Design,
    pub micro_steps: u64,
    /// uvmexp.swtch: mi_switch calls plus cpu_exit's.
    pub context_switches: u64,
    pub reaper_wakeups: u64,
    pub km_alloc: u64,
    pub km_free: u64,
    pub uarea_cache_hits: u64,
    pub uarea_cache_peak: u32,
    /// Most dynamic GDT slots in use at once.
    pub tss_slots_peak: u32,
    pub zombies_left: u32,
    pub faults: Vec<String>,
    pub invariant_violations: Vec<String>,
    /// Micro-steps from each exit1 to the parent's proc_free of it.
    pub exit_to_reap_steps: Vec<u64>,
    /// Context switches over the same span.
    pub exit_to_reap_switches: Vec<u64>,
    pub forks: u64,
    pub exits: u64,
    pub reaps: u64,
    pub drains: u64,
    pub actions: u32,
    pub truncated: bool,
    pub panic: Option<String>,
}

impl Metrics {
    pub fn of(design: Design, t: &Trace) -> Metrics {
        let c = &t.last.counters;
        let line =
            |f: &super::trace::Finding| format!("step {}: {:?}: {}", f.step, f.check, f.message);
        Metrics {
            design,
            micro_steps: t.steps.len() as u64,
            context_switches: c.swtch,
            reaper_wakeups: c.reaper_wakeups,
            km_alloc: c.km_alloc,
            km_free: c.km_free,
            uarea_cache_hits: c.uarea_cache_hits,
            uarea_cache_peak: c.uarea_cache_peak,
            tss_slots_peak: (t.last.gdt.count_peak - NGDT) as u32,
            zombies_left: t.last.zombproc.len() as u32,
            faults: t.faults().map(line).collect(),
            invariant_violations: t.violations().map(line).collect(),
            exit_to_reap_steps: t.exit_to_reap.iter().map(|e| e.0).collect(),
            exit_to_reap_switches: t.exit_to_reap.iter().map(|e| e.1).collect(),
            forks: c.forks,
            exits: c.exits,
            reaps: c.reaps,
            drains: c.drains,
            actions: t.last.actions,
            truncated: t.truncated,
            panic: t.last.panic.clone(),
        }
    }
}

/// How a metric is shown: the same in every place that shows it (the CLI's `compare`,
/// the web UI's metrics panel and compare table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// A whole count: `13`.
    Count,
    /// A mean over the exits reaped, with one decimal: `66.3`; `—` when nothing was
    /// reaped.
    Mean,
}

/// One metric's value, ready to show or to subtract from another design's. Integers
/// only (no float formatting, so native and wasm print the same digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricValue {
    /// Nothing to show: a mean of no samples, or a count not kept step by step.
    None,
    /// A whole number.
    Count(i64),
    /// A number in tenths, shown with one decimal: `Tenths(663)` is 66.3.
    Tenths(i64),
}

impl MetricValue {
    /// The value as a number in its own unit (tenths for `Tenths`), `None` for nothing.
    pub fn raw(self) -> Option<i64> {
        match self {
            MetricValue::None => None,
            MetricValue::Count(v) | MetricValue::Tenths(v) => Some(v),
        }
    }

    /// `self - earlier` (this design's value minus the baseline's), `None` when either
    /// side has nothing.
    pub fn minus(self, earlier: MetricValue) -> MetricValue {
        match (self, earlier) {
            (MetricValue::Count(a), MetricValue::Count(b)) => MetricValue::Count(a - b),
            (MetricValue::Tenths(a), MetricValue::Tenths(b)) => MetricValue::Tenths(a - b),
            _ => MetricValue::None,
        }
    }

    /// The value as text: `13`, `66.3`, `-4`, `—` for nothing.
    pub fn display(self) -> String {
        self.text("-", false)
    }

    /// A difference as text, signed: `+13`, `-0.5` (with `minus` as the minus sign:
    /// `"-"` in a terminal, `"−"` on a page), `0`, `—` for nothing.
    pub fn display_diff(self, minus: &str) -> String {
        self.text(minus, true)
    }

    fn text(self, minus: &str, plus: bool) -> String {
        let (v, tenths) = match self {
            MetricValue::None => return "—".into(),
            MetricValue::Count(v) => (v, false),
            MetricValue::Tenths(v) => (v, true),
        };
        let a = v.unsigned_abs();
        let num = if tenths {
            format!("{}.{}", a / 10, a % 10)
        } else {
            a.to_string()
        };
        match v.signum() {
            -1 => format!("{minus}{num}"),
            1 if plus => format!("+{num}"),
            0 if plus => "0".into(),
            _ => num,
        }
    }
}

/// One row of the metrics table: what it counts, in what unit, and how to read it
/// from a whole run ([`MetricRow::value`]) or from one step ([`MetricRow::value_at`]).
#[derive(Debug)]
pub struct MetricRow {
    /// A stable id: the key of the same number in `exitpath metrics`' JSON (a list's
    /// key for a count of findings or a mean), and the UI's `data-metric`.
    pub id: &'static str,
    /// What it counts, as a reader sees it.
    pub label: &'static str,
    /// The unit of one of it, plural: `steps`, `switches`, `calls`, `u-areas`.
    pub unit: &'static str,
    /// How it is shown.
    pub show: Show,
    whole: fn(&Metrics) -> MetricValue,
    at: fn(&Snapshot) -> MetricValue,
}

impl MetricRow {
    /// The value over the whole run.
    pub fn value(&self, m: &Metrics) -> MetricValue {
        (self.whole)(m)
    }

    /// The value so far, at the step `s` shows; [`MetricValue::None`] for a metric the
    /// state does not keep step by step (the TSS slot peak, the findings).
    pub fn value_at(&self, s: &Snapshot) -> MetricValue {
        (self.at)(s)
    }
}

fn count(v: impl TryInto<i64>) -> MetricValue {
    MetricValue::Count(v.try_into().unwrap_or(i64::MAX))
}

/// `sum / n` in tenths, rounded half up; nothing for no samples.
fn mean(sum: u64, n: u64) -> MetricValue {
    match sum.saturating_mul(10).saturating_add(n / 2).checked_div(n) {
        None => MetricValue::None,
        Some(t) => MetricValue::Tenths(t.try_into().unwrap_or(i64::MAX)),
    }
}

/// The mean of one half of the exit-to-reap spans so far: the counters keep the sums
/// and the most recent `EXIT_TO_REAP_KEPT` spans; past that many, every reap had one.
fn mean_at(s: &Snapshot, sum: u64) -> MetricValue {
    let c = &s.counters;
    let n = if c.exit_to_reap.len() < EXIT_TO_REAP_KEPT {
        c.exit_to_reap.len() as u64
    } else {
        c.reaps
    };
    mean(sum, n)
}

fn mean_of(v: &[u64]) -> MetricValue {
    mean(v.iter().sum(), v.len() as u64)
}

fn none(_: &Snapshot) -> MetricValue {
    MetricValue::None
}

/// Every metric, in the order shown. The CLI's `compare`, the UI's metrics panel and
/// its compare table show these rows, with these labels, this way: a whole run's cell
/// is `row.value(&metrics).display()`, a cell at one step `row.value_at(&snap).display()`,
/// a difference `row.value(&b).minus(row.value(&a)).display_diff("−")`.
pub const ROWS: &[MetricRow] = &[
    MetricRow {
        id: "micro_steps",
        label: "micro-steps",
        unit: "steps",
        show: Show::Count,
        whole: |m| count(m.micro_steps),
        at: |s| count(s.step),
    },
    MetricRow {
        id: "context_switches",
        label: "context switches (uvmexp.swtch)",
        unit: "switches",
        show: Show::Count,
        whole: |m| count(m.context_switches),
        at: |s| count(s.counters.swtch),
    },
    MetricRow {
        id: "reaper_wakeups",
        label: "reaper wake-ups",
        unit: "wake-ups",
        show: Show::Count,
        whole: |m| count(m.reaper_wakeups),
        at: |s| count(s.counters.reaper_wakeups),
    },
    MetricRow {
        id: "forks",
        label: "forks",
        unit: "procs",
        show: Show::Count,
        whole: |m| count(m.forks),
        at: |s| count(s.counters.forks),
    },
    MetricRow {
        id: "exits",
        label: "exits",
        unit: "procs",
        show: Show::Count,
        whole: |m| count(m.exits),
        at: |s| count(s.counters.exits),
    },
    MetricRow {
        id: "reaps",
        label: "reaps",
        unit: "procs",
        show: Show::Count,
        whole: |m| count(m.reaps),
        at: |s| count(s.counters.reaps),
    },
    MetricRow {
        id: "km_alloc",
        label: "uvm_km_alloc (u-areas)",
        unit: "calls",
        show: Show::Count,
        whole: |m| count(m.km_alloc),
        at: |s| count(s.counters.km_alloc),
    },
    MetricRow {
        id: "km_free",
        label: "uvm_km_free (u-areas)",
        unit: "calls",
        show: Show::Count,
        whole: |m| count(m.km_free),
        at: |s| count(s.counters.km_free),
    },
    MetricRow {
        id: "uarea_cache_hits",
        label: "u-area cache hits",
        unit: "hits",
        show: Show::Count,
        whole: |m| count(m.uarea_cache_hits),
        at: |s| count(s.counters.uarea_cache_hits),
    },
    MetricRow {
        id: "uarea_cache_peak",
        label: "u-area cache peak",
        unit: "u-areas",
        show: Show::Count,
        whole: |m| count(m.uarea_cache_peak),
        at: |s| count(s.counters.uarea_cache_peak),
    },
    MetricRow {
        id: "drains",
        label: "uvm_uarea_drain calls",
        unit: "calls",
        show: Show::Count,
        whole: |m| count(m.drains),
        at: |s| count(s.counters.drains),
    },
    MetricRow {
        id: "tss_slots_peak",
        label: "TSS slots peak",
        unit: "slots",
        show: Show::Count,
        whole: |m| count(m.tss_slots_peak),
        at: none,
    },
    MetricRow {
        id: "exit_to_reap_steps",
        label: "steps from exit() to reap (mean)",
        unit: "steps",
        show: Show::Mean,
        whole: |m| mean_of(&m.exit_to_reap_steps),
        at: |s| mean_at(s, s.counters.exit_to_reap_sum.0),
    },
    MetricRow {
        id: "exit_to_reap_switches",
        label: "switches from exit() to reap (mean)",
        unit: "switches",
        show: Show::Mean,
        whole: |m| mean_of(&m.exit_to_reap_switches),
        at: |s| mean_at(s, s.counters.exit_to_reap_sum.1),
    },
    MetricRow {
        id: "zombies_left",
        label: "zombies on zombproc",
        unit: "procs",
        show: Show::Count,
        whole: |m| count(m.zombies_left),
        at: |s| count(s.zombproc.len()),
    },
    MetricRow {
        id: "faults",
        label: "faults",
        unit: "findings",
        show: Show::Count,
        whole: |m| count(m.faults.len()),
        at: none,
    },
    MetricRow {
        id: "invariant_violations",
        label: "broken invariants",
        unit: "findings",
        show: Show::Count,
        whole: |m| count(m.invariant_violations.len()),
        at: none,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_one_way() {
        assert_eq!(MetricValue::Count(13).display(), "13");
        assert_eq!(MetricValue::Tenths(663).display(), "66.3");
        assert_eq!(MetricValue::Tenths(5).display(), "0.5");
        assert_eq!(MetricValue::None.display(), "—");
        let d = MetricValue::Tenths(660).minus(MetricValue::Tenths(880));
        assert_eq!(d, MetricValue::Tenths(-220));
        assert_eq!(d.display_diff("-"), "-22.0");
        assert_eq!(d.display_diff("−"), "−22.0");
        assert_eq!(MetricValue::Count(3).display_diff("-"), "+3");
        assert_eq!(MetricValue::Count(0).display_diff("-"), "0");
        assert_eq!(
            MetricValue::None.minus(MetricValue::Count(1)),
            MetricValue::None
        );
        assert_eq!(mean(0, 0), MetricValue::None);
        assert_eq!(mean(5, 2), MetricValue::Tenths(25));
        assert_eq!(mean(1, 3), MetricValue::Tenths(3));
        assert_eq!(mean(2, 3), MetricValue::Tenths(7));
    }

    #[test]
    fn ids_are_unique_and_show_matches_the_value() {
        let mut ids: Vec<&str> = ROWS.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ROWS.len());
        let sc = crate::engine::scenario::parse(
            "proc a\n  fork b\n  wait\n  exit 0\nproc b\n  exit 1\n",
        )
        .unwrap();
        for d in Design::ALL {
            let sim = crate::engine::Sim::new(&sc, Some(d));
            let t = sim.run_to_end(false);
            let m = Metrics::of(d, &t);
            let end = Snapshot::of(&crate::engine::Sim::at(&sc, Some(d), &t, m.micro_steps));
            for r in ROWS {
                let v = r.value(&m);
                let ok = matches!(
                    (r.show, v),
                    (Show::Count, MetricValue::Count(_)) | (Show::Mean, MetricValue::Tenths(_))
                );
                assert!(ok, "{} shows {:?} but gives {v:?}", r.id, r.show);
                // so far, at the last step, is the whole run (where it is kept)
                let at = r.value_at(&end);
                assert!(
                    at == v || at == MetricValue::None,
                    "{}: {at:?} != {v:?}",
                    r.id
                );
            }
        }
    }
}
