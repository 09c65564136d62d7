//! The lesson panel: a scenario with a `# lesson:` line walks through its stops (file
//! order), each with its title and words (`# say:`); Next and Previous (Page Down /
//! Page Up) jump to each stop's step in the design on screen; Esc leaves the lesson and
//! the page stays where it is for free exploration.

use crate::app::verb::LessonNav;
use crate::app::{Nav, Run, Verb};
use crate::engine::stops;
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

/// The lesson of a run: its title and its stops with their positions (or why none).
struct Lesson {
    title: String,
    stops: Vec<(stops::Stop, Result<u64, String>)>,
}

#[component]
pub fn LessonPanel(p: &LessonProps) -> Html {
    let lesson = use_memo(p.run.clone(), |run| {
        let s = &run.session;
        let title = stops::lesson_title(&s.text)?;
        let st = stops::parse(&s.text).ok()?;
        (!st.is_empty()).then(|| Lesson {
            title,
            stops: st
                .into_iter()
                .map(|x| {
                    let at = x.resolve(s);
                    (x, at)
                })
                .collect(),
        })
    });
    let Some(lesson) = lesson.as_ref() else {
        return html! {};
    };
    let nav = |l: LessonNav| {
        let on = p.on.clone();
        Callback::from(move |_| on.emit(Nav::Lesson(l).into()))
    };
    let n = lesson.stops.len();
    let Some(k) = p.stop.map(usize::from).filter(|&k| k < n) else {
        return html! {
            <section class="lesson lesson-off" data-testid="lesson" aria-label="Lesson">
                <span class="lesson-kicker">{ "Lesson" }</span>
                <strong>{ lesson.title.clone() }</strong>
                <span class="hint">{ format!(" · {n} stops") }</span>
                <button type="button" class="lesson-start" data-testid="lesson-start" onclick={nav(LessonNav::Go(0))}
                    title="Page Down">{ "Start the lesson ▶" }</button>
            </section>
        };
    };
    let (stop, at) = &lesson.stops[k];
    let title = if stop.label.is_empty() {
        stop.locator_text()
    } else {
        stop.label.clone()
    };
    let away = matches!(at, Ok(a) if *a != p.pos);
    html! {
        <section class="lesson lesson-on" data-testid="lesson" aria-labelledby="lesson-h" aria-live="polite">
            <div class="lesson-top">
                <span class="lesson-kicker">{ format!("Lesson · stop {} of {n}", k + 1) }</span>
                <span class="lesson-name">{ lesson.title.clone() }</span>
                <button type="button" class="lesson-leave" onclick={nav(LessonNav::Leave)} title="leave the lesson (Esc); the page stays where it is">{ "Leave (Esc)" }</button>
            </div>
            <h2 id="lesson-h">{ title }</h2>
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
