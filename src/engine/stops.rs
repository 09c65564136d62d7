//! Checkpoints ("stops"): moments of a run named in a scenario's header, e.g.
//! `# stop: first zombie: the worker is a zombie`, each a link to the step where it
//! happens in whatever design runs. A stop is a lesson stop without text (issue 13);
//! lessons build on it.
//!
//! ```text
//! # stop: LOCATOR: LABEL
//! LOCATOR = step N
//!         | NTH KIND [of WHO]                     e.g. first zombie of worker
//!         | [NTH] line N of FUNC [in WHO]         e.g. line 21 of exit1 in pid 11
//! NTH     = first | last | second | third | 2nd | 3rd | 4th ...
//! KIND    = a marker kind's id: fork exit zombie lwpzombie reap exitlwps cached kmfree
//!           tssfree drain parentwake reaperwake switch fault violation
//! WHO     = NAME (a `proc` or `lwp` block of the scenario) | pid P
//! FUNC    = a kernel function of the pseudo-source (exit1, lwp_exit2, switch_exit ...)
//! ```
//!
//! `of WHO` keeps the markers about that process or LWP: the process a fork created,
//! that exits, becomes a zombie or is reaped; the LWP a fork created or that became a
//! zombie LWP; for every other kind, the LWP the running function works on (its `l`:
//! the dead LWP in the reaper's `cpu_wait(l)`, the exiting LWP in `switch_exit` and
//! `lwp_exit2` on the idle PCB). `line N of FUNC` is the step that runs the statement
//! on line N of FUNC as the source panel numbers it (the signature is line 1) in the
//! design that runs; `in WHO` keeps the steps whose function works on an LWP of that
//! process (or on that LWP), in the same sense. A name matches a process started from
//! block NAME, and an LWP started from block NAME or of such a process; kernel threads,
//! proc0 and init match only `pid P`.
//!
//! Parsing checks the words (an error has the line and column; `scenario::parse` also
//! checks that a NAME is a block); whether the run reaches the stop is known only once
//! it has run, per design (`Stop::resolve`).
//!
//! A **lesson** is the same stops with words: a `# lesson: TITLE` line, and after each
//! `# stop:` line any number of `# say: TEXT` lines (joined with a space) that the
//! lesson panel shows at that stop, at most one `# design: NAME` (the stop is shown in
//! that design: the lesson switches to it, and the stop resolves in no other) and at
//! most one `# show: PANEL ...` (the panels the lesson highlights at that stop, named
//! as in `?panels=`) and at most one `# ask: KIND` (a Predict question of that kind,
//! `step action event frees adopts`, generated from the run at the stop).

use super::design::Design;
use super::func::{Func, NONE};
use super::quiz::Ask;
use super::scenario::{ParseError, Scenario};
use super::session::{MarkerKind, Session};
use super::sim::Sim;
use super::state::{pflag, KernelState};
use super::trace::Event;

/// The page's panels, by the names `?panels=` and `# show:` use (also their CSS
/// classes); `app::panels` reads this list.
pub const PANELS: [&str; 11] = [
    "timeline",
    "checkpoints",
    "narration",
    "source",
    "cpu",
    "procs",
    "lists",
    "gdt",
    "uarea",
    "faults",
    "metrics",
];

/// Which one of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nth {
    First,
    Last,
    /// 1-based.
    Index(u32),
}

/// Whose markers or steps a stop counts (`of WHO`, `in WHO`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// `pid P`.
    Pid(u32),
    /// A block name: a process started from it, or an LWP started from it or of such a
    /// process.
    Name(String),
}

/// Where a stop is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locator {
    /// A position (the state after that many micro-steps).
    Step(u64),
    /// Right after the `nth` step that is a `kind` marker.
    Marker(Nth, MarkerKind),
    /// Right after the `nth` `kind` marker about `Who` (`first zombie of worker`).
    MarkerOf(Nth, MarkerKind, Who),
    /// Right after the `nth` step that runs listing line `u32` of `Func` (the source
    /// panel's numbering in the design that runs), on an LWP of `Who` when given.
    Line(Nth, Func, u32, Option<Who>),
}

