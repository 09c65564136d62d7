//! Every way the state can change, grouped by kind: `Nav` moves the cursor, `Edit`
//! changes the document (or the page around it), `Outcome` is what an effect reports
//! back (a timer, the clipboard, the builder). `State::apply` is the one transition;
//! `reduce` wraps it for shared states and hands back the same `Rc` when nothing changed.

use super::breakpoints::Breakpoint;
use super::predict::{Open, Predict, PredictNav, Quiz, SEED_DEFAULT};
use super::run::{Place, Progress, Run};
use super::share_link;
use super::state::{ShareStatus, State, DEFAULT_DESIGN, SPEED_MAX, SPEED_MIN};
use super::switches::set_switch_line;
use crate::engine::library;
use crate::engine::session::MarkerKind;
use crate::engine::why::Cell;
use crate::engine::{Design, Switch};
use std::rc::Rc;

/// Moving through the run on screen: only the cursor changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nav {
    StepForward,
    StepBack,
    ActionForward,
    ActionBack,
    Home,
    End,
    Seek(u64),
    /// Seek to a position of compare mode's run (mapped onto the main run by action).
    SeekCompare(u64),
    TogglePlay,
    /// One step of play (from the interval).
    Tick,
    /// `n` steps of play at once: at high speeds the interval advances by the steps due
    /// since its last tick, so play keeps its rate while each frame renders once.
    Advance(u64),
    SetSpeed(u32),
    SetUntilKind(MarkerKind),
    RunUntil {
        forward: bool,
    },
    /// Back to boot, stopped.
    Reset,
    /// Ask why a cell holds its value (the why panel); `None` closes the panel.
    Ask(Option<Cell>),
    /// Set or clear a breakpoint on a line of a function's pseudo-source.
    ToggleBreakpoint(Breakpoint),
    /// The same on the line the last step ran (a key).
    ToggleBreakpointHere,
    /// The scenario's lesson (its `# stop:` lines in file order).
    Lesson(LessonNav),
    /// Esc: close the why panel if it is open, else leave the lesson.
    Escape,
    /// The Predict panel's controls.
    Predict(PredictNav),
}

/// Moving through a lesson.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LessonNav {
    /// Stop `k` (0-based); starts the lesson if it was not on.
    Go(u16),
    /// The next stop (or the first, starting the lesson).
    Next,
    /// The stop before (or the first).
    Prev,
    /// Leave the lesson; the position stays (free exploration).
    Leave,
}

/// The user changes what runs (the document) or the page around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    SetDesign(Design),
    /// Compare mode's second design, or none.
    SetCompare(Option<Design>),
    PickBuiltin(String),
    /// The editor's text changed (committed once it holds still).
    Text(String),
    /// A what-if switch checkbox: add or remove its `switch NAME` line.
    SetSwitch(Switch, bool),
    /// Put the stashed text back in the editor.
    Unstash,
    /// A fragment reached by history navigation (back/forward, edited URL).
    OpenLink(String),
    /// Stop building; the run on screen stays.
    CancelBuild,
    Share,
    DismissBanner,
    DismissRestored,
}

/// What an effect reports back.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The debounce timer for edit `n` fired: parse it and build it.
    Commit(u64),
    /// The share effect's outcome: `Copied`, `Manual` or `Failed`.
    ShareDone(ShareStatus),
    /// The builder's report on job `job`.
    BuildProgress { job: u64, progress: Progress },
    /// Job `job` is done: its runs.
    Built { job: u64, runs: Vec<Rc<Run>> },
}

/// Every way the state can change.
#[derive(Clone, Debug, PartialEq)]
pub enum Verb {
    Nav(Nav),
    Edit(Edit),
    Done(Outcome),
}

impl From<Nav> for Verb {
    fn from(v: Nav) -> Verb {
        Verb::Nav(v)
    }
}

impl From<Edit> for Verb {
    fn from(v: Edit) -> Verb {
        Verb::Edit(v)
    }
}

impl From<Outcome> for Verb {
    fn from(v: Outcome) -> Verb {
        Verb::Done(v)
    }
}

