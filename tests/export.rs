//! `exitpath export`: the Perfetto (Chrome trace-event) JSON checked structurally (the
//! fields each phase needs, metadata for every track, slices that never overlap on a
//! track) and against the state (`state --at`'s snapshot: counters, l_stat, the CPU's
//! function), for built-ins on one and two CPUs in every design; `--format json` is
//! `run --format json`; the exit statuses.

use exitpath::engine::export;
use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::Design;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn int(e: &Value, k: &str) -> u64 {
    e[k].as_u64()
        .unwrap_or_else(|| panic!("`{k}` is not a non-negative integer in {e}"))
}

/// The export of `s`, parsed, with every structural rule checked; the events by track.
fn parse(s: &Session) -> Vec<Value> {
    let text = export::perfetto_string(s);
    let v: Value = serde_json::from_str(&text).expect("the export is valid JSON");
    let events = v["traceEvents"].as_array().expect("traceEvents").clone();
    assert_eq!(v["otherData"]["micro_steps"], s.len());
    let mut procs = BTreeSet::new();
    let mut threads = BTreeSet::new();
    let mut slices: BTreeMap<(u64, u64), Vec<(u64, u64)>> = BTreeMap::new();
    for e in &events {
        let ph = e["ph"].as_str().expect("ph");
        assert!(e["name"].is_string(), "name: {e}");
        let (pid, tid) = (int(e, "pid"), int(e, "tid"));
        let ts = int(e, "ts");
        match ph {
            "M" => match e["name"].as_str().unwrap() {
                "process_name" => {
                    assert!(e["args"]["name"].is_string() && procs.insert(pid), "{e}")
                }
                "thread_name" => assert!(
                    e["args"]["name"].is_string() && threads.insert((pid, tid)),
                    "{e}"
                ),
                "process_sort_index" => assert!(e["args"]["sort_index"].is_i64(), "{e}"),
                other => panic!("unexpected metadata {other}"),
            },
            "X" => {
                let dur = int(e, "dur");
                assert!(dur > 0, "empty slice {e}");
                assert!(ts + dur <= s.len() + 1, "past the end: {e}");
                assert!(e["cat"].is_string(), "{e}");
                slices.entry((pid, tid)).or_default().push((ts, ts + dur));
            }
            "C" => {
                assert!(e["args"]["value"].is_u64(), "{e}");
                assert!(ts <= s.len(), "{e}");
            }
            "i" => {
                assert!(matches!(e["s"].as_str(), Some("g" | "p" | "t")), "{e}");
                assert!(e["args"]["message"].is_string(), "{e}");
            }
            other => panic!("unexpected phase {other}: {e}"),
        }
    }
    for ((pid, tid), mut v) in slices {
        assert!(procs.contains(&pid), "pid {pid} has no process_name");
        assert!(
            threads.contains(&(pid, tid)),
            "{pid}/{tid} has no thread_name"
        );
        v.sort_unstable();
        for w in v.windows(2) {
            assert!(w[0].1 <= w[1].0, "{pid}/{tid}: slices overlap {w:?}");
        }
    }
    events
}

/// The slice of `events` on the thread named `thread` (of process `pid`, if given)
/// that holds at `t`.
fn slice_at<'a>(
    events: &'a [Value],
    names: &BTreeMap<(u64, u64), String>,
    thread: &str,
    t: u64,
) -> Option<&'a Value> {
    events.iter().find(|e| {
        e["ph"] == "X"
            && names
                .get(&(int(e, "pid"), int(e, "tid")))
                .map(String::as_str)
                == Some(thread)
            && int(e, "ts") <= t
            && t < int(e, "ts") + int(e, "dur")
    })
}

