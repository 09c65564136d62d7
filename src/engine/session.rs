//! A scenario run held for browsing: any position's full state (replayed from the
//! nearest checkpoint), the step that led there, timeline markers, action bounds.
//! This is the engine's whole interface to the UI.

use super::design::Design;
use super::func::NONE;
use super::scenario::{self, ParseError, Scenario};
use super::sim::Sim;
use super::snapshot::{LwpId, Snapshot};
use super::source;
use super::trace::{Event, Finding, Trace};
use serde::Serialize;
use std::cell::RefCell;

/// A parsed scenario and its complete trace in one design.
#[derive(Clone, Debug)]
pub struct Session {
    pub text: String,
    pub scenario: Scenario,
    pub design: Design,
    pub trace: Trace,
    /// Built on the first `why` (`why_index`).
    why_index: std::cell::OnceCell<super::why::WhyIndex>,
    /// Built on first use (`lifelines`).
    lifelines: std::cell::OnceCell<super::lifelines::Lifelines>,
    /// The machine at the last position `position` was asked for: a cache, never a
    /// different answer. Stepping forward from it is one micro-step where a replay
    /// from the checkpoint would clone the kernel state and run up to 1,023 steps
    /// (play and step-forward ask for consecutive positions).
    replay: RefCell<Option<Sim>>,
}

/// Kinds of timeline markers and "run until" targets. Each counts one thing, named
/// by `name`; where a metric counts the same thing, the counts agree (tests/markers.rs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MarkerKind {
    /// fork1 made a process runnable, or _lwp_create an LWP.
    Fork,
    /// exit1 began (P_WEXIT).
    Exit,
    /// A process became a zombie (SZOMB).
    Zombie,
    /// An LWP became a zombie LWP (LSZOMB).
    LwpZombie,
    /// A parent's wait4 freed a zombie (proc_free).
    Reap,
    /// exit_lwps told the other LWPs to exit.
    ExitLwps,
    /// A u-area went onto the cache list.
    UareaCached,
    /// A u-area went back to kernel_map (uvm_km_free).
    KmFree,
    /// A GDT slot holding a TSS was freed.
    TssFree,
    /// uvm_uarea_drain found more than it keeps.
    Drain,
    /// The exit path woke the parent (exit1's or the reaper's wakeup(p->p_pptr)).
    ParentWakeup,
    /// The reaper was woken (metric `reaper_wakeups`).
    ReaperWakeup,
    /// uvmexp.swtch was incremented (metric `context_switches`).
    Switch,
    /// A fault (a hazard a real kernel would crash on).
    Fault,
    /// A broken invariant of the kernel's bookkeeping.
    Violation,
}

impl MarkerKind {
    pub const ALL: [MarkerKind; 15] = [
        MarkerKind::Fork,
        MarkerKind::Exit,
        MarkerKind::Zombie,
        MarkerKind::LwpZombie,
        MarkerKind::Reap,
        MarkerKind::ExitLwps,
        MarkerKind::UareaCached,
        MarkerKind::KmFree,
        MarkerKind::TssFree,
        MarkerKind::Drain,
        MarkerKind::ParentWakeup,
        MarkerKind::ReaperWakeup,
        MarkerKind::Switch,
        MarkerKind::Fault,
        MarkerKind::Violation,
    ];

