//! Predict, then reveal: multiple-choice questions generated from a run's own trace.
//! Which function runs the next micro-step; what a cell holds when the next scenario
//! action starts; who frees a TSS or u-area (or returns a cached u-area to
//! kernel_map); which processes init adopts. Every answer is read from the trace, and
//! wrong choices are, where possible, what another design does at the same scenario
//! line. Questions are deterministic from a seed and a position: the page's "Predict"
//! panel and `exitpath quiz` ask the same ones.

use super::design::Design;
use super::forkpy_run::SplitMix64;
use super::func::{Func, NONE};
use super::narrate;
use super::session::{MarkerKind, Session};
use super::sim::{Sim, FIRST_USER_PID, IDLE_OWNER_BASE};
use super::state::{KThread, KernelState, Pid};
use super::trace::Event;
use super::why::{self, Cell, CpuReg, ListName, LwpField, ProcField};
use crate::arch_i386::gdt::NGDT;
use crate::arch_i386::SlotState;
use serde::Serialize;

/// What a question asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ask {
    /// Which function runs the next micro-step.
    Step,
    /// What a cell holds when the next scenario action starts.
    Action,
    /// Who frees a TSS or u-area, or returns a cached u-area to kernel_map.
    Frees,
    /// Which processes init adopts when a process with children exits.
    Adopts,
    /// Through which kernel call chain the next event of a kind happens.
    Event,
}

impl Ask {
    pub const ALL: [Ask; 5] = [Ask::Step, Ask::Action, Ask::Event, Ask::Frees, Ask::Adopts];

    /// Its name in links and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Ask::Step => "step",
            Ask::Action => "action",
            Ask::Frees => "frees",
            Ask::Adopts => "adopts",
            Ask::Event => "event",
        }
    }

    pub fn from_id(s: &str) -> Option<Ask> {
        Ask::ALL.into_iter().find(|a| a.id() == s)
    }

    /// What the page's choice of question says.
    pub fn label(self) -> &'static str {
        match self {
            Ask::Step => "which function runs next",
            Ask::Action => "what a cell holds after this action",
            Ask::Frees => "who frees a TSS or u-area",
            Ask::Adopts => "which processes init adopts",
            Ask::Event => "the call chain of the next event",
        }
    }
}

/// One multiple-choice question: asked at position `step`, answered by the state at
/// position `reveal`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Question {
    pub ask: Ask,
    /// The position the question is asked at (the state the student sees).
    pub step: u64,
    /// The position that shows the answer.
    pub reveal: u64,
    pub question: String,
    pub choices: Vec<String>,
    /// Index of the one right choice.
    pub answer: usize,
    /// Why, in the model's words: the step that decides it, its source line and its
    /// narration, and what the other designs do.
    pub explanation: String,
    /// The function and listing line of the step that decides it, if one does.
    pub func: Option<&'static str>,
    pub line: Option<u32>,
    /// The cell the question is about (`Action`: always; `Frees`, `Adopts`: the cell
    /// that shows the answer), for the page's "why" link at `reveal` where it exists.
    pub cell: Option<String>,
}

/// The runs of the other designs, for plausible wrong choices: skipped (an empty list)
/// for runs longer than this, so a question on a long run costs one run, not four.
/// The page and the CLI use the same rule, so both ask the same questions.
pub const OTHERS_MAX_STEPS: u64 = 50_000;

/// The same scenario run in every other design (nothing for a long run, see
/// `OTHERS_MAX_STEPS`; a design the scenario does not load in is left out).
pub fn others(s: &Session) -> Vec<Session> {
    if s.len() > OTHERS_MAX_STEPS {
        return Vec::new();
    }
    Design::ALL
        .into_iter()
        .filter(|&d| d != s.design)
        .filter_map(|d| Session::new(&s.text, Some(d)).ok())
        .collect()
}

/// What a cell holds where it does not exist (a proc freed, an LWP back in lwp_pool).
pub const GONE: &str = "(gone: it no longer exists)";

