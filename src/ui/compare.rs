//! Compare mode: the same scenario in two designs side by side, step-locked on actions
//! (the second side shows the same scenario action as the first: `state::lock_pos`),
//! with what differs between them marked, and a table of the metrics of both runs and
//! their difference.

use super::cpu::CpuPanel;
use super::faults::FaultsPanel;
use super::gdt::GdtPanel;
use super::header::design_label;
use super::lists::ListsPanel;
use super::narration::Narration;
use super::procs::ProcsPanel;
use super::source::SourcePanel;
use super::state::{Run, Verb};
use super::uarea::UareaPanel;
use super::view::{running_stack, View};
use crate::engine::metrics::Metrics;
use std::rc::Rc;
use yew::prelude::*;

/// The mean of `v` in tenths (integers only: no float formatting in the wasm).
fn mean10(v: &[u64]) -> Option<i64> {
    let n = v.len() as u64;
    (n > 0).then(|| ((v.iter().sum::<u64>() * 10 + n / 2) / n) as i64)
}

/// `v` (in tenths when `tenths`) as text, with a sign (a real minus) when `signed`.
fn fixed(v: i64, tenths: bool, signed: bool) -> String {
    let a = v.unsigned_abs();
    let num = if tenths {
        format!("{}.{}", a / 10, a % 10)
    } else {
        a.to_string()
    };
    match (signed, v.signum()) {
        (_, 0) => num,
        (true, 1) => format!("+{num}"),
        (_, -1) => format!("−{num}"),
        _ => num,
    }
}

/// (metric id, what it counts, how to read it from a run's metrics, in tenths?).
type Row = (
    &'static str,
    &'static str,
    fn(&Metrics) -> Option<i64>,
    bool,
);

const ROWS: [Row; 12] = [
    (
        "context_switches",
        "context switches (uvmexp.swtch)",
        |m| Some(m.context_switches as i64),
        false,
    ),
    (
        "reaper_wakeups",
        "reaper wake-ups",
        |m| Some(m.reaper_wakeups as i64),
        false,
    ),
    (
        "km_alloc",
        "uvm_km_alloc (u-areas)",
        |m| Some(m.km_alloc as i64),
        false,
    ),
    (
        "km_free",
        "uvm_km_free (u-areas)",
        |m| Some(m.km_free as i64),
        false,
    ),
    (
        "uarea_cache_hits",
        "u-area cache hits",
        |m| Some(m.uarea_cache_hits as i64),
        false,
    ),
    (
        "uarea_cache_peak",
        "u-area cache peak",
        |m| Some(m.uarea_cache_peak as i64),
        false,
    ),
    (
        "tss_slots_peak",
        "TSS slots peak",
        |m| Some(m.tss_slots_peak as i64),
        false,
    ),
    (
        "exit_to_reap_steps",
        "steps from exit() to reap (mean)",
        |m| mean10(&m.exit_to_reap_steps),
        true,
    ),
    (
        "exit_to_reap_switches",
        "switches from exit() to reap (mean)",
        |m| mean10(&m.exit_to_reap_switches),
        true,
    ),
    (
        "zombies_left",
        "zombies left at the end",
        |m| Some(m.zombies_left as i64),
        false,
    ),
    (
        "findings",
        "faults + broken invariants",
        |m| Some((m.faults.len() + m.invariant_violations.len()) as i64),
        false,
    ),
    (
        "micro_steps",
        "micro-steps",
        |m| Some(m.micro_steps as i64),
        false,
    ),
];