    /// What the lane and the "run until" choice are called: what they count.
    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Fork => "fork",
            MarkerKind::Exit => "exit",
            MarkerKind::Zombie => "process zombie",
            MarkerKind::LwpZombie => "LWP zombie",
            MarkerKind::Reap => "reap",
            MarkerKind::ExitLwps => "exit_lwps",
            MarkerKind::UareaCached => "u-area to cache",
            MarkerKind::KmFree => "u-area to kernel_map",
            MarkerKind::TssFree => "TSS free",
            MarkerKind::Drain => "drain",
            MarkerKind::ParentWakeup => "parent woken",
            MarkerKind::ReaperWakeup => "reaper woken",
            MarkerKind::Switch => "context switch",
            MarkerKind::Fault => "fault",
            MarkerKind::Violation => "broken invariant",
        }
    }

    /// One sentence: exactly what a marker of this kind counts.
    pub fn counts(self) -> &'static str {
        match self {
            MarkerKind::Fork => "fork1 made a new process runnable, or _lwp_create a new LWP",
            MarkerKind::Exit => "exit1 began: the process set P_WEXIT",
            MarkerKind::Zombie => "a process became a zombie (SZOMB); LWP zombies are counted apart",
            MarkerKind::LwpZombie => "an LWP became a zombie LWP (LSZOMB), for lwp_wait to collect",
            MarkerKind::Reap => "a parent's wait4 freed a zombie (proc_free)",
            MarkerKind::ExitLwps => "exit_lwps told the other LWPs of an exiting process to exit",
            MarkerKind::UareaCached => "a u-area went onto the cache list (uvm_uarea_free)",
            MarkerKind::KmFree => "a u-area went back to kernel_map (uvm_km_free)",
            MarkerKind::TssFree => "a TSS's GDT slot was freed (tss_free)",
            MarkerKind::Drain => "uvm_uarea_drain found more u-areas cached than it keeps",
            MarkerKind::ParentWakeup => "the exit path woke the parent: wakeup(p->p_pptr) in exit1 or the reaper",
            MarkerKind::ReaperWakeup => "lwp_exit2 woke the sleeping reaper (the metric reaper wake-ups)",
            MarkerKind::Switch => "uvmexp.swtch++: mi_switch, preempt or the exit path (the metric context switches); a CPU going idle on switch_exit is not one",
            MarkerKind::Fault => "a fault: a hazard a real kernel would crash on",
            MarkerKind::Violation => "a broken invariant of the kernel's bookkeeping",
        }
    }

    /// A stable identifier (links, CSS classes): lower case, no spaces.
    pub fn id(self) -> &'static str {
        match self {
            MarkerKind::Fork => "fork",
            MarkerKind::Exit => "exit",
            MarkerKind::Zombie => "zombie",
            MarkerKind::LwpZombie => "lwpzombie",
            MarkerKind::Reap => "reap",
            MarkerKind::ExitLwps => "exitlwps",
            MarkerKind::UareaCached => "cached",
            MarkerKind::KmFree => "kmfree",
            MarkerKind::TssFree => "tssfree",
            MarkerKind::Drain => "drain",
            MarkerKind::ParentWakeup => "parentwake",
            MarkerKind::ReaperWakeup => "reaperwake",
            MarkerKind::Switch => "switch",
            MarkerKind::Fault => "fault",
            MarkerKind::Violation => "violation",
        }
    }

    /// Whether step `s` of a run in `design` is one of this kind (findings aside).
    pub(crate) fn matches(self, design: Design, s: &super::trace::Step) -> bool {
        use super::func::{Op, ProcOp, SchedOp};
        let op = || source::line(design, s.func, u16::from(s.line)).map(|l| l.op);
        match self {
            MarkerKind::Fork => matches!(s.event, Event::Forked | Event::LwpCreated),
            MarkerKind::Exit => s.event == Event::ExitBegin,
            MarkerKind::Zombie => s.event == Event::Zombie,
            MarkerKind::LwpZombie => s.event == Event::LwpZombie,
            MarkerKind::Reap => s.event == Event::Reaped,
            MarkerKind::ExitLwps => s.event == Event::Kick,
            MarkerKind::UareaCached => s.event == Event::UareaCached,
            MarkerKind::KmFree => s.event == Event::KmFree,
            MarkerKind::TssFree => s.event == Event::TssFree,
            MarkerKind::Drain => matches!(s.event, Event::Drain | Event::DrainAll),
            MarkerKind::ParentWakeup => matches!(
                op(),
                Some(Op::Proc(ProcOp::NotifyParent) | Op::Proc(ProcOp::ReaperUnlockWakeParent(_)))
            ),
            MarkerKind::ReaperWakeup => {
                matches!(op(), Some(Op::Proc(ProcOp::WakeReaper)))
                    && (s.event == Event::WakeupOne || (s.event == Event::Wakeup && s.val > 0))
            }
            // an LWP taking the big lock back on its way out of mi_switch (spinning
            // first if another CPU holds it) is recorded at mi_switch's line, but
            // counts nothing
            MarkerKind::Switch => {
                !matches!(s.event, Event::Spin | Event::BigLock)
                    && matches!(
                        op(),
                        Some(Op::Sched(
                            SchedOp::MiSwitch | SchedOp::Preempt | SchedOp::SwtchInc
                        ))
                    )
            }
            MarkerKind::Fault | MarkerKind::Violation => false,
        }
    }
}