/// The question of kind `ask` at position `at`, deterministic from `seed`; `None`
/// where that kind has nothing to ask (the run is over, no process exits any more, no
/// freeing can be classified).
pub fn ask(s: &Session, others: &[Session], at: u64, ask: Ask, seed: u64) -> Option<Question> {
    let at = at.min(s.len());
    let mut rng = rng_for(seed, at, ask);
    match ask {
        Ask::Step => ask_step(s, others, at, &mut rng),
        Ask::Action => ask_action(s, others, at, &mut rng),
        Ask::Frees => ask_frees(s, others, at, &mut rng),
        Ask::Adopts => ask_adopts(s, at, &mut rng),
        Ask::Event => ask_event(s, others, at, &mut rng),
    }
}

/// `count` questions over the whole run, deterministic from `seed`, in the order of
/// their positions: each is `ask(s, others, step, kind, seed)` for a kind and a
/// position drawn from the seed.
pub fn quiz(s: &Session, others: &[Session], seed: u64, count: usize) -> Vec<Question> {
    let mut rng = SplitMix64::new(seed as i64);
    let actions: Vec<u64> = s.trace.actions.iter().map(|a| a.step).collect();
    let exits = s.markers(MarkerKind::Exit);
    let mut out: Vec<Question> = Vec::new();
    // `Adopts` looks up to 64 exits ahead for one with children, replaying the way: once
    // it finds none from a position, later positions are not tried (a long run with no
    // such exit would replay 64 exits per try)
    let mut no_adopts_from = u64::MAX;
    for _ in 0..count * 8 {
        if out.len() == count {
            break;
        }
        let kind = Ask::ALL[rng.below(Ask::ALL.len() as u64) as usize];
        let from =
            |v: &[u64], rng: &mut SplitMix64| v.get(rng.below(v.len() as u64) as usize).copied();
        let at = match kind {
            Ask::Step | Ask::Event => function_boundary(s, rng.below(s.len().max(1))),
            Ask::Action => from(&actions, &mut rng),
            Ask::Frees | Ask::Adopts => from(&exits, &mut rng),
        };
        let Some(at) = at else { continue };
        if out.iter().any(|q| q.step == at && q.ask == kind)
            || (kind == Ask::Adopts && at >= no_adopts_from)
        {
            continue;
        }
        match ask(s, others, at, kind, seed) {
            Some(q) => out.push(q),
            None if kind == Ask::Adopts => no_adopts_from = no_adopts_from.min(at),
            None => {}
        }
    }
    out.sort_by_key(|q| (q.step, Ask::ALL.iter().position(|&a| a == q.ask)));
    out
}

/// The first position at or after `from` where the next step runs another function
/// than the step before (a call or a return).
fn function_boundary(s: &Session, from: u64) -> Option<u64> {
    let steps = &s.trace.steps;
    (from.max(1)..s.len()).find(|&p| steps[p as usize].func != steps[p as usize - 1].func)
}

fn rng_for(seed: u64, at: u64, ask: Ask) -> SplitMix64 {
    let kind = Ask::ALL.iter().position(|&a| a == ask).unwrap_or(0) as u64;
    SplitMix64::new((seed ^ at.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (kind << 56)) as i64)
}

/// The choices: the answer and up to three wrong ones (in the order given, the first
/// ones being the most plausible), shuffled; `None` when nothing wrong is left.
fn choose(
    rng: &mut SplitMix64,
    answer: String,
    wrong: Vec<String>,
) -> Option<(Vec<String>, usize)> {
    let mut choices = vec![answer.clone()];
    for w in wrong {
        if choices.len() == 4 {
            break;
        }
        if !choices.contains(&w) {
            choices.push(w);
        }
    }
    if choices.len() < 2 {
        return None;
    }
    for i in (1..choices.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        choices.swap(i, j);
    }
    let answer = choices.iter().position(|c| *c == answer)?;
    Some((choices, answer))
}

