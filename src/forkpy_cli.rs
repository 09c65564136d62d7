//! `exitpath forkpy`: the command-line arguments (fork.py's, plus `--design`,
//! `--format` and `--stats`) and their reading; the work is
//! `exitpath::engine::forkpy_run`.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use exitpath::engine::forkpy_run::{self, Checks, Error, Format, Options, Style, DEFAULT_DESIGN};
use exitpath::engine::Design;
use std::io::Write;
use std::time::Instant;

/// fork.py's process-tree exercises (OSTEP, cpu-api) with NetBSD underneath: a list
/// of forks and exits runs in the kernel model, and each tree is what the kernel
/// holds after the action (each process's p_pptr; zombies marked `(zombie)`;
/// orphans under init).
///
/// "After action k" is the kernel's state at the micro-step where the next entry's
/// process takes its turn: by then the process of action k is back in its turn
/// wait (or gone), and in `reaper` the reaper has run. After the last action, it is
/// the moment the end-of-list exits begin (or the end of the run, when no process is
/// left). Random lists come from exitpath's own generator (splitmix64 of the seed):
/// the same seed gives the same list everywhere, but not fork.py's list.
#[derive(Args, Debug)]
#[command(
    after_help = "After action k: the kernel's state at the micro-step where the next \
entry's process takes its turn (forkpy_turn advances): by then the process of action k is back \
in its turn wait (or gone), and in `reaper` the reaper has run. After the last action: the \
moment the end-of-list exits begin (or the end of the run, when no process is left). Trees \
are each process's p_pptr: zombies are marked `(zombie)`, orphans are under init.\n\nEntries: `x+y` (x forks the new process y), `x-` (x exits), `x w` \
(x waits for one child: wait4 reaps its most recently forked zombie child; exitpath only, \
x needs a zombie child). Processes never wait otherwise, so every exited process stays a \
zombie until its parent exits and init reaps it.\n\nNo step limit: a list of any length \
runs, keeping only the kernel's current state, as long as the model can hold its \
processes (4096 at once, live or zombie, LWPS_MAX): at -f 0.7 a list fills it after about \
7,500 actions; at -f 0.5, 100,000 actions stay under 2,000 processes (a clear error \
otherwise).\n\nRandom lists come from exitpath's own generator \
(splitmix64 of the seed): the same seed gives the same list everywhere, not fork.py's list."
)]
pub struct ForkpyArgs {
    /// The random seed of the generated list (fork.py's -s; any integer).
    #[arg(
        short = 's',
        long = "seed",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    seed: i64,
    /// Fraction of generated actions that are forks, 0 to 1 (the rest are exits).
    #[arg(short = 'f', long = "forks", default_value_t = 0.7)]
    forks: f64,
    /// Number of actions to generate.
    #[arg(short = 'a', long = "actions", default_value_t = 5)]
    actions: u64,
    /// The action list instead of a generated one, e.g. `a+b,b+c,b-`; `@FILE` reads it
    /// from FILE (entries separated by commas or line breaks, `#` comments).
    #[arg(
        short = 'A',
        long = "action_list",
        visible_alias = "action-list",
        value_name = "LIST|@FILE"
    )]
    action_list: Option<String>,
    /// Show the trees and ask for the actions (instead of the reverse).
    #[arg(short = 't', long = "show_tree", visible_alias = "show-tree")]
    show_tree: bool,
    /// Only the final tree.
    #[arg(short = 'F', long = "final_only", visible_alias = "final-only")]
    final_only: bool,
    /// Only processes without live children exit (generated lists pick only those;
    /// in a given list, an exit of a process with children fails, as in fork.py).
    #[arg(short = 'L', long = "leaf_only", visible_alias = "leaf-only")]
    leaf_only: bool,
    /// fork.py's local reparenting; accepted and shown, but the kernel's rule stays:
    /// orphans go to init.
    #[arg(short = 'R', long = "local_reparent", visible_alias = "local-reparent")]
    local_reparent: bool,
    /// How trees are drawn.
    #[arg(short = 'P', long = "print_style", visible_alias = "print-style", value_enum, default_value_t = PrintStyle::Fancy)]
    print_style: PrintStyle,
    /// Compute the answers (print the trees, or the actions with -t).
    #[arg(short = 'c', long = "compute")]
    compute: bool,
    /// The kernel design (all give the same trees on one CPU).
    #[arg(long = "design", value_name = "DESIGN", value_parser = design_parser(), default_value = DEFAULT_DESIGN.name())]
    design: Design,
    /// text: fork.py's layout; json: {"args", "actions", "trees", "zombies", "kernel"},
    /// one tree per action (with -F, the final one), "init" as the parent of init's
    /// children.
    #[arg(long, value_enum, default_value_t = OutFormat::Text)]
    format: OutFormat,
    /// When the kernel model's state checks run: after every micro-step (as `exitpath
    /// run`; their cost grows with the number of processes), after every action, at
    /// the end only, or auto: every step for lists of up to 2,000 entries, every action
    /// up to 20,000, at the end beyond. Faults the code itself meets are found at their
    /// step either way.
    #[arg(long, value_enum, default_value_t = CheckArg::Auto)]
    checks: CheckArg,
    /// After each action, a `why:` line: what the kernel did (zombie until the parent
    /// waits, children to init, init reaps zombie orphans, wait4 reaps which child).
    #[arg(long)]
    why: bool,
    /// On stderr: micro-steps, seconds, peak memory, live and zombie peaks.
    #[arg(long)]
    stats: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CheckArg {
    Auto,
    EveryStep,
    EveryAction,
    End,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PrintStyle {
    Basic,
    Line1,
    Line2,
    Fancy,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutFormat {
    Text,
    Json,
}

fn design_parser() -> impl TypedValueParser<Value = Design> {
    PossibleValuesParser::new(Design::ALL.map(Design::name))
        .try_map(|s| Design::from_name(&s).ok_or("not a design"))
}

/// Runs the exercise, writing it to `out`.
pub fn run(args: ForkpyArgs, out: &mut impl Write) -> Result<(), Error> {
    let t0 = Instant::now();
    let (action_list, action_list_arg) = match args.action_list {
        None => (None, String::new()),
        Some(a) => match a.strip_prefix('@') {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::Input(format!("-A @{path}: {e}")))?;
                (Some(text), a.clone())
            }
            None => (Some(a.clone()), a),
        },
    };
    let opts = Options {
        seed: args.seed,
        forks: args.forks,
        actions: args.actions,
        action_list,
        action_list_arg,
        show_tree: args.show_tree,
        final_only: args.final_only,
        leaf_only: args.leaf_only,
        local_reparent: args.local_reparent,
        print_style: match args.print_style {
            PrintStyle::Basic => Style::Basic,
            PrintStyle::Line1 => Style::Line1,
            PrintStyle::Line2 => Style::Line2,
            PrintStyle::Fancy => Style::Fancy,
        },
        compute: args.compute,
        design: args.design,
        format: match args.format {
            OutFormat::Text => Format::Text,
            OutFormat::Json => Format::Json,
        },
        checks: match args.checks {
            CheckArg::Auto => Checks::Auto,
            CheckArg::EveryStep => Checks::EveryStep,
            CheckArg::EveryAction => Checks::EveryAction,
            CheckArg::End => Checks::End,
        },
        why: args.why,
    };
    let stats = forkpy_run::run(&opts, out)?;
    if args.stats {
        let secs = t0.elapsed().as_secs_f64();
        let peak = peak_rss_kib()
            .map(|k| format!("{:.1}", k as f64 / 1024.0))
            .unwrap_or_else(|| "unknown".into());
        eprintln!(
            "forkpy stats: actions {} processes {} micro-steps {} seconds {secs:.3} peak-rss-mb \
             {peak} live-peak {} zombies-peak {} live-final {} zombies-final {} findings {} \
             checks {}",
            stats.actions,
            stats.processes,
            stats.micro_steps,
            stats.live_peak,
            stats.zombies_peak,
            stats.live_final,
            stats.zombies_final,
            stats.findings.len(),
            stats.checks.replace(' ', "-")
        );
    }
    Ok(())
}

/// The process's peak resident set (VmHWM), in KiB, where /proc says it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
