//! `exitpath forkpy`: OSTEP fork.py's process-tree exercises with the modelled NetBSD
//! kernel underneath. A list (generated from a seed, or given) runs in the kernel
//! model; after each action the tree is read from the kernel (`p_pptr`, zombies,
//! orphans under init) and printed in fork.py's layout, or as JSON.
//!
//! "After action k" is the kernel state at the micro-step where the next entry's
//! process takes its turn (`forkpy_turn` advances): by then the process of action k
//! has gone back to its turn wait (or has exited) and, in `reaper`, the reaper
//! (priority PVM) has run. When nobody is left to take a turn, it is the state at the
//! end of the run. docs/model.md, "exitpath forkpy".

use super::design::Design;
use super::scenario::forkpy::{self, Action, ForkpyList};
use super::scenario::{limits, Scenario};
use super::sim::{Sim, FIRST_USER_PID, LWPS_MAX, PID_MAX};
use super::state::{KernelState, PStat};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::io::{self, Write};

/// fork.py's `-P`: how trees are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    Basic,
    Line1,
    Line2,
    Fancy,
}

impl Style {
    pub const ALL: [Style; 4] = [Style::Basic, Style::Line1, Style::Line2, Style::Fancy];

    pub fn name(self) -> &'static str {
        match self {
            Style::Basic => "basic",
            Style::Line1 => "line1",
            Style::Line2 => "line2",
            Style::Fancy => "fancy",
        }
    }

    pub fn from_name(s: &str) -> Option<Style> {
        Style::ALL.into_iter().find(|st| st.name() == s)
    }

    /// (vertical, horizontal, tee, corner), as fork.py draws them.
    fn chars(self) -> [char; 4] {
        match self {
            Style::Basic | Style::Line1 => ['|', '-', '+', '|'],
            Style::Line2 => ['|', '_', '|', '|'],
            Style::Fancy => ['\u{2502}', '\u{2500}', '\u{251c}', '\u{2514}'],
        }
    }
}

/// When the kernel model's state checks run (`exitpath run` runs them after every
/// micro-step). The faults the code itself meets (a sleep where none is allowed, a
/// double free, a panic) are found at their step either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// After every micro-step: their cost grows with the number of processes.
    EveryStep,
    /// After every action (at each turn) and at the end.
    EveryAction,
    /// At the end only (the code's own faults are still found at their step).
    End,
    /// Every step for lists of up to AUTO_STEP_CHECKS_MAX entries, every action for
    /// lists of up to AUTO_ACTION_CHECKS_MAX, at the end for longer ones (there the
    /// checks after every action would cost four times the run itself).
    Auto,
}

/// Longest list whose state checks run after every micro-step under `Checks::Auto`.
pub const AUTO_STEP_CHECKS_MAX: usize = 2_000;
/// Longest list whose state checks run after every action under `Checks::Auto`.
pub const AUTO_ACTION_CHECKS_MAX: usize = 20_000;

/// Text in fork.py's layout, or one JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Everything `exitpath forkpy` is asked (fork.py's options, plus the design).
#[derive(Clone, Debug)]
pub struct Options {
    /// `-s`: the generator's seed.
    pub seed: i64,
    /// `-f`: the fraction of generated actions that are forks, 0 to 1.
    pub forks: f64,
    /// `-a`: how many actions to generate.
    pub actions: u64,
    /// `-A`: the list itself (read from the file for `-A @FILE`); `None`: generate.
    pub action_list: Option<String>,
    /// What the `ARG action_list` line shows (the list, or `@FILE`).
    pub action_list_arg: String,
    /// `-t`: show the trees, ask for the actions.
    pub show_tree: bool,
    /// `-F`: only the final tree.
    pub final_only: bool,
    /// `-L`: only processes without live children exit.
    pub leaf_only: bool,
    /// `-R`: fork.py's local reparenting; the kernel's rule does not change.
    pub local_reparent: bool,
    /// `-P`.
    pub print_style: Style,
    /// `-c`: print the answers.
    pub compute: bool,
    pub design: Design,
    pub format: Format,
    pub checks: Checks,
    /// `--why`: after each action, what the kernel did and why (text, not with -F).
    pub why: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 0,
            forks: 0.7,
            actions: 5,
            action_list: None,
            action_list_arg: String::new(),
            show_tree: false,
            final_only: false,
            leaf_only: false,
            local_reparent: false,
            print_style: Style::Fancy,
            compute: false,
            design: DEFAULT_DESIGN,
            format: Format::Text,
            checks: Checks::Auto,
            why: false,
        }
    }
}

