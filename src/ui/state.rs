//! The app's state: one plain struct (`State`), the verbs that change it (`Verb`) and
//! the reducer (`impl Reducible`). Pure: the URL, the clipboard, localStorage, timers and
//! the slice-by-slice building of runs are effects in `app` and `build`, which dispatch
//! verbs here. A new scenario, design or compare design becomes a `Job`; the run on screen
//! stays usable until the job's runs arrive (`Verb::Built`).

use super::share_link::{self, LinkState};
use super::switches::set_switch_line;
use crate::engine::library;
use crate::engine::metrics::Metrics;
use crate::engine::program::Program;
use crate::engine::scenario::{self, ParseError};
use crate::engine::session::{MarkerKind, Session};
use crate::engine::{Design, Switch};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use yew::prelude::*;

/// Steps per second offered by the speed control; the default is `SPEED_DEFAULT`.
pub const SPEEDS: [u32; 7] = [1, 2, 5, 10, 20, 50, 100];
pub const SPEED_DEFAULT: u32 = 5;
/// The design the app opens with: before the patch, the story's starting point.
pub const DEFAULT_DESIGN: Design = Design::Reaper;
/// localStorage key of the editor's text.
pub const STORAGE_KEY: &str = "exitpath.editor";
/// localStorage key of the id of the tab that wrote `STORAGE_KEY` last.
pub const STORAGE_TAB_KEY: &str = "exitpath.editor.tab";

static NEXT_GEN: AtomicU64 = AtomicU64::new(1);

/// A finished run of one scenario in one design, shared by every panel. Two runs are
/// equal when they are the same run (`gen`), so props holding one compare cheaply.
pub struct Run {
    pub gen: u64,
    pub session: Session,
    pub metrics: Metrics,
    /// Step indices of every marker kind, in `MarkerKind::ALL` order.
    pub markers: Vec<(MarkerKind, Vec<u64>)>,
    /// The compiled scenario: the notes (comments) of its action lines.
    pub program: Program,
    /// Each CPU's idle PCB (its u-area address), which `switch_exit` runs on.
    pub idle_pcbs: Vec<String>,
}

impl PartialEq for Run {
    fn eq(&self, other: &Self) -> bool {
        self.gen == other.gen
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Run#{}({})", self.gen, self.session.design.name())
    }
}

impl Run {
    pub fn new(session: Session) -> Rc<Run> {
        let metrics = Metrics::of(session.design, &session.trace);
        let markers = MarkerKind::ALL
            .iter()
            .map(|&k| (k, session.markers(k)))
            .collect();
        let boot = session.sim_at(0);
        let idle_pcbs = boot
            .st
            .cpus
            .iter()
            .map(|c| format!("{:#010x}", c.regs.idle_pcb))
            .collect();
        Rc::new(Run {
            gen: NEXT_GEN.fetch_add(1, Ordering::Relaxed),
            program: boot.prog,
            session,
            metrics,
            markers,
            idle_pcbs,
        })
    }

    /// The last position (the end of the run).
    pub fn end(&self) -> u64 {
        self.session.len()
    }

    /// The scenario action the step that led to `pos` serves, as "line N: text (pid.lid)",
    /// and the note (comment) on its line.
    pub fn action_at(&self, pos: u64) -> Option<(String, Option<String>)> {
        let a = self.session.action_at(pos)?;
        let who = format!("{}.{}", a.pid, a.lid);
        let label = if a.line > 0 {
            format!("line {}: {} ({who})", a.line, a.text)
        } else {
            format!("{} ({who})", a.text)
        };
        let note = a
            .instr
            .and_then(|pc| self.program.stmt(a.block, pc))
            .and_then(|s| s.note.clone());
        Some((label, note))
    }

    fn is(&self, text: &str, design: Design) -> bool {
        self.session.design == design && self.session.text == text
    }
}

/// Where the position goes once a job's runs arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Stay (clamped to the new end): an edit, a compare design.
    Keep,
    /// Boot: a new scenario.
    Start,
    /// A link's step (clamped, with a message when past the end).
    Step(u64),
    /// The start of the same action in the new run: a design change.
    SameAction,
}

/// Runs to build: `text` in `design`, and in `compare` when set.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: u64,
    pub text: String,
    pub design: Design,
    pub compare: Option<Design>,
    pub place: Place,
    /// Push a history entry when done (a new scenario or design, not an edit).
    pub push: bool,
    /// Finished runs the job may take instead of building them again.
    pub reuse: Vec<Rc<Run>>,
}

