//! `cargo xtask fuzz [--runs N] [--target NAME]`: the long fuzzing campaign, each libFuzzer
//! target of `fuzz/` (parse, link, engine) for N inputs (default 1,000,000) with
//! `cargo +nightly fuzz run`; prints inputs, time and rate per target and fails on a crash.
//! Installs cargo-fuzz (and the nightly toolchain) only when missing. See docs/fuzzing.md.

use crate::util::{cmd, output, root, run, show, step, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

/// Installed when `cargo fuzz` is missing (any installed version is used as it is).
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
const DEFAULT_RUNS: u64 = 1_000_000;

/// A fuzz target: its name, libFuzzer's `-max_len`, and extra read-only seed folders
/// (relative to the repository root) besides `fuzz/seeds/<name>`.
struct Target {
    name: &'static str,
    max_len: u32,
    extra_seeds: &'static [&'static str],
}

const TARGETS: [Target; 3] = [
    // scenario lines are at most 400 characters; 4 KiB holds a real scenario
    Target {
        name: "parse",
        max_len: 4096,
        extra_seeds: &["scenarios"],
    },
    // links of built-in scenarios are 0.5-2 KiB
    Target {
        name: "link",
        max_len: 4096,
        extra_seeds: &[],
    },
    // bytes that drive the scenario generator; a few hundred make a large scenario
    Target {
        name: "engine",
        max_len: 1024,
        extra_seeds: &[],
    },
];

pub const USAGE: &str = "  fuzz [--runs N] [--target NAME]
                       run the fuzz targets (parse, link, engine; default all) for N
                       inputs each (default 1,000,000) with cargo +nightly fuzz; fails on
                       a crash (reproducers land in fuzz/artifacts/NAME/)";

struct Outcome {
    target: &'static str,
    runs: Option<u64>,
    secs: f64,
    crash: Option<String>,
}

pub fn task(args: &[String]) -> Result<()> {
    let (runs, only) = parse_args(args)?;
    let targets: Vec<&Target> = TARGETS
        .iter()
        .filter(|t| only.as_deref().is_none_or(|o| o == t.name))
        .collect();
    if targets.is_empty() {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        return Err(format!(
            "unknown fuzz target `{}`; the targets are {}",
            only.unwrap_or_default(),
            names.join(", ")
        ));
    }
    ensure_tools()?;
    step("fuzz: building the targets (cargo +nightly fuzz build, release + debug assertions)");
    run(cargo_fuzz().args(["build", "--sanitizer", "none"]))?;
    let mut outcomes = Vec::new();
    for t in targets {
        outcomes.push(fuzz_one(t, runs)?);
    }
    println!("fuzz summary ({runs} inputs asked per target):");
    println!(
        "  {:<8} {:>12} {:>10} {:>10}  result",
        "target", "inputs", "seconds", "execs/s"
    );
    for o in &outcomes {
        let inputs = o.runs.map_or("?".to_string(), |r| r.to_string());
        let rate = o.runs.map_or("?".to_string(), |r| {
            format!("{:.0}", r as f64 / o.secs.max(1e-9))
        });
        let result = o
            .crash
            .as_deref()
            .map_or("ok, no crash".to_string(), |c| c.to_string());
        println!(
            "  {:<8} {:>12} {:>10.1} {:>10}  {result}",
            o.target, inputs, o.secs, rate
        );
    }
    let crashed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.crash.is_some())
        .map(|o| o.target)
        .collect();
    if crashed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing failed in {}: for a crash, minimize the input (`cargo +nightly fuzz tmin --sanitizer none TARGET FILE` \
             in fuzz/), keep the reproducer in fuzz/artifacts/TARGET/ (engine: the .scn next to it); \
             tests/fuzz_regressions.rs replays it",
            crashed.join(", ")
        ))
    }
}

fn parse_args(args: &[String]) -> Result<(u64, Option<String>)> {
    let mut runs = DEFAULT_RUNS;
    let mut target = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match arg.as_str() {
            "--runs" => {
                let v = value("--runs")?;
                runs = v
                    .replace('_', "")
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("`--runs` takes a positive number, not `{v}`"))?;
            }
            "--target" => target = Some(value("--target")?),
            other => {
                return Err(format!(
                    "unexpected argument `{other}` for `fuzz`\n\nusage: cargo xtask\n{USAGE}"
                ))
            }
        }
    }
    Ok((runs, target))
}

/// `cargo +nightly fuzz ...` from the repository root, through the rustup proxy (the
/// `$CARGO` that runs xtask is a toolchain's own cargo, which does not read `+nightly`).
fn cargo_fuzz() -> Command {
    let mut c = cmd("cargo");
    c.args(["+nightly", "fuzz"]);
    // whatever toolchain runs xtask must not leak into the nightly build
    for var in [
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTDOC",
        "RUSTC_WRAPPER",
        "CARGO",
    ] {
        c.env_remove(var);
    }
    c
}

