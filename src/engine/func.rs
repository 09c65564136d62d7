//! Kernel functions as data: the `Func` names, the call `Frame`, and the `Op` each
//! pseudo-source line executes. One micro-step executes exactly one line.

use super::program::Act;
use super::state::{Chan, LStat, LwpIdx, Pid};
use serde::Serialize;

/// No LWP / no proc in a frame slot.
pub const NONE: u32 = u32::MAX;

/// Every kernel function the engine runs (the kernel's own names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[allow(non_camel_case_types)]
pub enum Func {
    syscall,
    trap,
    sys_fork,
    sys_exit,
    sys_wait4,
    sys__lwp_create,
    sys__lwp_exit,
    sys__lwp_wait,
    sys_sched_yield,
    sys_nanosleep,
    forkpy_turn,
    fork1,
    newlwp,
    uvm_uarea_alloc,
    uvm_lwp_fork,
    cpu_lwp_fork,
    tss_alloc,
    exit1,
    exit_lwps,
    lwp_exit_hook,
    lwp_exit,
    lwp_wait1,
    cpu_exit,
    switch_exit,
    exit2,
    lwp_exit2,
    reaper,
    uvm_pageout,
    uvm_wait,
    uvm_lwp_exit,
    uvm_proc_exit,
    uvm_uarea_free,
    uvm_uarea_drain,
    cpu_wait,
    cpu_lwp_free,
    tss_free,
    find_stopped_child,
    proc_free,
    ltsleep,
    idle,
}

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::syscall => "syscall",
            Func::trap => "trap",
            Func::sys_fork => "sys_fork",
            Func::sys_exit => "sys_exit",
            Func::sys_wait4 => "sys_wait4",
            Func::sys__lwp_create => "sys__lwp_create",
            Func::sys__lwp_exit => "sys__lwp_exit",
            Func::sys__lwp_wait => "sys__lwp_wait",
            Func::sys_sched_yield => "sys_sched_yield",
            Func::sys_nanosleep => "sys_nanosleep",
            Func::forkpy_turn => "forkpy_turn",
            Func::fork1 => "fork1",
            Func::newlwp => "newlwp",
            Func::uvm_uarea_alloc => "uvm_uarea_alloc",
            Func::uvm_lwp_fork => "uvm_lwp_fork",
            Func::cpu_lwp_fork => "cpu_lwp_fork",
            Func::tss_alloc => "tss_alloc",
            Func::exit1 => "exit1",
            Func::exit_lwps => "exit_lwps",
            Func::lwp_exit_hook => "lwp_exit_hook",
            Func::lwp_exit => "lwp_exit",
            Func::lwp_wait1 => "lwp_wait1",
            Func::cpu_exit => "cpu_exit",
            Func::switch_exit => "switch_exit",
            Func::exit2 => "exit2",
            Func::lwp_exit2 => "lwp_exit2",
            Func::reaper => "reaper",
            Func::uvm_pageout => "uvm_pageout",
            Func::uvm_wait => "uvm_wait",
            Func::uvm_lwp_exit => "uvm_lwp_exit",
            Func::uvm_proc_exit => "uvm_proc_exit",
            Func::uvm_uarea_free => "uvm_uarea_free",
            Func::uvm_uarea_drain => "uvm_uarea_drain",
            Func::cpu_wait => "cpu_wait",
            Func::cpu_lwp_free => "cpu_lwp_free",
            Func::tss_free => "tss_free",
            Func::find_stopped_child => "find_stopped_child",
            Func::proc_free => "proc_free",
            Func::ltsleep => "ltsleep",
            Func::idle => "idle",
        }
    }

    pub const ALL: [Func; 40] = [
        Func::syscall,
        Func::trap,
        Func::sys_fork,
        Func::sys_exit,
        Func::sys_wait4,
        Func::sys__lwp_create,
        Func::sys__lwp_exit,
        Func::sys__lwp_wait,
        Func::sys_sched_yield,
        Func::sys_nanosleep,
        Func::forkpy_turn,
        Func::fork1,
        Func::newlwp,
        Func::uvm_uarea_alloc,
        Func::uvm_lwp_fork,
        Func::cpu_lwp_fork,
        Func::tss_alloc,
        Func::exit1,
        Func::exit_lwps,
        Func::lwp_exit_hook,
        Func::lwp_exit,
        Func::lwp_wait1,
        Func::cpu_exit,
        Func::switch_exit,
        Func::exit2,
        Func::lwp_exit2,
        Func::reaper,
        Func::uvm_pageout,
        Func::uvm_wait,
        Func::uvm_lwp_exit,
        Func::uvm_proc_exit,
        Func::uvm_uarea_free,
        Func::uvm_uarea_drain,
        Func::cpu_wait,
        Func::cpu_lwp_free,
        Func::tss_free,
        Func::find_stopped_child,
        Func::proc_free,
        Func::ltsleep,
        Func::idle,
    ];
}

