//! Pseudo-source of the functions the patch did not change (same in both designs).

use super::s;
use crate::engine::func::{Arg, Body, Func, Line, Op::*, ProcOp::*, SchedOp::*, VmOp::*, Sleep, LWPWAIT_EXITCONTROL};

const SYSCALL: &[Line] = &[
    s("KERNEL_PROC_LOCK(l);", Sched(BigLock)),
    s("error = (*callp->sy_call)(l, args, rval);", Sched(DispatchSyscall)),
    s("KERNEL_PROC_UNLOCK(l);", Sched(BigUnlock)),
    s("userret(l);  /* back to user mode */", Sched(Userret)),
];

const TRAP: &[Line] = &[
    s("KERNEL_PROC_LOCK(l);", Sched(BigLock)),
    s("uvm_fault(map, va, 0, ftype);  /* no free page: uvm_wait(\"pgflt\") */", Call(Func::uvm_wait, Arg::Same)),
    s("KERNEL_PROC_UNLOCK(l);", Sched(BigUnlock)),
    s("userret(l);  /* back to user mode */", Sched(Userret)),
];

const SYS_FORK: &[Line] = &[
    s("error = fork1(l, 0, SIGCHLD, NULL, 0, NULL, NULL, retval, NULL);", Call(Func::fork1, Arg::Same)),
    s("return (error);", RetRv),
];

const SYS_EXIT: &[Line] = &[
    s("if (l->l_proc->p_flag & P_WEXIT) lwp_exit(l);  /* don't call exit1() twice in one process */", Proc(SysExitWexit)),
    s("exit1(l, W_EXITCODE(SCARG(uap, rval), 0));  /* never returns */", Call(Func::exit1, Arg::Same)),
];

const SYS__LWP_CREATE: &[Line] = &[
    s("inmem = uvm_uarea_alloc(&uaddr);", Call(Func::uvm_uarea_alloc, Arg::Same)),
    s(
        "error = newlwp(l, p, uaddr, inmem, detached, NULL, 0, child_return, 0, &l2);",
        Call(Func::newlwp, Arg::Same),
    ),
    s("l2->l_stat = LSRUN; p->p_nrlwps++; setrunqueue(l2); return (0);", Proc(LwpCreateRun)),
];

const SYS__LWP_EXIT: &[Line] = &[s("lwp_exit(l);  /* never returns */", Call(Func::lwp_exit, Arg::Same))];

const SYS__LWP_WAIT: &[Line] = &[
    s("error = lwp_wait1(l, SCARG(uap, wait_for), &dep, 0);", Call(Func::lwp_wait1, Arg::Same)),
    s("return (error);", RetRv),
];

const SYS_SCHED_YIELD: &[Line] = &[
    s("preempt(1);  /* LSRUN, onto the run queue's tail, mi_switch() */", Sched(Preempt)),
    s("return (0);", Ret),
];

const SYS_NANOSLEEP: &[Line] = &[
    s("error = tsleep(&nanowait, PWAIT | PCATCH, \"nanosleep\", timo);", Tsleep(Sleep::Nanosleep)),
    s("if (error == EWOULDBLOCK) error = 0; return (error);", RetNanosleep),
];

const FORKPY_TURN: &[Line] = &[
    s("while (forkpy_turn != turn) {  /* a pipe per entry between the fork.py processes */", Sched(TurnWait(3))),
    s("    error = tsleep(&forkpy_pipe[turn], PWAIT | PCATCH, \"turn\", 0);", Tsleep(Sleep::Turn)),
    s("    if (error) return (error); }", RetIfErrOrGoto(0)),
    s("forkpy_turn++; wakeup(&forkpy_pipe[forkpy_turn]); return (0);", Sched(TurnTake)),
];