/// What the UI shows at one position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    /// The state after the position's last step.
    pub snapshot: Snapshot,
    /// The state before it (`None` at position 0).
    pub previous: Option<Snapshot>,
    /// The step that led here.
    pub step: Option<StepView>,
}

/// One micro-step as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepView {
    /// Index of the step.
    pub index: u64,
    pub cpu: u8,
    /// "pid.lid" of the LWP whose stack the CPU was on, or "idle".
    pub who: String,
    /// The same LWP as a value (None: the idle PCB).
    #[serde(skip)]
    pub lwp: Option<LwpId>,
    pub func: &'static str,
    pub file: &'static str,
    /// Index of the executed line in the function's body.
    pub line: u16,
    /// 1-based line in the rendered listing (`source::render`).
    pub listing_line: u32,
    /// How many listing lines the statement spans.
    pub listing_span: u32,
    /// The line is new in the patch (design `patch`) or gone after it (`reaper`).
    pub mark: super::func::Mark,
    pub narration: String,
    pub event: Event,
    pub findings: Vec<Finding>,
}

/// A session whose run is still being built, a chunk at a time.
#[derive(Debug)]
pub struct SessionBuilder {
    text: String,
    scenario: Scenario,
    design: Design,
    runner: super::sim::Runner,
}

impl SessionBuilder {
    /// Run up to `steps` more micro-steps; true once the run is complete.
    pub fn advance(&mut self, steps: u64) -> bool {
        self.runner.advance(steps)
    }

    /// (micro-steps so far, step limit).
    pub fn progress(&self) -> (u64, u64) {
        self.runner.progress()
    }

    pub fn design(&self) -> Design {
        self.design
    }

    /// The finished session (runs whatever is left first).
    pub fn finish(self) -> Session {
        let trace = self.runner.finish();
        Session::of(self.text, self.scenario, self.design, trace)
    }
}

/// A finished run replayed from boot without the checks, a step at a time: what the
/// per-run indexes (`why::WhyIndex`, `lifelines::Lifelines`) are built from, at once
/// or a slice at a time between the page's frames.
#[derive(Debug)]
pub struct Replay {
    sim: Sim,
    len: u64,
}

impl Replay {
    pub fn new(s: &Session) -> Replay {
        let mut sim = Sim::new(&s.scenario, Some(s.design));
        sim.checks = false;
        Replay { sim, len: s.len() }
    }

    /// Run the next step: the position it leads to, and whether it may have changed
    /// more than its own frame's pc; `None` at the end of the run.
    pub fn step(&mut self) -> Option<(u64, bool)> {
        if self.sim.step_no >= self.len {
            return None;
        }
        self.sim.step()?;
        Some((self.sim.step_no, !self.sim.local))
    }

    /// The simulator at the current position.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// (position, last position).
    pub fn progress(&self) -> (u64, u64) {
        (self.sim.step_no, self.len)
    }
}

/// Who ran a step (before it ran): "pid.lid" and the LWP as a value, or the idle PCB.
fn who_ran(sim: &Sim, lwp: u32) -> (String, Option<LwpId>) {
    if lwp == NONE {
        return ("idle".to_string(), None);
    }
    let id = (lwp < super::sim::IDLE_OWNER_BASE)
        .then(|| sim.st.lwps.get(lwp as usize))
        .flatten()
        .map(|l| LwpId {
            pid: l.pid,
            lid: l.lid,
        });
    (sim.st.lwp_name(lwp), id)
}

