//! Component tests of the web UI in headless Chromium (wasm-bindgen-test): mount the Yew
//! `App`, click and type through the DOM, read what it shows. Only what needs the DOM is
//! here; the app model (verbs, links, compare mode's step lock, the what-if switch lines,
//! the restore of the editor's text) is tested natively in tests/app_model.rs.
//! wasm32 only: `cargo test --target wasm32-unknown-unknown --test web_app`.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ------------------------------------------------------------------ helpers

/// A future that resolves after `ms` milliseconds (a browser setTimeout), so Yew's
/// scheduler can render in between.
struct Sleep {
    ms: i32,
    state: Rc<RefCell<(bool, Option<Waker>, bool)>>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.state.borrow_mut();
        if st.0 {
            return Poll::Ready(());
        }
        st.1 = Some(cx.waker().clone());
        if !st.2 {
            st.2 = true;
            let shared = self.state.clone();
            let cb = Closure::once_into_js(move || {
                let mut s = shared.borrow_mut();
                s.0 = true;
                if let Some(w) = s.1.take() {
                    w.wake();
                }
            });
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), self.ms)
                .unwrap();
        }
        Poll::Pending
    }
}

fn sleep(ms: i32) -> Sleep {
    Sleep {
        ms,
        state: Rc::new(RefCell::new((false, None, false))),
    }
}

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn find(testid: &str) -> Option<web_sys::HtmlElement> {
    doc()
        .query_selector(&format!("[data-testid={testid}]"))
        .unwrap()
        .map(|e| e.dyn_into::<web_sys::HtmlElement>().unwrap())
}

fn text(testid: &str) -> String {
    find(testid)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Waits (up to 3 s) until `cond` holds; false if it never does.
async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if cond() {
            return true;
        }
        sleep(10).await;
    }
    cond()
}

/// Mounts a fresh App at a clean URL (an earlier test's fragment would be read as a link)
/// with empty localStorage (an earlier test's text would be restored).
async fn mount() -> (yew::AppHandle<exitpath::ui::App>, web_sys::Element) {
    let w = web_sys::window().unwrap();
    w.local_storage().unwrap().unwrap().clear().unwrap();
    let path = w.location().pathname().unwrap();
    w.history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some(&path))
        .unwrap();
    let root = doc().create_element("div").unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<exitpath::ui::App>::with_root(root.clone()).render();
    assert!(
        wait_for(|| find("step-counter").is_some()).await,
        "the app rendered a step counter"
    );
    (handle, root)
}

fn unmount(app: (yew::AppHandle<exitpath::ui::App>, web_sys::Element)) {
    app.0.destroy();
    app.1.remove();
}

fn counter() -> (u64, u64) {
    let t = text("step-counter");
    let rest = t
        .strip_prefix("step ")
        .unwrap_or_else(|| panic!("counter reads {t:?}"));
    let (a, b) = rest
        .split_once(" / ")
        .unwrap_or_else(|| panic!("counter reads {t:?}"));
    (a.parse().unwrap(), b.parse().unwrap())
}

// ------------------------------------------------------------------ components

#[wasm_bindgen_test]
async fn renders_the_default_scenario_at_boot() {
    let app = mount().await;
    let (pos, len) = counter();
    assert_eq!(pos, 0);
    assert!(
        len > 100,
        "the fork/wait loop runs for more than 100 steps, not {len}"
    );
    for id in [
        "cpu",
        "procs",
        "zombproc",
        "tss-slots",
        "uarea-cache",
        "source",
        "narration",
        "faults",
        "metrics",
        "editor",
    ] {
        assert!(find(id).is_some(), "panel {id} is on the page");
    }
    assert!(find("error-banner").is_none(), "no banner at a clean start");
    unmount(app);
}

#[wasm_bindgen_test]
async fn step_forward_advances_the_counter() {
    let app = mount().await;
    let (_, len) = counter();
    find("step-forward").unwrap().click();
    assert!(
        wait_for(|| text("step-counter") == format!("step 1 / {len}")).await,
        "after one click: {}",
        text("step-counter")
    );
    find("step-forward").unwrap().click();
    find("step-back").unwrap().click();
    assert!(wait_for(|| counter().0 == 1).await);
    find("action-forward").unwrap().click();
    assert!(
        wait_for(|| counter().0 > 1).await,
        "action forward moves past step 1"
    );
    assert!(!text("narration").is_empty());
    unmount(app);
}

#[wasm_bindgen_test]
async fn a_bad_scenario_shows_the_editor_error_and_keeps_the_text() {
    let app = mount().await;
    let before = counter();
    let editor: web_sys::HtmlTextAreaElement = find("editor").unwrap().dyn_into().unwrap();
    let bad = "proc shell\n  fork worker\n  frobnicate\nproc worker\n  exit 0\n";
    editor.set_value(bad);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    editor
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    assert!(
        wait_for(|| find("editor-error").is_some()).await,
        "an editor error appears"
    );
    let msg = text("editor-error");
    assert!(
        msg.contains("line 3") && msg.contains("column"),
        "the error names line 3 and a column: {msg}"
    );
    assert_eq!(editor.value(), bad, "the user's text is kept");
    assert_eq!(counter(), before, "the last good run stays on screen");
    unmount(app);
}

#[wasm_bindgen_test]
async fn arrow_keys_step_unless_typing() {
    let app = mount().await;
    let key = |k: &str, target: &web_sys::EventTarget| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(k);
        init.set_bubbles(true);
        init.set_cancelable(true);
        target
            .dispatch_event(
                &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
                    .unwrap(),
            )
            .unwrap();
    };
    let body: web_sys::EventTarget = doc().body().unwrap().into();
    key("ArrowRight", &body);
    assert!(wait_for(|| counter().0 == 1).await, "→ steps forward");
    key("End", &body);
    assert!(
        wait_for(|| counter().0 == counter().1).await,
        "End goes to the end"
    );
    key("Home", &body);
    assert!(wait_for(|| counter().0 == 0).await, "Home goes to boot");
    let editor: web_sys::EventTarget = find("editor").unwrap().into();
    key("ArrowRight", &editor);
    sleep(50).await;
    assert_eq!(
        counter().0,
        0,
        "→ in the editor moves the caret, not the simulation"
    );
    unmount(app);
}

// ------------------------------------------------------------------ typing and switches

#[wasm_bindgen_test]
async fn a_typed_scenario_runs_after_the_debounce_and_a_checkbox_adds_its_switch() {
    let app = mount().await;
    let editor: web_sys::HtmlTextAreaElement = find("editor").unwrap().dyn_into().unwrap();
    let (_, len0) = counter();
    editor.set_value("proc a\n  fork b\n  wait\n  exit 0\nproc b\n  exit 0\n");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    editor
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    assert!(wait_for(|| counter().1 != len0).await, "the new text ran");
    let cb: web_sys::HtmlInputElement = find("switch-no_pmap_deactivate")
        .unwrap()
        .dyn_into()
        .unwrap();
    cb.click();
    assert!(
        wait_for(|| editor.value().contains("switch no_pmap_deactivate")).await,
        "the checkbox wrote its line: {}",
        editor.value()
    );
    assert!(
        wait_for(|| text("faults").contains("PmapActiveFreed")).await,
        "the fault is listed: {}",
        text("faults")
    );
    assert!(
        text("faults").contains("pm_cpus"),
        "and explained: {}",
        text("faults")
    );
    unmount(app);
}
