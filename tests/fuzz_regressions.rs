//! The fuzz targets' checks on stable, in `cargo test` (and so in `cargo xtask test`):
//! every checked-in fuzz input (`fuzz/seeds/<target>/`, and the crash reproducers in
//! `fuzz/artifacts/<target>/`) replayed, then a short seeded pseudo-random campaign per
//! target. The checks are the targets' own (`fuzz/fuzz_targets/common.rs`); the long
//! campaign is `cargo xtask fuzz` (docs/fuzzing.md).

#[path = "../fuzz/fuzz_targets/common.rs"]
#[allow(dead_code)]
mod common;

use common::{Choices, XorShift};
use exitpath::engine::library::BUILTINS;
use exitpath::engine::{Design, Switch};
use exitpath::link::{self, LinkState};
use std::path::{Path, PathBuf};

/// Pseudo-random inputs per target; the engine's are dearer (six runs each).
const PARSE_INPUTS: u64 = 20_000;
const LINK_INPUTS: u64 = 20_000;
const ENGINE_INPUTS: u64 = 4_000;
const FORKPY_INPUTS: u64 = 1_500;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

/// Runs `check` on `path`'s bytes; a panic names the file.
fn replay(path: &Path, check: impl Fn(&[u8]) + std::panic::RefUnwindSafe) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if std::panic::catch_unwind(|| check(&data)).is_err() {
        panic!(
            "fuzz input {} fails its target's check (see the panic above)",
            path.display()
        );
    }
}

#[test]
fn checked_in_parse_and_link_inputs_pass() {
    let mut n = 0;
    for kind in ["seeds", "artifacts"] {
        for path in files(&fuzz_dir().join(kind).join("parse")) {
            replay(&path, common::check_parse_bytes);
            n += 1;
        }
        for path in files(&fuzz_dir().join(kind).join("link")) {
            replay(&path, common::check_link_bytes);
            n += 1;
        }
    }
    assert!(n > 0, "no seeds under fuzz/seeds/");
}

/// An engine input is bytes for the scenario generator, which only `arbitrary` reads;
/// the reproducer to keep is the scenario it stands for (`NAME.scn`, from `cargo fuzz
/// fmt engine NAME`, which `cargo xtask fuzz` writes after a crash).
#[test]
fn checked_in_engine_reproducers_pass() {
    let dir = fuzz_dir().join("artifacts").join("engine");
    for path in files(&dir) {
        if path.extension().is_some_and(|e| e == "scn") {
            replay(&path, |data| {
                common::check_engine_text(&String::from_utf8_lossy(data))
            });
        } else if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("slow-unit-"))
        {
            let scn = PathBuf::from(format!("{}.scn", path.display()));
            assert!(
                scn.is_file(),
                "{} is a raw libFuzzer input without its scenario: keep the output of \
                 `cargo +nightly fuzz fmt engine {}` (run in fuzz/) as {}",
                path.display(),
                path.display(),
                scn.display()
            );
        }
    }
}

/// Pieces the mutators insert: the language's words, numbers at the limits, odd
/// whitespace and characters outside printable ASCII.
const SCENARIO_TOKENS: &[&str] = &[
    "proc ",
    "lwp ",
    "fork ",
    "exit ",
    "wait",
    "thread ",
    "detached",
    "lwp_exit",
    "lwp_wait",
    "yield",
    "sleep ",
    "pagedaemon",
    "repeat ",
    "design ",
    "reaper",
    "patch",
    "committed",
    "cpus ",
    "uvm_nuarea_max ",
    "switch ",
    "forkpy ",
    "traced",
    "no_pmap_deactivate",
    "a+b",
    "b-",
    ",",
    "+",
    "-",
    "0",
    "1",
    "2",
    "255",
    "256",
    "4096",
    "4097",
    "100000",
    "1000000",
    "1000001",
    "4294967296",
    "18446744073709551616",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "  ",
    "        ",
    " \t",
    "#",
    "# title: x\n",
    "# designs: patch\n",
    "p0",
    "t0",
    "é",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "💥",
];

