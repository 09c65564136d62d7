//! Pseudo-source of the functions as the patch of 2003-11-02 leaves them (design
//! `patch`): the exiting process frees its own vmspace and TSS, lwp_exit2 puts the
//! u-area on the cache, uvm_uarea_drain gives the excess back from sleepable places.

use super::{n, s};
use crate::engine::func::{Arg, Body, Func, Line, Op::*, ProcOp::*, SchedOp::*, VmOp::*, Sleep};
use crate::engine::state::{lflag, LStat};

const SYS_WAIT4: &[Line] = &[
    s(
        "error = find_stopped_child(parent, SCARG(uap, pid), SCARG(uap, options), &child);",
        Call(Func::find_stopped_child, Arg::Same),
    ),
    s("if (error != 0) return (error);", RetIfErr),
    n("uvm_uarea_drain(FALSE);  /* collect child u-areas */", CallArg(Func::uvm_uarea_drain, Arg::Same, 0)),
    s("retval[0] = child->p_pid; copyout(&child->p_xstat, SCARG(uap, status), ...);", Proc(CopyOutStatus)),
    s("proc_free(child); return (0);", Call(Func::proc_free, Arg::P2)),
];

const UVM_UAREA_ALLOC: &[Line] = &[
    s("simple_lock(&uvm_uareas_slock);", Sched(SimpleLock)),
    n(
        "if (uvm_nuarea > 0) { uaddr = uvm_uareas; uvm_uareas = *(void **)uaddr; uvm_nuarea--; simple_unlock(&uvm_uareas_slock); return (TRUE); }",
        Vm(UareaCacheTake),
    ),
    s("simple_unlock(&uvm_uareas_slock);", Sched(SimpleUnlock)),
    s("*uaddrp = uvm_km_valloc(kernel_map, USPACE);  /* may sleep */ return (FALSE);", Vm(KmValloc)),
];

const EXIT1: &[Line] = &[
    s("if (__predict_false(p == initproc)) panic(\"init died (signal %d, exit %d)\", ...);\np->p_flag |= P_WEXIT;", Proc(SetWexit)),
    s("p->p_ru = pool_get(&rusage_pool, PR_WAITOK);  /* may sleep */", MaySleep("pool_get(&rusage_pool, PR_WAITOK)")),
    s("sigfillset(&p->p_sigctx.ps_sigignore); sigemptyset(&p->p_sigctx.ps_siglist); timers_free(p, TIMERS_ALL);", Nop),
    n("if (sa || p->p_nlwps > 1) {", Proc(IfMultiLwp(6))),
    s("    exit_lwps(l);", Call(Func::exit_lwps, Arg::Same)),
    n("    uvm_uarea_drain(FALSE); }  /* collect thread u-areas */", CallArg(Func::uvm_uarea_drain, Arg::Same, 0)),
    s("fdfree(p); cwdfree(p->p_cwdi); ...  /* files, cwd, session, accounting: may sleep */", MaySleep("fdfree")),
    n("for (q = LIST_FIRST(&p->p_children); q != NULL; q = nq) { proc_reparent(q, initproc);", Proc(ReparentNext(9))),
    n(
        "    if (q->p_stat == SZOMB) { if ((q->p_flag & P_FSTRACE) == 0 && q->p_exitsig != 0) exit_psignal(q, q->p_pptr); wakeup(q->p_pptr); } }",
        Proc(NotifyZombieOrphan(7)),
    ),
    n("pmap_deactivate(l);  /* before the vmspace is freed; we run on it until switch_exit() */", Vm(PmapDeactivate)),
    n("uvm_proc_exit(p);  /* free the vmspace from our own context: may block */", Call(Func::uvm_proc_exit, Arg::Same)),
    n("cpu_wait(l);  /* MD resources while we can still block: THIS IS LAST BLOCKING OPERATION */", Call(Func::cpu_wait, Arg::Same)),
    n("/* NOTE: WE ARE NO LONGER ALLOWED TO SLEEP! */", Proc(NoLongerSleep)),
    s("p->p_xstat = rv; *p->p_ru = p->p_stats->p_ru; ruadd(p->p_ru, &p->p_stats->p_cru);", Proc(SetXstat)),
    s("s = proclist_lock_write();", Sched(ProclistLock)),
    s("l->l_stat = LSDEAD;", Proc(SetLStat(LStat::LSDEAD))),
    s("LIST_REMOVE(p, p_list); LIST_INSERT_HEAD(&zombproc, p, p_list);", Proc(ProcToZombproc)),
    n("LIST_REMOVE(l, l_list); l->l_flag |= L_DETACHED | L_PROCEXIT;", Proc(LwpOffAlllwpFlags(lflag::L_DETACHED | lflag::L_PROCEXIT))),
    n("p->p_stat = SZOMB; p->p_nrlwps--; p->p_nlwps--;  /* ready to be collected */", Proc(ZombifyPatch)),
    s("proclist_unlock_write(s);", Sched(ProclistUnlock)),
    n("if ((p->p_flag & P_FSTRACE) == 0 && p->p_exitsig != 0) exit_psignal(p, p->p_pptr);\nwakeup(p->p_pptr);", Proc(NotifyParent)),
    s("KNOTE(&p->p_klist, NOTE_EXIT); sigactsfree(p); limfree(p->p_limit); pstatsfree(p->p_stats);", Nop),
    n("cpu_exit(l, 1);  /* KERNEL_PROC_LOCK still held: lwp_exit2() drops it */", CallArg(Func::cpu_exit, Arg::Same, 1)),
];

