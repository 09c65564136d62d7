//! The `exitpath` command line: run a scenario and print its trace, metrics or state.

use exitpath::engine::metrics::Metrics;
use exitpath::engine::report;
use exitpath::engine::scenario::{self, Scenario};
use exitpath::engine::snapshot::Snapshot;
use exitpath::engine::{Design, Sim};
use std::process::ExitCode;

const USAGE: &str = "usage:
  exitpath run FILE [--design reaper|patch|committed] [--format text|json]
  exitpath metrics FILE [--design reaper|patch|committed]
  exitpath state FILE [--design reaper|patch|committed] [--at N|end]
  exitpath compare FILE
  exitpath link encode FILE [--design reaper|patch|committed] [--step N]
  exitpath link decode FRAGMENT
  exitpath bench [--iterations N]";

struct Args {
    cmd: String,
    file: Option<String>,
    design: Option<Design>,
    format: String,
    at: Option<String>,
    iterations: u64,
    step: u64,
    rest: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let cmd = it.next().ok_or_else(|| USAGE.to_string())?;
    let mut a = Args {
        cmd,
        file: None,
        design: None,
        format: "text".into(),
        at: None,
        iterations: 100_000,
        step: 0,
        rest: Vec::new(),
    };
    while let Some(x) = it.next() {
        match x.as_str() {
            "--design" => {
                let v = it.next().ok_or("--design needs a value: reaper or patch")?;
                a.design =
                    Some(Design::from_name(&v).ok_or_else(|| {
                        format!("unknown design `{v}`: reaper, patch or committed")
                    })?);
            }
            "--format" => a.format = it.next().ok_or("--format needs text or json")?,
            "--at" => a.at = Some(it.next().ok_or("--at needs a step number or `end`")?),
            "--iterations" => {
                let v = it.next().ok_or("--iterations needs a number")?;
                a.iterations = v
                    .parse()
                    .map_err(|_| format!("--iterations: `{v}` is not a number"))?;
            }
            "--step" => {
                let v = it.next().ok_or("--step needs a number")?;
                a.step = v
                    .parse()
                    .map_err(|_| format!("--step: `{v}` is not a number"))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            f if a.cmd == "link" && a.rest.len() < 2 && !f.starts_with("--") => {
                a.rest.push(f.to_string())
            }
            f if a.file.is_none() && !f.starts_with("--") => a.file = Some(f.to_string()),
            other => return Err(format!("unexpected argument `{other}`\n{USAGE}")),
        }
    }
    Ok(a)
}

fn load(file: &Option<String>) -> Result<(String, Scenario), String> {
    let path = file
        .as_ref()
        .ok_or_else(|| format!("a scenario FILE is needed\n{USAGE}"))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let sc = scenario::parse(&text)
        .map_err(|e| format!("{path}:{}:{}: {}", e.line, e.col, e.message))?;
    Ok((path.clone(), sc))
}

/// `exitpath link encode FILE` / `exitpath link decode FRAGMENT`.
fn link(a: &Args) -> Result<(), String> {
    match a.rest.first().map(String::as_str) {
        Some("encode") => {
            let path = a
                .rest
                .get(1)
                .ok_or_else(|| format!("link encode needs a scenario FILE\n{USAGE}"))?;
            let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
            let sc = scenario::parse(&text)
                .map_err(|e| format!("{path}:{}:{}: {}", e.line, e.col, e.message))?;
            let design = a.design.or(sc.design).unwrap_or(Design::Patch);
            let mut st = exitpath::link::LinkState::new(text, design);
            st.step = a.step;
            st.switches = sc.switches.clone();
            let frag = exitpath::link::encode_checked(&st).map_err(|e| e.to_string())?;
            println!("{frag}");
        }
        Some("decode") => {
            let frag = a
                .rest
                .get(1)
                .ok_or_else(|| format!("link decode needs a FRAGMENT\n{USAGE}"))?;
            let st = exitpath::link::decode(frag)
                .map_err(|e| format!("this link does not open: {e}"))?;
            eprintln!("design {}, step {}", st.design.name(), st.step);
            print!("{}", st.scenario);
        }
        _ => {
            return Err(format!(
                "link needs `encode FILE` or `decode FRAGMENT`\n{USAGE}"
            ))
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("exitpath: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    match a.cmd.as_str() {
        "run" => {
            let (_, sc) = load(&a.file)?;
            match a.format.as_str() {
                "text" => print!("{}", report::trace_text(&sc, a.design).1),
                "json" => {
                    let sim = Sim::new(&sc, a.design);
                    let t = sim.run_to_end(true);
                    let v = serde_json::json!({
                        "steps": t.steps,
                        "narration": t.narration,
                        "actions": t.actions,
                        "findings": t.findings,
                    });
                    println!("{}", serde_json::to_string(&v).map_err(|e| e.to_string())?);
                }
                f => return Err(format!("unknown format `{f}`: text or json")),
            }
        }
        "metrics" => {
            let (_, sc) = load(&a.file)?;
            let sim = Sim::new(&sc, a.design);
            let d = sim.cfg.design;
            let t = sim.run_to_end(false);
            println!(
                "{}",
                serde_json::to_string_pretty(&Metrics::of(d, &t)).map_err(|e| e.to_string())?
            );
        }
        "state" => {
            let (_, sc) = load(&a.file)?;
            let t = Sim::new(&sc, a.design).run_to_end(false);
            let n = match a.at.as_deref() {
                None | Some("end") => t.steps.len() as u64,
                Some(s) => {
                    let n: u64 = s
                        .parse()
                        .map_err(|_| format!("--at: `{s}` is not a step number or `end`"))?;
                    if n > t.steps.len() as u64 {
                        return Err(format!(
                            "--at {n}: the run has only {} micro-steps",
                            t.steps.len()
                        ));
                    }
                    n
                }
            };
            let sim = Sim::at(&sc, a.design, &t, n);
            println!(
                "{}",
                serde_json::to_string_pretty(&Snapshot::of(&sim)).map_err(|e| e.to_string())?
            );
        }
        "compare" => {
            let (_, sc) = load(&a.file)?;
            let rows: Vec<Metrics> = Design::ALL
                .iter()
                .map(|&d| Metrics::of(d, &Sim::new(&sc, Some(d)).run_to_end(false)))
                .collect();
            print!("{}", report::compare_table(&rows));
        }
        "bench" => exitpath::engine::bench::run(a.iterations),
        "link" => link(&a)?,
        other => return Err(format!("unknown command `{other}`\n{USAGE}")),
    }
    Ok(())
}
