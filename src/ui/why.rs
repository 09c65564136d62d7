//! The why panel: click (or Enter on) any cell of kernel state that carries a
//! `data-cell` name, and this card says which step last changed it, what it held
//! before, the source line and narration of that step, with a jump there, then the
//! change before that, back to boot. Exact: `Session::why` replays the trace.

use crate::app::{Nav, Run, Verb};
use crate::engine::why::{Cell, Why};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Changes listed at first; "earlier changes" adds this many more.
const DEPTH: usize = 4;

/// The cell named by the nearest `[data-cell]` around an event's target.
pub fn cell_of(e: &Event) -> Option<Cell> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let el = el.closest("[data-cell]").ok()??;
    el.get_attribute("data-cell")?.parse().ok()
}

/// Click and Enter handlers for a container of `[data-cell]` elements: one pair for
/// the whole container, not one per cell (a step redraws rows, not listeners).
pub fn ask_handlers(on: &Callback<Verb>) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let click = {
        let on = on.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(c) = cell_of(&e) {
                on.emit(Nav::Ask(Some(c)).into());
            }
        })
    };
    let key = {
        let on = on.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                if let Some(c) = cell_of(&e) {
                    e.prevent_default();
                    on.emit(Nav::Ask(Some(c)).into());
                }
            }
        })
    };
    (click, key)
}

#[derive(Properties, PartialEq)]
pub struct WhyProps {
    pub run: Rc<Run>,
    pub pos: u64,
    pub cell: Option<Cell>,
    /// While playing, the answer is kept as it was (one replay per frame would slow
    /// play down on long runs) and marked as the answer at the step it was asked.
    pub playing: bool,
    pub on: Callback<Verb>,
}

/// What an answer was computed for: (run, position, cell, depth).
type Asked = (u64, u64, Option<Cell>, usize);

/// "step N" as the counter counts: the position right after micro-step `k` (0-based).
fn step_no(k: u64) -> u64 {
    k + 1
}

