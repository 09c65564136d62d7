//! What the fuzz targets check, written once: the libFuzzer targets (`fuzz/fuzz_targets/*.rs`,
//! nightly) and the native regression test (`tests/fuzz_regressions.rs`, stable) both
//! include this file (`mod common;` / `#[path]`). Std and exitpath only: no fuzzing crate.
//!
//! - [`check_parse_bytes`]: the scenario parser never panics on any text; a scenario it
//!   accepts runs (20,000 steps at most) without a panic.
//! - [`check_link_text`]: the share-link decoder never panics; a link it accepts encodes
//!   back to a link that decodes to the same state.
//! - [`scenario`] + [`check_engine_text`]: a scenario from a small grammar, driven by any
//!   source of choices ([`Choices`]), always parses and runs without a panic in every
//!   design, the same way twice; in one design, lifelines, the Perfetto export and `why`
//!   read its run without a panic, and Predict's questions have their answer among their
//!   choices ([`check_looking_back`]).
//! - [`forkpy_options`] + [`check_forkpy`]: `exitpath forkpy` with any options and any
//!   list gives a clear error or a clean run, the same twice, never a panic.

use exitpath::engine::forkpy_run;
use exitpath::engine::scenario;
use exitpath::engine::session::Session;
use exitpath::engine::trace::Check;
use exitpath::engine::{export, quiz, why};
use exitpath::engine::{Design, Sim, Switch, Trace};
use exitpath::link::{self, FRAGMENT_MAX};

/// Step limit of a run of a scenario the parse target's input happened to be.
pub const PARSE_STEP_LIMIT: u64 = 20_000;
/// Step limit of each run of a generated scenario in the engine target.
pub const ENGINE_STEP_LIMIT: u64 = 50_000;

// ---------------------------------------------------------------------------------------
// parse

/// The input as UTF-8, or its lossy conversion when it is not UTF-8.
pub fn check_parse_bytes(data: &[u8]) {
    match std::str::from_utf8(data) {
        Ok(text) => check_parse_text(text),
        Err(_) => check_parse_text(&String::from_utf8_lossy(data)),
    }
}

/// `parse` never panics (nor do the header readers); when it accepts the text, the
/// scenario runs to its end or the step limit without a panic and without a finding
/// about the model itself (`ModelError`).
pub fn check_parse_text(text: &str) {
    let _ = scenario::description(text);
    let _ = scenario::title(text);
    let _ = scenario::designs(text);
    if let Ok(sc) = scenario::parse(text) {
        let mut sim = Sim::new(&sc, None);
        sim.cfg.step_limit = PARSE_STEP_LIMIT;
        let trace = sim.run_to_end(false);
        assert_sound_run(&trace, PARSE_STEP_LIMIT, None, text);
    }
}

/// A run ended within `limit` steps and has no finding about the model itself
/// (`ModelError`, a bug in exitpath). Findings about the kernel are fine: switches,
/// user-level deadlocks and the two-CPU races produce them on purpose.
fn assert_sound_run(trace: &Trace, limit: u64, design: Option<Design>, text: &str) {
    assert!(
        trace.steps.len() as u64 <= limit,
        "{design:?}: {} steps past the step limit {limit}\n{text}",
        trace.steps.len()
    );
    if let Some(f) = trace.findings.iter().find(|f| f.check == Check::ModelError) {
        panic!(
            "{design:?}: the model reached a state it cannot handle at step {}: {}\n{text}",
            f.step, f.message
        );
    }
}

// ---------------------------------------------------------------------------------------
// link

/// `link::decode` on the input as UTF-8 (lossy when it is not).
pub fn check_link_bytes(data: &[u8]) {
    match std::str::from_utf8(data) {
        Ok(text) => check_link_text(text),
        Err(_) => check_link_text(&String::from_utf8_lossy(data)),
    }
}

