//! Golden traces: every scenario under `scenarios/` in every design it lists (all of
//! them without a `# designs:` header line), rendered as text
//! and compared in full with `tests/golden/NAME.DESIGN.trace`. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and read the diff.

use exitpath::engine::report::trace_text;
use exitpath::engine::scenario;
use std::path::{Path, PathBuf};

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
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != got {
                let line = want
                    .lines()
                    .zip(got.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(want.lines().count().min(got.lines().count()));
                failures.push(format!(
                    "{}: differs at line {}\n  want: {}\n  got:  {}",
                    path.display(),
                    line + 1,
                    want.lines().nth(line).unwrap_or("<end>"),
                    got.lines().nth(line).unwrap_or("<end>")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden traces differ (UPDATE_GOLDEN=1 to accept):\n{}",
        failures.join("\n")
    );
}
