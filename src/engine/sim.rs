//! The simulator: configuration, boot, the micro-step loop, and replay from
//! checkpoints. Everything here is deterministic: same scenario, same trace.

use super::design::{Design, Switch};
use super::func::{Frame, Func, Op, Sleep, NONE};
use super::program::{Program, INIT_BLOCK};
use super::scenario::Scenario;
use super::schedule::Schedule;
use super::state::*;
use super::trace::{ActionStart, Check, Event, Finding, Step, Trace, CHECKPOINT_EVERY};
use crate::arch_i386::{gdt, gsel, Cpu, Gdt, USPACE};
use std::collections::VecDeque;

/// Where the modelled kernel_map hands out u-areas (a modelled KVA, not a real one).
pub const KVA_UAREA_BASE: u32 = 0xca00_0000;
/// proc0's u-area, allocated statically at boot (proc0paddr), not from kernel_map.
pub const PROC0_UAREA: u32 = 0xc04f_e000;
/// The kernel's own page directory (proc0's pmap).
pub const KERNEL_PDIR: u32 = 0x0040_0000;
/// Physical pages for new page directories start here.
pub const PDIR_BASE: u32 = 0x0080_0000;
/// First pid handed to a user process after init (pids below belong to kernel
/// threads, modelled or not: see docs/model.md).
pub const FIRST_USER_PID: Pid = 10;
/// PID_MAX of kern_proc.c.
pub const PID_MAX: Pid = 30000;
/// Default bound on micro-steps per run.
pub const STEP_LIMIT_DEFAULT: u64 = 2_000_000;
/// Most procs and LWPs a run may create at once (bounds memory).
pub const LWPS_MAX: usize = 4096;
/// Owner number of CPU n's idle TSS in the GDT (not an LWP).
pub const IDLE_OWNER_BASE: u32 = 0xffff_ff00;

pub const ECHILD: i32 = 10;
pub const ESRCH: i32 = 3;
pub const EINTR: i32 = 4;
pub const EDEADLK: i32 = 11;
pub const EWOULDBLOCK: i32 = 35;
pub const SIGCHLD: u8 = 20;

/// How a run is set up: what the scenario says, possibly overridden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub design: Design,
    pub uvm_nuarea_max: u32,
    pub cpus: u8,
    pub switches: Vec<Switch>,
    pub step_limit: u64,
    /// Which CPU runs at each choice point; round robin past its end.
    pub schedule: Schedule,
}

impl Config {
    pub fn from_scenario(sc: &Scenario, design: Option<Design>) -> Config {
        Config {
            design: design.or(sc.design).unwrap_or(Design::Patch),
            uvm_nuarea_max: sc.uvm_nuarea_max,
            cpus: sc.cpus.clamp(1, 2),
            switches: sc.switches.clone(),
            step_limit: STEP_LIMIT_DEFAULT,
            schedule: sc.schedule.clone(),
        }
    }

    pub fn has(&self, s: Switch) -> bool {
        self.switches.contains(&s)
    }
}

/// A running simulation.
#[derive(Clone, Debug)]
pub struct Sim {
    pub cfg: Config,
    pub prog: Program,
    pub st: KernelState,
    /// Micro-steps executed so far.
    pub step_no: u64,
    /// Conditions currently true (state checks report on the rising edge only).
    pub(crate) active: Vec<(Check, u32)>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) actions: Vec<ActionStart>,
    /// The current step's event.
    pub(crate) ev: (Event, u32),
    /// What the current step touched, for the checks: bit 0 u-areas, bit 1 procs.
    pub(crate) dirty: u8,
    /// (steps, switches) from exit1 to proc_free, for every reaped process.
    pub(crate) exit_to_reap: Vec<(u64, u64)>,
    /// Run the checks after each step (off while replaying: the trace has the
    /// findings already, and the checks are most of a replay's cost).
    pub(crate) checks: bool,
    /// Keep `actions` (off in the explorer, which has no trace to group).
    pub(crate) record: bool,
    /// The explorer's choice for the next choice point (instead of the schedule).
    pub(crate) force: Option<u8>,
    /// The last step entered the kernel for a user action (see `step_was_noop`).
    pub(crate) entered: bool,
    /// The last step ran a line that only moves its own frame's pc (`Nop`, `Goto`):
    /// nothing else, no check and no other CPU can tell it ran (the explorer's
    /// reduction, explore.rs).
    pub(crate) local: bool,
    /// Buffers the state checks reuse (never part of the state; a clone starts empty).
    pub(crate) scratch: super::check::Scratch,
}