/// `decode` never panics; a state it returns survives `encode` + `decode` unchanged
/// whenever the re-encoded link is within [`FRAGMENT_MAX`] (the limit `decode` enforces;
/// `encode_checked` must refuse the others), and encodes the same way every time.
pub fn check_link_text(fragment: &str) {
    // The page's other URL input, `?panels=...` (app::panels), never panics either.
    let _ = exitpath::app::panels::panels_in_search(fragment);
    let Ok(state) = link::decode(fragment) else {
        return;
    };
    let again = link::encode(&state);
    if again.len() > FRAGMENT_MAX {
        assert!(
            link::encode_checked(&state).is_err(),
            "encode_checked accepted a {}-byte link",
            again.len()
        );
        return;
    }
    assert_eq!(link::encode_checked(&state).as_deref(), Ok(again.as_str()));
    // An exercise (`x=`): its list is made or refused with a message; a list made runs
    // as a scenario, and its text names the exercise again.
    if let Some(p) = state.exercise {
        use exitpath::app::exercise::Exercise;
        match Exercise::new(p) {
            Ok(x) => {
                assert!(
                    exitpath::engine::scenario::parse(&x.text).is_ok(),
                    "the text of exercise {p:?} does not parse"
                );
                assert_eq!(Exercise::of_text(&x.text), Some(x), "of_text(text)");
            }
            Err(m) => assert!(!m.is_empty(), "an empty message for exercise {p:?}"),
        }
    }
    match link::decode(&again) {
        Ok(back) => {
            assert_eq!(back, state, "decode(encode(s)) != s for {again:?}");
            assert_eq!(link::encode(&back), again, "encode is not deterministic");
        }
        Err(e) => panic!(
            "decode(encode(s)) failed: {e} ({:?})\nlink: {again:?}",
            e.kind()
        ),
    }
}

// ---------------------------------------------------------------------------------------
// engine

/// Where the engine target's choices come from: `arbitrary::Unstructured` under
/// libFuzzer, a seeded xorshift in the native test.
pub trait Choices {
    /// A number in `0..n` (`n >= 1`); 0 when the source has run dry.
    fn below(&mut self, n: u32) -> u32;

    /// True with probability about 1/n.
    fn one_in(&mut self, n: u32) -> bool {
        self.below(n) == 0
    }
}