impl Session {
    /// Parse `text` and prepare its run without running it: the caller advances it in
    /// chunks (`SessionBuilder::advance`) and keeps the page responsive meanwhile.
    pub fn build(text: &str, design: Option<Design>) -> Result<SessionBuilder, ParseError> {
        let scenario = scenario::parse(text)?;
        let sim = Sim::new(&scenario, design);
        let design = sim.cfg.design;
        Ok(SessionBuilder {
            text: text.to_string(),
            scenario,
            design,
            runner: super::sim::Runner::new(sim, false),
        })
    }

    /// Parse and run `text`; `design` overrides the file's `design` line.
    pub fn new(text: &str, design: Option<Design>) -> Result<Session, ParseError> {
        Ok(Session::run(text, scenario::parse(text)?, design))
    }

    /// Run `scenario` (read from `text`) to the end in `design` (or the file's own).
    fn run(text: &str, scenario: Scenario, design: Option<Design>) -> Session {
        let sim = Sim::new(&scenario, design);
        let design = sim.cfg.design;
        let trace = sim.run_to_end(false);
        Session::of(text.to_string(), scenario, design, trace)
    }

    /// A session of a finished run, with nothing cached yet.
    fn of(text: String, scenario: Scenario, design: Design, trace: Trace) -> Session {
        Session {
            text,
            scenario,
            design,
            trace,
            why_index: Default::default(),
            lifelines: Default::default(),
            replay: RefCell::default(),
        }
    }

    /// Parse and run `text` with `schedule` instead of the file's own `schedule` line
    /// (a share link's `r=`, or a schedule the explorer reported).
    pub fn with_schedule(
        text: &str,
        design: Option<Design>,
        schedule: &super::schedule::Schedule,
    ) -> Result<Session, ParseError> {
        let mut scenario = scenario::parse(text)?;
        scenario.schedule = schedule.clone();
        Ok(Session::run(text, scenario, design))
    }

    /// The steps where the schedule hands over to the other CPU: the first step of each
    /// of its runs after the first (where the timeline can mark a preemption). Empty
    /// without a schedule. Replays the run once, without the checks.
    pub fn schedule_switches(&self) -> Vec<u64> {
        let runs = self.scenario.schedule.runs();
        if runs.len() < 2 {
            return Vec::new();
        }
        let mut starts = Vec::with_capacity(runs.len() - 1);
        let mut at = 0u64;
        for &(_, n) in &runs[..runs.len() - 1] {
            at += u64::from(n);
            starts.push(at);
        }
        let mut sim = Sim::new(&self.scenario, Some(self.design));
        sim.checks = false;
        let mut out = Vec::new();
        let mut next = starts.iter().peekable();
        while let Some(&&k) = next.peek() {
            if sim.choice_point() && sim.st.choices == k {
                out.push(sim.step_no);
                next.next();
            }
            if sim.step().is_none() {
                break;
            }
        }
        out
    }

    /// Which cells each checkpoint chunk may change (`why`'s index), built by one
    /// replay the first time it is needed.
    pub fn why_index(&self) -> &super::why::WhyIndex {
        self.why_index
            .get_or_init(|| super::why::WhyIndex::build(self))
    }

    /// Every LWP's and proc's states over the run and the counters' series, built by
    /// one replay the first time they are needed.
    pub fn lifelines(&self) -> &super::lifelines::Lifelines {
        self.lifelines
            .get_or_init(|| super::lifelines::Lifelines::build(self))
    }

    /// Give the session a `why` index built elsewhere (a slice at a time, by
    /// `WhyIndexBuilder`); false, and nothing changes, if it has one.
    pub fn set_why_index(&self, index: super::why::WhyIndex) -> bool {
        self.why_index.set(index).is_ok()
    }

    /// Give the session lifelines built elsewhere (`LifelinesBuilder`); false, and
    /// nothing changes, if it has them.
    pub fn set_lifelines(&self, lifelines: super::lifelines::Lifelines) -> bool {
        self.lifelines.set(lifelines).is_ok()
    }

    /// `lifelines` if they have been built.
    pub fn lifelines_built(&self) -> Option<&super::lifelines::Lifelines> {
        self.lifelines.get()
    }

