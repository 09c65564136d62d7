//! Component tests of the web UI in headless Chromium (wasm-bindgen-test): mount the Yew
//! `App`, click and type through the DOM, read what it shows; plus the reducer on its own.
//! wasm32 only: `cargo test --target wasm32-unknown-unknown --test web_app`.
#![cfg(target_arch = "wasm32")]

use exitpath::engine::library;
use exitpath::engine::trace::Event;
use exitpath::engine::Design;
use exitpath::ui::state::{State, Verb};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use yew::Reducible;

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

/// Mounts a fresh App at a clean URL (an earlier test's fragment would be read as a link).
async fn mount() -> (yew::AppHandle<exitpath::ui::App>, web_sys::Element) {
    let w = web_sys::window().unwrap();
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

// ------------------------------------------------------------------ the reducer

fn reduce(s: Rc<State>, v: Verb) -> Rc<State> {
    s.reduce(v)
}

#[wasm_bindgen_test]
fn reducer_steps_clamp_and_unchanged_arms_return_the_same_rc() {
    let s = Rc::new(State::from_url("", ""));
    let back = reduce(s.clone(), Verb::StepBack);
    assert!(
        Rc::ptr_eq(&s, &back),
        "stepping back at boot changes nothing"
    );
    let end = reduce(s.clone(), Verb::End);
    assert_eq!(end.pos, end.end());
    let past = reduce(end.clone(), Verb::StepForward);
    assert!(
        Rc::ptr_eq(&end, &past),
        "stepping forward at the end changes nothing"
    );
    let seek = reduce(s.clone(), Verb::Seek(u64::MAX));
    assert_eq!(seek.pos, seek.end(), "seeking past the end clamps");
    let tick = reduce(s.clone(), Verb::Tick);
    assert!(Rc::ptr_eq(&s, &tick), "a tick while paused changes nothing");
}

#[wasm_bindgen_test]
fn reducer_run_until_and_design_switch() {
    let s = Rc::new(State::from_url("", ""));
    let s = reduce(
        s,
        Verb::SetUntilKind(exitpath::engine::session::MarkerKind::Zombie),
    );
    let z = reduce(s.clone(), Verb::RunUntil { forward: true });
    let event = z.run.session.step_view(z.pos).map(|v| v.event);
    assert!(
        matches!(event, Some(Event::Zombie | Event::LwpZombie)),
        "run until zombie stops just after a zombie step, not after {event:?}"
    );
    let p = reduce(z.clone(), Verb::SetDesign(Design::Patch));
    assert_eq!(p.design(), Design::Patch);
    assert_eq!(
        p.history_seq,
        z.history_seq + 1,
        "a design change pushes a history entry"
    );
    assert!(
        p.pos > 0 && p.pos <= p.end(),
        "the position follows the action into the new design"
    );
    let mut back = p;
    for _ in 0..50 {
        if back.status.is_some() {
            break;
        }
        back = reduce(back, Verb::RunUntil { forward: false });
    }
    let status = back.status.clone().unwrap_or_default();
    assert!(
        status.contains("No earlier zombie"),
        "running back past the first zombie says so: {status:?}"
    );
}

#[wasm_bindgen_test]
fn reducer_links_good_bad_and_past_the_end() {
    let def = library::default_builtin();
    let bad = State::from_url("#garbage", "");
    assert!(bad.banner.is_some(), "a broken link sets a banner");
    assert_eq!(bad.builtin, Some(def.id), "and the default scenario runs");

    let mut link = exitpath::ui::share_link::make(def.text, Design::Patch, 42, Some(def.id), false);
    let frag = exitpath::ui::share_link::encode(&link).unwrap();
    let good = State::from_url(&frag, "");
    assert!(good.banner.is_none());
    assert_eq!((good.pos, good.design()), (42, Design::Patch));
    assert_eq!(
        good.fragment().unwrap(),
        frag,
        "the state encodes back to the same link"
    );

    link.step = 10_000_000;
    let far = State::from_url(&exitpath::ui::share_link::encode(&link).unwrap(), "?embed");
    assert_eq!(far.pos, far.end(), "a step past the end is clamped");
    assert!(far.banner.as_deref().unwrap_or("").contains("10000000"));
    assert!(far.embed, "?embed turns on the embedded view");

    let edited = reduce(Rc::new(good), Verb::Edit("proc x\n  bogus\n".into()));
    assert!(edited.editor_error.is_some());
    assert_eq!(edited.text, "proc x\n  bogus\n");
    assert_eq!(edited.pos, 42, "the last good run stays");
}
