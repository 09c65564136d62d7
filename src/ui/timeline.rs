//! The timeline: a scrubber over the whole trace, with one lane of event markers per
//! kind (forks, exits, zombies, reaps, TSS frees, drains, context switches, faults).

use crate::app::{Nav, Run, Verb};
use crate::engine::session::MarkerKind;
use std::fmt::Write;
use std::rc::Rc;
use yew::prelude::*;

/// Horizontal resolution of a lane: markers closer than 1/LANE_W of the run share a tick.
const LANE_W: u64 = 1000;

/// A CSS-safe name for a marker kind (class `k-<name>`).
pub fn kind_class(k: MarkerKind) -> String {
    format!("k-{}", k.id())
}

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub run: Rc<Run>,
    pub pos: u64,
    pub on: Callback<Verb>,
}

#[component]
pub fn Timeline(p: &TimelineProps) -> Html {
    let len = p.run.end();
    let oninput = {
        let on = p.on.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(v) = v.parse::<u64>() {
                on.emit(Nav::Seek(v).into());
            }
        })
    };
    let x = (p.pos * LANE_W).checked_div(len).unwrap_or(0);
    html! {
        <div class="timeline">
            <label for="scrubber" class="lane-label">{ "step" }</label>
            <input id="scrubber" type="range" data-testid="scrubber" min="0" max={len.to_string()} step="1"
                value={p.pos.to_string()} {oninput}
                aria-valuetext={format!("step {} of {}", p.pos, len)} />
            <div class="lanes-wrap">
                <MarkerLanes run={p.run.clone()} />
                <svg class="cursor" viewBox={format!("0 0 {LANE_W} 100")} preserveAspectRatio="none" aria-hidden="true">
                    <line x1={x.to_string()} x2={x.to_string()} y1="0" y2="100" vector-effect="non-scaling-stroke" />
                </svg>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub run: Rc<Run>,
}

/// One lane per marker kind; re-rendered only when the run changes.
#[component]
pub fn MarkerLanes(p: &LanesProps) -> Html {
    let len = p.run.end().max(1);
    // With a schedule (two CPUs, e.g. a race the explorer found): where it hands the
    // next choice to the other CPU.
    let handovers = p.run.session.schedule_switches();
    let handover_lane = (!handovers.is_empty()).then(|| {
        let mut d = String::new();
        for s in &handovers {
            let x = ((s + 1) * LANE_W / len).min(LANE_W);
            let _ = write!(d, "M{x} 0V10");
        }
        html! {
            <div class="lane k-handover" data-testid="handover-lane" title="the schedule hands the CPU over here (a preemption where the other CPU could have gone on)">
                <span class="lane-label"><i class="swatch" aria-hidden="true"></i>{ format!("CPU handover {}", handovers.len()) }</span>
                <svg viewBox={format!("0 0 {LANE_W} 10")} preserveAspectRatio="none" aria-hidden="true">
                    <path d={d} vector-effect="non-scaling-stroke" />
                </svg>
            </div>
        }
    });
    html! {
        <div class="lanes" role="img" aria-label="Event markers along the run">
            { for handover_lane }
            { for p.run.markers.iter().filter(|(_, steps)| !steps.is_empty()).map(|(kind, steps)| {
                let mut d = String::new();
                let mut last = u64::MAX;
                for s in steps {
                    let x = ((s + 1) * LANE_W / len).min(LANE_W);
                    if x != last {
                        let _ = write!(d, "M{x} 0V10");
                        last = x;
                    }
                }
                html! {
                    <div class={classes!("lane", kind_class(*kind))} title={kind.counts()}>
                        <span class="lane-label"><i class="swatch" aria-hidden="true"></i>{ format!("{} {}", kind.name(), steps.len()) }</span>
                        <svg viewBox={format!("0 0 {LANE_W} 10")} preserveAspectRatio="none" aria-hidden="true">
                            <path d={d} vector-effect="non-scaling-stroke" />
                        </svg>
                    </div>
                }
            }) }
        </div>
    }
}
