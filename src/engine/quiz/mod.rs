//! Predict, then reveal: multiple-choice questions generated from a run's own trace.
//! Which function runs the next micro-step (`step.rs`); what a cell holds when the next
//! scenario action starts (`action.rs`); the kernel call chain of the next event of a
//! kind (`event.rs`); who frees a TSS or u-area, or returns a cached u-area to
//! kernel_map (`frees.rs`); which processes init adopts (`adopts.rs`); the CLI's text
//! and JSON (`print.rs`). Every answer is read from the trace, and
//! wrong choices are, where possible, what another design does at the same scenario
//! line. Questions are deterministic from a seed and a position: the page's "Predict"
//! panel and `exitpath quiz` ask the same ones.

use super::design::Design;
use super::forkpy_run::SplitMix64;
use super::session::{MarkerKind, Session};
use serde::Serialize;

mod action;
mod adopts;
mod event;
mod frees;
mod print;
mod step;

use action::ask_action;
use adopts::ask_adopts;
use event::ask_event;
use frees::ask_frees;
pub use print::{json, letter, text};
use step::ask_step;

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
    /// The position right after that step (the source panel shows its line there):
    /// the reveal itself, but for `Action`, where the cell changed earlier.
    pub decided_at: Option<u64>,
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