pub(crate) const DIRTY_UAREA: u8 = 1;
pub(crate) const DIRTY_PROCS: u8 = 2;

/// A rough count of the bytes a state occupies (for the memory figures).
pub fn state_bytes(st: &KernelState) -> usize {
    use std::mem::size_of;
    size_of::<KernelState>()
        + st.procs
            .iter()
            .map(|p| size_of::<Proc>() + 4 * (p.children.len() + p.lwps.len()))
            .sum::<usize>()
        + st.lwps
            .iter()
            .map(|l| {
                size_of::<Lwp>() + l.kstack.len() * size_of::<Frame>() + l.user.loops.len() * 8
            })
            .sum::<usize>()
        + 4 * (st.allproc.len()
            + st.zombproc.len()
            + st.alllwp.len()
            + st.uarea_cache.len()
            + st.kernel_map.len())
        + st.vmspaces.len() * size_of::<Vmspace>()
        + st.pdirs.len() * 8
        + st.gdt.slots.len() * 8
}

impl Sim {
    /// Boot: proc0, init, the pagedaemon and (design `reaper`) the reaper exist; init
    /// runs on CPU 0 in user mode, about to fork the first `proc` block.
    pub fn new(sc: &Scenario, design: Option<Design>) -> Sim {
        let cfg = Config::from_scenario(sc, design);
        let prog = Program::compile(sc);
        let mut st = KernelState {
            procs: Vec::new(),
            lwps: Vec::new(),
            allproc: Vec::new(),
            zombproc: Vec::new(),
            alllwp: Vec::new(),
            deadprocs: Vec::new(),
            deadlwp: Vec::new(),
            zomblwp: Vec::new(),
            runq: VecDeque::new(),
            uarea_cache: Vec::new(),
            uvm_nuarea_max: cfg.uvm_nuarea_max,
            uvm_nuarea: 0,
            kernel_map: Vec::new(),
            vmspaces: vec![Vmspace {
                pdirpa: KERNEL_PDIR,
                pm_cpus: 0,
                freed: false,
            }],
            pdirs: vec![(KERNEL_PDIR, PdirState::Live(0))],
            pdp_cache: Vec::new(),
            gdt: Gdt::new(),
            cpus: Vec::new(),
            biglock: BigLock::default(),
            ticks: 0,
            next_pid: FIRST_USER_PID,
            forkpy_turn: 0,
            sleep_seq: 0,
            actions: 0,
            counters: Counters::default(),
            finished: false,
            panic: None,
            inflight: Vec::new(),
            lwp_free: Vec::new(),
            vm_free: Vec::new(),
            next_cpu: 0,
            choices: 0,
        };
        let mut sim = Sim {
            cfg,
            prog,
            st: st.clone(),
            step_no: 0,
            active: Vec::new(),
            findings: Vec::new(),
            actions: Vec::new(),
            ev: (Event::None, 0),
            dirty: 0,
            exit_to_reap: Vec::new(),
            checks: true,
            record: true,
            force: None,
            entered: false,
            local: false,
            scratch: Default::default(),
        };
        // proc0 / lwp0: the swapper; its PCB is the idle PCB of CPU 0.
        let lwp0 = sim.boot_proc(&mut st, 0, NONE, P0, PROC0_UAREA, Some(0));
        st.lwps[lwp0 as usize].stat = LStat::LSSLEEP;
        st.lwps[lwp0 as usize].wchan = Some(Chan::Proc0);
        st.lwps[lwp0 as usize].wmesg = "scheduler";
        let idle_sel = gsel(gdt::NGDT);
        st.cpus.push(idle_cpu(0, PROC0_UAREA, idle_sel, lwp0));
        // Further CPUs: an idle PCB each (a u-area of its own) with its own TSS.
        for id in 1..sim.cfg.cpus {
            let ua = alloc_kva(&mut st);
            let owner = IDLE_OWNER_BASE + id as u32;
            let (slot, _) = st.gdt.get_slot(owner).unwrap_or((gdt::NGDT, false));
            st.cpus.push(idle_cpu(id, ua, gsel(slot), owner));
        }
        // init: a user process with its own vmspace, running.
        let init_ua = alloc_kva(&mut st);
        let init_vm = new_vmspace(&mut st);
        let init = sim.boot_proc(&mut st, 1, 0, INIT_BLOCK, init_ua, Some(init_vm));
        // The pagedaemon (and the reaper): kernel threads asleep at their loop heads.
        let pd_ua = alloc_kva(&mut st);
        let pd = sim.boot_proc(&mut st, 2, 0, 0, pd_ua, Some(0));
        sim.boot_kthread(
            &mut st,
            pd,
            KThread::Pagedaemon,
            Func::uvm_pageout,
            1,
            Sleep::Pagedaemon,
        );
        if sim.cfg.design == Design::Reaper {
            let r_ua = alloc_kva(&mut st);
            let r = sim.boot_proc(&mut st, 3, 0, 0, r_ua, Some(0));
            sim.boot_kthread(&mut st, r, KThread::Reaper, Func::reaper, 0, Sleep::Reaper);
        }
        // init is on CPU 0.
        {
            let l = &mut st.lwps[init as usize];
            l.stat = LStat::LSONPROC;
            let pdir = st.vmspaces[init_vm as usize].pdirpa;
            st.vmspaces[init_vm as usize].pm_cpus |= 1;
            let sel = l.tss_sel as u16;
            let c = &mut st.cpus[0];
            c.curlwp = Some(init);
            c.on_stack = Some(init);
            c.regs.kstack = init_ua;
            c.regs.curpcb = init_ua;
            c.regs.cr3 = pdir;
            c.regs.tr = sel;
            c.regs.esp0 = init_ua + crate::arch_i386::ESP0_OFFSET;
            c.tr_owner = Some(init);
            c.cr3_vm = Some(init_vm);
            c.idle_frames.clear();
        }
        for p in &mut st.procs {
            p.nrlwps = st
                .lwps
                .iter()
                .filter(|l| l.pid == p.pid && matches!(l.stat, LStat::LSRUN | LStat::LSONPROC))
                .count() as u32;
        }
        st.counters.kernel_map_peak = st.kernel_map.len() as u32;
        sim.st = st;
        sim
    }