/// "Step N on cpuC (who): narration", for the step that led to position `pos`, counted
/// as the page counts steps (step N is the micro-step that leads to position N), with
/// its function and listing line.
fn step_words(s: &Session, pos: u64) -> (String, Option<&'static str>, Option<u32>) {
    match s.step_view(pos) {
        Some(v) => (
            format!(
                "Step {pos} on cpu{} ({}): {}.",
                v.cpu,
                v.who,
                v.narration.trim_end_matches('.')
            ),
            Some(v.func),
            Some(v.listing_line),
        ),
        None => (String::new(), None, None),
    }
}

fn ask_step(s: &Session, others: &[Session], at: u64, rng: &mut SplitMix64) -> Option<Question> {
    let steps = &s.trace.steps;
    let next = steps.get(at as usize)?;
    let answer = next.func.name().to_string();
    let mut wrong: Vec<String> = others
        .iter()
        .filter_map(|o| o.trace.steps.get(s.lock_pos(o, at) as usize))
        .map(|st| st.func.name().to_string())
        .collect();
    if let Some(prev) = at.checked_sub(1).and_then(|i| steps.get(i as usize)) {
        wrong.push(prev.func.name().to_string());
    }
    // the functions run nearby, nearest first
    let (lo, hi) = (at.saturating_sub(400), (at + 400).min(s.len()));
    let mut near: Vec<(u64, &'static str)> = (lo..hi)
        .map(|i| (i.abs_diff(at), steps[i as usize].func.name()))
        .collect();
    near.sort();
    wrong.extend(near.into_iter().map(|(_, f)| f.to_string()));
    let (choices, answer) = choose(rng, answer, wrong)?;
    let (words, func, line) = step_words(s, at + 1);
    let others_say = other_designs(s, others, |o| {
        o.trace
            .steps
            .get(s.lock_pos(o, at) as usize)
            .map(|st| st.func.name().to_string())
    });
    Some(Question {
        ask: Ask::Step,
        step: at,
        reveal: at + 1,
        question: "Which function runs the next micro-step?".to_string(),
        choices,
        answer,
        explanation: format!("{words}{others_say}"),
        func,
        line,
        cell: None,
    })
}

/// " At the same point of the scenario: reaper: X; committed: Y." (empty without other
/// runs, or when none has an answer).
fn other_designs(
    s: &Session,
    others: &[Session],
    f: impl Fn(&Session) -> Option<String>,
) -> String {
    let said: Vec<String> = others
        .iter()
        .filter(|o| o.design != s.design)
        .filter_map(|o| f(o).map(|a| format!("{}: {a}", o.design.name())))
        .collect();
    if said.is_empty() {
        String::new()
    } else {
        format!(" At the same scenario line, {}.", said.join("; "))
    }
}

/// The cells an "after this action" question may ask about, as the issue names them:
/// `p_stat`, `l_stat`, `uvm_nuarea`, `%tr`, the lists.
fn askable(cell: &Cell) -> bool {
    match cell {
        Cell::Proc(pid, ProcField::Stat) | Cell::Lwp(pid, _, LwpField::Stat) => {
            *pid >= FIRST_USER_PID
        }
        Cell::UvmNuarea | Cell::Cpu(_, CpuReg::Tr) => true,
        Cell::List(l) => *l != ListName::Runqueue,
        _ => false,
    }
}

fn value_or_gone(st: &KernelState, cell: Cell) -> String {
    why::value(st, cell).unwrap_or_else(|| GONE.to_string())
}

/// The cell in words, for a question: a process named as it is in `sim`, or else in
/// `later` (a process not yet forked).
fn cell_words(sim: &Sim, later: &Sim, cell: Cell) -> String {
    let name = |pid: Pid| {
        narrate::proc_label(sim, pid)
            .or_else(|| narrate::proc_label(later, pid))
            .unwrap_or_else(|| format!("pid {pid}"))
    };
    match cell {
        Cell::Proc(pid, _) => format!("p_stat of {} (pid {pid})", name(pid)),
        Cell::Lwp(pid, lid, _) => format!("l_stat of LWP {pid}.{lid} ({})", name(pid)),
        Cell::UvmNuarea => "uvm_nuarea (the u-areas on the cache list)".into(),
        Cell::Cpu(n, _) => format!("%tr of cpu{n}"),
        Cell::List(_) => format!("the list {}", cell.to_string().trim_start_matches("list.")),
        Cell::Gdt(slot) => format!("GDT slot {slot}"),
    }
}

/// Plausible values of `cell` besides the answer: kind by kind.
fn alternatives(cell: Cell, answer: &str, now: &KernelState) -> Vec<String> {
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match cell {
        Cell::Proc(..) => words(&["SZOMB", "SDEAD", "SACTIVE", GONE]),
        Cell::Lwp(..) => words(&["LSZOMB", "LSDEAD", "LSONPROC", "LSSLEEP", "LSRUN", GONE]),
        Cell::UvmNuarea => {
            let n: i64 = answer.parse().unwrap_or(0);
            [n + 1, n - 1, n + 2, n - 2]
                .into_iter()
                .filter(|&v| v >= 0)
                .map(|v| v.to_string())
                .collect()
        }
        Cell::Cpu(..) => {
            // the selectors of the TSSs in the GDT now
            let mut v: Vec<String> = now
                .gdt
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, SlotState::Tss(_)))
                .map(|(i, _)| format!("{:#06x}", (NGDT + i as u16) << 3))
                .collect();
            v.reverse();
            v
        }
        Cell::List(_) => {
            // the answer with its last item left out, or with its first item twice
            let inner = answer.trim_start_matches('[').trim_end_matches(']');
            let items: Vec<&str> = inner.split(", ").filter(|s| !s.is_empty()).collect();
            let mut v = Vec::new();
            if !items.is_empty() {
                v.push(format!("[{}]", items[..items.len() - 1].join(", ")));
                v.push(format!("[{}]", items[1..].join(", ")));
            }
            v.push("[]".into());
            v
        }
        Cell::Gdt(_) => Vec::new(),
    }
}