const FORK1: &[Line] = &[
    s("inmem = uvm_uarea_alloc(&uaddr);  /* first, while it is easy to abort */", Call(Func::uvm_uarea_alloc, Arg::Same)),
    s("p2 = proc_alloc();  /* SIDL, a new pid */", Proc(ProcAlloc)),
    s("p2->p_pptr = p1; LIST_INSERT_HEAD(&p1->p_children, p2, p_sibling);", Proc(ProcLinkChild)),
    s("uvm_proc_fork(p1, p2, ...);  /* uvmspace_fork(): a copy-on-write vmspace */", Vm(UvmspaceFork)),
    s("newlwp(l1, p2, uaddr, inmem, 0, NULL, 0, child_return, p2, &l2);", Call(Func::newlwp, Arg::Same)),
    s("p2->p_exitsig = SIGCHLD; LIST_INSERT_HEAD(&allproc, p2, p_list);", Proc(ProcMakeVisible)),
    s("p2->p_stat = SACTIVE; l2->l_stat = LSRUN; p2->p_nrlwps = 1; setrunqueue(l2);", Proc(ProcRun)),
    s("uvmexp.forks++; retval[0] = p2->p_pid; return (0);", Proc(ForkRetval)),
];

const NEWLWP: &[Line] = &[
    s(
        "l2 = pool_get(&lwp_pool, PR_WAITOK); l2->l_stat = LSIDL; l2->l_addr = uaddr;  /* L_INMEM if inmem */",
        Proc(LwpAlloc),
    ),
    s("uvm_lwp_fork(l1, l2, stack, stacksize, func, arg);", Call(Func::uvm_lwp_fork, Arg::Same)),
    s("l2->l_lid = ++p2->p_nlwpid; LIST_INSERT_HEAD(&p2->p_lwps, l2, l_sibling); p2->p_nlwps++;", Proc(LwpLinkProc)),
    s("LIST_INSERT_HEAD(&alllwp, l2, l_list); return (0);", Proc(LwpLinkAll)),
];

const UVM_LWP_FORK: &[Line] = &[
    s(
        "if ((l2->l_flag & L_INMEM) == 0) uvm_fault_wire(kernel_map, l2->l_addr, l2->l_addr + USPACE, ...);",
        Vm(WireUarea),
    ),
    s("cpu_lwp_fork(l1, l2, stack, stacksize, func, arg);", Call(Func::cpu_lwp_fork, Arg::Same)),
    s("return;", Ret),
];

const CPU_LWP_FORK: &[Line] = &[
    s("pcb2 = &l2->l_addr->u_pcb; *pcb2 = *pcb1; l2->l_md.md_tss_sel = GSEL(GNULL_SEL, SEL_KPL);", Vm(PcbCopy)),
    s("pcb2->pcb_tss.tss_ss0 = GSEL(GDATA_SEL, SEL_KPL); pcb2->pcb_tss.tss_esp0 = (int)l2->l_addr + USPACE - 16;", Vm(SetEsp0)),
    s("l2->l_md.md_tss_sel = tss_alloc(pcb2);", Call(Func::tss_alloc, Arg::Same)),
    s("sf->sf_eip = (int)proc_trampoline; sf->sf_esi = (int)func; pcb2->pcb_esp = (int)sf; return;", Ret),
];

const TSS_ALLOC: &[Line] = &[
    s("gdt_lock();  /* lockmgr(&gdt_lock_store, LK_EXCLUSIVE): may sleep */", Vm(GdtLock)),
    s("slot = gdt_get_slot();  /* the free list, else the sweep, else gdt_grow() */", Vm(GdtGetSlot)),
    s("setgdt(slot, &pcb->pcb_tss, sizeof(struct pcb) - 1, SDT_SYS386TSS, SEL_KPL, 0, 0);", Vm(SetGdtTss)),
    s("gdt_unlock(); return (GSEL(slot, SEL_KPL));", Ret),
];

const TSS_FREE: &[Line] = &[
    s("gdt_lock();  /* may sleep */", Vm(GdtLock)),
    s("gdt_put_slot(IDXSEL(sel));  /* SDT_SYSNULL, onto gdt_free */", Vm(GdtPutSlot)),
    s("gdt_unlock(); return;", Ret),
];

const EXIT_LWPS: &[Line] = &[
    s(
        "p->p_userret = lwp_exit_hook;\nLIST_FOREACH(l2, &p->p_lwps, l_sibling) { l2->l_flag &= ~L_DETACHED; if (l2 sleeps with L_SINTR) setrunnable(l2); }",
        Proc(ExitLwpsKick),
    ),
    s("while (p->p_nlwps > 1) {", Proc(ExitLwpsLoop(4))),
    s("    error = lwp_wait1(l, 0, &waited, LWPWAIT_EXITCONTROL);", CallArg(Func::lwp_wait1, Arg::Same, LWPWAIT_EXITCONTROL)),
    s("    if (error) panic(\"exit_lwps: lwp_wait1 failed with error %d\", error); }", Proc(ExitLwpsPanicIfErr(1))),
    s("p->p_userret = NULL; return;", Proc(ClearUserret)),
];