    fn boot_proc(
        &mut self,
        st: &mut KernelState,
        pid: Pid,
        pptr: Pid,
        block: u16,
        uarea: u32,
        vm: Option<u32>,
    ) -> LwpIdx {
        let idx = st.lwps.len() as LwpIdx;
        let (slot, _) = st.gdt.get_slot(idx).unwrap_or((gdt::NGDT, false));
        let system = pid != 1;
        st.lwps.push(Lwp {
            pid,
            lid: 1,
            stat: LStat::LSSLEEP,
            flags: lflag::L_INMEM,
            uarea,
            owns_uarea: true,
            tss_sel: gsel(slot) as u32,
            wchan: None,
            wmesg: "",
            timeout: None,
            wake_err: 0,
            kstack: Vec::new(),
            user: UserCtx {
                block,
                ..UserCtx::default()
            },
            no_sleep: false,
            biglock_saved: false,
            kthread: None,
            freed: false,
            sleep_seq: 0,
            prio: 50,
        });
        st.procs.push(Proc {
            pid,
            block,
            pptr: if pid == 0 { 0 } else { pptr },
            children: Vec::new(),
            stat: PStat::SACTIVE,
            flags: if system { pflag::P_SYSTEM } else { 0 },
            exitsig: 0,
            xstat: 0,
            nlwps: 1,
            nrlwps: 0,
            nzlwps: 0,
            nlwpid: 1,
            lwps: vec![idx],
            vmspace: vm,
            userret_exit: false,
            sigchld: 0,
            exit_at: None,
        });
        if pid != 0 {
            if let Some(p0) = st.procs.iter_mut().find(|p| p.pid == 0) {
                p0.children.insert(0, pid);
            }
        }
        st.allproc.insert(0, pid);
        st.alllwp.insert(0, idx);
        idx
    }