/// The design `exitpath forkpy` runs unless told otherwise: the patch as posted, the
/// CLI's default everywhere. On one CPU every design gives the same live processes
/// and the same zombies of live parents; a zombie orphan under init may be reaped on
/// either side of a turn, and that differs between designs (docs/model.md §12).
pub const DEFAULT_DESIGN: Design = Design::Patch;

/// Most actions `-a` may ask for (the list and its blocks are held in memory).
pub const ACTIONS_MAX: u64 = 10_000_000;

/// Processes (live or zombie, init's and the kernel threads' included) the model can
/// hold: the list is refused before it runs when it needs more.
pub const PROCS_MODEL_MAX: u32 = LWPS_MAX as u32 - 8;

/// The one line that says how the kernel's trees differ from fork.py's.
pub const NETBSD_NOTE: &str = "NetBSD (exitpath's kernel model): an exited process stays a zombie until its parent waits, and only its own children go to init; fork.py removes it at once and gives all its descendants to a (with -R, its children to its parent).";

/// Why `exitpath forkpy` could not run: a message for the user (exit status 2), or
/// the output could not be written.
#[derive(Debug)]
pub enum Error {
    Input(String),
    Output(io::Error),
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Output(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Input(m) => f.write_str(m),
            Error::Output(e) => write!(f, "writing the output: {e}"),
        }
    }
}

// ------------------------------------------------------------------ the generator

/// splitmix64: u64 arithmetic only, so native and wasm builds give the same lists.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: i64) -> SplitMix64 {
        SplitMix64(seed as u64)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n >= 1`), by multiply and shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
}

/// A set of process indices with uniform random choice and O(1) insert and remove.
#[derive(Default)]
struct Pool {
    items: Vec<u32>,
    /// Position of each process in `items`, `u32::MAX` when absent.
    at: Vec<u32>,
}

impl Pool {
    fn insert(&mut self, p: u32) {
        if self.at.len() <= p as usize {
            self.at.resize(p as usize + 1, u32::MAX);
        }
        if self.at[p as usize] == u32::MAX {
            self.at[p as usize] = self.items.len() as u32;
            self.items.push(p);
        }
    }

    fn remove(&mut self, p: u32) {
        let Some(&i) = self.at.get(p as usize) else {
            return;
        };
        if i == u32::MAX {
            return;
        }
        self.items.swap_remove(i as usize);
        if let Some(&moved) = self.items.get(i as usize) {
            self.at[moved as usize] = i;
        }
        self.at[p as usize] = u32::MAX;
    }

    fn pick(&self, rng: &mut SplitMix64) -> Option<u32> {
        if self.items.is_empty() {
            return None;
        }
        self.items
            .get(rng.below(self.items.len() as u64) as usize)
            .copied()
    }
}

/// fork.py's name for the process created `n`-th (`a` is 0): a..z, A..Z, then aa, ab,
/// ..., ZZ, then aaa, ...
pub fn process_name(n: u64) -> String {
    const BASE: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = n;
    let mut width = 1u32;
    let mut count = 52u64;
    while n >= count {
        n -= count;
        width += 1;
        count = count.saturating_mul(52);
    }
    let mut out = vec![b'a'; width as usize];
    for slot in out.iter_mut().rev() {
        *slot = BASE[(n % 52) as usize];
        n /= 52;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The fork fraction as parts per million (u64 from here on).
fn fork_ppm(forks: f64) -> Result<u64, String> {
    if !forks.is_finite() || !(0.0..=1.0).contains(&forks) {
        return Err(format!(
            "-f/--forks is the fraction of actions that are forks, from 0 to 1; found {forks}"
        ));
    }
    Ok((forks * 1_000_000.0).round() as u64)
}

/// A list from the seed, by fork.py's rules: with probability `forks` a fork (a random
/// live process forks a process with the next name), otherwise an exit of a random
/// live process other than `a` (with `leaf_only`, one without live children); when no
/// process can exit, a fork. Deterministic: the same seed gives the same list
/// everywhere; not fork.py's lists.
pub fn generate(
    seed: i64,
    forks: f64,
    actions: u64,
    leaf_only: bool,
) -> Result<ForkpyList, String> {
    let ppm = fork_ppm(forks)?;
    if actions > ACTIONS_MAX {
        return Err(format!(
            "-a/--actions: at most {ACTIONS_MAX} actions, found {actions}"
        ));
    }
    let mut rng = SplitMix64::new(seed);
    let mut list = ForkpyList::new(leaf_only, 1);
    let mut live = Pool::default();
    let mut exiters = Pool::default();
    live.insert(0);
    let mut created: u64 = 1;
    for _ in 0..actions {
        let coin = rng.below(1_000_000);
        let exiter = if coin < ppm {
            None
        } else {
            exiters.pick(&mut rng)
        };
        let (actor, child) = match exiter {
            Some(x) => (x, None),
            None => {
                let Some(actor) = live.pick(&mut rng) else {
                    return Err("no live process to fork (a cannot exit)".into());
                };
                created += 1;
                (actor, Some(process_name(created - 1)))
            }
        };
        let actor_name = list.names.get(actor as usize).cloned().unwrap_or_default();
        let text = match &child {
            Some(c) => forkpy::EntryText::Fork(&actor_name, c),
            None => forkpy::EntryText::Exit(&actor_name),
        };
        let action = list.push(text, (1, 1))?;
        let (l, z) = list.counts();
        if l + z > PROCS_MODEL_MAX {
            return Err(too_many(
                &format!("after generated action {}", list.actions.len()),
                l,
                z,
            ));
        }
        match action {
            Action::Fork { actor, child } => {
                live.insert(child);
                exiters.insert(child);
                if leaf_only {
                    exiters.remove(actor);
                }
            }
            Action::Exit { actor } => {
                live.remove(actor);
                exiters.remove(actor);
                if leaf_only {
                    if let Some(p) = list.parent(actor) {
                        if p != 0 && list.is_leaf(p) {
                            exiters.insert(p);
                        }
                    }
                }
            }
            Action::Wait { .. } | Action::FailedExit { .. } => {}
        }
    }
    Ok(list)
}

/// Reads a list given with `-A`: entries `x+y`, `x-` or `x w`, separated by commas or
/// line breaks; in a file, `#` starts a comment. No length limit.
pub fn parse_list(text: &str, leaf_only: bool) -> Result<ForkpyList, String> {
    let mut list = ForkpyList::new(leaf_only, 1);
    let mut n = 0u64;
    for (line_no, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for raw in line.split(',') {
            let e = raw.trim_matches([' ', '\t', '\r']);
            if e.is_empty() {
                continue;
            }
            n += 1;
            let where_ = || format!("entry {n} (`{e}`, line {})", line_no + 1);
            let after = || format!("after {}", where_());
            let entry = forkpy::entry(e).map_err(|m| format!("{}: {m}", where_()))?;
            list.push(entry, (line_no as u32 + 1, 1))
                .map_err(|m| format!("{}: {m}", where_()))?;
            let (live, zombies) = list.counts();
            if live + zombies > PROCS_MODEL_MAX {
                return Err(too_many(&after(), live, zombies));
            }
        }
    }
    Ok(list)
}