const LWP_EXIT: &[Line] = &[
    s(
        "if (p->p_nlwps - p->p_nzlwps == 1 && (p->p_flag & P_WEXIT) == 0) exit1(l, 0);  /* the last LWP: the process exits */",
        Proc(LastLwpExit1),
    ),
    s("s = proclist_lock_write(); LIST_REMOVE(l, l_list);  /* off alllwp */", Proc(LwpOffAlllwpLocked)),
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
    s("found: simple_lock(&p->p_lwplock); LIST_REMOVE(l2, l_sibling); p->p_nlwps--; p->p_nzlwps--; simple_unlock(&p->p_lwplock);", Proc(LwpWaitReap)),
    s("pool_put(&lwp_pool, l2); return (0);", Proc(PoolPutL2Ret)),
];

const CPU_EXIT: &[Line] = &[
    s("if (l->l_addr->u_pcb.pcb_fpcpu != NULL) npxsave_lwp(l, 0);  /* drop the FPU */", Nop),
    s("uvmexp.swtch++;", Sched(SwtchInc)),
    n("switch_exit(l, lwp_exit2);", Call(Func::switch_exit, Arg::Same)),
];

const SWITCH_EXIT: &[Line] = &[
    s("movl $0, _C_LABEL(curlwp)  /* in case we fault */", Sched(ClearCurlwp)),
    s("cli", Sched(Cli)),
    s("movl PCB_ESP(idle_pcb), %esp  /* off the dead LWP's stack, onto the idle PCB's */", Sched(LoadIdleStack)),
    s("movl PCB_CR3(idle_pcb), %cr3  /* the kernel's page directory */", Sched(LoadIdleCr3)),
    s("andl $~0x0200, 4(idle_tss_desc); ltr %dx  /* TR: the idle TSS */", Sched(LoadIdleTr)),
    s("movl idle_pcb, _C_LABEL(curpcb); sti", Sched(IdlePcbSti)),
    n("call lwp_exit2  /* lwp_exit2(l), for an LWP and for a process alike */", Sched(CallExitFn)),
    s("jmp idle_start  /* find something else to run */", Sched(SwitchExitDone)),
];

