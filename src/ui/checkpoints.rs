//! The checkpoints row: the scenario's `# stop:` lines (engine::stops) as buttons in the
//! order the run reaches them, each jumping to its step in the design on screen; the
//! one at the current position is marked; one the run never reaches says why.

use crate::app::verb::LessonNav;
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
    // In the order the run reaches them; the unreached ones last.
    let list = use_memo(p.run.clone(), |run| {
        // A lesson's stop shown in another design (`# design:`) is left out here.
        let mut v: Vec<&(stops::Stop, Result<u64, String>)> = run
            .stops
            .iter()
            .filter(|(st, _)| st.is_for(run.design()))
            .collect();
        v.sort_by_key(|(_, at)| at.as_ref().map_or(u64::MAX, |&a| a));
        v.into_iter()
            .map(|(st, at)| Resolved {
                locator: st.locator_text(),
                label: st.label.clone(),
                at: at.clone(),
            })
            .collect::<Vec<_>>()
    });
    // A lesson whose stops are all shown in other designs still offers itself here.
    if list.is_empty() && p.run.lesson.is_none() {
        return html! {};
    }
    // A scenario with a lesson offers it here, at the end of its stops' row.
    let start = p.run.lesson.as_ref().map(|title| {
        let on = p.on.clone();
        let onclick = Callback::from(move |_| on.emit(Nav::Lesson(LessonNav::Go(0)).into()));
        html! {
            <button type="button" class="lesson-start" data-testid="lesson-start" {onclick}
                title={format!("Lesson: {title} (Page Down)")}>
                <span class="lesson-kicker">{ "Lesson" }</span>{ format!(" {title} ▶") }
            </button>
        }
    });
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
                                        title={format!("{text} ({}: step {at})", r.locator)}>
                                        <span class="cp-n">{ i + 1 }</span><span class="cp-t">{ text }</span>
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
            { for start }
        </nav>
    }
}
