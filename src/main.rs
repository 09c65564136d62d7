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
    use exitpath::engine::explore::{self, ExploreReport, Explorer};
    use exitpath::engine::export;
    use exitpath::engine::metrics::Metrics;
    use exitpath::engine::report;
    use exitpath::engine::scenario::{self, Scenario};
    use exitpath::engine::schedule::Schedule;
    use exitpath::engine::session::Session;
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
            #[command(flatten)]
            schedule: ScheduleArg,
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
            #[command(flatten)]
            schedule: ScheduleArg,
        },
        /// Print the full kernel state at one step as JSON.
        State {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            #[command(flatten)]
            schedule: ScheduleArg,
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
        /// Predict, then reveal: multiple-choice questions generated from the run's trace
        /// (which function runs next, what a cell holds after an action, who frees a TSS
        /// or u-area, which processes init adopts), the same the page's Predict panel
        /// asks for that seed.
        #[command(
            after_help = "JSON: {\"seed\": S, \"questions\": [{\"step\": N, \"question\": \"...\", \
                          \"choices\": [...], \"answer\": INDEX, \"explanation\": \"...\"}]}, with \
                          answer and explanation only under --answers. `step` is the position \
                          the question is asked at (the state after N micro-steps)."
        )]
        Quiz {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            /// The seed: the same seed gives the same questions, here and in the page.
            #[arg(long, value_name = "S", default_value_t = 1)]
            seed: u64,
            /// How many questions (fewer when the run has less to ask).
            #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1000))]
            count: u64,
            /// Print the answers and explanations too.
            #[arg(long)]
            answers: bool,
            /// Instead of the seeded quiz, the questions the page's "Ask" asks at this
            /// position (the state after N micro-steps), one per kind (or `--kind`).
            #[arg(long, value_name = "N")]
            at: Option<u64>,
            /// With --at: only this kind (step, action, event, frees, adopts).
            #[arg(long, value_name = "KIND", requires = "at", value_parser = ["step", "action", "event", "frees", "adopts"])]
            kind: Option<String>,
            #[arg(long, value_enum, default_value_t = Format::Text)]
            format: Format,
        },
        /// Write a run for a trace viewer: `perfetto`, the Chrome trace-event JSON that
        /// ui.perfetto.dev and chrome://tracing open (a process per proc, a thread per
        /// LWP with a slice per l_stat, a track per CPU with a slice per kernel
        /// function, counters, findings; 1 us per micro-step), or `json`, the trace as
        /// `run --format json` prints it.
        Export {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            #[command(flatten)]
            schedule: ScheduleArg,
            /// perfetto: Chrome trace-event JSON; json: steps, narration, actions, findings.
            #[arg(long, value_enum)]
            format: ExportFormat,
            /// Write to this file instead of standard output.
            #[arg(short = 'o', long = "output", value_name = "OUT")]
            output: Option<PathBuf>,
        },
        /// OSTEP fork.py's process-tree exercises, with the trees read from the kernel.
        Forkpy(crate::forkpy_cli::ForkpyArgs),
        /// Explore every schedule of a two-CPU scenario with at most K preemptions and
        /// print each distinct finding with the shortest schedule found for it.
        Explore {
            /// The scenario file (.scn).
            file: PathBuf,
            #[command(flatten)]
            design: DesignArg,
            /// At most this many preemptions (switching away from a CPU that could go
            /// on); searched in turn with 0, 1, ..., K.
            #[arg(long, value_name = "K", default_value_t = explore::PREEMPTIONS_DEFAULT)]
            preemptions: u8,
            /// Stop after this many states (micro-steps run); the report then says the
            /// search is not complete.
            #[arg(long, value_name = "N", default_value_t = explore::MAX_STATES_DEFAULT)]
            max_states: u64,
            /// text: a readable report; json: one object.
            #[arg(long, value_enum, default_value_t = Format::Text)]
            format: Format,
            /// Turn a reduction off, to measure what it saves: spins, visited, local,
            /// sparse (docs/model.md §13). The findings stay the same; the cost grows.
            #[arg(long, value_name = "REDUCTION", value_enum)]
            without: Vec<Reduction>,
        },
        /// Engine speed and trace memory on a long fork/exit/wait loop.
        Bench {
            /// Rounds of fork, exit, wait (1 to 1,000,000).
            #[arg(long, value_name = "N", default_value_t = 100_000)]
            iterations: u64,
            /// Instead: on the page's long run (7,600 rounds, about 1 M micro-steps),
            /// `why` for every cell, lifelines and the Perfetto export.
            #[arg(long)]
            history: bool,
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
            #[command(flatten)]
            schedule: ScheduleArg,
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

    #[derive(clap::Args)]
    struct ScheduleArg {
        /// Which CPU runs at each choice point (both CPUs could run), as run lengths:
        /// `0:3,1:2,0:5`; round robin after its end. Instead of the scenario's own
        /// `schedule` line; `rr` is round robin.
        #[arg(long = "schedule", value_name = "S", value_parser = parse_schedule)]
        schedule: Option<Schedule>,
    }

    impl ScheduleArg {
        /// The scenario with this schedule, if one was given.
        fn apply(&self, mut sc: Scenario) -> Scenario {
            if let Some(s) = &self.schedule {
                sc.schedule = s.clone();
            }
            sc
        }
    }

    fn parse_schedule(s: &str) -> Result<Schedule, String> {
        Schedule::parse(s).map_err(|e| e.to_string())
    }

    #[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
    enum Reduction {
        Spins,
        Visited,
        Local,
        Sparse,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum Format {
        Text,
        Json,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum ExportFormat {
        Perfetto,
        Json,
        /// The lifelines as an SVG picture (engine::lifelines_svg)
        Svg,
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

    /// The run of the scenario in `path` held for browsing (`why`, `quiz`), errors as
    /// `load` gives them.
    fn load_session(
        path: &Path,
        design: Option<Design>,
    ) -> Result<exitpath::engine::session::Session, String> {
        let (text, _) = load(path)?;
        exitpath::engine::session::Session::new(&text, design)
            .map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))
    }

    /// `--at N` must be a position of the run: at most its micro-steps.
    fn position(at: u64, s: &exitpath::engine::session::Session) -> Result<u64, String> {
        if at > s.len() {
            return Err(format!(
                "--at {at}: the run has only {} micro-steps",
                s.len()
            ));
        }
        Ok(at)
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
                schedule,
                format,
            } => {
                let (_, sc) = load(&file)?;
                let sc = schedule.apply(sc);
                let d = design.design;
                match format {
                    Format::Text => out.write_all(report::trace_text(&sc, d).1.as_bytes())?,
                    Format::Json => writeln!(out, "{}", export::trace_json(&sc, d))?,
                }
            }
            Cmd::Metrics {
                file,
                design,
                schedule,
            } => {
                let (_, sc) = load(&file)?;
                let sc = schedule.apply(sc);
                let sim = Sim::new(&sc, design.design);
                let d = sim.cfg.design;
                let t = sim.run_to_end(false);
                writeln!(out, "{}", json(&Metrics::of(d, &t), true)?)?;
            }
            Cmd::State {
                file,
                design,
                schedule,
                at,
            } => {
                let (_, sc) = load(&file)?;
                let sc = schedule.apply(sc);
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
                let s = load_session(&file, design.design)?;
                let cell: exitpath::engine::why::Cell = cell.parse()?;
                let at = position(at, &s)?;
                let w = s.why(cell, at, depth).map_err(|e| e.to_string())?;
                writeln!(out, "{}", json(&w, true)?)?;
            }
            Cmd::Quiz {
                file,
                design,
                seed,
                count,
                answers,
                at,
                kind,
                format,
            } => {
                use exitpath::engine::quiz;
                let s = load_session(&file, design.design)?;
                let at = at.map(|n| position(n, &s)).transpose()?;
                let others = quiz::others(&s);
                let qs = match at {
                    None => quiz::quiz(&s, &others, seed, count as usize),
                    Some(n) => quiz::Ask::ALL
                        .into_iter()
                        .filter(|a| kind.as_deref().is_none_or(|k| k == a.id()))
                        .filter_map(|a| quiz::ask(&s, &others, n, a, seed))
                        .collect(),
                };
                match format {
                    Format::Json => writeln!(out, "{}", quiz::json(seed, &qs, answers))?,
                    Format::Text => out.write_all(quiz::text(&s, seed, &qs, answers).as_bytes())?,
                }
            }
            Cmd::Export {
                file,
                design,
                schedule,
                format,
                output,
            } => {
                let (text, sc) = load(&file)?;
                let sc = schedule.apply(sc);
                let mut to_file;
                let w: &mut dyn Write = match &output {
                    Some(path) => {
                        let f = std::fs::File::create(path).map_err(|e| {
                            Fail::Output(io::Error::new(
                                e.kind(),
                                format!("{}: {e}", path.display()),
                            ))
                        })?;
                        to_file = BufWriter::new(f);
                        &mut to_file
                    }
                    None => out,
                };
                match format {
                    ExportFormat::Json => {
                        writeln!(w, "{}", export::trace_json(&sc, design.design))?
                    }
                    ExportFormat::Perfetto | ExportFormat::Svg => {
                        let s = Session::with_schedule(&text, design.design, &sc.schedule)
                            .map_err(|e| {
                                format!("{}:{}:{}: {}", file.display(), e.line, e.col, e.message)
                            })?;
                        if let ExportFormat::Svg = format {
                            w.write_all(exitpath::engine::lifelines_svg::svg(&s).as_bytes())?;
                        } else {
                            export::perfetto(&s, w)?;
                        }
                    }
                }
                w.flush()?;
            }
            Cmd::Bench { history: true, .. } => exitpath::engine::bench::history(out)?,
            Cmd::Bench { iterations, .. } => exitpath::engine::bench::run(iterations, out)?,
            Cmd::Forkpy(args) => crate::forkpy_cli::run(args, out).map_err(|e| match e {
                exitpath::engine::forkpy_run::Error::Input(m) => Fail::Input(m),
                exitpath::engine::forkpy_run::Error::Output(e) => Fail::Output(e),
            })?,
            Cmd::Explore {
                file,
                design,
                preemptions,
                max_states,
                format,
                without,
            } => {
                let (_, sc) = load(&file)?;
                let red = explore::Reductions {
                    spins: !without.contains(&Reduction::Spins),
                    visited: !without.contains(&Reduction::Visited),
                    local: !without.contains(&Reduction::Local),
                    sparse: !without.contains(&Reduction::Sparse),
                };
                let t0 = std::time::Instant::now();
                let mut e =
                    Explorer::new(&sc, design.design, preemptions, max_states).with_reductions(red);
                while !e.advance(1 << 20) {}
                let secs = t0.elapsed().as_secs_f64();
                let r = e.report();
                let rss = peak_rss_bytes();
                let cpu = cpu_seconds();
                match format {
                    Format::Text => {
                        out.write_all(explore_text(&file, &r, secs, cpu, rss).as_bytes())?
                    }
                    Format::Json => {
                        let findings: Vec<_> =
                            r.findings.iter().map(|f| f.json(r.design)).collect();
                        let v = serde_json::json!({
                            "design": r.design.name(),
                            "cpus": r.cpus,
                            "preemptions": r.bound,
                            "states": r.states,
                            "distinct": r.distinct,
                            "schedules": r.schedules,
                            "pruned": r.pruned,
                            "spins_skipped": r.spins_skipped,
                            "seconds": (secs * 1000.0).round() / 1000.0,
                            "cpu_seconds": cpu.map(|c| (c * 1000.0).round() / 1000.0),
                            "local_skipped": r.local_skipped,
                            "peak_rss_bytes": rss,
                            "complete": r.complete,
                            "complete_bound": r.complete_bound,
                            "findings": findings,
                        });
                        writeln!(out, "{}", json(&v, false)?)?;
                    }
                }
            }
            Cmd::Link {
                cmd:
                    LinkCmd::Encode {
                        file,
                        design,
                        step,
                        schedule,
                    },
            } => {
                let (text, sc) = load(&file)?;
                let design = design.design.or(sc.design).unwrap_or(Design::Patch);
                let mut st = exitpath::link::LinkState::new(text, design);
                st.step = step;
                st.switches = sc.switches.clone();
                st.schedule = schedule.schedule.unwrap_or_default();
                let frag = exitpath::link::encode_checked(&st).map_err(|e| e.to_string())?;
                writeln!(out, "{frag}")?;
            }
            Cmd::Link {
                cmd: LinkCmd::Decode { fragment },
            } => {
                let st = exitpath::link::decode(&fragment)
                    .map_err(|e| format!("this link does not open: {e}"))?;
                if st.schedule.is_round_robin() {
                    eprintln!("design {}, step {}", st.design.name(), st.step);
                } else {
                    eprintln!(
                        "design {}, step {}, schedule {}",
                        st.design.name(),
                        st.step,
                        st.schedule
                    );
                }
                out.write_all(st.scenario.as_bytes())?;
            }
        }
        Ok(())
    }

    /// The process's peak resident set (VmHWM), where the system says (Linux).
    fn peak_rss_bytes() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    /// CPU time this process has run, where the system says (Linux: schedstat, ns).
    fn cpu_seconds() -> Option<f64> {
        let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
        let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
        Some(ns as f64 / 1e9)
    }

    fn explore_text(
        file: &Path,
        r: &ExploreReport,
        secs: f64,
        cpu: Option<f64>,
        rss: Option<u64>,
    ) -> String {
        use std::fmt::Write as _;
        let mut o = String::new();
        let plural = |n: u64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let _ = writeln!(
            o,
            "explore {}: design {}, {} CPU{}, at most {}",
            file.display(),
            r.design.name(),
            r.cpus,
            if r.cpus == 1 { "" } else { "s" },
            plural(u64::from(r.bound), "preemption")
        );
        let done = match (r.complete, r.complete_bound) {
            (true, _) => format!(
                "complete: every schedule with at most {} was explored",
                plural(u64::from(r.bound), "preemption")
            ),
            (false, Some(k)) => format!(
                "NOT complete: the state limit stopped it; complete up to {}",
                plural(u64::from(k), "preemption")
            ),
            (false, None) => {
                "NOT complete: the state limit stopped it before any bound was done".into()
            }
        };
        let _ = writeln!(o, "{done}");
        let _ = writeln!(
            o,
            "states {} (micro-steps run), distinct {}, schedules {}, pruned {}, spins skipped {}, \
             local steps not branched {}",
            r.states, r.distinct, r.schedules, r.pruned, r.spins_skipped, r.local_skipped
        );
        let rate = if secs > 0.0 {
            r.states as f64 / secs
        } else {
            0.0
        };
        let mem = rss
            .map(|b| format!(", peak memory {:.1} MB", b as f64 / 1e6))
            .unwrap_or_default();
        let cpu = cpu
            .map(|c| format!(", {c:.3} s of CPU"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "time {secs:.3} s{cpu} ({:.2} M states/s){mem}",
            rate / 1e6
        );
        let _ = writeln!(o, "findings: {}", r.findings.len());
        for f in &r.findings {
            let (func, line) = f.where_(r.design);
            let _ = writeln!(
                o,
                "  {} at {func}:{line}, step {}, {}",
                f.check.name(),
                f.step,
                plural(u64::from(f.preemptions), "preemption")
            );
            let _ = writeln!(o, "    schedule {}", f.schedule);
            let _ = writeln!(o, "    {}", f.message);
        }
        o
    }
}
