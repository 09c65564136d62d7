//! Share links: the URL fragment (the part after `#`) that carries an exact moment of a
//! scenario (its text, the design, the step, the what-if switches, compare and embed
//! mode), versioned so that old links keep working when the format grows.
//!
//! Pure and deterministic, no web crate: the UI reads `location.hash` and hands the text
//! after the `#` to [`decode`], and puts [`encode_checked`]'s result after a `#`.
//!
//! # Format (version 1)
//!
//! `key=value` pairs separated by `&`, written in this order:
//!
//! ```text
//! v=1&d=patch&s=123&w=no_pmap_deactivate,drain_in_lwp_exit2&r=0:12,1:3,0&k=exit1:12&q=proc.11.p_stat&p=7.2&c=reaper&e=1&b=fork-wait-loop&z=eNpT...
//! ```
//!
//! | key | value | written | on read |
//! | --- | --- | --- | --- |
//! | `v` | format version, decimal ([`LINK_VERSION`]) | always | required; greater than [`LINK_VERSION`] is refused ("from a newer exitpath") |
//! | `d` | design name ([`Design::name`]: `reaper`, `patch`) | always | required |
//! | `s` | step in the trace, decimal `u64` | always | optional, default 0 |
//! | `w` | what-if switches ([`Switch::name`]), comma-separated, in the state's order | when there are any | optional, default none; empty items are skipped |
//! | `r` | the schedule: which CPU runs at each choice point, run lengths ([`Schedule::text`], e.g. `0:12,1:3,0`); overrides the scenario's `schedule` line | when not round robin | optional, default round robin; `rr` is round robin |
//! | `k` | breakpoints: `FUNC:LINE` items, comma-separated, sorted; LINE is the 0-based index of the statement in the function's pseudo-source body (the trace's `Step::line`; the source panel shows it as line LINE + 2) | when there are any | optional, default none; an unknown function or a line that is not a number is an error |
//! | `q` | the cell the why panel answers for ([`Cell`]'s name, e.g. `lwp.11.1.l_stat`) | when the panel is open | optional; a name that is not a cell is an error |
//! | `l` | in the scenario's lesson: the stop on screen, 1-based | in a lesson | optional; not a number from 1 to 65536 is an error |
//! | `p` | the Predict panel: `SEED`, or `SEED.K` with quiz question K (1-based) open | when the panel is on | optional; not whole numbers is an error |
//! | `x` | a fork.py exercise ([`ExerciseParams::text`]): `SEED,ACTIONS,FORKS,FLAGS`, e.g. `3,8,0.7,Lt` (FLAGS: `L` leaf only, `t` show the trees and ask for the actions, `-` neither); the page makes the scenario from it, and `z=` is then empty | in an exercise | optional; a seed that is not a whole number, actions not from 1 to [`EXERCISE_ACTIONS_MAX`], a fraction not from 0 to 1 or an unknown flag is an error naming the field |
//! | `c` | compare mode's second design | when compare is on | optional |
//! | `e` | `1`: embed (iframe) mode, no editor | when embed is on | optional; `0` or `1` |
//! | `b` | id of the built-in scenario the text came from (informational), %-escaped | when set | optional |
//! | `z` | the scenario: UTF-8 text, zlib-wrapped deflate (RFC 1950/1951, level 9), then base64url without padding (RFC 4648 §5) | always, last | required |
//!
//! Every character of a link is in `A-Z a-z 0-9 - _ . ~ , : = & %`, so it needs no escaping
//! in a URL. The zlib wrapper costs 8 characters and its Adler-32 checksum catches a
//! damaged scenario; `z` comes last so a link cut short loses (part of) the scenario
//! and says so instead of silently running a shorter one.
//!
//! On read:
//! - keys this version does not know are ignored (forward compatibility: a later format
//!   may add keys without bumping `v`; it bumps `v` only when old readers would
//!   misread the link);
//! - a known key given twice is an error; empty pairs (`&&`, a trailing `&`) are skipped;
//! - values are %-decoded (so a link whose `,` a mail client escaped to `%2C` still works);
//!   base64 padding `=` is tolerated;
//! - one leading `#` and surrounding whitespace are ignored.
//!
//! # Limits
//!
//! - [`FRAGMENT_MAX`] (16 KiB): the longest fragment [`encode_checked`] produces and
//!   [`decode`] accepts. Typical scenarios of 1-10 KB compress to well under it.
//! - [`SCENARIO_MAX`] (1 MiB): the largest scenario text, checked by [`encode_checked`]
//!   and enforced while decompressing (a zip bomb stops at 1 MiB).
//!
//! [`decode`] never panics, whatever its input. The same [`LinkState`] always encodes to
//! the same string (with a given build: a newer compressor could pack differently, and
//! old links still decode).