impl Nav {
    /// The verb for a key press, if the key is a shortcut.
    pub fn for_key(key: &str, shift: bool) -> Option<Nav> {
        Some(match (key, shift) {
            (" " | "Spacebar", _) => Nav::TogglePlay,
            ("ArrowRight", false) => Nav::StepForward,
            ("ArrowLeft", false) => Nav::StepBack,
            ("ArrowRight", true) => Nav::ActionForward,
            ("ArrowLeft", true) => Nav::ActionBack,
            ("Home", _) => Nav::Home,
            ("End", _) => Nav::End,
            ("Escape" | "Esc", _) => Nav::Escape,
            ("PageDown", _) => Nav::Lesson(LessonNav::Next),
            ("PageUp", _) => Nav::Lesson(LessonNav::Prev),
            ("b" | "B", _) => Nav::ToggleBreakpointHere,
            _ => return None,
        })
    }
}

/// What the status line says when play or "run until" stops at a breakpoint.
/// The line is numbered as the source panel numbers it (the signature is line 1).
fn breakpoint_status(design: Design, b: Breakpoint) -> String {
    let line = crate::engine::source::body(design, b.func).map_or(u32::from(b.line) + 2, |body| {
        crate::engine::source::listing_line(body, u16::from(b.line))
    });
    format!("Stopped at a breakpoint: {}(), line {line}.", b.func.name())
}

/// `state.apply(verb)` for a shared state: the same `Rc` when the verb changed nothing
/// (so nothing re-renders), a new one otherwise.
pub fn reduce(state: Rc<State>, verb: impl Into<Verb>) -> Rc<State> {
    let next = (*state).clone().apply(verb.into());
    if next == *state {
        state
    } else {
        Rc::new(next)
    }
}

impl State {
    /// The state after `verb`. Pure: effects read the result and dispatch more verbs.
    pub fn apply(mut self, verb: Verb) -> State {
        match verb {
            Verb::Nav(v) => self.nav(v),
            Verb::Edit(v) => self.edit(v),
            Verb::Done(v) => self.outcome(v),
        }
        self.sync_predict();
        self
    }

    /// With the Predict panel on: its quiz is the run on screen's (built when a new run
    /// arrives; a question of the old run closes), and a question a link asked for opens.
    fn sync_predict(&mut self) {
        let Some(p) = &self.predict else { return };
        if self.doc.job.is_some() {
            return;
        }
        let current = p
            .quiz
            .as_ref()
            .is_some_and(|q| Rc::ptr_eq(&q.run, &self.doc.run));
        if !current {
            let quiz = Rc::new(Quiz::new(self.doc.run.clone(), p.seed));
            if let Some(p) = &mut self.predict {
                p.quiz = Some(quiz);
                p.open = None;
            }
        }
        let Some(p) = &mut self.predict else { return };
        let (pending, ask) = (p.pending.take(), p.pending_ask.take());
        if let Some(k) = pending {
            self.predict_nav(PredictNav::Question(k));
        }
        if let Some(kind) = ask {
            if let Some(p) = &mut self.predict {
                p.kind = kind;
            }
            self.predict_nav(PredictNav::AskHere);
        }
    }

    /// A lesson stop with `# ask: KIND`: the Predict panel opens (if it was closed) with
    /// that question at the stop, once the stop's run is on screen.
    fn ask_at_stop(&mut self, k: usize) {
        let Some(kind) = self.doc.run.stops.get(k).and_then(|(s, _)| s.ask) else {
            return;
        };
        let p = self
            .predict
            .get_or_insert_with(|| Predict::new(SEED_DEFAULT, None));
        p.pending_ask = Some(kind);
    }

