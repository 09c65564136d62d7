//! The kernel's state: processes, LWPs, the global lists, sleep and run queues, the
//! u-area cache, kernel_map, vmspaces and the CPUs. One plain, clonable value.

use super::func::Frame;
use crate::arch_i386::{Cpu, Gdt};
use serde::Serialize;
use std::collections::VecDeque;

pub type Pid = u32;

/// An LWP's index in `KernelState::lwps` (the engine's handle, like a `struct lwp *`).
pub type LwpIdx = u32;

/// `p_stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Hash)]
pub enum PStat {
    SIDL,
    SACTIVE,
    SSTOP,
    SZOMB,
    SDEAD,
}

/// `l_stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Hash)]
pub enum LStat {
    LSIDL,
    LSRUN,
    LSSLEEP,
    LSSTOP,
    LSZOMB,
    LSDEAD,
    LSONPROC,
    LSSUSPENDED,
}

/// `p_flag` bits (values of proc.h 1.154).
pub mod pflag {
    pub const P_SYSTEM: u32 = 0x0000_0200;
    pub const P_WEXIT: u32 = 0x0000_2000;
    pub const P_FSTRACE: u32 = 0x0001_0000;
    pub const NAMES: [(u32, &str); 3] = [
        (P_SYSTEM, "P_SYSTEM"),
        (P_WEXIT, "P_WEXIT"),
        (P_FSTRACE, "P_FSTRACE"),
    ];
}

/// `l_flag` bits. L_PROCEXIT's value is the patch's; the rest are lwp.h of late 2003.
pub mod lflag {
    pub const L_INMEM: u32 = 0x0000_0004;
    pub const L_SINTR: u32 = 0x0000_0080;
    pub const L_PROCEXIT: u32 = 0x0000_0800;
    pub const L_DETACHED: u32 = 0x0080_0000;
    pub const L_BIGLOCK: u32 = 0x0008_0000;
    pub const NAMES: [(u32, &str); 5] = [
        (L_INMEM, "L_INMEM"),
        (L_SINTR, "L_SINTR"),
        (L_PROCEXIT, "L_PROCEXIT"),
        (L_DETACHED, "L_DETACHED"),
        (L_BIGLOCK, "L_BIGLOCK"),
    ];
}

/// Names of the bits set in `flags`, joined with `|`, or `0`.
pub fn flag_names(flags: u32, names: &[(u32, &str)]) -> String {
    let v: Vec<&str> = names
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if v.is_empty() {
        "0".to_string()
    } else {
        v.join("|")
    }
}

/// A wait channel: the address an LWP sleeps on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Chan {
    /// A proc: wait4 sleeps on the parent ("wait").
    Proc(Pid),
    /// `&p->p_nlwps`: lwp_wait1 ("lwpwait").
    Nlwps(Pid),
    /// `&deadprocs`: the reaper ("reaper").
    Deadprocs,
    /// `&uvm.pagedaemon`: the pagedaemon ("pgdaemon").
    Pagedaemon,
    /// `&uvmexp.free`: uvm_wait ("pgflt").
    UvmexpFree,
    /// nanosleep's private channel, with a timeout ("nanosleep").
    Nanosleep(LwpIdx),
    /// `&forkpy_pipe[k]`: the fork.py process whose entry is number k waits here
    /// for its turn (a modelled pipe per entry between the processes).
    ForkpyTurn(u32),
    /// `&proc0`: the swapper, idle in uvm_scheduler ("scheduler").
    Proc0,
}

impl Chan {
    /// The kernel's expression for the channel.
    pub fn name(self) -> String {
        match self {
            Chan::Proc(pid) => format!("proc {pid}"),
            Chan::Nlwps(pid) => format!("&proc({pid})->p_nlwps"),
            Chan::Deadprocs => "&deadprocs".into(),
            Chan::Pagedaemon => "&uvm.pagedaemon".into(),
            Chan::UvmexpFree => "&uvmexp.free".into(),
            Chan::Nanosleep(_) => "&nanowait".into(),
            Chan::ForkpyTurn(k) => format!("&forkpy_pipe[{k}]"),
            Chan::Proc0 => "&proc0".into(),
        }
    }
}