    fn boot_kthread(
        &mut self,
        st: &mut KernelState,
        l: LwpIdx,
        kind: KThread,
        func: Func,
        pc: u16,
        sleep: Sleep,
    ) {
        let pid = st.lwps[l as usize].pid;
        let mut outer = Frame::new(func, l, pid);
        outer.pc = pc;
        let mut sl = Frame::new(Func::ltsleep, l, pid);
        sl.pc = 3;
        sl.sleep = Some(sleep);
        st.sleep_seq += 1;
        let lw = &mut st.lwps[l as usize];
        lw.kthread = Some(kind);
        // kernel threads start holding the big lock; the reaper drops it at once and
        // takes it around each item, the pagedaemon keeps it while it runs
        lw.biglock_saved = kind == KThread::Pagedaemon;
        lw.kstack = vec![outer, sl];
        lw.stat = LStat::LSSLEEP;
        lw.wchan = Some(sleep.chan(l, pid, 0));
        lw.wmesg = sleep.wmesg();
        lw.sleep_seq = st.sleep_seq;
    }

    /// Run a scenario to its end (or the step limit) and keep the whole trace.
    pub fn run(sc: &Scenario, design: Option<Design>) -> Trace {
        Sim::new(sc, design).run_to_end(false)
    }

    /// Run to the end; with `narrate`, keep a narration line per step.
    pub fn run_to_end(self, narrate: bool) -> Trace {
        let mut r = Runner::new(self, narrate);
        r.advance(u64::MAX);
        r.finish()
    }

    /// A simulator positioned at the state before step `n` of `trace` (replayed from
    /// the nearest checkpoint), for reading any step's full state.
    pub fn at(sc: &Scenario, design: Option<Design>, trace: &Trace, n: u64) -> Sim {
        let mut sim = Sim::new(sc, design);
        let n = n.min(trace.steps.len() as u64);
        let k = ((n / CHECKPOINT_EVERY) as usize).min(trace.checkpoints.len().saturating_sub(1));
        if let Some(cp) = trace.checkpoints.get(k) {
            sim.st = cp.clone();
            sim.step_no = k as u64 * CHECKPOINT_EVERY;
        }
        sim.checks = false;
        while sim.step_no < n {
            if sim.step().is_none() {
                break;
            }
        }
        sim.checks = true;
        sim
    }

    /// Execute one micro-step with `cpu` taking it if it is a choice point (instead
    /// of the schedule or round robin); elsewhere the same as `step`.
    pub fn step_on(&mut self, cpu: u8) -> Option<Step> {
        self.force = self.choice_point().then_some(cpu);
        let s = self.step();
        self.force = None;
        s
    }

    /// Findings so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Execute one micro-step; `None` once the run has ended.
    pub fn step(&mut self) -> Option<Step> {
        if self.st.finished {
            return None;
        }
        let cpu = self.pick_cpu();
        self.st.next_cpu = (cpu + 1) % self.st.cpus.len().max(1);
        self.ev = (Event::None, 0);
        self.dirty = 0;
        self.entered = false;
        self.local = false;
        let on = self.st.cpus[cpu].on_stack;
        if let Some(l) = on {
            if self.st.lwps[l as usize].biglock_saved && !self.st.lwps[l as usize].kstack.is_empty()
            {
                return Some(self.retake_biglock(cpu, l));
            }
            if self.st.lwps[l as usize].kstack.is_empty() {
                self.entered = true;
                self.enter_kernel(cpu, l);
            }
        }
        let Some(frame) = self.stack(cpu).last().copied() else {
            self.model_error(format!("cpu{cpu} has nothing to run"));
            self.st.finished = true;
            return None;
        };
        let Some(line) = super::source::line(self.cfg.design, frame.func, frame.pc) else {
            self.model_error(format!(
                "{} has no line {} in design {}",
                frame.func.name(),
                frame.pc,
                self.cfg.design.name()
            ));
            self.st.finished = true;
            return None;
        };
        if let Some(top) = self.stack(cpu).last_mut() {
            top.pc += 1;
        }
        let mut f = frame;
        f.pc += 1;
        self.local = !self.entered && matches!(line.op, Op::Nop | Op::Goto(_));
        self.exec(cpu, f, line.op);
        let step = Step {
            lwp: on.unwrap_or(NONE),
            val: self.ev.1,
            func: frame.func,
            line: frame.pc as u8,
            cpu: cpu as u8,
            event: self.ev.0,
        };
        if self.checks {
            self.check_step(cpu);
            if self.st.finished {
                self.check_end();
            }
        }
        self.step_no += 1;
        Some(step)
    }

