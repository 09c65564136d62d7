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
    /// A wakeup made `val` LWPs runnable (0, or more than one).
    Wakeup,
    /// The clock advanced to tick `val`.
    Tick,
    /// Orphan `val` reparented to init.
    Reparent,
    /// SIGCHLD posted to proc `val`.
    Signal,
    /// pmap_deactivate on proc `val`'s pmap (0: the kernel pmap, proc0's vmspace).
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
    /// uvm_uarea_drain(FALSE) started with `val` u-areas cached, more than
    /// UVM_NUAREA_MAX.
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
    /// uvm_uarea_drain(TRUE) started with `val` u-areas cached: it keeps none.
    DrainAll,
    /// lwp_wait1's scan found `val` LWPs it may wait for, none of them a zombie.
    LwpScan,
    /// A wakeup made exactly one LWP, `val`, runnable.
    WakeupOne,
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

/// What a check can find. Each check's name, kind and explanation live in one
/// exhaustive table, [`Check::info`]: a new check does not compile without its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Check {
    RunOnFreedUarea,
    UareaTwice,
    UareaLeak,
    UareaDoubleFree,
    Cr3Reused,
    PmapActiveFreed,
    VmspaceDoubleFree,
    ActivateFreed,
    LtrInvalid,
    TrReused,
    TssDoubleFree,
    SleepAfterNoReturn,
    BlockingNoSleep,
    BigLockDeadOwner,
    LwpReapedInExit2,
    ProcFreedInUse,
    KernelPanic,
    CountMismatch,
    ListMismatch,
    NuareaMismatch,
    ZombieUnreaped,
    TssLeak,
    LostWakeup,
    SleepForever,
    ModelError,
}

/// A fault is a hazard a real kernel would crash on or corrupt memory with; a broken
/// invariant is the kernel's own bookkeeping gone wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CheckKind {
    Fault,
    BrokenInvariant,
}

/// A check's words: its name (as in traces and links), its kind, and one paragraph for
/// a student.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CheckInfo {
    pub name: &'static str,
    pub kind: CheckKind,
    pub explain: &'static str,
}

impl Check {
    pub const ALL: [Check; 25] = [
        Check::RunOnFreedUarea,
        Check::UareaTwice,
        Check::UareaLeak,
        Check::UareaDoubleFree,
        Check::Cr3Reused,
        Check::PmapActiveFreed,
        Check::VmspaceDoubleFree,
        Check::ActivateFreed,
        Check::LtrInvalid,
        Check::TrReused,
        Check::TssDoubleFree,
        Check::SleepAfterNoReturn,
        Check::BlockingNoSleep,
        Check::BigLockDeadOwner,
        Check::LwpReapedInExit2,
        Check::ProcFreedInUse,
        Check::KernelPanic,
        Check::CountMismatch,
        Check::ListMismatch,
        Check::NuareaMismatch,
        Check::ZombieUnreaped,
        Check::TssLeak,
        Check::LostWakeup,
        Check::SleepForever,
        Check::ModelError,
    ];

