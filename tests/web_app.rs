//! Component tests of the web UI in headless Chromium (wasm-bindgen-test): mount the Yew
//! `App`, click and type through the DOM, read what it shows; plus the reducer on its own
//! (runs are built by `ui::build`; `settle` builds a pending job at once), compare mode's
//! step lock, the what-if switch lines and the restore of the editor's text.
//! wasm32 only: `cargo test --target wasm32-unknown-unknown --test web_app`.
#![cfg(target_arch = "wasm32")]

use exitpath::engine::library;
use exitpath::engine::trace::Event;
use exitpath::engine::Design;
use exitpath::engine::Switch;
use exitpath::ui::build::settle;
use exitpath::ui::state::{lock_pos, State, Verb};
use exitpath::ui::switches::{set_switch_line, switches_in};
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
    let pending = reduce(z.clone(), Verb::SetDesign(Design::Patch));
    assert_eq!(
        pending.design(),
        Design::Reaper,
        "the run on screen stays until the new one is built"
    );
    assert_eq!(
        pending.want_design(),
        Design::Patch,
        "the picker shows the design asked for"
    );
    let p = settle(pending);
    assert_eq!(p.design(), Design::Patch);
    assert!(p.job.is_none());
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
        status.contains("No earlier process zombie"),
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
    let good = (*settle(Rc::new(State::from_url(&frag, "")))).clone();
    assert!(good.banner.is_none());
    assert_eq!((good.pos, good.design()), (42, Design::Patch));
    assert_eq!(
        good.fragment().unwrap(),
        frag,
        "the state encodes back to the same link"
    );

    link.step = 10_000_000;
    let far = settle(Rc::new(State::from_url(
        &exitpath::ui::share_link::encode(&link).unwrap(),
        "?embed",
    )));
    assert_eq!(far.pos, far.end(), "a step past the end is clamped");
    assert!(far.banner.as_deref().unwrap_or("").contains("10000000"));
    assert!(far.embed, "?embed turns on the embedded view");

    let typed = reduce(Rc::new(good), Verb::Edit("proc x\n  bogus\n".into()));
    assert!(typed.editor_error.is_none(), "no error while typing");
    let edited = reduce(typed.clone(), Verb::Commit(typed.edit_seq));
    assert!(edited.editor_error.is_some());
    assert_eq!(edited.text, "proc x\n  bogus\n");
    assert_eq!(edited.pos, 42, "the last good run stays");
}

#[wasm_bindgen_test]
fn reducer_commits_only_the_latest_edit_and_builds_it() {
    let s = Rc::new(State::from_url("", ""));
    let a = reduce(s, Verb::Edit("proc a\n  exit 0\n".into()));
    let b = reduce(
        a.clone(),
        Verb::Edit("proc b\n  fork c\n  wait\n  exit 0\nproc c\n  exit 1\n".into()),
    );
    let stale = reduce(b.clone(), Verb::Commit(a.edit_seq));
    assert!(
        Rc::ptr_eq(&b, &stale),
        "an older edit's timer commits nothing"
    );
    let c = reduce(b.clone(), Verb::Commit(b.edit_seq));
    let job = c.job.clone().expect("a job for the new text");
    assert_eq!(job.text, b.text);
    // A stale build result is ignored; the current one lands.
    let ignored = reduce(
        c.clone(),
        Verb::Built {
            job: job.id + 99,
            runs: vec![],
        },
    );
    assert!(Rc::ptr_eq(&c, &ignored));
    let done = settle(c);
    assert_eq!(done.run.session.text, b.text);
    assert!(done.job.is_none() && done.progress.is_none());
    assert!(done.builtin.is_none());
}

#[wasm_bindgen_test]
fn compare_mode_builds_both_designs_and_locks_them_by_action() {
    let s = Rc::new(State::from_url("", ""));
    let c = settle(reduce(s, Verb::SetCompare(Some(Design::Patch))));
    let (cmp, _) = c.cmp_at().expect("compare mode has a second run");
    assert_eq!(
        (c.design(), cmp.session.design),
        (Design::Reaper, Design::Patch)
    );
    assert!(
        c.fragment().unwrap().contains("c=patch"),
        "the link carries the compare design"
    );
    // Every action start on the left maps to the same action's start on the right.
    let (l, r) = (&c.run.session, &cmp.session);
    assert_eq!(lock_pos(l, r, 0), 0);
    assert_eq!(lock_pos(l, r, l.len()), r.len());
    for (k, a) in l.trace.actions.iter().enumerate() {
        assert_eq!(
            lock_pos(l, r, a.step),
            r.trace.actions[k].step,
            "action {k}"
        );
    }
    // Stepping by action moves both sides.
    let mut st = c.clone();
    for _ in 0..3 {
        let next = reduce(st.clone(), Verb::ActionForward);
        let (before, after) = (st.cmp_at().unwrap().1, next.cmp_at().unwrap().1);
        assert!(next.pos > st.pos && after > before, "both sides move");
        st = next;
    }
    assert!(
        c.run.metrics.context_switches != cmp.metrics.context_switches,
        "reaper and patch differ in context switches"
    );
    // Picking the compare design for the main side swaps them.
    let swapped = settle(reduce(c, Verb::SetDesign(Design::Patch)));
    assert_eq!(swapped.design(), Design::Patch);
    assert_eq!(
        swapped.cmp.as_ref().map(|c| c.session.design),
        Some(Design::Reaper)
    );
    let off = reduce(swapped, Verb::SetCompare(None));
    assert!(
        off.cmp.is_none() && off.job.is_none(),
        "compare off at once"
    );
}

