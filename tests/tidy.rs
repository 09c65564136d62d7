//! Repository conventions, checked as an ordinary test: every Rust file opens with a `//!`
//! line, and neither the engine (src/engine/, src/arch_i386/) nor the app model
//! (src/app/) uses a web crate.

use std::path::{Path, PathBuf};

/// Crates the engine and the app model must not use: they stay pure, native and wasm
/// alike, and their tests run in `cargo test`.
const WEB_CRATES: [&str; 5] = ["yew", "web_sys", "wasm_bindgen", "gloo", "js_sys"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every .rs file under `dir`, recursively, sorted.
fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let mut offenders = Vec::new();
    for dir in ["src", "tests", "xtask/src"] {
        for path in rs_files(&root().join(dir)) {
            if !read(&path).starts_with("//!") {
                offenders.push(relative(&path));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "these files must start with a `//!` line saying what they hold:\n  {}",
        offenders.join("\n  ")
    );
}

#[test]
fn engine_and_app_model_use_no_web_crate() {
    let mut offenders = Vec::new();
    for dir in ["src/engine", "src/arch_i386", "src/app"] {
        for path in rs_files(&root().join(dir)) {
            for (number, line) in read(&path).lines().enumerate() {
                if let Some(krate) = web_crate_used(line) {
                    offenders.push(format!(
                        "{}:{}: uses `{krate}`: {}",
                        relative(&path),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "src/engine, src/arch_i386 and src/app must not use {}; the UI belongs in src/ui:\n  {}",
        WEB_CRATES.join(", "),
        offenders.join("\n  ")
    );
}

/// The web crate a line of code uses as a path (`yew::...`, `gloo_timers::...`) or
/// imports (`use yew`, `extern crate yew`); comment lines are prose and do not count.
fn web_crate_used(line: &str) -> Option<&'static str> {
    let code = line.trim_start();
    if code.starts_with("//") || code.starts_with('*') || code.starts_with("/*") {
        return None;
    }
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for krate in WEB_CRATES {
        for (at, _) in code.match_indices(krate) {
            let before = &code[..at];
            if before.ends_with(is_ident) {
                continue; // part of a longer name, e.g. `mayew`
            }
            // `gloo_timers`, `gloo_events`: the gloo family counts as gloo.
            let mut after = &code[at + krate.len()..];
            if krate == "gloo" && after.starts_with('_') {
                after = after.trim_start_matches(is_ident);
            } else if after.starts_with(is_ident) {
                continue; // e.g. `yewdux` is not yew, `web_system` is not web_sys
            }
            let path = after.trim_start().starts_with("::");
            let before = before.trim_end();
            let import =
                before == "use" || before.ends_with(" use") || before.ends_with("extern crate");
            if path || import {
                return Some(krate);
            }
        }
    }
    None
}

#[test]
fn the_web_crate_detector_finds_paths_and_imports_only() {
    for hit in [
        "use yew::prelude::*;",
        "pub use web_sys as web;",
        "    let w = web_sys::window();",
        "use gloo_timers::callback::Interval;",
        "extern crate wasm_bindgen;",
        "impl From<js_sys::Error> for X {}",
        "use ::yew::Html;",
        "pub(crate) use yew as y;",
        "use yew;",
    ] {
        assert!(web_crate_used(hit).is_some(), "should flag: {hit}");
    }
    for miss in [
        "// the engine never imports yew::anything",
        "/// `web_sys::Window` lives in the UI",
        "let yewdux = 1;",
        "fn mayew() {}",
        "let s = \"yew\";",
        "let web_sys_count = 2;",
    ] {
        assert!(web_crate_used(miss).is_none(), "should not flag: {miss}");
    }
}