/// The nightly toolchain and cargo-fuzz, each installed only when missing.
fn ensure_tools() -> Result<()> {
    step("fuzz: checking tools");
    let toolchains = output(cmd("rustup").args(["toolchain", "list"])).unwrap_or_default();
    if toolchains.lines().any(|l| l.starts_with("nightly")) {
        println!("  ok   nightly toolchain");
    } else {
        println!("  missing the nightly toolchain: installing");
        run(cmd("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))?;
    }
    let found = output(cargo_fuzz().arg("--version")).unwrap_or_default();
    if found.contains("cargo-fuzz") {
        println!("  ok   {}", found.lines().next().unwrap_or_default().trim());
        return Ok(());
    }
    println!("  missing cargo-fuzz: installing {CARGO_FUZZ_VERSION} (about a minute)");
    run(cmd("cargo").args([
        "install",
        "--locked",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))?;
    if output(cargo_fuzz().arg("--version")).is_some_and(|v| v.contains("cargo-fuzz")) {
        Ok(())
    } else {
        Err("cargo-fuzz is installed but `cargo +nightly fuzz --version` does not run: is ~/.cargo/bin on PATH?".into())
    }
}

/// One target for `runs` inputs: libFuzzer's output goes through (without its NEW /
/// REDUCE lines), its final stats are read back.
fn fuzz_one(t: &Target, runs: u64) -> Result<Outcome> {
    step(&format!("fuzz: {} for {runs} inputs", t.name));
    let root = root();
    let corpus = root.join("fuzz").join("corpus").join(t.name);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let artifacts = root.join("fuzz").join("artifacts").join(t.name);
    let before = SystemTime::now();
    let mut c = cargo_fuzz();
    c.args(["run", "--sanitizer", "none", t.name]).arg(&corpus);
    let mut seeds = vec![root.join("fuzz").join("seeds").join(t.name)];
    seeds.extend(t.extra_seeds.iter().map(|s| root.join(s)));
    c.args(seeds.into_iter().filter(|d| d.is_dir()));
    c.arg("--").args([
        format!("-runs={runs}"),
        format!("-max_len={}", t.max_len),
        "-timeout=60".to_string(),
        "-print_final_stats=1".to_string(),
    ]);
    println!("$ {}", show(&c));
    let start = Instant::now();
    let mut child = c
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", show(&c)))?;
    let mut executed = None;
    let mut stderr = std::io::stderr();
    if let Some(pipe) = child.stderr.take() {
        for line in BufReader::new(pipe).lines().map_while(|l| l.ok()) {
            if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                executed = n.trim().parse().ok();
            } else if executed.is_none() {
                executed = done_runs(&line);
            }
            if !(line.contains("\tNEW ") || line.contains("\tREDUCE ")) {
                let _ = writeln!(stderr, "{line}");
            }
        }
    }
    let status = child.wait().map_err(|e| format!("`{}`: {e}", show(&c)))?;
    let secs = start.elapsed().as_secs_f64();
    let crash = if status.success() {
        None
    } else {
        let new = new_files(&artifacts, before);
        for file in &new {
            if t.name == "engine" {
                keep_engine_scenario(file);
            }
        }
        Some(if new.is_empty() {
            format!("FAILED: {status}, no artifact written (stopped, or a build or option error? see above)")
        } else {
            "CRASH: ".to_string()
                + &new
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
        })
    };
    Ok(Outcome {
        target: t.name,
        runs: executed,
        secs,
        crash,
    })
}

/// `Done 1000000 runs in 93 second(s)` -> 1000000.
fn done_runs(line: &str) -> Option<u64> {
    line.strip_prefix("Done ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Files in `dir` modified since `since`.
fn new_files(dir: &Path, since: SystemTime) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|m| m >= since)
        })
        .map(|e| e.path())
        .filter(|p| p.extension().is_none_or(|e| e != "scn"))
        .collect();
    out.sort();
    out
}

/// An engine input only means something to the generator; keep the scenario it stands
/// for next to it (`FILE.scn`), which the native regression test replays. `cargo fuzz
/// fmt` prints it on stderr after a heading.
fn keep_engine_scenario(file: &Path) {
    const HEADING: &str = "Output of `std::fmt::Debug`:\n\n";
    let mut c = cargo_fuzz();
    c.args(["fmt", "--sanitizer", "none", "engine"]).arg(file);
    let printed = c.stdin(Stdio::null()).output().ok().and_then(|out| {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        err.find(HEADING)
            .map(|i| err[i + HEADING.len()..].to_string())
    });
    let scn = PathBuf::from(format!("{}.scn", file.display()));
    match printed.map(|text| std::fs::write(&scn, text)) {
        Some(Ok(())) => println!(
            "  the scenario of {} is in {}",
            file.display(),
            scn.display()
        ),
        Some(Err(e)) => eprintln!("  could not write {}: {e}", scn.display()),
        None => eprintln!(
            "  `{}` printed no scenario: convert {} by hand",
            show(&c),
            file.display()
        ),
    }
}
