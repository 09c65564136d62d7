//! The glossary: every column header, flag, state and counter the page shows, in the
//! kernel's words (the header comment or definition, with the file it is from) plus one
//! plain sentence, and where each rests (`source`). One table (`ENTRIES`); the states and
//! flags are keyed from the engine's enums and flag tables by exhaustive matches, so a
//! new state or flag does not compile (or fails the tests) until it is explained.
//!
//! Sources named here: S3 `sys/proc.h` 1.154 (2003) and S4 `sys/lwp.h` 1.1.2.12 (2002),
//! as quoted in ../shared/docs/netbsd-exit-path.md (its §0 lists them); `sys/proc.h`
//! 1.222 (2006) where the 2003 comment was not quoted there; the patch of 2003-11-02
//! (src/engine/source/patch.rs); docs/model.md for what is the model's own.

use crate::engine::state::{lflag, pflag, LStat, PStat};

/// One term: what it is called on the page, the kernel's words, one plain sentence, and
/// the source of both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// As the page shows it (the key).
    pub term: &'static str,
    /// The kernel's words: the definition or header comment, quoted; or a note that the
    /// kernel has none (a column of the model's own).
    pub kernel: &'static str,
    /// One plain sentence.
    pub plain: &'static str,
    /// Where the words and the sentence come from.
    pub source: &'static str,
}

const fn e(
    term: &'static str,
    kernel: &'static str,
    plain: &'static str,
    source: &'static str,
) -> Entry {
    Entry {
        term,
        kernel,
        plain,
        source,
    }
}