impl Job {
    /// The designs to run, in order: the main one, then the compare one.
    pub fn designs(&self) -> Vec<Design> {
        std::iter::once(self.design).chain(self.compare).collect()
    }

    /// A finished run of `text` in `design`, if the job may reuse one.
    pub fn reusable(&self, design: Design) -> Option<Rc<Run>> {
        self.reuse
            .iter()
            .find(|r| r.is(&self.text, design))
            .cloned()
    }
}

/// How far the job on screen has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Micro-steps run so far in the run being built, and its step limit.
    pub steps: u64,
    pub limit: u64,
    /// Which run (0: the main design, 1: the compare design) of how many.
    pub side: usize,
    pub sides: usize,
    pub design: Design,
}

/// Where the share button is.
#[derive(Clone, Debug, PartialEq)]
pub enum ShareStatus {
    Idle,
    /// Asked for; the effect in `app` is copying.
    Pending,
    /// The link is on the clipboard (and shown).
    Copied(String),
    /// The clipboard was not available: the link is shown to copy by hand.
    Manual(String),
    /// No link can be made (the scenario is too large): why.
    Failed(String),
}

/// Everything the app shows.
#[derive(Clone, PartialEq)]
pub struct State {
    /// The last scenario that ran, in the main design: what the panels show.
    pub run: Rc<Run>,
    /// The same scenario in the compare design (compare mode).
    pub cmp: Option<Rc<Run>>,
    /// The compare design asked for (the run may still be building).
    pub compare: Option<Design>,
    /// The editor's text, kept as typed even when it does not parse.
    pub text: String,
    /// Why `text` does not parse (the run on screen is then an older text).
    pub editor_error: Option<ParseError>,
    /// Id of the built-in scenario when the run's text is one, unedited.
    pub builtin: Option<&'static str>,
    /// Position in `run`: 0 (boot) ..= run.end().
    pub pos: u64,
    pub playing: bool,
    /// Steps per second while playing.
    pub speed: u32,
    /// A message about the link or the page (bad link, step clamped).
    pub banner: Option<String>,
    /// A short answer to the last "run until" (nothing further of that kind).
    pub status: Option<String>,
    pub until_kind: MarkerKind,
    /// Shown in an iframe: no editor, no scenario picker.
    pub embed: bool,
    /// Bumped when the scenario or design changes: the URL effect pushes a history entry.
    pub history_seq: u64,
    /// Bumped by the share button: the share effect copies the link.
    pub share_seq: u64,
    pub share: ShareStatus,
    /// Runs being built; the effect in `build` works on it between frames.
    pub job: Option<Rc<Job>>,
    pub progress: Option<Progress>,
    /// Bumped by every edit; the debounce effect commits the text once it holds still.
    pub edit_seq: u64,
    /// The `edit_seq` last committed (parsed, and built when it parses).
    pub committed_seq: u64,
    /// The editor's text came from this browser's storage (a reload), not a link.
    pub restored: bool,
    /// The user's own text that a built-in or a link replaced, offered back.
    pub stash: Option<String>,
    /// This tab's id (see `app`); the history entries the app writes carry it.
    pub tab: String,
    next_job: u64,
}

/// Every way the state can change.
#[derive(Clone, Debug, PartialEq)]
pub enum Verb {
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
    SetDesign(Design),
    /// Compare mode's second design, or none.
    SetCompare(Option<Design>),
    PickBuiltin(String),
    /// The editor's text changed (committed once it holds still).
    Edit(String),
    /// The debounce timer for edit `n` fired: parse it and build it.
    Commit(u64),
    /// A what-if switch checkbox: add or remove its `switch NAME` line.
    SetSwitch(Switch, bool),
    /// Put the stashed text back in the editor.
    Unstash,
    /// A fragment reached by history navigation (back/forward, edited URL).
    OpenLink(String),
    Share,
    /// The share effect's outcome: `Copied`, `Manual` or `Failed`.
    ShareDone(ShareStatus),
    DismissBanner,
    DismissRestored,
    /// The builder's report on job `job`.
    BuildProgress {
        job: u64,
        progress: Progress,
    },
    /// Job `job` is done: its runs.
    Built {
        job: u64,
        runs: Vec<Rc<Run>>,
    },
    /// Stop building; the run on screen stays.
    CancelBuild,
}

pub fn builtin_of(text: &str) -> Option<&'static str> {
    library::BUILTINS
        .iter()
        .find(|b| b.text == text)
        .map(|b| b.id)
}