/// One activation record on a kernel stack. A callee starts as a copy of its caller's
/// locals (with `l`/`p` possibly rebound) and copies `l2`, `p2`, `uaddr`, `inmem`,
/// `slot` and `rv` back on return: the model's way of passing out-parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Frame {
    pub func: Func,
    /// Next line to execute (index into the body).
    pub pc: u16,
    /// The function's `l` (for syscalls: curlwp; in the reaper: the dead LWP).
    pub l: LwpIdx,
    /// The function's `p`.
    pub p: Pid,
    /// A second LWP (the child in fork, the zombie in lwp_wait1).
    pub l2: LwpIdx,
    /// A second proc (the child in fork/wait, the orphan being reparented).
    pub p2: Pid,
    /// A u-area address in flight.
    pub uaddr: u32,
    /// uvm_uarea_alloc's result: the u-area came from the cache (still wired).
    pub inmem: bool,
    /// A GDT slot in flight.
    pub slot: u16,
    /// Return value of the last callee (an errno, 0 for success).
    pub rv: i32,
    /// The function's small argument: exit status, wait4 pid, drain's `empty`,
    /// cpu_exit's `proc`, sleep ticks, the fork.py turn, newlwp's `detached`.
    pub arg: u32,
    /// Which sleep this ltsleep frame is (set by the caller).
    pub sleep: Option<Sleep>,
    /// The scenario block a new proc / LWP will run (fork, _lwp_create).
    pub block: u16,
    /// The user action a syscall / trap frame serves.
    #[serde(skip)]
    pub act: Option<Act>,
}

impl Frame {
    pub fn new(func: Func, l: LwpIdx, p: Pid) -> Frame {
        Frame {
            func,
            pc: 0,
            l,
            p,
            l2: NONE,
            p2: NONE,
            uaddr: 0,
            inmem: false,
            slot: 0,
            rv: 0,
            arg: 0,
            sleep: None,
            block: 0,
            act: None,
        }
    }
}

/// lwp_wait1's LWPWAIT_EXITCONTROL flag, carried in the frame's `arg` (exit_lwps).
pub const LWPWAIT_EXITCONTROL: u32 = 1 << 31;

/// The ltsleep call sites: channel, wmesg, interruptible, timeout, interlock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Sleep {
    /// find_stopped_child: tsleep(parent, PWAIT|PCATCH, "wait", 0).
    Wait,
    /// lwp_wait1: tsleep(&p->p_nlwps, PWAIT|PCATCH, "lwpwait", 0).
    LwpWait,
    /// reaper: ltsleep(&deadprocs, PVM|PNORELOCK, "reaper", 0, &deadproc_slock).
    Reaper,
    /// uvm_pageout: ltsleep(&uvm.pagedaemon, PVM, "pgdaemon", 0, ...).
    Pagedaemon,
    /// uvm_wait: ltsleep(&uvmexp.free, PVM, "pgflt", 0, ...).
    Pgflt,
    /// nanosleep: tsleep(&nanowait, PWAIT|PCATCH, "nanosleep", ticks).
    Nanosleep,
    /// The fork.py turn pipe: tsleep(&forkpy_pipe[turn], PWAIT|PCATCH, "turn", 0).
    Turn,
    /// lwp_wait1 for any LWP (lid 0): the same sleep as `LwpWait`, wmesg "lwpwait2".
    LwpWait2,
}

impl Sleep {
    pub fn wmesg(self) -> &'static str {
        match self {
            Sleep::Wait => "wait",
            Sleep::LwpWait => "lwpwait",
            Sleep::Reaper => "reaper",
            Sleep::Pagedaemon => "pgdaemon",
            Sleep::Pgflt => "pgflt",
            Sleep::Nanosleep => "nanosleep",
            Sleep::Turn => "turn",
            Sleep::LwpWait2 => "lwpwait2",
        }
    }

    /// The priority the LWP wakes up with: the `pri` argument of the sleep (PVM = 4,
    /// PWAIT = 32), which puts it ahead of user LWPs (PUSER = 50) on the run queue.
    pub fn priority(self) -> u8 {
        match self {
            Sleep::Reaper | Sleep::Pagedaemon | Sleep::Pgflt => 4,
            Sleep::Wait | Sleep::LwpWait | Sleep::LwpWait2 | Sleep::Nanosleep | Sleep::Turn => 32,
        }
    }

    /// PCATCH: a signal (or exit_lwps) interrupts the sleep.
    pub fn catches(self) -> bool {
        matches!(
            self,
            Sleep::Wait | Sleep::LwpWait | Sleep::LwpWait2 | Sleep::Nanosleep | Sleep::Turn
        )
    }

    /// The channel of the sleep; `arg` is the sleeping frame's argument (the turn a
    /// fork.py process waits for).
    pub fn chan(self, l: LwpIdx, p: Pid, arg: u32) -> Chan {
        match self {
            Sleep::Wait => Chan::Proc(p),
            Sleep::LwpWait | Sleep::LwpWait2 => Chan::Nlwps(p),
            Sleep::Reaper => Chan::Deadprocs,
            Sleep::Pagedaemon => Chan::Pagedaemon,
            Sleep::Pgflt => Chan::UvmexpFree,
            Sleep::Nanosleep => Chan::Nanosleep(l),
            Sleep::Turn => Chan::ForkpyTurn(arg),
        }
    }
}

