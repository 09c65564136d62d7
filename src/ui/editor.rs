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

/// The UTF-16 offset (what a textarea's selection counts) of 1-based `line`, `col`
/// (characters) in `text`, clamped to the text.
pub fn utf16_offset(text: &str, line: u32, col: u32) -> u32 {
    let mut off = 0u32;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line as usize {
            let before: u32 = l
                .chars()
                .take(col.saturating_sub(1) as usize)
                .map(|c| c.len_utf16() as u32)
                .sum();
            return off + before;
        }
        off += l.encode_utf16().count() as u32 + 1;
    }
    text.encode_utf16().count() as u32
}

#[component]
pub fn Editor(props: &EditorProps) -> Html {
    let area = use_node_ref();
    let gutter = use_node_ref();
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
    let lines = p.text.split('\n').count().max(1);
    let rows = lines.clamp(8, 24).to_string();
    // The gutter scrolls with the text (the textarea does not wrap lines, so they align).
    let onscroll = {
        let (area, gutter) = (area.clone(), gutter.clone());
        Callback::from(move |_: Event| {
            if let (Some(a), Some(g)) = (
                area.cast::<web_sys::HtmlTextAreaElement>(),
                gutter.cast::<web_sys::HtmlElement>(),
            ) {
                g.set_scroll_top(a.scroll_top());
            }
        })
    };
    let err_line = p.error.map(|e| e.line as usize);
    // A click on the error's position puts the cursor there.
    let goto_error = p.error.map(|e| {
        let (area, at) = (area.clone(), utf16_offset(p.text, e.line, e.col));
        Callback::from(move |_: MouseEvent| {
            if let Some(a) = area.cast::<web_sys::HtmlTextAreaElement>() {
                let _ = a.focus();
                let _ = a.set_selection_range(at, at);
            }
        })
    });
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
            <div class="editor-wrap">
                <pre class="gutter" ref={gutter} aria-hidden="true">
                    { for (1..=lines).map(|n| html! {
                        <span class={classes!((Some(n) == err_line).then_some("err"))}>{ n }{ "\n" }</span>
                    }) }
                </pre>
                <textarea id="scenario-text" data-testid="editor" spellcheck="false" autocomplete="off"
                    autocapitalize="off" wrap="off" {rows} value={p.text.to_string()} {oninput} {onscroll} ref={area}
                    aria-invalid={if p.error.is_some() { "true" } else { "false" }}
                    aria-describedby="editor-msg" />
            </div>
            <div id="editor-msg">
                { match p.error {
                    Some(e) => html! {
                        <p class="editor-error" data-testid="editor-error" role="alert">
                            <button type="button" class="err-at" data-testid="editor-error-at" onclick={goto_error.clone()}
                                title="put the cursor there">{ format!("line {}, column {}", e.line, e.col) }</button>{ ": " }{ e.message.clone() }
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