/// One `# stop:` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// 1-based line and column of the locator in the file.
    pub line: u32,
    pub col: u32,
    pub at: Locator,
    /// The words after the locator (may be empty).
    pub label: String,
    /// The `# say:` lines after it, joined with a space (may be empty).
    pub text: String,
    /// `# design: NAME` after it: the design the stop is shown in (the lesson switches
    /// to it; the stop resolves in no other). `None`: whatever design runs.
    pub design: Option<Design>,
    /// `# show: PANEL ...` after it: the panels the lesson highlights there (names of
    /// `PANELS`, in the order written, without repeats).
    pub show: Vec<&'static str>,
    /// `# ask: KIND` after it: the Predict question of that kind (`engine::quiz`) the
    /// lesson asks at the stop, generated from the run there.
    pub ask: Option<Ask>,
    /// 1-based column of the `WHO` name in the line (0 without one), for
    /// `check_names`.
    pub who_col: u32,
}

/// The `# lesson:` title of `text`'s header, if any.
pub fn lesson_title(text: &str) -> Option<String> {
    header(text)
        .find_map(|(_, _, body)| body.strip_prefix("lesson:").map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
}

/// The header's lines (the comment lines at the top, as for `# title:`): the 0-based
/// line number, the line, and its text after `#` and one space.
fn header(text: &str) -> impl Iterator<Item = (usize, &str, &str)> {
    let mut started = false;
    text.lines()
        .enumerate()
        .map_while(move |(i, raw)| {
            let t = raw.trim_start();
            if t.is_empty() {
                return if started { None } else { Some(None) };
            }
            let comment = t.strip_prefix('#')?;
            started = true;
            Some(Some((i, raw, comment.strip_prefix(' ').unwrap_or(comment))))
        })
        .flatten()
}

fn nth_of(word: &str) -> Option<Nth> {
    match word {
        "first" => return Some(Nth::First),
        "last" => return Some(Nth::Last),
        "second" => return Some(Nth::Index(2)),
        "third" => return Some(Nth::Index(3)),
        _ => {}
    }
    let digits = word
        .strip_suffix("st")
        .or_else(|| word.strip_suffix("nd"))
        .or_else(|| word.strip_suffix("rd"))
        .or_else(|| word.strip_suffix("th"))?;
    match digits.parse::<u32>() {
        Ok(n) if n >= 1 => Some(Nth::Index(n)),
        _ => None,
    }
}

fn kind_of(word: &str) -> Option<MarkerKind> {
    MarkerKind::ALL.into_iter().find(|k| k.id() == word)
}

fn kinds() -> String {
    MarkerKind::ALL.map(|k| k.id()).join(" ")
}

fn func_of(word: &str) -> Option<Func> {
    Func::ALL.into_iter().find(|f| f.name() == word)
}

/// Whether `w` reads as a block name (scenario-language.md: NAME).
fn is_name(w: &str) -> bool {
    let mut c = w.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        && w.len() <= 32
}

/// A word of a locator and its byte offset.
type Word<'a> = (usize, &'a str);

const SHAPES: &str = "a stop is `step N`, `first KIND`, `last KIND`, `2nd KIND` ... (with `of NAME` or `of pid P`), or `line N of FUNC` (with `in NAME` or `in pid P`)";