fn too_many(at: &str, live: u32, zombies: u32) -> String {
    format!(
        "{at} the list has {live} processes alive and {zombies} zombies at once; the \
         model holds at most {LWPS_MAX} processes (LWPS_MAX, its own limit) and no 2003 kernel \
         holds that many either: PID_MAX is {PID_MAX} and the default maxproc (NPROC = 20 + 16 \
         * MAXUSERS) is a few hundred. Use fewer actions or a smaller fork fraction (at -f 0.7 \
         the model is full after about 7,500 actions; at -f 0.5, 100,000 actions stay under \
         2,000 processes)"
    )
}

/// The list `opts` asks for: `-A`'s, or a generated one.
pub fn list_of(opts: &Options) -> Result<ForkpyList, String> {
    let list = match &opts.action_list {
        Some(text) => parse_list(text, opts.leaf_only)?,
        None => generate(opts.seed, opts.forks, opts.actions, opts.leaf_only)?,
    };
    Ok(list)
}

// ------------------------------------------------------------------ the kernel's trees

/// One user process as the kernel holds it after an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// The process (an index into the list's names).
    pub proc: u32,
    /// `p_pptr`: `None` for init.
    pub parent: Option<u32>,
    /// SZOMB (or SDEAD: exited, not yet made a zombie by the reaper).
    pub zombie: bool,
}

/// The user processes the kernel holds, in creation order, and the order of each
/// process's children (oldest first: `p_children` read from its tail).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub nodes: Vec<Node>,
    /// (parent, children oldest first); `None` is init.
    pub children: Vec<(Option<u32>, Vec<u32>)>,
}

impl Tree {
    pub fn live(&self) -> usize {
        self.nodes.iter().filter(|n| !n.zombie).count()
    }

    pub fn zombies(&self) -> usize {
        self.nodes.iter().filter(|n| n.zombie).count()
    }