fn ask_action(s: &Session, others: &[Session], at: u64, rng: &mut SplitMix64) -> Option<Question> {
    let reveal = s.next_action(at);
    if reveal <= at {
        return None;
    }
    let now = s.sim_at(at);
    let then = s.sim_at(reveal);
    let mut cells: Vec<Cell> = why::cells(&now.st);
    cells.extend(why::cells(&then.st));
    cells.sort();
    cells.dedup();
    cells.retain(askable);
    let changed: Vec<Cell> = cells
        .iter()
        .copied()
        .filter(|&c| why::value(&now.st, c) != why::value(&then.st, c))
        .collect();
    // a cell the student can see now, if one changes; else one that appears
    let seen: Vec<Cell> = changed
        .iter()
        .copied()
        .filter(|&c| why::value(&now.st, c).is_some())
        .collect();
    let pool = [&seen, &changed, &cells]
        .into_iter()
        .find(|v| !v.is_empty())?;
    let cell = *pool.get(rng.below(pool.len() as u64) as usize)?;
    let answer = value_or_gone(&then.st, cell);
    let at_same = |o: &Session| {
        let p = s.same_action(reveal, o);
        value_or_gone(&o.sim_at(p).st, cell)
    };
    let mut wrong: Vec<String> = others.iter().map(at_same).collect();
    wrong.push(value_or_gone(&now.st, cell));
    wrong.extend(alternatives(cell, &answer, &now.st));
    let (choices, answer_ix) = choose(rng, answer.clone(), wrong)?;
    let doing = match s.action_at(at.max(1)).or_else(|| s.trace.actions.first()) {
        Some(a) if at > 0 && a.line > 0 => {
            format!(
                "The kernel is serving `{}` (scenario line {}). ",
                a.text.trim(),
                a.line
            )
        }
        _ => String::new(),
    };
    let (explanation, func, line) = match s.why(cell, reveal, 0) {
        Ok(w) => match w.step {
            Some(k) => {
                let (words, func, line) = step_words(s, k + 1);
                (
                    format!("It holds {answer} since step {}. {words}", k + 1),
                    func,
                    line,
                )
            }
            None => (format!("It holds {answer} since boot."), None, None),
        },
        Err(_) => (
            "By then it no longer exists: its proc or LWP was freed.".to_string(),
            None,
            None,
        ),
    };
    let others_say = other_designs(s, others, |o| Some(at_same(o)));
    Some(Question {
        ask: Ask::Action,
        step: at,
        reveal,
        question: format!(
            "{doing}When the next scenario action starts, what will {} hold?",
            cell_words(&now, &then, cell)
        ),
        choices,
        answer: answer_ix,
        explanation: format!("{explanation}{others_say}"),
        func,
        line,
        cell: Some(cell.to_string()),
    })
}

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

