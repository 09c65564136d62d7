//! The narration: what the last micro-step did, in one sentence, with who ran it, the
//! scenario action it belongs to and that action's note (the comment on its line). An
//! aria-live region, quiet while playing.

use crate::engine::session::StepView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NarrationProps {
    pub step: Option<Rc<StepView>>,
    /// The scenario action being executed ("line 15: fork worker"), if any.
    pub action: Option<String>,
    /// The note on the action's line, if it has one.
    #[prop_or_default]
    pub note: Option<String>,
    pub playing: bool,
    /// Compare mode: the other design's narration says something else.
    #[prop_or_default]
    pub differs: bool,
}

#[component]
pub fn Narration(p: &NarrationProps) -> Html {
    let live = if p.playing { "off" } else { "polite" };
    let body = match &p.step {
        None => html! {
            <>
                <p class="meta">{ "boot" }</p>
                <p class="say">{ "The machine has booted: proc0, init and the kernel threads exist. Press Step ▶ (or →) to run the first micro-step, or Play." }</p>
            </>
        },
        Some(s) => html! {
            <>
                <p class="meta">
                    <span class="tag">{ format!("step {}", s.index + 1) }</span>
                    <span class="tag">{ format!("cpu{}", s.cpu) }</span>
                    <span class="tag">{ if s.who == "idle" { "idle PCB".to_string() } else { format!("LWP {}", s.who) } }</span>
                    <span class="tag mono">{ format!("{}()", s.func) }</span>
                    { for p.action.iter().map(|a| html! { <span class="tag action">{ a.clone() }</span> }) }
                </p>
                <p class="say">{ s.narration.clone() }</p>
                { for p.note.iter().map(|n| html! {
                    <p class="action-note" data-testid="action-note"><span class="note-tag">{ "note" }</span>{ n.clone() }</p>
                }) }
                { for s.findings.iter().map(|f| html! {
                    <p class={classes!("finding", if f.check.is_fault() { "fault" } else { "violation" })}>
                        { if f.check.is_fault() { "✗ fault " } else { "⚠ invariant broken " } }
                        <span class="mono">{ format!("{:?}", f.check) }</span>{ ": " }{ f.message.clone() }
                    </p>
                }) }
            </>
        },
    };
    html! {
        <section class={classes!("panel", "narration", p.differs.then_some("diff"))} data-testid="narration" aria-live={live} aria-atomic="true"
            aria-label="What the last step did" title={p.differs.then_some("differs from the other design")}>
            { body }
        </section>
    }
}
