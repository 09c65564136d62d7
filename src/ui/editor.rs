//! The scenario editor: the text as the user typed it, the parse error with its line and
//! column (the last good run stays on screen), and the scenario line now executing.

use super::state::Verb;
use crate::engine::scenario::ParseError;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub text: String,
    pub error: Option<ParseError>,
    /// The scenario line executing at the current position ("line 15: fork worker").
    pub action: Option<String>,
    pub on: Callback<Verb>,
}

#[component]
pub fn Editor(p: &EditorProps) -> Html {
    let oninput = {
        let on = p.on.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value();
            on.emit(Verb::Edit(v));
        })
    };
    let rows = p.text.lines().count().clamp(8, 24).to_string();
    html! {
        <section class="panel editor" aria-labelledby="editor-h">
            <h2 id="editor-h"><label for="scenario-text">{ "Scenario" }</label>
                <span class="sub">{ " edit it: the run updates as you type (see docs/scenario-language.md)" }</span></h2>
            <textarea id="scenario-text" data-testid="editor" spellcheck="false" autocomplete="off"
                autocapitalize="off" {rows} value={p.text.clone()} {oninput}
                aria-invalid={if p.error.is_some() { "true" } else { "false" }}
                aria-describedby="editor-msg" />
            <div id="editor-msg">
                { match &p.error {
                    Some(e) => html! {
                        <p class="editor-error" data-testid="editor-error" role="alert">
                            <strong>{ format!("line {}, column {}: ", e.line, e.col) }</strong>{ e.message.clone() }
                            <br /><span class="hint">{ "The panels still show the last scenario that parsed; your text is kept." }</span>
                        </p>
                    },
                    None => html! {
                        <p class="editor-ok">{ match &p.action { Some(a) => format!("✓ parsed · now executing {a}"), None => "✓ parsed".to_string() } }</p>
                    },
                } }
            </div>
        </section>
    }
}