/// `WHO` at `words` (`NAME` or `pid P`): the value and the offset of its name or number;
/// `end` is the offset just after the locator (for a missing word).
fn who(words: &[Word], end: usize, after: &str) -> Result<(Who, usize), (usize, String)> {
    match words {
        [(_, "pid"), (at, n)] => n
            .parse::<u32>()
            .map(|p| (Who::Pid(p), *at))
            .map_err(|_| (*at, format!("`{n}` is not a pid"))),
        [(_, "pid")] => Err((end, format!("a pid number after `{after} pid`"))),
        [(at, name)] if is_name(name) => Ok((Who::Name(name.to_string()), *at)),
        [(at, name)] => Err((
            *at,
            format!(
                "`{name}` is not a block name (a letter or `_`, then letters, digits, `_` or `-`)"
            ),
        )),
        [] => Err((end, format!("a block name or `pid P` after `{after}`"))),
        [(_, "pid"), _, (at, w), ..] | [_, (at, w), ..] => Err((
            *at,
            format!("`{after}` takes one block name or `pid P`: `{w}` is one word too many"),
        )),
    }
}

/// The locator in `text` (trimmed), or what is wrong with it and at which byte offset;
/// with the offset of its `WHO` word, if any.
fn locator(text: &str) -> Result<(Locator, Option<usize>), (usize, String)> {
    let words: Vec<Word> = text
        .split(' ')
        .scan(0usize, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let end = text.len();
    let nth = |(at, w): Word| {
        nth_of(w).ok_or_else(|| {
            (
                at,
                format!("`{w}`: say first, last, second, third or 2nd, 3rd, 4th..."),
            )
        })
    };
    match words.as_slice() {
        [(_, "step"), (at, n)] => n
            .parse::<u64>()
            .map(|n| (Locator::Step(n), None))
            .map_err(|_| (*at, format!("`{n}` is not a step number"))),
        [(_, "line"), rest @ ..] => line(Nth::First, rest, end),
        [first, (_, "line"), rest @ ..] => line(nth(*first)?, rest, end),
        [first, (kat, kind), rest @ ..] => {
            let n = nth(*first)?;
            let kind = kind_of(kind).ok_or_else(|| {
                (
                    *kat,
                    format!("`{kind}` is not a marker kind; the kinds: {}", kinds()),
                )
            })?;
            match rest {
                [] => Ok((Locator::Marker(n, kind), None)),
                [(_, "of"), whom @ ..] => {
                    let (w, at) = who(whom, end, "of")?;
                    Ok((Locator::MarkerOf(n, kind, w), Some(at)))
                }
                [(at, w), ..] => Err((
                    *at,
                    format!(
                        "`{w}`: after `{}` comes `of NAME`, `of pid P` or nothing",
                        kind.id()
                    ),
                )),
            }
        }
        _ => Err((0, format!("{SHAPES}: not `{text}`"))),
    }
}

/// The rest of `[NTH] line N of FUNC [in WHO]` after `line`.
fn line(n: Nth, rest: &[Word], end: usize) -> Result<(Locator, Option<usize>), (usize, String)> {
    let (num, rest) = match rest {
        [(at, w), rest @ ..] => match w.parse::<u32>() {
            Ok(k) if k >= 1 => (k, rest),
            _ => return Err((*at, format!("`{w}` is not a line number (1, 2, ...)"))),
        },
        [] => return Err((end, "a line number after `line`".into())),
    };
    let (func, rest) = match rest {
        [(_, "of"), (fat, f), rest @ ..] => match func_of(f) {
            Some(func) => (func, rest),
            None => {
                let names = Func::ALL.map(|f| f.name()).join(" ");
                return Err((
                    *fat,
                    format!("`{f}` is not a function of the pseudo-source; the functions: {names}"),
                ));
            }
        },
        [(_, "of")] => return Err((end, "a function name after `of`".into())),
        [(at, w), ..] => return Err((*at, format!("`{w}`: say `line {num} of FUNC`"))),
        [] => return Err((end, format!("`of FUNC` after `line {num}`"))),
    };
    match rest {
        [] => Ok((Locator::Line(n, func, num, None), None)),
        [(_, "in"), whom @ ..] => {
            let (w, at) = who(whom, end, "in")?;
            Ok((Locator::Line(n, func, num, Some(w)), Some(at)))
        }
        [(at, w), ..] => Err((
            *at,
            format!("`{w}`: after the function comes `in NAME`, `in pid P` or nothing"),
        )),
    }
}

/// A parse error on line `i` (0-based) of `raw` at byte offset `off` of it.
fn error_at(i: usize, raw: &str, off: usize, message: String) -> ParseError {
    ParseError {
        line: i as u32 + 1,
        col: raw[..off.min(raw.len())].chars().count() as u32 + 1,
        message,
    }
}

/// The one name a `# design:` or `# ask:` line (`key`) gives its stop: the name in
/// `value` (at byte `value_at` of line `i`), read by `read`. An error at the name when
/// the stop has one already (`again`), or when `read` does not know it (`what_else`
/// says what it is not and what there is).
#[allow(clippy::too_many_arguments)]
fn one_name<T>(
    i: usize,
    raw: &str,
    key: &str,
    value: &str,
    value_at: usize,
    again: bool,
    read: impl Fn(&str) -> Option<T>,
    what_else: impl Fn() -> String,
) -> Result<T, ParseError> {
    let name = value.trim();
    let at = value_at + value.len() - value.trim_start().len();
    if again {
        return Err(error_at(
            i,
            raw,
            at,
            format!("{key} a stop has one `# {key}` line; this is its second"),
        ));
    }
    read(name).ok_or_else(|| error_at(i, raw, at, format!("{key} `{name}` {}", what_else())))
}

/// The `# stop:` lines of `text`'s header, in order. Only the header counts (the
/// comment lines at the top, as for `# title:`).
pub fn parse(text: &str) -> Result<Vec<Stop>, ParseError> {
    let mut out: Vec<Stop> = Vec::new();
    for (i, raw, body) in header(text) {
        // Byte offset of `body` in the line.
        let body_at = raw.len() - body.len();
        let key = ["say:", "design:", "show:", "ask:"]
            .into_iter()
            .find(|k| body.starts_with(k));
        if let Some(key) = key {
            let Some(last) = out.last_mut() else {
                return Err(error_at(
                    i,
                    raw,
                    body_at,
                    format!("{key} a `# {key}` line belongs to the `# stop:` line before it, and there is none"),
                ));
            };
            let value = &body[key.len()..];
            let value_at = body_at + key.len();
            match key {
                "say:" => {
                    let say = value.trim();
                    if !last.text.is_empty() && !say.is_empty() {
                        last.text.push(' ');
                    }
                    last.text.push_str(say);
                }
                "design:" => {
                    let design = one_name(
                        i,
                        raw,
                        key,
                        value,
                        value_at,
                        last.design.is_some(),
                        Design::from_name,
                        || {
                            let names = Design::ALL.map(|d| d.name()).join(", ");
                            format!("is not a design; the designs: {names}")
                        },
                    )?;
                    last.design = Some(design);
                }
                "ask:" => {
                    let ask = one_name(
                        i,
                        raw,
                        key,
                        value,
                        value_at,
                        last.ask.is_some(),
                        Ask::from_id,
                        || {
                            let kinds = Ask::ALL.map(|a| a.id()).join(", ");
                            format!("is not a kind of question; the kinds: {kinds}")
                        },
                    )?;
                    last.ask = Some(ask);
                }
                _ => {
                    if !last.show.is_empty() {
                        return Err(error_at(
                            i,
                            raw,
                            value_at,
                            "show: a stop has one `# show:` line; this is its second".into(),
                        ));
                    }
                    let mut at = value_at;
                    for w in value.split(' ') {
                        if !w.is_empty() {
                            let Some(p) = PANELS.iter().find(|p| **p == w) else {
                                return Err(error_at(
                                    i,
                                    raw,
                                    at,
                                    format!(
                                        "show: `{w}` is not a panel; the panels: {}",
                                        PANELS.join(" ")
                                    ),
                                ));
                            };
                            if !last.show.contains(p) {
                                last.show.push(p);
                            }
                        }
                        at += w.len() + 1;
                    }
                }
            }
            continue;
        }
        let Some(rest) = body.strip_prefix("stop:") else {
            continue;
        };
        // Byte offset of `rest` in the line, for columns.
        let base = raw.len() - rest.len();
        let (loc, label) = rest.split_once(':').unwrap_or((rest, ""));
        let lead = loc.len() - loc.trim_start().len();
        let loc_text = loc.trim();
        let line = i as u32 + 1;
        let col_of =
            |off: usize| (raw[..(base + lead + off).min(raw.len())].chars().count() + 1) as u32;
        match locator(loc_text) {
            Ok((at, who_at)) => out.push(Stop {
                line,
                col: col_of(0),
                at,
                label: label.trim().to_string(),
                text: String::new(),
                design: None,
                show: Vec::new(),
                ask: None,
                who_col: who_at.map_or(0, col_of),
            }),
            Err((off, message)) => {
                return Err(ParseError {
                    line,
                    col: col_of(off),
                    message: format!("stop: {message}"),
                })
            }
        }
    }
    Ok(out)
}

/// Every `WHO` name of `stops` is a block of `sc`: the first that is not, as a parse
/// error at the name.
pub fn check_names(stops: &[Stop], sc: &Scenario) -> Result<(), ParseError> {
    for st in stops {
        let name = match &st.at {
            Locator::MarkerOf(_, _, Who::Name(n)) | Locator::Line(_, _, _, Some(Who::Name(n))) => n,
            _ => continue,
        };
        if !sc.blocks.iter().any(|b| b.name == *name) {
            let names: Vec<&str> = sc.blocks.iter().map(|b| b.name.as_str()).collect();
            return Err(ParseError {
                line: st.line,
                col: st.who_col,
                message: format!(
                    "stop: no block named `{name}`; the blocks: {}",
                    names.join(" ")
                ),
            });
        }
    }
    Ok(())
}

fn nth_text(nth: Nth) -> String {
    match nth {
        Nth::First => "first".to_string(),
        Nth::Last => "last".to_string(),
        Nth::Index(i) => format!("{i}{}", ordinal_suffix(i)),
    }
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Who::Pid(p) => write!(f, "pid {p}"),
            Who::Name(n) => f.write_str(n),
        }
    }
}

