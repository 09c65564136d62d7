//! `Frees` questions: who frees a TSS or u-area, or returns a cached u-area to
//! kernel_map (the exiting LWP, the reaper, the parent's wait4, the pagedaemon, nobody).

use super::{other_designs, step_words, Ask, Question};
use crate::arch_i386::gdt::NGDT;
use crate::arch_i386::SlotState;
use crate::engine::forkpy_run::SplitMix64;
use crate::engine::func::{Func, NONE};
use crate::engine::narrate;
use crate::engine::session::Session;
use crate::engine::sim::{Sim, FIRST_USER_PID, IDLE_OWNER_BASE};
use crate::engine::state::{KThread, KernelState, Pid};
use crate::engine::trace::Event;
use crate::engine::why::Cell;

/// Who freed something: the classes a "who frees" question offers, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Exiting,
    Reaper,
    Wait4,
    Pagedaemon,
    Nobody,
}

const WHO: [Who; 5] = [
    Who::Exiting,
    Who::Reaper,
    Who::Wait4,
    Who::Pagedaemon,
    Who::Nobody,
];

impl Who {
    fn words(self, cached: bool) -> &'static str {
        match (self, cached) {
            (Who::Exiting, false) => {
                "the exiting LWP itself (exit1, or lwp_exit2 after switch_exit)"
            }
            (Who::Exiting, true) => "an exiting process (exit1, after exit_lwps)",
            (Who::Reaper, _) => "the reaper kernel thread",
            (Who::Wait4, false) => "the parent, in wait4",
            (Who::Wait4, true) => "a parent, in wait4",
            (Who::Pagedaemon, _) => "the pagedaemon",
            (Who::Nobody, false) => "nobody: it is still not freed when the run ends",
            (Who::Nobody, true) => "nobody: they are still cached when the run ends",
        }
    }
}

/// Who ran step `i` (the state before it is `sim`): the exit path, the reaper, a
/// wait4, the pagedaemon; `None` for anything else.
fn who_ran(sim: &Sim, lwp: u32, owner: Option<Pid>) -> Option<Who> {
    if lwp == NONE || lwp >= IDLE_OWNER_BASE {
        // on the idle PCB: switch_exit's lwp_exit2, the end of an exit path
        return Some(Who::Exiting);
    }
    let l = sim.st.lwps.get(lwp as usize)?;
    match l.kthread {
        Some(KThread::Reaper) => return Some(Who::Reaper),
        Some(KThread::Pagedaemon) => return Some(Who::Pagedaemon),
        None => {}
    }
    let on_stack = |f: Func| l.kstack.iter().any(|fr| fr.func == f);
    if on_stack(Func::sys_wait4) {
        return Some(Who::Wait4);
    }
    if Some(l.pid) == owner || on_stack(Func::exit1) || on_stack(Func::lwp_exit) {
        return Some(Who::Exiting);
    }
    None
}

/// What a "who frees" question is about.
#[derive(Clone, Copy)]
enum Thing {
    /// The TSS in this GDT slot, owned by the LWP `pid.lid`.
    Tss { slot: u16, pid: Pid, lid: u32 },
    /// The u-area at this address, of the LWP `pid.lid`.
    Uarea { addr: u32, pid: Pid, lid: u32 },
    /// The next cached u-area to go back to kernel_map.
    Cached,
}

/// Where and by whom `thing` is freed after `at`: `(step index, who)`.
fn freed(s: &Session, at: u64, thing: Thing) -> Option<(Option<u64>, Who)> {
    let hit = |e: Event, v: u32| match thing {
        Thing::Tss { slot, .. } => e == Event::TssFree && v == u32::from(slot),
        Thing::Uarea { addr, .. } => matches!(e, Event::UareaCached | Event::KmFree) && v == addr,
        Thing::Cached => e == Event::KmFree,
    };
    let owner = match thing {
        Thing::Tss { pid, .. } | Thing::Uarea { pid, .. } => Some(pid),
        Thing::Cached => None,
    };
    let i = s.trace.steps[at as usize..]
        .iter()
        .position(|st| hit(st.event, st.val))
        .map(|k| at + k as u64);
    match i {
        None => Some((None, Who::Nobody)),
        Some(i) => {
            let sim = s.sim_at(i);
            let who = who_ran(&sim, s.trace.steps[i as usize].lwp, owner)?;
            Some((Some(i), who))
        }
    }
}

/// The same thing in another design's run, found by the owner's pid and lid at the
/// same scenario line (GDT slots and addresses differ between designs).
fn same_thing(s: &Session, o: &Session, at: u64, thing: Thing) -> Option<(u64, Thing)> {
    let p = s.lock_pos(o, at);
    let st = o.sim_at(p).st;
    let find = |pid: Pid, lid: u32| {
        st.proc(pid)?
            .lwps
            .iter()
            .copied()
            .find(|&l| st.lwp(l).is_some_and(|x| x.lid == lid))
    };
    let t = match thing {
        Thing::Cached => Thing::Cached,
        Thing::Tss { pid, lid, .. } => {
            let l = find(pid, lid)?;
            let slot = tss_slot(&st, l)?;
            Thing::Tss { slot, pid, lid }
        }
        Thing::Uarea { pid, lid, .. } => {
            let l = find(pid, lid)?;
            let x = st.lwp(l)?;
            x.owns_uarea.then_some(Thing::Uarea {
                addr: x.uarea,
                pid,
                lid,
            })?
        }
    };
    Some((p, t))
}

