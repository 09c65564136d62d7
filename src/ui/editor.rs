//! The scenario editor: the text as the user typed it (kept in this browser across
//! reloads), the parse error with its line and column (the last good run stays on
//! screen), the scenario line now executing, and the limits of the language.

use super::progress::thousands;
use crate::app::{Doc, Edit, Verb};
use crate::engine::scenario::limits;
use crate::engine::sim::STEP_LIMIT_DEFAULT;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The document: the text, its parse error, whether it was restored or replaced
    /// (a stash), the job building it.
    pub doc: Rc<Doc>,
    /// The scenario line executing at the current position ("line 15: fork worker").
    pub action: Option<String>,
    pub on: Callback<Verb>,
}

#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let d = &props.doc;
    let p = EditorView {
        text: &d.text,
        error: d.editor_error.as_ref(),
        action: props.action.as_ref(),
        pending: d.edit_seq != d.committed_seq,
        building: d
            .job
            .as_ref()
            .map(|_| d.progress.map_or(0, |p| p.steps * 100 / p.limit.max(1))),
        restored: d.restored,
        stash: d.stash.is_some(),
        on: &props.on,
    };
    let oninput = {
        let on = p.on.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value();
            on.emit(Edit::Text(v).into());
        })
    };
    let rows = p.text.lines().count().clamp(8, 24).to_string();
    let send = |v: Edit| {
        let on = p.on.clone();
        Callback::from(move |_: MouseEvent| on.emit(v.clone().into()))
    };
    let status = if p.pending {
        "… (runs when you pause typing)".to_string()
    } else if let Some(pct) = p.building {
        format!("✓ parsed · building the run… {pct}% of the step limit")
    } else {
        match p.action {
            Some(a) => format!("✓ parsed · now executing {a}"),
            None => "✓ parsed".to_string(),
        }
    };
    html! {
        <section class="panel editor" aria-labelledby="editor-h">
            <h2 id="editor-h"><label for="scenario-text">{ "Scenario" }</label>
                <span class="sub">{ " edit it: the run updates when you pause typing (the " }
                    <a href="docs/scenario-language.md" target="_blank" rel="noopener" data-testid="doc-language">{ "scenario language" }</a>
                    { "); kept in this browser" }</span></h2>
            { if p.restored { html! {
                <p class="restored" data-testid="restored" role="status">
                    { "↺ Restored the scenario you were editing here last time (kept in this browser)." }
                    <button type="button" onclick={send(Edit::DismissRestored)}>{ "OK" }</button>
                </p>
            } } else { html! {} } }
            { if p.stash { html! {
                <p class="restored" data-testid="stash" role="status">
                    { "Your own scenario was replaced. " }
                    <button type="button" data-testid="unstash" onclick={send(Edit::Unstash)}>{ "Bring it back" }</button>
                </p>
            } } else { html! {} } }
            <textarea id="scenario-text" data-testid="editor" spellcheck="false" autocomplete="off"
                autocapitalize="off" {rows} value={p.text.to_string()} {oninput}
                aria-invalid={if p.error.is_some() { "true" } else { "false" }}
                aria-describedby="editor-msg" />
            <div id="editor-msg">
                { match p.error {
                    Some(e) => html! {
                        <p class="editor-error" data-testid="editor-error" role="alert">
                            <strong>{ format!("line {}, column {}: ", e.line, e.col) }</strong>{ e.message.clone() }
                            <br /><span class="hint">{ "The panels still show the last scenario that parsed; your text is kept." }</span>
                        </p>
                    },
                    None => html! {
                        <p class="editor-ok" data-testid="editor-status">{ status }</p>
                    },
                } }
            </div>
            <p class="hint limits">{ format!(
                "Limits: {} lines of at most {} characters, {} proc/lwp blocks, repeat up to {} (nested {} deep); a run stops after {} micro-steps; a share link holds a scenario that packs into 16 KiB.",
                thousands(limits::LINES_MAX as u64), limits::LINE_CHARS_MAX, limits::BLOCKS_MAX,
                thousands(limits::REPEAT_COUNT_MAX as u64), limits::REPEAT_DEPTH_MAX, thousands(STEP_LIMIT_DEFAULT)) }</p>
        </section>
    }
}

/// What the editor shows, read from the document.
struct EditorView<'a> {
    text: &'a str,
    error: Option<&'a crate::engine::scenario::ParseError>,
    action: Option<&'a String>,
    /// The text is waiting to be committed (the user is typing).
    pending: bool,
    /// A run of the text is being built: how far (percent of the step limit), once known.
    building: Option<u64>,
    /// The text came from this browser's storage.
    restored: bool,
    /// A scenario that a built-in or a link replaced, which can come back.
    stash: bool,
    on: &'a Callback<Verb>,
}
