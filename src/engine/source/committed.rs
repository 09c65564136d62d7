//! Pseudo-source of the functions the revised patch changed, as committed on
//! 2004-01-04 (design `committed`; everything else is as in `patch`). Lines marked
//! `New` differ from the code before the patch. No 2004 text of these files is stored
//! anywhere we could search: the lines follow M5, the commit message C1, the posted
//! patch and the 2006-7 sources (S12, S13, S18), and the last LWP's unlink from
//! `p_lwps` is left in `lwp_exit2`, where the early-2004 fix for PRs kern/24329 and
//! kern/24574 says it was ("remove curlwp from p_lwps in exit1() rather than letting
//! lwp_exit2() do so"). Which source each line rests on: docs/fidelity.md.

use super::{n, s};
use crate::engine::func::{Arg, Body, Func, Line, Op::*, ProcOp::*, SchedOp::*, VmOp::*};

const EXIT1: &[Line] = &[
    s("if (__predict_false(p == initproc)) panic(\"init died (signal %d, exit %d)\", ...);\np->p_flag |= P_WEXIT;", Proc(SetWexit)),
    s("p->p_ru = pool_get(&rusage_pool, PR_WAITOK);  /* may sleep */", MaySleep("pool_get(&rusage_pool, PR_WAITOK)")),
    s("sigfillset(&p->p_sigctx.ps_sigignore); sigemptyset(&p->p_sigctx.ps_siglist); timers_free(p, TIMERS_ALL);", Nop),
    n("if (sa || p->p_nlwps > 1) {", Proc(IfMultiLwp(6))),
    s("    exit_lwps(l);", Call(Func::exit_lwps, Arg::Same)),
    n("    uvm_uarea_drain(FALSE); }  /* collect thread u-areas */", CallArg(Func::uvm_uarea_drain, Arg::Same, 0)),
    s("fdfree(p); cwdfree(p->p_cwdi); ...  /* files, cwd, session, accounting: may sleep */", MaySleep("fdfree")),
    n("uvm_proc_exit(p);  /* onto proc0's vmspace, then free ours: may block */", Call(Func::uvm_proc_exit, Arg::Same)),
    s("sigactsfree(p); crfree(p->p_cred);", Nop),
    n("cpu_lwp_free(l, 1);  /* MD resources, the TSS: THIS IS LAST BLOCKING OPERATION */", CallArg(Func::cpu_lwp_free, Arg::Same, 1)),
    n("pmap_deactivate(l);", Vm(PmapDeactivate)),
    s("/* NOTE: WE ARE NO LONGER ALLOWED TO SLEEP! */", Proc(NoLongerSleep)),
    s("p->p_xstat = rv; *p->p_ru = p->p_stats->p_ru; ruadd(p->p_ru, &p->p_stats->p_cru);", Proc(SetXstat)),
    s("s = proclist_lock_write();", Sched(ProclistLock)),
    s("q = LIST_FIRST(&p->p_children); if (q) wakeup(initproc);  /* init collects orphans, zombies included */", Proc(WakeInitIfChildren)),
    s("for (q = LIST_FIRST(&p->p_children); q != NULL; q = nq) proc_reparent(q, initproc);", Proc(ReparentLoop)),
    n("LIST_REMOVE(p, p_list); LIST_INSERT_HEAD(&zombproc, p, p_list); p->p_stat = SZOMB;  /* collectable now */", Proc(ZombifyCommitted)),
    n(
        "LIST_REMOVE(l, l_list); l->l_flag |= L_DETACHED; l->l_stat = LSDEAD;\np->p_nrlwps--; p->p_nlwps--;  /* the last LWP goes on fully detached, still on p_lwps */",
        Proc(DetachLastLwpKeepSibling),
    ),
    s("proclist_unlock_write(s);  /* from here on, p may be collected and freed */", Sched(ProclistUnlock)),
    n("if ((p->p_flag & P_FSTRACE) == 0 && p->p_exitsig != 0) kpsignal(p->p_pptr, &ksi, NULL);\nwakeup(p->p_pptr);", Proc(NotifyParent)),
    n("KERNEL_PROC_UNLOCK(l);  /* before the MD code: cpu_exit needs no process context */", Sched(BigUnlock)),
    n("uvmexp.swtch++;  /* counted in MI code now */", Sched(SwtchInc)),
    n("cpu_exit(l);  /* switch_exit(l, lwp_exit2) */", Call(Func::cpu_exit, Arg::Same)),
];

