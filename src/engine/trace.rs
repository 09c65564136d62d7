//! The trace of a run: one compact record per micro-step, the actions that group
//! them, the findings of the checks, and checkpoints for reaching any step's state.

use super::func::Func;
use super::state::KernelState;
use serde::Serialize;

/// What a micro-step changed, as far as narration and timeline markers need to know.
/// The `u32` beside it in `Step::val` is a pid, LWP index, address, slot or count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[repr(u8)]
pub enum Event {
    None,
    /// fork1 made proc `val` runnable.
    Forked,
    /// _lwp_create made LWP `val` runnable.
    LwpCreated,
    /// exit1 began for proc `val`.
    ExitBegin,
    /// proc `val` became SDEAD (reaper design).
    Dead,
    /// proc `val` became SZOMB.
    Zombie,
    /// proc `val` was freed by its parent's wait4.
    Reaped,
    /// LWP `val` became LSZOMB.
    LwpZombie,
    /// LWP `val` went back to lwp_pool.
    LwpFreed,
    /// u-area `val` pushed on the cache.
    UareaCached,
    /// u-area `val` taken from the cache.
    UareaFromCache,
    /// u-area `val` allocated from kernel_map.
    KmAlloc,
    /// u-area `val` returned to kernel_map.
    KmFree,
    /// GDT slot `val` now holds a TSS.
    TssAlloc,
    /// GDT slot `val` freed.
    TssFree,
    /// The GDT grew to `val` descriptors.
    GdtGrow,
    /// The CPU switched to LWP `val`.
    Switch,
    /// The CPU went to its idle loop.
    ToIdle,
    /// The running LWP went to sleep (`val`: the Sleep kind).
    Sleep,
    /// A wakeup made `val` LWPs runnable.
    Wakeup,
    /// The clock advanced to tick `val`.
    Tick,
    /// Orphan `val` reparented to init.
    Reparent,
    /// SIGCHLD posted to proc `val`.
    Signal,
    /// pmap_deactivate on proc `val`'s pmap.
    PmapDeactivate,
    /// The vmspace of proc `val` freed.
    VmspaceFree,
    /// %cr3 loaded with `val`.
    Cr3,
    /// %tr loaded with selector `val`.
    Tr,
    /// The big lock taken by LWP `val`.
    BigLock,
    /// The big lock released by LWP `val`.
    BigUnlock,
    /// LWP `val` spins: another CPU holds the big lock.
    Spin,
    /// uvm_uarea_drain started with `val` u-areas cached.
    Drain,
    /// exit_lwps interrupted `val` sleeping LWPs.
    Kick,
    /// A user action entered the kernel.
    Action,
    /// The function returned error `val`.
    Error,
    /// The run ended.
    Finished,
    /// The kernel panicked.
    Panic,
}

/// One micro-step: which CPU ran which line of which function for which LWP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The LWP whose stack the CPU was on (`func::NONE`: the idle PCB).
    pub lwp: u32,
    pub val: u32,
    pub func: Func,
    /// Index of the line in the function's body.
    pub line: u8,
    pub cpu: u8,
    pub event: Event,
}

/// The start of a user action (one scenario line), which groups micro-steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionStart {
    /// Index of the first micro-step of the action.
    pub step: u64,
    /// The LWP (engine index) that started it.
    pub lwp: u32,
    pub pid: u32,
    pub lid: u32,
    /// The scenario block and the instruction; `None`: the implicit end of a block.
    pub block: u16,
    pub instr: Option<u32>,
    /// Scenario line (0 for implicit actions and init's own program).
    pub line: u32,
    pub text: String,
}

