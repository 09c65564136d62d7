//! The lesson panel: a scenario with a `# lesson:` line walks through its stops (file
//! order), each with its title and words (`# say:`); Next and Previous (Page Down /
//! Page Up) jump to each stop's step in the design on screen; Esc leaves the lesson and
//! the page stays where it is for free exploration. A stop shown in another design
//! (`# design:`) switches to it (app::verb); the panels a stop names (`# show:`) are
//! highlighted (`show-PANEL` classes on the page, see `lesson_shows`) and the first of
//! them is scrolled into view.

use crate::app::verb::LessonNav;
use crate::app::{Nav, Run, Verb};
use std::rc::Rc;
use yew::prelude::*;

/// The `show-PANEL` classes of lesson stop `stop` of `run`, for the page's root: the
/// stylesheet highlights those panels (`.show-gdt .panel.gdt`).
pub fn lesson_shows(run: &Run, stop: Option<u16>) -> Classes {
    stop.and_then(|k| run.stops.get(usize::from(k)))
        .map(|(st, _)| st.show.iter().map(|p| format!("show-{p}")).collect())
        .unwrap_or_default()
}

/// Scrolls the page so that the first of `panels` is on screen below the lesson panel
/// (which sticks to the top of the window), as little as it takes.
fn reveal(panels: &[&'static str]) {
    let Some(win) = web_sys::window() else { return };
    let Some(doc) = win.document() else { return };
    let Some(first) = panels.first() else { return };
    let sel = match *first {
        "timeline" | "checkpoints" | "narration" => format!(".{first}"),
        p => format!(".panel.{p}"),
    };
    let Ok(Some(el)) = doc.query_selector(&sel) else {
        return;
    };
    let under = doc
        .query_selector("[data-testid=lesson]")
        .ok()
        .flatten()
        .map_or(0.0, |l| l.get_bounding_client_rect().bottom().max(0.0));
    let h = win
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let r = el.get_bounding_client_rect();
    // As "nearest" would, with the lesson panel's height taken off the top: up to show
    // its top, or down to show its bottom but never its top under the lesson.
    let by = if r.top() < under {
        r.top() - under - 8.0
    } else if r.bottom() > h {
        (r.bottom() - h + 8.0).min(r.top() - under - 8.0)
    } else {
        0.0
    };
    if by != 0.0 {
        win.scroll_by_with_x_and_y(0.0, by);
    }
}

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
    // On arriving at a stop (or when its run arrives), bring its first panel into view.
    {
        let show = p
            .stop
            .and_then(|k| run.stops.get(usize::from(k)))
            .map(|(st, _)| st.show.clone())
            .unwrap_or_default();
        use_effect_with((p.stop, p.run.gen), move |_| reveal(&show));
    }
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
    // The stop is shown in another design: the lesson is switching to it.
    let elsewhere = stop.design.filter(|&d| d != run.design());
    html! {
        <section class="lesson lesson-on" data-testid="lesson" aria-labelledby="lesson-h" aria-live="polite"
            ref={section} tabindex="-1">
            <div class="lesson-top">
                <span class="lesson-kicker">{ format!("Lesson · stop {} of {n}", k + 1) }</span>
                <span class="lesson-name">{ title.clone() }</span>
                <button type="button" class="lesson-leave" onclick={nav(LessonNav::Leave)} title="leave the lesson (Esc); the page stays where it is">{ "Leave (Esc)" }</button>
            </div>
            <h2 id="lesson-h">{ heading }
                { for stop.design.map(|d| html! { <span class="lesson-design" title="this stop is shown in this design">{ d.name() }</span> }) }
            </h2>
            { if stop.text.is_empty() { html! {} } else { html! { <p class="lesson-text">{ stop.text.clone() }</p> } } }
            { match at {
                // Shown while the lesson switches design (or from a link made elsewhere).
                Err(_) if elsewhere.is_some() => html! {
                    <p class="hint" data-testid="lesson-elsewhere">{ format!("This stop is shown in design {}. ", elsewhere.map_or("", |d| d.name())) }
                        <button type="button" onclick={nav(LessonNav::Go(k as u16))}>{ "switch to it" }</button></p>
                },
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
