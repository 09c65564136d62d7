//! The metrics panel: the counts a kernel developer compares between designs, so far (at
//! this step) and for the whole run.

use super::state::Run;
use super::view::chg;
use crate::engine::snapshot::Snapshot;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub run: Rc<Run>,
    pub snap: Rc<Snapshot>,
    pub prev: Option<Rc<Snapshot>>,
}

fn spread(v: &[u64]) -> String {
    match (v.iter().min(), v.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => format!("{lo} each ({}×)", v.len()),
        (Some(lo), Some(hi)) => format!("{lo} to {hi} ({}×)", v.len()),
        _ => "—".into(),
    }
}

#[component]
pub fn MetricsPanel(p: &MetricsProps) -> Html {
    let m = &p.run.metrics;
    let c = &p.snap.counters;
    let b = p.prev.as_ref().map(|b| &b.counters);
    let rows: Vec<(&str, String, String, bool)> = vec![
        (
            "context switches (uvmexp.swtch)",
            c.swtch.to_string(),
            m.context_switches.to_string(),
            b.is_some_and(|b| b.swtch != c.swtch),
        ),
        (
            "reaper wake-ups",
            c.reaper_wakeups.to_string(),
            m.reaper_wakeups.to_string(),
            b.is_some_and(|b| b.reaper_wakeups != c.reaper_wakeups),
        ),
        (
            "uvm_km_alloc (u-areas)",
            c.km_alloc.to_string(),
            m.km_alloc.to_string(),
            b.is_some_and(|b| b.km_alloc != c.km_alloc),
        ),
        (
            "uvm_km_free (u-areas)",
            c.km_free.to_string(),
            m.km_free.to_string(),
            b.is_some_and(|b| b.km_free != c.km_free),
        ),
        (
            "u-area cache hits",
            c.uarea_cache_hits.to_string(),
            m.uarea_cache_hits.to_string(),
            b.is_some_and(|b| b.uarea_cache_hits != c.uarea_cache_hits),
        ),
        (
            "u-area cache peak",
            c.uarea_cache_peak.to_string(),
            m.uarea_cache_peak.to_string(),
            b.is_some_and(|b| b.uarea_cache_peak != c.uarea_cache_peak),
        ),
        (
            "TSS slots peak",
            "".into(),
            m.tss_slots_peak.to_string(),
            false,
        ),
        (
            "forks / exits / reaps",
            format!("{} / {} / {}", c.forks, c.exits, c.reaps),
            format!("{} / {} / {}", m.forks, m.exits, m.reaps),
            b.is_some_and(|b| (b.forks, b.exits, b.reaps) != (c.forks, c.exits, c.reaps)),
        ),
        (
            "uvm_uarea_drain calls",
            c.drains.to_string(),
            m.drains.to_string(),
            b.is_some_and(|b| b.drains != c.drains),
        ),
        (
            "steps from exit() to reap",
            spread(&c.exit_to_reap.iter().map(|e| e.0).collect::<Vec<_>>()),
            spread(&m.exit_to_reap_steps),
            b.is_some_and(|b| b.exit_to_reap.len() != c.exit_to_reap.len()),
        ),
        (
            "switches from exit() to reap",
            spread(&c.exit_to_reap.iter().map(|e| e.1).collect::<Vec<_>>()),
            spread(&m.exit_to_reap_switches),
            false,
        ),
        (
            "zombies",
            p.snap.zombproc.len().to_string(),
            format!("{} left at the end", m.zombies_left),
            b.is_some_and(|_| {
                p.prev
                    .as_ref()
                    .is_some_and(|pr| pr.zombproc.len() != p.snap.zombproc.len())
            }),
        ),
        (
            "micro-steps",
            p.snap.step.to_string(),
            format!(
                "{}{}",
                m.micro_steps,
                if m.truncated {
                    " (stopped at the step limit)"
                } else {
                    ""
                }
            ),
            false,
        ),
    ];
    html! {
        <section class="panel metrics" data-testid="metrics" aria-labelledby="metrics-h">
            <h2 id="metrics-h">{ "Metrics" }<span class="sub">{ format!(" design {}", m.design.name()) }</span></h2>
            <table class="grid metrics-t">
                <thead><tr><th scope="col">{ "count" }</th><th scope="col">{ "so far" }</th><th scope="col">{ "whole run" }</th></tr></thead>
                <tbody>
                    { for rows.into_iter().map(|(name, now, all, ch)| html! {
                        <tr class={chg(ch)}><th scope="row">{ name }</th><td class="num">{ now }</td><td class="num">{ all }</td></tr>
                    }) }
                </tbody>
            </table>
            { if let Some(panic) = &m.panic { html! { <p class="finding fault">{ format!("✗ the modelled kernel panicked: {panic}") }</p> } } else { html! {} } }
        </section>
    }
}