const LINK_TOKENS: &[&str] = &[
    "&x=",
    ",L",
    ",t",
    ",10000,",
    "-9223372036854775808",
    "&",
    "=",
    "%",
    "%2",
    "%2C",
    "%25",
    "%ff",
    "%zz",
    "#",
    " ",
    "v=",
    "v=1",
    "v=2",
    "v=0",
    "v=18446744073709551616",
    "d=",
    "d=reaper",
    "d=patch",
    "d=committed",
    "s=",
    "s=-1",
    "s=18446744073709551615",
    "s=18446744073709551616",
    "w=",
    "w=,",
    "w=no_pmap_deactivate",
    "c=",
    "c=reaper",
    "e=",
    "e=0",
    "e=1",
    "e=2",
    "b=",
    "b=%41",
    "z=",
    "z=eJw",
    "z=eJwDAAAAAAE",
    "==",
    "-",
    "_",
    "A",
    "é",
    "\u{0}",
];

/// Bytes of `text` with 0-4 random edits: a byte changed, a token inserted, a range
/// deleted or duplicated, the end cut off.
fn mutate(rng: &mut XorShift, text: &str, tokens: &[&str]) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    for _ in 0..rng.below(5) {
        let at = rng.below(b.len() as u32 + 1) as usize;
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] = rng.below(256) as u8;
            }
            1 | 2 => {
                let t = tokens[rng.below(tokens.len() as u32) as usize];
                b.splice(at..at, t.bytes());
            }
            3 => {
                let end = (at + 1 + rng.below(16) as usize).min(b.len());
                b.drain(at.min(end)..end);
            }
            4 => {
                let end = (at + 1 + rng.below(64) as usize).min(b.len());
                let piece = b[at.min(end)..end].to_vec();
                b.splice(at..at, piece);
            }
            _ => b.truncate(at),
        }
    }
    b
}

