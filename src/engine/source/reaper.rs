//! Pseudo-source of the functions as they were before the patch (design `reaper`):
//! exit2 queues the dead proc and LWP, the reaper kthread frees them.

use super::{g, s};
use crate::engine::func::{Arg, Body, Func, Line, Op::*, ProcOp::*, SchedOp::*, VmOp::*, Sleep};
use crate::engine::state::lflag;

const SYS_WAIT4: &[Line] = &[
    s(
        "error = find_stopped_child(parent, SCARG(uap, pid), SCARG(uap, options), &child);",
        Call(Func::find_stopped_child, Arg::Same),
    ),
    s("if (error != 0) return (error);", RetIfErr),
    s("retval[0] = child->p_pid; copyout(&child->p_xstat, SCARG(uap, status), ...);", Proc(CopyOutStatus)),
    s("proc_free(child); return (0);", Call(Func::proc_free, Arg::P2)),
];

const UVM_UAREA_ALLOC: &[Line] = &[
    s("simple_lock(&uvm_uareas_slock);", Sched(SimpleLock)),
    s(
        "uaddr = uvm_uareas; if (uaddr) { uvm_uareas = *(void **)uaddr; uvm_nuarea--; simple_unlock(&uvm_uareas_slock); return (TRUE); }",
        Vm(UareaCacheTake),
    ),
    s("simple_unlock(&uvm_uareas_slock);", Sched(SimpleUnlock)),
    s("*uaddrp = uvm_km_valloc(kernel_map, USPACE);  /* may sleep */ return (FALSE);", Vm(KmValloc)),
];

const EXIT1: &[Line] = &[
    s("if (__predict_false(p == initproc)) panic(\"init died (signal %d, exit %d)\", ...);\np->p_flag |= P_WEXIT;", Proc(SetWexit)),
    s("p->p_ru = pool_get(&rusage_pool, PR_WAITOK);  /* may sleep */", MaySleep("pool_get(&rusage_pool, PR_WAITOK)")),
    s("sigfillset(&p->p_sigctx.ps_sigignore); sigemptyset(&p->p_sigctx.ps_siglist); timers_free(p, TIMERS_ALL);", Nop),
    s("if (sa || p->p_nlwps > 1)", Proc(IfMultiLwp(5))),
    s("    exit_lwps(l);", Call(Func::exit_lwps, Arg::Same)),
    s("fdfree(p); cwdfree(p->p_cwdi); ...  /* files, cwd, session, accounting: may sleep */", MaySleep("fdfree")),
    g("q = LIST_FIRST(&p->p_children); if (q) wakeup(initproc);  /* only needed if a child is a zombie */", Proc(WakeInitIfChildren)),
    s("for (q = LIST_FIRST(&p->p_children); q != NULL; q = nq) proc_reparent(q, initproc);", Proc(ReparentLoop)),
    s("p->p_xstat = rv; *p->p_ru = p->p_stats->p_ru; ruadd(p->p_ru, &p->p_stats->p_cru);", Proc(SetXstat)),
    s("/* NOTE: WE ARE NO LONGER ALLOWED TO SLEEP! */", Proc(NoLongerSleep)),
    s("s = proclist_lock_write();", Sched(ProclistLock)),
    g("p->p_stat = SDEAD; p->p_nrlwps--; l->l_stat = LSDEAD;  /* SDEAD hides it from pfind() */", Proc(DeadReaper)),
    s("LIST_REMOVE(p, p_list); LIST_INSERT_HEAD(&zombproc, p, p_list);", Proc(ProcToZombproc)),
    g("LIST_REMOVE(l, l_list); l->l_flag |= L_DETACHED;  /* off alllwp */", Proc(LwpOffAlllwpFlags(lflag::L_DETACHED))),
    s("proclist_unlock_write(s);", Sched(ProclistUnlock)),
    s("KNOTE(&p->p_klist, NOTE_EXIT); sigactsfree(p); limfree(p->p_limit); pstatsfree(p->p_stats);", Nop),
    g("KERNEL_PROC_UNLOCK(l);", Sched(BigUnlock)),
    s("cpu_exit(l, 1);  /* switch away for good */", CallArg(Func::cpu_exit, Arg::Same, 1)),
];

const LWP_EXIT: &[Line] = &[
    s(
        "if (p->p_nlwps - p->p_nzlwps == 1 && (p->p_flag & P_WEXIT) == 0) exit1(l, 0);  /* the last LWP: the process exits */",
        Proc(LastLwpExit1),
    ),
    s("s = proclist_lock_write(); LIST_REMOVE(l, l_list);  /* off alllwp */", Proc(LwpOffAlllwpLocked)),
    g("if ((l->l_flag & L_DETACHED) == 0) LIST_INSERT_HEAD(&zomblwp, l, l_zlist);", Proc(ZomblwpPush)),
    s("proclist_unlock_write(s);", Sched(ProclistUnlock)),
    s("simple_lock(&p->p_lwplock); p->p_nrlwps--; l->l_stat = LSDEAD; simple_unlock(&p->p_lwplock);", Proc(LwpExitDecNrlwps)),
    s("KERNEL_PROC_UNLOCK(l);", Sched(BigUnlock)),
    s("cpu_exit(l, 0);  /* switch away for good */", CallArg(Func::cpu_exit, Arg::Same, 0)),
];

