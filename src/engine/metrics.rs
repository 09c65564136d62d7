//! The numbers a kernel developer compares between designs.

use super::design::Design;
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
