//! Thin helpers over the browser: the URL (fragment, query, history), the clipboard,
//! localStorage, Blob URLs, a clock and a one-shot timer, and event listeners that remove
//! themselves when dropped. Only effects (and the app's first render) call these.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The fragment of the page's URL, without '#'.
pub fn read_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// The query string of the page's URL, with its '?'.
pub fn read_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's URL with `fragment` as its fragment.
pub fn url_with(fragment: &str) -> String {
    let href = window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = href.split('#').next().unwrap_or("");
    format!("{base}#{fragment}")
}

/// The tab id the app stored in this history entry's state when it wrote the URL (it
/// survives a reload), if any.
pub fn history_tab() -> Option<String> {
    let state = window()?.history().ok()?.state().ok()?;
    state
        .as_string()?
        .strip_prefix("exitpath:")
        .map(str::to_string)
}

/// A fresh id for this tab: tells a reload of this tab from a link opened elsewhere.
pub fn new_tab_id() -> String {
    format!("{:x}", js_sys::Date::now() as u64)
}

/// Writes `fragment` into the URL: a new history entry (`push`) or the current one. The
/// entry's state records `tab`, so a reload knows the URL is this tab's own.
pub fn write_fragment(fragment: &str, push: bool, tab: &str) {
    let Some(w) = window() else { return };
    if w.location()
        .hash()
        .ok()
        .as_deref()
        .map(|h| h.trim_start_matches('#'))
        == Some(fragment)
    {
        return;
    }
    let Ok(history) = w.history() else { return };
    let url = format!("#{fragment}");
    let state = JsValue::from_str(&format!("exitpath:{tab}"));
    let _ = if push {
        history.push_state_with_url(&state, "", Some(&url))
    } else {
        history.replace_state_with_url(&state, "", Some(&url))
    };
}

/// Copies `text` with navigator.clipboard; `done(true)` once copied, `done(false)` when
/// the clipboard is missing (insecure context) or refuses.
pub fn copy_text(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(w) = window() else {
        return done(false);
    };
    let navigator = w.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !has_clipboard {
        return done(false);
    }
    let promise = navigator.clipboard().write_text(text);
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let (ok_done, err_done) = (done.clone(), done);
    let ok = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(f) = ok_done.borrow_mut().take() {
            f(true);
        }
    });
    let err = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(f) = err_done.borrow_mut().take() {
            f(false);
        }
    });
    let _ = promise.then2(&ok, &err);
    // One pair per click of Share: small enough to leave to the JS garbage collector's
    // side rather than track when the promise settles.
    ok.forget();
    err.forget();
}

/// An event listener, removed when dropped.
pub struct Listener {
    target: web_sys::EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    pub fn new(
        target: &web_sys::EventTarget,
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Listener {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            event,
            closure,
        }
    }

    /// A listener on the document.
    pub fn document(
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Option<Listener> {
        let doc = window()?.document()?;
        Some(Listener::new(doc.as_ref(), event, f))
    }

    /// A listener on the window.
    pub fn window(
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Option<Listener> {
        let w = window()?;
        Some(Listener::new(w.as_ref(), event, f))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}

/// The path of the page's URL.
pub fn read_pathname() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

fn storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok()?
}

/// A localStorage item (None when absent, or storage is off).
pub fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Sets a localStorage item; false when storage is off or full.
pub fn storage_set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Milliseconds since the epoch (for time budgets, not for anything modelled).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Calls `f` once after `ms` milliseconds. The closure is freed once it has run; nothing
/// cancels it (callers check a flag).
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    let Some(w) = window() else { return };
    let cb = Closure::once_into_js(f);
    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
}

/// Calls `f` once at the start of the next animation frame (before that frame's style and
/// layout), so reading layout there costs no extra, forced layout. The closure is freed
/// once it has run; nothing cancels it (callers check a generation number).
pub fn next_frame(f: impl FnOnce() + 'static) {
    let Some(w) = window() else { return };
    let cb = Closure::once_into_js(move |_: JsValue| f());
    let _ = w.request_animation_frame(cb.unchecked_ref());
}

/// An object URL for `text` as a plain-text file; revoke it with `revoke_url`.
pub fn text_blob_url(text: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Offers `text` as a file named `name` (a Blob URL and a click on a temporary link);
/// the URL is revoked a minute later.
pub fn download_text(name: &str, text: &str) {
    let Some(url) = text_blob_url(text) else {
        return;
    };
    let Some(doc) = window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        a.click();
    }
    gloo_timers::callback::Timeout::new(60_000, move || revoke_url(&url)).forget();
}

pub fn revoke_url(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Opens the browser's print dialog for the page.
pub fn print_page() {
    if let Some(w) = window() {
        let _ = w.print();
    }
}

/// Sets (or with `None` removes) attribute `name` of the page's `<body>`.
pub fn set_body_attr(name: &str, value: Option<&str>) {
    let Some(body) = window().and_then(|w| w.document()).and_then(|d| d.body()) else {
        return;
    };
    let _ = match value {
        Some(v) => body.set_attribute(name, v),
        None => body.remove_attribute(name),
    };
}