    fn children_of(&self, p: Option<u32>) -> &[u32] {
        let key = |q: &Option<u32>| q.map_or(0, |q| u64::from(q) + 1);
        self.children
            .binary_search_by_key(&key(&p), |(q, _)| key(q))
            .ok()
            .and_then(|i| self.children.get(i))
            .map_or(&[], |(_, c)| c.as_slice())
    }

    fn node(&self, p: u32) -> Option<&Node> {
        self.nodes
            .binary_search_by_key(&p, |n| n.proc)
            .ok()
            .and_then(|i| self.nodes.get(i))
    }
}

/// The user processes' tree in kernel state `st` (the page's exercise reads it from any
/// position of a run; `run_kernel` from its running state, with a `Reader` it reuses).
pub fn tree_of(st: &KernelState) -> Tree {
    Reader::new().tree(st)
}

/// Which of a list's trees a run has reached, micro-step by micro-step: tree 0 (before
/// entry 0) when turn 0 is taken, tree k (after kernel entry k - 1) when turn k is,
/// and every tree not reached by a turn at the end of the run. `run_kernel` and the
/// page's exercise (`app::exercise`) read the trees at the same states through it.
#[derive(Clone, Debug)]
pub struct Turns {
    seen: u32,
    next: u32,
    n: u32,
}

impl Turns {
    /// For a list of `n` kernel entries (trees 0..=n).
    pub fn new(n: u32) -> Turns {
        Turns {
            seen: 0,
            next: 0,
            n,
        }
    }

    /// After a micro-step that left the kernel's `forkpy_turn` at `turn`: whether the
    /// turn changed, and the tree due at this state, if one is.
    pub fn after_step(&mut self, turn: u32) -> (bool, Option<u32>) {
        if turn == self.seen {
            return (false, None);
        }
        self.seen = turn;
        if self.next < turn && self.next <= self.n {
            self.next += 1;
            return (true, Some(self.next - 1));
        }
        (true, None)
    }

    /// The trees no turn reached: all due at the state at the end of the run.
    pub fn at_end(&mut self) -> std::ops::RangeInclusive<u32> {
        let r = self.next..=self.n;
        self.next = self.n + 1;
        r
    }
}

/// The tree printed with list action `i`: the one after the last kernel entry up to
/// and including it (a failed exit changes nothing); 0, the start, before any.
pub fn tree_after_action(list: &ForkpyList, i: usize) -> u32 {
    list.actions
        .iter()
        .take(i + 1)
        .filter(|a| !matches!(a, Action::FailedExit { .. }))
        .count() as u32
}

/// Reads trees from a kernel state, reusing a pid -> process map.
struct Reader {
    by_pid: Vec<u32>,
}

impl Reader {
    fn new() -> Reader {
        Reader {
            by_pid: vec![u32::MAX; PID_MAX as usize + 1],
        }
    }

    fn tree(&mut self, st: &KernelState) -> Tree {
        let user = |pid: u32| pid >= FIRST_USER_PID;
        for p in st.procs.iter().filter(|p| user(p.pid)) {
            if let Some(slot) = self.by_pid.get_mut(p.pid as usize) {
                *slot = u32::from(p.block);
            }
        }
        let by_pid = &self.by_pid;
        let names = |kids: &[u32]| -> Vec<u32> {
            kids.iter()
                .rev()
                .filter_map(|&c| by_pid.get(c as usize).copied())
                .filter(|&b| b != u32::MAX)
                .collect()
        };
        let mut nodes = Vec::new();
        let mut children = Vec::new();
        for p in st.procs.iter() {
            if p.pid == 1 {
                children.push((None, names(&p.children)));
                continue;
            }
            let zombie = match p.stat {
                PStat::SACTIVE | PStat::SSTOP => false,
                PStat::SZOMB | PStat::SDEAD => true,
                PStat::SIDL => continue,
            };
            if !user(p.pid) {
                continue;
            }
            let me = u32::from(p.block);
            let parent = if p.pptr == 1 {
                None
            } else {
                by_pid
                    .get(p.pptr as usize)
                    .copied()
                    .filter(|&b| b != u32::MAX)
            };
            nodes.push(Node {
                proc: me,
                parent,
                zombie,
            });
            let kids = names(&p.children);
            if !kids.is_empty() {
                children.push((Some(me), kids));
            }
        }
        for p in st.procs.iter().filter(|p| user(p.pid)) {
            if let Some(slot) = self.by_pid.get_mut(p.pid as usize) {
                *slot = u32::MAX;
            }
        }
        nodes.sort_unstable_by_key(|n| n.proc);
        children.sort_unstable_by_key(|(p, _)| p.map_or(0, |p| u64::from(p) + 1));
        Tree { nodes, children }
    }
}