/// Whether the page's query string asks for the embedded view (`?embed`, `?embed=1`).
pub fn embed_in_search(search: &str) -> bool {
    search
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == "embed" || (p.starts_with("embed=") && p != "embed=0" && p != "embed=false"))
}

/// Maps a position of run `from` onto run `to` by scenario action: the same action
/// (by index), as far into it as `pos` is into its own (at most to its end). Compare
/// mode keeps the second run here, so both sides show the same scenario action.
pub fn lock_pos(from: &Session, to: &Session, pos: u64) -> u64 {
    if pos == 0 {
        return 0;
    }
    if pos >= from.len() {
        return to.len();
    }
    let ta = &to.trace.actions;
    match from.trace.action_of(pos) {
        None => pos.min(ta.first().map_or(to.len(), |a| a.step)),
        Some(k) => match ta.get(k) {
            None => to.len(),
            Some(a) => {
                let offset = pos - from.trace.actions[k].step;
                let next = ta.get(k + 1).map_or(to.len(), |n| n.step);
                (a.step + offset).min(next)
            }
        },
    }
}

/// Position of the start of the action that `pos` is in, mapped onto `new`.
fn same_action(old: &Session, pos: u64, new: &Session) -> u64 {
    if pos == 0 {
        return 0;
    }
    if pos >= old.len() {
        return new.len();
    }
    match old.trace.action_of(pos) {
        Some(i) => new
            .trace
            .actions
            .get(i)
            .map(|a| a.step)
            .unwrap_or(new.len()),
        None => 0,
    }
}

impl State {
    /// The state for a page opened with this fragment (without '#') and query string.
    pub fn from_url(fragment: &str, search: &str) -> State {
        State::open(fragment, search, None, false)
    }

    /// The state for a page opened with this fragment and query string, and the editor
    /// text this browser kept (`stored`). A link wins over the stored text, unless the
    /// link is this tab's own (`own`: a reload), where the stored text is newer.
    pub fn open(fragment: &str, search: &str, stored: Option<String>, own: bool) -> State {
        let fragment = fragment.trim_start_matches('#');
        let def = library::default_builtin();
        let session = Session::new(def.text, Some(DEFAULT_DESIGN))
            .expect("the default built-in scenario parses");
        let mut s = State {
            run: Run::new(session),
            cmp: None,
            compare: None,
            text: def.text.to_string(),
            editor_error: None,
            builtin: Some(def.id),
            pos: 0,
            playing: false,
            speed: SPEED_DEFAULT,
            banner: None,
            status: None,
            until_kind: MarkerKind::Zombie,
            embed: embed_in_search(search),
            history_seq: 0,
            share_seq: 0,
            share: ShareStatus::Idle,
            job: None,
            progress: None,
            edit_seq: 0,
            committed_seq: 0,
            restored: false,
            stash: None,
            tab: String::new(),
            next_job: 1,
        };
        let stored = stored.filter(|t| !t.trim().is_empty());
        // An embedded moment shows its link only, and never the user's draft.
        let stored = stored.filter(|_| !s.embed);
        if fragment.is_empty() {
            if let Some(t) = stored.filter(|t| t != def.text) {
                s.restore(t);
            }
            return s;
        }
        match share_link::decode(fragment) {
            Ok(link) => {
                s.apply_link(link);
                match stored.filter(|t| !s.embed && *t != s.text) {
                    Some(t) if own => s.restore(t),
                    // A link from elsewhere wins; the user's own text can come back.
                    Some(t) if builtin_of(&t).is_none() => s.stash = Some(t),
                    _ => {}
                }
            }
            Err(e) => {
                s.banner = Some(format!(
                    "This link could not be opened: {e}. Showing the default scenario instead."
                ))
            }
        }
        s
    }

    /// The design of the run on screen.
    pub fn design(&self) -> Design {
        self.run.session.design
    }

    /// The design asked for: the job's while one is building.
    pub fn want_design(&self) -> Design {
        self.job.as_ref().map_or(self.design(), |j| j.design)
    }

    /// The compare design asked for: the job's while one is building.
    pub fn want_compare(&self) -> Option<Design> {
        self.job.as_ref().map_or(self.compare, |j| j.compare)
    }

    /// The text the next design or compare change runs: the job's, or the run's.
    fn base_text(&self) -> String {
        self.job
            .as_ref()
            .map_or_else(|| self.run.session.text.clone(), |j| j.text.clone())
    }

