//! `cargo xtask test`: checks first (rustfmt, clippy natively and for wasm32), then native
//! tests, wasm tests in headless Chromium, then browser end-to-end tests against the built
//! site. Stops at the first failing stage; the exit code says so.

use crate::install::{self, CHROMEDRIVER, CHROMIUM, WASM_TARGET};
use crate::util::{self, cmd, root, run, step, Result};
use crate::{serve, site};
use std::path::Path;

enum Outcome {
    Passed(f64),
    Failed(f64),
    Skipped(String),
    NotRun,
}

type Stage = (&'static str, fn() -> Option<Result<()>>);

/// In order; a stage returns None when there is nothing for it to run (skipped).
const STAGES: [Stage; 4] = [
    ("checks", checks),
    ("native", native),
    ("wasm", wasm),
    ("e2e", e2e),
];

pub fn task() -> Result<()> {
    install::ensure()?;
    let mut outcomes = Vec::new();
    let mut failed = false;
    for (name, stage) in STAGES {
        if failed {
            outcomes.push((name, Outcome::NotRun));
            continue;
        }
        let (result, secs) = util::timed(stage);
        let outcome = match result {
            None => Outcome::Skipped(skip_reason(name)),
            Some(Ok(())) => Outcome::Passed(secs),
            Some(Err(e)) => {
                eprintln!("xtask: stage {name} failed: {e}");
                failed = true;
                Outcome::Failed(secs)
            }
        };
        outcomes.push((name, outcome));
    }
    let summary: Vec<String> = outcomes
        .iter()
        .map(|(name, outcome)| match outcome {
            Outcome::Passed(s) => format!("{name}: passed ({s:.1}s)"),
            Outcome::Failed(s) => format!("{name}: FAILED ({s:.1}s)"),
            Outcome::Skipped(why) => format!("{name}: skipped ({why})"),
            Outcome::NotRun => format!("{name}: not run"),
        })
        .collect();
    println!("test summary: {}", summary.join(" | "));
    if failed {
        Err("tests failed".into())
    } else {
        Ok(())
    }
}

fn skip_reason(stage: &str) -> String {
    match stage {
        "wasm" => "no wasm tests: no tests/web_*.rs and no wasm_bindgen_test under src/".into(),
        "e2e" => "no e2e/ folder".into(),
        _ => "nothing to run".into(),
    }
}

/// Formatting and lints, cheapest first, stopping at the first that fails: `cargo fmt
/// --check` (the workspace, then fuzz/, its own workspace), clippy with warnings denied
/// natively (exitpath and xtask) and for wasm32 (exitpath: the web UI is wasm32 only).
fn checks() -> Option<Result<()>> {
    step("test 1/4: checks (cargo fmt --check, cargo clippy native and wasm32)");
    let clippy = "clippy warnings, denied (above): fix them, or allow one that is wrong \
                  with a reason";
    let mut checks = vec![(
        cargo(&["fmt", "--all", "--check"]),
        "formatting differs (the diff is above): run `cargo fmt --all`",
    )];
    let fuzz = root().join("fuzz");
    if fuzz.join("Cargo.toml").is_file() {
        let mut c = cargo(&["fmt", "--check"]);
        c.current_dir(&fuzz);
        checks.push((
            c,
            "formatting differs in fuzz/ (the diff is above): run `cargo fmt` in fuzz/",
        ));
    }
    let native = ["clippy", "--workspace", "--all-targets"];
    let wasm = [
        "clippy",
        "-p",
        "exitpath",
        "--target",
        WASM_TARGET,
        "--all-targets",
    ];
    for args in [&native[..], &wasm[..]] {
        let deny = ["--", "-D", "warnings"];
        checks.push((cargo(&[args, &deny[..]].concat()), clippy));
    }
    for (mut cmd, why) in checks {
        if let Err(e) = run(&mut cmd) {
            return Some(Err(format!("{why}\n  ({e})")));
        }
    }
    Some(Ok(()))
}

fn cargo(args: &[&str]) -> std::process::Command {
    let mut c = util::cargo();
    c.args(args);
    c
}

/// Every native test of the workspace (exitpath and xtask).
fn native() -> Option<Result<()>> {
    step("test 2/4: native tests (cargo test --workspace)");
    Some(run(util::cargo().args(["test", "--workspace"])))
}

/// Component tests in headless Chromium via wasm-bindgen-test-runner + chromedriver.
fn wasm() -> Option<Result<()>> {
    step("test 3/4: wasm tests (cargo test --target wasm32-unknown-unknown)");
    let targets = wasm_targets();
    if targets.is_empty() {
        println!("  note: {}; skipping", skip_reason("wasm"));
        return None;
    }
    let mut cargo = util::cargo();
    cargo
        .args(["test", "--target", "wasm32-unknown-unknown"])
        .args(targets);
    Some(run(cargo.env("CHROMEDRIVER", CHROMEDRIVER)))
}

/// `--lib` when a file under src/ uses wasm_bindgen_test, `--test web_x` for each
/// tests/web_x.rs. Wasm tests should call `wasm_bindgen_test_configure!(run_in_browser)`.
/// Detected, so the stage switches itself on when the first wasm test lands.
fn wasm_targets() -> Vec<String> {
    let mut targets = Vec::new();
    if tree_mentions(&root().join("src"), "wasm_bindgen_test") {
        targets.push("--lib".to_string());
    }
    let mut web: Vec<String> = rs_files(&root().join("tests"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|stem| stem.starts_with("web_"))
        .collect();
    web.sort();
    for stem in web {
        targets.extend(["--test".to_string(), stem]);
    }
    targets
}

/// Builds the site, serves it on a free local port and runs `node e2e/run.mjs <url>`.
fn e2e() -> Option<Result<()>> {
    step("test 4/4: end-to-end browser tests (node e2e/run.mjs)");
    let dir = root().join("e2e");
    let has_files = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
    if !has_files {
        println!("  note: {}; skipping", skip_reason("e2e"));
        return None;
    }
    if !dir.join("run.mjs").is_file() {
        return Some(Err("e2e/ has files but no e2e/run.mjs runner".into()));
    }
    Some(site::build().and_then(|()| {
        let url = serve::spawn_on_free_port()?;
        println!("  serving dist/ on {url}");
        run(cmd("node")
            .arg("e2e/run.mjs")
            .arg(&url)
            .env("EXITPATH_URL", &url)
            .env("CHROMIUM", CHROMIUM))
    }))
}

fn rs_files(dir: &Path) -> impl Iterator<Item = std::path::PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
}

/// Whether any .rs file under `dir` (recursively) contains `needle`.
fn tree_mentions(dir: &Path, needle: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().map(|e| e.path()).any(|p| {
        if p.is_dir() {
            tree_mentions(&p, needle)
        } else {
            p.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&p).is_ok_and(|text| text.contains(needle))
        }
    })
}