/// Every entry, grouped as the page shows them.
pub const ENTRIES: &[Entry] = &[
    // ---- struct proc
    e("ppid", "struct proc *p_pptr; /* l: Pointer to parent process. */",
        "The parent's pid: the process whose wait4 collects this one when it exits.",
        "sys/proc.h 1.222 (2006); p_pptr in 1.154: netbsd-exit-path.md §1.1"),
    e("p_stat", "char p_stat; /* S* process status. */",
        "The state of the process as a whole; what each thread runs or sleeps on is in its LWPs' l_stat.",
        "sys/proc.h 1.222 (2006); the values: sys/proc.h 1.154, netbsd-exit-path.md §1.1"),
    e("SIDL", "#define SIDL 1 /* Process being created by fork */",
        "fork1 has allocated the process and not finished it; proc_free also sets it back to SIDL just before freeing it.",
        "sys/proc.h 1.154/1.222; netbsd-exit-path.md §1.1"),
    e("SACTIVE", "#define SACTIVE 2 /* Process is not stopped */",
        "Alive and not stopped: its LWPs run, sleep or wait.",
        "sys/proc.h 1.154/1.222; netbsd-exit-path.md §1.1"),
    e("SSTOP", "#define SSTOP 4 /* Process debugging or suspension */",
        "Stopped by a debugger or by job control.",
        "sys/proc.h 1.154/1.222; netbsd-exit-path.md §1.1"),
    e("SZOMB", "#define SZOMB 5 /* Awaiting collection by parent */",
        "The process has exited; its parent's wait4 collects the exit status and frees the struct proc (proc_free).",
        "sys/proc.h 1.154/1.222; netbsd-exit-path.md §1.1, §2.6"),
    e("SDEAD", "#define SDEAD 6 /* Process is almost a zombie */",
        "Before the patch: exit1 is done but the reaper has not yet freed the process's resources and made it SZOMB; P_ZOMBIE() counts it as a zombie already.",
        "sys/proc.h 1.154 (2003), netbsd-exit-path.md §1.1; gone from proc.h by 1.222"),
    e("p_flag", "int p_flag; /* P_* flags. */",
        "Bits about the whole process; the page names those the exit path uses.",
        "sys/proc.h 1.222 (2006); flag values of 1.154: netbsd-exit-path.md §1.1"),
    e("P_SYSTEM", "#define P_SYSTEM 0x00000200 /* System proc: no sigs, stats or swapping */",
        "A kernel thread's process (such as the reaper or the pagedaemon): no signals, statistics or swapping.",
        "sys/proc.h 1.222 (2006); value 0x200 in 1.154: netbsd-exit-path.md §1.1"),
    e("P_WEXIT", "#define P_WEXIT 0x00002000 /* Working on exiting */",
        "exit1 sets it first thing: the process is on its way out.",
        "sys/proc.h 1.222 (2006); value 0x002000 in 1.154: netbsd-exit-path.md §1.1"),
    e("P_FSTRACE", "#define P_FSTRACE 0x00010000 /* Debugger process being traced by procfs */",
        "Traced through procfs; the old reaper then does not signal the parent.",
        "sys/proc.h 1.222 (2006); netbsd-exit-path.md §1.1 (the reaper's test, kern_exit.c 1.121)"),
    e("p_nlwps/nrlwps/nzlwps",
        "int p_nlwps; /* p: Number of LWPs */ int p_nrlwps; /* s: Number of running LWPs */ int p_nzlwps; /* p: Number of zombie LWPs */",
        "How many LWPs the process has, how many of them run or may run, and how many are zombies; lwp_exit calls exit1 instead when p_nlwps - p_nzlwps == 1.",
        "sys/proc.h 1.222 (2006); the same counters in 1.154: netbsd-exit-path.md §1.1, §2.2"),
    // ---- struct lwp
    e("lid", "lwpid_t l_lid; /* LWP identifier; local to process. */",
        "The LWP's number inside its process; the page writes an LWP as pid.lid.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("l_stat", "int l_stat; (no comment in lwp.h; its values are the LS* \"Status values\")",
        "What the LWP is doing: being created, runnable, on a CPU, asleep, stopped, dead or a zombie.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §1.2"),
    e("LSIDL", "#define LSIDL 1 /* Process being created by fork. */",
        "The LWP exists but fork (or _lwp_create) has not finished setting it up.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("LSRUN", "#define LSRUN 2 /* Currently runnable. */ (\"runnable but *not* yet running, i.e. is on a run queue\")",
        "Ready to run, waiting on the run queue for a CPU.",
        "sys/lwp.h 1.1.2.12 (2002), the note above the status values"),
    e("LSSLEEP", "#define LSSLEEP 3 /* Sleeping on an address. */",
        "Asleep in ltsleep on its wait channel (wchan) until someone calls wakeup() on that address.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("LSSTOP", "#define LSSTOP 4 /* Process debugging or suspension. */",
        "Stopped by a debugger or by job control; it runs again only when continued.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("LSZOMB", "#define LSZOMB 5 /* Awaiting collection by parent. */",
        "The LWP has exited and waits for lwp_wait1 (_lwp_wait, or exit_lwps) to collect it and free its struct lwp.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §1.2"),
    e("LSDEAD", "#define LSDEAD 6 /* Process is almost a zombie. */",
        "The LWP has left for good but is not yet counted in p_nzlwps or freed: the reaper (before the patch) or lwp_exit2 finishes it.",
        "sys/lwp.h 1.1.2.12 (2002); docs/model.md §1"),
    e("LSONPROC", "#define LSONPROC 7 /* Process is currently on a CPU. */ (\"actually executing on a CPU, i.e. it is no longer on a run queue\")",
        "Running on a CPU now: it is that CPU's curlwp.",
        "sys/lwp.h 1.1.2.12 (2002), the note above the status values"),
    e("LSSUSPENDED", "#define LSSUSPENDED 8 /* Not running, not signalable. */",
        "Suspended: it neither runs nor takes signals until it is resumed.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("l_flag", "int l_flag; (\"These flags are kept in l_flag.\")",
        "Bits that say how the LWP is treated; the page names those the exit path uses.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("L_INMEM", "#define L_INMEM 0x00004 /* Loaded into memory. */",
        "Its u-area is in memory, not swapped out; always so here, as swapping is not modelled.",
        "sys/lwp.h 1.1.2.12 (2002); docs/model.md §9"),
    e("L_SINTR", "#define L_SINTR 0x00080 /* Sleep is interruptible. */",
        "A signal can end its current sleep.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("L_DETACHED", "#define L_DETACHED 0x00800 /* Won't be waited for. */",
        "Nobody will _lwp_wait for this LWP, so when it exits it is freed outright instead of becoming an LSZOMB.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §1.2 (later headers moved it to 0x00800000)"),
    e("L_BIGLOCK", "#define L_BIGLOCK 0x80000 /* LWP needs kernel \"big lock\" to run */",
        "The LWP holds the kernel big lock (kernel_lock) and takes it back whenever it runs again.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §1.2"),
    e("L_PROCEXIT", "No header defines it: it appears only in the patch of 2003-11-02 (exit1: l->l_flag |= L_DETACHED | L_PROCEXIT;).",
        "The patch's exit1 marks the last LWP so that lwp_exit2 frees it and drops the big lock for the whole process.",
        "the patch (src/engine/source/patch.rs); netbsd-exit-path.md §1.2; docs/model.md §1"),
    e("u-area (l_addr)", "struct user *l_addr; /* Kernel virtual addr of u-area (PROC ONLY). */",
        "The LWP's 8 KiB u-area: its PCB (saved registers, the TSS) and its kernel stack.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §4.4, §4.5"),
    e("md_tss_sel", "l->l_md.md_tss_sel: the GDT selector of this LWP's TSS descriptor, which cpu_switch loads with ltr; after tss_free the patch writes l->l_md.md_tss_sel = 0xdeadbeef; /* catch any later use */",
        "Which GDT slot holds the LWP's TSS; 0xdeadbeef (or 0xfeedbeed in the committed form) is the DEBUG poison written once the slot is freed.",
        "netbsd-exit-path.md §4.4 (locore.s S15); the patch's cpu_wait; docs/model.md §1"),
    e("wchan \"wmesg\"", "void *l_wchan; /* Sleep address. */ const char *l_wmesg; /* Reason for sleep. */",
        "The address the LWP sleeps on (a wakeup() of that address wakes it) and the short reason given to ltsleep.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("in kernel", "None: not a kernel field. It is the model's call frames on the LWP's kernel stack.",
        "The innermost kernel functions the LWP is in, outermost first.",
        "exitpath's own column (src/engine/snapshot.rs, LwpView::kstack)"),
    // ---- kernel lists
    e("allproc", "extern struct proclist allproc; /* List of all processes */",
        "Every live process; exit1 moves an exiting process from here to zombproc.",
        "sys/proc.h 1.222 (2006); netbsd-exit-path.md §1.1, §1.3"),
    e("zombproc", "extern struct proclist zombproc; /* List of zombie processes */",
        "Processes that exited and wait for their parent's wait4.",
        "sys/proc.h 1.222 (2006); netbsd-exit-path.md §1.3"),
    e("deadprocs", "extern SLIST_HEAD(deadprocs, proc) deadprocs; /* List of dead processes */",
        "Before the patch: exit2 queues each exited process here for the reaper kthread (it is on zombproc too).",
        "sys/proc.h 1.222 (2006); netbsd-exit-path.md §1.3, §2.4"),
    e("deadlwp", "extern struct lwplist deadlwp; /* */ (an empty comment in lwp.h)",
        "Before the patch: lwp_exit2 queues each dead LWP here and wakes the reaper, which frees it.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §2.4"),
    e("zomblwp", "extern struct lwplist zomblwp; (no comment; l_zlist is the \"Entry on zombie list.\")",
        "Zombie LWPs that lwp_wait1 may collect.",
        "sys/lwp.h 1.1.2.12 (2002); netbsd-exit-path.md §1.2"),
    e("run queue", "struct lwp *l_forw; /* Doubly-linked run/sleep queue. */",
        "LWPs ready to run, in the order the scheduler takes them.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    e("sleep queues", "struct lwp *l_forw; /* Doubly-linked run/sleep queue. */ void *l_wchan; /* Sleep address. */",
        "LWPs asleep, grouped by the address (wait channel) they sleep on.",
        "sys/lwp.h 1.1.2.12 (2002)"),
    // ---- the CPU
    e("%cr3", "pcb_cr3 \"(physical address of the page directory)\"; switch_exit: mov pcb_cr3 → %cr3, \"switch to the idle/kernel page directory\".",
        "Which page directory (which address space) the CPU translates addresses with.",
        "netbsd-exit-path.md §4.4, §5 (locore.s S15)"),
    e("%tr", "TR, the task register: switch_exit clears the idle TSS descriptor's busy bit and does ltr \"so later traps use the idle stack (esp0)\".",
        "Which GDT slot's TSS the CPU uses; a trap from user mode takes its kernel stack from that TSS.",
        "netbsd-exit-path.md §5 (locore.s S15)"),
    e("esp0", "tss_esp0 / tss_ss0: \"the kernel stack used on a user→kernel trap\" (in the PCB's TSS).",
        "The top of the kernel stack the CPU switches to on a trap or system call from user mode.",
        "netbsd-exit-path.md §4.4"),
    e("kernel stack", "switch_exit: \"Load ESP and EBP from the idle PCB. From here on we are off the dead LWP's kernel stack.\"",
        "Whose u-area holds the stack the CPU runs on right now.",
        "netbsd-exit-path.md §2.3 (locore.s S15)"),
    e("curlwp", "#define curlwp curcpu()->ci_curlwp /* Current running LWP */",
        "The LWP this CPU runs; switch_exit clears it first, \"in case we fault\".",
        "sys/proc.h 1.222 (2006); netbsd-exit-path.md §2.3"),
    e("curpcb", "switch_exit: \"set curpcb\" to the idle PCB (per-CPU curpcb).",
        "The PCB the CPU treats as current: the running LWP's, or the idle PCB.",
        "netbsd-exit-path.md §5 (locore.s S15)"),
    e("idle PCB", "switch_exit: \"Find the idle context: proc0/lwp0's PCB and its TSS selector on a uniprocessor, or the per-CPU idle PCB and idle TSS selector from cpu_info on MP.\"",
        "The PCB and stack a CPU uses when it runs no LWP; switch_exit moves onto it so the dead LWP's u-area can go.",
        "netbsd-exit-path.md §2.3 (locore.s S15); docs/model.md §3"),
    e("EFLAGS.IF", "cli / sti around switch_exit's stack switch: \"no interrupts while on a half-switched stack\".",
        "1: the CPU takes interrupts; 0: it does not (cli, or splhigh).",
        "netbsd-exit-path.md §5 (locore.s S15)"),
    e("spin locks", "None quoted: simple locks (simplelock) such as deadproc_slock; proclist_lock is taken through spinlockmgr, so it spins rather than sleeps.",
        "Spin locks held by the code on this CPU; while it holds one it must not sleep.",
        "netbsd-exit-path.md §1.3; docs/model.md §6 (BlockingNoSleep)"),
    e("sleep?", "exit1 (the patch): /* NOTE: WE ARE NO LONGER ALLOWED TO SLEEP! */",
        "Whether the code running here may block: not on the idle PCB, and not with a spin lock or proclist_lock held.",
        "the patch (src/engine/source/patch.rs); docs/model.md §6"),
    e("kernel_lock", "KERNEL_PROC_LOCK / KERNEL_PROC_UNLOCK: the big lock, a spinlockmgr lock with a BIGLOCK flag (2005-06 sources).",
        "The one big lock around most of the kernel on a multiprocessor; one LWP holds it at a time, and it is given up on every context switch.",
        "netbsd-exit-path.md §0 (S20); docs/model.md §5"),
    // ---- GDT
    e("GDT slot", "\"Per-process TSS and LDT descriptors are allocated dynamically above NGDT\"; gdt_get_slot / gdt_put_slot.",
        "One entry of the GDT's dynamic part; each LWP's TSS descriptor takes one from tss_alloc to tss_free.",
        "netbsd-exit-path.md §4.3 (gdt.c S16)"),
    e("just freed", "gdt_put_slot: \"mark the descriptor SDT_SYSNULL and push it on the free list\".",
        "tss_free gave this slot back in the last step.",
        "netbsd-exit-path.md §4.3 (gdt.c S16); the GDT panel"),
    e("poisoned", "l->l_md.md_tss_sel = 0xdeadbeef; /* catch any later use */ (the patch's cpu_wait)",
        "The slot is free, but a dead LWP's md_tss_sel still names it.",
        "the patch (src/engine/source/patch.rs); the GDT panel"),
    // ---- u-areas
    e("uvm_nuarea", "The count of u-areas on the u-area cache list (uvm_uareas).",
        "How many freed u-areas are kept for the next fork instead of going back to kernel_map.",
        "netbsd-exit-path.md §2.7, §3.1 (uvm_glue.c S7)"),
    e("UVM_NUAREA_MAX", "uvm_uarea_drain(boolean_t empty) \"keeps 0 u-areas if empty, else UVM_NUAREA_MAX\".",
        "How many u-areas the cache keeps at most; 16 in 2006 (the 2003 value is not confirmed).",
        "netbsd-exit-path.md §2.7, §3.1 (uvm_glue.c S7, 2006)"),
    e("kernel_map", "uvm_km_free(kernel_map, ..., USPACE): where a u-area not kept in the cache goes back.",
        "The kernel's own address-space map, from which u-areas are allocated and to which they are freed.",
        "netbsd-exit-path.md §3.1"),
    // ---- the checks
    e("ahead", "None: a word of this page, not the kernel's.",
        "A finding that happens later in the run than the step on screen.",
        "the Faults panel (src/ui/faults.rs)"),
    e("fault", "None: a class of the model's checks (Check::is_fault).",
        "Something that would crash or corrupt a real kernel, such as running on a freed stack.",
        "docs/model.md §6"),
    e("broken invariant", "None: a class of the model's checks.",
        "Bookkeeping that disagrees with the kernel's own rules without an immediate crash, such as a destroyed pmap still listing a CPU.",
        "docs/model.md §5, §6"),
];

/// The entry for `term` as the page shows it.
pub fn find(term: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|e| e.term == term)
}

/// The glossary key of an LWP state (exhaustive: a new state needs an entry).
pub fn lstat_term(s: LStat) -> &'static str {
    match s {
        LStat::LSIDL => "LSIDL",
        LStat::LSRUN => "LSRUN",
        LStat::LSSLEEP => "LSSLEEP",
        LStat::LSSTOP => "LSSTOP",
        LStat::LSZOMB => "LSZOMB",
        LStat::LSDEAD => "LSDEAD",
        LStat::LSONPROC => "LSONPROC",
        LStat::LSSUSPENDED => "LSSUSPENDED",
    }
}