fn check(text: &str, d: Design) {
    let s = Session::new(text, Some(d)).unwrap();
    let events = parse(&s);
    let names: BTreeMap<(u64, u64), String> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| {
            (
                (int(e, "pid"), int(e, "tid")),
                e["args"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let counter = |name: &str, t: u64| {
        events
            .iter()
            .rfind(|e| e["ph"] == "C" && e["name"] == name && int(e, "ts") <= t)
            .map(|e| int(&e["args"], "value"))
    };
    let n = s.len();
    for t in [0, n / 7, n / 3, n / 2, 2 * n / 3, n.saturating_sub(1), n] {
        let snap = serde_json::to_value(s.snapshot_at(t)).unwrap();
        let what = format!("{d:?} at {t}");
        assert_eq!(
            counter("uvm_nuarea", t),
            snap["uarea_cache"]["nuarea"].as_u64(),
            "{what}"
        );
        let zombies = snap["zombproc"].as_array().unwrap().len() as u64;
        assert_eq!(counter("zombies (zombproc)", t), Some(zombies), "{what}");
        let tss = snap["gdt"]["slots"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["state"] == "tss")
            .count() as u64;
        assert_eq!(counter("TSS slots in use", t), Some(tss), "{what}");
        for p in snap["procs"].as_array().unwrap() {
            for l in p["lwps"].as_array().unwrap() {
                let label = format!("{}.{} {}", p["pid"], l["lid"], p["name"].as_str().unwrap());
                let sl = slice_at(&events, &names, &label, t)
                    .unwrap_or_else(|| panic!("{what}: no l_stat slice for {label}"));
                assert_eq!(sl["name"], l["stat"], "{what}: {label}");
            }
        }
        if t < n {
            let step = s.trace.steps[t as usize];
            let sl = slice_at(&events, &names, &format!("cpu{}", step.cpu), t)
                .unwrap_or_else(|| panic!("{what}: no slice on cpu{}", step.cpu));
            assert_eq!(sl["name"], step.func.name(), "{what}");
        }
    }
    let instants = events.iter().filter(|e| e["ph"] == "i").count();
    assert_eq!(
        instants,
        s.trace.findings.len(),
        "{d:?}: one instant per finding"
    );
}

#[test]
fn perfetto_export_is_well_formed_and_agrees_with_the_state() {
    for b in BUILTINS {
        for &d in b.designs {
            check(b.text, d);
        }
    }
    let loop2 = format!("cpus 2\n{}", exitpath::engine::bench::loop_scenario(12));
    for d in Design::ALL {
        check(&loop2, d);
    }
}

fn exe(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_exitpath"))
        .args(args)
        .output()
        .unwrap()
}

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/fork-wait-loop.scn");

#[test]
fn the_cli_writes_both_formats_and_exits_2_on_bad_input() {
    let p = exe(&["export", FILE, "--design", "reaper", "--format", "perfetto"]);
    assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
    let v: Value = serde_json::from_slice(&p.stdout).unwrap();
    assert!(!v["traceEvents"].as_array().unwrap().is_empty());
    let out = std::env::temp_dir().join(format!("exitpath-export-{}.json", std::process::id()));
    let o = exe(&[
        "export",
        FILE,
        "--design",
        "reaper",
        "--format",
        "perfetto",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success() && o.stdout.is_empty());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        p.stdout,
        "-o writes what stdout gets"
    );
    let _ = std::fs::remove_file(&out);

    let j = exe(&["export", FILE, "--design", "fixed", "--format", "json"]);
    let r = exe(&["run", FILE, "--design", "fixed", "--format", "json"]);
    assert!(j.status.success());
    assert_eq!(j.stdout, r.stdout, "--format json is run --format json");
    let svg = exe(&["export", FILE, "--format", "svg"]);
    assert!(
        svg.status.success() && svg.stdout.starts_with(b"<svg "),
        "--format svg"
    );

    let bad_scn = std::env::temp_dir().join(format!("exitpath-bad-{}.scn", std::process::id()));
    std::fs::write(&bad_scn, "proc a\n  forc b\n").unwrap();
    for args in [
        vec!["export", FILE],
        vec!["export", FILE, "--format", "png"],
        vec!["export", FILE, "--format", "perfetto", "--design", "nope"],
        vec!["export", "/nonexistent/x.scn", "--format", "perfetto"],
        vec!["export", bad_scn.to_str().unwrap(), "--format", "perfetto"],
        vec!["export", FILE, "--format", "perfetto", "--schedule", "x"],
    ] {
        let o = exe(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let _ = std::fs::remove_file(&bad_scn);
    let o = exe(&[
        "export",
        FILE,
        "--format",
        "perfetto",
        "-o",
        "/nonexistent/dir/out.json",
    ]);
    assert_eq!(o.status.code(), Some(1), "an output that cannot be written");
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/dir/out.json"));
}

/// `export --format svg`: one standalone SVG document, a rect per drawn span (freed and
/// reaped spans are left blank), a label per lane; the page's "Download SVG" is the
/// same function.
#[test]
fn the_lifelines_svg_draws_every_span_of_every_lane() {
    use exitpath::engine::lifelines::{LwpPhase, ProcPhase};
    use exitpath::engine::lifelines_svg::svg;
    use exitpath::engine::session::Session;
    for b in exitpath::engine::library::BUILTINS.iter().take(5) {
        let s = Session::new(b.text, None).unwrap();
        let out = svg(&s);
        assert!(
            out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")
                && out.ends_with("</svg>\n"),
            "{}",
            b.id
        );
        assert_eq!(out.matches("<svg").count(), 1);
        assert_eq!(out.matches('"').count() % 2, 0, "{}: quotes balance", b.id);
        let ll = s.lifelines();
        let spans = ll
            .procs
            .iter()
            .flat_map(|l| &l.spans)
            .filter(|x| x.state != ProcPhase::Reaped)
            .count()
            + ll.lwps
                .iter()
                .flat_map(|l| &l.spans)
                .filter(|x| x.state != LwpPhase::Freed)
                .count();
        // the background, the 7 legend keys, then one per span
        assert_eq!(out.matches("<rect").count(), 1 + 7 + spans, "{}", b.id);
        for l in &ll.lwps {
            assert!(
                out.contains(&format!(">{}.{} {}<", l.pid, l.lid, l.name)),
                "{}: lane {}.{}",
                b.id,
                l.pid,
                l.lid
            );
        }
    }
}