    /// The Predict panel's verbs (`sync_predict` has built its quiz, unless a run is
    /// still building).
    fn predict_nav(&mut self, v: PredictNav) {
        if let PredictNav::On(on) = v {
            self.predict = match (on, self.predict.take()) {
                (true, Some(p)) => Some(p),
                (true, None) => Some(Predict::new(SEED_DEFAULT, None)),
                (false, _) => None,
            };
            return;
        }
        let pos = self.cursor.pos;
        let Some(p) = &mut self.predict else { return };
        p.note = None;
        let Some(quiz) = p.quiz.clone() else {
            if let PredictNav::Question(k) = v {
                p.pending = Some(k);
            }
            return;
        };
        let qs = &quiz.questions;
        let goto = |p: &mut Predict, k: usize| -> Option<u64> {
            let q = qs.get(k)?.clone();
            let at = q.step;
            p.open = Some(Open {
                index: Some(k),
                question: q,
                chosen: None,
            });
            Some(at)
        };
        let seek = match v {
            PredictNav::On(_) => None,
            PredictNav::Seed(seed) => {
                *p = Predict::new(seed, None);
                None
            }
            PredictNav::Kind(k) => {
                p.kind = k;
                None
            }
            PredictNav::AskHere => match quiz.ask(pos, p.kind) {
                Some(q) => {
                    p.open = Some(Open {
                        index: None,
                        question: Rc::new(q),
                        chosen: None,
                    });
                    None
                }
                None => {
                    p.note = Some(format!(
                        "Nothing to ask here about {}: try another kind or another step.",
                        p.kind.label()
                    ));
                    None
                }
            },
            PredictNav::Question(k) => goto(p, k),
            PredictNav::Next | PredictNav::Prev => {
                let next = v == PredictNav::Next;
                let k = match p.open.as_ref().and_then(|o| o.index) {
                    Some(k) if next => Some(k + 1),
                    Some(k) => k.checked_sub(1),
                    None if next => qs.iter().position(|q| q.step >= pos),
                    None => qs.iter().rposition(|q| q.step < pos),
                };
                match k.filter(|&k| k < qs.len()) {
                    Some(k) => goto(p, k),
                    None => {
                        p.note = Some(if next {
                            "That was the last question of this quiz: try another seed.".into()
                        } else {
                            "This is the first question of this quiz.".into()
                        });
                        None
                    }
                }
            }
            PredictNav::Answer(i) => match &mut p.open {
                Some(o) if o.chosen.is_none() && i < o.question.choices.len() => {
                    o.chosen = Some(i);
                    p.answered += 1;
                    if i == o.question.answer {
                        p.right += 1;
                    }
                    Some(o.question.reveal)
                }
                _ => None,
            },
            PredictNav::Back => p.open.as_ref().map(|o| o.question.step),
        };
        if let Some(at) = seek {
            self.seek(at, false);
        }
    }

    /// Moves to `pos` (clamped); play goes on only for play's own steps.
    fn seek(&mut self, pos: u64, keep_playing: bool) {
        let end = self.end();
        let c = &mut self.cursor;
        c.pos = pos.min(end);
        c.playing = keep_playing && c.playing && c.pos < end;
        self.status = None;
    }

    /// Move through the lesson: to a stop's position, where the run reaches it (a stop
    /// it never reaches keeps the position; the lesson panel says why). A stop shown in
    /// another design (`# design:`) switches to that design first, as the design picker
    /// does (in compare mode, picking the compare design swaps the two sides).
    fn lesson(&mut self, l: LessonNav) {
        let Some(last) = self.doc.run.stops.len().checked_sub(1) else {
            self.cursor.lesson = None;
            return;
        };
        let k = match (l, self.cursor.lesson) {
            (LessonNav::Leave, _) => {
                self.cursor.lesson = None;
                return;
            }
            (LessonNav::Go(k), _) => usize::from(k).min(last),
            (LessonNav::Next, None) | (LessonNav::Prev, None) => 0,
            (LessonNav::Next, Some(k)) => (usize::from(k) + 1).min(last),
            (LessonNav::Prev, Some(k)) => usize::from(k).saturating_sub(1),
        };
        // The stop's design, or the one a pending job is building (the run on screen
        // is then not the one the stop belongs to).
        let target = self.doc.run.stops[k]
            .0
            .design
            .or_else(|| self.doc.job.as_ref().map(|j| j.design));
        if let Some(d) = target.filter(|&d| d != self.design() || self.doc.job.is_some()) {
            let compare = match self.want_compare() {
                Some(c) if c == d => Some(self.want_design()),
                c => c,
            };
            self.cursor.playing = false;
            self.status = None;
            let text = self.base_text();
            self.new_job(text, d, compare, Place::Lesson(k as u16), true);
            self.cursor.lesson = Some(k as u16);
            self.ask_at_stop(k);
            return;
        }
        let at = self.doc.run.stops[k].1.as_ref().ok().copied();
        if let Some(at) = at {
            self.seek(at, false);
        } else {
            self.cursor.playing = false;
        }
        self.cursor.lesson = Some(k as u16);
        self.ask_at_stop(k);
    }