const LWP_EXIT: &[Line] = &[
    s(
        "if (p->p_nlwps - p->p_nzlwps == 1 && (p->p_flag & P_WEXIT) == 0) exit1(l, 0);  /* the last LWP: the process exits */",
        Proc(LastLwpExit1),
    ),
    s("s = proclist_lock_write(); LIST_REMOVE(l, l_list); proclist_unlock_write(s);  /* off alllwp */", Proc(LwpOffAlllwpOnly)),
    n("cpu_lwp_free(l, 0);  /* the TSS, while we can still block */", CallArg(Func::cpu_lwp_free, Arg::Same, 0)),
    n("pmap_deactivate(l);", Vm(PmapDeactivate)),
    n(
        "simple_lock(&p->p_lwplock);\nif (l->l_flag & L_DETACHED) p->p_nlwps--;  /* nobody will wait; lwp_exit2 unlinks it */\np->p_nrlwps--; l->l_stat = LSDEAD; simple_unlock(&p->p_lwplock);",
        Proc(DetachedDecNlwps),
    ),
    s("KERNEL_PROC_UNLOCK(l);", Sched(BigUnlock)),
    n("cpu_exit(l);", Call(Func::cpu_exit, Arg::Same)),
];

const CPU_EXIT: &[Line] = &[
    n("switch_exit(l, lwp_exit2);  /* no proc argument: an LWP exit either way */", Call(Func::switch_exit, Arg::Same)),
];

const LWP_EXIT2: &[Line] = &[
    n("KERNEL_LOCK(LK_EXCLUSIVE);  /* a spin lock: fine on the idle PCB */", Proc(KernelLockIdle)),
    n("uvm_lwp_exit(l);  /* the u-area onto the cache list: never blocks */", Call(Func::uvm_lwp_exit, Arg::Same)),
    n("if (l->l_flag & L_DETACHED) {  /* nobody waits for detached LWPs */", Proc(IfDetached(5))),
    n("    LIST_REMOVE(l, l_sibling);  /* writes p->p_lwps: for the last LWP, p is a zombie its parent may have freed */", Proc(UnlinkSibling)),
    n("    pool_put(&lwp_pool, l); KERNEL_UNLOCK(); return; }", Proc(PoolPutUnlockRet)),
    n("l->l_stat = LSZOMB; p->p_nzlwps++; wakeup(&p->p_nlwps);", Proc(ZombLwpCommitted)),
    n("KERNEL_UNLOCK();", Proc(KernelUnlockIdleRet)),
];

const UVM_PROC_EXIT: &[Line] = &[
    n("ovm = p->p_vmspace; pmap_deactivate(l);", Vm(PmapDeactivate)),
    n("p->p_vmspace = proc0.p_vmspace;  /* borrow proc0's address space */", Vm(BorrowProc0Vm)),
    n("pmap_activate(l);  /* %cr3: the kernel's page directory */", Vm(PmapActivate)),
    s("uvmspace_free(ovm);  /* may sleep */", Vm(UvmspaceFreeOld)),
];

const CPU_LWP_FREE: &[Line] = &[
    n("if (l->l_addr->u_pcb.pcb_fpcpu != NULL) npxsave_lwp(l, 0);", Nop),
    n("tss_free(l->l_md.md_tss_sel);", Vm(TssFreeCall)),
    n("#ifdef DEBUG\nl->l_md.md_tss_sel = 0xfeedbeed;\n#endif", Vm(PoisonFeedbeedRet)),
];

pub(super) fn body(func: Func) -> Option<&'static Body> {
    let b: &'static Body = match func {
        Func::exit1 => body_of!("void exit1(struct lwp *l, int rv)", "kern/kern_exit.c", EXIT1),
        Func::lwp_exit => body_of!("void lwp_exit(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT),
        Func::cpu_exit => body_of!("void cpu_exit(struct lwp *l)", "arch/i386/i386/vm_machdep.c", CPU_EXIT),
        Func::lwp_exit2 => body_of!("void lwp_exit2(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT2),
        Func::uvm_proc_exit => body_of!("void uvm_proc_exit(struct proc *p)", "uvm/uvm_glue.c", UVM_PROC_EXIT),
        Func::cpu_lwp_free => body_of!("void cpu_lwp_free(struct lwp *l, int proc)", "arch/i386/i386/vm_machdep.c", CPU_LWP_FREE),
        Func::cpu_wait => return None,
        _ => return None,
    };
    Some(b)
}