    /// The CPU that takes the next micro-step. At a choice point (both CPUs could run)
    /// the explorer's choice, else the schedule's, else round robin; elsewhere the one
    /// CPU that has something to do (an LWP, the tail of switch_exit, or a runnable LWP
    /// to take), or CPU 0 when none has (its idle loop then advances the clock or ends
    /// the run).
    fn pick_cpu(&mut self) -> usize {
        let n = self.st.cpus.len().max(1);
        if self.choice_point() {
            let k = self.st.choices;
            self.st.choices += 1;
            let chosen = self.force.take().or_else(|| self.cfg.schedule.at(k));
            if let Some(c) = chosen {
                return usize::from(c).min(n - 1);
            }
        }
        (0..n)
            .map(|i| (self.st.next_cpu + i) % n)
            .find(|&c| self.can_run(c))
            .unwrap_or(0)
    }

    /// The CPU has something to do: an LWP, the tail of switch_exit, or a runnable
    /// LWP to take from the run queue.
    pub fn can_run(&self, c: usize) -> bool {
        self.cpu_busy(c) || !self.st.runq.is_empty()
    }

    /// The next micro-step is a choice point: two CPUs, both able to run.
    pub fn choice_point(&self) -> bool {
        self.st.cpus.len() == 2 && self.can_run(0) && self.can_run(1)
    }

    /// The CPU's next step would only spin on the big lock: an LWP taking it back
    /// after a sleep, or at a `KERNEL_PROC_LOCK` line, while another CPU holds it. Only
    /// these sure cases (false when unsure): the explorer skips a branch on it.
    pub(crate) fn would_spin(&self, cpu: usize) -> bool {
        let c = &self.st.cpus[cpu];
        let Some(l) = c.on_stack else {
            return false;
        };
        let Some(lw) = self.st.lwps.get(l as usize) else {
            return false;
        };
        let Some(top) = lw.kstack.last() else {
            return false;
        };
        let locks = lw.biglock_saved
            || super::source::line(self.cfg.design, top.func, top.pc)
                .is_some_and(|line| matches!(line.op, Op::Sched(super::func::SchedOp::BigLock)));
        locks && self.lock_busy_elsewhere(cpu, Some(l))
    }

    /// The last step only spun on the big lock, with no other effect: the state is
    /// the same as before it (but for the step and choice counters).
    pub(crate) fn step_was_noop(&self) -> bool {
        self.ev.0 == Event::Spin && !self.entered
    }

    /// The CPU runs an LWP or the MD exit path, not just the idle loop.
    pub(crate) fn cpu_busy(&self, c: usize) -> bool {
        let cpu = &self.st.cpus[c];
        cpu.on_stack.is_some() || cpu.idle_frames.len() > 1
    }

    /// An LWP that slept holding the big lock runs again: it takes the lock back first,
    /// spinning while another CPU holds it. One micro-step either way.
    fn retake_biglock(&mut self, cpu: usize, l: LwpIdx) -> Step {
        let top = self.st.lwps[l as usize]
            .kstack
            .last()
            .copied()
            .unwrap_or(Frame::new(Func::idle, l, NONE));
        if self.lock_busy_elsewhere(cpu, Some(l)) {
            self.ev = (Event::Spin, l);
        } else {
            self.st.lwps[l as usize].biglock_saved = false;
            self.ev = (Event::None, 0);
            self.biglock_take(cpu, l);
        }
        let step = Step {
            lwp: l,
            val: self.ev.1,
            func: top.func,
            line: top.pc.saturating_sub(1) as u8,
            cpu: cpu as u8,
            event: self.ev.0,
        };
        if self.checks {
            self.check_step(cpu);
        }
        self.step_no += 1;
        step
    }

    /// Another CPU holds the big lock (for an LWP that runs there, or for the exit
    /// path on its idle PCB): taking it now means spinning.
    pub(crate) fn lock_busy_elsewhere(&self, cpu: usize, me: Option<LwpIdx>) -> bool {
        match (self.st.biglock.holder, self.st.biglock.cpu) {
            (Some(h), _) => Some(h) != me && self.lock_holder_active(h),
            (None, Some(c)) => c as usize != cpu,
            (None, None) => false,
        }
    }

    /// The big lock's holder is running somewhere (or is the dead LWP whose exit path
    /// runs on some CPU's idle PCB).
    pub(crate) fn lock_holder_active(&self, h: LwpIdx) -> bool {
        self.st
            .cpus
            .iter()
            .any(|c| c.on_stack == Some(h) || c.idle_frames.iter().any(|f| f.l == h))
    }

