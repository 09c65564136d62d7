//! One-line narration of a micro-step, generated from what it changed.

use super::func::{Sleep, NONE};
use super::program::{Act, Program};
use super::sim::Sim;
use super::state::LwpIdx;
use super::trace::{Event, Step};

/// The text of an action that has no scenario line (init's program, implicit exits).
pub fn act_text(prog: &Program, act: Act) -> String {
    match act {
        Act::Fork(b) => format!("fork {}", prog.block_name(b)),
        Act::Exit(s) => format!("exit {s} (end of block)"),
        Act::Wait(None) => "wait".into(),
        Act::Wait(Some(b)) => format!("wait {}", prog.block_name(b)),
        Act::Thread(b, d) => format!(
            "thread {}{}",
            prog.block_name(b),
            if d { " detached" } else { "" }
        ),
        Act::LwpExit => "lwp_exit (end of block)".into(),
        Act::LwpWait(None) => "lwp_wait".into(),
        Act::LwpWait(Some(b)) => format!("lwp_wait {}", prog.block_name(b)),
        Act::Yield => "yield".into(),
        Act::Sleep(t) => format!("sleep {t}"),
        Act::Pagedaemon => "pagedaemon".into(),
        Act::Turn(k) => format!("turn {k}"),
    }
}

fn lwp(sim: &Sim, l: LwpIdx) -> String {
    sim.st.lwp_name(l)
}

/// What a process is called on the page and in narration: `swapper` for proc0, the
/// kernel thread's name, or its scenario block (kernel threads have one LWP).
pub fn proc_name(sim: &Sim, p: &super::state::Proc) -> String {
    if p.pid == 0 {
        return "swapper".into();
    }
    let kthread = p
        .lwps
        .first()
        .and_then(|&l| sim.st.lwp(l))
        .and_then(|l| l.kthread);
    match kthread {
        Some(super::state::KThread::Pagedaemon) => "pagedaemon".into(),
        Some(super::state::KThread::Reaper) => "reaper".into(),
        None => sim.prog.block_name(p.block).to_string(),
    }
}

/// `proc_name` of the process `pid`, if it exists.
pub fn proc_label(sim: &Sim, pid: u32) -> Option<String> {
    sim.st.proc(pid).map(|p| proc_name(sim, p))
}

/// An LWP as narration names it: `11.2 (app)`.
fn who(sim: &Sim, l: LwpIdx) -> String {
    let name = sim.st.lwp_name(l);
    match sim.st.lwp(l).and_then(|lw| proc_label(sim, lw.pid)) {
        Some(label) => format!("{name} ({label})"),
        None => name,
    }
}

/// A process as narration names it: `pid 11 (worker)`.
fn pid_who(sim: &Sim, pid: u32) -> String {
    match proc_label(sim, pid) {
        Some(label) => format!("pid {pid} ({label})"),
        None => format!("pid {pid}"),
    }
}

/// The first statement of a pseudo-source line, without its comment.
fn first_statement(text: &str) -> &str {
    let t = text
        .lines()
        .map(str::trim)
        .find(|l| !l.starts_with('#'))
        .unwrap_or("");
    match t.find("/*") {
        Some(i) if i > 0 => t[..i].trim(),
        _ => t,
    }
}

/// An errno as the kernel names it, with what it means here.
pub fn errno_text(e: i32) -> &'static str {
    use super::sim::{ECHILD, EDEADLK, EINTR, ESRCH, EWOULDBLOCK};
    match e {
        ECHILD => "ECHILD: no child to wait for",
        ESRCH => "ESRCH: no LWP it may wait for (detached LWPs are never waited for)",
        EDEADLK => "EDEADLK: waiting would deadlock (itself, or every other LWP waits too)",
        EINTR => "EINTR: interrupted",
        EWOULDBLOCK => "EWOULDBLOCK: the sleep timed out",
        _ => "an error",
    }
}

