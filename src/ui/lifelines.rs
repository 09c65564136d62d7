//! Lifelines (issue 10): under the timeline, one lane per process (`p_stat`) and per
//! LWP (`l_stat`) over the whole run, coloured by state, then reaped / freed; plots of
//! `uvm_nuarea` (with UVM_NUAREA_MAX), TSS slots in use and zombies; the cursor follows
//! the position, and a click on a lane seeks there. Built once per run
//! (`Session::lifelines`), drawn once per run; a step moves only the cursor.

use super::view::{lstat_class, pstat_class};
use crate::app::axis::Axis;
use crate::app::{Nav, Run, Verb};
use crate::engine::lifelines::{Counter, Lifelines, LwpPhase, ProcPhase, Series, Span};
use std::rc::Rc;
use yew::prelude::*;

/// Horizontal resolution of a lane (viewBox units).
const W: u64 = 1000;
/// Lanes drawn of each kind; the rest are counted ("exitpath export" has them all).
const MAX_LANES: usize = 40;
/// Runs longer than this have their lifelines built in the background, a slice at a
/// time, when the section opens (a replay at once would hold the page: 0.44 s for a
/// 288k-step run).
const AT_ONCE_STEPS: u64 = 20_000;

#[derive(Properties, PartialEq)]
pub struct LifelinesProps {
    pub run: Rc<Run>,
    pub pos: u64,
    /// Compare mode: the other design's run (lanes on a common axis, by action).
    #[prop_or_default]
    pub cmp: Option<Rc<Run>>,
    pub on: Callback<Verb>,
}

/// Positions of one run → x in 0..=W: plain scaling, or (compare mode) the common
/// axis of both designs, where each scenario action starts at the same x.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    axis: Option<Axis>,
    /// One past the last position.
    end: u64,
}

impl Scale {
    fn x(&self, p: u64) -> u64 {
        match &self.axis {
            Some(a) => (a.x(p) * W).checked_div(a.total.max(1)).unwrap_or(0).min(W),
            None => x_of(p, self.end),
        }
    }

    /// The position whose x is nearest to fraction `f` of the lane (x is monotonic).
    fn pos_at(&self, f: f64) -> u64 {
        let target = (f * W as f64).round() as u64;
        let (mut lo, mut hi) = (0, self.end.saturating_sub(1));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.x(mid) < target {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

fn x_of(p: u64, end: u64) -> u64 {
    (p * W).checked_div(end.max(1)).unwrap_or(0).min(W)
}

/// One lane: a rect per span, classed by state (the table's colours).
fn lane<T: Copy>(spans: &[Span<T>], sc: &Scale, class: impl Fn(T) -> &'static str) -> Html {
    html! {
        <svg class="ll-lane" viewBox={format!("0 0 {W} 10")} preserveAspectRatio="none" aria-hidden="true">
            { for spans.iter().map(|s| {
                let (x0, x1) = (sc.x(s.from), sc.x(s.to));
                html! { <rect class={class(s.state)} x={x0.to_string()} y="1" width={(x1.saturating_sub(x0)).max(1).to_string()} height="8" /> }
            }) }
        </svg>
    }
}

fn lwp_class(p: LwpPhase) -> &'static str {
    match p {
        LwpPhase::Stat(s) => lstat_class(s),
        LwpPhase::Freed => "st-freed",
    }
}

fn proc_class(p: ProcPhase) -> &'static str {
    match p {
        ProcPhase::Stat(s) => pstat_class(s),
        ProcPhase::Reaped => "st-freed",
    }
}

/// A counter's name in a lane label (the export's track names are longer).
fn short_name(c: Counter) -> &'static str {
    match c {
        Counter::UvmNuarea => "uvm_nuarea",
        Counter::TssSlots => "TSS slots",
        Counter::Zombies => "zombproc",
    }
}