    /// The frames the CPU is executing: its LWP's kernel stack, or the idle PCB's.
    pub(crate) fn stack(&mut self, cpu: usize) -> &mut Vec<Frame> {
        match self.st.cpus[cpu].on_stack {
            Some(l) => &mut self.st.lwps[l as usize].kstack,
            None => &mut self.st.cpus[cpu].idle_frames,
        }
    }

    /// The frame on top of `cpu`'s current stack (the LWP's kernel stack, or the
    /// idle PCB's): the function running there and its locals.
    pub fn top_frame(&self, cpu: usize) -> Option<&Frame> {
        let c = self.st.cpus.get(cpu)?;
        match c.on_stack {
            Some(l) => self.st.lwps.get(l as usize)?.kstack.last(),
            None => c.idle_frames.last(),
        }
    }

    pub(crate) fn set_ev(&mut self, e: Event, v: u32) {
        self.ev = (e, v);
    }

    /// Record a finding now (event-time checks).
    pub(crate) fn finding(&mut self, check: Check, message: String) {
        self.findings.push(Finding {
            step: self.step_no,
            check,
            message,
        });
    }

    pub(crate) fn model_error(&mut self, message: String) {
        self.finding(Check::ModelError, message);
    }

    /// A user LWP on the CPU with an empty kernel stack enters the kernel for its next
    /// action (or for lwp_exit_hook when its process is exiting).
    fn enter_kernel(&mut self, cpu: usize, l: LwpIdx) {
        let pid = self.st.lwps[l as usize].pid;
        let hook = self.st.proc(pid).map(|p| p.userret_exit).unwrap_or(false);
        if hook {
            self.stack(cpu)
                .push(Frame::new(Func::lwp_exit_hook, l, pid));
            return;
        }
        let (act, instr) = self.fetch(l);
        let lid = self.st.lwps[l as usize].lid;
        let block = self.st.lwps[l as usize].user.block;
        let (line, text) = match instr.and_then(|i| self.prog.stmt(block, i)) {
            _ if !self.record => (0, String::new()),
            Some(s) => (s.line, s.text.clone()),
            None => (0, super::narrate::act_text(&self.prog, act)),
        };
        if self.record {
            self.actions.push(ActionStart {
                step: self.step_no,
                lwp: l,
                pid,
                lid,
                block,
                instr,
                line,
                text,
            });
        }
        self.st.actions += 1;
        self.st.lwps[l as usize].user.current = instr;
        let func = if matches!(act, super::program::Act::Pagedaemon) {
            Func::trap
        } else {
            Func::syscall
        };
        let mut f = Frame::new(func, l, pid);
        f.act = Some(act);
        self.stack(cpu).push(f);
    }

    /// The LWP's next action: loops are unrolled here, without micro-steps.
    fn fetch(&mut self, l: LwpIdx) -> (super::program::Act, Option<u32>) {
        use super::program::{Act, Instr};
        let block = self.st.lwps[l as usize].user.block;
        if block == INIT_BLOCK {
            let u = &mut self.st.lwps[l as usize].user;
            let act = if u.pc == 0 {
                Act::Fork(self.prog.first)
            } else {
                Act::Wait(None)
            };
            u.pc = 1;
            return (act, None);
        }
        let Some(bp) = self.prog.blocks.get(block as usize) else {
            return (Act::Exit(0), None);
        };
        let is_lwp = bp.kind == super::scenario::BlockKind::Lwp;
        let u = &mut self.st.lwps[l as usize].user;
        for _ in 0..(bp.instrs.len() * 2 + 2) {
            match bp.instrs.get(u.pc as usize) {
                None => break,
                Some(Instr::RepeatStart { count, .. }) => {
                    u.loops.push((u.pc, *count));
                    u.pc += 1;
                }
                Some(Instr::RepeatEnd { start }) => match u.loops.last_mut() {
                    Some((_, left)) if *left > 1 => {
                        *left -= 1;
                        u.pc = start + 1;
                    }
                    _ => {
                        u.loops.pop();
                        u.pc += 1;
                    }
                },
                Some(Instr::Act(a, _)) => {
                    let at = u.pc;
                    u.pc += 1;
                    return (*a, Some(at));
                }
            }
        }
        (if is_lwp { Act::LwpExit } else { Act::Exit(0) }, None)
    }
}

