//! The checkpoints row: the scenario's `# stop:` lines (engine::stops) as buttons in the
//! order the run reaches them, each jumping to its step in the design on screen; the
//! one at the current position is marked; one the run never reaches says why.

use crate::app::{Nav, Run, Verb};
use crate::engine::stops;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CheckpointsProps {
    pub run: Rc<Run>,
    pub pos: u64,
    pub on: Callback<Verb>,
}

/// One stop: its words, and its position or why there is none.
struct Resolved {
    locator: String,
    label: String,
    at: Result<u64, String>,
}

#[component]
pub fn Checkpoints(p: &CheckpointsProps) -> Html {
    let list = use_memo(p.run.clone(), |run| {
        let s = &run.session;
        let mut v: Vec<Resolved> = stops::parse(&s.text)
            .unwrap_or_default()
            .into_iter()
            .map(|st| Resolved {
                locator: st.locator_text(),
                at: st.resolve(s),
                label: st.label,
            })
            .collect();
        // In the order the run reaches them; the unreached ones last.
        v.sort_by_key(|r| r.at.as_ref().map_or(u64::MAX, |&a| a));
        v
    });
    if list.is_empty() {
        return html! {};
    }
    html! {
        <nav class="checkpoints" data-testid="checkpoints" aria-label="Checkpoints of this scenario">
            <span class="cp-title">{ "Checkpoints" }</span>
            <ol>
                { for list.iter().enumerate().map(|(i, r)| {
                    let text = if r.label.is_empty() { r.locator.clone() } else { r.label.clone() };
                    match &r.at {
                        Ok(at) => {
                            let at = *at;
                            let on = p.on.clone();
                            let onclick = Callback::from(move |_| on.emit(Nav::Seek(at).into()));
                            let here = at == p.pos;
                            html! {
                                <li class={classes!(here.then_some("here"), (at < p.pos).then_some("past"))}>
                                    <button type="button" {onclick} data-step={at.to_string()}
                                        aria-current={here.then_some("step")}
                                        title={format!("{}: step {at}", r.locator)}>
                                        <span class="cp-n">{ i + 1 }</span>{ text }
                                    </button>
                                </li>
                            }
                        }
                        Err(why) => html! {
                            <li class="unreached">
                                <button type="button" disabled=true title={why.clone()}>
                                    <span class="cp-n">{ i + 1 }</span>{ text }{ " (not reached in this design)" }
                                </button>
                            </li>
                        },
                    }
                }) }
            </ol>
        </nav>
    }
}
