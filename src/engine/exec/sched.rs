//! Scheduling, sleeping and the MD switch: the syscall layer, ltsleep / wakeup,
//! cpu_switch, the idle loop, switch_exit, locks.

use crate::arch_i386::{idxsel, SlotState, ESP0_OFFSET};
use crate::engine::design::Design;
use crate::engine::func::{Arg, Frame, Func, SchedOp, NONE};
use crate::engine::program::Act;
use crate::engine::sim::{Sim, EINTR, EWOULDBLOCK};
use crate::engine::state::*;
use crate::engine::trace::{Check, Event};

/// Sentinel pid / lid for "wait for a named block that has no live child / LWP".
pub(crate) const NO_MATCH: u32 = u32::MAX - 1;
/// The priority of a user LWP made runnable by fork or preempt (PUSER).
pub(crate) const PUSER: u8 = 50;

pub(crate) use crate::engine::func::LWPWAIT_EXITCONTROL;

impl Sim {
    pub(super) fn exec_sched(&mut self, cpu: usize, f: Frame, op: SchedOp) {
        use SchedOp::*;
        match op {
            BigLock => {
                if let Some(l) = self.on_lwp(cpu) {
                    if self.lock_busy_elsewhere(cpu, Some(l)) {
                        // spinlockmgr: spin until the other CPU lets go
                        self.again(cpu);
                        self.set_ev(Event::Spin, l);
                    } else {
                        self.biglock_take(cpu, l);
                    }
                }
            }
            BigUnlock => self.biglock_release(f.l),
            DispatchSyscall => self.dispatch(cpu, f),
            Userret => {
                let hook = self.st.proc(f.p).map(|p| p.userret_exit).unwrap_or(false);
                if hook {
                    self.stack(cpu)
                        .push(Frame::new(Func::lwp_exit_hook, f.l, f.p));
                } else {
                    self.stack(cpu).pop();
                    if let Some(l) = self.st.lwp_mut(f.l) {
                        l.user.current = None;
                    }
                }
            }
            SleepCheck => {
                let interlock = f.sleep == Some(crate::engine::func::Sleep::Reaper);
                if let Some(why) = self.no_sleep_reason(cpu, interlock) {
                    let past = self
                        .on_lwp(cpu)
                        .map(|l| self.st.lwps[l as usize].no_sleep)
                        .unwrap_or(false);
                    let check = if past {
                        Check::SleepAfterNoReturn
                    } else {
                        Check::BlockingNoSleep
                    };
                    let what = f.sleep.map(|s| s.wmesg()).unwrap_or("?");
                    self.finding(check, format!("ltsleep(\"{what}\") here, but {why}"));
                    if self.on_lwp(cpu).is_none() {
                        self.panic(format!("ltsleep(\"{what}\") with no LWP to sleep"));
                    }
                }
            }
            SleepEnqueue => {
                let Some(l) = self.on_lwp(cpu) else {
                    return;
                };
                let Some(kind) = f.sleep else { return };
                let pid = self.st.lwps[l as usize].pid;
                self.st.sleep_seq += 1;
                let seq = self.st.sleep_seq;
                let ticks = self.st.ticks;
                let lw = &mut self.st.lwps[l as usize];
                lw.stat = LStat::LSSLEEP;
                lw.wchan = Some(kind.chan(l, pid, f.arg));
                lw.wmesg = kind.wmesg();
                lw.sleep_seq = seq;
                lw.timeout = if kind == crate::engine::func::Sleep::Nanosleep {
                    Some(ticks + f.arg.max(1) as u64)
                } else {
                    None
                };
                if let Some(p) = self.st.proc_mut(pid) {
                    p.nrlwps = p.nrlwps.wrapping_sub(1);
                }
                if kind == crate::engine::func::Sleep::Reaper {
                    let c = &mut self.st.cpus[cpu];
                    c.spin_locks = c.spin_locks.saturating_sub(1);
                }
                self.dirty |= crate::engine::sim::DIRTY_PROCS;
                self.set_ev(Event::Sleep, kind as u32);
            }
            MiSwitch => {
                self.st.counters.swtch += 1;
                if let Some(l) = self.on_lwp(cpu) {
                    if self.st.biglock.holder == Some(l) {
                        self.biglock_release(l);
                        self.st.lwps[l as usize].biglock_saved = true;
                    }
                }
                self.cpu_switch(cpu);
            }
            SleepReturn => {
                let rv = match self.on_lwp(cpu) {
                    Some(l) => std::mem::take(&mut self.st.lwps[l as usize].wake_err),
                    None => 0,
                };
                self.ret(cpu, rv);
            }
            Preempt => {
                let Some(l) = self.on_lwp(cpu) else {
                    return;
                };
                self.st.lwps[l as usize].stat = LStat::LSRUN;
                self.setrunqueue(l, PUSER);
                self.st.counters.swtch += 1;
                if self.st.biglock.holder == Some(l) {
                    self.biglock_release(l);
                    self.st.lwps[l as usize].biglock_saved = true;
                }
                self.dirty |= crate::engine::sim::DIRTY_PROCS;
                self.cpu_switch(cpu);
            }
            Idle => {
                if !self.st.runq.is_empty() {
                    return;
                }
                self.goto(cpu, 0);
                if (0..self.st.cpus.len()).any(|c| c != cpu && self.cpu_busy(c)) {
                    // another CPU still works: this one just halts until an interrupt
                    return;
                }
                let next = self
                    .st
                    .lwps
                    .iter()
                    .filter(|l| !l.freed && l.stat == LStat::LSSLEEP)
                    .filter_map(|l| l.timeout)
                    .min();
                match next {
                    Some(t) => {
                        self.st.ticks = self.st.ticks.max(t);
                        let now = self.st.ticks;
                        let due: Vec<LwpIdx> = (0..self.st.lwps.len() as LwpIdx)
                            .filter(|&i| {
                                let l = &self.st.lwps[i as usize];
                                !l.freed
                                    && l.stat == LStat::LSSLEEP
                                    && l.timeout.is_some_and(|t| t <= now)
                            })
                            .collect();
                        for l in due {
                            self.st.lwps[l as usize].wake_err = EWOULDBLOCK;
                            self.setrunnable(l);
                        }
                        self.set_ev(Event::Tick, now as u32);
                    }
                    None => {
                        self.st.finished = true;
                        self.set_ev(Event::Finished, 0);
                    }
                }
            }
            IdleSwitch => {
                self.goto(cpu, 0);
                if let Some(next) = self.st.runq.pop_front() {
                    self.switch_to(cpu, next);
                }
            }
            SimpleLock => {
                self.st.cpus[cpu].spin_locks = self.st.cpus[cpu].spin_locks.saturating_add(1)
            }
            SimpleUnlock => self.spin_unlock(cpu),
            SimpleUnlockRet => {
                self.spin_unlock(cpu);
                self.ret(cpu, 0);
            }
            SimpleLockGoto(t) => {
                self.st.cpus[cpu].spin_locks = self.st.cpus[cpu].spin_locks.saturating_add(1);
                self.goto(cpu, t);
            }
            ProclistLock => {
                if self.st.cpus[cpu].proclist_locked {
                    self.model_error("proclist_lock taken twice".into());
                }
                self.st.cpus[cpu].proclist_locked = true;
            }
            ProclistUnlock => self.st.cpus[cpu].proclist_locked = false,
            SwtchInc => self.st.counters.swtch += 1,
            ClearCurlwp => self.st.cpus[cpu].curlwp = None,
            Cli => self.st.cpus[cpu].regs.eflags_if = false,
            LoadIdleStack => {
                let Some(l) = self.on_lwp(cpu) else {
                    return;
                };
                let frames = std::mem::take(&mut self.st.lwps[l as usize].kstack);
                let c = &mut self.st.cpus[cpu];
                if c.idle_frames.is_empty() {
                    c.idle_frames.push(Frame::new(Func::idle, NONE, NONE));
                }
                if let Some(top) = frames.last() {
                    c.idle_frames.push(*top);
                }
                c.on_stack = None;
                c.regs.kstack = c.regs.idle_pcb;
                self.dirty |= crate::engine::sim::DIRTY_UAREA;
            }
            LoadIdleCr3 => {
                let c = &mut self.st.cpus[cpu];
                c.regs.cr3 = c.regs.idle_cr3;
                c.cr3_vm = Some(0);
                let v = c.regs.cr3;
                self.set_ev(Event::Cr3, v);
            }
            LoadIdleTr => {
                let sel = self.st.cpus[cpu].regs.idle_tss_sel;
                let owner = if cpu == 0 {
                    0
                } else {
                    crate::engine::sim::IDLE_OWNER_BASE + cpu as u32
                };
                self.ltr(cpu, sel, owner);
            }
            IdlePcbSti => {
                let c = &mut self.st.cpus[cpu];
                c.regs.curpcb = c.regs.idle_pcb;
                c.regs.eflags_if = true;
            }
            CallExitFn => {
                let func = match self.cfg.design {
                    Design::Reaper if f.arg == 1 => Func::exit2,
                    _ => Func::lwp_exit2,
                };
                self.call(cpu, f, func, Arg::Same, None);
            }
            SwitchExitDone => {
                self.stack(cpu).pop();
                self.set_ev(Event::ToIdle, 0);
            }
            TurnWait(t) => {
                if self.st.forkpy_turn == f.arg {
                    self.goto(cpu, t);
                }
            }
            TurnTake => {
                self.st.forkpy_turn += 1;
                self.wakeup(Chan::ForkpyTurn(self.st.forkpy_turn));
                self.ret(cpu, 0);
            }
        }
    }

