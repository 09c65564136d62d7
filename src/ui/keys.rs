//! Keyboard shortcuts: the key → verb table, the document listener that applies it
//! (never while the user types in a text field), and the on-screen list of keys.

use super::dom::Listener;
use crate::app::{Nav, Verb};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What each key does, for the on-screen list (key, action).
pub const KEYS: [(&str, &str); 12] = [
    ("Space", "play / pause"),
    ("→", "one micro-step forward"),
    ("←", "one micro-step back"),
    ("Shift + →", "next action (scenario line)"),
    ("Shift + ←", "previous action"),
    ("Home", "boot (step 0)"),
    ("End", "the end of the run"),
    (
        "Enter",
        "on a value: why it is there (the step that set it)",
    ),
    ("Esc", "close the why panel, or leave the lesson"),
    ("Page Down", "lesson: next stop (starts the lesson)"),
    ("Page Up", "lesson: the stop before"),
    ("b", "breakpoint on the line just run (set / clear)"),
];

/// The verb for a key press, if the key is a shortcut (`Nav::for_key`).
pub fn verb_for(key: &str, shift: bool) -> Option<Verb> {
    Nav::for_key(key, shift).map(Verb::from)
}

/// Which keys the focused element keeps for itself.
#[derive(PartialEq, Eq)]
enum Owner {
    /// Text fields and the editor keep every key.
    Text,
    /// Drop-down lists keep Space, Home, End and ↑/↓ (to open and choose), but not ←/→:
    /// some platforms change a closed list's choice with them, which would switch the
    /// design by accident right after picking it. Checkboxes likewise keep Space.
    Select,
    /// Anything else (buttons, the scrubber, the page): shortcuts apply.
    None,
}

fn owner(target: Option<web_sys::EventTarget>) -> Owner {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return Owner::None;
    };
    match el.tag_name().to_ascii_lowercase().as_str() {
        "textarea" => Owner::Text,
        // A disclosure's summary (the "What if…" menu) opens with Space, as a button would.
        "select" | "summary" => Owner::Select,
        "input" => {
            let kind = el
                .get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if matches!(kind.as_str(), "range" | "button") {
                Owner::None
            } else if matches!(kind.as_str(), "checkbox" | "radio") {
                // Space is how a keyboard ticks a box (the what-if switches).
                Owner::Select
            } else {
                Owner::Text
            }
        }
        _ if el.get_attribute("contenteditable").is_some() => Owner::Text,
        _ => Owner::None,
    }
}

/// Listens for shortcuts on the document until dropped.
pub fn listen(on: Callback<Verb>) -> Option<Listener> {
    Listener::document("keydown", move |e: web_sys::Event| {
        let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        if k.ctrl_key() || k.meta_key() || k.alt_key() || k.is_composing() {
            return;
        }
        let key = k.key();
        match owner(k.target()) {
            Owner::Text => return,
            Owner::Select if !matches!(key.as_str(), "ArrowLeft" | "ArrowRight") => return,
            _ => {}
        }
        if let Some(verb) = verb_for(&key, k.shift_key()) {
            // Arrows and Space would also scroll the page or nudge the focused slider.
            k.prevent_default();
            on.emit(verb);
        }
    })
}

/// The list of shortcuts shown on the page.
#[component]
pub fn KeyList() -> Html {
    html! {
        <section class="panel keys" aria-labelledby="keys-h">
            <h2 id="keys-h">{ "Keyboard" }</h2>
            <dl class="keylist">
                { for KEYS.iter().map(|(k, what)| html! {
                    <div class="key-row"><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></div>
                }) }
            </dl>
            <p class="hint">{ "Keys do nothing while you type in the scenario editor; in a drop-down list or on a checkbox only ← and → step. Tab moves between controls; Enter presses the focused button." }</p>
        </section>
    }
}