const LWP_WAIT1: &[Line] = &[
    s(
        "if (lid == l->l_lid) return (EDEADLK);  /* waiting for ourselves */\nLIST_FOREACH(l2, &p->p_lwps, l_sibling) {\n    if ((l2 == l) || (l2->l_flag & L_DETACHED) || ((lid != 0) && (lid != l2->l_lid))) continue;\n    nfound++; if (l2->l_stat == LSZOMB) goto found;\n    if (l2->l_stat == LSSLEEP && every other LWP sleeps on &p->p_nlwps) return (EDEADLK); }\nif (nfound == 0) return (ESRCH);",
        Proc(LwpWaitScan(3)),
    ),
    s("error = tsleep(&p->p_nlwps, wpri, (lid != 0) ? \"lwpwait\" : \"lwpwait2\", 0);", Tsleep(Sleep::LwpWait)),
    s("if (error) return (error);  /* else scan again */", RetIfErrOrGoto(0)),
    g("found: s = proclist_lock_write(); LIST_REMOVE(l2, l_zlist); proclist_unlock_write(s);  /* off zomblwp */", Proc(LwpZlistRemove)),
    s("simple_lock(&p->p_lwplock); LIST_REMOVE(l2, l_sibling); p->p_nlwps--; p->p_nzlwps--; simple_unlock(&p->p_lwplock);", Proc(LwpWaitReap)),
    s("pool_put(&lwp_pool, l2); return (0);", Proc(PoolPutL2Ret)),
];

const CPU_EXIT: &[Line] = &[
    s("if (l->l_addr->u_pcb.pcb_fpcpu != NULL) npxsave_lwp(l, 0);  /* drop the FPU */", Nop),
    g("pmap_deactivate(l);  /* before the reaper frees the vmspace */", Vm(PmapDeactivate)),
    s("uvmexp.swtch++;", Sched(SwtchInc)),
    g("switch_exit(l, proc ? exit2 : lwp_exit2);", Call(Func::switch_exit, Arg::Same)),
];

const SWITCH_EXIT: &[Line] = &[
    s("movl $0, _C_LABEL(curlwp)  /* in case we fault */", Sched(ClearCurlwp)),
    s("cli", Sched(Cli)),
    s("movl PCB_ESP(idle_pcb), %esp  /* off the dead LWP's stack, onto the idle PCB's */", Sched(LoadIdleStack)),
    s("movl PCB_CR3(idle_pcb), %cr3  /* the kernel's page directory */", Sched(LoadIdleCr3)),
    s("andl $~0x0200, 4(idle_tss_desc); ltr %dx  /* TR: the idle TSS */", Sched(LoadIdleTr)),
    s("movl idle_pcb, _C_LABEL(curpcb); sti", Sched(IdlePcbSti)),
    g("call *%edi  /* exit2(l) or lwp_exit2(l) */", Sched(CallExitFn)),
    s("jmp idle_start  /* find something else to run */", Sched(SwitchExitDone)),
];

const EXIT2: &[Line] = &[
    g("simple_lock(&deadproc_slock);", Sched(SimpleLock)),
    g("SLIST_INSERT_HEAD(&deadprocs, p, p_dead);", Proc(DeadprocsPush)),
    g("simple_unlock(&deadproc_slock);", Sched(SimpleUnlock)),
    g("lwp_exit2(l);  /* wakes the reaper */", Call(Func::lwp_exit2, Arg::Same)),
    g("return;", Ret),
];

const LWP_EXIT2: &[Line] = &[
    g("simple_lock(&deadproc_slock);", Sched(SimpleLock)),
    g("LIST_INSERT_HEAD(&deadlwp, l, l_list);", Proc(DeadlwpPush)),
    g("simple_unlock(&deadproc_slock);", Sched(SimpleUnlock)),
    g("wakeup(&deadprocs);  /* the reaper does the rest */", Proc(WakeReaper)),
    g("return;", Ret),
];

