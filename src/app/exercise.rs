//! The fork.py exercise mode, native: the parameters (`x=` in a link), the list made
//! with `exitpath forkpy`'s seeded generator, the scenario text that runs it in the
//! kernel model like any scenario, which answers are revealed, the tree after each
//! action read from the run's kernel state (the CLI's reader and layout), where the
//! cursor is in the list, and the sheets "Print N variants" lays out.
//!
//! An exercise is a function of its text: the text's first line names the parameters
//! and the rest is what they generate, so the page knows it is in an exercise when the
//! run's text is one (`Exercise::of_text`), and leaves it when the text is edited.

use crate::engine::design::Design;
use crate::engine::forkpy_run::{self, Checks, Style, Turns};
use crate::engine::scenario::forkpy::{Action, ForkpyList};
use crate::engine::session::{Replay, Session};
pub use crate::link::{ExerciseParams as Params, EXERCISE_ACTIONS_MAX};
use std::collections::BTreeSet;

/// The first line of an exercise's text; the parameters follow (`Params::text`).
pub const HEADER: &str = "# fork.py exercise x=";

/// Longest `forkpy` line the text is cut into (the parser allows 400 characters).
const LINE_CHARS: usize = 300;

/// Most variants "Print N variants" lays out.
pub const VARIANTS_MAX: u32 = 50;

/// Most actions a printed variant has (a sheet for a class, not a stress test).
pub const PRINT_ACTIONS_MAX: u32 = 200;

/// The trees are drawn as `exitpath forkpy` draws them by default.
pub const STYLE: Style = Style::Fancy;

/// An exercise: its parameters, its list and the scenario text that runs the list.
#[derive(Clone, Debug)]
pub struct Exercise {
    pub params: Params,
    pub list: ForkpyList,
    pub text: String,
}

impl PartialEq for Exercise {
    /// The list and the text are functions of the parameters.
    fn eq(&self, o: &Exercise) -> bool {
        self.params == o.params
    }
}

impl Exercise {
    /// The exercise `params` asks for, or why there is none (the generator's message:
    /// the model would be full).
    pub fn new(params: Params) -> Result<Exercise, String> {
        let list = forkpy_run::generate(
            params.seed,
            params.forks(),
            u64::from(params.actions),
            params.leaf_only,
        )?;
        let text = text_of(&params, &list);
        Ok(Exercise { params, list, text })
    }

    /// The exercise whose text `text` is, unedited; `None` for any other text.
    pub fn of_text(text: &str) -> Option<Exercise> {
        let first = text.lines().next()?;
        let params = Params::parse(first.strip_prefix(HEADER)?).ok()?;
        Exercise::new(params).ok().filter(|x| x.text == text)
    }

    /// The actions in fork.py's words (`a forks b`, `b EXITS`), in list order.
    pub fn actions(&self) -> Vec<String> {
        self.list
            .actions
            .iter()
            .map(|&a| forkpy_run::action_text(&self.list, a))
            .collect()
    }

    /// The command that prints this exercise's answers (its default design, `patch`).
    pub fn cli(&self) -> String {
        cli_of(&self.params)
    }

    /// The command that prints the answers `design` gives: the trees can differ by
    /// design (in `reaper`, init may reap its zombie children sooner or later).
    pub fn cli_in(&self, design: Design) -> String {
        match design {
            forkpy_run::DEFAULT_DESIGN => self.cli(),
            d => format!("{} --design {}", self.cli(), d.name()),
        }
    }

    /// The list action whose turn the kernel has taken at `pos` (the one being done, or
    /// just done), by the turn positions `at` (`turn_positions`); `None` before the
    /// first and after the last.
    pub fn current(&self, at: &[u64], pos: u64) -> Option<usize> {
        let n = self.list.kernel_entries() as usize;
        // Tree e (after kernel entry e - 1) is due when entry e takes its turn.
        let taken = at.iter().take(n).take_while(|&&p| p <= pos).count();
        let k = taken.checked_sub(1)?;
        let done_all = at.get(n).is_some_and(|&p| p <= pos);
        if done_all {
            return None;
        }
        self.list
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| !matches!(a, Action::FailedExit { .. }))
            .nth(k)
            .map(|(i, _)| i)
    }

    /// The tree after list action `i` in `session` (a run of this exercise's text),
    /// drawn as `exitpath forkpy -c` draws it: read from the kernel state at the
    /// position `at` gives for it. `None` when `i` is past the list.
    pub fn tree_after(&self, session: &Session, at: &[u64], i: usize) -> Option<String> {
        if i >= self.list.actions.len() {
            return None;
        }
        self.tree_at(session, at, forkpy_run::tree_after_action(&self.list, i))
    }

    /// The tree before the first action.
    pub fn start_tree(&self, session: &Session, at: &[u64]) -> Option<String> {
        self.tree_at(session, at, 0)
    }

    fn tree_at(&self, session: &Session, at: &[u64], e: u32) -> Option<String> {
        let pos = *at.get(e as usize)?;
        let sim = session.sim_at(pos);
        let tree = forkpy_run::tree_of(&sim.st);
        Some(forkpy_run::tree_text(&self.list, &tree, STYLE))
    }
}