    /// The last position (the end of the run).
    pub fn end(&self) -> u64 {
        self.run.end()
    }

    /// Compare mode's run and its position (locked to `pos` by action).
    pub fn cmp_at(&self) -> Option<(Rc<Run>, u64)> {
        let c = self.cmp.clone()?;
        let p = lock_pos(&self.run.session, &c.session, self.pos);
        Some((c, p))
    }

    /// The link that reproduces what is on screen.
    pub fn link(&self) -> LinkState {
        link_of(&self.run, self.cmp.as_deref(), self.pos, self.embed)
    }

    /// The URL fragment of `link()`, or why there can be none (scenario too large).
    pub fn fragment(&self) -> Result<String, String> {
        share_link::encode(&self.link())
    }

    /// An edit is waiting for the debounce to commit it.
    pub fn edit_pending(&self) -> bool {
        self.edit_seq != self.committed_seq
    }

    fn new_job(
        &mut self,
        text: String,
        design: Design,
        compare: Option<Design>,
        place: Place,
        push: bool,
    ) {
        let compare = compare.filter(|&c| c != design);
        let id = self.next_job;
        self.next_job += 1;
        let reuse = std::iter::once(self.run.clone())
            .chain(self.cmp.clone())
            .collect();
        self.job = Some(Rc::new(Job {
            id,
            text,
            design,
            compare,
            place,
            push,
            reuse,
        }));
        self.progress = None;
    }

    /// The editor's text was replaced (by a built-in, a link or a switch): committed at
    /// once, no debounce. Keeps the user's own text in `stash` when it is replaced by
    /// something else.
    fn replace_text(&mut self, text: String, stash: bool) {
        if stash
            && builtin_of(&self.text).is_none()
            && !self.text.trim().is_empty()
            && self.text != text
        {
            self.stash = Some(std::mem::take(&mut self.text));
        }
        self.text = text;
        self.edit_seq += 1;
        self.committed_seq = self.edit_seq;
        self.restored = false;
    }

    /// The editor's text came from storage: it runs when it parses; otherwise its error
    /// shows and whatever else runs meanwhile.
    fn restore(&mut self, text: String) {
        self.replace_text(text, false);
        self.restored = true;
        self.commit();
    }

    /// Parses the editor's text: its error, or a job to run it (when it differs from
    /// what runs or is being built).
    fn commit(&mut self) {
        self.committed_seq = self.edit_seq;
        let sc = match scenario::parse(&self.text) {
            Ok(sc) => sc,
            Err(e) => {
                self.editor_error = Some(e);
                return;
            }
        };
        self.editor_error = None;
        // A `design` line that the user just wrote or changed moves the picker.
        let design = match sc.design {
            Some(d) if sc.design != self.run.session.scenario.design => d,
            _ => self.want_design(),
        };
        let compare = self.want_compare();
        let same_job = self
            .job
            .as_ref()
            .is_some_and(|j| j.text == self.text && j.design == design && j.compare == compare);
        let same_run = self.job.is_none()
            && self.run.is(&self.text, design)
            && compare.is_none_or(|c| self.cmp.as_ref().is_some_and(|r| r.is(&self.text, c)));
        if !same_job && !same_run {
            let text = self.text.clone();
            self.new_job(text, design, compare, Place::Keep, false);
        }
    }

    fn apply_link(&mut self, link: LinkState) {
        self.playing = false;
        self.status = None;
        self.embed = self.embed || link.embed;
        self.replace_text(share_link::scenario_text(&link), true);
        match scenario::parse(&self.text) {
            Ok(_) => {
                self.editor_error = None;
                let text = self.text.clone();
                self.new_job(
                    text,
                    link.design,
                    link.compare,
                    Place::Step(link.step),
                    false,
                );
            }
            Err(e) => {
                self.banner = Some(format!(
                    "The scenario in this link does not parse ({e}). It is in the editor; the scenario on screen runs meanwhile."
                ));
                self.editor_error = Some(e);
                self.job = None;
                self.progress = None;
            }
        }
    }