#[component]
pub fn WhyPanel(p: &WhyProps) -> Html {
    let depth = use_state(|| DEPTH);
    // A new question starts with the short list again.
    {
        let depth = depth.clone();
        use_effect_with(p.cell, move |_| depth.set(DEPTH));
    }
    let cache = use_mut_ref(|| None::<(Asked, Option<Result<Why, String>>)>);
    // "No change after this step", at the position it was asked at.
    let none_after = use_state(|| None::<u64>);
    let want: Asked = (p.run.gen, p.pos, p.cell, *depth);
    let held = cache.borrow().as_ref().map(|(k, _)| *k);
    // Playing keeps the answer of the same question at an earlier step.
    let keep = p.playing && held.is_some_and(|k| (k.0, k.2, k.3) == (want.0, want.2, want.3));
    if held != Some(want) && !keep {
        let answer = p.cell.map(|c| {
            p.run
                .session
                .why(c, p.pos, *depth)
                .map_err(|e| e.to_string())
        });
        *cache.borrow_mut() = Some((want, answer));
    }
    let (asked_at, answer) = match cache.borrow().as_ref() {
        Some(((_, at, _, _), a)) => (*at, a.clone()),
        None => (p.pos, None),
    };
    let Some(answer) = answer else {
        return html! {};
    };
    let close = {
        let on = p.on.clone();
        Callback::from(move |_| on.emit(Nav::Ask(None).into()))
    };
    let go = |k: u64| {
        let on = p.on.clone();
        Callback::from(move |_| on.emit(Nav::Seek(step_no(k)).into()))
    };
    let name = p.cell.map(|c| c.to_string()).unwrap_or_default();
    // Watchpoint, forward: the next position where the cell changes (one replay of the
    // rest of the run, on click).
    let next = {
        let (on, run, cell, pos, none_after) = (
            p.on.clone(),
            p.run.clone(),
            p.cell,
            p.pos,
            none_after.clone(),
        );
        Callback::from(
            move |_| match cell.and_then(|c| run.session.next_change(c, pos)) {
                Some(k) => {
                    none_after.set(None);
                    on.emit(Nav::Seek(k).into());
                }
                None => none_after.set(Some(pos)),
            },
        )
    };
    let body = match answer {
        Err(msg) => html! { <p class="why-missing">{ msg }</p> },
        Ok(w) => {
            let mut rows = Vec::new();
            let mut cur: Option<&Why> = Some(&w);
            let mut first = true;
            while let Some(x) = cur {
                rows.push(change_row(x, first, &go));
                first = false;
                cur = x.previous.as_deref();
            }
            // The chain stopped at the depth asked, not at boot: offer more.
            let last = {
                let mut x = &w;
                while let Some(n) = x.previous.as_deref() {
                    x = n;
                }
                x
            };
            let more = last.step.is_some() && last.before.is_some();
            // Watchpoint, backward: the last change before this position.
            let mut prev_change = None;
            let mut x = Some(&w);
            while let Some(c) = x {
                if let Some(k) = c.step.filter(|&k| step_no(k) < p.pos) {
                    prev_change = Some(k);
                    break;
                }
                x = c.previous.as_deref();
            }
            let more_btn = more.then(|| {
                let depth = depth.clone();
                let onclick = Callback::from(move |_| depth.set(*depth + DEPTH));
                html! { <button type="button" class="why-more" {onclick}>{ "earlier changes" }</button> }
            });
            html! {
                <>
                    <p class="why-now"><code>{ name.clone() }</code>{ " = " }<strong class="mono">{ w.value.clone() }</strong>
                        { format!(" at step {asked_at}") }
                        { if asked_at != p.pos { html! { <span class="hint">{ " (playing: answered again when paused)" }</span> } } else { html! {} } }</p>
                    <div class="why-watch" role="group" aria-label="run until this value changes">
                        <button type="button" data-testid="why-prev" disabled={prev_change.is_none()}
                            onclick={prev_change.map(&go)} title="back to the last step that changed it">{ "◀ previous change" }</button>
                        <button type="button" data-testid="why-next" onclick={next} title="run until it changes">{ "next change ▶" }</button>
                        { if *none_after == Some(p.pos) { html! { <span class="hint">{ " no change after this step" }</span> } } else { html! {} } }
                    </div>
                    <ol class="why-chain">{ for rows }</ol>
                    { for more_btn }
                </>
            }
        }
    };
    html! {
        <aside class="why-panel" data-testid="why" aria-labelledby="why-h" aria-live="polite">
            <div class="why-head">
                <h2 id="why-h">{ "Why is this here?" }</h2>
                <button type="button" class="why-close" onclick={close} aria-label="close the why panel (Esc)" title="close (Esc)">{ "×" }</button>
            </div>
            { body }
            <p class="hint">{ "Computed from the trace: the last step that changed the cell. Click any underlined value to ask about it." }</p>
        </aside>
    }
}

/// One change of the chain: when, from what, by which line; the first is the answer.
fn change_row(w: &Why, first: bool, go: &dyn Fn(u64) -> Callback<MouseEvent>) -> Html {
    let Some(k) = w.step else {
        return html! {
            <li class="why-boot" data-step="boot">{ "holds " }<strong class="mono">{ w.value.clone() }</strong>{ " since boot (step 0): no step changed it" }</li>
        };
    };
    let from = match &w.before {
        Some(b) => html! { <><span class="mono why-before">{ b.clone() }</span>{ " → " }</> },
        None => html! { <span class="hint">{ "(did not exist) → " }</span> },
    };
    let place = match (w.func, w.line) {
        (Some(f), Some(l)) => format!("{f}(), line {l}"),
        (Some(f), None) => format!("{f}()"),
        _ => String::new(),
    };
    html! {
        <li class={classes!("why-change", first.then_some("why-first"))} data-step={step_no(k).to_string()}>
            <div class="why-line">
                <button type="button" class="why-go" onclick={go(k)} title={format!("go to step {}", step_no(k))}>{ format!("step {}", step_no(k)) }</button>
                { " " }{ from }<strong class="mono">{ w.value.clone() }</strong>
                <span class="why-place">{ format!(" in {place}") }</span>
            </div>
            { for w.source.map(|s| html! { <pre class="why-src">{ s.trim() }</pre> }) }
            { for w.narration.as_ref().filter(|_| first).map(|n| html! { <p class="why-say">{ n.clone() }</p> }) }
        </li>
    }
}