/// What a step is about, for `of WHO` / `in WHO`.
#[derive(Clone, Copy)]
enum Subject {
    Proc(u32),
    Lwp(u32),
    Nobody,
}

impl Subject {
    /// The subject of step `step` in `sim` (the state before it): for a marker
    /// (`marker`), the process or LWP its event names, if it names one; else the LWP the
    /// running function works on (its frame's `l`: on an idle PCB, the LWP the exit
    /// path is finishing; in the reaper, the dead LWP), or the LWP whose stack it is.
    fn of(step: &super::trace::Step, sim: &Sim, marker: bool) -> Subject {
        match step.event {
            Event::Forked | Event::ExitBegin | Event::Zombie | Event::Reaped if marker => {
                return Subject::Proc(step.val)
            }
            Event::LwpCreated | Event::LwpZombie if marker => return Subject::Lwp(step.val),
            _ => {}
        }
        let frame = sim
            .top_frame(usize::from(step.cpu))
            .map(|f| f.l)
            .filter(|&l| l != NONE);
        match frame.or((step.lwp != NONE).then_some(step.lwp)) {
            Some(l) => Subject::Lwp(l),
            None => Subject::Nobody,
        }
    }

    /// Whether the subject is about `who` in state `st` (`sc`: the scenario, whose
    /// blocks name processes and LWPs). Kernel threads, proc0 and init have no name.
    fn is(self, who: &Who, st: &KernelState, sc: &Scenario) -> bool {
        let block_is = |b: u16, n: &str| sc.blocks.get(usize::from(b)).is_some_and(|b| b.name == n);
        let user_proc_is = |pid: u32, n: &str| {
            st.proc(pid)
                .is_some_and(|p| p.flags & pflag::P_SYSTEM == 0 && block_is(p.block, n))
        };
        match (self, who) {
            (Subject::Nobody, _) => false,
            (Subject::Proc(pid), Who::Pid(p)) => pid == *p,
            (Subject::Proc(pid), Who::Name(n)) => user_proc_is(pid, n),
            (Subject::Lwp(l), w) => {
                let Some(l) = st.lwps.get(l as usize) else {
                    return false;
                };
                match w {
                    Who::Pid(p) => l.pid == *p,
                    Who::Name(n) => {
                        l.kthread.is_none()
                            && l.pid != 0
                            && (block_is(l.user.block, n) || user_proc_is(l.pid, n))
                    }
                }
            }
        }
    }
}