/// Whose `l`/`p` a callee gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// The caller's own `l` and `p`.
    Same,
    /// `l = l2`, `p = l2`'s proc.
    L2,
    /// `p = p2`.
    P2,
}

/// What one pseudo-source line does. The executor (exec/) gives each its meaning;
/// a `u16` is a line index to jump to. Ops named `...Ret` also return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// A line with no modelled effect (accounting we do not model).
    Nop,
    /// A call that may block, in a function that is otherwise not modelled.
    MaySleep(&'static str),
    Goto(u16),
    Call(Func, Arg),
    /// Call with `arg` set.
    CallArg(Func, Arg, u32),
    /// Call with `arg` set; resume at the given line afterwards (a loop's last call).
    CallArgGoto(Func, u32, u16),
    /// Return 0.
    Ret,
    /// Return `rv` (the last callee's result).
    RetRv,
    /// If the last callee failed, return its error.
    RetIfErr,
    /// If the last callee failed, return its error; else jump.
    RetIfErrOrGoto(u16),
    /// nanosleep's return: a timeout is success.
    RetNanosleep,
    /// `ltsleep` for this call site; resumes at the next line.
    Tsleep(Sleep),
    /// Scheduling, sleeping, locks, the syscall layer and the MD switch (exec/sched.rs).
    Sched(SchedOp),
    /// The proc/LWP life cycle: fork, exit, wait, the reaper (exec/proc.rs).
    Proc(ProcOp),
    /// UVM, the u-area cache, pmaps and the i386 TSS (exec/vm.rs).
    Vm(VmOp),
}

/// Ops executed by `Sim::exec_sched`: every variant has an arm there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedOp {
    BigLock,
    BigUnlock,
    DispatchSyscall,
    Userret,
    SleepCheck,
    SleepEnqueue,
    MiSwitch,
    SleepReturn,
    Preempt,
    Idle,
    IdleSwitch,
    SimpleLock,
    SimpleUnlock,
    SimpleUnlockRet,
    SimpleLockGoto(u16),
    ProclistLock,
    ProclistUnlock,
    TurnWait(u16),
    TurnTake,
    SwtchInc,
    ClearCurlwp,
    Cli,
    LoadIdleStack,
    LoadIdleCr3,
    LoadIdleTr,
    IdlePcbSti,
    CallExitFn,
    SwitchExitDone,
}