const LWP_EXIT2: &[Line] = &[
    n("uvm_lwp_exit(l);  /* the u-area onto the cache list: never blocks */", Call(Func::uvm_lwp_exit, Arg::Same)),
    n("l->l_stat = LSZOMB;", Proc(SetLStat(LStat::LSZOMB))),
    n("if (l->l_flag & L_DETACHED) {", Proc(IfDetached(6))),
    n("    LIST_REMOVE(l, l_sibling);  /* nobody waits for detached LWPs */", Proc(UnlinkSibling)),
    n("    if ((l->l_flag & L_PROCEXIT) == 0) p->p_nlwps--;\n    else KERNEL_PROC_UNLOCK(l);  /* release the big lock before the LWP goes */", Proc(ProcexitUnlockOrDecNlwps)),
    n("    pool_put(&lwp_pool, l); return; }", Proc(PoolPutLRet)),
    n("p->p_nzlwps++; wakeup(&p->p_nlwps);  /* lwp_wait1() may collect it */", Proc(NzlwpsIncWake)),
];

const UVM_PAGEOUT: &[Line] = &[
    s("for (;;) { ltsleep(&uvm.pagedaemon, PVM, \"pgdaemon\", 0, &uvm_pagedaemon_lock);", Tsleep(Sleep::Pagedaemon)),
    s("    uvmpd_scan();  /* page scanning: not modelled */", Nop),
    s("    wakeup(&uvmexp.free);", Vm(WakeFree)),
    s("    pool_drain(0);", Nop),
    n("    uvm_uarea_drain(TRUE); }  /* free any cached u-areas we don't need */", CallArgGoto(Func::uvm_uarea_drain, 1, 0)),
];

const UVM_UAREA_FREE: &[Line] = &[
    s("simple_lock(&uvm_uareas_slock);", Sched(SimpleLock)),
    n("*(void **)uaddr = uvm_uareas; uvm_uareas = (void *)uaddr; uvm_nuarea++;  /* never blocks */", Vm(CachePush)),
    n("simple_unlock(&uvm_uareas_slock); return;", Sched(SimpleUnlockRet)),
];

const UVM_UAREA_DRAIN: &[Line] = &[
    n("leave = empty ? 0 : UVM_NUAREA_MAX; if (uvm_nuarea <= leave) return;", Vm(DrainCheck)),
    n("simple_lock(&uvm_uareas_slock);", Sched(SimpleLock)),
    n("while (uvm_nuarea > leave) { uaddr = uvm_uareas; uvm_uareas = *(void **)uaddr; uvm_nuarea--;", Vm(DrainPop(5))),
    n("    simple_unlock(&uvm_uareas_slock); uvm_km_free(kernel_map, uaddr, USPACE);  /* may sleep */", Vm(DrainFree)),
    n("    simple_lock(&uvm_uareas_slock); }", Sched(SimpleLockGoto(2))),
    n("simple_unlock(&uvm_uareas_slock); return;", Sched(SimpleUnlockRet)),
];

const CPU_WAIT: &[Line] = &[
    s("tss_free(l->l_md.md_tss_sel);  /* nuke the TSS */", Vm(TssFreeCall)),
    n("#ifdef DEBUG\nl->l_md.md_tss_sel = 0xdeadbeef;  /* catch any later use */\n#endif", Vm(PoisonTssRet)),
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
        Func::lwp_exit2 => body_of!("void lwp_exit2(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT2),
        Func::uvm_pageout => body_of!("void uvm_pageout(void *arg)  /* the pagedaemon kernel thread */", "uvm/uvm_pdaemon.c", UVM_PAGEOUT),
        Func::uvm_uarea_free => body_of!("static void uvm_uarea_free(vaddr_t uaddr)", "uvm/uvm_glue.c", UVM_UAREA_FREE),
        Func::uvm_uarea_drain => body_of!("void uvm_uarea_drain(boolean_t empty)", "uvm/uvm_glue.c", UVM_UAREA_DRAIN),
        Func::cpu_wait => body_of!("void cpu_wait(struct lwp *l)", "arch/i386/i386/vm_machdep.c", CPU_WAIT),
        _ => return None,
    };
    Some(b)
}
