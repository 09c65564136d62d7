//! Browser entry point: installs a panic hook that logs to the console AND puts a visible
//! error panel in the page (a Rust panic never leaves a blank page), then mounts the Yew
//! app from `exitpath::ui` into `#app`; exports `exitpath_link` for scripts. A no-op natively.

#[cfg(target_arch = "wasm32")]
fn show_panic(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = doc.body() else { return };
    // One panel, however many panics follow the first (the page is half-dead by then).
    if doc.get_element_by_id("panic-banner").is_some() {
        return;
    }
    let Ok(div) = doc.create_element("div") else {
        return;
    };
    div.set_id("panic-banner");
    let _ = div.set_attribute("data-testid", "error-banner");
    let _ = div.set_attribute("role", "alert");
    let _ = div.set_attribute("class", "banner panic");
    div.set_text_content(Some(&format!(
        "exitpath stopped on an internal error, sorry. Reload the page to start again \
         (the link keeps your scenario and step). Details: {message}"
    )));
    let _ = body.insert_before(&div, body.first_child().as_ref());
}

// `window.wasmBindings.exitpath_link(scenario, design, step, embed, compare)`: the URL
// fragment (without '#') of a link to `step` of `scenario` in `design` (compared with
// design `compare` when given), for course pages that build links in script (and the
// end-to-end tests). Empty when a design is not a design name or the scenario is too
// large for a link. (Plain comments: a doc comment would be copied into the JS glue.)
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn exitpath_link(
    scenario: &str,
    design: &str,
    step: f64,
    embed: bool,
    compare: Option<String>,
) -> String {
    use exitpath::app::share_link::{encode, make};
    let Some(design) = exitpath::engine::Design::from_name(design) else {
        return String::new();
    };
    let builtin = exitpath::engine::library::BUILTINS
        .iter()
        .find(|b| b.text == scenario)
        .map(|b| b.id);
    let step = if step.is_finite() && step > 0.0 {
        step as u64
    } else {
        0
    };
    let mut link = make(scenario, design, step, builtin, embed);
    match compare.as_deref().filter(|c| !c.is_empty()) {
        None => {}
        Some(c) => match exitpath::engine::Design::from_name(c) {
            Some(c) => link.compare = Some(c),
            None => return String::new(),
        },
    }
    encode(&link).unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panic(&info.to_string());
    }));
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<exitpath::ui::App>::with_root(root).render(),
        None => yew::Renderer::<exitpath::ui::App>::new().render(),
    };
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