    fn spin_unlock(&mut self, cpu: usize) {
        let c = &mut self.st.cpus[cpu];
        if c.spin_locks == 0 {
            self.model_error("simple_unlock of a lock not held".into());
        } else {
            c.spin_locks -= 1;
        }
    }

    /// The run stops at one of exitpath's own limits (too many LWPs, ...): the trace
    /// ends with the message; no kernel fault is claimed.
    pub(crate) fn panic(&mut self, msg: String) {
        self.st.panic = Some(msg);
        self.st.finished = true;
        self.set_ev(Event::Panic, 0);
    }

    /// A `panic()` the kernel's own code calls: a fault (`KernelPanic`), and the run
    /// ends there.
    pub(crate) fn kernel_panic(&mut self, msg: String) {
        self.finding(Check::KernelPanic, format!("panic: {msg}"));
        self.panic(msg);
    }

    /// The syscall the current action asks for.
    fn dispatch(&mut self, cpu: usize, f: Frame) {
        let Some(act) = f.act else {
            self.model_error("syscall without an action".into());
            return;
        };
        let mut callee = Frame::new(Func::sys_exit, f.l, f.p);
        callee.func = match act {
            Act::Fork(b) => {
                callee.block = b;
                Func::sys_fork
            }
            Act::Exit(s) => {
                callee.arg = s as u32;
                Func::sys_exit
            }
            Act::Wait(b) => {
                callee.arg = match b {
                    None => 0,
                    Some(b) => self.newest_child(f.p, b).unwrap_or(NO_MATCH),
                };
                Func::sys_wait4
            }
            Act::Thread(b, detached) => {
                callee.block = b;
                callee.arg = detached as u32;
                Func::sys__lwp_create
            }
            Act::LwpExit => Func::sys__lwp_exit,
            Act::LwpWait(b) => {
                callee.arg = match b {
                    None => 0,
                    Some(b) => self.newest_lwp(f.p, f.l, b).unwrap_or(NO_MATCH),
                };
                Func::sys__lwp_wait
            }
            Act::Yield => Func::sys_sched_yield,
            Act::Sleep(t) => {
                callee.arg = t;
                Func::sys_nanosleep
            }
            Act::Turn(k) => {
                callee.arg = k;
                Func::forkpy_turn
            }
            Act::Pagedaemon => Func::uvm_wait,
        };
        self.stack(cpu).push(callee);
    }