/// What a kernel thread is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Hash)]
pub enum KThread {
    Pagedaemon,
    Reaper,
}

/// Per-LWP user-mode program counter over its block's flattened program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default, Hash)]
pub struct UserCtx {
    /// Index of the scenario block this LWP runs.
    pub block: u16,
    /// Next instruction.
    pub pc: u32,
    /// Active `repeat` loops: (instruction index of the loop start, iterations left).
    pub loops: Vec<(u32, u32)>,
    /// The instruction being executed (its syscall is in progress).
    pub current: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lwp {
    /// l_proc (kept after L_PROCEXIT; the engine still needs to know).
    pub pid: Pid,
    pub lid: u32,
    pub stat: LStat,
    pub flags: u32,
    /// l_addr: the u-area's kernel virtual address.
    pub uarea: u32,
    /// Whether this LWP still owns its u-area (not yet given to uvm_uarea_free).
    pub owns_uarea: bool,
    /// l_md.md_tss_sel.
    pub tss_sel: u32,
    pub wchan: Option<Chan>,
    pub wmesg: &'static str,
    /// Tick at which a timed sleep ends.
    pub timeout: Option<u64>,
    /// What ltsleep will return: 0, EINTR (exit_lwps) or EWOULDBLOCK (timeout).
    pub wake_err: i32,
    /// The kernel call stack: empty means the LWP is in user mode.
    pub kstack: Vec<Frame>,
    pub user: UserCtx,
    /// Set once the LWP is past exit1's "no longer allowed to sleep" point.
    pub no_sleep: bool,
    /// Held the big lock when it went to sleep (re-taken when it runs again).
    pub biglock_saved: bool,
    /// Not a user LWP: a kernel thread.
    pub kthread: Option<KThread>,
    /// Freed (pool_put): the slot stays for handle stability.
    pub freed: bool,
    /// Stacked on a sleep queue at this sequence number (wakeup order).
    pub sleep_seq: u64,
    /// l_priority while on the run queue (lower runs first).
    pub prio: u8,
}

impl Lwp {
    /// In `committed` (2004-01-04), a detached LWP past `lwp_exit` or exit1 stays on
    /// `p_lwps`, uncounted, until its `lwp_exit2` unlinks it (docs/model.md §1).
    pub fn awaits_unlink(&self, design: super::design::Design) -> bool {
        design == super::design::Design::Committed
            && self.flags & lflag::L_DETACHED != 0
            && self.stat == LStat::LSDEAD
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proc {
    pub pid: Pid,
    /// The block whose program the process runs (its name).
    pub block: u16,
    /// p_pptr.
    pub pptr: Pid,
    /// p_children, head first (LIST_INSERT_HEAD order).
    pub children: Vec<Pid>,
    pub stat: PStat,
    pub flags: u32,
    pub exitsig: u8,
    pub xstat: u8,
    pub nlwps: u32,
    pub nrlwps: u32,
    pub nzlwps: u32,
    pub nlwpid: u32,
    /// p_lwps, head first.
    pub lwps: Vec<LwpIdx>,
    /// p_vmspace (an index into `vmspaces`).
    pub vmspace: Option<u32>,
    /// p_userret is lwp_exit_hook (set by exit_lwps).
    pub userret_exit: bool,
    /// SIGCHLDs posted to this process by exit_psignal.
    pub sigchld: u32,
    /// Micro-step and context switch count when exit1 began (for metrics).
    pub exit_at: Option<(u64, u64)>,
}

/// A vmspace and its pmap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Hash)]
pub struct Vmspace {
    /// Physical address of the pmap's page directory (pm_pdirpa).
    pub pdirpa: u32,
    /// pm_cpus: CPUs this pmap is active on.
    pub pm_cpus: u32,
    /// Freed by uvmspace_free.
    pub freed: bool,
}

/// State of a page-directory page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Hash)]
pub enum PdirState {
    /// In use by this vmspace.
    Live(u32),
    /// Given back to pmap_pdp_cache by pmap_destroy (kernel half still valid).
    Cached,
}

/// The kernel's big lock (kernel_lock taken by KERNEL_PROC_LOCK).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default, Hash)]
pub struct BigLock {
    pub holder: Option<LwpIdx>,
    pub cpu: Option<u8>,
}

/// What each CPU is running.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Hash)]
pub struct CpuCtx {
    pub regs: Cpu,
    /// curlwp; `None` while on the idle PCB (and from switch_exit's first line).
    pub curlwp: Option<LwpIdx>,
    /// The LWP whose kernel stack the CPU executes on; `None`: the idle PCB's.
    pub on_stack: Option<LwpIdx>,
    /// Depth of an explicit critical section (the reaper's work under the big lock).
    pub critical: u8,
    /// The LWP whose TSS was loaded by the last `ltr`.
    pub tr_owner: Option<LwpIdx>,
    /// The vmspace whose page directory was loaded into %cr3.
    pub cr3_vm: Option<u32>,
    /// Frames executed on the idle PCB (switch_exit's tail, lwp_exit2, the idle loop).
    pub idle_frames: Vec<Frame>,
    /// Simple (spin) locks held by code running on this CPU.
    pub spin_locks: u8,
    /// proclist_lock is held for writing.
    pub proclist_locked: bool,
}

/// How many recent exit-to-reap spans a state keeps (checkpoints stay small).
pub const EXIT_TO_REAP_KEPT: usize = 64;

/// Counters reported as metrics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Counters {
    /// uvmexp.swtch.
    pub swtch: u64,
    pub reaper_wakeups: u64,
    pub km_alloc: u64,
    pub km_free: u64,
    pub uarea_cache_hits: u64,
    pub uarea_cache_peak: u32,
    pub forks: u64,
    pub drains: u64,
    pub exits: u64,
    pub reaps: u64,
    /// (steps, context switches) from exit1 to the parent's wait4 reaping it, for the
    /// most recent `EXIT_TO_REAP_KEPT` reaps (the full list is in the trace).
    pub exit_to_reap: Vec<(u64, u64)>,
    /// Sums of the same over every reap so far.
    pub exit_to_reap_sum: (u64, u64),
    pub kernel_map_peak: u32,
}

/// Everything the kernel model holds at one instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KernelState {
    pub procs: Vec<Proc>,
    pub lwps: Vec<Lwp>,
    /// allproc, head first.
    pub allproc: Vec<Pid>,
    /// zombproc, head first.
    pub zombproc: Vec<Pid>,
    /// alllwp, head first.
    pub alllwp: Vec<LwpIdx>,
    /// deadprocs (reaper design), head first.
    pub deadprocs: Vec<Pid>,
    /// deadlwp (reaper design), head first.
    pub deadlwp: Vec<LwpIdx>,
    /// zomblwp (reaper design), head first.
    pub zomblwp: Vec<LwpIdx>,
    /// The run queue, in the order cpu_switch takes LWPs.
    pub runq: VecDeque<LwpIdx>,
    /// uvm_uareas: the u-area cache list, head first.
    pub uarea_cache: Vec<u32>,
    /// UVM_NUAREA_MAX.
    pub uvm_nuarea_max: u32,
    /// uvm_nuarea: the kernel's count (checked against the list).
    pub uvm_nuarea: u32,
    /// kernel_map: USPACE allocations made by uvm_km_valloc, sorted.
    pub kernel_map: Vec<u32>,
    pub vmspaces: Vec<Vmspace>,
    /// Page directories by physical address order of creation.
    pub pdirs: Vec<(u32, PdirState)>,
    /// pmap_pdp_cache: free page directories, head last.
    pub pdp_cache: Vec<u32>,
    pub gdt: Gdt,
    pub cpus: Vec<CpuCtx>,
    pub biglock: BigLock,
    /// The clock, in hardclock ticks.
    pub ticks: u64,
    /// Next pid to try.
    pub next_pid: Pid,
    /// The fork.py list entry whose turn it is.
    pub forkpy_turn: u32,
    /// Sleep sequence (orders sleep queues).
    pub sleep_seq: u64,
    /// Number of user actions started so far.
    pub actions: u32,
    pub counters: Counters,
    /// The run has ended: every CPU idle, nothing runnable, no timed sleeper.
    pub finished: bool,
    /// The modelled kernel panicked (the run ends there).
    pub panic: Option<String>,
    /// u-areas between owners: taken from the cache or kernel_map by a frame that has
    /// not yet given them to an LWP, or popped by uvm_uarea_drain before uvm_km_free.
    pub inflight: Vec<u32>,
    /// lwp_pool's free LWP slots, most recently freed last (reused first).
    pub lwp_free: Vec<LwpIdx>,
    /// Free vmspace slots, most recently freed last.
    pub vm_free: Vec<u32>,
    /// The CPU that takes the next micro-step (round robin).
    pub next_cpu: usize,
    /// Choice points so far: micro-steps where both CPUs could run, each decided by
    /// the schedule (`schedule.rs`) or, past its end, by round robin.
    pub choices: u64,
}

impl KernelState {
    pub fn proc(&self, pid: Pid) -> Option<&Proc> {
        self.proc_index(pid).and_then(|i| self.procs.get(i))
    }