/// Ops executed by `Sim::exec_proc`: every variant has an arm there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcOp {
    ProcAlloc,
    ProcLinkChild,
    LwpAlloc,
    LwpLinkProc,
    LwpLinkAll,
    ProcMakeVisible,
    ProcRun,
    ForkRetval,
    LwpCreateRun,
    /// sys_exit: a process already exiting turns exit(2) into lwp_exit.
    SysExitWexit,
    /// exit1: the initproc panic, then P_WEXIT.
    SetWexit,
    IfMultiLwp(u16),
    WakeInitIfChildren,
    ReparentLoop,
    ReparentNext(u16),
    NotifyZombieOrphan(u16),
    NoLongerSleep,
    SetXstat,
    SetLStat(LStat),
    ProcToZombproc,
    LwpOffAlllwpFlags(u32),
    LwpOffAlllwpLocked,
    ZombifyPatch,
    DeadReaper,
    NotifyParent,
    DeadprocsPush,
    DeadlwpPush,
    ZomblwpPush,
    WakeReaper,
    IfDetached(u16),
    UnlinkSibling,
    ProcexitUnlockOrDecNlwps,
    PoolPutLRet,
    PoolPutL2Ret,
    NzlwpsIncWake,
    LastLwpExit1,
    LwpExitDecNrlwps,
    ExitLwpsKick,
    /// exit_lwps: `while (p->p_nlwps > 1) {`; else continue at the line given.
    ExitLwpsLoop(u16),
    /// exit_lwps: panic if lwp_wait1 failed; else back to the loop's line.
    ExitLwpsPanicIfErr(u16),
    ClearUserret,
    LwpWaitScan(u16),
    LwpWaitReap,
    LwpZlistRemove,
    ReaperCheck,
    ReaperIdle(u16),
    ReaperTakeLwp(u16),
    ReaperLwpDone,
    ReaperUnlock(u16),
    ReaperTakeProc,
    ReaperZombify,
    ReaperSignal,
    ReaperUnlockWakeParent(u16),
    ZombifyCommitted,
    DetachLastLwp,
    KernelLockIdle,
    KernelUnlockIdleRet,
    IfDetachedPoolPut(u16),
    ZombLwpCommitted,
    LwpOffAlllwpOnly,
    DetachedUnlinkDec,
    /// committed lwp_exit: a detached LWP is uncounted, and stays on p_lwps until
    /// lwp_exit2 unlinks it.
    DetachedDecNlwps,
    /// committed exit1: the last LWP detached and uncounted, still on p_lwps.
    DetachLastLwpKeepSibling,
    /// committed lwp_exit2: pool_put, KERNEL_UNLOCK, return.
    PoolPutUnlockRet,
    /// fixed proc_free: KASSERT(LIST_EMPTY(&p->p_lwps)).
    AssertNoLwps,
    ScanChildren(u16),
    CopyOutStatus,
    ProcFreeStat,
    ProcFreeUnlink,
    ProcFreeMem,
}

/// Ops executed by `Sim::exec_vm`: every variant has an arm there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmOp {
    UareaCacheTake,
    KmValloc,
    UvmspaceFork,
    WireUarea,
    PcbCopy,
    SetEsp0,
    GdtLock,
    GdtGetSlot,
    SetGdtTss,
    PmapDeactivate,
    UvmspaceFree,
    UareaFreeCall,
    CachePush,
    IfCacheRoom(u16),
    KmFree,
    DrainFree,
    ClearInmem,
    DrainCheck,
    DrainPop(u16),
    PagedaemonWake,
    WakeFree,
    TssFreeCall,
    GdtPutSlot,
    PoisonTssRet,
    BorrowProc0Vm,
    PmapActivate,
    UvmspaceFreeOld,
    PoisonFeedbeedRet,
}

impl Op {
    /// The line this op may jump to, if it jumps.
    pub fn target(self) -> Option<u16> {
        match self {
            Op::Goto(t)
            | Op::CallArgGoto(_, _, t)
            | Op::RetIfErrOrGoto(t)
            | Op::Sched(SchedOp::SimpleLockGoto(t))
            | Op::Sched(SchedOp::TurnWait(t))
            | Op::Proc(ProcOp::IfMultiLwp(t))
            | Op::Proc(ProcOp::ReparentNext(t))
            | Op::Proc(ProcOp::NotifyZombieOrphan(t))
            | Op::Proc(ProcOp::IfDetached(t))
            | Op::Proc(ProcOp::LwpWaitScan(t))
            | Op::Proc(ProcOp::ExitLwpsLoop(t))
            | Op::Proc(ProcOp::ExitLwpsPanicIfErr(t))
            | Op::Proc(ProcOp::ReaperIdle(t))
            | Op::Proc(ProcOp::ReaperTakeLwp(t))
            | Op::Proc(ProcOp::ReaperUnlock(t))
            | Op::Proc(ProcOp::ReaperUnlockWakeParent(t))
            | Op::Vm(VmOp::IfCacheRoom(t))
            | Op::Vm(VmOp::DrainPop(t))
            | Op::Proc(ProcOp::ScanChildren(t))
            | Op::Proc(ProcOp::IfDetachedPoolPut(t)) => Some(t),
            _ => None,
        }
    }
}

/// Which version of a line this is, relative to the other design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Mark {
    /// Same in both designs.
    Same,
    /// Added or changed by the patch (only in `patch` bodies).
    New,
    /// Removed by the patch (only in `reaper` bodies).
    Gone,
}

/// One pseudo-source line: what the UI shows and what the engine runs.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    pub text: &'static str,
    pub op: Op,
    pub mark: Mark,
}

/// A function's pseudo-source for one design.
#[derive(Clone, Copy, Debug)]
pub struct Body {
    /// The signature line, e.g. `void exit1(struct lwp *l, int rv)`.
    pub signature: &'static str,
    /// The file the function lives in (for the source panel's heading).
    pub file: &'static str,
    pub lines: &'static [Line],
}