impl Stop {
    /// The locator as written (normalised), e.g. `first zombie`, `step 120`,
    /// `first zombie of worker`, `line 21 of exit1 in pid 11`.
    pub fn locator_text(&self) -> String {
        match &self.at {
            Locator::Step(n) => format!("step {n}"),
            Locator::Marker(nth, kind) => format!("{} {}", nth_text(*nth), kind.id()),
            Locator::MarkerOf(nth, kind, who) => {
                format!("{} {} of {who}", nth_text(*nth), kind.id())
            }
            Locator::Line(nth, func, n, who) => {
                let lead = match nth {
                    Nth::First => String::new(),
                    n => format!("{} ", nth_text(*n)),
                };
                let tail = who.as_ref().map_or(String::new(), |w| format!(" in {w}"));
                format!("{lead}line {n} of {}{tail}", func.name())
            }
        }
    }

    /// The marker kind this stop counts, if it counts markers.
    pub fn kind(&self) -> Option<MarkerKind> {
        match self.at {
            Locator::Marker(_, k) | Locator::MarkerOf(_, k, _) => Some(k),
            _ => None,
        }
    }

    /// Whether the stop resolves in runs of `design` (it names no design, or that one).
    pub fn is_for(&self, design: Design) -> bool {
        self.design.is_none_or(|d| d == design)
    }