fn ask_frees(s: &Session, others: &[Session], at: u64, rng: &mut SplitMix64) -> Option<Question> {
    if at >= s.len() {
        return None;
    }
    let sim = s.sim_at(at);
    let st = &sim.st;
    // the LWPs of a process that is exiting now (exit1 has begun: P_WEXIT), else of the
    // next process to exit, if it exists now, else any user LWP; each still holding its
    // TSS or u-area
    let user = |l: &&super::state::Lwp| l.kthread.is_none() && !l.freed && l.pid >= FIRST_USER_PID;
    let lwps_of = |want: &dyn Fn(&super::state::Proc) -> bool| -> Vec<u32> {
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
    let mut lwps = lwps_of(&|p| p.flags & super::state::pflag::P_WEXIT != 0);
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
        cell: match (thing, step) {
            (Thing::Tss { slot, .. }, Some(_)) => Some(Cell::Gdt(slot).to_string()),
            (Thing::Cached, Some(_)) => Some(Cell::UvmNuarea.to_string()),
            _ => None,
        },
    })
}

/// `pid`'s descendants in `st`, each with its depth (1: a child).
fn descendants(st: &KernelState, pid: Pid) -> Vec<(Pid, u32)> {
    let mut out = Vec::new();
    let mut todo = vec![(pid, 0u32)];
    while let Some((p, d)) = todo.pop() {
        if let Some(pr) = st.proc(p) {
            for &c in &pr.children {
                out.push((c, d + 1));
                todo.push((c, d + 1));
            }
        }
    }
    out.sort();
    out
}

