//! Checkpoints ("stops"): moments of a run named in a scenario's header, e.g.
//! `# stop: first zombie: the worker is a zombie`, each a link to the step where it
//! happens in whatever design runs. A stop is a lesson stop without text (issue 13);
//! lessons build on it.
//!
//! ```text
//! # stop: LOCATOR: LABEL
//! LOCATOR = step N | first KIND | last KIND | Nth KIND   (2nd, 3rd, 4th, ...)
//! KIND    = a marker kind's id: fork exit zombie lwpzombie reap exitlwps cached kmfree
//!           tssfree drain parentwake reaperwake switch fault violation
//! ```
//!
//! Parsing checks the words (an error has the line and column); whether the run
//! reaches the stop is known only once it has run, per design (`Stop::resolve`).
//!
//! A **lesson** is the same stops with words: a `# lesson: TITLE` line, and after each
//! `# stop:` line any number of `# say: TEXT` lines (joined with a space) that the
//! lesson panel shows at that stop.

use super::scenario::ParseError;
use super::session::{MarkerKind, Session};

/// Which one of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nth {
    First,
    Last,
    /// 1-based.
    Index(u32),
}

/// Where a stop is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locator {
    /// A position (the state after that many micro-steps).
    Step(u64),
    /// Right after the `nth` step that is a `kind` marker.
    Marker(Nth, MarkerKind),
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

/// The locator in `text` (trimmed), or what is wrong with it and at which byte offset.
fn locator(text: &str) -> Result<Locator, (usize, String)> {
    let words: Vec<(usize, &str)> = text
        .split(' ')
        .scan(0usize, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    match words.as_slice() {
        [(_, "step"), (at, n)] => n
            .parse::<u64>()
            .map(Locator::Step)
            .map_err(|_| (*at, format!("`{n}` is not a step number"))),
        [(at, nth), (kat, kind)] => {
            let nth = nth_of(nth).ok_or_else(|| {
                (
                    *at,
                    format!("`{nth}`: say first, last, second, third or 2nd, 3rd, 4th..."),
                )
            })?;
            let kind = kind_of(kind).ok_or_else(|| {
                (
                    *kat,
                    format!("`{kind}` is not a marker kind; the kinds: {}", kinds()),
                )
            })?;
            Ok(Locator::Marker(nth, kind))
        }
        _ => Err((
            0,
            format!("a stop is `step N` or `first KIND`, `last KIND`, `2nd KIND`...: not `{text}`"),
        )),
    }
}

/// The `# stop:` lines of `text`'s header, in order. Only the header counts (the
/// comment lines at the top, as for `# title:`).
pub fn parse(text: &str) -> Result<Vec<Stop>, ParseError> {
    let mut out: Vec<Stop> = Vec::new();
    for (i, raw, body) in header(text) {
        if let Some(say) = body.strip_prefix("say:") {
            let Some(last) = out.last_mut() else {
                return Err(ParseError {
                    line: i as u32 + 1,
                    col: raw[..raw.len() - body.len()].chars().count() as u32 + 1,
                    message: "say: a `# say:` line belongs to the `# stop:` line before it, and there is none".into(),
                });
            };
            let say = say.trim();
            if !last.text.is_empty() && !say.is_empty() {
                last.text.push(' ');
            }
            last.text.push_str(say);
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
            Ok(at) => out.push(Stop {
                line,
                col: col_of(0),
                at,
                label: label.trim().to_string(),
                text: String::new(),
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

impl Stop {
    /// The locator as written (normalised), e.g. `first zombie`, `step 120`.
    pub fn locator_text(&self) -> String {
        match self.at {
            Locator::Step(n) => format!("step {n}"),
            Locator::Marker(nth, kind) => {
                let n = match nth {
                    Nth::First => "first".to_string(),
                    Nth::Last => "last".to_string(),
                    Nth::Index(i) => format!("{i}{}", ordinal_suffix(i)),
                };
                format!("{n} {}", kind.id())
            }
        }
    }

    /// The position of this stop in `s`'s run, or why the run never gets there (with
    /// the line and column of the stop).
    pub fn resolve(&self, s: &Session) -> Result<u64, String> {
        let markers = match self.at {
            Locator::Marker(_, kind) => s.markers(kind),
            Locator::Step(_) => Vec::new(),
        };
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
        match self.at {
            Locator::Step(n) if n <= s.len() => Ok(n),
            Locator::Step(n) => Err(missing(format!(
                "the run ends at step {}, before {n}",
                s.len()
            ))),
            Locator::Marker(nth, kind) => {
                let step = match nth {
                    Nth::First => markers.first(),
                    Nth::Last => markers.last(),
                    Nth::Index(i) => markers.get(i as usize - 1),
                };
                step.map(|k| k + 1).ok_or_else(|| {
                    missing(format!(
                        "the run has {} {} marker(s)",
                        markers.len(),
                        kind.id()
                    ))
                })
            }
        }
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
