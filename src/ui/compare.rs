//! Compare mode: the same scenario in two designs side by side, step-locked on actions
//! (the second side shows the same scenario action as the first: `Session::lock_pos`),
//! with what differs between them marked, and the metrics of both runs and their
//! difference (the rows of `metrics::ROWS`, as the CLI's `compare` prints them).

use super::cpu::CpuPanel;
use super::faults::{FaultsPanel, Reached};
use super::gdt::GdtPanel;
use super::header::design_label;
use super::lists::ListsPanel;
use super::narration::Narration;
use super::procs::ProcsPanel;
use super::source::SourcePanel;
use super::uarea::UareaPanel;
use crate::app::view::View;
use crate::app::{Nav, Run, Verb};
use crate::engine::metrics::ROWS;
use std::rc::Rc;
use yew::prelude::*;

/// The metrics of both runs and their difference.
fn compare_metrics(left: &Run, right: &Run) -> Html {
    let (l, r) = (&left.metrics, &right.metrics);
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
                    { for ROWS.iter().map(|row| {
                        let (a, b) = (row.value(l), row.value(r));
                        let d = b.minus(a);
                        let nonzero = d.raw().is_some_and(|d| d != 0);
                        html! {
                            <tr key={row.id} data-metric={row.id}>
                                <th scope="row">{ row.label }</th>
                                <td class="num">{ a.display() }</td>
                                <td class="num">{ b.display() }</td>
                                <td class={classes!("num", nonzero.then_some("diff"))} data-diff={d.raw().map(|d| d.to_string()).unwrap_or_default()}>
                                    { d.display_diff("−") }
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

/// One design's column: `run` at its view's position, marked where it differs from
/// `other`; `idp` ("left-" / "right-") keeps element ids apart. Each panel in it is a
/// component fed its own slice, so one side's step redraws what changed there.
fn side(
    run: &Rc<Run>,
    v: &View,
    o: &View,
    idp: &'static str,
    playing: bool,
    on: &Callback<Verb>,
) -> Html {
    let pos = v.pos;
    let action = run.action_at(pos);
    let differs = v.step.as_ref().map(|s| &s.narration) != o.step.as_ref().map(|s| &s.narration);
    let design = run.design();
    let multi = v.cpus.now.cpus.len() > 1;
    html! {
        <div class="cmp-side" data-testid={format!("cmp-{}", idp.trim_end_matches('-'))} data-design={design.name()}>
            <h2 class="cmp-head">
                <span>{ design_label(design) }</span>
                <output class="counter" data-testid="cmp-counter">{ format!("step {} / {}", pos, run.end()) }</output>
            </h2>
            <Narration step={v.step.clone()} action={action.as_ref().map(|a| a.label.clone())} note={action.and_then(|a| a.note)}
                {playing} {differs} />
            <SourcePanel {design} step={v.step.clone()} stack={v.stack.clone()} {idp} />
            <ProcsPanel procs={v.procs.clone()} other={o.procs.now.clone()} {idp} />
            <ListsPanel lists={v.lists.clone()} other={o.lists.now.clone()} {idp} />
            <UareaPanel uareas={v.uareas.clone()} other={o.uareas.now.clone()} {idp} />
            <GdtPanel gdt={v.gdt.clone()} other={o.gdt.now.clone()} {idp} />
            <CpuPanel cpus={v.cpus.clone()} ran={v.step.as_ref().filter(|_| multi).map(|s| s.cpu)}
                idle_pcbs={run.idle_pcbs.clone()} />
            <FaultsPanel run={run.clone()} reached={Reached::at(&run.session.trace.findings, pos)} on={on.clone()} {idp} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    /// The run the controls move, and its view.
    pub left: Rc<Run>,
    pub lv: Rc<View>,
    /// The other design's run, locked to it by action, and its view.
    pub right: Rc<Run>,
    pub rv: Rc<View>,
    pub playing: bool,
    pub on: Callback<Verb>,
}

/// Both designs side by side, and their metrics. A jump on the right side (a fault's
/// step) is `Nav::SeekCompare`, mapped back by action.
#[component]
pub fn Compare(p: &CompareProps) -> Html {
    let on_right = use_memo(p.on.clone(), |on| {
        on.reform(|v: Verb| match v {
            Verb::Nav(Nav::Seek(pos)) => Nav::SeekCompare(pos).into(),
            v => v,
        })
    });
    html! {
        <section class="compare" data-testid="compare" aria-label="Two designs side by side">
            { compare_metrics(&p.left, &p.right) }
            <div class="cmp-cols">
                { side(&p.left, &p.lv, &p.rv, "left-", p.playing, &p.on) }
                { side(&p.right, &p.rv, &p.lv, "right-", p.playing, &on_right) }
            </div>
        </section>
    }
}