/// The text that runs `list`: the header naming `params`, one CPU (as `exitpath
/// forkpy` runs), and the list in `forkpy` lines.
fn text_of(params: &Params, list: &ForkpyList) -> String {
    let mut t = format!(
        "{HEADER}{}\n# The same list as `{}`; edit this text and the exercise ends.\ncpus 1\n",
        params.text(),
        cli_of(params)
    );
    let mut line = String::new();
    for i in 0..list.actions.len() as u32 {
        let e = list.entry_text(i);
        if !line.is_empty() && line.len() + 1 + e.len() > LINE_CHARS {
            t.push_str("forkpy ");
            t.push_str(&line);
            t.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(',');
        }
        line.push_str(&e);
    }
    if !line.is_empty() {
        t.push_str("forkpy ");
        t.push_str(&line);
        t.push('\n');
    }
    t
}

fn cli_of(p: &Params) -> String {
    format!(
        "exitpath forkpy -s {} -a {} -f {}{}{} -c",
        p.seed,
        p.actions,
        p.forks(),
        if p.leaf_only { " -L" } else { "" },
        if p.show_tree { " -t" } else { "" },
    )
}

/// Where each of a list's trees is read in `session` (a run of its text): entry `e`
/// is the position of tree e (0: before the first kernel entry; k: after entry k - 1;
/// `n`: after the last), found by replaying the run once, as `exitpath forkpy` finds
/// them while it runs (`forkpy_run::Turns`).
pub fn turn_positions(session: &Session, list: &ForkpyList) -> Vec<u64> {
    let n = list.kernel_entries();
    let mut turns = Turns::new(n);
    let mut at = Vec::with_capacity(n as usize + 1);
    let mut replay = Replay::new(session);
    while let Some((pos, _)) = replay.step() {
        if let (_, Some(_)) = turns.after_step(replay.sim().st.forkpy_turn) {
            at.push(pos);
        }
    }
    let end = session.len();
    at.extend(turns.at_end().map(|_| end));
    at
}

/// Which answers are shown: hidden until revealed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Revealed {
    shown: BTreeSet<usize>,
    all: bool,
}

impl Revealed {
    pub fn is_shown(&self, i: usize) -> bool {
        self.all || self.shown.contains(&i)
    }

    /// Shows action `i`'s answer, or hides it again.
    pub fn toggle(&mut self, i: usize) {
        if self.all {
            return;
        }
        if !self.shown.remove(&i) {
            self.shown.insert(i);
        }
    }

    pub fn show_all(&mut self) {
        self.all = true;
    }

    pub fn hide_all(&mut self) {
        *self = Revealed::default();
    }

    /// How many of `n` answers are shown.
    pub fn count(&self, n: usize) -> usize {
        if self.all {
            n
        } else {
            self.shown.range(..n).count()
        }
    }
}

/// One printed variant: its seed, what the student sees, and its answer key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    pub params: Params,
    pub cli: String,
    /// The tree before the first action.
    pub start: String,
    /// Per action: fork.py's words for it, and the tree after it.
    pub actions: Vec<(String, String)>,
}

/// "Print N variants": the exercise `params` for seeds seed, seed + 1, ...,
/// `count` of them (at most VARIANTS_MAX), each run through the kernel model by
/// `exitpath forkpy`'s own code, or why not.
pub fn sheets(params: &Params, count: u32) -> Result<Vec<Sheet>, String> {
    if !(1..=VARIANTS_MAX).contains(&count) {
        return Err(format!(
            "the number of variants must be from 1 to {VARIANTS_MAX}, found {count}"
        ));
    }
    if params.actions > PRINT_ACTIONS_MAX {
        return Err(format!(
            "a printed exercise has at most {PRINT_ACTIONS_MAX} actions, this one {}",
            params.actions
        ));
    }
    (0..count)
        .map(|d| {
            let p = Params {
                seed: params.seed.wrapping_add(i64::from(d)),
                ..*params
            };
            sheet(&p)
        })
        .collect()
}

fn sheet(p: &Params) -> Result<Sheet, String> {
    let x = Exercise::new(*p).map_err(|e| format!("seed {}: {e}", p.seed))?;
    let mut trees = Vec::new();
    forkpy_run::run_kernel(&x.list, Design::Patch, Checks::End, false, |_, t| {
        trees.push(forkpy_run::tree_text(&x.list, t, STYLE));
        Ok(())
    })
    .map_err(|e| format!("seed {}: {e}", p.seed))?;
    let tree = |e: u32| trees.get(e as usize).cloned().unwrap_or_default();
    let actions = x
        .actions()
        .into_iter()
        .enumerate()
        .map(|(i, a)| (a, tree(forkpy_run::tree_after_action(&x.list, i))))
        .collect();
    Ok(Sheet {
        params: *p,
        cli: x.cli(),
        start: tree(0),
        actions,
    })
}
