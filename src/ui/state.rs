//! The app's state: one plain struct (`State`), the verbs that change it (`Verb`) and
//! the reducer (`impl Reducible`). Pure: the URL, the clipboard and timers are read and
//! written by effects in `app`, which dispatch verbs here.

use super::share_link::{self, LinkState};
use crate::engine::library;
use crate::engine::metrics::Metrics;
use crate::engine::scenario::ParseError;
use crate::engine::session::{MarkerKind, Session};
use crate::engine::Design;
use std::rc::Rc;
use yew::prelude::*;

/// Steps per second offered by the speed control; the default is `SPEED_DEFAULT`.
pub const SPEEDS: [u32; 7] = [1, 2, 5, 10, 20, 50, 100];
pub const SPEED_DEFAULT: u32 = 5;
/// The design the app opens with: before the patch, the story's starting point.
pub const DEFAULT_DESIGN: Design = Design::Reaper;

/// A finished run of one scenario in one design, shared by every panel. Two runs are
/// equal when they are the same run (`gen`), so props holding one compare cheaply.
pub struct Run {
    pub gen: u64,
    pub session: Session,
    pub metrics: Metrics,
    /// Step indices of every marker kind, in `MarkerKind::ALL` order.
    pub markers: Vec<(MarkerKind, Vec<u64>)>,
}

impl PartialEq for Run {
    fn eq(&self, other: &Self) -> bool {
        self.gen == other.gen
    }
}

impl Run {
    fn new(gen: u64, session: Session) -> Rc<Run> {
        let metrics = Metrics::of(session.design, &session.trace);
        let markers = MarkerKind::ALL
            .iter()
            .map(|&k| (k, session.markers(k)))
            .collect();
        Rc::new(Run {
            gen,
            session,
            metrics,
            markers,
        })
    }

    /// The last position (the end of the run).
    pub fn end(&self) -> u64 {
        self.session.len()
    }
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
    /// The last scenario that parsed, run to the end: what the panels show.
    pub run: Rc<Run>,
    /// The editor's text, kept as typed even when it does not parse.
    pub text: String,
    /// Why `text` does not parse (the run on screen is then an older text).
    pub editor_error: Option<ParseError>,
    /// Id of the built-in scenario when the run's text is one, unedited.
    pub builtin: Option<&'static str>,
    /// Position: 0 (boot) ..= run.end().
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
    next_gen: u64,
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
    TogglePlay,
    /// One step of play (from the interval).
    Tick,
    SetSpeed(u32),
    SetUntilKind(MarkerKind),
    RunUntil {
        forward: bool,
    },
    /// Back to boot, stopped.
    Reset,
    SetDesign(Design),
    PickBuiltin(String),
    Edit(String),
    /// A fragment reached by history navigation (back/forward, edited URL).
    OpenLink(String),
    Share,
    /// The share effect's outcome: `Copied`, `Manual` or `Failed`.
    ShareDone(ShareStatus),
    DismissBanner,
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

impl State {
    /// The state for a page opened with this fragment (without '#') and query string.
    pub fn from_url(fragment: &str, search: &str) -> State {
        let fragment = fragment.trim_start_matches('#');
        let def = library::default_builtin();
        let session = Session::new(def.text, Some(DEFAULT_DESIGN))
            .expect("the default built-in scenario parses");
        let mut s = State {
            run: Run::new(1, session),
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
            next_gen: 2,
        };
        if !fragment.is_empty() {
            match share_link::decode(fragment) {
                Ok(link) => s.apply_link(link),
                Err(e) => {
                    s.banner = Some(format!(
                        "This link could not be opened: {e}. Showing the default scenario instead."
                    ))
                }
            }
        }
        s
    }

    pub fn design(&self) -> Design {
        self.run.session.design
    }

    /// The last position (the end of the run).
    pub fn end(&self) -> u64 {
        self.run.end()
    }

    /// The link that reproduces what is on screen.
    pub fn link(&self) -> LinkState {
        share_link::make(
            &self.run.session.text,
            self.design(),
            self.pos,
            self.builtin,
            self.embed,
        )
    }

    /// The URL fragment of `link()`, or why there can be none (scenario too large).
    pub fn fragment(&self) -> Result<String, String> {
        share_link::encode(&self.link())
    }

    fn gen(&mut self) -> u64 {
        self.next_gen += 1;
        self.next_gen
    }

    /// Runs `text` in `design`; on success it becomes the run on screen.
    fn load(&mut self, text: &str, design: Design) -> Result<(), ParseError> {
        let session = Session::new(text, Some(design))?;
        let gen = self.gen();
        self.run = Run::new(gen, session);
        self.builtin = builtin_of(text);
        self.editor_error = None;
        Ok(())
    }

    fn apply_link(&mut self, link: LinkState) {
        self.playing = false;
        self.status = None;
        self.embed = self.embed || link.embed;
        self.text = share_link::scenario_text(&link);
        let text = self.text.clone();
        match self.load(&text, link.design) {
            Ok(()) => {
                let len = self.end();
                if link.step > len {
                    self.banner = Some(format!(
                        "The link points at step {}, but this run ends at step {len}: showing the end.",
                        link.step
                    ));
                }
                self.pos = link.step.min(len);
            }
            Err(e) => {
                self.banner = Some(format!(
                    "The scenario in this link does not parse ({e}). It is in the editor; the default scenario runs meanwhile."
                ));
                self.editor_error = Some(e);
                self.pos = 0;
            }
        }
    }

    /// Position of the start of the action that `pos` is in, mapped onto `run`.
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
            Verb::Tick => {
                if !self.playing {
                    return self;
                }
                seek(self.clone(), self.pos + 1, true)
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
                if d == self.design() {
                    return self;
                }
                let mut s = (*self).clone();
                let text = s.run.session.text.clone();
                let old = s.run.clone();
                if s.load(&text, d).is_ok() {
                    s.pos = State::same_action(&old.session, self.pos, &s.run.session);
                    // The editor may hold a broken text: keep its error visible.
                    s.editor_error = self.editor_error.clone();
                    s.history_seq += 1;
                    s.status = None;
                }
                changed(s)
            }
            Verb::PickBuiltin(id) => {
                let Some(b) = library::find(&id) else {
                    return self;
                };
                if self.builtin == Some(b.id) && self.text == b.text {
                    return self;
                }
                let mut s = (*self).clone();
                s.text = b.text.to_string();
                if s.load(b.text, self.design()).is_ok() {
                    s.pos = 0;
                    s.playing = false;
                    s.status = None;
                    s.history_seq += 1;
                }
                changed(s)
            }
            Verb::Edit(text) => {
                if text == self.text {
                    return self;
                }
                let mut s = (*self).clone();
                // A `design` line that the user just wrote or changed moves the picker.
                let declared = crate::engine::scenario::parse(&text)
                    .ok()
                    .and_then(|sc| sc.design);
                let design = match declared {
                    Some(d) if declared != self.run.session.scenario.design => d,
                    _ => self.design(),
                };
                match s.load(&text, design) {
                    Ok(()) => {
                        s.pos = self.pos.min(s.end());
                        s.playing = self.playing && s.pos < s.end();
                    }
                    Err(e) => s.editor_error = Some(e),
                }
                s.text = text;
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
        }
    }
}