fn tss_slot(st: &KernelState, l: u32) -> Option<u16> {
    st.gdt
        .slots
        .iter()
        .position(|s| *s == SlotState::Tss(l))
        .map(|i| NGDT + i as u16)
}

pub(super) fn ask_frees(
    s: &Session,
    others: &[Session],
    at: u64,
    rng: &mut SplitMix64,
) -> Option<Question> {
    if at >= s.len() {
        return None;
    }
    let sim = s.sim_at(at);
    let st = &sim.st;
    // the LWPs of a process that is exiting now (exit1 has begun: P_WEXIT), else of the
    // next process to exit, if it exists now, else any user LWP; each still holding its
    // TSS or u-area
    let user =
        |l: &&crate::engine::state::Lwp| l.kthread.is_none() && !l.freed && l.pid >= FIRST_USER_PID;
    let lwps_of = |want: &dyn Fn(&crate::engine::state::Proc) -> bool| -> Vec<u32> {
        st.procs
            .iter()
            .filter(|p| want(p))
            .flat_map(|p| p.lwps.iter().copied())
            .filter(|&l| st.lwp(l).as_ref().is_some_and(user))
            .filter(|&l| tss_slot(st, l).is_some() || st.lwp(l).is_some_and(|x| x.owns_uarea))
            .collect()
    };
    let next_exit = s.trace.steps[at as usize..]
        .iter()
        .find(|x| x.event == Event::ExitBegin)
        .map(|x| x.val);
    let mut lwps = lwps_of(&|p| p.flags & crate::engine::state::pflag::P_WEXIT != 0);
    if lwps.is_empty() {
        lwps = lwps_of(&|p| Some(p.pid) == next_exit);
    }
    if lwps.is_empty() {
        lwps = lwps_of(&|_| true);
    }
    let mut things: Vec<Thing> = Vec::new();
    if let Some(&l) = lwps.get(rng.below(lwps.len() as u64) as usize) {
        let x = st.lwp(l)?;
        let (pid, lid) = (x.pid, x.lid);
        if let Some(slot) = tss_slot(st, l) {
            things.push(Thing::Tss { slot, pid, lid });
        }
        if x.owns_uarea {
            things.push(Thing::Uarea {
                addr: x.uarea,
                pid,
                lid,
            });
        }
    }
    if st.uvm_nuarea > 0 {
        things.push(Thing::Cached);
    }
    let thing = *things.get(rng.below(things.len() as u64) as usize)?;
    let (step, who) = freed(s, at, thing)?;
    let cached = matches!(thing, Thing::Cached);
    let name = |pid: Pid| narrate::proc_label(&sim, pid).unwrap_or_else(|| format!("pid {pid}"));
    let question = match thing {
        Thing::Tss { slot, pid, lid } => format!(
            "The TSS of LWP {pid}.{lid} ({}) is in GDT slot {slot}. Who will free that slot (tss_free)?",
            name(pid)
        ),
        Thing::Uarea { addr, pid, lid } => format!(
            "LWP {pid}.{lid} ({}) runs on the u-area at {addr:#010x}. Who will give it back \
             (to the u-area cache or to kernel_map)?",
            name(pid)
        ),
        Thing::Cached => format!(
            "uvm_nuarea is {}: that many u-areas wait on the cache list. Who will next return \
             a u-area to kernel_map (uvm_km_free)?",
            st.uvm_nuarea
        ),
    };
    let choices: Vec<String> = WHO.iter().map(|w| w.words(cached).to_string()).collect();
    let answer = WHO.iter().position(|&w| w == who)?;
    let (words, func, line) = match step {
        Some(i) => step_words(s, i + 1),
        None => (
            if cached {
                "No step of this run returns a cached u-area to kernel_map: they are still \
                 on the cache list when the run ends."
                    .to_string()
            } else {
                "No step of this run frees it: it is still allocated when the run ends.".to_string()
            },
            None,
            None,
        ),
    };
    let others_say = other_designs(s, others, |o| {
        let (p, t) = same_thing(s, o, at, thing)?;
        freed(o, p, t).map(|(_, w)| w.words(cached).to_string())
    });
    Some(Question {
        ask: Ask::Frees,
        step: at,
        reveal: step.map_or(s.len(), |i| i + 1),
        question,
        choices,
        answer,
        explanation: format!("{words}{others_say}"),
        func,
        line,
        decided_at: step.map(|i| i + 1),
        cell: match (thing, step) {
            (Thing::Tss { slot, .. }, Some(_)) => Some(Cell::Gdt(slot).to_string()),
            (Thing::Cached, Some(_)) => Some(Cell::UvmNuarea.to_string()),
            _ => None,
        },
    })
}