/// A run in progress, advanced in chunks (the browser builds long traces a slice at a
/// time between frames, with a progress bar).
#[derive(Debug)]
pub struct Runner {
    sim: Sim,
    steps: Vec<Step>,
    checkpoints: Vec<KernelState>,
    narration: Option<Vec<(String, String)>>,
    truncated: bool,
    done: bool,
}

impl Runner {
    pub fn new(sim: Sim, narrate: bool) -> Runner {
        Runner {
            sim,
            steps: Vec::new(),
            checkpoints: Vec::new(),
            narration: narrate.then(Vec::new),
            truncated: false,
            done: false,
        }
    }

    /// Run up to `max` more micro-steps; true once the run has ended.
    pub fn advance(&mut self, max: u64) -> bool {
        let mut n = 0;
        while !self.done && n < max {
            if self.sim.step_no.is_multiple_of(CHECKPOINT_EVERY)
                && self.checkpoints.len() as u64 * CHECKPOINT_EVERY <= self.sim.step_no
            {
                self.checkpoints.push(self.sim.st.clone());
            }
            if self.sim.step_no >= self.sim.cfg.step_limit {
                self.truncated = !self.sim.st.finished;
                self.done = true;
                break;
            }
            let Some(step) = self.sim.step() else {
                self.done = true;
                break;
            };
            if let Some(narr) = self.narration.as_mut() {
                let who = if step.lwp == NONE {
                    "idle".to_string()
                } else {
                    self.sim.st.lwp_name(step.lwp)
                };
                narr.push((who, super::narrate::narrate(&self.sim, &step)));
            }
            self.steps.push(step);
            n += 1;
        }
        self.done
    }

    /// Micro-steps run so far, and the step limit.
    pub fn progress(&self) -> (u64, u64) {
        (self.sim.step_no, self.sim.cfg.step_limit)
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn finish(mut self) -> Trace {
        if !self.done {
            self.advance(u64::MAX);
        }
        let sim = self.sim;
        self.steps.shrink_to_fit();
        Trace {
            steps: self.steps,
            actions: sim.actions,
            findings: sim.findings,
            checkpoints: self.checkpoints,
            last: sim.st,
            truncated: self.truncated,
            narration: self.narration,
            exit_to_reap: sim.exit_to_reap,
        }
    }
}

/// A CPU at boot, in its idle loop on its idle PCB `ua`, with the idle TSS `sel`
/// (owned by `owner` in the GDT) and the kernel's page directory.
fn idle_cpu(id: u8, ua: u32, sel: u16, owner: LwpIdx) -> CpuCtx {
    CpuCtx {
        regs: Cpu::new(id, ua, sel, KERNEL_PDIR),
        curlwp: None,
        on_stack: None,
        idle_frames: vec![Frame::new(Func::idle, NONE, NONE)],
        spin_locks: 0,
        proclist_locked: false,
        critical: 0,
        tr_owner: Some(owner),
        cr3_vm: Some(0),
    }
}

/// First free USPACE-sized hole in the modelled kernel_map.
pub(crate) fn alloc_kva(st: &mut KernelState) -> u32 {
    let mut addr = KVA_UAREA_BASE;
    let mut i = 0;
    while i < st.kernel_map.len() && st.kernel_map[i] == addr {
        addr += USPACE;
        i += 1;
    }
    st.kernel_map.insert(i, addr);
    st.counters.kernel_map_peak = st.counters.kernel_map_peak.max(st.kernel_map.len() as u32);
    addr
}

/// A new vmspace with a page directory from pmap_pdp_cache or a fresh page.
pub(crate) fn new_vmspace(st: &mut KernelState) -> u32 {
    let pa = match st.pdp_cache.pop() {
        Some(pa) => pa,
        None => PDIR_BASE + 0x1000 * st.pdirs.len() as u32,
    };
    let vm = Vmspace {
        pdirpa: pa,
        pm_cpus: 0,
        freed: false,
    };
    let idx = match st.vm_free.pop() {
        Some(i) => {
            st.vmspaces[i as usize] = vm;
            i
        }
        None => {
            st.vmspaces.push(vm);
            st.vmspaces.len() as u32 - 1
        }
    };
    match st.pdir_index(pa) {
        Some(i) => st.pdirs[i].1 = PdirState::Live(idx),
        None => st.pdirs.push((pa, PdirState::Live(idx))),
    }
    idx
}

const P0: u16 = 0;