    /// `why_index` if it has been built.
    pub fn why_index_built(&self) -> Option<&super::why::WhyIndex> {
        self.why_index.get()
    }

    /// Number of micro-steps; positions go from 0 (boot) to `len()` (the end).
    pub fn len(&self) -> u64 {
        self.trace.steps.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.trace.steps.is_empty()
    }

    /// The simulator after `pos` micro-steps.
    pub fn sim_at(&self, pos: u64) -> Sim {
        Sim::at(
            &self.scenario,
            Some(self.design),
            &self.trace,
            pos.min(self.len()),
        )
    }

    /// The full state after `pos` micro-steps.
    pub fn snapshot_at(&self, pos: u64) -> Snapshot {
        Snapshot::of(&self.sim_at(pos))
    }

    /// Everything the UI shows at `pos` from one replay: the state before the last
    /// step, the step itself (narrated), and the state after it.
    pub fn position(&self, pos: u64) -> Position {
        self.position_with(pos, true)
    }

    /// `position` without the state before the last step (`previous` is None): for a
    /// caller that has it already (the position before, when stepping forward).
    pub fn position_after(&self, pos: u64) -> Position {
        self.position_with(pos, false)
    }

    fn position_with(&self, pos: u64, previous: bool) -> Position {
        let pos = pos.min(self.len());
        let Some(i) = pos.checked_sub(1) else {
            return Position {
                snapshot: self.snapshot_at(0),
                previous: None,
                step: None,
            };
        };
        let mut sim = self.replay_to(i);
        let Some(step) = self.trace.steps.get(i as usize).copied() else {
            return Position {
                snapshot: Snapshot::of(&sim),
                previous: None,
                step: None,
            };
        };
        let before = previous.then(|| Snapshot::of(&sim));
        let who = who_ran(&sim, step.lwp);
        sim.step();
        let view = self.view_of(i, step, who, &sim);
        let snapshot = Snapshot::of(&sim);
        *self.replay.borrow_mut() = Some(sim);
        Position {
            snapshot,
            previous: before,
            step: Some(view),
        }
    }

    /// The machine after `n` micro-steps, checks off: the cached one stepped forward
    /// when that is cheaper than a replay from the checkpoint before `n` (it is at or
    /// before `n`, and no more steps behind than the checkpoint is, or at most 64).
    fn replay_to(&self, n: u64) -> Sim {
        let cached = self.replay.borrow_mut().take();
        let mut sim = match cached {
            Some(sim)
                if sim.step_no <= n
                    && n - sim.step_no <= (n % super::trace::CHECKPOINT_EVERY).max(64) =>
            {
                sim
            }
            _ => self.sim_at(n),
        };
        sim.checks = false;
        while sim.step_no < n {
            if sim.step().is_none() {
                break;
            }
        }
        sim
    }

    fn view_of(
        &self,
        i: u64,
        step: super::trace::Step,
        who: (String, Option<LwpId>),
        after: &Sim,
    ) -> StepView {
        let (who, lwp) = who;
        let body = source::body(self.design, step.func);
        let line = body.and_then(|b| b.lines.get(step.line as usize));
        StepView {
            index: i,
            cpu: step.cpu,
            who,
            lwp,
            func: step.func.name(),
            file: body.map(|b| b.file).unwrap_or(""),
            line: step.line as u16,
            listing_line: body
                .map(|b| source::listing_line(b, step.line as u16))
                .unwrap_or(0),
            listing_span: line
                .map(|l| l.text.lines().count().max(1) as u32)
                .unwrap_or(1),
            mark: line.map(|l| l.mark).unwrap_or(super::func::Mark::Same),
            narration: super::narrate::narrate(after, &step),
            event: step.event,
            findings: self
                .trace
                .findings
                .iter()
                .filter(|f| f.step == i)
                .cloned()
                .collect(),
        }
    }

    /// The step that led to position `pos` (step `pos - 1`), narrated.
    pub fn step_view(&self, pos: u64) -> Option<StepView> {
        let i = pos.checked_sub(1)?;
        let step = *self.trace.steps.get(i as usize)?;
        let mut sim = self.sim_at(i);
        let who = who_ran(&sim, step.lwp);
        sim.checks = false;
        sim.step();
        Some(self.view_of(i, step, who, &sim))
    }