#[test]
fn parse_never_panics_on_random_edits() {
    // built-ins that run in a few thousand steps (gdt-growth, made to be long, would
    // take most of the time)
    let small: Vec<&str> = BUILTINS
        .iter()
        .filter(|b| {
            let sc = exitpath::engine::scenario::parse(b.text).expect("built-ins parse");
            let mut sim = exitpath::engine::Sim::new(&sc, None);
            sim.cfg.step_limit = 5_000;
            !sim.run_to_end(false).truncated
        })
        .map(|b| b.text)
        .collect();
    let mut rng = XorShift::new(0x7061_7273);
    for i in 0..PARSE_INPUTS {
        // a built-in scenario or a generated one, edited
        let base = if i % 4 == 0 && !small.is_empty() {
            small[rng.below(small.len() as u32) as usize].to_string()
        } else {
            common::scenario(&mut XorShift::new(i))
        };
        let input = mutate(&mut rng, &base, SCENARIO_TOKENS);
        if std::panic::catch_unwind(|| common::check_parse_bytes(&input)).is_err() {
            panic!(
                "parse input {i} panics: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

/// A random but valid link state: a generated scenario, any design, step, switches.
fn link_state(rng: &mut XorShift, i: u64) -> LinkState {
    let mut s = LinkState::new(
        common::scenario(&mut XorShift::new(i)),
        Design::ALL[rng.below(3) as usize],
    );
    s.step = match rng.below(3) {
        0 => 0,
        1 => u64::from(rng.below(100_000)),
        _ => rng.next_u64(),
    };
    s.switches = Switch::ALL.into_iter().filter(|_| rng.one_in(3)).collect();
    s.schedule = match rng.below(3) {
        0 => exitpath::engine::schedule::Schedule::round_robin(),
        _ => {
            let runs: Vec<u8> = (0..1 + rng.below(40)).map(|_| rng.below(2) as u8).collect();
            exitpath::engine::schedule::Schedule::from_choices(&runs)
        }
    };
    s.compare = (!rng.one_in(3)).then(|| Design::ALL[rng.below(3) as usize]);
    s.embed = rng.one_in(2);
    s.builtin = match rng.below(4) {
        0 => Some(
            BUILTINS[rng.below(BUILTINS.len() as u32) as usize]
                .id
                .to_string(),
        ),
        1 => Some("odd id: %&=#é,~".to_string()),
        _ => None,
    };
    s.predict = match rng.below(3) {
        0 => None,
        1 => Some((rng.next_u64(), None)),
        _ => Some((u64::from(rng.below(100)), Some(rng.below(65536) as u16))),
    };
    // A fork.py exercise now and then (mostly short lists: each is made and parsed).
    s.exercise = rng.one_in(4).then(|| exitpath::link::ExerciseParams {
        seed: rng.next_u64() as i64,
        actions: if rng.one_in(50) {
            exitpath::link::EXERCISE_ACTIONS_MAX
        } else {
            1 + rng.below(60)
        },
        forks_ppm: rng.below(1_000_001),
        leaf_only: rng.one_in(2),
        show_tree: rng.one_in(2),
    });
    s
}

#[test]
fn link_decode_never_panics_and_round_trips() {
    let mut rng = XorShift::new(0x6c69_6e6b);
    for i in 0..LINK_INPUTS {
        let state = link_state(&mut rng, i);
        let fragment = link::encode(&state);
        assert_eq!(
            link::decode(&fragment).as_ref(),
            Ok(&state),
            "input {i}: {fragment}"
        );
        let input = mutate(&mut rng, &fragment, LINK_TOKENS);
        if std::panic::catch_unwind(|| common::check_link_bytes(&input)).is_err() {
            panic!(
                "link input {i} panics: {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

#[test]
fn engine_runs_generated_scenarios_without_panic_the_same_way_twice() {
    for seed in 0..ENGINE_INPUTS {
        let text = common::scenario(&mut XorShift::new(seed));
        if std::panic::catch_unwind(|| common::check_engine_text(&text)).is_err() {
            panic!("engine input (seed {seed}) fails:\n{text}");
        }
    }
}

#[test]
fn the_generator_covers_the_grammar_and_stays_small() {
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..2_000 {
        let text = common::scenario(&mut XorShift::new(seed));
        let sc = exitpath::engine::scenario::parse(&text)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        assert!(
            sc.blocks.len() <= 41,
            "seed {seed}: {} blocks",
            sc.blocks.len()
        );
        for line in text.lines() {
            if let Some(word) = line.split_whitespace().next() {
                seen.insert(word.to_string());
            }
            if line.ends_with("detached") || line.ends_with("traced") {
                seen.insert(line.rsplit(' ').next().unwrap_or_default().to_string());
            }
        }
    }
    for word in [
        "proc",
        "lwp",
        "fork",
        "exit",
        "wait",
        "thread",
        "detached",
        "traced",
        "lwp_exit",
        "lwp_wait",
        "yield",
        "sleep",
        "pagedaemon",
        "repeat",
        "design",
        "cpus",
        "uvm_nuarea_max",
        "switch",
        "forkpy",
    ] {
        assert!(
            seen.contains(word),
            "the engine target's generator never writes `{word}`"
        );
    }
}

/// `exitpath forkpy`'s options and lists, the `forkpy` target's check.
#[test]
fn forkpy_options_and_lists_give_an_error_or_a_clean_run() {
    let mut runs = 0;
    for i in 0..FORKPY_INPUTS {
        let o = common::forkpy_options(&mut XorShift::new(0xf0f0 + i));
        let mut sink = Vec::new();
        if exitpath::engine::forkpy_run::run(&o, &mut sink).is_ok() {
            runs += 1;
        }
        common::check_forkpy(&o);
    }
    assert!(
        runs > FORKPY_INPUTS / 4,
        "only {runs} runs: the options are mostly wrong"
    );
}
