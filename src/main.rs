//! The `exitpath` command line: run a scenario and print its trace, metrics or state.
//! Arguments are parsed by clap (native only: the wasm build gets an empty `main`).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The CLI is native; this binary is only built for wasm32 by `--all-targets` checks.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod forkpy_cli;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    use clap::{Parser, Subcommand, ValueEnum};
    use exitpath::engine::metrics::Metrics;
    use exitpath::engine::report;
    use exitpath::engine::scenario::{self, Scenario};
    use exitpath::engine::snapshot::Snapshot;
    use exitpath::engine::{Design, Sim};
    use std::io::{self, BufWriter, Write};
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    /// Step-by-step simulator of the NetBSD process/LWP exit path: runs a scenario in
    /// a design and prints its trace, metrics or state.
    #[derive(Parser)]
    #[command(
        name = "exitpath",
        version,
        arg_required_else_help = true,
        after_help = "Exit status: 0 done, 2 a usage error or a scenario that does not load \
                      (FILE:LINE:COLUMN: message), 1 the output could not be written."
    )]
    struct Cli {
        #[command(subcommand)]
        cmd: Cmd,
    }

    #[derive(Subcommand)]
    enum Cmd {
        /// Run a scenario and print its trace: one line per micro-step, then the metrics.
        Run {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            /// text: the readable trace; json: steps, narration, actions and findings.
            #[arg(long, value_enum, default_value_t = Format::Text)]
            format: Format,
        },
        /// Run a scenario and print its metrics as one JSON object.
        Metrics {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
        },
        /// Print the full kernel state at one step as JSON.
        State {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            /// The step: a micro-step number (0 is the boot state) or `end`.
            #[arg(long, value_name = "N|end", value_parser = parse_at, default_value = "end")]
            at: At,
        },
        /// Run a scenario in every design and print their metrics side by side.
        Compare {
            /// The scenario file (.scn).
            file: PathBuf,
        },
        /// Make a share link's fragment from a scenario, or read one back.
        Link {
            #[command(subcommand)]
            cmd: LinkCmd,
        },
        /// Why a cell holds its value at a step: the step that last changed it, the
        /// value before, its source line and narration, and the change before that.
        #[command(
            after_help = "CELL: proc.PID.FIELD (p_stat p_nlwps p_nrlwps p_nzlwps p_pptr \
                                p_flag p_vmspace), lwp.PID.LID.FIELD (l_stat l_flag l_addr \
                                md_tss_sel wchan), cpu.N.REG (cr3 tr esp0 curlwp), gdt.SLOT, \
                                uvm_nuarea, list.NAME (allproc zombproc deadprocs deadlwp \
                                runqueue). Prints one JSON object: {cell, value, step, before, \
                                func, line, source, narration, previous}; `step` is the \
                                micro-step after which the cell holds `value` (null: since \
                                boot). Exit status 2 when the cell is unknown or does not exist \
                                at N (the message lists what does)."
        )]
        Why {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            /// The position: the state after N micro-steps (0 is the boot state).
            #[arg(long, value_name = "N")]
            at: u64,
            /// The cell, e.g. proc.11.p_stat or cpu.0.tr.
            #[arg(value_name = "CELL")]
            cell: String,
            /// How many earlier changes to chain in `previous`.
            #[arg(long, value_name = "D", default_value_t = 1)]
            depth: usize,
        },
        /// OSTEP fork.py's process-tree exercises, with the trees read from the kernel.
        Forkpy(crate::forkpy_cli::ForkpyArgs),
        /// Engine speed and trace memory on a long fork/exit/wait loop.
        Bench {
            /// Rounds of fork, exit, wait (1 to 1,000,000).
            #[arg(long, value_name = "N", default_value_t = 100_000)]
            iterations: u64,
        },
    }

    #[derive(Subcommand)]
    enum LinkCmd {
        /// Print the URL fragment (after `#`) that opens FILE in the web app.
        Encode {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            /// The step the link opens at.
            #[arg(long, value_name = "N", default_value_t = 0)]
            step: u64,
        },
        /// Print the scenario a fragment holds (its design and step go to stderr).
        Decode {
            /// The fragment, from `v=` on.
            fragment: String,
        },
    }

    #[derive(clap::Args)]
    struct DesignArg {
        /// The design to run, instead of the scenario's own `design` line.
        #[arg(long = "design", value_name = "DESIGN", value_parser = design_parser())]
        design: Option<Design>,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum Format {
        Text,
        Json,
    }

    #[derive(Clone, Copy)]
    enum At {
        Step(u64),
        End,
    }

    /// Every design by name, from `Design::ALL`: a new design is accepted and listed in
    /// `--help` without touching the CLI.
    fn design_parser() -> impl TypedValueParser<Value = Design> {
        PossibleValuesParser::new(Design::ALL.map(Design::name))
            .try_map(|s| Design::from_name(&s).ok_or("not a design"))
    }

    fn parse_at(s: &str) -> Result<At, String> {
        match s {
            "end" => Ok(At::End),
            _ => s
                .parse()
                .map(At::Step)
                .map_err(|_| format!("`{s}` is not a step number or `end`")),
        }
    }

    /// Why the CLI stops early.
    enum Fail {
        /// A scenario that does not load or an impossible request: the message, exit 2.
        Input(String),
        /// Writing the output failed (a closed pipe is not a failure: see `main`).
        Output(io::Error),
    }

    impl From<String> for Fail {
        fn from(msg: String) -> Fail {
            Fail::Input(msg)
        }
    }

    impl From<io::Error> for Fail {
        fn from(e: io::Error) -> Fail {
            Fail::Output(e)
        }
    }

    /// Usage errors are clap's: the message and exit status 2 (`--help`: 0).
    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let mut out = BufWriter::new(io::stdout().lock());
        match run(cli.cmd, &mut out).and_then(|()| Ok(out.flush()?)) {
            Ok(()) => ExitCode::SUCCESS,
            // `exitpath run X | head`: the reader has what it wanted.
            Err(Fail::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(Fail::Output(e)) => {
                eprintln!("exitpath: writing the output: {e}");
                ExitCode::FAILURE
            }
            Err(Fail::Input(msg)) => {
                eprintln!("exitpath: {msg}");
                ExitCode::from(2)
            }
        }
    }

    fn load(path: &Path) -> Result<(String, Scenario), String> {
        let p = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{p}: {e}"))?;
        let sc = scenario::parse(&text)
            .map_err(|e| format!("{p}:{}:{}: {}", e.line, e.col, e.message))?;
        Ok((text, sc))
    }

    fn json(v: &impl serde::Serialize, pretty: bool) -> Result<String, String> {
        let s = if pretty {
            serde_json::to_string_pretty(v)
        } else {
            serde_json::to_string(v)
        };
        s.map_err(|e| e.to_string())
    }

    fn run(cmd: Cmd, out: &mut impl Write) -> Result<(), Fail> {
        match cmd {
            Cmd::Run {
                file,
                design,
                format,
            } => {
                let (_, sc) = load(&file)?;
                let d = design.design;
                match format {
                    Format::Text => out.write_all(report::trace_text(&sc, d).1.as_bytes())?,
                    Format::Json => {
                        let t = Sim::new(&sc, d).run_to_end(true);
                        let v = serde_json::json!({
                            "steps": t.steps,
                            "narration": t.narration,
                            "actions": t.actions,
                            "findings": t.findings,
                        });
                        writeln!(out, "{}", json(&v, false)?)?;
                    }
                }
            }
            Cmd::Metrics { file, design } => {
                let (_, sc) = load(&file)?;
                let sim = Sim::new(&sc, design.design);
                let d = sim.cfg.design;
                let t = sim.run_to_end(false);
                writeln!(out, "{}", json(&Metrics::of(d, &t), true)?)?;
            }
            Cmd::State { file, design, at } => {
                let (_, sc) = load(&file)?;
                let t = Sim::new(&sc, design.design).run_to_end(false);
                let len = t.steps.len() as u64;
                let n = match at {
                    At::End => len,
                    At::Step(n) if n > len => {
                        return Err(format!("--at {n}: the run has only {len} micro-steps").into())
                    }
                    At::Step(n) => n,
                };
                let sim = Sim::at(&sc, design.design, &t, n);
                writeln!(out, "{}", json(&Snapshot::of(&sim), true)?)?;
            }
            Cmd::Compare { file } => {
                let (_, sc) = load(&file)?;
                let rows: Vec<Metrics> = Design::ALL
                    .iter()
                    .map(|&d| Metrics::of(d, &Sim::new(&sc, Some(d)).run_to_end(false)))
                    .collect();
                out.write_all(report::compare_table(&rows).as_bytes())?;
            }
            Cmd::Why {
                file,
                design,
                at,
                cell,
                depth,
            } => {
                let (text, _) = load(&file)?;
                let cell: exitpath::engine::why::Cell = cell.parse()?;
                let s =
                    exitpath::engine::session::Session::new(&text, design.design).map_err(|e| {
                        format!("{}:{}:{}: {}", file.display(), e.line, e.col, e.message)
                    })?;
                if at > s.len() {
                    return Err(
                        format!("--at {at}: the run has only {} micro-steps", s.len()).into(),
                    );
                }
                let w = s.why(cell, at, depth).map_err(|e| e.to_string())?;
                writeln!(out, "{}", json(&w, true)?)?;
            }
            Cmd::Bench { iterations } => exitpath::engine::bench::run(iterations, out)?,
            Cmd::Forkpy(args) => crate::forkpy_cli::run(args, out).map_err(|e| match e {
                exitpath::engine::forkpy_run::Error::Input(m) => Fail::Input(m),
                exitpath::engine::forkpy_run::Error::Output(e) => Fail::Output(e),
            })?,
            Cmd::Link {
                cmd: LinkCmd::Encode { file, design, step },
            } => {
                let (text, sc) = load(&file)?;
                let design = design.design.or(sc.design).unwrap_or(Design::Patch);
                let mut st = exitpath::link::LinkState::new(text, design);
                st.step = step;
                st.switches = sc.switches.clone();
                let frag = exitpath::link::encode_checked(&st).map_err(|e| e.to_string())?;
                writeln!(out, "{frag}")?;
            }
            Cmd::Link {
                cmd: LinkCmd::Decode { fragment },
            } => {
                let st = exitpath::link::decode(&fragment)
                    .map_err(|e| format!("this link does not open: {e}"))?;
                eprintln!("design {}, step {}", st.design.name(), st.step);
                out.write_all(st.scenario.as_bytes())?;
            }
        }
        Ok(())
    }
}
