//! `cargo xtask fuzz [--runs N] [--target NAME] [--jobs J]`: the long fuzzing campaign, each
//! libFuzzer target of `fuzz/` (parse, link, engine) for N inputs (default 1,000,000) with
//! `cargo +nightly fuzz run` in J processes; prints inputs, time and rate per target and
//! fails on a crash.
//! Installs cargo-fuzz (and the nightly toolchain) only when missing. See docs/fuzzing.md.

use crate::util::{cmd, output, root, run, show, step, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

/// Installed when `cargo fuzz` is missing (any installed version is used as it is).
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
const DEFAULT_RUNS: u64 = 1_000_000;

/// A fuzz target: its name, libFuzzer's `-max_len`, extra read-only seed folders
/// (relative to the repository root) besides `fuzz/seeds/<name>`, and its build options
/// besides `--sanitizer none` (the code is safe Rust; AddressSanitizer would only halve
/// the rate).
struct Target {
    name: &'static str,
    max_len: u32,
    extra_seeds: &'static [&'static str],
    build: &'static [&'static str],
}

const TARGETS: [Target; 4] = [
    // scenario lines are at most 400 characters; 4 KiB holds a real scenario
    Target {
        name: "parse",
        max_len: 4096,
        extra_seeds: &["scenarios"],
        build: &[],
    },
    // links of built-in scenarios are 0.5-2 KiB
    Target {
        name: "link",
        max_len: 4096,
        extra_seeds: &[],
        build: &[],
    },
    // bytes that drive the scenario generator; a few hundred make a large scenario
    // comparisons in the engine's checks are no magic values to guess, and tracing
    // them took two thirds of the time: without it the rate is about 2.5 times higher
    // (its own target folder, so switching flags does not rebuild the others)
    Target {
        name: "engine",
        max_len: 1024,
        extra_seeds: &[],
        build: &[
            "--no-trace-compares",
            "--target-dir",
            "fuzz/target/no-trace-compares",
        ],
    },
    // bytes that choose `exitpath forkpy`'s options and list; a hundred is plenty
    Target {
        name: "forkpy",
        max_len: 512,
        extra_seeds: &[],
        build: &[],
    },
];

pub const USAGE: &str = "  fuzz [--runs N] [--target NAME] [--jobs J]
                       run the fuzz targets (parse, link, engine, forkpy; default all) for N
                       inputs each (default 1,000,000) with cargo +nightly fuzz, in J
                       processes per target (default 1); fails on a crash (reproducers
                       land in fuzz/artifacts/NAME/)";

struct Outcome {
    target: &'static str,
    runs: Option<u64>,
    secs: f64,
    crash: Option<String>,
}

pub fn task(args: &[String]) -> Result<()> {
    let (runs, only, jobs) = parse_args(args)?;
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
    let mut outcomes = Vec::new();
    for t in targets {
        outcomes.push(fuzz_one(t, runs, jobs)?);
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
            "fuzzing failed in {}: for a crash, minimize the input (`cargo +nightly fuzz tmin --sanitizer none \
             TARGET FILE`, with the target's build options: docs/fuzzing.md), keep the reproducer in fuzz/artifacts/TARGET/ (engine: the .scn next to it); \
             tests/fuzz_regressions.rs replays it",
            crashed.join(", ")
        ))
    }
}

fn parse_args(args: &[String]) -> Result<(u64, Option<String>, u64)> {
    let mut runs = DEFAULT_RUNS;
    let mut jobs = 1;
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
            "--jobs" => {
                let v = value("--jobs")?;
                jobs = v
                    .parse()
                    .ok()
                    .filter(|&n| (1..=64).contains(&n))
                    .ok_or_else(|| format!("`--jobs` takes a number from 1 to 64, not `{v}`"))?;
            }
            other => {
                return Err(format!(
                    "unexpected argument `{other}` for `fuzz`\n\nusage: cargo xtask\n{USAGE}"
                ))
            }
        }
    }
    Ok((runs, target, jobs))
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