const LWP_EXIT_HOOK: &[Line] = &[
    s("KERNEL_PROC_LOCK(l);  /* p_userret runs on the way out to user mode, unlocked */", Sched(BigLock)),
    s("lwp_exit(l);  /* another LWP is exiting the process */", Call(Func::lwp_exit, Arg::Same)),
];

const UVM_PROC_EXIT: &[Line] = &[
    s("ovm = p->p_vmspace; uvmspace_free(ovm);  /* pmap_destroy(): page directory back to its pool; may sleep */", Vm(UvmspaceFree)),
    s("return;", Ret),
];

const UVM_LWP_EXIT: &[Line] = &[
    s("uvm_uarea_free(l->l_addr);", Vm(UareaFreeCall)),
    s("l->l_flag &= ~L_INMEM; return;", Vm(ClearInmem)),
];

const UVM_WAIT: &[Line] = &[
    s("wakeup(&uvm.pagedaemon);  /* the pagedaemon will find memory */", Vm(PagedaemonWake)),
    s("ltsleep(&uvmexp.free, PVM, wmsg, 0, &uvm_fpageqlock);", Tsleep(Sleep::Pgflt)),
    s("return;", Ret),
];

const FIND_STOPPED_CHILD: &[Line] = &[
    s(
        "LIST_FOREACH(child, &parent->p_children, p_sibling) { if (pid matches) { nfound++; if (child->p_stat == SZOMB) goto found; } }\nif (nfound == 0) return (ECHILD);",
        Proc(ScanChildren(3)),
    ),
    s("error = tsleep(parent, PWAIT | PCATCH, \"wait\", 0);", Tsleep(Sleep::Wait)),
    s("if (error != 0) return (error);  /* else scan again */", RetIfErrOrGoto(0)),
    s("found: *child_p = child; return (0);", Ret),
];

const PROC_FREE: &[Line] = &[
    s("parent = p->p_pptr; ruadd(&parent->p_stats->p_cru, p->p_ru); p->p_xstat = 0;", Nop),
    s("p->p_stat = SIDL;  /* not even a zombie any more */", Proc(ProcFreeStat)),
    s("s = proclist_lock_write();", Sched(ProclistLock)),
    s("LIST_REMOVE(p, p_list); LIST_REMOVE(p, p_sibling);  /* off zombproc, off the parent's children */", Proc(ProcFreeUnlink)),
    s("proclist_unlock_write(s);", Sched(ProclistUnlock)),
    s("chgproccnt(uid, -1); crfree(cred); vrele(p->p_textvp);  /* may sleep */", MaySleep("vrele")),
    s("proc_free_mem(p);  /* the pid slot and struct proc back to their pools */", Proc(ProcFreeMem)),
];

const LTSLEEP: &[Line] = &[
    s("KASSERT(this context may sleep);", Sched(SleepCheck)),
    s("l->l_wchan = ident; l->l_wmesg = wmesg; l->l_stat = LSSLEEP; p->p_nrlwps--;  /* onto the sleep queue */", Sched(SleepEnqueue)),
    s("mi_switch(l, NULL);  /* uvmexp.swtch++; cpu_switch() picks another LWP */", Sched(MiSwitch)),
    s("return (interrupted ? EINTR : timed out ? EWOULDBLOCK : 0);", Sched(SleepReturn)),
];

const IDLE: &[Line] = &[
    s("while (sched_whichqs == 0) { sti; hlt; }  /* the clock ticks; timed sleeps end */", Sched(Idle)),
    s("cpu_switch: take the first LWP on the run queue and switch to it", Sched(IdleSwitch)),
];

