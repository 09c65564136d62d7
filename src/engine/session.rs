//! A scenario run held for browsing: any position's full state (replayed from the
//! nearest checkpoint), the step that led there, timeline markers, action bounds.
//! This is the engine's whole interface to the UI.

use super::design::Design;
use super::func::NONE;
use super::scenario::{self, ParseError, Scenario};
use super::sim::Sim;
use super::snapshot::Snapshot;
use super::source;
use super::trace::{Event, Finding, Trace};
use serde::Serialize;

/// A parsed scenario and its complete trace in one design.
#[derive(Clone, Debug)]
pub struct Session {
    pub text: String,
    pub scenario: Scenario,
    pub design: Design,
    pub trace: Trace,
}

/// Kinds of timeline markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MarkerKind {
    Fork,
    Exit,
    Zombie,
    Reap,
    TssFree,
    Drain,
    Switch,
    Fault,
}

impl MarkerKind {
    pub const ALL: [MarkerKind; 8] = [
        MarkerKind::Fork,
        MarkerKind::Exit,
        MarkerKind::Zombie,
        MarkerKind::Reap,
        MarkerKind::TssFree,
        MarkerKind::Drain,
        MarkerKind::Switch,
        MarkerKind::Fault,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MarkerKind::Fork => "fork",
            MarkerKind::Exit => "exit",
            MarkerKind::Zombie => "zombie",
            MarkerKind::Reap => "reap",
            MarkerKind::TssFree => "TSS free",
            MarkerKind::Drain => "drain",
            MarkerKind::Switch => "context switch",
            MarkerKind::Fault => "fault",
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
        Session {
            text: self.text,
            scenario: self.scenario,
            design: self.design,
            trace: self.runner.finish(),
        }
    }
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
        let scenario = scenario::parse(text)?;
        let sim = Sim::new(&scenario, design);
        let design = sim.cfg.design;
        let trace = sim.run_to_end(false);
        Ok(Session {
            text: text.to_string(),
            scenario,
            design,
            trace,
        })
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
        let sim = Sim::new(&scenario, design);
        let design = sim.cfg.design;
        let trace = sim.run_to_end(false);
        Ok(Session {
            text: text.to_string(),
            scenario,
            design,
            trace,
        })
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
        let pos = pos.min(self.len());
        let Some(i) = pos.checked_sub(1) else {
            return Position {
                snapshot: self.snapshot_at(0),
                previous: None,
                step: None,
            };
        };
        let mut sim = self.sim_at(i);
        let previous = Snapshot::of(&sim);
        let Some(step) = self.trace.steps.get(i as usize).copied() else {
            return Position {
                snapshot: previous,
                previous: None,
                step: None,
            };
        };
        let who = if step.lwp == NONE {
            "idle".to_string()
        } else {
            sim.st.lwp_name(step.lwp)
        };
        sim.checks = false;
        sim.step();
        let view = self.view_of(i, step, who, &sim);
        Position {
            snapshot: Snapshot::of(&sim),
            previous: Some(previous),
            step: Some(view),
        }
    }

    fn view_of(&self, i: u64, step: super::trace::Step, who: String, after: &Sim) -> StepView {
        let body = source::body(self.design, step.func);
        let line = body.and_then(|b| b.lines.get(step.line as usize));
        StepView {
            index: i,
            cpu: step.cpu,
            who,
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
        let who = if step.lwp == NONE {
            "idle".to_string()
        } else {
            sim.st.lwp_name(step.lwp)
        };
        sim.checks = false;
        sim.step();
        Some(self.view_of(i, step, who, &sim))
    }

    /// Step indices where something of `kind` happens, in order.
    pub fn markers(&self, kind: MarkerKind) -> Vec<u64> {
        if kind == MarkerKind::Fault {
            let mut v: Vec<u64> = self.trace.findings.iter().map(|f| f.step).collect();
            v.dedup();
            return v;
        }
        self.trace
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                matches!(
                    (kind, s.event),
                    (MarkerKind::Fork, Event::Forked)
                        | (MarkerKind::Fork, Event::LwpCreated)
                        | (MarkerKind::Exit, Event::ExitBegin)
                        | (MarkerKind::Zombie, Event::Zombie)
                        | (MarkerKind::Zombie, Event::LwpZombie)
                        | (MarkerKind::Reap, Event::Reaped)
                        | (MarkerKind::TssFree, Event::TssFree)
                        | (MarkerKind::Drain, Event::Drain | Event::DrainAll)
                        | (MarkerKind::Switch, Event::Switch)
                        | (MarkerKind::Switch, Event::ToIdle)
                )
            })
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

    /// Findings up to and including step `pos - 1`.
    pub fn findings_until(&self, pos: u64) -> Vec<&Finding> {
        self.trace
            .findings
            .iter()
            .filter(|f| f.step < pos)
            .collect()
    }
}