/// A step plot of a counter, with an optional limit line.
fn plot(s: &Series, sc: &Scale, limit: Option<u32>) -> Html {
    let top = s.top(limit);
    let y = |v: u32| 28 - (u64::from(v) * 26 / u64::from(top));
    let d = s.step_path(|p| sc.x(p), y, W);
    let now = s.points.last().map_or(0, |p| p.1);
    html! {
        <div class="ll-row ll-plot">
            <span class="ll-label" title={format!("{} over the run; the plot's top is {top}{}", s.counter.name(), if limit.is_some() { " (the dashed line: UVM_NUAREA_MAX)" } else { "" })}>
                { format!("{} (max {})", short_name(s.counter), s.points.iter().map(|p| p.1).max().unwrap_or(now)) }</span>
            <svg class="ll-lane" viewBox={format!("0 0 {W} 30")} preserveAspectRatio="none" aria-hidden="true">
                { for limit.map(|l| html! { <line class="ll-limit" x1="0" x2={W.to_string()} y1={y(l).to_string()} y2={y(l).to_string()} vector-effect="non-scaling-stroke" /> }) }
                <path d={d} vector-effect="non-scaling-stroke" />
            </svg>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LanesProps {
    run: Rc<Run>,
    scale: Rc<Scale>,
    /// A click on a lane asks for this position.
    seek: Callback<u64>,
    /// Compare mode: the design's name over its lanes.
    #[prop_or_default]
    title: Option<AttrValue>,
}

/// The lanes and plots: drawn once per run (the cursor is drawn over them).
#[component]
fn Lanes(p: &LanesProps) -> Html {
    let ll: &Lifelines = p.run.session.lifelines();
    let sc = &*p.scale;
    // A click on a lane seeks to the position under the pointer.
    let onclick = {
        let (seek, scale) = (p.seek.clone(), p.scale.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e.target_dyn_into::<web_sys::Element>() else {
                return;
            };
            let Ok(Some(svg)) = el.closest("svg.ll-lane") else {
                return;
            };
            let r = svg.get_bounding_client_rect();
            if r.width() > 0.0 {
                let f = ((f64::from(e.client_x()) - r.left()) / r.width()).clamp(0.0, 1.0);
                seek.emit(scale.pos_at(f));
            }
        })
    };
    let more = |n: usize, what: &str| {
        (n > MAX_LANES).then(|| html! {
            <p class="hint">{ format!("…and {} more {what} (exitpath export --format perfetto draws them all)", n - MAX_LANES) }</p>
        })
    };
    html! {
        <div class="ll-lanes" {onclick}>
            { for p.title.clone().map(|t| html! { <p class="ll-design">{ t }</p> }) }
            <p class="ll-legend" role="group" aria-label="lane colours">
                { for [("st-idl", "SIDL / LSIDL"), ("st-sactive", "SACTIVE"), ("st-run", "LSRUN"), ("st-onproc", "LSONPROC"), ("st-sleep", "LSSLEEP"),
                        ("st-dead", "SDEAD / LSDEAD"), ("st-zomb", "SZOMB / LSZOMB"), ("st-freed", "reaped / freed")].iter().map(|(c, t)| html! {
                    <span class="ll-key"><svg viewBox="0 0 10 10" aria-hidden="true"><rect class={*c} x="0" y="1" width="10" height="8" /></svg>{ *t }</span>
                }) }
            </p>
            { for ll.counters.iter().map(|s| plot(s, sc, (s.counter == Counter::UvmNuarea).then_some(ll.uvm_nuarea_max))) }
            { for ll.procs.iter().take(MAX_LANES).map(|l| html! {
                <div class="ll-row" data-pid={l.pid.to_string()}>
                    <span class="ll-label">{ format!("{} {}", l.pid, l.name) }</span>
                    { lane(&l.spans, sc, proc_class) }
                </div>
            }) }
            { for more(ll.procs.len(), "processes") }
            { for ll.lwps.iter().take(MAX_LANES).map(|l| html! {
                <div class="ll-row ll-lwp" data-lwp={format!("{}.{}", l.pid, l.lid)}>
                    <span class="ll-label">{ format!("{}.{} {}", l.pid, l.lid, l.name) }</span>
                    { lane(&l.spans, sc, lwp_class) }
                </div>
            }) }
            { for more(ll.lwps.len(), "LWPs") }
        </div>
    }
}

/// The lifelines section: closed at first (a replay of the whole run builds them when
/// it opens); open, the lanes and a cursor at the position.
#[component]
pub fn LifelinesPanel(p: &LifelinesProps) -> Html {
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            if let Some(d) = e.target_dyn_into::<web_sys::Element>() {
                open.set(d.has_attribute("open"));
            }
        })
    };
    let len = p.run.end();
    // A long run's lifelines are built in slices once the section is open; whether they
    // are there is the session's (`lifelines_built`), the state only counts the percent
    // (100 at the end, which redraws the section with the lanes).
    let progress = use_state(|| 0u8);
    {
        let progress = progress.clone();
        use_effect_with((p.run.clone(), *open), move |(run, open)| {
            let small = run.end() <= AT_ONCE_STEPS || run.session.lifelines_built().is_some();
            let job = (*open && !small).then(|| {
                progress.set(0);
                let (during, end) = (progress.clone(), progress);
                super::index::lifelines(
                    run.clone(),
                    Callback::from(move |pct| during.set(pct)),
                    Callback::from(move |_| end.set(100)),
                )
            });
            move || drop(job)
        });
    }
    // The same run for ui.perfetto.dev (engine::export, the CLI's `export` code), and
    // these lanes as a picture (engine::lifelines_svg, `export --format svg`).
    let offer = |kind: &'static str, make: fn(&crate::engine::session::Session) -> String| {
        let run = p.run.clone();
        Callback::from(move |_: MouseEvent| {
            let s = &run.session;
            let name = format!("exitpath-{}-{}.{kind}", s.design.name(), s.len());
            super::dom::download_text(&name, &make(s));
        })
    };
    let download = offer("perfetto.json", crate::engine::export::perfetto_string);
    let download_svg = offer("lifelines.svg", crate::engine::lifelines_svg::svg);
    let download_json = offer("trace.json", |s| {
        crate::engine::export::trace_json(&s.scenario, Some(s.design))
    });
    // One scale per run: with compare mode's second run, the common axis by action.
    let scales = use_memo((p.run.clone(), p.cmp.clone()), |(run, cmp)| {
        let plain = |r: &Run| Scale {
            axis: None,
            end: r.end() + 1,
        };
        match cmp {
            Some(c) => match Axis::pair(&run.session, &c.session) {
                Some((a, b)) => (
                    Rc::new(Scale {
                        axis: Some(a),
                        end: run.end() + 1,
                    }),
                    Some(Rc::new(Scale {
                        axis: Some(b),
                        end: c.end() + 1,
                    })),
                ),
                None => (Rc::new(plain(run)), Some(Rc::new(plain(c)))),
            },
            None => (Rc::new(plain(run)), None),
        }
    });
    let (scale, cmp_scale) = (*scales).clone();
    let x = scale.x(p.pos);
    let seek = {
        let on = p.on.clone();
        Callback::from(move |pos: u64| on.emit(Nav::Seek(pos).into()))
    };
    let lanes = match (&p.cmp, &cmp_scale) {
        (Some(c), Some(cs)) => {
            let seek_cmp = {
                let on = p.on.clone();
                Callback::from(move |pos: u64| on.emit(Nav::SeekCompare(pos).into()))
            };
            html! { <>
                <Lanes run={p.run.clone()} scale={scale.clone()} {seek} title={AttrValue::from(format!("{} (aligned by scenario line)", p.run.session.design.name()))} />
                <Lanes run={c.clone()} scale={cs.clone()} seek={seek_cmp} title={AttrValue::from(format!("{} (aligned by scenario line)", c.session.design.name()))} />
            </> }
        }
        _ => html! { <Lanes run={p.run.clone()} scale={scale.clone()} {seek} /> },
    };
    let body = if !*open {
        html! {}
    } else if len > AT_ONCE_STEPS && p.run.session.lifelines_built().is_none() {
        html! { <p class="hint" data-testid="lifelines-building">{ format!("Replaying the {len} micro-steps for the lanes… {}%", *progress) }</p> }
    } else {
        html! {
            <div class="ll-wrap">
                <p class="ll-tools">
                    <button type="button" data-testid="download-perfetto" onclick={download}
                        title="The whole run in the Chrome trace-event format: open it in ui.perfetto.dev or chrome://tracing (1 µs per micro-step)">{ "⤓ Download for Perfetto" }</button>
                    { " " }
                    <button type="button" data-testid="download-svg" onclick={download_svg}
                        title="These lanes as an SVG picture, for slides and handouts">{ "⤓ Download SVG" }</button>
                    { " " }
                    <button type="button" data-testid="download-trace" onclick={download_json}
                        title="The trace as JSON (steps, narration, actions, findings): what exitpath run --format json prints">{ "⤓ Download trace" }</button>
                </p>
                { lanes }
                <svg class="ll-cursor" viewBox={format!("0 0 {W} 100")} preserveAspectRatio="none" aria-hidden="true">
                    <line x1={x.to_string()} x2={x.to_string()} y1="0" y2="100" vector-effect="non-scaling-stroke" />
                </svg>
            </div>
        }
    };
    html! {
        <details class="lifelines" data-testid="lifelines" {ontoggle} open={*open}>
            <summary>{ "Lifelines" }<span class="hint">{ ": every process and LWP over the run, by state; click a lane to go there" }</span></summary>
            { body }
        </details>
    }
}
