//! What the page holds, split by how often it changes: the `Doc` (the scenario text, the
//! design and compare design, the switches in the text, the runs built from them) changes
//! per edit and sits behind one `Rc`; the `Cursor` (position, play, speed) changes per
//! step and is copied. Stepping never clones the document.

use super::breakpoints::Breakpoints;
use super::predict::Predict;
use super::run::{ActionLabel, Job, Place, Run};
use super::share_link::{self, LinkState};
use crate::engine::library;
use crate::engine::scenario::{self, ParseError};
use crate::engine::session::{MarkerKind, Session};
use crate::engine::why::Cell;
use crate::engine::Design;
use std::rc::Rc;

/// Steps per second offered by the speed control; the default is `SPEED_DEFAULT`.
pub const SPEEDS: [u32; 7] = [1, 2, 5, 10, 20, 50, 100];
pub const SPEED_DEFAULT: u32 = 5;
/// The slowest and fastest play the model accepts (steps per second).
pub const SPEED_MIN: u32 = 1;
pub const SPEED_MAX: u32 = 1000;
/// The design the app opens with: before the patch, the story's starting point.
pub const DEFAULT_DESIGN: Design = Design::Reaper;
/// localStorage key of the editor's text.
pub const STORAGE_KEY: &str = "exitpath.editor";
/// localStorage key of the id of the tab that wrote `STORAGE_KEY` last.
pub const STORAGE_TAB_KEY: &str = "exitpath.editor.tab";

/// Where the share button is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareStatus {
    Idle,
    /// Asked for; the effect in `ui` is copying.
    Pending,
    /// The link is on the clipboard (and shown).
    Copied(String),
    /// The clipboard was not available: the link is shown to copy by hand.
    Manual(String),
    /// No link can be made (the scenario is too large): why.
    Failed(String),
}

/// The document: what changes when the user edits, picks or a run arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
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
    /// Shown in an iframe: no editor, no scenario picker.
    pub embed: bool,
    /// Bumped when the scenario or design changes: the URL effect pushes a history entry.
    pub history_seq: u64,
    /// Runs being built; the effect in `ui::build` works on it between frames.
    pub job: Option<Rc<Job>>,
    pub progress: Option<super::run::Progress>,
    /// Bumped by every edit; the debounce effect commits the text once it holds still.
    pub edit_seq: u64,
    /// The `edit_seq` last committed (parsed, and built when it parses).
    pub committed_seq: u64,
    /// The editor's text came from this browser's storage (a reload), not a link.
    pub restored: bool,
    /// The user's own text that a built-in or a link replaced, offered back.
    pub stash: Option<String>,
    /// This tab's id (see `ui::app`); the history entries the app writes carry it.
    pub tab: String,
    pub(super) next_job: u64,
}

/// The cursor: what changes on every step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Position in the run: 0 (boot) ..= run.end().
    pub pos: u64,
    pub playing: bool,
    /// Steps per second while playing.
    pub speed: u32,
    /// The marker kind "run until" looks for.
    pub until_kind: MarkerKind,
    /// The cell the why panel answers for ("why does it hold this?"), if any.
    pub why: Option<Cell>,
    /// In a lesson: the index of its stop on screen (engine::stops, file order).
    pub lesson: Option<u16>,
}

/// Everything the app shows.
#[derive(Clone, Debug)]
pub struct State {
    pub doc: Rc<Doc>,
    pub cursor: Cursor,
    /// A message about the link or the page (bad link, step clamped).
    pub banner: Option<String>,
    /// A short answer to the last "run until" or stop (nothing further of that kind).
    pub status: Option<String>,
    /// Bumped by the share button: the share effect copies the link.
    pub share_seq: u64,
    pub share: ShareStatus,
    /// Source lines that play and "run until" stop at.
    pub breakpoints: Breakpoints,
    /// The Predict panel, when it is on.
    pub predict: Option<Predict>,
}

impl PartialEq for State {
    fn eq(&self, o: &Self) -> bool {
        self.cursor == o.cursor
            && (Rc::ptr_eq(&self.doc, &o.doc) || self.doc == o.doc)
            && self.banner == o.banner
            && self.status == o.status
            && self.share_seq == o.share_seq
            && self.share == o.share
            && self.breakpoints == o.breakpoints
            && self.predict == o.predict
    }
}

/// `link` carrying the breakpoints and the why panel's cell too.
pub fn with_marks(mut link: LinkState, bps: &Breakpoints, why: Option<Cell>) -> LinkState {
    link.breakpoints = bps.iter().map(|b| (b.func, b.line)).collect();
    link.why = why;
    link
}

/// `link` at lesson stop `lesson` (or out of a lesson).
pub fn with_lesson(mut link: LinkState, lesson: Option<u16>) -> LinkState {
    link.lesson = lesson;
    link
}

/// The id of the built-in whose text `text` is, unedited.
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