    pub fn proc_mut(&mut self, pid: Pid) -> Option<&mut Proc> {
        self.proc_index(pid).and_then(|i| self.procs.get_mut(i))
    }

    /// Where `pid` is in `procs`. `procs` is in allocation order, which is pid order
    /// until pids wrap at PID_MAX: a binary search finds it in most cases (a hit is
    /// always right, pids being unique), a linear scan otherwise.
    fn proc_index(&self, pid: Pid) -> Option<usize> {
        if let Ok(i) = self.procs.binary_search_by_key(&pid, |p| p.pid) {
            return Some(i);
        }
        self.procs.iter().position(|p| p.pid == pid)
    }

    pub fn lwp(&self, l: LwpIdx) -> Option<&Lwp> {
        self.lwps.get(l as usize).filter(|l| !l.freed)
    }

    pub fn lwp_mut(&mut self, l: LwpIdx) -> Option<&mut Lwp> {
        self.lwps.get_mut(l as usize).filter(|l| !l.freed)
    }

    /// "pid.lid" of an LWP, as the UI and narration show it.
    pub fn lwp_name(&self, l: LwpIdx) -> String {
        if l >= super::sim::IDLE_OWNER_BASE && l != u32::MAX {
            return format!("idle{}", l - super::sim::IDLE_OWNER_BASE);
        }
        match self.lwps.get(l as usize) {
            Some(lwp) => format!("{}.{}", lwp.pid, lwp.lid),
            None => format!("lwp#{l}"),
        }
    }