    /// The position of this stop in `s`'s run, or why the run never gets there (with
    /// the line and column of the stop).
    pub fn resolve(&self, s: &Session) -> Result<u64, String> {
        let markers = self.kind().map_or_else(Vec::new, |k| s.markers(k));
        self.resolve_on(s, &markers)
    }

    /// `resolve` with the step indices of this stop's marker kind already found (a
    /// caller that keeps every kind's markers, like the app's `Run`).
    pub fn resolve_on(&self, s: &Session, markers: &[u64]) -> Result<u64, String> {
        let missing = |what: String| {
            format!(
                "stop on line {}, column {} ({}): {what} in design {}",
                self.line,
                self.col,
                self.locator_text(),
                s.design.name()
            )
        };
        if let Some(d) = self.design.filter(|&d| d != s.design) {
            return Err(format!(
                "stop on line {}, column {} ({}): this stop is shown in design {}, not {}",
                self.line,
                self.col,
                self.locator_text(),
                d.name(),
                s.design.name()
            ));
        }
        match &self.at {
            Locator::Step(n) if *n <= s.len() => Ok(*n),
            Locator::Step(n) => Err(missing(format!(
                "the run ends at step {}, before {n}",
                s.len()
            ))),
            Locator::Marker(nth, kind) => pick(markers, *nth).ok_or_else(|| {
                missing(format!(
                    "the run has {} {} marker(s)",
                    markers.len(),
                    kind.id()
                ))
            }),
            Locator::MarkerOf(nth, kind, who) => {
                let (hit, n) = pick_of(s, markers, *nth, who, true);
                hit.ok_or_else(|| {
                    missing(format!("the run has {n} {} marker(s) of {who}", kind.id()))
                })
            }
            Locator::Line(nth, func, n, who) => {
                let body = super::source::body(s.design, *func)
                    .ok_or_else(|| missing(format!("{}() does not exist", func.name())))?;
                let last = body.lines.len();
                let pc = (0..last).find(|&pc| {
                    let from = super::source::listing_line(body, pc as u16);
                    let to = super::source::listing_line(body, pc as u16 + 1);
                    (from..to).contains(n)
                });
                let Some(pc) = pc else {
                    let to = super::source::listing_line(body, last as u16) - 1;
                    return Err(missing(format!(
                        "{}() has no statement on line {n} (its statements are on lines 2 to {to})",
                        func.name()
                    )));
                };
                let steps: Vec<u64> = s
                    .trace
                    .steps
                    .iter()
                    .enumerate()
                    .filter(|(_, st)| st.func == *func && usize::from(st.line) == pc)
                    .map(|(i, _)| i as u64)
                    .collect();
                let (hit, count) = match who {
                    None => (pick(&steps, *nth), steps.len()),
                    Some(w) => pick_of(s, &steps, *nth, w, false),
                };
                hit.ok_or_else(|| {
                    let whose = who.as_ref().map_or(String::new(), |w| format!(" in {w}"));
                    missing(format!(
                        "the run runs line {n} of {}(){whose} {count} time(s)",
                        func.name()
                    ))
                })
            }
        }
    }
}

