//! `cargo xtask install`: checks each tool and installs only what is missing (idempotent).
//!
//! The rustup target wasm32-unknown-unknown and components clippy and rustfmt; versions
//! follow the shared toolchain notes: trunk 0.21.14 (`--locked`), wasm-bindgen-cli
//! equal to the `wasm-bindgen` crate pin (without `--locked`), npm `binaryen` for wasm-opt,
//! npm `playwright-core` and `axe-core` for the end-to-end tests, Debian chromium +
//! chromedriver. Never a Debian wasm-opt: it breaks Trunk builds.

use crate::util::{self, cmd, output, root, run, step, Result};
use std::path::Path;

pub const TRUNK_VERSION: &str = "0.21.14";
/// Must equal the `wasm-bindgen = "=..."` pin in Cargo.toml and `[tools]` in Trunk.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// What the npm `binaryen@132.0.0` wasm-opt prints; Trunk.toml pins the same.
pub const WASM_OPT_VERSION: &str = "version_132";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn task() -> Result<()> {
    let (result, secs) = util::timed(ensure);
    result?;
    println!("install: all tools present ({secs:.1}s)");
    Ok(())
}

/// Checks everything `build`, `serve` and `test` need, installing only what is missing.
pub fn ensure() -> Result<()> {
    step("install: checking tools");
    refuse_debian_wasm_opt()?;
    ensure_wasm_target()?;
    ensure_rust_components()?;
    ensure_cargo_tool(
        "trunk",
        TRUNK_VERSION,
        &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
    )?;
    // wasm-bindgen-cli's own lockfile does not resolve against the registry here: no --locked.
    ensure_cargo_tool(
        "wasm-bindgen",
        WASM_BINDGEN_VERSION,
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN_VERSION,
        ],
    )?;
    ensure_npm_tools()?;
    ensure_browser()?;
    Ok(())
}

/// A Debian wasm-opt (binaryen 108) cannot read wasm-bindgen's output; refuse early.
fn refuse_debian_wasm_opt() -> Result<()> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if (dir == Path::new("/usr/bin") || dir == Path::new("/bin"))
            && dir.join("wasm-opt").exists()
        {
            return Err(format!(
                "{} is on PATH: Debian's wasm-opt (binaryen) cannot parse wasm-bindgen output \
                 and Trunk picks it up, which breaks the build. Remove it \
                 (`apt-get remove binaryen`); xtask uses the npm binaryen in node_modules/.bin.",
                dir.join("wasm-opt").display()
            ));
        }
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("  ok   rustup target {WASM_TARGET}");
        return Ok(());
    }
    run(cmd("rustup").args(["target", "add", WASM_TARGET]))
}

/// clippy and rustfmt, for the checks that open `cargo xtask test`.
fn ensure_rust_components() -> Result<()> {
    let missing: Vec<&str> = [("clippy", "clippy"), ("fmt", "rustfmt")]
        .into_iter()
        .filter(|(sub, _)| output(util::cargo().args([sub, "--version"])).is_none())
        .map(|(_, component)| component)
        .collect();
    if missing.is_empty() {
        println!("  ok   rustup components clippy, rustfmt");
        return Ok(());
    }
    run(cmd("rustup").args(["component", "add"]).args(&missing))
}

/// `<tool> --version` must print `version`; otherwise `cargo <install_args>`.
fn ensure_cargo_tool(tool: &str, version: &str, install_args: &[&str]) -> Result<()> {
    let found = output(cmd(tool).arg("--version")).unwrap_or_default();
    if found.split_whitespace().any(|word| word == version) {
        println!("  ok   {tool} {version}");
        return Ok(());
    }
    match found.trim() {
        "" => println!("  missing {tool} {version}: installing (several minutes)"),
        other => println!("  wrong version `{other}`, want {tool} {version}: installing"),
    }
    run(util::cargo().args(install_args))?;
    let found = output(cmd(tool).arg("--version")).unwrap_or_default();
    if found.split_whitespace().any(|word| word == version) {
        Ok(())
    } else {
        Err(format!(
            "{tool} still reports `{}` after installing {version}: is ~/.cargo/bin on PATH, \
             before any other {tool}?",
            found.trim()
        ))
    }
}

/// The accessibility audit's script (e2e/run.mjs evaluates it in the page).
const AXE_SCRIPT: &str = "node_modules/axe-core/axe.min.js";

/// wasm-opt, playwright-core, axe-core and speedscope from package.json /
/// package-lock.json (exact pins).
fn ensure_npm_tools() -> Result<()> {
    if output(cmd("npm").arg("--version")).is_none() {
        return Err("npm is missing: install Node.js 20 or later with npm".into());
    }
    let wasm_opt = util::node_bin().join("wasm-opt");
    let opt_ok =
        output(cmd(&wasm_opt).arg("--version")).is_some_and(|v| v.contains(WASM_OPT_VERSION));
    // `npm ls` fails when a pinned package is missing or at another version.
    let axe = root().join(AXE_SCRIPT);
    let deps_ok = opt_ok && axe.exists() && output(cmd("npm").args(["ls", "--depth=0"])).is_some();
    if deps_ok {
        println!("  ok   npm binaryen (wasm-opt {WASM_OPT_VERSION}), playwright-core, axe-core, speedscope");
        return Ok(());
    }
    let ci = root().join("package-lock.json").exists();
    run(cmd("npm").arg(if ci { "ci" } else { "install" }))?;
    if !axe.exists() {
        return Err(format!(
            "{} is missing after npm install: check the axe-core pin in package.json",
            axe.display()
        ));
    }
    match output(cmd(&wasm_opt).arg("--version")) {
        Some(v) if v.contains(WASM_OPT_VERSION) => Ok(()),
        other => Err(format!(
            "{} reports {:?} after npm install, want {WASM_OPT_VERSION}: check the binaryen pin in package.json",
            wasm_opt.display(),
            other.unwrap_or_default().trim()
        )),
    }
}

fn ensure_browser() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        println!("  ok   {CHROMIUM}, {CHROMEDRIVER}");
        return Ok(());
    }
    let install = || run(cmd("apt-get").args(["install", "-y", "chromium", "chromium-driver"]));
    if install().is_err() {
        println!("  apt-get install failed; refreshing the package lists and retrying");
        run(cmd("apt-get").arg("update"))?;
        install().map_err(|e| format!("{e} (root needed: run `cargo xtask install` as root)"))?;
    }
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        Ok(())
    } else {
        Err(format!(
            "apt-get finished but {CHROMIUM} or {CHROMEDRIVER} is still missing"
        ))
    }
}