    /// Step indices where something of `kind` happens, in order.
    pub fn markers(&self, kind: MarkerKind) -> Vec<u64> {
        if matches!(kind, MarkerKind::Fault | MarkerKind::Violation) {
            let fault = kind == MarkerKind::Fault;
            let mut v: Vec<u64> = self
                .trace
                .findings
                .iter()
                .filter(|f| f.check.is_fault() == fault)
                .map(|f| f.step)
                .collect();
            v.dedup();
            return v;
        }
        let design = self.design;
        self.trace
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| kind.matches(design, s))
            .map(|(i, _)| i as u64)
            .collect()
    }

    /// The position just after the next step of `kind` after `pos` (forward), or just
    /// after the previous one before `pos` (backward).
    pub fn seek_marker(&self, pos: u64, kind: MarkerKind, forward: bool) -> Option<u64> {
        let m = self.markers(kind);
        if forward {
            m.into_iter().find(|&s| s + 1 > pos).map(|s| s + 1)
        } else {
            m.into_iter().rev().find(|&s| s + 1 < pos).map(|s| s + 1)
        }
    }

    /// Position at the start of the next action after `pos` (or the end).
    pub fn next_action(&self, pos: u64) -> u64 {
        self.trace
            .actions
            .iter()
            .map(|a| a.step)
            .find(|&s| s > pos)
            .unwrap_or(self.len())
    }

    /// Position at the start of the action before the one `pos` is in (or 0).
    pub fn prev_action(&self, pos: u64) -> u64 {
        self.trace
            .actions
            .iter()
            .map(|a| a.step)
            .rev()
            .find(|&s| s < pos)
            .unwrap_or(0)
    }

    /// The action (scenario line) the step that led to `pos` serves: the newest action
    /// of the LWP that ran it (an LWP back from a sleep serves its own earlier action),
    /// the newest action of all on the idle PCB (the exit path of the LWP that just
    /// left), none for a kernel thread.
    pub fn action_at(&self, pos: u64) -> Option<&super::trace::ActionStart> {
        let i = pos.checked_sub(1)?;
        let step = self.trace.steps.get(i as usize)?;
        let last = self.trace.action_of(i)?;
        let upto = &self.trace.actions[..=last];
        if step.lwp == NONE {
            return upto.last();
        }
        upto.iter().rev().find(|a| a.lwp == step.lwp)
    }

    /// Maps position `pos` of this run onto run `to` by scenario action: the same action
    /// (by index), as far into it as `pos` is into its own (at most to its end). Compare
    /// mode keeps its second run here, so both sides show the same scenario action.
    pub fn lock_pos(&self, to: &Session, pos: u64) -> u64 {
        if pos == 0 {
            return 0;
        }
        if pos >= self.len() {
            return to.len();
        }
        let ta = &to.trace.actions;
        match self.trace.action_of(pos) {
            None => pos.min(ta.first().map_or(to.len(), |a| a.step)),
            Some(k) => match ta.get(k) {
                None => to.len(),
                Some(a) => {
                    let offset = pos - self.trace.actions[k].step;
                    let next = ta.get(k + 1).map_or(to.len(), |n| n.step);
                    (a.step + offset).min(next)
                }
            },
        }
    }

    /// The start of the action that position `pos` of this run is in, mapped onto run
    /// `to` (a design change keeps the user on the same scenario line).
    pub fn same_action(&self, pos: u64, to: &Session) -> u64 {
        if pos == 0 {
            return 0;
        }
        if pos >= self.len() {
            return to.len();
        }
        match self.trace.action_of(pos) {
            Some(i) => to.trace.actions.get(i).map_or(to.len(), |a| a.step),
            None => 0,
        }
    }

    /// Findings up to and including step `pos - 1`.
    pub fn findings_until(&self, pos: u64) -> Vec<&Finding> {
        self.trace
            .findings
            .iter()
            .filter(|f| f.step < pos)
            .collect()
    }
}
