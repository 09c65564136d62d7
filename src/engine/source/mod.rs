//! The project's own annotated pseudo-source of every kernel function, per design.
//! Each line is both what the source panel shows and what the engine executes: a
//! micro-step runs exactly one line, so the highlight can never disagree with the model.

use super::design::Design;
use super::func::{Body, Func, Line, Mark, Op};

/// `body_of!(signature, file, LINES)`: a `&'static Body`.
macro_rules! body_of {
    ($sig:expr, $file:expr, $lines:expr) => {{
        const B: crate::engine::func::Body = crate::engine::func::Body {
            signature: $sig,
            file: $file,
            lines: $lines,
        };
        &B
    }};
}

// The listings keep one Rust line per pseudo-source line: rustfmt's wrapping would
// hide the listing's shape.
#[rustfmt::skip]
mod committed;
#[rustfmt::skip]
mod common;
#[rustfmt::skip]
mod fixed;
#[rustfmt::skip]
mod patch;
#[rustfmt::skip]
mod reaper;

pub(crate) const fn s(text: &'static str, op: Op) -> Line {
    Line {
        text,
        op,
        mark: Mark::Same,
    }
}

pub(crate) const fn n(text: &'static str, op: Op) -> Line {
    Line {
        text,
        op,
        mark: Mark::New,
    }
}

pub(crate) const fn g(text: &'static str, op: Op) -> Line {
    Line {
        text,
        op,
        mark: Mark::Gone,
    }
}

/// The body of `func` in `design`, or `None` when the design has no such function
/// (`reaper` and `exit2` do not exist after the patch; `uvm_uarea_drain` not before;
/// `cpu_wait` became `cpu_lwp_free` in the committed form).
pub fn body(design: Design, func: Func) -> Option<&'static Body> {
    let specific = match design {
        Design::Reaper => reaper::body(func),
        Design::Patch => patch::body(func),
        Design::Committed | Design::Fixed if func == Func::cpu_wait => return None,
        Design::Committed => committed::body(func).or_else(|| patch::body(func)),
        Design::Fixed => fixed::body(func)
            .or_else(|| committed::body(func))
            .or_else(|| patch::body(func)),
    };
    specific.or_else(|| common::body(func))
}

/// Every function that exists in `design`, in `Func` order.
pub fn functions(design: Design) -> Vec<&'static Body> {
    Func::ALL.iter().filter_map(|f| body(design, *f)).collect()
}

/// The line of `func` at `pc`, if any.
pub fn line(design: Design, func: Func, pc: u16) -> Option<&'static Line> {
    body(design, func).and_then(|b| b.lines.get(pc as usize))
}

/// The 1-based line number in the rendered listing of `func` where line `pc` starts
/// (line 1 is the signature; multi-line statements take several listing lines).
pub fn listing_line(body: &Body, pc: u16) -> u32 {
    let mut n = 2;
    for l in body.lines.iter().take(pc as usize) {
        n += l.text.lines().count().max(1) as u32;
    }
    n
}

/// The function as text: signature, `{`-less body indented, one statement per line.
pub fn render(body: &Body) -> String {
    let mut out = String::new();
    out.push_str(body.signature);
    out.push('\n');
    for l in body.lines {
        for t in l.text.lines() {
            out.push_str("    ");
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every jump target in every body is inside the body.
    #[test]
    fn jump_targets_in_range() {
        for d in Design::ALL {
            for b in functions(d) {
                for (i, l) in b.lines.iter().enumerate() {
                    let Some(t) = l.op.target() else { continue };
                    assert!(
                        (t as usize) < b.lines.len(),
                        "{:?} {} line {i} jumps to {t}",
                        d,
                        b.signature
                    );
                }
            }
        }
    }
}
