//! The kernel designs the engine can run, and the what-if switches that break them.

use serde::{Deserialize, Serialize};

/// Which version of the NetBSD exit path runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Before the patch: `exit2` queues the proc and LWP for the `reaper` kthread.
    Reaper,
    /// The patch as posted to tech-kern on 2003-11-02.
    Patch,
    /// The revised form committed on 2004-01-04: `cpu_lwp_free` as the last blocking
    /// call, the big lock dropped before the MD exit, `cpu_exit` without `proc`; the
    /// last LWP stays on `p_lwps` until `lwp_exit2` unlinks it.
    Committed,
    /// `committed` plus the early-2004 fix for PRs kern/24329 and kern/24574: exit1
    /// removes the last LWP from `p_lwps`, and `proc_free` asserts a freed proc has
    /// no LWPs (docs/model.md §1, docs/fidelity.md).
    Fixed,
}

impl Design {
    pub const COUNT: usize = 4;
    pub const ALL: [Design; Design::COUNT] = [
        Design::Reaper,
        Design::Patch,
        Design::Committed,
        Design::Fixed,
    ];

    /// The name used in scenario files, links and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Design::Reaper => "reaper",
            Design::Patch => "patch",
            Design::Committed => "committed",
            Design::Fixed => "fixed",
        }
    }

    /// The design as the page names it in its picker: what runs, and its date.
    pub fn title(self) -> &'static str {
        match self {
            Design::Reaper => "reaper (before the patch)",
            Design::Patch => "patch (2003-11-02, no reaper)",
            Design::Committed => "committed (2004-01-04)",
            Design::Fixed => "fixed (committed + PR 24329/24574 fix, 2004)",
        }
    }

    /// Which sources the design's pseudo-source follows, in one sentence for the page
    /// (docs/fidelity.md has every line's source).
    pub fn sources(self) -> &'static str {
        match self {
            Design::Reaper => "Follows kern_exit.c 1.121 (2003-08) and kern_lwp.c 1.4 (2003-01), read line by line; the i386 parts are reconstructed from the 2002 MP branch.",
            Design::Patch => "Follows the patch posted to tech-kern on 2003-11-02, line by line.",
            Design::Committed => "No 2004 text of these files survives where we could search: reconstructed from the 2003-12-05 mail, the 2004-01-04 commit message, the posted patch and the 2006-7 sources; the last LWP is unlinked in lwp_exit2, as the later fix's commit message says.",
            Design::Fixed => "committed plus the early-2004 fix for PRs kern/24329 and kern/24574, known from its commit message; its lines follow the 2007 netbsd-4 sources, the first we could read with the fix in.",
        }
    }

    /// What a `New`/`Gone` mark in this design's pseudo-source means.
    pub fn mark_note(self) -> &'static str {
        match self {
            Design::Reaper => "− removed by the patch",
            Design::Patch => "+ new or changed by the patch",
            Design::Committed => "+ new since the reaper (as committed)",
            Design::Fixed => "+ new since the reaper (as committed, then fixed)",
        }
    }

    pub fn from_name(name: &str) -> Option<Design> {
        Design::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Findings that are the design's own flaw, not a broken kernel:
    /// - `patch`: the patch as posted calls `cpu_wait` (which frees the TSS) only from
    ///   exit1, so every LWP but the last leaves its GDT slot behind (`TssLeak`); the
    ///   committed form frees it in `lwp_exit` with `cpu_lwp_free(l, 0)`;
    /// - `committed`: on two CPUs the parent may free the proc before `lwp_exit2`
    ///   unlinks its last LWP from `p_lwps` (`ProcFreedInUse`), the bug of PRs
    ///   kern/24329 and kern/24574 that `fixed` fixes.
    ///
    /// See docs/model.md §10.
    pub fn own_flaw(self, check: super::trace::Check) -> bool {
        use super::trace::Check;
        matches!(
            (self, check),
            (Design::Patch, Check::TssLeak) | (Design::Committed, Check::ProcFreedInUse)
        )
    }
}

/// A what-if switch: a deliberate deviation from the design that the engine's checks
/// must catch. Carried by scenario lines `switch NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Switch {
    /// exit1 frees the vmspace without `pmap_deactivate` first (patch).
    NoPmapDeactivate,
    /// lwp_exit2 returns the u-area with `uvm_km_free`, on the idle stack (patch).
    KmFreeInLwpExit2,
    /// exit1 does not notify the new parent of orphans that are already zombies (patch).
    NoZombieOrphanWakeup,
    /// lwp_exit2 calls `uvm_uarea_drain(FALSE)`, where sleeping is not allowed (patch).
    DrainInLwpExit2,
    /// the u-area goes to the cache before `switch_exit` has left it (patch).
    UareaCacheBeforeSwitchExit,
    /// exit1 frees the TSS before `exit_lwps`, while %tr holds it and the LWP may
    /// still sleep (all designs).
    TssFreeBeforeExitLwps,
}

impl Switch {
    pub const ALL: [Switch; 6] = [
        Switch::NoPmapDeactivate,
        Switch::KmFreeInLwpExit2,
        Switch::NoZombieOrphanWakeup,
        Switch::DrainInLwpExit2,
        Switch::UareaCacheBeforeSwitchExit,
        Switch::TssFreeBeforeExitLwps,
    ];

    /// The name used in scenario files (`switch NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Switch::NoPmapDeactivate => "no_pmap_deactivate",
            Switch::KmFreeInLwpExit2 => "km_free_in_lwp_exit2",
            Switch::NoZombieOrphanWakeup => "no_zombie_orphan_wakeup",
            Switch::DrainInLwpExit2 => "drain_in_lwp_exit2",
            Switch::UareaCacheBeforeSwitchExit => "uarea_cache_before_switch_exit",
            Switch::TssFreeBeforeExitLwps => "tss_free_before_exit_lwps",
        }
    }

    pub fn from_name(name: &str) -> Option<Switch> {
        Switch::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One sentence for a student: what the switch breaks.
    pub fn describe(self) -> &'static str {
        match self {
            Switch::NoPmapDeactivate => "free the vmspace while this CPU is still in its pm_cpus",
            Switch::KmFreeInLwpExit2 => "give the u-area back with uvm_km_free from lwp_exit2, which must not sleep",
            Switch::NoZombieOrphanWakeup => "do not tell init about orphans that are already zombies",
            Switch::DrainInLwpExit2 => "call uvm_uarea_drain from lwp_exit2, which must not sleep",
            Switch::UareaCacheBeforeSwitchExit => "put the u-area in the cache before switch_exit has left it",
            Switch::TssFreeBeforeExitLwps => "free the TSS in exit1 before exit_lwps, while %tr still holds it and the LWP may still sleep",
        }
    }
}