/// What a run measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub actions: u64,
    pub processes: u64,
    pub micro_steps: u64,
    /// Most live user processes, and most zombies, seen in the trees.
    pub live_peak: u64,
    pub zombies_peak: u64,
    /// The same at the end of the list.
    pub live_final: u64,
    pub zombies_final: u64,
    /// The kernel's findings (faults, broken invariants), as "Check: message".
    pub findings: Vec<String>,
    /// "every micro-step", "every action" or "at the end".
    pub checks: &'static str,
}

/// Runs `list` in the kernel model (design `design`, one CPU), calling `each(k, tree)`
/// with the tree before kernel entry k (k = 0: the start), that is after entry k - 1,
/// up to k = the number of kernel entries (after the last one); with `final_only`,
/// only for the start and the end (the others are only counted). No step limit and
/// no trace: only the current state is kept.
pub fn run_kernel(
    list: &ForkpyList,
    design: Design,
    checks: Checks,
    final_only: bool,
    mut each: impl FnMut(u32, &Tree) -> Result<(), Error>,
) -> Result<Stats, Error> {
    let n = list.kernel_entries();
    let sc = Scenario {
        design: Some(design),
        uvm_nuarea_max: 16,
        cpus: 1,
        switches: Vec::new(),
        schedule: Default::default(),
        blocks: list.blocks((1, 1)),
    };
    let mut sim = Sim::new(&sc, Some(design));
    drop(sc);
    sim.cfg.step_limit = u64::MAX;
    let every_step = match checks {
        Checks::EveryStep => true,
        Checks::EveryAction | Checks::End => false,
        Checks::Auto => n as usize <= AUTO_STEP_CHECKS_MAX,
    };
    let every_action = match checks {
        Checks::EveryAction => true,
        Checks::Auto => !every_step && n as usize <= AUTO_ACTION_CHECKS_MAX,
        Checks::EveryStep | Checks::End => false,
    };
    sim.checks = every_step;
    let system = sim
        .st
        .allproc
        .iter()
        .filter(|&&p| p < FIRST_USER_PID)
        .count() as u64;
    // A valid list ends; this only guards against a model bug.
    let guard = 1_000_000 + 20_000 * (u64::from(n) + list.names.len() as u64);
    let mut reader = Reader::new();
    let mut stats = Stats {
        actions: list.actions.len() as u64,
        processes: list.names.len() as u64,
        ..Stats::default()
    };
    let mut turns = Turns::new(n);
    let mut emit = |sim: &Sim, k: u32, stats: &mut Stats| -> Result<(), Error> {
        if final_only && k != 0 && k != n {
            // allproc holds the live processes, zombproc the zombies (and SDEAD ones).
            let live = (sim.st.allproc.len() as u64).saturating_sub(system);
            let zombies = sim.st.zombproc.len() as u64;
            stats.live_peak = stats.live_peak.max(live);
            stats.zombies_peak = stats.zombies_peak.max(zombies);
            return Ok(());
        }
        let t = reader.tree(&sim.st);
        stats.live_peak = stats.live_peak.max(t.live() as u64);
        stats.zombies_peak = stats.zombies_peak.max(t.zombies() as u64);
        if k == n {
            stats.live_final = t.live() as u64;
            stats.zombies_final = t.zombies() as u64;
        }
        each(k, &t)
    };
    while sim.step().is_some() {
        let (turned, due) = turns.after_step(sim.st.forkpy_turn);
        if turned {
            // A turn was just taken: every entry before it is done.
            if every_action {
                sim.check_state();
            }
            if let Some(k) = due {
                emit(&sim, k, &mut stats)?;
            }
            // Keep memory bounded: the per-action records are not needed here.
            sim.actions.clear();
            sim.exit_to_reap.clear();
        }
        if sim.step_no > guard {
            return Err(Error::Input(format!(
                "the kernel model did not finish within {guard} micro-steps (a bug in exitpath)"
            )));
        }
    }
    if !every_step {
        sim.check_state();
        sim.check_end();
    }
    if let Some(msg) = &sim.st.panic {
        return Err(Error::Input(format!(
            "the kernel model stopped before entry {} of the list: {msg}",
            turns.next.saturating_sub(1)
        )));
    }
    for k in turns.at_end() {
        emit(&sim, k, &mut stats)?;
    }
    stats.micro_steps = sim.step_no;
    stats.checks = if every_step {
        "every micro-step"
    } else if every_action {
        "every action"
    } else {
        "at the end"
    };
    stats.findings = sim
        .findings()
        .iter()
        .map(|f| format!("{:?}: {}", f.check, f.message))
        .collect();
    Ok(stats)
}