use crate::engine::func::Func;
use crate::engine::schedule::Schedule;
use crate::engine::why::Cell;
use crate::engine::{Design, Switch};
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;
use std::fmt;

/// The format version written by [`encode`]; [`decode`] reads this one and older.
pub const LINK_VERSION: u32 = 1;

/// Longest fragment (in bytes, which for a link we produce are ASCII characters)
/// that [`encode_checked`] produces and [`decode`] accepts: 16 KiB.
pub const FRAGMENT_MAX: usize = 16 * 1024;

/// Largest scenario text (in bytes of UTF-8) a link carries: 1 MiB. Decompression
/// stops there, so a small link cannot unpack to gigabytes.
pub const SCENARIO_MAX: usize = 1024 * 1024;

/// Longest piece of a link quoted back in an error message, in characters.
const QUOTE_MAX: usize = 40;

/// Compression level of the scenario (miniz: 0-10; 9 is zlib's "best").
const LEVEL: u8 = 9;

/// base64url (RFC 4648 §5): written without padding, read with or without.
const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Most actions an exercise (`x=`) may have: the scenario parser's limit on a `forkpy`
/// list.
pub const EXERCISE_ACTIONS_MAX: u32 = crate::engine::scenario::limits::FORKPY_ACTIONS_MAX as u32;

/// A fork.py exercise (`x=`): what `exitpath forkpy -s SEED -a ACTIONS -f FORKS [-L]
/// [-t]` is asked, which the page turns into its scenario (`app::exercise`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExerciseParams {
    /// `-s`: the generator's seed.
    pub seed: i64,
    /// `-a`: 1 to [`EXERCISE_ACTIONS_MAX`].
    pub actions: u32,
    /// `-f`: the fork fraction, in parts per million (0.7 is 700000).
    pub forks_ppm: u32,
    /// `-L`: only processes without live children exit.
    pub leaf_only: bool,
    /// `-t`: the trees are shown and the actions asked for.
    pub show_tree: bool,
}

impl Default for ExerciseParams {
    /// fork.py's defaults: seed 0, 5 actions, forks 0.7.
    fn default() -> ExerciseParams {
        ExerciseParams {
            seed: 0,
            actions: 5,
            forks_ppm: 700_000,
            leaf_only: false,
            show_tree: false,
        }
    }
}

impl ExerciseParams {
    /// The fork fraction, 0 to 1.
    pub fn forks(&self) -> f64 {
        f64::from(self.forks_ppm) / 1_000_000.0
    }

    /// `SEED,ACTIONS,FORKS,FLAGS`, as `x=` carries it.
    pub fn text(&self) -> String {
        let mut flags = String::new();
        if self.leaf_only {
            flags.push('L');
        }
        if self.show_tree {
            flags.push('t');
        }
        if flags.is_empty() {
            flags.push('-');
        }
        format!("{},{},{},{flags}", self.seed, self.actions, self.forks())
    }

