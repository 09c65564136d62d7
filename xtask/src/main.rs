//! `cargo xtask <task>`: the developer workflows of exitpath (install, build, serve, test, bench, fuzz).

mod bench;
mod fuzz;
mod install;
mod serve;
mod site;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  install              install whatever is missing (wasm32 target, clippy, rustfmt, trunk,
                       wasm-bindgen, npm tools, chromium + chromedriver); fast when all is there
  build                install, then build the web app into dist/ (trunk, release, offline)
  serve [--port N]     build, then serve dist/ on http://127.0.0.1:N (default 8080)
  test                 install, then run the checks (rustfmt, clippy native and wasm32),
                       native tests, wasm tests and browser tests
  bench                engine speed (native, wasm in Chromium), the built site in Chromium
                       (render, step, seek, play, 1M-step build), dist sizes, memory: one table
  bench --explore      the explorer alone: states/s, every built-in two-CPU scenario with K = 2";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("install") => no_more_args(&args).and_then(|()| install::task()),
        Some("build") => no_more_args(&args).and_then(|()| site::task()),
        Some("serve") => serve::task(&args[1..]),
        Some("test") => no_more_args(&args).and_then(|()| test::task()),
        Some("bench") if args.get(1).map(String::as_str) == Some("--explore") => {
            no_more_args(&args[1..]).and_then(|()| bench::explore_task())
        }
        Some("bench") => no_more_args(&args).and_then(|()| bench::task()),
        Some("fuzz") => fuzz::task(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{}", usage());
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{}", usage())),
        None => Err(usage()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> String {
    format!("{USAGE}\n{}", fuzz::USAGE)
}

fn no_more_args(args: &[String]) -> util::Result<()> {
    match args.get(1) {
        None => Ok(()),
        Some(extra) => Err(format!("unexpected argument `{extra}` for `{}`", args[0])),
    }
}