// ------------------------------------------------------------------ output

/// Prints `opts`' exercise to `out`: text in fork.py's layout, or JSON.
pub fn run(opts: &Options, out: &mut impl Write) -> Result<Stats, Error> {
    let list = list_of(opts).map_err(Error::Input)?;
    match opts.format {
        Format::Text => text(opts, &list, out),
        Format::Json => json(opts, &list, out),
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The fraction as Python prints a float (`0.7`, `1.0`).
fn py_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn args_lines(opts: &Options) -> String {
    format!(
        "\nARG seed {}\nARG fork_percentage {}\nARG actions {}\nARG action_list {}\nARG show_tree \
         {}\nARG just_final {}\nARG leaf_only {}\nARG local_reparent {}\nARG print_style {}\nARG \
         solve {}\nARG design {}\n\n",
        opts.seed,
        py_float(opts.forks),
        opts.actions,
        opts.action_list_arg,
        py_bool(opts.show_tree),
        py_bool(opts.final_only),
        py_bool(opts.leaf_only),
        py_bool(opts.local_reparent),
        opts.print_style.name(),
        py_bool(opts.compute),
        opts.design.name(),
    )
}

/// What fork.py says an action did (`a forks b`, `b EXITS`).
pub fn action_text(list: &ForkpyList, a: Action) -> String {
    let name = |p: u32| list.names.get(p as usize).map_or("?", |s| s.as_str());
    match a {
        Action::Fork { actor, child } => format!("{} forks {}", name(actor), name(child)),
        Action::Exit { actor } => format!("{} EXITS", name(actor)),
        Action::FailedExit { actor } => format!("{} EXITS (failed: has children)", name(actor)),
        Action::Wait { actor, .. } => format!("{} waits for a child", name(actor)),
    }
}

const INDENT: &str = "                               ";

/// The tree in fork.py's layout: `a`'s tree while init has no other user child, else
/// init's, with every process init adopted.
pub fn tree_text(list: &ForkpyList, t: &Tree, style: Style) -> String {
    let mut s = String::new();
    let top = t.children_of(None);
    let label = |p: u32| {
        let name = list.names.get(p as usize).map_or("?", |s| s.as_str());
        if t.node(p).is_some_and(|n| n.zombie) {
            format!("{name} (zombie)")
        } else {
            name.to_string()
        }
    };
    // (level, "more siblings follow" for the ancestors at levels 1..level-1, is the
    // last child, label), depth first.
    let mut lines: Vec<(usize, Vec<bool>, bool, String)> = Vec::new();
    let mut stack: Vec<(u32, usize, Vec<bool>, bool)> = Vec::new();
    if top == [0] {
        stack.push((0, 0, Vec::new(), true));
    } else {
        lines.push((0, Vec::new(), true, "init".to_string()));
        for (i, &c) in top.iter().enumerate().rev() {
            stack.push((c, 1, Vec::new(), i + 1 == top.len()));
        }
    }
    while let Some((p, level, conts, last)) = stack.pop() {
        let kids = t.children_of(Some(p));
        for (i, &c) in kids.iter().enumerate().rev() {
            let mut m = conts.clone();
            if level > 0 {
                m.push(!last);
            }
            stack.push((c, level + 1, m, i + 1 == kids.len()));
        }
        lines.push((level, conts, last, label(p)));
    }
    let [vert, horiz, tee, corner] = style.chars();
    for (level, conts, last, name) in lines {
        s.push_str(INDENT);
        if style == Style::Basic {
            for _ in 0..level {
                s.push_str("   ");
            }
            s.push_str(&format!("{name:>2}\n"));
            continue;
        }
        if level > 0 {
            for &more in &conts {
                if more {
                    s.push(vert);
                    s.push_str("   ");
                } else {
                    s.push_str("    ");
                }
            }
            s.push(if last { corner } else { tee });
            s.push(horiz);
            s.push(horiz);
            s.push(' ');
        }
        s.push_str(&name);
        s.push('\n');
    }
    s
}

fn text(opts: &Options, list: &ForkpyList, out: &mut impl Write) -> Result<Stats, Error> {
    out.write_all(args_lines(opts).as_bytes())?;
    writeln!(out, "{NETBSD_NOTE}")?;
    if opts.local_reparent {
        writeln!(
            out,
            "(-R changes fork.py's rule only: the kernel gives orphans to init either way.)"
        )?;
    }
    writeln!(out)?;
    let style = opts.print_style;
    // Kernel entry k is list action kernel_at[k]; failed exits print the tree as it was.
    let kernel_at: Vec<usize> = list
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| !matches!(a, Action::FailedExit { .. }))
        .map(|(i, _)| i)
        .collect();
    let n = kernel_at.len() as u32;
    let mut done = 0usize; // list actions printed so far
    let mut last_tree = String::new();
    let why = opts.why && !opts.final_only;
    let mut before = Tree::default();
    let stats = run_kernel(list, opts.design, opts.checks, opts.final_only, |k, t| {
        let drawn = tree_text(list, t, style);
        if k == 0 {
            writeln!(out, "                           Process Tree:")?;
            out.write_all(drawn.as_bytes())?;
            writeln!(out)?;
            last_tree = drawn;
            if why {
                before = t.clone();
            }
            // Failed exits before the first kernel entry.
            let upto = kernel_at.first().copied().unwrap_or(list.actions.len());
            while done < upto {
                print_action(opts, list, done, &last_tree, out)?;
                done += 1;
            }
            return Ok(());
        }
        // Action kernel_at[k-1] is done: print it with this tree, then any failed
        // exits up to the next kernel entry, with the same tree.
        last_tree = drawn;
        let upto = kernel_at
            .get(k as usize)
            .copied()
            .unwrap_or(list.actions.len());
        while done < upto {
            print_action(opts, list, done, &last_tree, out)?;
            if let (true, Some(&a)) = (why, list.actions.get(done)) {
                writeln!(out, "      why: {}", reason(list, a, &before, t))?;
            }
            done += 1;
        }
        if why {
            before = t.clone();
        }
        if k == n && opts.final_only {
            if opts.show_tree || opts.compute {
                writeln!(out, "\n                        Final Process Tree:")?;
                out.write_all(last_tree.as_bytes())?;
                writeln!(out)?;
            } else {
                writeln!(out, "\n                        Final Process Tree?\n")?;
            }
        }
        Ok(())
    })?;
    for f in &stats.findings {
        writeln!(out, "exitpath: the kernel model reports {f}")?;
    }
    Ok(stats)
}

/// What the kernel did for action `a`, read from the trees before and after it.
fn reason(list: &ForkpyList, a: Action, before: &Tree, after: &Tree) -> String {
    let name = |p: u32| list.names.get(p as usize).map_or("?", |s| s.as_str());
    let parent = |t: &Tree, p: u32| {
        t.node(p)
            .and_then(|n| n.parent)
            .map_or("init".to_string(), |q| name(q).to_string())
    };
    let join = |v: &[u32]| v.iter().map(|&p| name(p)).collect::<Vec<_>>().join(", ");
    match a {
        Action::Fork { actor, child } => format!(
            "fork1 makes {} a child of {} (p_pptr) and puts it on the run queue; it waits for \
             its first turn",
            name(child),
            name(actor)
        ),
        Action::Exit { actor } => {
            let x = name(actor);
            let mut parts = Vec::new();
            match after.node(actor) {
                Some(n) if n.zombie => parts.push(format!(
                    "exit1 makes {x} a zombie (SZOMB): it stays until its parent {} waits for it",
                    parent(after, actor)
                )),
                Some(_) => parts.push(format!("{x} is still exiting")),
                None => parts.push(format!(
                    "exit1 makes {x} a zombie and its parent, init, has already reaped it"
                )),
            }
            let kids = before.children_of(Some(actor));
            let live: Vec<u32> = kids
                .iter()
                .copied()
                .filter(|&c| before.node(c).is_some_and(|n| !n.zombie))
                .collect();
            let dead: Vec<u32> = kids
                .iter()
                .copied()
                .filter(|&c| before.node(c).is_some_and(|n| n.zombie))
                .collect();
            if !live.is_empty() {
                parts.push(format!(
                    "its children {} go to init (proc_reparent); their own children stay theirs",
                    join(&live)
                ));
            }
            if !dead.is_empty() {
                parts.push(format!(
                    "its zombie children {} go to init, which exit1 wakes to reap them when it \
                     runs",
                    join(&dead)
                ));
            }
            parts.join("; ")
        }
        Action::Wait { actor, reaps } => format!(
            "wait4 in {} finds {}, its most recently forked zombie child, and frees it \
             (proc_free)",
            name(actor),
            name(reaps)
        ),
        Action::FailedExit { actor } => format!(
            "-L: {} still has children, so (as in fork.py) it does not exit",
            name(actor)
        ),
    }
}

fn print_action(
    opts: &Options,
    list: &ForkpyList,
    i: usize,
    tree: &str,
    out: &mut impl Write,
) -> Result<(), Error> {
    let Some(&a) = list.actions.get(i) else {
        return Ok(());
    };
    let what = action_text(list, a);
    if opts.show_tree {
        if opts.compute {
            writeln!(out, "Action: {what}")?;
        } else {
            writeln!(out, "Action?")?;
        }
        if !opts.final_only {
            out.write_all(tree.as_bytes())?;
        }
    } else {
        writeln!(out, "Action: {what}")?;
        if !opts.final_only {
            if opts.compute {
                out.write_all(tree.as_bytes())?;
            } else {
                writeln!(out, "Process Tree?")?;
            }
        }
    }
    Ok(())
}

/// `{"NAME": "PARENT", ...}` in creation order, `"init"` for init.
struct TreeJson<'a>(&'a ForkpyList, &'a Tree);

impl Serialize for TreeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let name = |p: u32| self.0.names.get(p as usize).map_or("?", |s| s.as_str());
        let mut m = s.serialize_map(Some(self.1.nodes.len()))?;
        for n in &self.1.nodes {
            m.serialize_entry(name(n.proc), n.parent.map_or("init", name))?;
        }
        m.end()
    }
}