    /// Reads [`ExerciseParams::text`]'s form (FLAGS may be left out). The error says
    /// which field is wrong and why, in words.
    pub fn parse(s: &str) -> Result<ExerciseParams, String> {
        let parts: Vec<&str> = s.split(',').collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(format!(
                "it has {} comma-separated fields where SEED,ACTIONS,FORKS,FLAGS has 4",
                parts.len()
            ));
        }
        let field = |i: usize| parts.get(i).copied().unwrap_or("").trim();
        let seed = field(0)
            .parse::<i64>()
            .map_err(|_| format!("the seed `{}` is not a whole number", quote(field(0))))?;
        let actions = field(1)
            .parse::<u32>()
            .ok()
            .filter(|a| (1..=EXERCISE_ACTIONS_MAX).contains(a))
            .ok_or_else(|| {
                format!(
                    "the number of actions `{}` is not a whole number from 1 to {EXERCISE_ACTIONS_MAX}",
                    quote(field(1))
                )
            })?;
        let forks = field(2)
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && (0.0..=1.0).contains(f))
            .ok_or_else(|| {
                format!(
                    "the fork fraction `{}` is not a number from 0 to 1",
                    quote(field(2))
                )
            })?;
        let mut p = ExerciseParams {
            seed,
            actions,
            forks_ppm: (forks * 1_000_000.0).round() as u32,
            leaf_only: false,
            show_tree: false,
        };
        for c in field(3).chars() {
            match c {
                'L' => p.leaf_only = true,
                't' => p.show_tree = true,
                '-' => {}
                _ => {
                    return Err(format!(
                        "the flags `{}` have `{}`; the flags are L (leaf only), t (show the trees) and - (neither)",
                        quote(field(3)),
                        c.escape_debug()
                    ))
                }
            }
        }
        Ok(p)
    }
}

/// An exact moment of a scenario, as carried by a share link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkState {
    /// The scenario text.
    pub scenario: String,
    /// The design that runs it.
    pub design: Design,
    /// Position in the trace.
    pub step: u64,
    /// What-if switches, in order; may be empty.
    pub switches: Vec<Switch>,
    /// The schedule the run follows (round robin: none given).
    pub schedule: Schedule,
    /// Compare mode's second design.
    pub compare: Option<Design>,
    /// Iframe mode: no editor.
    pub embed: bool,
    /// Id of the built-in scenario the text came from, if unchanged (informational).
    pub builtin: Option<String>,
    /// Breakpoints: (function, 0-based body line), sorted.
    pub breakpoints: Vec<(Func, u8)>,
    /// The cell the why panel answers for.
    pub why: Option<Cell>,
    /// In the scenario's lesson: the stop on screen (0-based).
    pub lesson: Option<u16>,
    /// The Predict panel: its seed, and the quiz question open (0-based).
    pub predict: Option<(u64, Option<u16>)>,
    /// A fork.py exercise: the scenario is made from it.
    pub exercise: Option<ExerciseParams>,
}

impl LinkState {
    /// `scenario` under `design` at step 0, no switches, no compare, not embedded.
    pub fn new(scenario: impl Into<String>, design: Design) -> LinkState {
        LinkState {
            scenario: scenario.into(),
            design,
            step: 0,
            switches: Vec::new(),
            schedule: Schedule::round_robin(),
            compare: None,
            embed: false,
            builtin: None,
            breakpoints: Vec::new(),
            why: None,
            lesson: None,
            predict: None,
            exercise: None,
        }
    }
}

/// Why a link could not be read (or made). Its `Display` is one sentence for a student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    kind: LinkErrorKind,
}

