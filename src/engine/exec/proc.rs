//! Process and LWP life cycle ops: fork1/newlwp, exit1/lwp_exit/exit_lwps,
//! lwp_exit2/exit2, lwp_wait1, find_stopped_child/proc_free, the reaper's bookkeeping.

use super::sched::{LWPWAIT_EXITCONTROL, PUSER};
use crate::engine::design::Switch;
use crate::engine::func::{Frame, Func, ProcOp, NONE};
use crate::engine::program::INIT_BLOCK;
use crate::engine::sim::{Sim, DIRTY_PROCS, ECHILD, EDEADLK, ESRCH, LWPS_MAX, PID_MAX, SIGCHLD};
use crate::engine::state::*;
use crate::engine::trace::{Check, Event};

impl Sim {
    pub(super) fn exec_proc(&mut self, cpu: usize, f: Frame, op: ProcOp) {
        use ProcOp::*;
        self.dirty |= DIRTY_PROCS;
        match op {
            ProcAlloc => {
                self.need_sleepable(cpu, "pool_get(&proc_pool, PR_WAITOK)");
                if self.st.procs.len() >= LWPS_MAX {
                    self.panic(format!(
                        "fork1: more than {LWPS_MAX} processes (exitpath's limit)"
                    ));
                    return;
                }
                let pid = self.alloc_pid();
                let traced = self
                    .prog
                    .blocks
                    .get(f.block as usize)
                    .is_some_and(|b| b.traced);
                self.st.procs.push(Proc {
                    pid,
                    block: f.block,
                    pptr: NONE,
                    children: Vec::new(),
                    stat: PStat::SIDL,
                    flags: if traced { pflag::P_FSTRACE } else { 0 },
                    exitsig: 0,
                    xstat: 0,
                    nlwps: 0,
                    nrlwps: 0,
                    nzlwps: 0,
                    nlwpid: 0,
                    lwps: Vec::new(),
                    vmspace: None,
                    userret_exit: false,
                    sigchld: 0,
                    exit_at: None,
                });
                self.set_p2(cpu, pid);
            }
            ProcLinkChild => {
                if let Some(c) = self.st.proc_mut(f.p2) {
                    c.pptr = f.p;
                }
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.children.insert(0, f.p2);
                }
            }
            ProcMakeVisible => {
                if let Some(c) = self.st.proc_mut(f.p2) {
                    c.exitsig = SIGCHLD;
                }
                self.st.allproc.insert(0, f.p2);
            }
            ProcRun => {
                if let Some(c) = self.st.proc_mut(f.p2) {
                    c.stat = PStat::SACTIVE;
                    c.nrlwps = 1;
                }
                if let Some(l) = self.st.lwp_mut(f.l2) {
                    l.stat = LStat::LSRUN;
                }
                self.setrunqueue(f.l2, PUSER);
                self.st.counters.forks += 1;
                self.set_ev(Event::Forked, f.p2);
            }
            ForkRetval => self.ret(cpu, 0),
            LwpAlloc => {
                self.need_sleepable(cpu, "pool_get(&lwp_pool, PR_WAITOK)");
                let target = if f.func == Func::newlwp && f.p2 != NONE {
                    f.p2
                } else {
                    f.p
                };
                let detached = f.arg == 1 && self.stack_has(cpu, Func::sys__lwp_create);
                let mut flags = 0;
                if f.inmem {
                    flags |= lflag::L_INMEM;
                }
                if detached {
                    flags |= lflag::L_DETACHED;
                }
                let lwp = Lwp {
                    pid: target,
                    lid: 0,
                    stat: LStat::LSIDL,
                    flags,
                    uarea: f.uaddr,
                    owns_uarea: true,
                    tss_sel: 0,
                    wchan: None,
                    wmesg: "",
                    timeout: None,
                    wake_err: 0,
                    kstack: Vec::new(),
                    user: UserCtx {
                        block: f.block,
                        ..UserCtx::default()
                    },
                    no_sleep: false,
                    biglock_saved: false,
                    kthread: None,
                    freed: false,
                    sleep_seq: 0,
                    prio: 50,
                };
                let idx = match self.st.lwp_free.pop() {
                    Some(i) => {
                        self.st.lwps[i as usize] = lwp;
                        i
                    }
                    None => {
                        if self.st.lwps.len() >= LWPS_MAX {
                            self.panic(format!(
                                "newlwp: more than {LWPS_MAX} LWPs (exitpath's limit)"
                            ));
                            return;
                        }
                        self.st.lwps.push(lwp);
                        self.st.lwps.len() as LwpIdx - 1
                    }
                };
                self.st.inflight.retain(|&a| a != f.uaddr);
                if let Some(top) = self.stack(cpu).last_mut() {
                    top.l2 = idx;
                }
                self.dirty |= crate::engine::sim::DIRTY_UAREA;
            }
            LwpLinkProc => {
                let target = self.st.lwp(f.l2).map(|l| l.pid).unwrap_or(NONE);
                let lid = match self.st.proc_mut(target) {
                    Some(p) => {
                        p.nlwpid += 1;
                        p.lwps.insert(0, f.l2);
                        p.nlwps = p.nlwps.wrapping_add(1);
                        p.nlwpid
                    }
                    None => 0,
                };
                if let Some(l) = self.st.lwp_mut(f.l2) {
                    l.lid = lid;
                }
            }
            LwpLinkAll => {
                self.st.alllwp.insert(0, f.l2);
                self.ret(cpu, 0);
            }
            LwpCreateRun => {
                if let Some(l) = self.st.lwp_mut(f.l2) {
                    l.stat = LStat::LSRUN;
                }
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.nrlwps = p.nrlwps.wrapping_add(1);
                }
                self.setrunqueue(f.l2, PUSER);
                self.set_ev(Event::LwpCreated, f.l2);
                self.ret(cpu, 0);
            }
            SysExitWexit => {
                let wexit = self
                    .st
                    .proc(f.p)
                    .is_some_and(|p| p.flags & pflag::P_WEXIT != 0);
                if wexit {
                    self.stack(cpu).push(Frame::new(Func::lwp_exit, f.l, f.p));
                }
            }
            SetWexit => {
                if f.p == 1 {
                    self.kernel_panic("init died".into());
                    return;
                }
                let at = (self.step_no, self.st.counters.swtch);
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.flags |= pflag::P_WEXIT;
                    p.exit_at = Some(at);
                }
                self.st.counters.exits += 1;
                self.set_ev(Event::ExitBegin, f.p);
            }
            IfMultiLwp(t) => {
                if self.st.proc(f.p).map(|p| p.nlwps).unwrap_or(0) <= 1 {
                    self.goto(cpu, t);
                } else if self.cfg.has(Switch::TssFreeBeforeExitLwps) {
                    // what-if: tss_free(l->l_md.md_tss_sel) here, before exit_lwps
                    // sleeps in lwp_wait1; the switch back to l does `ltr` of a slot
                    // that is free or someone else's (LtrInvalid), and the MD exit
                    // frees it a second time (TssDoubleFree)
                    self.call_tss_free(cpu, f);
                }
            }
            WakeInitIfChildren => {
                let any = self.st.proc(f.p).is_some_and(|p| !p.children.is_empty());
                if any && !self.cfg.has(Switch::NoZombieOrphanWakeup) {
                    self.wakeup(Chan::Proc(1));
                }
            }
            ReparentLoop => {
                if let Some(q) = self.reparent_first(f.p) {
                    self.again(cpu);
                    self.set_ev(Event::Reparent, q);
                }
            }
            ReparentNext(t) => match self.reparent_first(f.p) {
                Some(q) => {
                    self.set_p2(cpu, q);
                    self.set_ev(Event::Reparent, q);
                }
                None => self.goto(cpu, t),
            },
            NotifyZombieOrphan(t) => {
                let zomb = self.st.proc(f.p2).is_some_and(|q| q.stat == PStat::SZOMB);
                if zomb && !self.cfg.has(Switch::NoZombieOrphanWakeup) {
                    self.exit_psignal(f.p2);
                    let pp = self.st.proc(f.p2).map(|q| q.pptr).unwrap_or(1);
                    self.wakeup(Chan::Proc(pp));
                }
                self.goto(cpu, t);
            }
            NoLongerSleep => {
                if let Some(l) = self.on_lwp(cpu) {
                    self.st.lwps[l as usize].no_sleep = true;
                }
            }
            SetXstat => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.xstat = f.arg as u8;
                }
            }
            SetLStat(s) => {
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.stat = s;
                }
                if s == LStat::LSZOMB {
                    self.set_ev(Event::LwpZombie, f.l);
                }
            }
            ProcToZombproc => {
                self.st.allproc.retain(|&p| p != f.p);
                self.st.zombproc.insert(0, f.p);
            }
            LwpOffAlllwpFlags(bits) => {
                self.st.alllwp.retain(|&l| l != f.l);
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.flags |= bits;
                }
            }
            LwpOffAlllwpLocked => {
                self.st.cpus[cpu].proclist_locked = true;
                self.st.alllwp.retain(|&l| l != f.l);
            }
            ZombifyPatch => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.stat = PStat::SZOMB;
                    p.nrlwps = p.nrlwps.wrapping_sub(1);
                    p.nlwps = p.nlwps.wrapping_sub(1);
                }
                self.set_ev(Event::Zombie, f.p);
            }
            DeadReaper => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.stat = PStat::SDEAD;
                    p.nrlwps = p.nrlwps.wrapping_sub(1);
                }
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.stat = LStat::LSDEAD;
                }
                self.set_ev(Event::Dead, f.p);
            }
            NotifyParent => {
                self.exit_psignal(f.p);
                let pp = self.st.proc(f.p).map(|p| p.pptr).unwrap_or(1);
                self.wakeup(Chan::Proc(pp));
            }
            DeadprocsPush => self.st.deadprocs.insert(0, f.p),
            DeadlwpPush => self.st.deadlwp.insert(0, f.l),
            ZomblwpPush => {
                if self
                    .st
                    .lwp(f.l)
                    .is_some_and(|l| l.flags & lflag::L_DETACHED == 0)
                {
                    self.st.zomblwp.insert(0, f.l);
                }
            }
            WakeReaper => {
                if self.wakeup(Chan::Deadprocs) > 0 {
                    self.st.counters.reaper_wakeups += 1;
                }
            }
            IfDetached(t) => {
                if self
                    .st
                    .lwp(f.l)
                    .is_none_or(|l| l.flags & lflag::L_DETACHED == 0)
                {
                    self.goto(cpu, t);
                }
            }
            UnlinkSibling => {
                // LIST_REMOVE(l, l_sibling) writes into struct proc (p_lwps, or the
                // neighbours' links in it): if the parent's wait4 freed p meanwhile
                // (two CPUs, committed), that is a write into freed memory.
                let linked = self.st.proc(f.p).is_some_and(|p| p.lwps.contains(&f.l));
                if linked {
                    if let Some(p) = self.st.proc_mut(f.p) {
                        p.lwps.retain(|&l| l != f.l);
                    }
                } else {
                    let msg = format!(
                        "{}: LIST_REMOVE(l, l_sibling) of {} writes into struct proc of pid {}, which its parent's wait4 has already freed (proc_free): use after free",
                        f.func.name(),
                        self.st.lwp_name(f.l),
                        f.p
                    );
                    self.finding(Check::ProcFreedInUse, msg);
                }
            }
            PoolPutUnlockRet => {
                self.free_lwp(f.l);
                self.st.biglock = crate::engine::state::BigLock::default();
                self.ret(cpu, 0);
            }
            AssertNoLwps => {
                let left = self.st.proc(f.p).map_or(0, |p| p.lwps.len());
                if left != 0 {
                    self.kernel_panic(format!(
                        "proc_free: KASSERT(LIST_EMPTY(&p->p_lwps)) failed: pid {} still has {left} LWP(s)",
                        f.p
                    ));
                }
            }
            ProcexitUnlockOrDecNlwps => {
                let procexit = self
                    .st
                    .lwp(f.l)
                    .is_some_and(|l| l.flags & lflag::L_PROCEXIT != 0);
                if procexit {
                    self.biglock_release(f.l);
                } else if let Some(p) = self.st.proc_mut(f.p) {
                    p.nlwps = p.nlwps.wrapping_sub(1);
                }
            }
            PoolPutLRet => {
                self.free_lwp(f.l);
                self.ret(cpu, 0);
            }
            PoolPutL2Ret => {
                self.free_lwp(f.l2);
                self.ret(cpu, 0);
            }
            NzlwpsIncWake => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.nzlwps = p.nzlwps.wrapping_add(1);
                }
                self.wakeup(Chan::Nlwps(f.p));
                self.ret(cpu, 0);
            }
            LastLwpExit1 => {
                let last = self.st.proc(f.p).is_some_and(|p| {
                    p.nlwps.wrapping_sub(p.nzlwps) == 1 && p.flags & pflag::P_WEXIT == 0
                });
                if last {
                    let mut e = Frame::new(Func::exit1, f.l, f.p);
                    e.arg = 0;
                    self.stack(cpu).push(e);
                }
            }
            LwpExitDecNrlwps => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.nrlwps = p.nrlwps.wrapping_sub(1);
                }
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.stat = LStat::LSDEAD;
                }
            }
            ExitLwpsKick => {
                let lwps = self
                    .st
                    .proc(f.p)
                    .map(|p| p.lwps.clone())
                    .unwrap_or_default();
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.userret_exit = true;
                }
                let mut n = 0;
                for l2 in lwps.into_iter().filter(|&l2| l2 != f.l) {
                    if let Some(l) = self.st.lwp_mut(l2) {
                        l.flags &= !lflag::L_DETACHED;
                    }
                    if self.interrupt(l2) {
                        n += 1;
                    }
                }
                self.set_ev(Event::Kick, n);
            }
            ExitLwpsLoop(t) => {
                if self.st.proc(f.p).map(|p| p.nlwps).unwrap_or(0) <= 1 {
                    self.goto(cpu, t);
                }
            }
            ExitLwpsPanicIfErr(t) => {
                if f.rv != 0 {
                    self.kernel_panic(format!("exit_lwps: lwp_wait1 failed with error {}", f.rv));
                } else {
                    self.goto(cpu, t);
                }
            }
            ClearUserret => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.userret_exit = false;
                }
                self.ret(cpu, 0);
            }
            LwpWaitScan(t) => self.lwp_wait_scan(cpu, f, t),
            LwpZlistRemove => self.st.zomblwp.retain(|&l| l != f.l2),
            LwpWaitReap => {
                self.check_reap_during_lwp_exit2(cpu, f);
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.lwps.retain(|&l| l != f.l2);
                    p.nlwps = p.nlwps.wrapping_sub(1);
                    p.nzlwps = p.nzlwps.wrapping_sub(1);
                }
            }
            ScanChildren(t) => {
                let want = f.arg;
                let Some(p) = self.st.proc(f.p) else {
                    return;
                };
                let mut nfound = 0;
                let mut found = None;
                for &c in &p.children {
                    if want != 0 && c != want {
                        continue;
                    }
                    nfound += 1;
                    if self.st.proc(c).is_some_and(|c| c.stat == PStat::SZOMB) {
                        found = Some(c);
                        break;
                    }
                }
                let init = p.block == INIT_BLOCK;
                match found {
                    Some(c) => {
                        self.set_p2(cpu, c);
                        self.goto(cpu, t);
                    }
                    None if nfound == 0 && !init => self.ret(cpu, ECHILD),
                    None => {}
                }
            }
            CopyOutStatus => {}
            ProcFreeStat => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.stat = PStat::SIDL;
                }
            }
            ProcFreeUnlink => {
                self.st.zombproc.retain(|&p| p != f.p);
                let pp = self.st.proc(f.p).map(|p| p.pptr).unwrap_or(NONE);
                if let Some(parent) = self.st.proc_mut(pp) {
                    parent.children.retain(|&c| c != f.p);
                }
            }
            ProcFreeMem => {
                if let Some(i) = self.st.procs.iter().position(|p| p.pid == f.p) {
                    let p = self.st.procs.remove(i);
                    if let Some((s, sw)) = p.exit_at {
                        let span = (self.step_no - s, self.st.counters.swtch - sw);
                        let c = &mut self.st.counters;
                        if c.exit_to_reap.len() >= EXIT_TO_REAP_KEPT {
                            c.exit_to_reap.remove(0);
                        }
                        c.exit_to_reap.push(span);
                        c.exit_to_reap_sum.0 += span.0;
                        c.exit_to_reap_sum.1 += span.1;
                        self.exit_to_reap.push(span);
                    }
                    if let Some(vm) = p.vmspace.filter(|&v| v != 0) {
                        self.st.vm_free.push(vm);
                    }
                    // committed: the last LWP, detached and LSDEAD, is still on
                    // p_lwps until its lwp_exit2 unlinks it; that write into the
                    // freed proc is the fault (ProcFreedInUse), reported there
                    let design = self.cfg.design;
                    let unexpected = p
                        .lwps
                        .iter()
                        .any(|&l| self.st.lwp(l).is_none_or(|lw| !lw.awaits_unlink(design)));
                    if unexpected {
                        let msg = format!("proc_free: pid {} still has LWPs on p_lwps", p.pid);
                        self.finding(Check::ListMismatch, msg);
                    }
                }
                self.st.counters.reaps += 1;
                self.set_ev(Event::Reaped, f.p);
                self.ret(cpu, 0);
            }
            ZombifyCommitted => {
                self.st.allproc.retain(|&p| p != f.p);
                self.st.zombproc.insert(0, f.p);
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.stat = PStat::SZOMB;
                }
                self.set_ev(Event::Zombie, f.p);
            }
            // exit1's last LWP: off alllwp, detached, uncounted; off p_lwps too except
            // in `committed`, where lwp_exit2 unlinks it (docs/model.md §1)
            DetachLastLwp => self.detach_last_lwp(f, true),
            DetachLastLwpKeepSibling => self.detach_last_lwp(f, false),
            // lwp_exit of a non-last LWP: a detached one is uncounted (and, but in
            // `committed`, unlinked from p_lwps) here
            DetachedUnlinkDec => self.lwp_exit_dead(f, true),
            DetachedDecNlwps => self.lwp_exit_dead(f, false),
            KernelLockIdle => {
                if self.lock_busy_elsewhere(cpu, None) {
                    // another CPU holds it: spin
                    self.again(cpu);
                    self.set_ev(Event::Spin, f.l);
                    return;
                }
                if let Some(h) = self.st.biglock.holder {
                    let msg = format!(
                        "KERNEL_LOCK on cpu{cpu}: the big lock is still held by {}",
                        self.st.lwp_name(h)
                    );
                    self.finding(Check::BigLockDeadOwner, msg);
                }
                self.st.biglock = crate::engine::state::BigLock {
                    holder: None,
                    cpu: Some(cpu as u8),
                };
            }
            KernelUnlockIdleRet => {
                self.st.biglock = crate::engine::state::BigLock::default();
                self.ret(cpu, 0);
            }
            IfDetachedPoolPut(t) => {
                if self
                    .st
                    .lwp(f.l)
                    .is_some_and(|l| l.flags & lflag::L_DETACHED != 0)
                {
                    self.free_lwp(f.l);
                    self.goto(cpu, t);
                }
            }
            ZombLwpCommitted => {
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.stat = LStat::LSZOMB;
                }
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.nzlwps = p.nzlwps.wrapping_add(1);
                }
                self.wakeup(Chan::Nlwps(f.p));
                self.set_ev(Event::LwpZombie, f.l);
            }
            LwpOffAlllwpOnly => self.st.alllwp.retain(|&l| l != f.l),
            ReaperTakeLwp(t) => {
                if self.st.deadlwp.is_empty() {
                    self.goto(cpu, t);
                    return;
                }
                if self.reaper_must_spin(cpu) {
                    return;
                }
                let l = self.st.deadlwp.remove(0);
                let pid = self.st.lwp(l).map(|l| l.pid).unwrap_or(NONE);
                self.reaper_take(cpu, l, pid);
            }
            ReaperTakeProc => {
                if self.reaper_must_spin(cpu) {
                    return;
                }
                if self.st.deadprocs.is_empty() {
                    self.model_error("reaper: deadprocs is empty".into());
                    return;
                }
                let p = self.st.deadprocs.remove(0);
                self.reaper_take(cpu, NONE, p);
            }
            ReaperLwpDone => {
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.stat = LStat::LSZOMB;
                }
                let detached = self
                    .st
                    .lwp(f.l)
                    .is_some_and(|l| l.flags & lflag::L_DETACHED != 0);
                if detached {
                    if let Some(p) = self.st.proc_mut(f.p) {
                        p.lwps.retain(|&l| l != f.l);
                        p.nlwps = p.nlwps.wrapping_sub(1);
                    }
                    self.free_lwp(f.l);
                } else {
                    if let Some(p) = self.st.proc_mut(f.p) {
                        p.nzlwps = p.nzlwps.wrapping_add(1);
                    }
                    self.wakeup(Chan::Nlwps(f.p));
                    self.set_ev(Event::LwpZombie, f.l);
                }
            }
            ReaperUnlock(t) => {
                self.reaper_unlock(cpu);
                self.goto(cpu, t);
            }
            ReaperZombify => {
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.stat = PStat::SZOMB;
                }
                self.set_ev(Event::Zombie, f.p);
            }
            ReaperSignal => self.exit_psignal(f.p),
            ReaperUnlockWakeParent(t) => {
                self.reaper_unlock(cpu);
                let pp = self.st.proc(f.p).map(|p| p.pptr).unwrap_or(1);
                self.ev = (Event::None, 0);
                self.wakeup(Chan::Proc(pp));
                self.goto(cpu, t);
            }
            ReaperCheck => {
                self.st.cpus[cpu].spin_locks = self.st.cpus[cpu].spin_locks.saturating_add(1)
            }
            ReaperIdle(t) => {
                if self.st.deadprocs.is_empty() && self.st.deadlwp.is_empty() {
                    self.goto(cpu, t);
                    let mut s = f;
                    s.func = Func::ltsleep;
                    s.pc = 0;
                    s.sleep = Some(crate::engine::func::Sleep::Reaper);
                    self.stack(cpu).push(s);
                }
            }
        }
    }

    fn reaper_take(&mut self, cpu: usize, l: LwpIdx, p: Pid) {
        if let Some(top) = self.stack(cpu).last_mut() {
            top.l = l;
            top.p = p;
        }
        let c = &mut self.st.cpus[cpu];
        c.spin_locks = c.spin_locks.saturating_sub(1);
        c.critical = c.critical.saturating_add(1);
        if let Some(me) = self.on_lwp(cpu) {
            self.biglock_take(cpu, me);
        }
    }

    /// KERNEL_PROC_LOCK(curlwp) in the reaper while another CPU holds the lock: spin
    /// on this line (the item stays on its list until the lock is taken).
    fn reaper_must_spin(&mut self, cpu: usize) -> bool {
        let me = self.on_lwp(cpu);
        if self.lock_busy_elsewhere(cpu, me) {
            self.again(cpu);
            self.set_ev(Event::Spin, me.unwrap_or(NONE));
            return true;
        }
        false
    }

    fn reaper_unlock(&mut self, cpu: usize) {
        if let Some(me) = self.on_lwp(cpu) {
            self.biglock_release(me);
        }
        let c = &mut self.st.cpus[cpu];
        c.critical = c.critical.saturating_sub(1);
    }

    /// exit1: the last LWP goes on fully detached: off alllwp (and off p_lwps when
    /// `unlink`), L_DETACHED, LSDEAD, no longer counted in p_nrlwps / p_nlwps.
    fn detach_last_lwp(&mut self, f: Frame, unlink: bool) {
        self.st.alllwp.retain(|&l| l != f.l);
        if let Some(p) = self.st.proc_mut(f.p) {
            if unlink {
                p.lwps.retain(|&l| l != f.l);
            }
            p.nrlwps = p.nrlwps.wrapping_sub(1);
            p.nlwps = p.nlwps.wrapping_sub(1);
        }
        if let Some(l) = self.st.lwp_mut(f.l) {
            l.flags |= lflag::L_DETACHED;
            l.stat = LStat::LSDEAD;
        }
    }

    /// lwp_exit of a non-last LWP under p_lwplock: LSDEAD, out of p_nrlwps; a detached
    /// one also out of p_nlwps (and off p_lwps when `unlink`).
    fn lwp_exit_dead(&mut self, f: Frame, unlink: bool) {
        let detached = self
            .st
            .lwp(f.l)
            .is_some_and(|l| l.flags & lflag::L_DETACHED != 0);
        if let Some(p) = self.st.proc_mut(f.p) {
            if detached {
                if unlink {
                    p.lwps.retain(|&l| l != f.l);
                }
                p.nlwps = p.nlwps.wrapping_sub(1);
            }
            p.nrlwps = p.nrlwps.wrapping_sub(1);
        }
        if let Some(l) = self.st.lwp_mut(f.l) {
            l.stat = LStat::LSDEAD;
        }
    }

    /// lwp_wait1's scan, as in kern_lwp.c (2003-2004): detached LWPs are skipped
    /// always (there is no EINVAL: naming a detached LWP finds nothing, ESRCH);
    /// waiting for oneself is EDEADLK; a candidate that sleeps while every other LWP
    /// sleeps in lwp_wait too is EDEADLK. LWPWAIT_EXITCONTROL changes only the sleep's
    /// priority flags in the kernel, nothing of the scan.
    fn lwp_wait_scan(&mut self, cpu: usize, f: Frame, t: u16) {
        let lid = f.arg & !LWPWAIT_EXITCONTROL;
        let Some(p) = self.st.proc(f.p) else { return };
        let me = self.st.lwp(f.l).map(|l| l.lid);
        if lid != 0 && me == Some(lid) {
            self.ret(cpu, EDEADLK);
            return;
        }
        let mut nfound = 0;
        let mut found = None;
        let mut deadlock = false;
        for &l2 in &p.lwps {
            let Some(lw) = self.st.lwp(l2) else { continue };
            if l2 == f.l || lw.flags & lflag::L_DETACHED != 0 || (lid != 0 && lw.lid != lid) {
                continue;
            }
            nfound += 1;
            if lw.stat == LStat::LSZOMB {
                found = Some(l2);
                break;
            }
            if lw.stat == LStat::LSSLEEP {
                // 1. If all other LWPs are waiting for exits, we would deadlock.
                let everyone_waits = p
                    .lwps
                    .iter()
                    .filter(|&&l3| l3 != f.l)
                    .filter_map(|&l3| self.st.lwp(l3))
                    .all(|l3| l3.stat == LStat::LSSLEEP && l3.wchan == Some(Chan::Nlwps(f.p)));
                if everyone_waits {
                    deadlock = true;
                    break;
                }
            }
        }
        if deadlock {
            self.ret(cpu, EDEADLK);
            return;
        }
        if let Some(l2) = found {
            if let Some(top) = self.stack(cpu).last_mut() {
                top.l2 = l2;
            }
            self.goto(cpu, t);
            return;
        }
        if nfound == 0 {
            self.ret(cpu, ESRCH);
        } else {
            self.set_ev(Event::LwpScan, nfound);
        }
    }

    /// Move the first child to init; returns its pid.
    fn reparent_first(&mut self, pid: Pid) -> Option<Pid> {
        let q = {
            let p = self.st.proc_mut(pid)?;
            if p.children.is_empty() {
                return None;
            }
            p.children.remove(0)
        };
        if let Some(c) = self.st.proc_mut(q) {
            c.pptr = 1;
        }
        if let Some(init) = self.st.proc_mut(1) {
            init.children.insert(0, q);
        }
        Some(q)
    }

    /// exit_psignal(p, p->p_pptr): SIGCHLD to the parent unless P_FSTRACE / no exitsig.
    fn exit_psignal(&mut self, pid: Pid) {
        let Some(p) = self.st.proc(pid) else { return };
        if p.flags & pflag::P_FSTRACE != 0 || p.exitsig == 0 {
            return;
        }
        let pp = p.pptr;
        if let Some(parent) = self.st.proc_mut(pp) {
            parent.sigchld = parent.sigchld.wrapping_add(1);
        }
        self.set_ev(Event::Signal, pp);
    }

    pub(crate) fn set_p2(&mut self, cpu: usize, pid: Pid) {
        if let Some(top) = self.stack(cpu).last_mut() {
            top.p2 = pid;
        }
    }

    /// lwp_wait1's `found:` line on `cpu` is about to unlink and free `f.l2`: a fault when
    /// another CPU is still inside lwp_exit2 for that LWP. It can happen on two CPUs in
    /// `patch`, whose lwp_exit2 runs without the big lock: `l->l_stat = LSZOMB` is
    /// visible to lwp_wait1 before `p->p_nzlwps++` (the count goes below zero) and
    /// before lwp_exit2 is done with `l` (the LWP goes back to lwp_pool under it).
    /// `committed` takes KERNEL_LOCK in lwp_exit2, which closes the window.
    fn check_reap_during_lwp_exit2(&mut self, cpu: usize, f: Frame) {
        if let Some(other) = self.cpu_in_lwp_exit2(f.l2, Some(cpu)) {
            let nzlwps = self.st.proc(f.p).map_or(0, |p| p.nzlwps);
            let msg = format!(
                "lwp_wait1 on cpu{cpu} collects LWP {} while lwp_exit2 for it still runs on cpu{other}: it is LSZOMB \
                 but not counted in p_nzlwps ({}), and it goes back to lwp_pool while lwp_exit2 still uses it",
                self.st.lwp_name(f.l2),
                if nzlwps == 0 { "p_nzlwps-- on 0 goes below zero".to_string() } else { format!("p_nzlwps-- on {nzlwps} uncounts another zombie") },
            );
            self.finding(Check::LwpReapedInExit2, msg);
        }
    }

    /// The CPU (other than `except`) where lwp_exit2 for `l` is running: switch_exit
    /// calls it on the idle PCB's stack.
    fn cpu_in_lwp_exit2(&self, l: LwpIdx, except: Option<usize>) -> Option<usize> {
        (0..self.st.cpus.len())
            .filter(|&c| Some(c) != except)
            .find(|&c| {
                self.st.cpus[c]
                    .idle_frames
                    .iter()
                    .any(|fr| fr.func == Func::lwp_exit2 && fr.l == l)
            })
    }

    fn stack_has(&mut self, cpu: usize, func: Func) -> bool {
        self.stack(cpu).iter().any(|fr| fr.func == func)
    }

    /// pool_put(&lwp_pool, l).
    pub(crate) fn free_lwp(&mut self, l: LwpIdx) {
        let Some(lw) = self.st.lwp(l) else {
            // lwp_wait1 never collects a detached LWP, so the kernel code never frees
            // one twice (docs/model.md §10): a double free here is a bug of the model.
            self.model_error(format!("pool_put of a freed LWP #{l}"));
            return;
        };
        if lw.owns_uarea {
            let msg = format!(
                "pool_put: {} still owns u-area {:#010x}: it is lost",
                self.st.lwp_name(l),
                lw.uarea
            );
            self.finding(Check::UareaLeak, msg);
        }
        if self.st.biglock.holder == Some(l) {
            let msg = format!("pool_put: {} still holds the big lock", self.st.lwp_name(l));
            self.finding(Check::BigLockDeadOwner, msg);
        }
        if let Some(i) = self
            .st
            .gdt
            .slots
            .iter()
            .position(|s| *s == crate::arch_i386::SlotState::Tss(l))
        {
            let slot = crate::arch_i386::gdt::NGDT + i as u16;
            let msg = format!(
                "pool_put: {} goes away still owning GDT slot {slot} (its TSS): nothing will ever free that slot",
                self.st.lwp_name(l)
            );
            self.finding(Check::TssLeak, msg);
        }
        self.st.lwps[l as usize].freed = true;
        self.st.lwps[l as usize].kstack.clear();
        self.st.lwp_free.push(l);
        self.dirty |= crate::engine::sim::DIRTY_UAREA;
        self.set_ev(Event::LwpFreed, l);
    }

    /// proc_alloc's pid: the next unused pid, wrapping at PID_MAX.
    fn alloc_pid(&mut self) -> Pid {
        for _ in 0..PID_MAX {
            let pid = self.st.next_pid;
            self.st.next_pid = if pid + 1 >= PID_MAX {
                crate::engine::sim::FIRST_USER_PID
            } else {
                pid + 1
            };
            if self.st.proc(pid).is_none() {
                return pid;
            }
        }
        PID_MAX
    }
}