/// Narrate `step`, which `sim` has just executed.
pub fn narrate(sim: &Sim, step: &Step) -> String {
    let v = step.val;
    let func = step.func.name();
    let runner = if step.lwp == NONE {
        "the idle loop".to_string()
    } else {
        who(sim, step.lwp)
    };
    let s = match step.event {
        Event::Forked => {
            let name = sim
                .st
                .proc(v)
                .map(|p| sim.prog.block_name(p.block).to_string())
                .unwrap_or_default();
            format!("pid {v} ({name}) is born: SACTIVE, its LWP waits on the run queue")
        }
        Event::LwpCreated => format!(
            "LWP {} is created and waits on the run queue",
            who(sim, v)
        ),
        Event::ExitBegin => format!("{} starts to exit: P_WEXIT", pid_who(sim, v)),
        Event::Dead => format!(
            "{} is SDEAD: off allproc, waiting for the reaper",
            pid_who(sim, v)
        ),
        Event::Zombie => {
            let parent = sim
                .st
                .proc(v)
                .map(|p| pid_who(sim, p.pptr))
                .unwrap_or_else(|| "its parent".into());
            format!("{} is a zombie (SZOMB): {parent} may collect it now", pid_who(sim, v))
        }
        Event::Reaped => format!("pid {v} is gone: pid slot and struct proc freed"),
        Event::LwpZombie => {
            let nz = sim
                .st
                .lwp(v)
                .and_then(|l| sim.st.proc(l.pid))
                .map(|p| format!("; p_nzlwps is {}", p.nzlwps))
                .unwrap_or_default();
            format!("LWP {} is a zombie LWP (LSZOMB){nz}", who(sim, v))
        }
        Event::LwpFreed => format!("LWP {} goes back to lwp_pool", lwp(sim, v)),
        Event::UareaCached => format!(
            "u-area {v:#010x} goes on the cache list (uvm_nuarea = {})",
            sim.st.uvm_nuarea
        ),
        Event::UareaFromCache => {
            format!("u-area {v:#010x} comes from the cache: a hit, still wired")
        }
        Event::KmAlloc => format!("u-area {v:#010x} is new from kernel_map (uvm_km_valloc)"),
        Event::KmFree => format!("u-area {v:#010x} goes back to kernel_map (uvm_km_free)"),
        Event::TssAlloc => {
            // newlwp gives the LWP its lid only after cpu_lwp_fork: name it by pid
            let of = sim
                .top_frame(step.cpu as usize)
                .and_then(|f| sim.st.lwp(f.l2))
                .map(|l| format!(" of the new LWP of {}", pid_who(sim, l.pid)))
                .unwrap_or_default();
            format!("GDT slot {v} now holds the TSS{of} (selector {:#06x})", v << 3)
        }
        Event::TssFree => {
            let of = sim
                .top_frame(step.cpu as usize)
                .map(|f| format!(", the TSS of {},", who(sim, f.l)))
                .unwrap_or_default();
            format!("GDT slot {v}{of} is free again (SDT_SYSNULL, on gdt_free)")
        }
        Event::GdtGrow => format!("gdt_grow: the GDT now has {v} descriptors"),
        Event::Switch => format!(
            "cpu{} switches to {}: %cr3, %tr, esp0 reloaded",
            step.cpu,
            who(sim, v)
        ),
        Event::ToIdle => format!(
            "cpu{} has nothing to run and idles on the idle PCB",
            step.cpu
        ),
        Event::Sleep => {
            let wmesg = [
                Sleep::Wait,
                Sleep::LwpWait,
                Sleep::Reaper,
                Sleep::Pagedaemon,
                Sleep::Pgflt,
                Sleep::Nanosleep,
                Sleep::Turn,
                Sleep::LwpWait2,
            ]
            .get(v as usize)
            .map(|s| s.wmesg())
            .unwrap_or("?");
            format!("{runner} goes to sleep (\"{wmesg}\")")
        }
        Event::Wakeup if v == 0 => "wakeup: nobody sleeps on that channel".into(),
        Event::Wakeup => format!("wakeup: {v} LWPs made runnable"),
        Event::WakeupOne => format!(
            "wakeup: {} is runnable again (on the run queue)",
            who(sim, v)
        ),
        Event::Tick => format!("the clock reaches tick {v}; timed sleeps end"),
        Event::Reparent => format!("{} is reparented to init", pid_who(sim, v)),
        Event::Signal => format!("SIGCHLD is posted to {}", pid_who(sim, v)),
        Event::PmapDeactivate if v == 0 => format!(
            "pmap_deactivate: cpu{} leaves the kernel pmap's pm_cpus (proc0's vmspace, which this process now borrows); %cr3 is unchanged",
            step.cpu
        ),
        Event::PmapDeactivate => format!(
            "pmap_deactivate: cpu{} leaves pid {v}'s pm_cpus; %cr3 is unchanged",
            step.cpu
        ),
        Event::VmspaceFree => {
            format!("pid {v}'s vmspace is freed; its page directory goes back to the pool")
        }
        Event::Cr3 => format!("%cr3 = {v:#010x}: the kernel's page directory"),
        Event::Tr => format!("%tr = {v:#06x}"),
        Event::BigLock => format!("{} takes the big lock", lwp(sim, v)),
        Event::BigUnlock => format!("{} releases the big lock", lwp(sim, v)),
        Event::Spin => format!("{} spins: another CPU holds the big lock", lwp(sim, v)),
        Event::Drain => format!(
            "{v} u-areas are cached, more than UVM_NUAREA_MAX ({}): the extra {} go back to kernel_map",
            sim.st.uvm_nuarea_max,
            v.saturating_sub(sim.st.uvm_nuarea_max)
        ),
        Event::DrainAll => format!(
            "uvm_uarea_drain(TRUE) keeps none: all {v} cached u-areas go back to kernel_map"
        ),
        Event::Kick => format!(
            "the other LWPs will exit on their way to user mode; {v} sleeping one(s) interrupted"
        ),
        Event::Error => format!("returns {}", errno_text(v as i32)),
        Event::LwpScan => format!(
            "scans p_lwps: {v} LWP(s) it may wait for (detached ones skipped), none a zombie yet"
        ),
        Event::Action => String::new(),
        Event::Finished => "nothing is runnable and no sleep will time out: the run ends".into(),
        Event::Panic => format!("panic: {}", sim.st.panic.clone().unwrap_or_default()),
        Event::None => {
            let text = super::source::line(sim.cfg.design, step.func, step.line as u16)
                .map(|l| l.text)
                .unwrap_or("");
            first_statement(text).to_string()
        }
    };
    format!("{func}: {s}")
}
