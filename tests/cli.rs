//! The `exitpath` command line: the metrics and state JSON carry the documented keys,
//! `--design` overrides the file, a bad file gives line and column and exit status 2,
//! every subcommand has `--help`, a usage error exits 2, a closed pipe ends quietly.

use exitpath::engine::Design;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn exitpath(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_exitpath"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn metrics_has_every_key() {
    let (code, out, err) = exitpath(&[
        "metrics",
        "scenarios/fork-wait-loop.scn",
        "--design",
        "reaper",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    for k in [
        "design",
        "micro_steps",
        "context_switches",
        "reaper_wakeups",
        "km_alloc",
        "km_free",
        "uarea_cache_hits",
        "uarea_cache_peak",
        "tss_slots_peak",
        "zombies_left",
        "faults",
        "invariant_violations",
        "exit_to_reap_steps",
    ] {
        assert!(v.get(k).is_some(), "metrics lack `{k}`: {out}");
    }
    assert_eq!(v["design"], "reaper");
    assert!(v["faults"].as_array().unwrap().is_empty());
    assert_eq!(v["exit_to_reap_steps"].as_array().unwrap().len(), 6);
    let (_, out2, _) = exitpath(&[
        "metrics",
        "scenarios/fork-wait-loop.scn",
        "--design",
        "patch",
    ]);
    let p = json(&out2);
    assert!(v["context_switches"].as_u64().unwrap() > p["context_switches"].as_u64().unwrap());
}

#[test]
fn state_has_every_key() {
    let (code, out, err) = exitpath(&["state", "scenarios/fork-wait-loop.scn", "--at", "120"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    for k in ["procs", "allproc", "zombproc", "uarea_cache", "gdt", "cpu"] {
        assert!(v.get(k).is_some(), "state lacks `{k}`");
    }
    let p = &v["procs"][0];
    for k in [
        "pid", "name", "ppid", "stat", "flags", "nlwps", "nrlwps", "nzlwps", "lwps",
    ] {
        assert!(p.get(k).is_some(), "proc lacks `{k}`: {p}");
    }
    let l = &p["lwps"][0];
    for k in ["lid", "stat", "flags", "uarea", "tss_sel"] {
        assert!(l.get(k).is_some(), "lwp lacks `{k}`: {l}");
    }
    for k in ["nuarea", "max", "list"] {
        assert!(v["uarea_cache"].get(k).is_some());
    }
    for k in ["cr3", "tr", "esp0", "curlwp"] {
        assert!(v["cpu"].get(k).is_some());
    }
    assert!(v["gdt"]["slots"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["owner"].is_string()));
    // the end of the run: only the kernel's own processes and init remain
    let (_, end, _) = exitpath(&["state", "scenarios/fork-wait-loop.scn", "--at", "end"]);
    let e = json(&end);
    assert!(e["zombproc"].as_array().unwrap().is_empty());
    let stats: Vec<String> = e["procs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stat"].as_str().unwrap().to_string())
        .collect();
    assert!(stats.iter().all(|s| s == "SACTIVE"), "{stats:?}");
}

#[test]
fn a_zombie_shows_in_the_state() {
    // find a step where the worker is SZOMB and on zombproc
    let (_, out, _) = exitpath(&["run", "scenarios/fork-wait-loop.scn", "--design", "patch"]);
    let line = out
        .lines()
        .find(|l| l.contains("is a zombie (SZOMB)"))
        .expect("a zombie step");
    let step: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
    let (_, st, _) = exitpath(&[
        "state",
        "scenarios/fork-wait-loop.scn",
        "--design",
        "patch",
        "--at",
        &(step + 1).to_string(),
    ]);
    let v = json(&st);
    let z = v["zombproc"].as_array().unwrap();
    assert_eq!(z.len(), 1);
    let pid = z[0].as_u64().unwrap();
    let p = v["procs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"].as_u64() == Some(pid))
        .unwrap();
    assert_eq!(p["stat"], "SZOMB");
}

#[test]
fn bad_input_exits_2_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("exitpath-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.scn");
    std::fs::write(&f, "proc shell\n  forc worker\nproc worker\n  exit 0\n").unwrap();
    let (code, out, err) = exitpath(&["run", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains(":2:3:") && err.contains("unknown action `forc`"),
        "{err}"
    );
    let (code, _, err) = exitpath(&["metrics", "no/such/file.scn"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/file.scn"), "{err}");
    let (code, _, err) = exitpath(&["run", "scenarios/fork-wait-loop.scn", "--design", "nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'nope' for '--design") && err.contains("possible values"),
        "{err}"
    );
    let (code, _, err) = exitpath(&["state", "scenarios/fork-wait-loop.scn", "--at", "99999999"]);
    assert_eq!(code, 2);
    assert!(err.contains("micro-steps"), "{err}");
}

#[test]
fn design_flag_overrides_the_file() {
    let dir = std::env::temp_dir().join(format!("exitpath-cli2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("d.scn");
    std::fs::write(&f, "design reaper\nproc a\n  exit 0\n").unwrap();
    let (_, out, _) = exitpath(&["metrics", f.to_str().unwrap()]);
    assert_eq!(json(&out)["design"], "reaper");
    let (_, out, _) = exitpath(&["metrics", f.to_str().unwrap(), "--design", "patch"]);
    assert_eq!(json(&out)["design"], "patch");
}

#[test]
fn compare_prints_both_designs() {
    let (code, out, _) = exitpath(&["compare", "scenarios/fork-wait-loop.scn"]);
    assert_eq!(code, 0);
    assert!(out.contains("reaper") && out.contains("patch") && out.contains("context switches"));
}

#[test]
fn link_encode_and_decode_round_trip() {
    let (code, frag, err) = exitpath(&[
        "link",
        "encode",
        "scenarios/fork-wait-loop.scn",
        "--design",
        "reaper",
        "--step",
        "40",
    ]);
    assert_eq!(code, 0, "{err}");
    let frag = frag.trim();
    assert!(frag.starts_with("v=1&d=reaper&s=40&"), "{frag}");
    let (code, text, info) = exitpath(&["link", "decode", frag]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/fork-wait-loop.scn"
        ))
        .unwrap()
    );
    assert!(info.contains("design reaper, step 40"));
    let (code, out, err) = exitpath(&["link", "decode", "v=1&d=patch&z=abc"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("this link does not open"), "{err}");
}

#[test]
fn every_metrics_row_is_a_json_key_and_a_compare_line() {
    let (_, out, _) = exitpath(&["metrics", "scenarios/fork-wait-loop.scn"]);
    let v = json(&out);
    let (code, table, _) = exitpath(&["compare", "scenarios/fork-wait-loop.scn"]);
    assert_eq!(code, 0);
    for r in exitpath::engine::metrics::ROWS {
        assert!(v.get(r.id).is_some(), "metrics JSON lacks row `{}`", r.id);
        assert!(
            table.lines().any(|l| l.starts_with(r.label)),
            "compare lacks `{}`:\n{table}",
            r.label
        );
    }
    let mean = table
        .lines()
        .find(|l| l.starts_with("steps from exit() to reap (mean)"))
        .unwrap();
    assert!(mean.contains("88.0") && mean.contains("-22.0"), "{mean}");
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        &[][..],
        &["run"],
        &["metrics"],
        &["state"],
        &["compare"],
        &["link"],
        &["link", "encode"],
        &["link", "decode"],
        &["bench"],
        &["why"],
        &["export"],
        &["quiz"],
    ] {
        let mut args = sub.to_vec();
        args.push("--help");
        let (code, out, err) = exitpath(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let usage = ["Usage: exitpath"]
            .iter()
            .chain(sub)
            .copied()
            .collect::<Vec<_>>();
        assert!(out.contains(&usage.join(" ")), "{args:?}:\n{out}");
    }
    // every design is listed where a design is taken
    let (_, out, _) = exitpath(&["run", "--help"]);
    for d in Design::ALL {
        assert!(
            out.contains(d.name()),
            "run --help lacks {}:\n{out}",
            d.name()
        );
    }
    let (code, out, _) = exitpath(&["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("exitpath "), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let f = "scenarios/fork-wait-loop.scn";
    for args in [
        &[][..],
        &["frobnicate"],
        &["run"],
        &["run", f, "extra"],
        &["run", f, "--format", "xml"],
        &["run", f, "--design"],
        &["run", f, "--iterations", "3"],
        &["state", f, "--at", "soon"],
        &["bench", "--iterations", "many"],
        &["link"],
        &["link", "encode"],
        &["link", "encode", f, "--step", "-1"],
        &["link", "decode"],
        &["quiz", f, "--count", "0"],
        &["quiz", f, "--seed", "-3"],
        &["quiz", f, "--format", "yaml"],
        &["quiz", f, "--kind", "frees"],
        &["quiz", f, "--at", "5", "--kind", "who"],
        &["quiz", f, "--at", "99999999"],
    ] {
        let (code, out, err) = exitpath(args);
        assert_eq!(code, 2, "{args:?} exits {code}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert!(!err.is_empty(), "{args:?} says nothing");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // a trace of megabytes, far more than a pipe holds: the reader leaves after a line
    let dir = std::env::temp_dir().join(format!("exitpath-cli3-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("long.scn");
    std::fs::write(
        &f,
        "proc shell\n  repeat 300\n    fork worker\n    wait\n  exit 0\nproc worker\n  exit 3\n",
    )
    .unwrap();
    for format in ["text", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_exitpath"))
            .args(["run", f.to_str().unwrap(), "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = Vec::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_until(b'\n', &mut first)
            .unwrap();
        // the reader (and with it the pipe) is gone here, like `head -1`
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty());
        assert!(err.is_empty(), "{format}: stderr says {err}");
        assert_eq!(out.status.code(), Some(0), "{format}: {err}");
    }
}

#[test]
fn explore_reports_findings_with_schedules_that_run_replays() {
    let file = "scenarios/two-cpus-proc-freed.scn";
    let (code, out, err) = exitpath(&[
        "explore",
        file,
        "--design",
        "committed",
        "--preemptions",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    for key in ["states", "schedules", "seconds", "complete", "findings"] {
        assert!(v.get(key).is_some(), "no `{key}` in {out}");
    }
    assert_eq!(v["complete"], true);
    let f = &v["findings"][0];
    assert_eq!(f["check"], "ProcFreedInUse");
    assert_eq!(f["preemptions"], 1);
    let schedule = f["schedule"].as_str().unwrap();
    let step = f["step"].as_u64().unwrap();
    // the same command gives the same report, but for the time it took
    let (_, again, _) = exitpath(&[
        "explore",
        file,
        "--design",
        "committed",
        "--preemptions",
        "1",
        "--format",
        "json",
    ]);
    let strip = |mut v: serde_json::Value| {
        for k in ["seconds", "cpu_seconds", "peak_rss_bytes"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    assert_eq!(strip(json(&again)), strip(v.clone()));
    // run --schedule reaches it at the same step
    let (code, run, err) = exitpath(&[
        "run",
        file,
        "--design",
        "committed",
        "--schedule",
        schedule,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = json(&run);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["check"] == "ProcFreedInUse" && g["step"].as_u64() == Some(step)));
    // the text report names it too
    let (code, text, _) = exitpath(&["explore", file, "--design", "committed"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("complete: every schedule with at most 2 preemptions"),
        "{text}"
    );
    assert!(text.contains("ProcFreedInUse at lwp_exit2:"), "{text}");
}

#[test]
fn a_bad_schedule_is_a_usage_error_with_its_position() {
    let (code, _, err) = exitpath(&[
        "run",
        "scenarios/two-cpus-proc-freed.scn",
        "--schedule",
        "0:3,x",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("character 5: expected a CPU (0 or 1), found `x`"),
        "{err}"
    );
    let (code, _, err) = exitpath(&[
        "link",
        "decode",
        "v=1&d=patch&r=0:&z=eJwrKMpPVijgUlBIrcgsUTDgAgAr5QSj",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("damaged at character 3"), "{err}");
}

#[test]
fn quiz_prints_the_documented_json_and_answers_only_when_asked() {
    let f = "scenarios/orphans.scn";
    let (code, out, err) =
        exitpath(&["quiz", f, "--seed", "7", "--count", "4", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["seed"], 7);
    let qs = v["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 4);
    for q in qs {
        assert!(q["step"].is_u64() && q["question"].is_string(), "{q}");
        assert!(q["choices"].as_array().unwrap().len() >= 2, "{q}");
        assert!(
            q.get("answer").is_none() && q.get("explanation").is_none(),
            "{q}"
        );
    }
    let (_, with, _) = exitpath(&[
        "quiz",
        f,
        "--seed",
        "7",
        "--count",
        "4",
        "--format",
        "json",
        "--answers",
    ]);
    let w = json(&with);
    for (q, a) in qs.iter().zip(w["questions"].as_array().unwrap()) {
        assert_eq!(
            q["question"], a["question"],
            "the same questions with answers"
        );
        assert_eq!(q["choices"], a["choices"]);
        let n = a["answer"].as_u64().unwrap() as usize;
        assert!(n < a["choices"].as_array().unwrap().len());
        assert!(!a["explanation"].as_str().unwrap().is_empty());
    }
    // text: the same questions, lettered
    let (code, text, _) = exitpath(&["quiz", f, "--seed", "7", "--count", "4", "--answers"]);
    assert_eq!(code, 0);
    for q in qs {
        assert!(text.contains(q["question"].as_str().unwrap()), "{text}");
    }
    assert_eq!(text.matches("   Answer: ").count(), 4, "{text}");
}

#[test]
fn quiz_at_a_position_asks_what_the_page_asks_there() {
    let f = "scenarios/three-lwps.scn";
    let (code, out, err) = exitpath(&[
        "quiz", f, "--design", "reaper", "--at", "159", "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let qs = v["questions"].as_array().unwrap();
    assert!(
        qs.len() >= 3,
        "one per kind that has something to ask: {out}"
    );
    assert!(qs.iter().all(|q| q["step"] == 159), "{out}");
    let (_, one, _) = exitpath(&[
        "quiz",
        f,
        "--design",
        "reaper",
        "--at",
        "159",
        "--kind",
        "frees",
        "--format",
        "json",
        "--answers",
    ]);
    let one = json(&one);
    let q = &one["questions"][0];
    assert_eq!(one["questions"].as_array().unwrap().len(), 1);
    assert_eq!(q["kind"], "frees");
    let right = q["choices"][q["answer"].as_u64().unwrap() as usize]
        .as_str()
        .unwrap();
    assert!(
        right.starts_with("the reaper"),
        "before the patch the reaper frees it: {q}"
    );
}