    /// The one table of what each check is called, is, and means (docs/model.md §6).
    #[rustfmt::skip]
    pub fn info(self) -> CheckInfo {
        use CheckKind::{BrokenInvariant as I, Fault as F};
        let (name, kind, explain) = match self {
            Check::RunOnFreedUarea => ("RunOnFreedUarea", F, "A CPU runs on a kernel stack (u-area) that its LWP no longer owns: the cache, or the next fork, may hand it out while it is in use."),
            Check::UareaTwice => ("UareaTwice", F, "A u-area is in two places at once (the cache and an LWP, or twice in the cache): one kernel stack, two users."),
            Check::UareaLeak => ("UareaLeak", I, "A u-area allocated in kernel_map that nobody holds: kernel memory lost for good."),
            Check::UareaDoubleFree => ("UareaDoubleFree", F, "uvm_km_free of a u-area that is not allocated, or that is still in use."),
            Check::Cr3Reused => ("Cr3Reused", F, "%cr3 still names a page directory that now belongs to another vmspace: the CPU runs in someone else's address space."),
            Check::PmapActiveFreed => ("PmapActiveFreed", I, "A pmap was destroyed while a CPU's bit was still set in its pm_cpus: pmap_deactivate did not run on that CPU. pm_cpus only tells TLB-shootdown code which CPUs to interrupt, so this is wrong bookkeeping (at worst needless shootdown IPIs), not a crash."),
            Check::VmspaceDoubleFree => ("VmspaceDoubleFree", F, "uvmspace_free of a vmspace that was already freed."),
            Check::ActivateFreed => ("ActivateFreed", F, "pmap_activate of a vmspace that was already freed."),
            Check::LtrInvalid => ("LtrInvalid", F, "ltr of a selector that is not this LWP's TSS: the CPU raises a general protection fault (#GP)."),
            Check::TrReused => ("TrReused", I, "%tr still names a GDT slot that tss_alloc has given to another LWP. The CPU keeps using the TSS it cached at its last ltr until switch_exit loads the idle TSS, so no trap goes wrong, but the GDT no longer describes what the CPU runs on."),
            Check::TssDoubleFree => ("TssDoubleFree", F, "tss_free of a GDT slot the LWP does not own."),
            Check::SleepAfterNoReturn => ("SleepAfterNoReturn", F, "A sleep after exit1's point of no return (\"NO LONGER ALLOWED TO SLEEP\")."),
            Check::BlockingNoSleep => ("BlockingNoSleep", F, "A call that may sleep (uvm_km_free, uvm_uarea_drain, a lockmgr lock, ...) where sleeping is not allowed: on the idle PCB, or with a spin lock held."),
            Check::BigLockDeadOwner => ("BigLockDeadOwner", F, "The big lock is held by an LWP that no longer exists: nobody will ever release it."),
            Check::LwpReapedInExit2 => ("LwpReapedInExit2", F, "lwp_wait1 collected an LWP while lwp_exit2 for it still ran on another CPU: p_nzlwps is decremented before it was incremented, and the LWP goes back to lwp_pool while that CPU still uses it."),
            Check::ProcFreedInUse => ("ProcFreedInUse", F, "The parent's wait4 freed a struct proc (proc_free) while lwp_exit2 for its last LWP still runs on another CPU and will touch p->p_lwps: a use after free."),
            Check::KernelPanic => ("KernelPanic", F, "The kernel calls panic() on purpose: a condition its code says can never happen did happen."),
            Check::CountMismatch => ("CountMismatch", I, "p_nlwps / p_nrlwps / p_nzlwps disagree with the process's LWPs."),
            Check::ListMismatch => ("ListMismatch", I, "allproc / zombproc disagree with p_stat."),
            Check::NuareaMismatch => ("NuareaMismatch", I, "uvm_nuarea disagrees with the length of the u-area cache list."),
            Check::ZombieUnreaped => ("ZombieUnreaped", I, "A zombie nobody will ever reap: no wait4 will come for it."),
            Check::TssLeak => ("TssLeak", I, "An LWP was freed still owning a GDT slot: the slot is lost."),
            Check::LostWakeup => ("LostWakeup", I, "A parent sleeps in wait4 although a child it waits for is already a zombie: a wakeup was lost."),
            Check::SleepForever => ("SleepForever", I, "An LWP asleep with nobody left to wake it."),
            Check::ModelError => ("ModelError", I, "The model reached a state it cannot handle: a bug in exitpath itself."),
        };
        CheckInfo { name, kind, explain }
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn explain(self) -> &'static str {
        self.info().explain
    }

    /// Faults are hazards a real kernel would crash or corrupt memory on; the rest are
    /// broken invariants of the kernel's bookkeeping.
    pub fn is_fault(self) -> bool {
        self.info().kind == CheckKind::Fault
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