/// What exactly was wrong; see [`LinkError::kind`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkErrorKind {
    /// Nothing after the `#`.
    Empty,
    /// The fragment is longer than [`FRAGMENT_MAX`] (its length in bytes).
    FragmentTooLong { len: usize },
    /// No `v=` key: not an exitpath link.
    NoVersion,
    /// `v=` is not a positive whole number (the value, as written).
    BadVersion(String),
    /// `v=` is greater than [`LINK_VERSION`].
    NewerVersion(u64),
    /// A known key appears more than once.
    Duplicate(&'static str),
    /// A required key is missing (`d` or `z`).
    Missing(&'static str),
    /// A value has a `%` not followed by two hex digits.
    BadEscape(&'static str),
    /// A %-decoded value is not UTF-8.
    BadText(&'static str),
    /// `d=` or `c=` names no design.
    UnknownDesign(String),
    /// `w=` names an unknown switch.
    UnknownSwitch(String),
    /// `s=` is not a whole number that fits in 64 bits.
    BadStep(String),
    /// `e=` is neither `0` nor `1`.
    BadEmbed(String),
    /// `k=` has an item that is not `FUNC:LINE` with a known function (the item).
    BadBreakpoint(String),
    /// `q=` names no cell (the value).
    BadCell(String),
    /// `l=` is not a stop number from 1 (the value).
    BadLessonStop(String),
    /// `p=` is not SEED or SEED.QUESTION (the value).
    BadPredict(String),
    /// `x=` is not an exercise: the value, and which field is wrong and why.
    BadExercise { value: String, why: String },
    /// `r=` is not a schedule: the value, the 0-based character offset, why.
    BadSchedule {
        value: String,
        offset: usize,
        message: String,
    },
    /// The scenario data stops in the middle (or is empty).
    CutShort,
    /// The scenario data has a character outside base64url.
    BadScenarioChar,
    /// The scenario data is not a valid zlib stream.
    BadScenarioData,
    /// The scenario's checksum does not match: the link was changed.
    ChecksumMismatch,
    /// The scenario unpacks to more than [`SCENARIO_MAX`] bytes.
    ScenarioUnpacksTooLarge,
    /// The unpacked scenario is not UTF-8.
    ScenarioNotUtf8,
    /// ([`encode_checked`]) the scenario is larger than [`SCENARIO_MAX`] (its size).
    ScenarioTooLarge { bytes: usize },
    /// ([`encode_checked`]) the link would be longer than [`FRAGMENT_MAX`] (its length).
    TooLongToShare { len: usize },
}

impl LinkError {
    fn new(kind: LinkErrorKind) -> LinkError {
        LinkError { kind }
    }

    /// What exactly was wrong.
    pub fn kind(&self) -> &LinkErrorKind {
        &self.kind
    }
}

impl From<LinkErrorKind> for LinkError {
    fn from(kind: LinkErrorKind) -> LinkError {
        LinkError::new(kind)
    }
}

/// `s` for an error message: at most [`QUOTE_MAX`] characters, control characters escaped.
fn quote(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(QUOTE_MAX) {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    if s.chars().nth(QUOTE_MAX).is_some() {
        out.push('…');
    }
    out
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|&x| name(x)).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LinkErrorKind::*;
        match &self.kind {
            Empty => write!(f, "this link is empty: there is nothing after the `#`"),
            FragmentTooLong { len } => write!(
                f,
                "this link is too long: its part after the `#` has {len} characters, and exitpath reads at most {FRAGMENT_MAX}"
            ),
            NoVersion => write!(
                f,
                "this is not an exitpath share link: it has no format version (`v=`)"
            ),
            BadVersion(v) => write!(
                f,
                "this link is damaged: its format version `{}` is not a positive whole number",
                quote(v)
            ),
            NewerVersion(v) => write!(
                f,
                "this link is from a newer exitpath (format {v}); this exitpath reads format {LINK_VERSION} and older, so open the link with a newer exitpath"
            ),
            Duplicate(key) => write!(f, "this link is damaged: `{key}=` appears more than once"),
            Missing("z") => write!(
                f,
                "this link was cut short: it has no scenario (`z=`); copy the whole link, up to its last character"
            ),
            Missing("d") => write!(
                f,
                "this link is damaged: it does not say which design to run (`d=`)"
            ),
            Missing(key) => write!(f, "this link is damaged: it has no `{key}=`"),
            BadEscape(key) => write!(
                f,
                "this link is damaged: the value of `{key}=` has a `%` that is not followed by two hex digits"
            ),
            BadText(key) => write!(
                f,
                "this link is damaged: the value of `{key}=` is not valid UTF-8 text"
            ),
            UnknownDesign(d) => write!(
                f,
                "unknown design `{}` in link (exitpath knows {})",
                quote(d),
                names(&Design::ALL, Design::name)
            ),
            UnknownSwitch(s) => write!(
                f,
                "unknown what-if switch `{}` in link (exitpath knows {})",
                quote(s),
                names(&Switch::ALL, Switch::name)
            ),
            BadStep(s) => write!(
                f,
                "the step `{}` in this link is not a whole number from 0 to {}",
                quote(s),
                u64::MAX
            ),
            BadEmbed(e) => write!(
                f,
                "the embed flag `e={}` in this link must be `e=0` or `e=1`",
                quote(e)
            ),
            BadBreakpoint(b) => write!(
                f,
                "the breakpoint `{}` in this link is not FUNCTION:LINE with a kernel function this version knows",
                quote(b)
            ),
            BadCell(c) => write!(
                f,
                "the value `q={}` in this link names nothing the why panel knows (cells look like proc.11.p_stat or lwp.11.1.l_stat)",
                quote(c)
            ),
            BadPredict(p) => write!(
                f,
                "the Predict value `p={}` in this link is not SEED or SEED.QUESTION (a whole number, then a question number from 1 to 65536)",
                quote(p)
            ),
            BadLessonStop(l) => write!(
                f,
                "the lesson stop `l={}` in this link is not a number from 1 to 65536",
                quote(l)
            ),
            BadExercise { value, why } => write!(
                f,
                "the exercise `x={}` in this link is damaged: {why} (it is SEED,ACTIONS,FORKS,FLAGS, e.g. x=3,8,0.7,L)",
                quote(value)
            ),
            BadSchedule {
                value,
                offset,
                message,
            } => write!(
                f,
                "the schedule `r={}` in this link is damaged at character {}: {message}",
                quote(value),
                offset + 1
            ),
            CutShort => write!(
                f,
                "this link was cut short: the scenario in it stops in the middle; copy the whole link, up to its last character"
            ),
            BadScenarioChar => write!(
                f,
                "this link is damaged: the scenario (`z=`) has a character that does not belong there"
            ),
            BadScenarioData => write!(
                f,
                "this link is damaged: the scenario (`z=`) cannot be unpacked"
            ),
            ChecksumMismatch => write!(
                f,
                "this link is damaged: the scenario in it does not match its checksum, so the link was changed after it was made"
            ),
            ScenarioUnpacksTooLarge => write!(
                f,
                "the scenario in this link unpacks to more than {} KiB, the most exitpath accepts",
                SCENARIO_MAX / 1024
            ),
            ScenarioNotUtf8 => write!(f, "the scenario in this link is not valid UTF-8"),
            ScenarioTooLarge { bytes } => write!(
                f,
                "this scenario is too large to share as a link: it has {bytes} bytes, and a link holds at most {} KiB; share the scenario file instead",
                SCENARIO_MAX / 1024
            ),
            TooLongToShare { len } => write!(
                f,
                "this scenario is too large to share as a link: the link would have {len} characters, and exitpath reads links of at most {FRAGMENT_MAX}; make the scenario shorter or share the file instead"
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The fragment (without `#`) for `s`, whatever its size; see [`encode_checked`].
pub fn encode(s: &LinkState) -> String {
    let z = B64.encode(miniz_oxide::deflate::compress_to_vec_zlib(
        s.scenario.as_bytes(),
        LEVEL,
    ));
    let mut out = format!("v={LINK_VERSION}&d={}&s={}", s.design.name(), s.step);
    if !s.switches.is_empty() {
        out.push_str("&w=");
        let w: Vec<&str> = s.switches.iter().map(|w| w.name()).collect();
        out.push_str(&w.join(","));
    }
    if !s.schedule.is_round_robin() {
        out.push_str("&r=");
        out.push_str(&s.schedule.text());
    }
    if !s.breakpoints.is_empty() {
        out.push_str("&k=");
        let k: Vec<String> = s
            .breakpoints
            .iter()
            .map(|(f, l)| format!("{}:{l}", f.name()))
            .collect();
        out.push_str(&k.join(","));
    }
    if let Some(q) = s.why {
        out.push_str("&q=");
        out.push_str(&q.to_string());
    }
    if let Some(l) = s.lesson {
        out.push_str(&format!("&l={}", u32::from(l) + 1));
    }
    if let Some((seed, q)) = s.predict {
        out.push_str(&format!("&p={seed}"));
        if let Some(q) = q {
            out.push_str(&format!(".{}", u32::from(q) + 1));
        }
    }
    if let Some(x) = &s.exercise {
        out.push_str("&x=");
        out.push_str(&x.text());
    }
    if let Some(c) = s.compare {
        out.push_str("&c=");
        out.push_str(c.name());
    }
    if s.embed {
        out.push_str("&e=1");
    }
    if let Some(b) = &s.builtin {
        out.push_str("&b=");
        percent_encode(b, &mut out);
    }
    out.push_str("&z=");
    out.push_str(&z);
    out
}

/// [`encode`], or an error when the scenario is larger than [`SCENARIO_MAX`] or the link
/// would be longer than [`FRAGMENT_MAX`] (it would not open).
pub fn encode_checked(s: &LinkState) -> Result<String, LinkError> {
    if s.scenario.len() > SCENARIO_MAX {
        return Err(LinkErrorKind::ScenarioTooLarge {
            bytes: s.scenario.len(),
        }
        .into());
    }
    let out = encode(s);
    if out.len() > FRAGMENT_MAX {
        return Err(LinkErrorKind::TooLongToShare { len: out.len() }.into());
    }
    Ok(out)
}

/// Keys of version 1, for duplicate detection and %-decoding (`r`, `k`, `q`, `l`, `p`, `x` came
/// later: older readers ignore them, as they ignore every key they do not know).
const KEYS: [&str; 14] = [
    "v", "d", "s", "w", "r", "k", "q", "l", "p", "x", "c", "e", "b", "z",
];

/// Reads a fragment (the part of the URL after `#`; one leading `#` is tolerated).
/// Never panics.
pub fn decode(fragment: &str) -> Result<LinkState, LinkError> {
    use LinkErrorKind::*;
    let fragment = fragment.trim();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment).trim();
    if fragment.is_empty() {
        return Err(Empty.into());
    }
    if fragment.len() > FRAGMENT_MAX {
        return Err(FragmentTooLong {
            len: fragment.len(),
        }
        .into());
    }

    // One slot per known key, raw (still %-escaped); unknown keys are dropped.
    let mut raw: [Option<&str>; KEYS.len()] = [None; KEYS.len()];
    let mut duplicate = None;
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let Some(i) = KEYS.iter().position(|&k| k == key) {
            if raw[i].is_some() {
                if key == "v" {
                    return Err(Duplicate("v").into());
                }
                // Reported after the version check: a newer format may allow it.
                duplicate.get_or_insert(KEYS[i]);
            }
            raw[i] = Some(value);
        }
    }
    let get = |key: &'static str| -> Result<Option<String>, LinkError> {
        let i = KEYS.iter().position(|&k| k == key).unwrap_or(0);
        raw[i].map(|v| percent_decode(key, v)).transpose()
    };

    // The version first: a newer link may not make sense to the rest of this function.
    let v = get("v")?.ok_or(LinkError::new(NoVersion))?;
    match parse_u64(&v) {
        Some(0) | None => return Err(BadVersion(v).into()),
        Some(n) if n > u64::from(LINK_VERSION) => return Err(NewerVersion(n).into()),
        Some(_) => {}
    }
    if let Some(key) = duplicate {
        return Err(Duplicate(key).into());
    }

    let design_named = |name: String| Design::from_name(&name).ok_or(UnknownDesign(name));
    let design = design_named(get("d")?.ok_or(LinkError::new(Missing("d")))?)?;
    let step = match get("s")? {
        None => 0,
        Some(s) => parse_u64(&s).ok_or(BadStep(s))?,
    };
    let mut switches = Vec::new();
    for name in get("w")?.iter().flat_map(|w| w.split(',')) {
        if !name.is_empty() {
            switches.push(Switch::from_name(name).ok_or_else(|| UnknownSwitch(name.to_string()))?);
        }
    }
    let schedule = match get("r")? {
        None => Schedule::round_robin(),
        Some(r) => Schedule::parse(&r).map_err(|e| BadSchedule {
            value: r.clone(),
            offset: e.offset,
            message: e.message,
        })?,
    };
    let mut breakpoints = Vec::new();
    for item in get("k")?.iter().flat_map(|k| k.split(',')) {
        if item.is_empty() {
            continue;
        }
        let bad = || BadBreakpoint(item.to_string());
        let (name, line) = item.split_once(':').ok_or_else(bad)?;
        let func = Func::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .ok_or_else(bad)?;
        let line = parse_u64(line)
            .and_then(|l| u8::try_from(l).ok())
            .ok_or_else(bad)?;
        breakpoints.push((func, line));
    }
    breakpoints.sort_unstable();
    breakpoints.dedup();
    let why = match get("q")? {
        None => None,
        Some(q) => Some(q.parse::<Cell>().map_err(|_| BadCell(q))?),
    };
    let lesson = match get("l")? {
        None => None,
        Some(l) => Some(
            parse_u64(&l)
                .filter(|&n| (1..=65536).contains(&n))
                .map(|n| (n - 1) as u16)
                .ok_or(BadLessonStop(l))?,
        ),
    };
    let predict = match get("p")? {
        None => None,
        Some(p) => {
            let bad = || BadPredict(p.clone());
            let (seed, q) = match p.split_once('.') {
                Some((seed, q)) => (seed, Some(q)),
                None => (p.as_str(), None),
            };
            let seed = parse_u64(seed).ok_or_else(bad)?;
            let q = match q {
                None => None,
                Some(q) => Some(
                    parse_u64(q)
                        .filter(|&n| (1..=65536).contains(&n))
                        .map(|n| (n - 1) as u16)
                        .ok_or_else(bad)?,
                ),
            };
            Some((seed, q))
        }
    };
    let exercise = match get("x")? {
        None => None,
        Some(x) => Some(ExerciseParams::parse(&x).map_err(|why| BadExercise {
            value: x.clone(),
            why,
        })?),
    };
    let compare = get("c")?.map(design_named).transpose()?;
    let embed = match get("e")?.as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(e) => return Err(BadEmbed(e.to_string()).into()),
    };
    let builtin = get("b")?;
    let scenario = unpack(&get("z")?.ok_or(LinkError::new(Missing("z")))?)?;
    Ok(LinkState {
        scenario,
        design,
        step,
        switches,
        schedule,
        compare,
        embed,
        builtin,
        breakpoints,
        why,
        lesson,
        predict,
        exercise,
    })
}

/// The scenario text from a `z=` value.
fn unpack(z: &str) -> Result<String, LinkError> {
    use base64::DecodeError;
    use LinkErrorKind::*;
    if z.is_empty() {
        return Err(CutShort.into());
    }
    let packed = B64.decode(z).map_err(|e| match e {
        // A length of 4n+1, or a last character with bits left over: the usual marks of
        // a link cut at an arbitrary character.
        DecodeError::InvalidLength(_) | DecodeError::InvalidLastSymbol(..) => CutShort,
        DecodeError::InvalidByte(..) | DecodeError::InvalidPadding => BadScenarioChar,
    })?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, SCENARIO_MAX)
        .map_err(|e| match e.status {
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => CutShort,
            TINFLStatus::HasMoreOutput => ScenarioUnpacksTooLarge,
            TINFLStatus::Adler32Mismatch => ChecksumMismatch,
            _ => BadScenarioData,
        })?;
    String::from_utf8(bytes).map_err(|_| ScenarioNotUtf8.into())
}

/// A decimal number, digits only (no sign, no spaces), that fits in a `u64`.
fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Appends `s` with every byte outside the URL-unreserved set (`A-Z a-z 0-9 - . _ ~`)
/// written as `%XX`.
fn percent_encode(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// `value` with its `%XX` escapes decoded; `key` names it in errors.
fn percent_decode(key: &'static str, value: &str) -> Result<String, LinkError> {
    if !value.contains('%') {
        return Ok(value.to_string());
    }
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex);
            let lo = bytes.get(i + 2).copied().and_then(hex);
            match (hi, lo) {
                // Both digits are < 16, so the byte fits.
                (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
                _ => return Err(LinkErrorKind::BadEscape(key).into()),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| LinkErrorKind::BadText(key).into())
}