#[wasm_bindgen_test]
fn switch_lines_are_added_and_removed_in_the_text() {
    let def = library::default_builtin().text;
    let on = set_switch_line(def, Switch::NoPmapDeactivate, true);
    assert!(on.contains("\nswitch no_pmap_deactivate\n"), "{on}");
    assert_eq!(switches_in(&on), vec![Switch::NoPmapDeactivate]);
    assert!(
        exitpath::engine::scenario::parse(&on).is_ok(),
        "the text still parses"
    );
    assert_eq!(
        set_switch_line(&on, Switch::NoPmapDeactivate, true),
        on,
        "twice is once"
    );
    let two = set_switch_line(&on, Switch::DrainInLwpExit2, true);
    let back = set_switch_line(
        &set_switch_line(&two, Switch::DrainInLwpExit2, false),
        Switch::NoPmapDeactivate,
        false,
    );
    assert!(switches_in(&back).is_empty());
    assert!(!back.contains("switch "), "{back}");
    // After a setting line, in a text without a header; an indented line is not a setting.
    let t = "uvm_nuarea_max 4\nproc p\n  exit 0";
    assert_eq!(
        set_switch_line(t, Switch::KmFreeInLwpExit2, true),
        "uvm_nuarea_max 4\nswitch km_free_in_lwp_exit2\nproc p\n  exit 0"
    );

    // The checkbox verb edits the text and runs it; the link carries the switch in `w`.
    let s = settle(reduce(
        Rc::new(State::from_url("", "")),
        Verb::SetDesign(Design::Patch),
    ));
    let w = settle(reduce(
        s,
        Verb::SetSwitch(Switch::UareaCacheBeforeSwitchExit, true),
    ));
    assert!(w.text.contains("switch uarea_cache_before_switch_exit"));
    assert_eq!(
        w.run.session.scenario.switches,
        vec![Switch::UareaCacheBeforeSwitchExit]
    );
    assert!(w
        .fragment()
        .unwrap()
        .contains("w=uarea_cache_before_switch_exit"));
}

#[wasm_bindgen_test]
fn the_editor_text_is_restored_unless_a_link_from_elsewhere_wins() {
    let def = library::default_builtin();
    let draft = "proc mine\n  exit 7\n".to_string();
    let broken = "proc mine\n  frobnicate\n".to_string();
    // No link: the stored text comes back, and runs.
    let s = settle(Rc::new(State::open("", "", Some(draft.clone()), false)));
    assert!(s.restored);
    assert_eq!(
        (s.text.as_str(), s.run.session.text.as_str()),
        (draft.as_str(), draft.as_str())
    );
    // A broken draft comes back too, with its error; the default runs meanwhile.
    let b = State::open("", "", Some(broken.clone()), false);
    assert_eq!(b.text, broken);
    assert!(b.editor_error.is_some() && b.job.is_none());
    // A link from elsewhere wins; this tab's own link (a reload) gives the draft back.
    let frag = exitpath::ui::share_link::encode(&exitpath::ui::share_link::make(
        def.text,
        Design::Patch,
        5,
        None,
        false,
    ))
    .unwrap();
    let other = settle(Rc::new(State::open(&frag, "", Some(broken.clone()), false)));
    assert!(!other.restored);
    assert_eq!(
        other.stash.as_deref(),
        Some(broken.as_str()),
        "the draft can come back"
    );
    assert_eq!((other.text.as_str(), other.pos), (def.text, 5));
    let own = settle(Rc::new(State::open(&frag, "", Some(broken.clone()), true)));
    assert!(own.restored && own.editor_error.is_some());
    assert_eq!(own.text, broken, "the draft is back in the editor");
    assert_eq!(
        (own.run.session.text.as_str(), own.pos),
        (def.text, 5),
        "and the link's run shows"
    );
    // An embedded view never takes the draft.
    let e = State::open("", "?embed", Some(draft), false);
    assert!(!e.restored && e.text == def.text);
}

#[wasm_bindgen_test]
fn picking_a_builtin_keeps_the_users_text_to_bring_back() {
    let s = Rc::new(State::from_url("", ""));
    let mine = "proc mine\n  exit 7\n";
    let s = reduce(s, Verb::Edit(mine.into()));
    let s = settle(reduce(s.clone(), Verb::Commit(s.edit_seq)));
    let picked = settle(reduce(
        s,
        Verb::PickBuiltin("whatif-km-free-in-lwp-exit2".into()),
    ));
    assert_eq!(picked.stash.as_deref(), Some(mine));
    assert_ne!(
        picked.design(),
        Design::Reaper,
        "a what-if runs where its switch applies"
    );
    assert!(
        !picked.run.session.trace.findings.is_empty(),
        "and its checks fire"
    );
    let back = settle(reduce(picked, Verb::Unstash));
    assert_eq!(back.text, mine);
    assert!(back.stash.is_none());
}

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