    /// Takes job `id`'s runs: the first is the main run, the second the compare run.
    fn take_runs(&mut self, id: u64, runs: Vec<Rc<Run>>) {
        let Some(job) = self.job.take().filter(|j| j.id == id) else {
            return;
        };
        self.progress = None;
        let mut runs = runs.into_iter();
        let Some(run) = runs.next() else { return };
        let old = std::mem::replace(&mut self.run, run);
        self.cmp = runs.next();
        self.compare = self.cmp.as_ref().map(|c| c.session.design);
        self.builtin = builtin_of(&self.run.session.text);
        let end = self.end();
        self.status = None;
        self.pos = match job.place {
            Place::Keep => self.pos.min(end),
            Place::Start => 0,
            Place::Step(n) => {
                if n > end {
                    self.banner = Some(format!(
                        "The link points at step {n}, but this run ends at step {end}: showing the end."
                    ));
                }
                n.min(end)
            }
            Place::SameAction => same_action(&old.session, self.pos, &self.run.session),
        };
        self.playing = job.place == Place::Keep && self.playing && self.pos < end;
        if job.push {
            self.history_seq += 1;
        }
    }
}

/// The link of `run` at `pos` (with compare mode's design and the run's switches).
pub fn link_of(run: &Run, cmp: Option<&Run>, pos: u64, embed: bool) -> LinkState {
    let s = &run.session;
    let mut link = share_link::make(&s.text, s.design, pos, builtin_of(&s.text), embed);
    link.switches = s.scenario.switches.clone();
    link.compare = cmp.map(|c| c.session.design);
    link
}

fn changed(s: State) -> Rc<State> {
    Rc::new(s)
}

impl Reducible for State {
    type Action = Verb;

