//! Thin helpers over the browser: the URL (fragment, query, history), the clipboard, and
//! event listeners that remove themselves when dropped. Only effects call these.

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

/// Writes `fragment` into the URL: a new history entry (`push`) or the current one.
pub fn write_fragment(fragment: &str, push: bool) {
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
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
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