    /// Sleepers on `chan`, in the order wakeup takes them.
    pub fn sleepers(&self, chan: Chan) -> Vec<LwpIdx> {
        let mut v: Vec<(u64, LwpIdx)> = self
            .lwps
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.freed && l.stat == LStat::LSSLEEP && l.wchan == Some(chan))
            .map(|(i, l)| (l.sleep_seq, i as LwpIdx))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, i)| i).collect()
    }

    /// All sleep queues with at least one sleeper, sorted by channel.
    pub fn sleep_queues(&self) -> Vec<(Chan, Vec<LwpIdx>)> {
        let mut chans: Vec<Chan> = self
            .lwps
            .iter()
            .filter(|l| !l.freed && l.stat == LStat::LSSLEEP)
            .filter_map(|l| l.wchan)
            .collect();
        chans.sort_unstable();
        chans.dedup();
        chans.into_iter().map(|c| (c, self.sleepers(c))).collect()
    }

    /// The vmspace whose page directory is at `pa`, if live.
    pub fn pdir_owner(&self, pa: u32) -> Option<PdirState> {
        self.pdir_index(pa).map(|i| self.pdirs[i].1)
    }

    /// Where the page directory at `pa` is in `pdirs`. A fresh page goes at
    /// `PDIR_BASE + 0x1000 * pdirs.len()` (`sim::new_vmspace`), so `pa` says where to look
    /// (the check after every micro-step reads %cr3's); any other address is searched.
    pub fn pdir_index(&self, pa: u32) -> Option<usize> {
        let guess = pa
            .checked_sub(super::sim::PDIR_BASE)
            .filter(|d| d % 0x1000 == 0)
            .map(|d| (d / 0x1000) as usize);
        if let Some(i) = guess.filter(|&i| self.pdirs.get(i).is_some_and(|(a, _)| *a == pa)) {
            return Some(i);
        }
        self.pdirs.iter().position(|(a, _)| *a == pa)
    }
}