/// The glossary key of a process state (exhaustive).
pub fn pstat_term(s: PStat) -> &'static str {
    match s {
        PStat::SIDL => "SIDL",
        PStat::SACTIVE => "SACTIVE",
        PStat::SSTOP => "SSTOP",
        PStat::SZOMB => "SZOMB",
        PStat::SDEAD => "SDEAD",
    }
}

/// The explanation of a state or a `|`-joined flag list as the snapshot prints it, for a
/// cell's tooltip: each name's kernel words and plain sentence, one per line.
pub fn describe_names(names: &str) -> String {
    names
        .split(['|', ' '])
        .filter_map(find)
        .map(|e| format!("{}: {} {}", e.term, e.kernel, e.plain))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every flag name the engine can show (`p_flag`, then `l_flag`).
pub fn flag_names() -> impl Iterator<Item = &'static str> {
    pflag::NAMES
        .iter()
        .chain(lflag::NAMES.iter())
        .map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LSTATS: [LStat; 8] = [
        LStat::LSIDL,
        LStat::LSRUN,
        LStat::LSSLEEP,
        LStat::LSSTOP,
        LStat::LSZOMB,
        LStat::LSDEAD,
        LStat::LSONPROC,
        LStat::LSSUSPENDED,
    ];
    const PSTATS: [PStat; 5] = [
        PStat::SIDL,
        PStat::SACTIVE,
        PStat::SSTOP,
        PStat::SZOMB,
        PStat::SDEAD,
    ];

    #[test]
    fn every_state_and_flag_the_engine_shows_has_an_entry() {
        for s in LSTATS {
            let key = lstat_term(s);
            assert_eq!(key, format!("{s:?}"), "the key is the name the page shows");
            assert!(find(key).is_some(), "no entry for {key}");
        }
        for s in PSTATS {
            let key = pstat_term(s);
            assert_eq!(key, format!("{s:?}"));
            assert!(find(key).is_some(), "no entry for {key}");
        }
        for f in flag_names() {
            assert!(find(f).is_some(), "no entry for the flag {f}");
        }
    }

    #[test]
    fn no_entry_is_empty_or_twice() {
        for (i, e) in ENTRIES.iter().enumerate() {
            for (what, text) in [
                ("term", e.term),
                ("kernel", e.kernel),
                ("plain", e.plain),
                ("source", e.source),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {what}", e.term);
            }
            assert!(
                e.plain.ends_with('.'),
                "{}: the plain sentence is a sentence",
                e.term
            );
            assert!(
                ENTRIES[..i].iter().all(|x| x.term != e.term),
                "{} twice",
                e.term
            );
        }
    }

    #[test]
    fn the_headers_and_labels_the_page_shows_have_entries() {
        // The process table's column headers and proc fields, the CPU panel's rows, the
        // lists, the GDT legend, the u-area cache and the faults panel's tag.
        for t in [
            "lid",
            "l_stat",
            "l_flag",
            "u-area (l_addr)",
            "md_tss_sel",
            "wchan \"wmesg\"",
            "in kernel",
            "ppid",
            "p_stat",
            "p_flag",
            "p_nlwps/nrlwps/nzlwps",
            "kernel_lock",
            "allproc",
            "zombproc",
            "deadprocs",
            "deadlwp",
            "zomblwp",
            "run queue",
            "sleep queues",
            "just freed",
            "poisoned",
            "uvm_nuarea",
            "UVM_NUAREA_MAX",
            "kernel_map",
            "ahead",
        ] {
            assert!(find(t).is_some(), "no entry for {t}");
        }
        for t in crate::app::view::CPU_REGS {
            assert!(find(t).is_some(), "no entry for the CPU row {t}");
        }
    }

    #[test]
    fn a_flag_list_is_described_name_by_name() {
        let d = describe_names("L_INMEM|L_DETACHED");
        assert_eq!(d.lines().count(), 2);
        assert!(d.contains("Won't be waited for."));
        assert_eq!(describe_names("0"), "");
    }
}