/// What a check can find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Check {
    /// A CPU runs on a u-area that is not its LWP's (cached, freed or someone else's).
    RunOnFreedUarea,
    /// A u-area is in two places at once (cache and an LWP, twice in the cache, ...).
    UareaTwice,
    /// A u-area allocated in kernel_map that nobody holds.
    UareaLeak,
    /// uvm_km_free of a u-area not allocated.
    UareaDoubleFree,
    /// %cr3 names a page directory that now belongs to another vmspace.
    Cr3Reused,
    /// A pmap was destroyed while still active on a CPU (pm_cpus != 0).
    PmapActiveFreed,
    /// pmap_activate of a freed vmspace.
    ActivateFreed,
    /// `ltr` of a selector that is not a TSS owned by the LWP: #GP.
    LtrInvalid,
    /// %tr names a TSS slot now owned by another LWP (the CPU still uses its cached
    /// descriptor, so a broken invariant, not a fault).
    TrReused,
    /// tss_free of a slot the LWP does not own.
    TssDoubleFree,
    /// A sleep after exit1's "no longer allowed to sleep".
    SleepAfterNoReturn,
    /// A call that may block, where blocking is not allowed.
    BlockingNoSleep,
    /// The big lock held by an LWP that no longer exists.
    BigLockDeadOwner,
    /// lwp_wait1 collected an LWP whose lwp_exit2 is still running on another CPU.
    LwpReapedInExit2,
    /// p_nlwps / p_nrlwps / p_nzlwps disagree with the LWPs.
    CountMismatch,
    /// allproc / zombproc / p_stat disagree.
    ListMismatch,
    /// uvm_nuarea disagrees with the cache list.
    NuareaMismatch,
    /// A zombie that nobody will ever reap.
    ZombieUnreaped,
    /// An LWP went back to lwp_pool still owning a GDT slot: the slot is lost.
    TssLeak,
    /// A parent asleep in wait4 while a child it waits for is already a zombie.
    LostWakeup,
    /// An LWP asleep with nobody to wake it.
    SleepForever,
    /// The model itself reached a state it cannot handle (a bug in exitpath).
    ModelError,
}

impl Check {
    /// Faults are hazards a real kernel would crash or corrupt memory on; the rest are
    /// broken invariants of the kernel's bookkeeping.
    pub fn is_fault(self) -> bool {
        matches!(
            self,
            Check::RunOnFreedUarea
                | Check::UareaTwice
                | Check::UareaDoubleFree
                | Check::Cr3Reused
                | Check::PmapActiveFreed
                | Check::ActivateFreed
                | Check::LtrInvalid
                | Check::TssDoubleFree
                | Check::SleepAfterNoReturn
                | Check::BlockingNoSleep
                | Check::BigLockDeadOwner
                | Check::LwpReapedInExit2
        )
    }
}

/// A fault or broken invariant found at a micro-step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub step: u64,
    pub check: Check,
    pub message: String,
}

/// A complete run.
#[derive(Clone, Debug)]
pub struct Trace {
    pub steps: Vec<Step>,
    pub actions: Vec<ActionStart>,
    pub findings: Vec<Finding>,
    /// Full states every `CHECKPOINT_EVERY` steps: `checkpoints[k]` is the state before
    /// step `k * CHECKPOINT_EVERY`.
    pub checkpoints: Vec<KernelState>,
    /// The state after the last step.
    pub last: KernelState,
    /// The run stopped at the step limit, not because the kernel went quiet.
    pub truncated: bool,
    /// (steps, context switches) from each exit1 to the parent's proc_free of it.
    pub exit_to_reap: Vec<(u64, u64)>,
    /// Who ran and what happened, per step, when the run was asked to keep it.
    pub narration: Option<Vec<(String, String)>>,
}

/// Steps between checkpoints.
pub const CHECKPOINT_EVERY: u64 = 1024;

impl Trace {
    pub fn faults(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.check.is_fault())
    }

    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.check.is_fault())
    }

    /// Index of the action that step `n` belongs to.
    pub fn action_of(&self, n: u64) -> Option<usize> {
        let i = self.actions.partition_point(|a| a.step <= n);
        i.checked_sub(1)
    }

    /// Bytes the trace keeps per micro-step (records, actions and checkpoints).
    pub fn bytes_per_step(&self) -> f64 {
        let n = self.steps.len().max(1) as f64;
        let steps = self.steps.capacity() * std::mem::size_of::<Step>();
        let actions = self.actions.len() * (std::mem::size_of::<ActionStart>() + 16);
        let cps: usize = self.checkpoints.iter().map(super::sim::state_bytes).sum();
        (steps + actions + cps) as f64 / n
    }
}