    /// Play on to `to`, stopping early at the first breakpoint on the way.
    fn play_to(&mut self, to: u64) {
        let hit = self
            .breakpoints
            .first_hit(&self.doc.run.session, self.cursor.pos, to);
        match hit {
            Some((at, b)) => {
                self.seek(at, false);
                self.status = Some(breakpoint_status(self.doc.run.session.design, b));
            }
            None => self.seek(to, true),
        }
    }

    fn nav(&mut self, v: Nav) {
        let pos = self.cursor.pos;
        let session = &self.doc.run.session;
        match v {
            Nav::StepForward => self.seek(pos.saturating_add(1), false),
            Nav::StepBack => self.seek(pos.saturating_sub(1), false),
            Nav::ActionForward => self.seek(session.next_action(pos), false),
            Nav::ActionBack => self.seek(session.prev_action(pos), false),
            Nav::Home => self.seek(0, false),
            Nav::End => self.seek(u64::MAX, false),
            Nav::Seek(p) => self.seek(p, false),
            Nav::SeekCompare(p) => {
                if let Some(c) = &self.doc.cmp {
                    let p = c.session.lock_pos(session, p);
                    self.seek(p, false);
                }
            }
            Nav::Tick if self.cursor.playing => self.play_to(pos.saturating_add(1)),
            Nav::Advance(n) if self.cursor.playing && n > 0 => self.play_to(pos.saturating_add(n)),
            Nav::Tick | Nav::Advance(_) => {}
            Nav::TogglePlay => {
                let end = self.end();
                let c = &mut self.cursor;
                self.status = None;
                if c.playing {
                    c.playing = false;
                } else {
                    if c.pos >= end {
                        c.pos = 0;
                    }
                    c.playing = end > 0;
                }
            }
            Nav::SetSpeed(v) => self.cursor.speed = v.clamp(SPEED_MIN, SPEED_MAX),
            Nav::Ask(cell) => self.cursor.why = cell,
            Nav::ToggleBreakpoint(b) => self.breakpoints = self.breakpoints.toggled(b),
            Nav::Escape => {
                if self.cursor.why.is_some() {
                    self.cursor.why = None;
                } else {
                    self.cursor.lesson = None;
                }
            }
            Nav::Lesson(l) => self.lesson(l),
            Nav::Predict(v) => self.predict_nav(v),
            Nav::ToggleBreakpointHere => {
                if let Some(st) = pos
                    .checked_sub(1)
                    .and_then(|i| session.trace.steps.get(i as usize))
                {
                    let b = Breakpoint {
                        func: st.func,
                        line: st.line,
                    };
                    self.breakpoints = self.breakpoints.toggled(b);
                }
            }
            Nav::SetUntilKind(k) => {
                if k != self.cursor.until_kind {
                    self.cursor.until_kind = k;
                    self.status = None;
                }
            }
            Nav::RunUntil { forward } => {
                let kind = self.cursor.until_kind;
                match self.doc.run.seek_marker(pos, kind, forward) {
                    Some(p) if forward => {
                        let hit = self.breakpoints.first_hit(session, pos, p);
                        let status = hit.map(|(_, b)| breakpoint_status(session.design, b));
                        self.seek(hit.map_or(p, |h| h.0), false);
                        self.status = status;
                    }
                    Some(p) => self.seek(p, false),
                    None => {
                        self.cursor.playing = false;
                        self.status = Some(format!(
                            "No {} {} in this run.",
                            if forward { "later" } else { "earlier" },
                            kind.name()
                        ));
                    }
                }
            }
            Nav::Reset => {
                self.seek(0, false);
                self.banner = None;
            }
        }
    }