fn ask_adopts(s: &Session, at: u64, rng: &mut SplitMix64) -> Option<Question> {
    let steps = &s.trace.steps;
    // the next exit of a process with children, at most 64 exits on (one replay
    // forward from the first, not a replay from a checkpoint per exit)
    let mut replay: Option<Sim> = None;
    let mut found = None;
    for (k, x) in steps[at.min(s.len()) as usize..]
        .iter()
        .enumerate()
        .filter(|(_, x)| x.event == Event::ExitBegin)
        .take(64)
    {
        let e = at + k as u64;
        let sim = replay.get_or_insert_with(|| {
            let mut sim = s.sim_at(e);
            sim.checks = false;
            sim
        });
        while sim.step_no < e && sim.step().is_some() {}
        if sim.st.proc(x.val).is_some_and(|p| !p.children.is_empty()) {
            found = Some((e, x.val));
            break;
        }
    }
    let (e, pid) = found?;
    let sim = replay?;
    let st = &sim.st;
    let all = descendants(st, pid);
    let label = |p: Pid| narrate::proc_label(&sim, p).unwrap_or_else(|| format!("pid {p}"));
    let set = |v: &[Pid]| -> String {
        if v.is_empty() {
            "none of them".to_string()
        } else {
            let mut v = v.to_vec();
            v.sort();
            v.iter()
                .map(|&p| format!("{} (pid {p})", label(p)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    // what the trace does: the Reparent steps its own LWPs run until it is a zombie
    let own: Vec<u32> = st.proc(pid).map(|p| p.lwps.clone()).unwrap_or_default();
    let mut adopted: Vec<Pid> = Vec::new();
    let mut last = None;
    for (k, x) in steps[e as usize..].iter().enumerate() {
        let i = e + k as u64;
        match x.event {
            Event::Reparent if own.contains(&x.lwp) => {
                adopted.push(x.val);
                last = Some(i);
            }
            Event::Zombie | Event::Dead if x.val == pid => break,
            _ => {}
        }
    }
    let children: Vec<Pid> = all
        .iter()
        .filter(|(_, d)| *d == 1)
        .map(|(p, _)| *p)
        .collect();
    let everyone: Vec<Pid> = all.iter().map(|(p, _)| *p).collect();
    let living: Vec<Pid> = children
        .iter()
        .copied()
        .filter(|&c| {
            st.proc(c)
                .is_some_and(|p| p.stat != super::state::PStat::SZOMB)
        })
        .collect();
    let zombies: Vec<Pid> = children
        .iter()
        .copied()
        .filter(|c| !living.contains(c))
        .collect();
    let answer = set(&adopted);
    // fork.py's rule (every descendant), the living or the zombie children only, none
    let wrong = vec![
        set(&everyone),
        set(&living),
        set(&zombies),
        set(&[]),
        set(&children),
    ];
    let (choices, answer_ix) = choose(rng, answer, wrong)?;
    let tree = all
        .iter()
        .map(|&(p, d)| {
            let zombie = st
                .proc(p)
                .is_some_and(|x| x.stat == super::state::PStat::SZOMB);
            let what = match d {
                1 => "child",
                2 => "grandchild",
                _ => "descendant",
            };
            format!(
                "{} (pid {p}, {what}{})",
                label(p),
                if zombie { ", a zombie" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (words, func, line) = match last {
        Some(i) => step_words(s, i + 1),
        None => (
            "No step reparents a process before it is a zombie.".to_string(),
            None,
            None,
        ),
    };
    Some(Question {
        ask: Ask::Adopts,
        step: at,
        reveal: last.map_or(e + 1, |i| i + 1),
        question: format!(
            "{} (pid {pid}) is the next process with children to call exit. Its descendants \
             then: {tree}. Which processes will init (pid 1) adopt?",
            label(pid)
        ),
        choices,
        answer: answer_ix,
        explanation: format!("The last reparenting: {words}"),
        func,
        line,
        cell: adopted
            .first()
            .map(|&p| Cell::Proc(p, ProcField::Pptr).to_string()),
    })
}

/// `exitpath quiz --format json`: `{"seed": S, "questions": [{"step", "question",
/// "choices", "answer", "explanation"}]}`, `answer` and `explanation` only with
/// `answers`.
pub fn json(seed: u64, qs: &[Question], answers: bool) -> String {
    let questions: Vec<serde_json::Value> = qs
        .iter()
        .map(|q| {
            let mut v = serde_json::json!({
                "step": q.step,
                "kind": q.ask.id(),
                "question": q.question,
                "choices": q.choices,
            });
            if answers {
                v["answer"] = q.answer.into();
                v["explanation"] = q.explanation.clone().into();
                v["reveal"] = q.reveal.into();
            }
            v
        })
        .collect();
    serde_json::json!({ "seed": seed, "questions": questions }).to_string()
}

/// `exitpath quiz` as text: each question with its step and lettered choices; with
/// `answers`, the answer and the explanation under it.
pub fn text(s: &Session, seed: u64, qs: &[Question], answers: bool) -> String {
    let mut out = format!(
        "exitpath quiz: {} questions, design {}, seed {seed} (the page's Predict panel asks the same)\n",
        qs.len(),
        s.design.name()
    );
    for (n, q) in qs.iter().enumerate() {
        out.push_str(&format!("\n{}. [step {}] {}\n", n + 1, q.step, q.question));
        for (i, c) in q.choices.iter().enumerate() {
            out.push_str(&format!("   {}) {c}\n", letter(i)));
        }
        if answers {
            out.push_str(&format!(
                "   Answer: {}) {}\n   {}\n",
                letter(q.answer),
                q.choices[q.answer],
                q.explanation
            ));
        }
    }
    out
}

/// a, b, c, ... for choice `i`.
pub fn letter(i: usize) -> char {
    char::from(b'a' + (i % 26) as u8)
}

/// How far ahead (micro-steps) an `Event` question looks for the next event of each
/// kind: a kind a long run never has again would otherwise cost a scan to its end.
const EVENT_HORIZON: usize = 20_000;

/// The marker kinds an `Event` question asks about: those a step's event decides.
const EVENT_KINDS: [MarkerKind; 8] = [
    MarkerKind::Exit,
    MarkerKind::Zombie,
    MarkerKind::LwpZombie,
    MarkerKind::Reap,
    MarkerKind::UareaCached,
    MarkerKind::KmFree,
    MarkerKind::TssFree,
    MarkerKind::Drain,
];

/// The kernel call chain step `i` runs in ("syscall › sys_exit › exit1 › cpu_wait ›
/// tss_free"): the stack of the LWP (or of the idle PCB) that ran it, before it ran.
fn chain(s: &Session, i: u64) -> Option<String> {
    let step = s.trace.steps.get(i as usize)?;
    let sim = s.sim_at(i);
    let st = &sim.st;
    let frames = if step.lwp == NONE || step.lwp >= IDLE_OWNER_BASE {
        &st.cpus.get(usize::from(step.cpu))?.idle_frames
    } else {
        &st.lwps.get(step.lwp as usize)?.kstack
    };
    let mut names: Vec<&str> = frames.iter().map(|f| f.func.name()).collect();
    if names.last() != Some(&step.func.name()) {
        names.push(step.func.name());
    }
    Some(names.join(" › "))
}

/// Step indices of the markers of `kind` in `s` from step `from` on (at most `max`).
fn markers_from(s: &Session, kind: MarkerKind, from: u64, max: usize) -> Vec<u64> {
    s.trace.steps[from.min(s.len()) as usize..]
        .iter()
        .enumerate()
        .filter(|(_, x)| kind.matches(s.design, x))
        .take(max)
        .map(|(k, _)| from + k as u64)
        .collect()
}

fn ask_event(s: &Session, others: &[Session], at: u64, rng: &mut SplitMix64) -> Option<Question> {
    // the next marker of each kind after `at`, within `EVENT_HORIZON` steps
    let mut next: Vec<(MarkerKind, u64)> = Vec::new();
    let ahead = s.trace.steps[at.min(s.len()) as usize..].iter();
    for (k, x) in ahead.take(EVENT_HORIZON).enumerate() {
        for kind in EVENT_KINDS {
            if !next.iter().any(|(n, _)| *n == kind) && kind.matches(s.design, x) {
                next.push((kind, at + k as u64));
            }
        }
        if next.len() == EVENT_KINDS.len() {
            break;
        }
    }
    next.sort_by_key(|(kind, _)| EVENT_KINDS.iter().position(|k| k == kind));
    let &(kind, i) = next.get(rng.below(next.len() as u64) as usize)?;
    let answer = chain(s, i)?;
    // which one of its kind it is, for the same one in the other designs (counted only
    // when there are other runs: a long run has none)
    let nth = if others.is_empty() {
        0
    } else {
        s.trace.steps[..i as usize]
            .iter()
            .filter(|x| kind.matches(s.design, x))
            .count()
    };
    let in_other = |o: &Session| -> Option<String> {
        let j = *markers_from(o, kind, 0, nth + 1).get(nth)?;
        chain(o, j)
    };
    let mut wrong: Vec<String> = others.iter().filter_map(in_other).collect();
    // the chains of later events of the same kind, then of the other kinds ahead
    wrong.extend(
        markers_from(s, kind, i + 1, 6)
            .into_iter()
            .filter_map(|j| chain(s, j)),
    );
    wrong.extend(
        next.iter()
            .filter(|(k, _)| *k != kind)
            .filter_map(|&(_, j)| chain(s, j)),
    );
    let (choices, answer_ix) = choose(rng, answer, wrong)?;
    let (words, func, line) = step_words(s, i + 1);
    let others_say = other_designs(s, others, in_other);
    Some(Question {
        ask: Ask::Event,
        step: at,
        reveal: i + 1,
        question: format!(
            "Run on to the next {} ({}). Through which kernel call chain does it happen?",
            kind.name(),
            kind.counts()
        ),
        choices,
        answer: answer_ix,
        explanation: format!("{words}{others_say}"),
        func,
        line,
        cell: None,
    })
}