/// `cargo +nightly fuzz <sub> --sanitizer none` with the target's build options.
fn fuzz_cmd(t: &Target, sub: &str) -> Command {
    let mut c = cargo_fuzz();
    c.args([sub, "--sanitizer", "none"]).args(t.build);
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

/// One target for `runs` inputs, split over `jobs` libFuzzer processes that share the
/// corpus folder (libFuzzer reloads it, so each sees what the others found). Their
/// output goes through (without the NEW / REDUCE lines, prefixed by the worker when
/// there are several); the final stats are read back.
fn fuzz_one(t: &Target, runs: u64, jobs: u64) -> Result<Outcome> {
    let jobs = jobs.clamp(1, runs);
    step(&format!(
        "fuzz: building {} (release, debug assertions)",
        t.name
    ));
    run(fuzz_cmd(t, "build").arg(t.name))?;
    step(&format!(
        "fuzz: {} for {runs} inputs ({jobs} process(es))",
        t.name
    ));
    let root = root();
    let corpus = root.join("fuzz").join("corpus").join(t.name);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let artifacts = root.join("fuzz").join("artifacts").join(t.name);
    let before = SystemTime::now();
    let start = Instant::now();
    let mut workers = Vec::new();
    for job in 0..jobs {
        let share = runs / jobs + u64::from(job < runs % jobs);
        let mut c = fuzz_cmd(t, "run");
        c.arg(t.name).arg(&corpus);
        let mut seeds = vec![root.join("fuzz").join("seeds").join(t.name)];
        seeds.extend(t.extra_seeds.iter().map(|s| root.join(s)));
        c.args(seeds.into_iter().filter(|d| d.is_dir()));
        c.arg("--").args([
            format!("-runs={share}"),
            format!("-max_len={}", t.max_len),
            "-timeout=60".to_string(),
            "-print_final_stats=1".to_string(),
        ]);
        println!("$ {}", show(&c));
        let mut child = c
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start `{}`: {e}", show(&c)))?;
        let pipe = child.stderr.take();
        let prefix = if jobs > 1 {
            format!("[{} {}/{jobs}] ", t.name, job + 1)
        } else {
            String::new()
        };
        let reader = std::thread::spawn(move || pass_through(pipe, &prefix));
        workers.push((child, reader));
    }
    let mut executed = Some(0u64);
    let mut failed = None;
    for (mut child, reader) in workers {
        let n = reader.join().unwrap_or(None);
        executed = executed.zip(n).map(|(a, b)| a + b);
        match child.wait() {
            Ok(status) if status.success() => {}
            Ok(status) => failed = failed.or(Some(status.to_string())),
            Err(e) => failed = failed.or(Some(e.to_string())),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let crash = failed.map(|status| {
        let new = new_files(&artifacts, before);
        for file in &new {
            if t.name == "engine" {
                keep_engine_scenario(t, file);
            }
        }
        if new.is_empty() {
            format!("FAILED: {status}, no artifact written (stopped, or a build or option error? see above)")
        } else {
            let files: Vec<String> = new.iter().map(|p| p.display().to_string()).collect();
            format!("CRASH: {}", files.join(", "))
        }
    });
    Ok(Outcome {
        target: t.name,
        runs: executed,
        secs,
        crash,
    })
}

/// Echoes a libFuzzer's stderr (not its NEW / REDUCE lines) and returns the number of
/// inputs it executed.
fn pass_through(pipe: Option<std::process::ChildStderr>, prefix: &str) -> Option<u64> {
    let mut executed = None;
    let mut stderr = std::io::stderr();
    for line in pipe
        .into_iter()
        .flat_map(|p| BufReader::new(p).lines().map_while(|l| l.ok()))
    {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            executed = n.trim().parse().ok();
        } else if executed.is_none() {
            executed = done_runs(&line);
        }
        if !(line.contains("\tNEW ") || line.contains("\tREDUCE ")) {
            let _ = writeln!(stderr, "{prefix}{line}");
        }
    }
    executed
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
fn keep_engine_scenario(t: &Target, file: &Path) {
    const HEADING: &str = "Output of `std::fmt::Debug`:\n\n";
    let mut c = fuzz_cmd(t, "fmt");
    c.arg(t.name).arg(file);
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
