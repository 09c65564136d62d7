//! `cargo xtask build`: the web app into dist/ with Trunk (release, offline), and dist sizes.

use crate::install;
use crate::util::{self, cmd, root, run, step, Result};
use std::path::PathBuf;
use std::process::Stdio;

/// The task: install what is missing, then build.
pub fn task() -> Result<()> {
    install::ensure()?;
    let (result, secs) = util::timed(build);
    result?;
    println!("build: dist/ ready ({secs:.1}s)");
    Ok(())
}

/// Builds dist/ (tools assumed present). Offline: Trunk must not try to download a tool.
pub fn build() -> Result<()> {
    // Trunk's --offline reaches cargo too, so fetch crates first (instant when cached).
    step("build: cargo fetch");
    run(util::cargo().arg("fetch"))?;
    step("build: trunk build --release --offline (wasm-opt from node_modules/.bin)");
    run(cmd("trunk").args(["build", "--release", "--offline"]))?;
    for ext in ["wasm", "js", "css"] {
        if !dist_files()
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == ext))
        {
            return Err(format!(
                "trunk build succeeded but dist/ has no .{ext} file"
            ));
        }
    }
    Ok(())
}

pub fn dist() -> PathBuf {
    root().join("dist")
}

/// The files directly in dist/, sorted by name.
fn dist_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist())
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Prints raw and `gzip -9` sizes of the .wasm, .js and .css files in dist/.
pub fn print_sizes() -> Result<()> {
    println!("{:<44} {:>10} {:>10}", "dist file", "raw B", "gzip -9 B");
    for path in dist_files() {
        let wanted = path
            .extension()
            .is_some_and(|e| e == "wasm" || e == "js" || e == "css");
        if !wanted {
            continue;
        }
        let raw = std::fs::metadata(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        let gz = gzip_len(&path)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<44} {raw:>10} {gz:>10}");
    }
    Ok(())
}

fn gzip_len(path: &std::path::Path) -> Result<usize> {
    let out = cmd("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run gzip: {e}"))?;
    if !out.status.success() {
        return Err(format!("gzip -9 -c {} failed", path.display()));
    }
    Ok(out.stdout.len())
}
