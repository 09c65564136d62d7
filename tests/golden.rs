//! Golden traces: every scenario under `scenarios/` in every design it lists (all of
//! them without a `# designs:` header line), rendered as text
//! and compared in full with `tests/golden/NAME.DESIGN.trace`. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and read the diff. A trace that
//! differs shows the first differing region as a unified diff (`similar`).

use exitpath::engine::report::trace_text;
use exitpath::engine::scenario;
use similar::TextDiff;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scn"))
        .collect();
    v.sort();
    v
}

/// Traces longer than this many lines are kept as their head, their tail and a digest
/// of the whole text (still compared in full through the digest), not line by line.
const GOLDEN_LINES_MAX: usize = 20_000;

fn abridge(full: &str) -> String {
    let n = full.lines().count();
    if n <= GOLDEN_LINES_MAX {
        return full.to_string();
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in full.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let lines: Vec<&str> = full.lines().collect();
    let mut out: Vec<String> = lines[..300].iter().map(|l| l.to_string()).collect();
    out.push(format!(
        "... {} lines in all, FNV-1a of the whole text {h:016x} ...",
        n
    ));
    out.extend(lines[n - 6..].iter().map(|l| l.to_string()));
    out.join("\n") + "\n"
}

#[test]
fn golden_traces() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut failures = Vec::new();
    let files = scenario_files();
    assert!(
        files.len() >= 4,
        "expected the example scenarios, found {}",
        files.len()
    );
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let sc = scenario::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        // `# designs:` in the header (scenario::designs): only where the scenario applies.
        for d in scenario::designs(&text) {
            let (_, full) = trace_text(&sc, Some(d));
            let got = abridge(&full);
            let path = gold.join(format!("{stem}.{}.trace", d.name()));
            if update {
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Err(e) => failures.push(format!("{}: {e}", path.display())),
                Ok(want) if want != got => {
                    let name = format!("tests/golden/{stem}.{}.trace", d.name());
                    failures.push(first_region(&name, &want, &got))
                }
                Ok(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden traces differ (UPDATE_GOLDEN=1 to accept):\n{}",
        failures.join("\n\n")
    );
}

/// Lines of a differing region shown at most.
const REGION_LINES_MAX: usize = 60;

/// The first region where `got` differs from `want` (the file at `path`), as a unified
/// diff with three lines of context, and how many more regions differ.
fn first_region(path: &str, want: &str, got: &str) -> String {
    let diff = TextDiff::configure()
        .timeout(Duration::from_secs(2))
        .diff_lines(want, got);
    let udiff = diff.unified_diff();
    let mut hunks = udiff.iter_hunks();
    let first = hunks.next().map(|h| h.to_string()).unwrap_or_default();
    let more = hunks.count();
    let lines: Vec<&str> = first.lines().collect();
    let mut out = format!("--- {path} (want)\n+++ {path} (got)\n");
    for l in lines.iter().take(REGION_LINES_MAX) {
        out.push_str(l);
        out.push('\n');
    }
    if lines.len() > REGION_LINES_MAX {
        out += &format!(
            "... {} more lines in this region\n",
            lines.len() - REGION_LINES_MAX
        );
    }
    if more > 0 {
        out += &format!("... and {more} more differing regions\n");
    }
    out
}

#[test]
fn a_difference_shows_as_a_unified_diff() {
    let want: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let got = want
        .replace("line 40\n", "line 40 changed\n")
        .replace("line 90\n", "");
    let d = first_region("x.trace", &want, &got);
    assert!(
        d.starts_with("--- x.trace (want)\n+++ x.trace (got)\n@@ -38,7 +38,7 @@"),
        "{d}"
    );
    assert!(
        d.contains("\n-line 40\n+line 40 changed\n line 41\n"),
        "{d}"
    );
    assert!(d.ends_with("... and 1 more differing regions\n"), "{d}");
}