const REAPER: &[Line] = &[
    g("for (;;) { simple_lock(&deadproc_slock); p = SLIST_FIRST(&deadprocs); l = LIST_FIRST(&deadlwp);", Proc(ReaperCheck)),
    g(
        "    if (p == NULL && l == NULL) { ltsleep(&deadprocs, PVM | PNORELOCK, \"reaper\", 0, &deadproc_slock); continue; }",
        Proc(ReaperIdle(0)),
    ),
    g("    if (l != NULL) { LIST_REMOVE(l, l_list); simple_unlock(&deadproc_slock); KERNEL_PROC_LOCK(curlwp);", Proc(ReaperTakeLwp(7))),
    g("        cpu_wait(l);  /* the TSS, before the u-area it lives in */", Call(Func::cpu_wait, Arg::Same)),
    g("        uvm_lwp_exit(l);  /* the u-area: to the cache, or uvm_km_free() */", Call(Func::uvm_lwp_exit, Arg::Same)),
    g(
        "        l->l_stat = LSZOMB;\n        if (l->l_flag & L_DETACHED) { LIST_REMOVE(l, l_sibling); p->p_nlwps--; pool_put(&lwp_pool, l); }\n        else { p->p_nzlwps++; wakeup(&p->p_nlwps); }",
        Proc(ReaperLwpDone),
    ),
    g("        KERNEL_PROC_UNLOCK(curlwp); continue; }", Proc(ReaperUnlock(0))),
    g("    SLIST_REMOVE_HEAD(&deadprocs, p_dead); simple_unlock(&deadproc_slock); KERNEL_PROC_LOCK(curlwp);", Proc(ReaperTakeProc)),
    g("    uvm_proc_exit(p);  /* the vmspace: may block, so a real thread does it */", Call(Func::uvm_proc_exit, Arg::Same)),
    g("    p->p_stat = SZOMB;  /* a true zombie: the parent may collect it */", Proc(ReaperZombify)),
    g("    if ((p->p_flag & P_FSTRACE) == 0 && p->p_exitsig != 0) exit_psignal(p, p->p_pptr);", Proc(ReaperSignal)),
    g("    KERNEL_PROC_UNLOCK(curlwp); wakeup(p->p_pptr); }", Proc(ReaperUnlockWakeParent(0))),
];

const UVM_PAGEOUT: &[Line] = &[
    s("for (;;) { ltsleep(&uvm.pagedaemon, PVM, \"pgdaemon\", 0, &uvm_pagedaemon_lock);", Tsleep(Sleep::Pagedaemon)),
    s("    uvmpd_scan();  /* page scanning: not modelled */", Nop),
    s("    wakeup(&uvmexp.free);", Vm(WakeFree)),
    s("    pool_drain(0); }", Goto(0)),
];

const UVM_UAREA_FREE: &[Line] = &[
    s("simple_lock(&uvm_uareas_slock);", Sched(SimpleLock)),
    g("if (uvm_nuarea < UVM_NUAREA_MAX) {", Vm(IfCacheRoom(4))),
    s("    *(void **)uaddr = uvm_uareas; uvm_uareas = (void *)uaddr; uvm_nuarea++;", Vm(CachePush)),
    s("    simple_unlock(&uvm_uareas_slock); return; }", Sched(SimpleUnlockRet)),
    g("simple_unlock(&uvm_uareas_slock);", Sched(SimpleUnlock)),
    g("uvm_km_free(kernel_map, uaddr, USPACE);  /* may sleep: fine in the reaper */", Vm(KmFree)),
    g("return;", Ret),
];

const CPU_WAIT: &[Line] = &[
    s("tss_free(l->l_md.md_tss_sel);  /* nuke the TSS */", Vm(TssFreeCall)),
    s("return;", Ret),
];

pub(super) fn body(func: Func) -> Option<&'static Body> {
    let b: &'static Body = match func {
        Func::sys_wait4 => body_of!("int sys_wait4(struct lwp *l, void *v, register_t *retval)", "kern/kern_exit.c", SYS_WAIT4),
        Func::uvm_uarea_alloc => body_of!("boolean_t uvm_uarea_alloc(vaddr_t *uaddrp)", "uvm/uvm_glue.c", UVM_UAREA_ALLOC),
        Func::exit1 => body_of!("void exit1(struct lwp *l, int rv)", "kern/kern_exit.c", EXIT1),
        Func::lwp_exit => body_of!("void lwp_exit(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT),
        Func::lwp_wait1 => body_of!("int lwp_wait1(struct lwp *l, lwpid_t lid, lwpid_t *departed, int flags)", "kern/kern_lwp.c", LWP_WAIT1),
        Func::cpu_exit => body_of!("void cpu_exit(struct lwp *l, int proc)", "arch/i386/i386/vm_machdep.c", CPU_EXIT),
        Func::switch_exit => body_of!("ENTRY(switch_exit)  /* (struct lwp *l, void (*exit)(struct lwp *)) */", "arch/i386/i386/locore.s", SWITCH_EXIT),
        Func::exit2 => body_of!("void exit2(struct lwp *l)", "kern/kern_exit.c", EXIT2),
        Func::lwp_exit2 => body_of!("void lwp_exit2(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT2),
        Func::reaper => body_of!("void reaper(void *arg)  /* the reaper kernel thread */", "kern/kern_exit.c", REAPER),
        Func::uvm_pageout => body_of!("void uvm_pageout(void *arg)  /* the pagedaemon kernel thread */", "uvm/uvm_pdaemon.c", UVM_PAGEOUT),
        Func::uvm_uarea_free => body_of!("void uvm_uarea_free(vaddr_t uaddr)", "uvm/uvm_glue.c", UVM_UAREA_FREE),
        Func::cpu_wait => body_of!("void cpu_wait(struct lwp *l)", "arch/i386/i386/vm_machdep.c", CPU_WAIT),
        _ => return None,
    };
    Some(b)
}
