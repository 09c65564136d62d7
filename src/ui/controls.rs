//! The transport bar: step and action buttons, play/pause with speed, reset, the step
//! counter, and "run until the next/previous <event>".

use crate::app::state::SPEEDS;
use crate::app::{Nav, Verb};
use crate::engine::session::MarkerKind;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub pos: u64,
    pub len: u64,
    pub playing: bool,
    pub speed: u32,
    pub until_kind: MarkerKind,
    pub status: Option<String>,
    pub on: Callback<Verb>,
}

fn send(on: &Callback<Verb>, verb: Nav) -> Callback<MouseEvent> {
    let on = on.clone();
    Callback::from(move |_| on.emit(verb.clone().into()))
}

#[derive(Properties, PartialEq)]
pub struct CounterProps {
    pub pos: u64,
    pub len: u64,
}

/// The step counter: the position of the run's length.
#[component]
pub fn StepCounter(p: &CounterProps) -> Html {
    html! {
        <output class="counter" data-testid="step-counter" aria-live="off">{ format!("step {} / {}", p.pos, p.len) }</output>
    }
}

#[component]
pub fn Controls(p: &ControlsProps) -> Html {
    let at_start = p.pos == 0;
    let at_end = p.pos >= p.len;
    let on_speed = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Ok(v) = v.parse() {
                on.emit(Nav::SetSpeed(v).into());
            }
        })
    };
    let on_kind = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some(k) = MarkerKind::ALL.iter().find(|k| k.id() == v) {
                on.emit(Nav::SetUntilKind(*k).into());
            }
        })
    };
    let kind = p.until_kind.name();
    html! {
        <div class="controls" role="toolbar" aria-label="Step controls">
            <div class="group transport">
                <button type="button" data-testid="reset" onclick={send(&p.on, Nav::Reset)}
                    title="Back to boot (step 0) and stop">{ "↺ Reset" }</button>
                <button type="button" data-testid="action-back" onclick={send(&p.on, Nav::ActionBack)}
                    disabled={at_start} aria-label="Back one action" title="Back one action (Shift+←)">{ "◀◀ Action" }</button>
                <button type="button" data-testid="step-back" onclick={send(&p.on, Nav::StepBack)}
                    disabled={at_start} aria-label="Back one micro-step" title="Back one micro-step (←)">{ "◀ Step" }</button>
                <button type="button" data-testid="play" class={classes!("play", p.playing.then_some("on"))}
                    onclick={send(&p.on, Nav::TogglePlay)} aria-pressed={if p.playing { "true" } else { "false" }}
                    title="Play / pause (Space)">
                    { if p.playing { "❚❚ Pause" } else { "▶ Play" } }
                </button>
                <button type="button" data-testid="step-forward" onclick={send(&p.on, Nav::StepForward)}
                    disabled={at_end} aria-label="Forward one micro-step" title="Forward one micro-step (→)">{ "Step ▶" }</button>
                <button type="button" data-testid="action-forward" onclick={send(&p.on, Nav::ActionForward)}
                    disabled={at_end} aria-label="Forward one action" title="Forward one action (Shift+→)">{ "Action ▶▶" }</button>
            </div>
            <div class="group">
                <label for="speed">{ "Speed" }</label>
                <select id="speed" data-testid="speed" onchange={on_speed} title="Micro-steps per second while playing">
                    { for SPEEDS.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == p.speed}>{ format!("{s} / s") }</option>
                    }) }
                </select>
            </div>
            <StepCounter pos={p.pos} len={p.len} />
            <div class="group until">
                <label for="until-kind">{ "Run until" }</label>
                <button type="button" data-testid="run-until-back" onclick={send(&p.on, Nav::RunUntil { forward: false })}
                    aria-label={format!("Back to the previous {kind}")} title={format!("Back to the previous {kind}")}>{ "◀" }</button>
                <select id="until-kind" data-testid="run-until-kind" onchange={on_kind}>
                    { for MarkerKind::ALL.iter().map(|k| html! {
                        <option value={k.id()} selected={*k == p.until_kind} title={k.counts()}>{ k.name() }</option>
                    }) }
                </select>
                <button type="button" data-testid="run-until-forward" onclick={send(&p.on, Nav::RunUntil { forward: true })}
                    aria-label={format!("Run until the next {kind}")} title={format!("Run until the next {kind}")}>{ "▶" }</button>
                <span class="status" role="status">{ p.status.clone().unwrap_or_default() }</span>
            </div>
        </div>
    }
}