/// How many of the last candidates `last ... of WHO` tries one by one before one replay
/// over them all.
const LAST_TRIES: usize = 8;

/// Whether step `i` of `s` (a marker when `marker`) is about `who`: the position right
/// after it if so.
fn is_about(s: &Session, i: u64, who: &Who, marker: bool) -> Option<u64> {
    let step = s.trace.steps.get(i as usize)?;
    let mut sim = s.sim_at(i);
    sim.checks = false;
    let subject = Subject::of(step, &sim, marker);
    if marker && matches!(step.event, Event::Forked | Event::LwpCreated) {
        sim.step()?;
    }
    subject.is(who, &sim.st, &s.scenario).then_some(i + 1)
}

/// The position right after the `nth` of `steps` (step indices, in order).
fn pick(steps: &[u64], nth: Nth) -> Option<u64> {
    let step = match nth {
        Nth::First => steps.first(),
        Nth::Last => steps.last(),
        Nth::Index(i) => steps.get(i as usize - 1),
    };
    step.map(|k| k + 1)
}

/// `pick` among the `steps` about `who` (`marker`: the steps are markers, whose subject
/// may be the process or LWP the event names): the position, or how many there are.
/// One replay from the checkpoint before the first step to the hit (to the last step
/// for `Last`), without the checks.
fn pick_of(s: &Session, steps: &[u64], nth: Nth, who: &Who, marker: bool) -> (Option<u64>, usize) {
    let Some(&first) = steps.first() else {
        return (None, 0);
    };
    // `last`: the last few candidates first, each from its own checkpoint (at most 1023
    // steps replayed each); usually the very last one is about `who`.
    if nth == Nth::Last {
        for &i in steps.iter().rev().take(LAST_TRIES) {
            if let Some(hit) = is_about(s, i, who, marker) {
                return (Some(hit), 1);
            }
        }
    }
    let mut sim: Sim = s.sim_at(first);
    sim.checks = false;
    let mut seen = 0usize;
    let mut last = None;
    for &i in steps {
        while sim.step_no < i {
            if sim.step().is_none() {
                return (last, seen);
            }
        }
        let Some(step) = s.trace.steps.get(i as usize) else {
            break;
        };
        let subject = Subject::of(step, &sim, marker);
        // A new process or LWP exists only after its fork step.
        let after = marker && matches!(step.event, Event::Forked | Event::LwpCreated);
        if after && sim.step().is_none() {
            break;
        }
        if subject.is(who, &sim.st, &s.scenario) {
            seen += 1;
            last = Some(i + 1);
            match nth {
                Nth::First => return (last, seen),
                Nth::Index(k) if seen == k as usize => return (last, seen),
                _ => {}
            }
        }
    }
    match nth {
        Nth::Last => (last, seen),
        _ => (None, seen),
    }
}

fn ordinal_suffix(i: u32) -> &'static str {
    match (i % 10, i % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}