    fn reduce(self: Rc<Self>, verb: Verb) -> Rc<Self> {
        let len = self.end();
        let session = &self.run.session;
        let seek = |this: Rc<State>, pos: u64, keep_playing: bool| -> Rc<State> {
            let pos = pos.min(len);
            let playing = keep_playing && this.playing && pos < len;
            if pos == this.pos && playing == this.playing && this.status.is_none() {
                return this;
            }
            let mut s = (*this).clone();
            s.pos = pos;
            s.playing = playing;
            s.status = None;
            changed(s)
        };
        match verb {
            Verb::StepForward => seek(self.clone(), self.pos + 1, false),
            Verb::StepBack => seek(self.clone(), self.pos.saturating_sub(1), false),
            Verb::ActionForward => {
                let p = session.next_action(self.pos);
                seek(self.clone(), p, false)
            }
            Verb::ActionBack => {
                let p = session.prev_action(self.pos);
                seek(self.clone(), p, false)
            }
            Verb::Home => seek(self.clone(), 0, false),
            Verb::End => seek(self.clone(), len, false),
            Verb::Seek(p) => seek(self.clone(), p, false),
            Verb::SeekCompare(p) => match &self.cmp {
                Some(c) => seek(self.clone(), lock_pos(&c.session, session, p), false),
                None => self,
            },
            Verb::Tick => {
                if !self.playing {
                    return self;
                }
                seek(self.clone(), self.pos + 1, true)
            }
            Verb::Advance(n) => {
                if !self.playing || n == 0 {
                    return self;
                }
                seek(self.clone(), self.pos.saturating_add(n), true)
            }
            Verb::TogglePlay => {
                let mut s = (*self).clone();
                s.status = None;
                if s.playing {
                    s.playing = false;
                } else {
                    if s.pos >= len {
                        s.pos = 0;
                    }
                    s.playing = len > 0;
                }
                changed(s)
            }
            Verb::SetSpeed(v) => {
                let v = v.clamp(1, 1000);
                if v == self.speed {
                    return self;
                }
                let mut s = (*self).clone();
                s.speed = v;
                changed(s)
            }
            Verb::SetUntilKind(k) => {
                if k == self.until_kind {
                    return self;
                }
                let mut s = (*self).clone();
                s.until_kind = k;
                s.status = None;
                changed(s)
            }
            Verb::RunUntil { forward } => {
                match session.seek_marker(self.pos, self.until_kind, forward) {
                    Some(p) => seek(self.clone(), p, false),
                    None => {
                        let mut s = (*self).clone();
                        s.playing = false;
                        s.status = Some(format!(
                            "No {} {} in this run.",
                            if forward { "later" } else { "earlier" },
                            self.until_kind.name()
                        ));
                        changed(s)
                    }
                }
            }
            Verb::Reset => {
                if self.pos == 0 && !self.playing && self.status.is_none() && self.banner.is_none()
                {
                    return self;
                }
                let mut s = (*self).clone();
                s.pos = 0;
                s.playing = false;
                s.status = None;
                s.banner = None;
                changed(s)
            }
            Verb::SetDesign(d) => {
                if d == self.want_design() {
                    return self;
                }
                let mut s = (*self).clone();
                // Picking the compare design swaps the two sides.
                let compare = match self.want_compare() {
                    Some(c) if c == d => Some(self.want_design()),
                    c => c,
                };
                s.status = None;
                s.new_job(self.base_text(), d, compare, Place::SameAction, true);
                changed(s)
            }
            Verb::SetCompare(c) => {
                let c = c.filter(|&c| c != self.want_design());
                if c == self.want_compare() {
                    return self;
                }
                let mut s = (*self).clone();
                match (&self.job, c) {
                    // Compare off with nothing building: at once.
                    (None, None) => {
                        s.cmp = None;
                        s.compare = None;
                        s.history_seq += 1;
                    }
                    _ => s.new_job(self.base_text(), self.want_design(), c, Place::Keep, true),
                }
                changed(s)
            }
            Verb::PickBuiltin(id) => {
                let Some(b) = library::find(&id) else {
                    return self;
                };
                if self.builtin == Some(b.id) && self.text == b.text && self.job.is_none() {
                    return self;
                }
                let mut s = (*self).clone();
                s.replace_text(b.text.to_string(), true);
                s.editor_error = None;
                // A what-if scenario runs in a design where its switch applies.
                let want = self.want_design();
                let design = if b.designs.is_empty() || b.designs.contains(&want) {
                    want
                } else {
                    b.designs[0]
                };
                s.playing = false;
                s.status = None;
                s.new_job(
                    b.text.to_string(),
                    design,
                    self.want_compare(),
                    Place::Start,
                    true,
                );
                changed(s)
            }
            Verb::Edit(text) => {
                if text == self.text {
                    return self;
                }
                let mut s = (*self).clone();
                s.text = text;
                s.edit_seq += 1;
                s.restored = false;
                changed(s)
            }
            Verb::Commit(n) => {
                if n != self.edit_seq || !self.edit_pending() {
                    return self;
                }
                let mut s = (*self).clone();
                s.commit();
                changed(s)
            }
            Verb::SetSwitch(sw, on) => {
                let text = set_switch_line(&self.text, sw, on);
                if text == self.text {
                    return self;
                }
                let mut s = (*self).clone();
                s.replace_text(text, false);
                s.commit();
                changed(s)
            }
            Verb::Unstash => {
                let Some(text) = self.stash.clone() else {
                    return self;
                };
                let mut s = (*self).clone();
                s.stash = None;
                s.replace_text(text, true);
                s.commit();
                changed(s)
            }
            Verb::OpenLink(fragment) => {
                let fragment = fragment.trim_start_matches('#').to_string();
                if Ok(&fragment) == self.fragment().as_ref() {
                    return self;
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
                        && link.step == self.pos
                        && link.compare == self.cmp.as_ref().map(|c| c.session.design)
                        && share_link::scenario_text(link) == self.run.session.text;
                    if same {
                        return self;
                    }
                }
                let mut s = (*self).clone();
                s.banner = None;
                match decoded {
                    Ok(link) => s.apply_link(link),
                    Err(e) => {
                        s.banner = Some(format!(
                        "This link could not be opened: {e}. The scenario on screen is unchanged."
                    ))
                    }
                }
                changed(s)
            }
            Verb::Share => {
                let mut s = (*self).clone();
                s.share_seq += 1;
                s.share = ShareStatus::Pending;
                changed(s)
            }
            Verb::ShareDone(status) => {
                let mut s = (*self).clone();
                s.share = status;
                changed(s)
            }
            Verb::DismissBanner => {
                if self.banner.is_none() {
                    return self;
                }
                let mut s = (*self).clone();
                s.banner = None;
                changed(s)
            }
            Verb::DismissRestored => {
                if !self.restored {
                    return self;
                }
                let mut s = (*self).clone();
                s.restored = false;
                changed(s)
            }
            Verb::BuildProgress { job, progress } => {
                if self.job.as_ref().is_none_or(|j| j.id != job) || self.progress == Some(progress)
                {
                    return self;
                }
                let mut s = (*self).clone();
                s.progress = Some(progress);
                changed(s)
            }
            Verb::Built { job, runs } => {
                if self.job.as_ref().is_none_or(|j| j.id != job) {
                    return self;
                }
                let mut s = (*self).clone();
                s.take_runs(job, runs);
                changed(s)
            }
            Verb::CancelBuild => {
                if self.job.is_none() {
                    return self;
                }
                let mut s = (*self).clone();
                s.job = None;
                s.progress = None;
                s.status = Some("Stopped building: the panels show the previous run.".into());
                changed(s)
            }
        }
    }
}