/// The JSON, written as the run goes: each tree is printed when the kernel reaches
/// it (a failed exit repeats the one before), so memory holds one tree, not all of
/// them; the zombie lists, which come after the trees, are kept as text until then.
fn json(opts: &Options, list: &ForkpyList, out: &mut impl Write) -> Result<Stats, Error> {
    let enc = |e: serde_json::Error| Error::Input(format!("JSON: {e}"));
    let n = list.kernel_entries();
    let kernel_at: Vec<usize> = list
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| !matches!(a, Action::FailedExit { .. }))
        .map(|(i, _)| i)
        .collect();
    let args = serde_json::json!({
        "seed": opts.seed,
        "fork_percentage": opts.forks,
        "actions": opts.actions,
        "action_list": opts.action_list_arg,
        "show_tree": opts.show_tree,
        "just_final": opts.final_only,
        "leaf_only": opts.leaf_only,
        "local_reparent": opts.local_reparent,
        "print_style": opts.print_style.name(),
        "solve": opts.compute,
        "design": opts.design.name(),
    });
    let actions: Vec<String> = (0..list.actions.len() as u32)
        .map(|i| list.entry_text(i))
        .collect();
    write!(
        out,
        "{{\"args\":{},\"actions\":{},\"trees\":[",
        serde_json::to_string(&args).map_err(enc)?,
        serde_json::to_string(&actions).map_err(enc)?
    )?;
    drop(actions);
    let name = |p: u32| list.names.get(p as usize).map_or("?", |s| s.as_str());
    let mut zombies = String::from("[");
    let mut written = 0usize;
    let mut done = 0usize;
    let stats = run_kernel(list, opts.design, opts.checks, opts.final_only, |k, t| {
        // How many list actions end with this tree.
        let count = if opts.final_only {
            usize::from(k == n)
        } else {
            let upto = kernel_at
                .get(k as usize)
                .copied()
                .unwrap_or(list.actions.len());
            let c = upto.saturating_sub(done);
            done = done.max(upto);
            c
        };
        if count == 0 {
            return Ok(());
        }
        let tree = serde_json::to_string(&TreeJson(list, t)).map_err(enc)?;
        let dead: Vec<&str> = t
            .nodes
            .iter()
            .filter(|n| n.zombie)
            .map(|n| name(n.proc))
            .collect();
        let dead = serde_json::to_string(&dead).map_err(enc)?;
        for _ in 0..count {
            if written > 0 {
                out.write_all(b",")?;
                zombies.push(',');
            }
            out.write_all(tree.as_bytes())?;
            zombies.push_str(&dead);
            written += 1;
        }
        Ok(())
    })?;
    zombies.push(']');
    writeln!(
        out,
        "],\"zombies\":{zombies},\"kernel\":{}}}",
        serde_json::to_string(&stats).map_err(enc)?
    )?;
    Ok(stats)
}

/// The scenario parser's limit on `forkpy` entries, for the help text.
pub const SCENARIO_ENTRIES_MAX: usize = limits::FORKPY_ACTIONS_MAX;