    fn newest_child(&self, pid: Pid, block: u16) -> Option<u32> {
        let p = self.st.proc(pid)?;
        p.children
            .iter()
            .copied()
            .find(|c| self.st.proc(*c).is_some_and(|c| c.block == block))
    }

    fn newest_lwp(&self, pid: Pid, me: LwpIdx, block: u16) -> Option<u32> {
        let p = self.st.proc(pid)?;
        p.lwps
            .iter()
            .copied()
            .filter(|&l| l != me)
            .filter_map(|l| self.st.lwp(l))
            .find(|l| l.user.block == block)
            .map(|l| l.lid)
    }

    pub(crate) fn biglock_take(&mut self, cpu: usize, l: LwpIdx) {
        match self.st.biglock.holder {
            None => {}
            Some(h) if h == l => return,
            Some(h) => {
                let alive = self.st.lwp(h).is_some();
                self.finding(
                    Check::BigLockDeadOwner,
                    format!(
                        "KERNEL_PROC_LOCK: the big lock is still held by {} ({}); on one CPU this LWP would spin forever",
                        self.st.lwp_name(h),
                        if alive { "not running" } else { "freed" }
                    ),
                );
            }
        }
        self.st.biglock = BigLock {
            holder: Some(l),
            cpu: Some(cpu as u8),
        };
        self.st.lwps[l as usize].flags |= lflag::L_BIGLOCK;
        self.set_ev(Event::BigLock, l);
    }

