//! Pseudo-source of the functions the early-2004 fix for PRs kern/24329 and kern/24574
//! changed (design `fixed`; everything else is as in `committed`). The fix, as its
//! commit message says: "remove curlwp from p_lwps in exit1() rather than letting
//! lwp_exit2() do so" and "add assertions to ensure freed proc has no lwps". The lines
//! follow the first sources we could read with the fix in, kern_exit.c 1.162.2.1 and
//! kern_lwp.c 1.49.2.1 (2007); see docs/fidelity.md.

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
        "LIST_REMOVE(l, l_list); LIST_REMOVE(l, l_sibling); l->l_flag |= L_DETACHED;  /* detached from proc too */\nl->l_stat = LSDEAD; p->p_nrlwps--; p->p_nlwps--;  /* the fix: off p_lwps here, not in lwp_exit2 */",
        Proc(DetachLastLwp),
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
        "simple_lock(&p->p_lwplock);\nif (l->l_flag & L_DETACHED) { LIST_REMOVE(l, l_sibling); p->p_nlwps--; }  /* nobody will wait */\np->p_nrlwps--; l->l_stat = LSDEAD; simple_unlock(&p->p_lwplock);",
        Proc(DetachedUnlinkDec),
    ),
    s("KERNEL_PROC_UNLOCK(l);", Sched(BigUnlock)),
    n("cpu_exit(l);", Call(Func::cpu_exit, Arg::Same)),
];

const LWP_EXIT2: &[Line] = &[
    n("KERNEL_LOCK(LK_EXCLUSIVE);  /* a spin lock: fine on the idle PCB */", Proc(KernelLockIdle)),
    n("uvm_lwp_exit(l);  /* the u-area onto the cache list: never blocks */", Call(Func::uvm_lwp_exit, Arg::Same)),
    n("if (l->l_flag & L_DETACHED) pool_put(&lwp_pool, l);  /* nobody waits for it; p is not touched */", Proc(IfDetachedPoolPut(4))),
    n("else { l->l_stat = LSZOMB; p = l->l_proc; p->p_nzlwps++; wakeup(&p->p_nlwps); }", Proc(ZombLwpCommitted)),
    n("KERNEL_UNLOCK();", Proc(KernelUnlockIdleRet)),
];

const PROC_FREE: &[Line] = &[
    s("parent = p->p_pptr; ruadd(&parent->p_stats->p_cru, p->p_ru); p->p_xstat = 0;", Nop),
    s("p->p_stat = SIDL;  /* not even a zombie any more */", Proc(ProcFreeStat)),
    s("s = proclist_lock_write();", Sched(ProclistLock)),
    s("LIST_REMOVE(p, p_list); LIST_REMOVE(p, p_sibling);  /* off zombproc, off the parent's children */", Proc(ProcFreeUnlink)),
    s("proclist_unlock_write(s);", Sched(ProclistUnlock)),
    s("chgproccnt(uid, -1); crfree(cred); vrele(p->p_textvp);  /* may sleep */", MaySleep("vrele")),
    n("KASSERT(p->p_nlwps == 0); KASSERT(LIST_EMPTY(&p->p_lwps));  /* the fix: a freed proc has no LWPs */", Proc(AssertNoLwps)),
    s("proc_free_mem(p);  /* the pid slot and struct proc back to their pools */", Proc(ProcFreeMem)),
];

pub(super) fn body(func: Func) -> Option<&'static Body> {
    let b: &'static Body = match func {
        Func::exit1 => body_of!("void exit1(struct lwp *l, int rv)", "kern/kern_exit.c", EXIT1),
        Func::lwp_exit => body_of!("void lwp_exit(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT),
        Func::lwp_exit2 => body_of!("void lwp_exit2(struct lwp *l)", "kern/kern_lwp.c", LWP_EXIT2),
        Func::proc_free => body_of!("void proc_free(struct proc *p)", "kern/kern_exit.c", PROC_FREE),
        _ => return None,
    };
    Some(b)
}