/// A seeded xorshift64* ([`Choices`] for the native test; not a fuzzing crate).
pub struct XorShift(pub u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

impl Choices for XorShift {
    fn below(&mut self, n: u32) -> u32 {
        (self.next_u64() % u64::from(n.max(1))) as u32
    }
}

/// Most processes (other than init) and extra LWPs a generated scenario can create,
/// counted over every path: the engine's checks cost time in the number of live
/// processes, and a few dozen exercise the same code as thousands.
pub const PROCS_MAX: u32 = 40;
pub const LWPS_MAX: u32 = 40;
/// Most actions a generated scenario can run, over all its processes and repeats (a
/// `repeat` count is cut down to fit): most runs end within a few thousand steps,
/// so libFuzzer gets through a million of them in minutes, not hours.
pub const ACTIONS_MAX: u32 = 500;

/// A generated block: `proc` or `lwp`, its name, and how many times it can run at most.
struct Gen {
    /// (is_proc, name) in file order; a block forks or starts only blocks after it, so
    /// process trees are finite and `runs` below is an upper bound.
    blocks: Vec<(bool, String)>,
    /// Upper bound of the instances of each block (processes or LWPs running it).
    runs: Vec<u32>,
    procs: u32,
    lwps: u32,
    /// `mult` of the body being written (see [`Gen::body`]).
    mult: u32,
    /// Actions the lines written so far can run, at most (up to [`ACTIONS_MAX`]).
    work: u32,
}

/// A scenario text from the grammar of `docs/scenario-language.md`, restricted so that it
/// always parses and stays small: `proc p*` and `lwp t*` blocks with fork / wait /
/// thread / lwp_wait / lwp_exit / yield / sleep / pagedaemon / exit / repeat, settings
/// `cpus`, `uvm_nuarea_max`, `design`, `switch` before, between or after the blocks;
/// once in a while a `forkpy` list instead of blocks. A block forks or starts only
/// blocks written after it, and at most [`PROCS_MAX`] processes and [`LWPS_MAX`] LWPs
/// can ever exist (the engine's cost per step grows with the number of processes), and
/// at most about [`ACTIONS_MAX`] actions run (see docs/fuzzing.md).
pub fn scenario(c: &mut impl Choices) -> String {
    let mut settings = Vec::new();
    if c.one_in(3) {
        settings.push(format!("cpus {}", 1 + c.below(2)));
    }
    if c.one_in(4) {
        // a schedule: run lengths per CPU, `rr`, or (rarely) CPU 1 on one CPU
        let runs: Vec<String> = (0..1 + c.below(6))
            .map(|_| match c.below(3) {
                0 => format!("{}", c.below(2)),
                _ => format!("{}:{}", c.below(2), 1 + c.below(50)),
            })
            .collect();
        settings.push(if c.one_in(8) {
            "schedule rr".to_string()
        } else {
            format!("schedule {}", runs.join(","))
        });
    }
    if c.one_in(3) {
        let n = if c.one_in(8) {
            c.below(4097)
        } else {
            c.below(20)
        };
        settings.push(format!("uvm_nuarea_max {n}"));
    }
    if c.one_in(2) {
        settings.push(format!(
            "design {}",
            Design::ALL[c.below(3) as usize].name()
        ));
    }
    for s in Switch::ALL {
        if c.one_in(6) {
            settings.push(format!("switch {}", s.name()));
        }
    }
    let mut blocks = Vec::new();
    if c.one_in(8) {
        blocks.push(forkpy(c));
    } else {
        // the first block is a proc (init forks it); then procs and lwps in any order
        let n = 1 + c.below(6);
        let mut g = Gen {
            blocks: Vec::new(),
            runs: vec![0; n as usize],
            procs: 0,
            lwps: 0,
            mult: 0,
            work: 0,
        };
        let (mut np, mut nl) = (0, 0);
        for i in 0..n {
            let is_proc = i == 0 || c.one_in(2);
            let name = if is_proc {
                format!("p{np}")
            } else {
                format!("t{nl}")
            };
            if is_proc {
                np += 1
            } else {
                nl += 1
            }
            g.blocks.push((is_proc, name));
        }
        g.runs[0] = 1;
        for i in 0..n as usize {
            let (is_proc, name) = g.blocks[i].clone();
            let mut b = if is_proc {
                let traced = if c.one_in(6) { " traced" } else { "" };
                format!("proc {name}{traced}\n")
            } else {
                format!("lwp {name}\n")
            };
            g.body(c, i, &mut b, 1, 1);
            blocks.push(b);
        }
    }
    let mut out = String::new();
    let mut settings = settings.into_iter().peekable();
    for b in blocks {
        while settings.peek().is_some() && c.one_in(2) {
            out.push_str(&settings.next().unwrap_or_default());
            out.push('\n');
        }
        out.push_str(&b);
    }
    for s in settings {
        out.push_str(&s);
        out.push('\n');
    }
    out
}

impl Gen {
    /// A block after `me` of the given kind, if any.
    fn later(&self, c: &mut impl Choices, me: usize, proc: bool) -> Option<usize> {
        let cands: Vec<usize> = (me + 1..self.blocks.len())
            .filter(|&j| self.blocks[j].0 == proc)
            .collect();
        (!cands.is_empty()).then(|| cands[c.below(cands.len() as u32) as usize])
    }

    /// Any block of the given kind (for `wait NAME` and `lwp_wait NAME`).
    fn any(&self, c: &mut impl Choices, proc: bool) -> Option<&str> {
        let cands: Vec<&str> = self
            .blocks
            .iter()
            .filter(|b| b.0 == proc)
            .map(|b| b.1.as_str())
            .collect();
        (!cands.is_empty()).then(|| cands[c.below(cands.len() as u32) as usize])
    }

    /// Whether `mult` more instances of block `j` fit in the budget; if so, counts them.
    fn spawn(&mut self, j: usize, mult: u32) -> bool {
        let (total, max) = if self.blocks[j].0 {
            (&mut self.procs, PROCS_MAX)
        } else {
            (&mut self.lwps, LWPS_MAX)
        };
        if mult == 0 || total.saturating_add(mult) > max {
            return false;
        }
        *total += mult;
        self.runs[j] = self.runs[j].saturating_add(mult);
        true
    }

    /// One body of block `me` at `level` (two spaces each): 1-6 actions; nothing after an
    /// `exit` or `lwp_exit` at the same level (the parser calls that unreachable).
    /// `mult`: how many times each line of this body can run at most, over all
    /// instances of the block (0 when the block never runs).
    fn body(
        &mut self,
        c: &mut impl Choices,
        me: usize,
        out: &mut String,
        level: usize,
        depth: u32,
    ) {
        let mult = if depth == 1 { self.runs[me] } else { self.mult };
        let pad = "  ".repeat(level);
        let n = 1 + c.below(6);
        for k in 0..n {
            // a body needs one line; more only while the budget lasts
            if k > 0 && self.work.saturating_add(mult) > ACTIONS_MAX {
                return;
            }
            out.push_str(&pad);
            let line = match c.below(16) {
                0..=2 => match self.later(c, me, true) {
                    Some(j) if self.spawn(j, mult) => format!("fork {}", self.blocks[j].1),
                    _ => "yield".to_string(),
                },
                3 | 4 => match self.later(c, me, false) {
                    Some(j) if self.spawn(j, mult) => {
                        let detached = if c.one_in(3) { " detached" } else { "" };
                        format!("thread {}{detached}", self.blocks[j].1)
                    }
                    _ => "yield".to_string(),
                },
                5 => match self.any(c, true) {
                    Some(name) if c.one_in(2) => format!("wait {name}"),
                    _ => "wait".to_string(),
                },
                6 => match self.any(c, false) {
                    Some(name) if c.one_in(2) => format!("lwp_wait {name}"),
                    _ => "lwp_wait".to_string(),
                },
                7 => "yield".to_string(),
                8 if c.one_in(16) => format!("sleep {}", 1 + c.below(100_000)),
                8 => format!("sleep {}", 1 + c.below(5)),
                9 => "pagedaemon".to_string(),
                10 if depth <= 3 => {
                    let count = match c.below(32) {
                        0 => 1 + c.below(1_000_000),
                        1 => 1 + c.below(200),
                        _ => 1 + c.below(4),
                    };
                    let room = ACTIONS_MAX.saturating_sub(self.work) / mult.max(1);
                    let count = count.min(room.max(1));
                    out.push_str(&format!("repeat {count}\n"));
                    let outer = self.mult;
                    self.mult = mult.saturating_mul(count);
                    self.body(c, me, out, level + 1, depth + 1);
                    self.mult = outer;
                    continue;
                }
                11 => {
                    out.push_str(&format!("exit {}\n", c.below(256)));
                    self.work = self.work.saturating_add(mult);
                    return;
                }
                12 => {
                    out.push_str("lwp_exit\n");
                    self.work = self.work.saturating_add(mult);
                    return;
                }
                13 => "wait".to_string(),
                _ => "yield".to_string(),
            };
            out.push_str(&line);
            out.push('\n');
            self.work = self.work.saturating_add(mult);
        }
    }
}

/// A valid `forkpy` list: `a` exists; each entry is an alive process forking a new
/// one or exiting; at most 40 entries (the line stays under 400 characters).
fn forkpy(c: &mut impl Choices) -> String {
    let mut alive = vec!["a".to_string()];
    let mut next = 0u32;
    let mut entries = Vec::new();
    for _ in 0..1 + c.below(40) {
        if alive.is_empty() {
            break;
        }
        let who = c.below(alive.len() as u32) as usize;
        if c.one_in(3) {
            entries.push(format!("{}-", alive.remove(who)));
        } else {
            let child = format!("q{next}");
            next += 1;
            entries.push(format!("{}+{child}", alive[who]));
            alive.push(child);
        }
    }
    format!("forkpy {}\n", entries.join(","))
}

/// One run of `sc` in `design` with the engine target's step limit.
fn run(sc: &scenario::Scenario, design: Design) -> Trace {
    let mut sim = Sim::new(sc, Some(design));
    sim.cfg.step_limit = ENGINE_STEP_LIMIT;
    sim.run_to_end(false)
}

/// States the engine target lets the explorer visit per two-CPU scenario.
pub const EXPLORE_STATES: u64 = 3_000;

/// A generated scenario parses, and runs in every design without a panic, soundly
/// (`assert_sound_run`), the same way twice (same steps, findings and end). A two-CPU
/// one is also explored (one preemption, [`EXPLORE_STATES`] at most) in one design,
/// and every schedule the explorer reports replays to its finding at its step.
pub fn check_engine_text(text: &str) {
    let sc = match scenario::parse(text) {
        Ok(sc) => sc,
        Err(e) => panic!("a generated scenario does not parse: {e}\n{text}"),
    };
    if sc.cpus == 2 {
        let design = Design::ALL[text.len() % Design::ALL.len()];
        let r = exitpath::engine::explore::Explorer::run(&sc, Some(design), 1, EXPLORE_STATES);
        for f in &r.findings {
            let mut replay = sc.clone();
            replay.schedule = f.schedule.clone();
            let t = run(&replay, design);
            assert!(
                t.findings
                    .iter()
                    .any(|g| g.check == f.check && g.step == f.step),
                "{design:?}: schedule {} does not replay {:?} at step {}\n{text}",
                f.schedule,
                f.check,
                f.step
            );
        }
    }
    for design in Design::ALL {
        let a = run(&sc, design);
        assert_sound_run(&a, ENGINE_STEP_LIMIT, Some(design), text);
        let b = run(&sc, design);
        assert!(
            a.steps == b.steps && a.findings == b.findings && a.truncated == b.truncated,
            "{design:?}: two runs of the same scenario differ\n{text}"
        );
    }
    check_looking_back(text, Design::ALL[text.len() % Design::ALL.len()]);
}

/// Cells `check_looking_back` asks `why` about, at most.
pub const WHY_CELLS: usize = 3;

/// The tools that read a finished run (`exitpath why`, lifelines, `exitpath export`) on
/// the run of `text` in `design`: lifelines cover each lane to the end without gap,
/// the Perfetto export is one closed JSON object, and `why` answers for cells of the
/// end state (a spread of at most [`WHY_CELLS`]), never a panic.
pub fn check_looking_back(text: &str, design: Design) {
    let s = match Session::new(text, Some(design)) {
        Ok(s) => s,
        Err(e) => panic!("a generated scenario does not parse: {e}\n{text}"),
    };
    let life = s.lifelines();
    let lanes = life
        .lwps
        .iter()
        .map(|l| l.spans.iter().map(|x| (x.from, x.to)).collect::<Vec<_>>())
        .chain(
            life.procs
                .iter()
                .map(|p| p.spans.iter().map(|x| (x.from, x.to)).collect()),
        );
    for spans in lanes {
        let joined = spans.windows(2).all(|w| w[0].1 == w[1].0);
        assert!(
            joined
                && spans.iter().all(|x| x.0 < x.1)
                && spans.last().map(|x| x.1) == Some(life.end),
            "{design:?}: a lifeline with a gap or an overlap: {spans:?}\n{text}"
        );
    }
    let out = export::perfetto_string(&s);
    assert!(
        out.starts_with('{') && out.ends_with("]}\n"),
        "{design:?}: the Perfetto export is not one closed object\n{text}"
    );
    let cells = why::cells(&s.trace.last);
    let stride = cells.len().div_ceil(WHY_CELLS).max(1);
    for &cell in cells.iter().step_by(stride) {
        if let Err(e) = s.why(cell, s.len(), 1) {
            panic!("{design:?}: why {cell} at the end: {e}\n{text}");
        }
    }
    // Predict: a quiz (without the other designs: they run in `check_engine_text`), and
    // every kind of question at a few positions; each has one answer among its choices
    let len = s.len();
    for seed in [0, len ^ 0x5eed] {
        let qs = quiz::quiz(&s, &[], seed, 4);
        for q in qs.iter().chain(
            [0, len / 3, len / 2, len]
                .into_iter()
                .flat_map(|at| quiz::Ask::ALL.map(|a| quiz::ask(&s, &[], at, a, seed)))
                .flatten()
                .collect::<Vec<_>>()
                .iter(),
        ) {
            assert!(
                q.answer < q.choices.len() && q.step <= q.reveal && q.reveal <= len,
                "{design:?}: a question out of range: {q:?}\n{text}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// forkpy

/// Options of `exitpath forkpy` from any source of choices: any seed, fractions in and
/// out of 0..1 (NaN too), every switch, and either a generated list or a given one,
/// made of process names, signs, separators and mistakes.
pub fn forkpy_options(c: &mut impl Choices) -> forkpy_run::Options {
    const NAMES: [&str; 9] = ["a", "b", "c", "d", "e", "aa", "Z", "_x", "w"];
    const SIGNS: [&str; 6] = ["+", "-", " w", "+", "-", "*"];
    const SEPS: [&str; 6] = [",", ",", "\n", ", ", "# note\n", ",,"];
    let seeds = [0, 1, -1, i64::MAX, i64::MIN, 12345];
    let forks = [0.0, 0.3, 0.5, 0.7, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY];
    let mut o = forkpy_run::Options {
        seed: seeds[c.below(seeds.len() as u32) as usize] ^ i64::from(c.below(1000)),
        forks: forks[c.below(forks.len() as u32) as usize],
        actions: u64::from(c.below(60)),
        ..forkpy_run::Options::default()
    };
    if c.one_in(2) {
        let mut list = String::new();
        for i in 0..c.below(40) {
            if i > 0 {
                list.push_str(SEPS[c.below(SEPS.len() as u32) as usize]);
            }
            list.push_str(NAMES[c.below(NAMES.len() as u32) as usize]);
            let sign = SIGNS[c.below(SIGNS.len() as u32) as usize];
            list.push_str(sign);
            if sign == "+" {
                list.push_str(NAMES[c.below(NAMES.len() as u32) as usize]);
                if c.one_in(3) {
                    list.push_str(&c.below(100).to_string());
                }
            }
        }
        o.action_list_arg = list.clone();
        o.action_list = Some(list);
    }
    o.show_tree = c.one_in(2);
    o.final_only = c.one_in(3);
    o.leaf_only = c.one_in(2);
    o.local_reparent = c.one_in(4);
    o.compute = c.one_in(2);
    o.print_style = forkpy_run::Style::ALL[c.below(4) as usize];
    o.design = Design::ALL[c.below(Design::ALL.len() as u32) as usize];
    o.format = if c.one_in(3) {
        forkpy_run::Format::Json
    } else {
        forkpy_run::Format::Text
    };
    o.checks = if c.one_in(2) {
        forkpy_run::Checks::EveryStep
    } else {
        forkpy_run::Checks::EveryAction
    };
    o
}

/// `exitpath forkpy` with these options gives a clear error or a run, never a panic;
/// a run has no finding at all (fork.py's lists are clean programs) and prints the
/// same twice.
pub fn check_forkpy(o: &forkpy_run::Options) {
    let mut first = Vec::new();
    match forkpy_run::run(o, &mut first) {
        Err(forkpy_run::Error::Input(m)) => assert!(!m.is_empty(), "an empty message: {o:?}"),
        Err(forkpy_run::Error::Output(e)) => panic!("writing to memory failed: {e}"),
        Ok(stats) => {
            assert!(
                stats.findings.is_empty(),
                "the kernel model reports {:?}\n{o:?}",
                stats.findings
            );
            let mut again = Vec::new();
            assert!(forkpy_run::run(o, &mut again).is_ok());
            assert!(first == again, "two runs print differently: {o:?}");
            assert!(!first.is_empty());
        }
    }
}