/// The link of `run` at `pos` (with compare mode's design and the run's switches).
pub fn link_of(run: &Run, cmp: Option<&Run>, pos: u64, embed: bool) -> LinkState {
    let s = &run.session;
    let mut link = share_link::make(&s.text, s.design, pos, builtin_of(&s.text), embed);
    link.switches = s.scenario.switches.clone();
    link.compare = cmp.map(|c| c.session.design);
    // An exercise's link carries its parameters (`x=`), not its text.
    if let Some(x) = super::exercise::Exercise::of_text(&s.text) {
        link.exercise = Some(x.params);
        link.scenario.clear();
    }
    link
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
            doc: Rc::new(Doc {
                run: Run::new(session),
                cmp: None,
                compare: None,
                text: def.text.to_string(),
                editor_error: None,
                builtin: Some(def.id),
                embed: embed_in_search(search),
                history_seq: 0,
                job: None,
                progress: None,
                edit_seq: 0,
                committed_seq: 0,
                restored: false,
                stash: None,
                tab: String::new(),
                next_job: 1,
            }),
            cursor: Cursor {
                pos: 0,
                playing: false,
                speed: SPEED_DEFAULT,
                until_kind: MarkerKind::Zombie,
                why: None,
                lesson: None,
            },
            banner: None,
            status: None,
            share_seq: 0,
            share: ShareStatus::Idle,
            breakpoints: Breakpoints::default(),
            predict: None,
        };
        let stored = stored.filter(|t| !t.trim().is_empty());
        // An embedded moment shows its link only, and never the user's draft.
        let stored = stored.filter(|_| !s.doc.embed);
        if fragment.is_empty() {
            if let Some(t) = stored.filter(|t| t != def.text) {
                s.restore(t);
            }
            return s;
        }
        match share_link::decode(fragment) {
            Ok(link) => {
                s.apply_link(link);
                match stored.filter(|t| !s.doc.embed && *t != s.doc.text) {
                    Some(t) if own => s.restore(t),
                    // A link from elsewhere wins; the user's own text can come back.
                    Some(t) if builtin_of(&t).is_none() => s.doc_mut().stash = Some(t),
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

    /// The document, to change (cloned only when shared).
    pub(super) fn doc_mut(&mut self) -> &mut Doc {
        Rc::make_mut(&mut self.doc)
    }

    /// The run on screen.
    pub fn run(&self) -> &Rc<Run> {
        &self.doc.run
    }

    /// The position in the run on screen.
    pub fn pos(&self) -> u64 {
        self.cursor.pos
    }

    /// The design of the run on screen.
    pub fn design(&self) -> Design {
        self.doc.run.session.design
    }

    /// The design asked for: the job's while one is building.
    pub fn want_design(&self) -> Design {
        self.doc.job.as_ref().map_or(self.design(), |j| j.design)
    }

    /// The compare design asked for: the job's while one is building.
    pub fn want_compare(&self) -> Option<Design> {
        self.doc
            .job
            .as_ref()
            .map_or(self.doc.compare, |j| j.compare)
    }

    /// The text the next design or compare change runs: the job's, or the run's.
    pub(super) fn base_text(&self) -> String {
        self.doc
            .job
            .as_ref()
            .map_or_else(|| self.doc.run.session.text.clone(), |j| j.text.clone())
    }

    /// The last position (the end of the run).
    pub fn end(&self) -> u64 {
        self.doc.run.end()
    }

    /// Compare mode's run and its position (locked to `pos` by action).
    pub fn cmp_at(&self) -> Option<(Rc<Run>, u64)> {
        let c = self.doc.cmp.clone()?;
        let p = self.doc.run.session.lock_pos(&c.session, self.cursor.pos);
        Some((c, p))
    }

    /// The scenario action at the position on screen.
    pub fn action(&self) -> Option<ActionLabel> {
        self.doc.run.action_at(self.cursor.pos)
    }

    /// The link that reproduces what is on screen.
    pub fn link(&self) -> LinkState {
        let link = link_of(
            &self.doc.run,
            self.doc.cmp.as_deref(),
            self.cursor.pos,
            self.doc.embed,
        );
        let mut link = with_lesson(
            with_marks(link, &self.breakpoints, self.cursor.why),
            self.cursor.lesson,
        );
        link.predict = self.predict_key();
        link
    }

    /// What the link says of the Predict panel: its seed and the quiz question open.
    pub fn predict_key(&self) -> Option<(u64, Option<u16>)> {
        self.predict.as_ref().map(|p| {
            let open = p.open.as_ref().and_then(|o| o.index).or(p.pending);
            (p.seed, open.map(|k| k as u16))
        })
    }

    /// The URL fragment of `link()`, or why there can be none (scenario too large).
    pub fn fragment(&self) -> Result<String, String> {
        share_link::encode(&self.link())
    }

    /// An edit is waiting for the debounce to commit it.
    pub fn edit_pending(&self) -> bool {
        self.doc.edit_seq != self.doc.committed_seq
    }

    pub(super) fn new_job(
        &mut self,
        text: String,
        design: Design,
        compare: Option<Design>,
        place: Place,
        push: bool,
    ) {
        let compare = compare.filter(|&c| c != design);
        let d = self.doc_mut();
        let id = d.next_job;
        d.next_job += 1;
        let reuse = std::iter::once(d.run.clone())
            .chain(d.cmp.clone())
            .collect();
        d.job = Some(Rc::new(Job {
            id,
            text,
            design,
            compare,
            place,
            push,
            reuse,
        }));
        d.progress = None;
    }

    /// The editor's text was replaced (by a built-in, a link or a switch): committed at
    /// once, no debounce. Keeps the user's own text in `stash` when it is replaced by
    /// something else.
    pub(super) fn replace_text(&mut self, text: String, stash: bool) {
        let d = self.doc_mut();
        if stash && builtin_of(&d.text).is_none() && !d.text.trim().is_empty() && d.text != text {
            d.stash = Some(std::mem::take(&mut d.text));
        }
        d.text = text;
        d.edit_seq += 1;
        d.committed_seq = d.edit_seq;
        d.restored = false;
    }

    /// The editor's text came from storage: it runs when it parses; otherwise its error
    /// shows and whatever else runs meanwhile.
    fn restore(&mut self, text: String) {
        self.replace_text(text, false);
        self.doc_mut().restored = true;
        self.commit();
    }

    /// Parses the editor's text: its error, or a job to run it (when it differs from
    /// what runs or is being built).
    pub(super) fn commit(&mut self) {
        let d = self.doc_mut();
        d.committed_seq = d.edit_seq;
        let sc = match scenario::parse(&d.text) {
            Ok(sc) => sc,
            Err(e) => {
                d.editor_error = Some(e);
                return;
            }
        };
        d.editor_error = None;
        // A `design` line that the user just wrote or changed moves the picker.
        let design = match sc.design {
            Some(dd) if sc.design != self.doc.run.session.scenario.design => dd,
            _ => self.want_design(),
        };
        let compare = self.want_compare();
        let doc = &self.doc;
        let same_job = doc
            .job
            .as_ref()
            .is_some_and(|j| j.text == doc.text && j.design == design && j.compare == compare);
        let same_run = doc.job.is_none()
            && doc.run.is(&doc.text, design)
            && compare.is_none_or(|c| doc.cmp.as_ref().is_some_and(|r| r.is(&doc.text, c)));
        if !same_job && !same_run {
            let text = doc.text.clone();
            self.new_job(text, design, compare, Place::Keep, false);
        }
    }

    pub(super) fn apply_link(&mut self, link: LinkState) {
        self.cursor.playing = false;
        self.status = None;
        self.cursor.why = link.why;
        self.cursor.lesson = link.lesson;
        self.breakpoints = Breakpoints::from_pairs(&link.breakpoints);
        self.predict = link
            .predict
            .map(|(seed, k)| Predict::new(seed, k.map(usize::from)));
        {
            let d = self.doc_mut();
            d.embed = d.embed || link.embed;
        }
        self.replace_text(share_link::scenario_text(&link), true);
        match scenario::parse(&self.doc.text) {
            Ok(_) => {
                self.doc_mut().editor_error = None;
                let text = self.doc.text.clone();
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
                let d = self.doc_mut();
                d.editor_error = Some(e);
                d.job = None;
                d.progress = None;
            }
        }
    }

    /// Takes job `id`'s runs: the first is the main run, the second the compare run.
    pub(super) fn take_runs(&mut self, id: u64, runs: Vec<Rc<Run>>) {
        let Some(job) = self.doc.job.clone().filter(|j| j.id == id) else {
            return;
        };
        let mut runs = runs.into_iter();
        let pos = self.cursor.pos;
        let d = self.doc_mut();
        d.job = None;
        d.progress = None;
        let Some(run) = runs.next() else { return };
        let old = std::mem::replace(&mut d.run, run);
        d.cmp = runs.next();
        d.compare = d.cmp.as_ref().map(|c| c.session.design);
        d.builtin = builtin_of(&d.run.session.text);
        if job.push {
            d.history_seq += 1;
        }
        let end = d.run.end();
        let new_pos = match job.place {
            Place::Keep => pos.min(end),
            Place::Start => 0,
            Place::Step(n) => {
                if n > end {
                    self.banner = Some(format!(
                        "The link points at step {n}, but this run ends at step {end}: showing the end."
                    ));
                }
                n.min(end)
            }
            Place::SameAction => old.session.same_action(pos, &self.doc.run.session),
            Place::Lesson(k) => match self.doc.run.stops.get(usize::from(k)) {
                Some((_, Ok(at))) => *at,
                _ => pos.min(end),
            },
        };
        self.status = None;
        self.cursor.pos = new_pos;
        self.cursor.playing = job.place == Place::Keep && self.cursor.playing && new_pos < end;
    }
}