    pub(crate) fn biglock_release(&mut self, l: LwpIdx) {
        if self.st.biglock.holder == Some(l) {
            self.st.biglock = BigLock::default();
            if let Some(lw) = self.st.lwps.get_mut(l as usize) {
                lw.flags &= !lflag::L_BIGLOCK;
            }
            self.set_ev(Event::BigUnlock, l);
        }
    }

    /// setrunnable(): LSRUN and onto the run queue's tail.
    pub(crate) fn setrunnable(&mut self, l: LwpIdx) {
        let pid = self.st.lwps[l as usize].pid;
        let lw = &mut self.st.lwps[l as usize];
        lw.stat = LStat::LSRUN;
        lw.wchan = None;
        lw.timeout = None;
        if let Some(p) = self.st.proc_mut(pid) {
            p.nrlwps = p.nrlwps.wrapping_add(1);
        }
        let prio = self.st.lwps[l as usize]
            .kstack
            .last()
            .and_then(|f| f.sleep)
            .map(|s| s.priority())
            .unwrap_or(PUSER);
        self.setrunqueue(l, prio);
        self.dirty |= crate::engine::sim::DIRTY_PROCS;
    }

    /// setrunqueue(): onto the run queue behind every LWP of equal or better (lower)
    /// priority; cpu_switch takes the head.
    pub(crate) fn setrunqueue(&mut self, l: LwpIdx, prio: u8) {
        self.st.lwps[l as usize].prio = prio;
        let lwps = &self.st.lwps;
        let at = self
            .st
            .runq
            .iter()
            .position(|&o| lwps[o as usize].prio > prio)
            .unwrap_or(self.st.runq.len());
        self.st.runq.insert(at, l);
    }

    /// wakeup(chan): every sleeper on the channel, in the order they slept.
    pub(crate) fn wakeup(&mut self, chan: Chan) -> u32 {
        let sleepers = self.st.sleepers(chan);
        for &l in &sleepers {
            self.setrunnable(l);
        }
        if self.ev.0 == Event::None {
            match sleepers[..] {
                [one] => self.set_ev(Event::WakeupOne, one),
                _ => self.set_ev(Event::Wakeup, sleepers.len() as u32),
            }
        }
        sleepers.len() as u32
    }

    /// Interrupt a PCATCH sleep (exit_lwps): ltsleep will return EINTR.
    pub(crate) fn interrupt(&mut self, l: LwpIdx) -> bool {
        let lw = &self.st.lwps[l as usize];
        if lw.stat != LStat::LSSLEEP {
            return false;
        }
        let catches = lw
            .kstack
            .last()
            .and_then(|f| f.sleep)
            .is_some_and(|s| s.catches());
        if !catches {
            return false;
        }
        self.st.lwps[l as usize].wake_err = EINTR;
        self.setrunnable(l);
        true
    }

    /// cpu_switch(): the run queue's head, or the idle loop.
    pub(crate) fn cpu_switch(&mut self, cpu: usize) {
        match self.st.runq.pop_front() {
            Some(next) => self.switch_to(cpu, next),
            None => {
                // pmap_deactivate(old), then the idle PCB's context: stack, %cr3, %tr
                let mask = self.st.cpus[cpu].regs.mask();
                if let Some(old) = self.st.cpus[cpu].on_stack {
                    if let Some(vm) = self
                        .st
                        .lwp(old)
                        .and_then(|l| self.st.proc(l.pid))
                        .and_then(|p| p.vmspace)
                    {
                        self.st.vmspaces[vm as usize].pm_cpus &= !mask;
                    }
                }
                let sel = self.st.cpus[cpu].regs.idle_tss_sel;
                let owner = if cpu == 0 {
                    0
                } else {
                    crate::engine::sim::IDLE_OWNER_BASE + cpu as u32
                };
                self.ltr(cpu, sel, owner);
                let c = &mut self.st.cpus[cpu];
                c.regs.cr3 = c.regs.idle_cr3;
                c.cr3_vm = Some(0);
                c.on_stack = None;
                c.curlwp = None;
                c.regs.kstack = c.regs.idle_pcb;
                c.regs.curpcb = c.regs.idle_pcb;
                if c.idle_frames.is_empty() {
                    c.idle_frames.push(Frame::new(Func::idle, NONE, NONE));
                }
                self.dirty |= crate::engine::sim::DIRTY_UAREA;
                self.set_ev(Event::ToIdle, 0);
            }
        }
    }

