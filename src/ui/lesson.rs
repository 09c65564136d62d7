//! The lesson panel: a scenario with a `# lesson:` line walks through its stops (file
//! order), each with its title and words (`# say:`); Next and Previous (Page Down /
//! Page Up) jump to each stop's step in the design on screen; Esc leaves the lesson and
//! the page stays where it is for free exploration.

use crate::app::verb::LessonNav;
use crate::app::{Nav, Run, Verb};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub run: Rc<Run>,
    pub pos: u64,
    /// The stop on screen, when in the lesson.
    pub stop: Option<u16>,
    pub on: Callback<Verb>,
}

#[component]
pub fn LessonPanel(p: &LessonProps) -> Html {
    // The keyboard follows the lesson: starting it moves the focus into the panel (whose
    // buttons come next on Tab); a stop change that took the focus away (Next, now
    // disabled at the last stop) puts it back on the panel; leaving gives it to
    // "Lesson ▶" again. Never when the focus is elsewhere on the page, nor at page load.
    let section = use_node_ref();
    let last = use_mut_ref(|| None::<Option<u16>>);
    {
        let section = section.clone();
        use_effect_with(p.stop, move |&stop| {
            let Some(before) = last.replace(Some(stop)) else {
                return;
            };
            let doc = web_sys::window().and_then(|w| w.document());
            let lost = doc.as_ref().is_some_and(|d| {
                d.active_element()
                    .is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"))
            });
            let target = match (before, stop) {
                (None, Some(_)) => section.cast::<web_sys::HtmlElement>(),
                (Some(_), Some(_)) if lost => section.cast::<web_sys::HtmlElement>(),
                (Some(_), None) if lost => doc
                    .and_then(|d| {
                        d.query_selector("[data-testid=lesson-start]")
                            .ok()
                            .flatten()
                    })
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()),
                _ => None,
            };
            if let Some(t) = target {
                let _ = t.focus();
            }
        });
    }
    // The lesson of the run: its title and its stops with their positions (Run::new
    // resolves them once per run).
    let run = &*p.run;
    let Some(title) = run.lesson.as_ref().filter(|_| !run.stops.is_empty()) else {
        return html! {};
    };
    let nav = |l: LessonNav| {
        let on = p.on.clone();
        Callback::from(move |_| on.emit(Nav::Lesson(l).into()))
    };
    let n = run.stops.len();
    let Some(k) = p.stop.map(usize::from).filter(|&k| k < n) else {
        // Out of the lesson, the checkpoints row offers it (checkpoints.rs).
        return html! {};
    };
    let (stop, at) = &run.stops[k];
    let heading = if stop.label.is_empty() {
        stop.locator_text()
    } else {
        stop.label.clone()
    };
    let away = matches!(at, Ok(a) if *a != p.pos);
    html! {
        <section class="lesson lesson-on" data-testid="lesson" aria-labelledby="lesson-h" aria-live="polite"
            ref={section} tabindex="-1">
            <div class="lesson-top">
                <span class="lesson-kicker">{ format!("Lesson · stop {} of {n}", k + 1) }</span>
                <span class="lesson-name">{ title.clone() }</span>
                <button type="button" class="lesson-leave" onclick={nav(LessonNav::Leave)} title="leave the lesson (Esc); the page stays where it is">{ "Leave (Esc)" }</button>
            </div>
            <h2 id="lesson-h">{ heading }</h2>
            { if stop.text.is_empty() { html! {} } else { html! { <p class="lesson-text">{ stop.text.clone() }</p> } } }
            { match at {
                Err(why) => html! { <p class="lesson-missing">{ why.clone() }</p> },
                Ok(a) if away => html! {
                    <p class="hint">{ format!("You have moved away from this stop (step {a}). ") }
                        <button type="button" onclick={nav(LessonNav::Go(k as u16))}>{ "back to it" }</button></p>
                },
                Ok(_) => html! {},
            } }
            <div class="lesson-nav">
                <button type="button" data-testid="lesson-prev" disabled={k == 0} onclick={nav(LessonNav::Prev)} title="Page Up">{ "◀ Previous" }</button>
                <ol class="lesson-dots" aria-label="stops">
                    { for (0..n).map(|i| html! {
                        <li class={classes!((i == k).then_some("here"), (i < k).then_some("past"))}>
                            <button type="button" onclick={nav(LessonNav::Go(i as u16))} aria-label={format!("stop {}", i + 1)}
                                aria-current={(i == k).then_some("step")}>{ i + 1 }</button>
                        </li>
                    }) }
                </ol>
                <button type="button" data-testid="lesson-next" disabled={k + 1 >= n} onclick={nav(LessonNav::Next)} title="Page Down">{ "Next ▶" }</button>
            </div>
        </section>
    }
}