    fn edit(&mut self, v: Edit) {
        match v {
            Edit::SetDesign(d) => {
                if d == self.want_design() {
                    return;
                }
                // Picking the compare design swaps the two sides.
                let compare = match self.want_compare() {
                    Some(c) if c == d => Some(self.want_design()),
                    c => c,
                };
                self.status = None;
                let text = self.base_text();
                self.new_job(text, d, compare, Place::SameAction, true);
            }
            Edit::SetCompare(c) => {
                let c = c.filter(|&c| c != self.want_design());
                if c == self.want_compare() {
                    return;
                }
                match (&self.doc.job, c) {
                    // Compare off with nothing building: at once.
                    (None, None) => {
                        let d = self.doc_mut();
                        d.cmp = None;
                        d.compare = None;
                        d.history_seq += 1;
                    }
                    _ => {
                        let (text, design) = (self.base_text(), self.want_design());
                        self.new_job(text, design, c, Place::Keep, true)
                    }
                }
            }
            Edit::PickBuiltin(id) => {
                let Some(b) = library::find(&id) else {
                    return;
                };
                let doc = &self.doc;
                if doc.builtin == Some(b.id) && doc.text == b.text && doc.job.is_none() {
                    return;
                }
                self.replace_text(b.text.to_string(), true);
                self.doc_mut().editor_error = None;
                // A what-if scenario runs in a design where its switch applies.
                let want = self.want_design();
                let design = if b.designs.is_empty() || b.designs.contains(&want) {
                    want
                } else {
                    b.designs[0]
                };
                self.cursor.playing = false;
                self.status = None;
                let compare = self.want_compare();
                self.new_job(b.text.to_string(), design, compare, Place::Start, true);
            }
            Edit::Text(text) => {
                if text != self.doc.text {
                    let d = self.doc_mut();
                    d.text = text;
                    d.edit_seq += 1;
                    d.restored = false;
                }
            }
            Edit::SetSwitch(sw, on) => {
                let text = set_switch_line(&self.doc.text, sw, on);
                if text != self.doc.text {
                    self.replace_text(text, false);
                    self.commit();
                }
            }
            Edit::Unstash => {
                if let Some(text) = self.doc.stash.clone() {
                    self.doc_mut().stash = None;
                    self.replace_text(text, true);
                    self.commit();
                }
            }
            Edit::OpenLink(fragment) => self.open_link(fragment),
            Edit::CancelBuild => {
                if self.doc.job.is_some() {
                    let d = self.doc_mut();
                    d.job = None;
                    d.progress = None;
                    self.status =
                        Some("Stopped building: the panels show the previous run.".into());
                }
            }
            Edit::Share => {
                self.share_seq += 1;
                self.share = ShareStatus::Pending;
            }
            Edit::DismissBanner => self.banner = None,
            Edit::DismissRestored => {
                if self.doc.restored {
                    self.doc_mut().restored = false;
                }
            }
        }
    }

    fn open_link(&mut self, fragment: String) {
        let fragment = fragment.trim_start_matches('#').to_string();
        if Ok(&fragment) == self.fragment().as_ref() {
            return;
        }
        // No fragment (back to the page as first opened): the default scenario.
        let decoded = if fragment.is_empty() {
            let def = library::default_builtin();
            Ok(share_link::make(
                def.text,
                DEFAULT_DESIGN,
                0,
                Some(def.id),
                false,
            ))
        } else {
            share_link::decode(&fragment)
        };
        if let Ok(link) = &decoded {
            let same = link.design == self.design()
                && link.step == self.cursor.pos
                && link.compare == self.doc.cmp.as_ref().map(|c| c.session.design)
                && share_link::scenario_text(link) == self.doc.run.session.text;
            if same {
                return;
            }
        }
        self.banner = None;
        match decoded {
            Ok(link) => self.apply_link(link),
            Err(e) => {
                self.banner = Some(format!(
                    "This link could not be opened: {e}. The scenario on screen is unchanged."
                ))
            }
        }
    }

    fn outcome(&mut self, v: Outcome) {
        let current = |s: &State, job: u64| s.doc.job.as_ref().is_some_and(|j| j.id == job);
        match v {
            Outcome::Commit(n) => {
                if n == self.doc.edit_seq && self.edit_pending() {
                    self.commit();
                }
            }
            Outcome::ShareDone(status) => self.share = status,
            Outcome::BuildProgress { job, progress } => {
                if current(self, job) && self.doc.progress != Some(progress) {
                    self.doc_mut().progress = Some(progress);
                }
            }
            Outcome::Built { job, runs } => {
                if current(self, job) {
                    self.take_runs(job, runs);
                }
            }
        }
    }
}