pub(super) fn body(func: Func) -> Option<&'static Body> {
    let b: &'static Body = match func {
        Func::syscall => body_of!("void syscall(struct trapframe frame)", "arch/i386/i386/syscall.c", SYSCALL),
        Func::trap => body_of!("void trap(struct trapframe *frame)  /* T_PAGEFLT */", "arch/i386/i386/trap.c", TRAP),
        Func::sys_fork => body_of!("int sys_fork(struct lwp *l, void *v, register_t *retval)", "kern/kern_fork.c", SYS_FORK),
        Func::sys_exit => body_of!("int sys_exit(struct lwp *l, void *v, register_t *retval)", "kern/kern_exit.c", SYS_EXIT),
        Func::sys__lwp_create => body_of!("int sys__lwp_create(struct lwp *l, void *v, register_t *retval)", "kern/kern_lwp.c", SYS__LWP_CREATE),
        Func::sys__lwp_exit => body_of!("int sys__lwp_exit(struct lwp *l, void *v, register_t *retval)", "kern/kern_lwp.c", SYS__LWP_EXIT),
        Func::sys__lwp_wait => body_of!("int sys__lwp_wait(struct lwp *l, void *v, register_t *retval)", "kern/kern_lwp.c", SYS__LWP_WAIT),
        Func::sys_sched_yield => body_of!("int sys_sched_yield(struct lwp *l, void *v, register_t *retval)", "kern/kern_synch.c", SYS_SCHED_YIELD),
        Func::sys_nanosleep => body_of!("int sys_nanosleep(struct lwp *l, void *v, register_t *retval)", "kern/kern_time.c", SYS_NANOSLEEP),
        Func::forkpy_turn => body_of!("int forkpy_turn(struct lwp *l, int turn)  /* exitpath's fork.py sequencer */", "(exitpath)", FORKPY_TURN),
        Func::fork1 => body_of!("int fork1(struct lwp *l1, int flags, int exitsig, ...)", "kern/kern_fork.c", FORK1),
        Func::newlwp => body_of!("int newlwp(struct lwp *l1, struct proc *p2, vaddr_t uaddr, boolean_t inmem, int flags, ...)", "kern/kern_lwp.c", NEWLWP),
        Func::uvm_lwp_fork => body_of!("void uvm_lwp_fork(struct lwp *l1, struct lwp *l2, ...)", "uvm/uvm_glue.c", UVM_LWP_FORK),
        Func::cpu_lwp_fork => body_of!("void cpu_lwp_fork(struct lwp *l1, struct lwp *l2, ...)", "arch/i386/i386/vm_machdep.c", CPU_LWP_FORK),
        Func::tss_alloc => body_of!("int tss_alloc(struct pcb *pcb)", "arch/i386/i386/gdt.c", TSS_ALLOC),
        Func::tss_free => body_of!("void tss_free(int sel)", "arch/i386/i386/gdt.c", TSS_FREE),
        Func::exit_lwps => body_of!("void exit_lwps(struct lwp *l)", "kern/kern_exit.c", EXIT_LWPS),
        Func::lwp_exit_hook => body_of!("static void lwp_exit_hook(struct lwp *l, void *arg)", "kern/kern_exit.c", LWP_EXIT_HOOK),
        Func::uvm_proc_exit => body_of!("void uvm_proc_exit(struct proc *p)", "uvm/uvm_glue.c", UVM_PROC_EXIT),
        Func::uvm_lwp_exit => body_of!("void uvm_lwp_exit(struct lwp *l)", "uvm/uvm_glue.c", UVM_LWP_EXIT),
        Func::uvm_wait => body_of!("void uvm_wait(const char *wmsg)", "uvm/uvm_pdaemon.c", UVM_WAIT),
        Func::find_stopped_child => body_of!("int find_stopped_child(struct proc *parent, pid_t pid, int options, struct proc **child_p)", "kern/kern_exit.c", FIND_STOPPED_CHILD),
        Func::proc_free => body_of!("void proc_free(struct proc *p)", "kern/kern_exit.c", PROC_FREE),
        Func::ltsleep => body_of!("int ltsleep(const void *ident, int priority, const char *wmesg, int timo, struct simplelock *interlock)", "kern/kern_synch.c", LTSLEEP),
        Func::idle => body_of!("idle:  /* the idle loop, on the idle PCB */", "arch/i386/i386/locore.s", IDLE),
        _ => return None,
    };
    Some(b)
}
