//! The metrics panel: the rows of `metrics::ROWS` (the one table the CLI's `compare` and
//! compare mode also show), so far (at this step) and for the whole run.

use super::view::chg;
use crate::app::view::{Counts, Section, STEPS_ROW};
use crate::app::Run;
use crate::engine::metrics::{MetricValue, ROWS};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MetricsProps {
    pub run: Rc<Run>,
    pub counts: Section<Counts>,
    /// The position: the micro-steps so far.
    pub pos: u64,
}

#[component]
pub fn MetricsPanel(p: &MetricsProps) -> Html {
    let m = &p.run.metrics;
    let now = &p.counts.now;
    let before = p.counts.before();
    html! {
        <section class="panel metrics" data-testid="metrics" aria-labelledby="metrics-h">
            <h2 id="metrics-h">{ "Metrics" }<span class="sub">{ format!(" design {}", m.design.name()) }</span></h2>
            <table class="grid metrics-t">
                <thead><tr><th scope="col">{ "count" }</th><th scope="col">{ "so far" }</th><th scope="col">{ "whole run" }</th></tr></thead>
                <tbody>
                    { for ROWS.iter().enumerate().map(|(i, row)| {
                        let so_far = now.get(i).copied().unwrap_or(MetricValue::None);
                        let changed = before.is_some_and(|b| b.get(i) != now.get(i));
                        let whole = row.value(m).display();
                        let steps = row.id == STEPS_ROW;
                        let whole = if steps && m.truncated { format!("{whole} (stopped at the step limit)") } else { whole };
                        html! {
                            <tr key={row.id} class={chg(changed)} data-metric={row.id}>
                                <th scope="row">{ row.label }</th>
                                <td class="num">{ if steps { p.pos.to_string() } else { so_far.display() } }</td>
                                <td class="num">{ whole }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            { if let Some(panic) = &m.panic { html! { <p class="finding fault">{ format!("✗ the modelled kernel panicked: {panic}") }</p> } } else { html! {} } }
        </section>
    }
}
