//! The lifelines as one standalone SVG document (for slides and handouts): a lane per
//! process and per LWP coloured by state, the counters as step plots, a legend and the
//! run's design and length. The CLI's `export --format svg` and the page's "Download
//! SVG" both write this.

use super::lifelines::{Counter, Lifelines, LwpPhase, ProcPhase, Series, Span};
use super::session::Session;
use super::state::{LStat, PStat};
use std::fmt::Write;

/// Lanes of each kind drawn; the rest are counted in a note (Perfetto has them all).
pub const MAX_LANES: usize = 200;

const LABEL_W: u64 = 170;
const LANE_W: u64 = 900;
const ROW_H: u64 = 12;
const PLOT_H: u64 = 30;

/// Fill colours by state: the page's light lane palette, by the custom property each
/// is in static/style.css (tests/colours.rs checks they agree, and that they stay apart
/// for colour-blind readers).
pub const PALETTE: [(&str, &str); 7] = [
    ("--ll-idl", IDL),
    ("--ll-sactive", SACTIVE),
    ("--ll-run", RUN),
    ("--ll-onproc", ONPROC),
    ("--ll-sleep", SLEEP),
    ("--ll-dead", DEAD),
    ("--ll-zomb", ZOMB),
];
const IDL: &str = "#f9af19";
const SACTIVE: &str = "#b8dfaa";
const RUN: &str = "#00ac7e";
const ONPROC: &str = "#006eb9";
const SLEEP: &str = "#b1b8c3";
const DEAD: &str = "#d45e01";
const ZOMB: &str = "#8a326b";

/// Not by colour alone (as on the page): a bar as tall as the thing is alive, lower
/// asleep, thin once dead or a zombie.
fn inset(fill: &str) -> u64 {
    match fill {
        SLEEP => 2,
        DEAD | ZOMB => 3,
        _ => 0,
    }
}

fn lstat_fill(s: LStat) -> &'static str {
    match s {
        LStat::LSIDL | LStat::LSSTOP | LStat::LSSUSPENDED => IDL,
        LStat::LSRUN => RUN,
        LStat::LSONPROC => ONPROC,
        LStat::LSSLEEP => SLEEP,
        LStat::LSZOMB => ZOMB,
        LStat::LSDEAD => DEAD,
    }
}

fn pstat_fill(s: PStat) -> &'static str {
    match s {
        PStat::SIDL | PStat::SSTOP => IDL,
        PStat::SACTIVE => SACTIVE,
        PStat::SZOMB => ZOMB,
        PStat::SDEAD => DEAD,
    }
}

/// `&`, `<`, `>` and `"` escaped for SVG text and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn x(p: u64, end: u64) -> u64 {
    LABEL_W
        + (p * LANE_W)
            .checked_div(end.max(1))
            .unwrap_or(0)
            .min(LANE_W)
}

fn lane<T: Copy>(
    out: &mut String,
    y: u64,
    label: &str,
    spans: &[Span<T>],
    end: u64,
    fill: impl Fn(T) -> Option<&'static str>,
) {
    let _ = writeln!(
        out,
        "<text x=\"4\" y=\"{}\" class=\"l\">{}</text>",
        y + ROW_H - 3,
        esc(label)
    );
    for s in spans {
        if let Some(f) = fill(s.state) {
            let (x0, x1) = (x(s.from, end), x(s.to, end));
            let inset = inset(f);
            let _ = writeln!(
                out,
                "<rect x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{f}\" stroke=\"#404a5a\" stroke-width=\"0.2\"/>",
                y + 1 + inset,
                (x1 - x0).max(1),
                ROW_H - 2 - 2 * inset
            );
        }
    }
}

fn plot(out: &mut String, y: u64, s: &Series, end: u64, limit: Option<u32>) {
    let top = s.top(limit);
    let yv = |v: u32| y + PLOT_H - 2 - u64::from(v) * (PLOT_H - 4) / u64::from(top);
    let max = s.points.iter().map(|p| p.1).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "<text x=\"4\" y=\"{}\" class=\"l\">{} (max {max})</text>",
        y + PLOT_H / 2 + 4,
        esc(s.counter.name())
    );
    if let Some(l) = limit {
        let _ = writeln!(
            out,
            "<line x1=\"{LABEL_W}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\"/>",
            LABEL_W + LANE_W,
            yv(l),
            yv(l)
        );
    }
    let d = s.step_path(|p| x(p, end), yv, LABEL_W + LANE_W);
    let _ = writeln!(
        out,
        "<path d=\"{d}\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"1.5\"/>"
    );
}

/// The lifelines of `s` as an SVG document.
pub fn svg(s: &Session) -> String {
    let ll: &Lifelines = s.lifelines();
    let end = ll.end;
    let procs = ll.procs.len().min(MAX_LANES) as u64;
    let lwps = ll.lwps.len().min(MAX_LANES) as u64;
    let more = ll.procs.len() > MAX_LANES || ll.lwps.len() > MAX_LANES;
    let height = 40 + 3 * (PLOT_H + 4) + (procs + lwps) * ROW_H + 30 + if more { 16 } else { 0 };
    let width = LABEL_W + LANE_W + 10;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"10\">"
    );
    let _ = writeln!(out, "<style>.l {{ fill: #1d2330; }}</style><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        out,
        "<text x=\"4\" y=\"14\" font-size=\"12\" font-weight=\"bold\" class=\"l\">exitpath lifelines: design {}, {} micro-steps</text>",
        s.design.name(),
        s.len()
    );
    // legend
    let mut lx = 4;
    for (fill, name) in [
        (IDL, "SIDL/LSIDL"),
        (SACTIVE, "SACTIVE"),
        (RUN, "LSRUN"),
        (ONPROC, "LSONPROC"),
        (SLEEP, "LSSLEEP"),
        (DEAD, "SDEAD/LSDEAD"),
        (ZOMB, "SZOMB/LSZOMB"),
    ] {
        let _ = writeln!(out, "<rect x=\"{lx}\" y=\"22\" width=\"10\" height=\"8\" fill=\"{fill}\" stroke=\"#404a5a\" stroke-width=\"0.3\"/><text x=\"{}\" y=\"30\" class=\"l\">{name}</text>", lx + 13);
        lx += 13 + 7 * name.len() as u64 + 14;
    }
    let mut y = 40;
    for series in &ll.counters {
        let limit = (series.counter == Counter::UvmNuarea).then_some(ll.uvm_nuarea_max);
        plot(&mut out, y, series, end, limit);
        y += PLOT_H + 4;
    }
    for l in ll.procs.iter().take(MAX_LANES) {
        lane(
            &mut out,
            y,
            &format!("{} {}", l.pid, l.name),
            &l.spans,
            end,
            |p| match p {
                ProcPhase::Stat(s) => Some(pstat_fill(s)),
                ProcPhase::Reaped => None,
            },
        );
        y += ROW_H;
    }
    for l in ll.lwps.iter().take(MAX_LANES) {
        lane(
            &mut out,
            y,
            &format!("{}.{} {}", l.pid, l.lid, l.name),
            &l.spans,
            end,
            |p| match p {
                LwpPhase::Stat(s) => Some(lstat_fill(s)),
                LwpPhase::Freed => None,
            },
        );
        y += ROW_H;
    }
    if more {
        let _ = writeln!(
            out,
            "<text x=\"4\" y=\"{}\" class=\"l\">{} processes and {} LWPs in all: the first {MAX_LANES} of each are drawn</text>",
            y + 12,
            ll.procs.len(),
            ll.lwps.len()
        );
    }
    out.push_str("</svg>\n");
    out
}