    /// Switch `cpu` to `next`: pmap_deactivate(old), pmap_activate(new), %cr3, %tr,
    /// esp0, curlwp; the big lock back if the LWP slept holding it.
    pub(crate) fn switch_to(&mut self, cpu: usize, next: LwpIdx) {
        let mask = self.st.cpus[cpu].regs.mask();
        if let Some(old) = self.st.cpus[cpu].on_stack.or(self.st.cpus[cpu].curlwp) {
            if let Some(vm) = self
                .st
                .lwp(old)
                .and_then(|l| self.st.proc(l.pid))
                .and_then(|p| p.vmspace)
            {
                self.st.vmspaces[vm as usize].pm_cpus &= !mask;
            }
        }
        let (pid, uarea, sel) = {
            let l = &mut self.st.lwps[next as usize];
            l.stat = LStat::LSONPROC;
            (l.pid, l.uarea, l.tss_sel)
        };
        {
            let c = &mut self.st.cpus[cpu];
            c.curlwp = Some(next);
            c.on_stack = Some(next);
            c.regs.kstack = uarea;
            c.regs.curpcb = uarea;
        }
        // pmap_activate(next)
        if let Some(vm) = self.st.proc(pid).and_then(|p| p.vmspace) {
            let v = &mut self.st.vmspaces[vm as usize];
            if v.freed {
                let msg = format!(
                    "pmap_activate: {} runs on the vmspace of pid {pid}, already freed",
                    self.st.lwp_name(next)
                );
                self.finding(Check::ActivateFreed, msg);
            }
            let v = &mut self.st.vmspaces[vm as usize];
            v.pm_cpus |= mask;
            let pa = v.pdirpa;
            let c = &mut self.st.cpus[cpu];
            c.regs.cr3 = pa;
            c.cr3_vm = Some(vm);
        }
        self.ltr(cpu, sel as u16, next);
        if self.st.lwps[next as usize].biglock_saved && !self.lock_busy_elsewhere(cpu, Some(next)) {
            self.st.lwps[next as usize].biglock_saved = false;
            self.biglock_take(cpu, next);
        }
        self.dirty |= crate::engine::sim::DIRTY_UAREA | crate::engine::sim::DIRTY_PROCS;
        self.set_ev(Event::Switch, next);
    }

    /// Clear the busy bit and `ltr sel` for `owner`: a descriptor that is not that
    /// LWP's TSS raises #GP on real hardware.
    pub(crate) fn ltr(&mut self, cpu: usize, sel: u16, owner: LwpIdx) {
        let slot = idxsel(sel);
        match self.st.gdt.state(slot) {
            Some(SlotState::Tss(o)) if o == owner => {}
            other => {
                let what = match other {
                    Some(SlotState::Tss(o)) => format!("the TSS of {}", self.st.lwp_name(o)),
                    Some(SlotState::Free) => "a free (SDT_SYSNULL) descriptor".to_string(),
                    None => "no dynamic descriptor".to_string(),
                };
                let msg = format!(
                    "ltr {sel:#06x} for {}: GDT slot {slot} holds {what}: #GP",
                    self.st.lwp_name(owner)
                );
                self.finding(Check::LtrInvalid, msg);
            }
        }
        let esp0 = match self.st.lwps.get(owner as usize) {
            Some(l) => l.uarea + ESP0_OFFSET,
            None => self.st.cpus[cpu].regs.idle_pcb + ESP0_OFFSET,
        };
        let c = &mut self.st.cpus[cpu];
        c.regs.tr = sel;
        c.regs.esp0 = esp0;
        c.tr_owner = Some(owner);
        self.set_ev(Event::Tr, sel as u32);
    }
}