/// The metrics of both runs and their difference.
fn metrics_table(left: &Run, right: &Run) -> Html {
    let (l, r) = (&left.metrics, &right.metrics);
    let show = |v: Option<i64>, t: bool| v.map_or("—".to_string(), |v| fixed(v, t, false));
    let cut = l.truncated || r.truncated;
    html! {
        <div class="panel cmp-top">
            <table class="grid metrics-t" data-testid="compare-metrics">
                <caption>{ "Metrics of the whole run" }<span class="sub">{ " difference = right − left" }</span></caption>
                <thead><tr>
                    <th scope="col">{ "count" }</th>
                    <th scope="col" class="num">{ l.design.name() }</th>
                    <th scope="col" class="num">{ r.design.name() }</th>
                    <th scope="col" class="num">{ "difference" }</th>
                </tr></thead>
                <tbody>
                    { for ROWS.iter().map(|(id, name, get, dec)| {
                        let (a, b) = (get(l), get(r));
                        let d = a.zip(b).map(|(a, b)| b - a);
                        let nonzero = d.is_some_and(|d| d != 0);
                        html! {
                            <tr data-metric={*id}>
                                <th scope="row">{ *name }</th>
                                <td class="num">{ show(a, *dec) }</td>
                                <td class="num">{ show(b, *dec) }</td>
                                <td class={classes!("num", nonzero.then_some("diff"))} data-diff={d.map(|d| d.to_string()).unwrap_or_default()}>
                                    { d.map_or("—".to_string(), |d| fixed(d, *dec, true)) }
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <div class="cmp-guide">
                <h2>{ "Reading the comparison" }</h2>
                <p>{ "The same scenario runs in both designs. The controls move the left side; the right side follows to the same scenario action, as far into it as the left is into its own." }</p>
                <p><span class="diff">{ "dashed" }</span>{ " marks what differs between the two designs at this action: a process or LWP state, the u-area cache, the TSS slots in use, zombproc, what the step did." }</p>
                { if cut { html! {
                    <p class="tone-warn">{ "⚠ A run stopped at the step limit: the two runs cover different amounts of the scenario." }</p>
                } } else { html! {} } }
            </div>
        </div>
    }
}

/// One design's column: `run` at `pos` (its `view`), marked where it differs from
/// `other`; `idp` ("left-" / "right-") keeps element ids apart.
fn side(
    run: &Rc<Run>,
    pos: u64,
    v: &View,
    other: &View,
    idp: &'static str,
    playing: bool,
    on: &Callback<Verb>,
) -> Html {
    let action = run.action_at(pos);
    let differs =
        v.step.as_ref().map(|s| &s.narration) != other.step.as_ref().map(|s| &s.narration);
    let other = Some(other.snap.clone());
    let design = run.session.design;
    html! {
        <div class="cmp-side" data-testid={format!("cmp-{}", idp.trim_end_matches('-'))} data-design={design.name()}>
            <h2 class="cmp-head">
                <span>{ design_label(design) }</span>
                <output class="counter" data-testid="cmp-counter">{ format!("step {} / {}", pos, run.end()) }</output>
            </h2>
            <Narration step={v.step.clone()} action={action.as_ref().map(|a| a.0.clone())} note={action.and_then(|a| a.1)}
                {playing} {differs} />
            <SourcePanel {design} step={v.step.clone()} stack={running_stack(v)} {idp} />
            <ProcsPanel snap={v.snap.clone()} prev={v.prev.clone()} other={other.clone()} {idp} />
            <ListsPanel snap={v.snap.clone()} prev={v.prev.clone()} other={other.clone()} {idp} />
            <UareaPanel snap={v.snap.clone()} prev={v.prev.clone()} other={other.clone()} {idp} />
            <GdtPanel snap={v.snap.clone()} prev={v.prev.clone()} {other} {idp} />
            <CpuPanel snap={v.snap.clone()} prev={v.prev.clone()} ran={v.step.as_ref().map(|s| s.cpu)}
                idle_pcbs={run.idle_pcbs.clone()} />
            <FaultsPanel run={run.clone()} {pos} on={on.clone()} {idp} />
        </div>
    }
}

/// Both designs side by side, and their metrics: `left` at `lpos` (the run the controls
/// move) and `right` at `rpos` (locked to it), with their views `lv` and `rv`. A jump on
/// the right side (a fault's step) is `Verb::SeekCompare`, mapped back by action.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    left: &Rc<Run>,
    lpos: u64,
    lv: &View,
    right: &Rc<Run>,
    rpos: u64,
    rv: &View,
    playing: bool,
    on: &Callback<Verb>,
) -> Html {
    let on_right = on.reform(|v: Verb| match v {
        Verb::Seek(pos) => Verb::SeekCompare(pos),
        v => v,
    });
    html! {
        <section class="compare" data-testid="compare" aria-label="Two designs side by side">
            { metrics_table(left, right) }
            <div class="cmp-cols">
                { side(left, lpos, lv, rv, "left-", playing, on) }
                { side(right, rpos, rv, lv, "right-", playing, &on_right) }
            </div>
        </section>
    }
}
