//! The app model natively (`exitpath::app`): every verb through `reduce`, which hands
//! back the same `Rc` when nothing changed; runs built at once by `settle`; links good,
//! bad and past the end; edits and their debounce; compare mode's step lock; the what-if
//! switch lines; the restore of the editor's text. (These ran only in Chromium while the
//! model lived in the wasm-only `ui`.)

use exitpath::app::build::settle;
use exitpath::app::switches::{set_switch_line, switches_in};
use exitpath::app::{self, Edit, Nav, Outcome, State, Verb};
use exitpath::engine::library;
use exitpath::engine::trace::Event;
use exitpath::engine::Design;
use exitpath::engine::Switch;
use std::rc::Rc;

// ------------------------------------------------------------------ the reducer

fn reduce(s: Rc<State>, v: impl Into<Verb>) -> Rc<State> {
    app::reduce(s, v)
}

#[test]
fn reducer_steps_clamp_and_unchanged_arms_return_the_same_rc() {
    let s = Rc::new(State::from_url("", ""));
    let back = reduce(s.clone(), Nav::StepBack);
    assert!(
        Rc::ptr_eq(&s, &back),
        "stepping back at boot changes nothing"
    );
    let end = reduce(s.clone(), Nav::End);
    assert_eq!(end.cursor.pos, end.end());
    let past = reduce(end.clone(), Nav::StepForward);
    assert!(
        Rc::ptr_eq(&end, &past),
        "stepping forward at the end changes nothing"
    );
    let seek = reduce(s.clone(), Nav::Seek(u64::MAX));
    assert_eq!(seek.cursor.pos, seek.end(), "seeking past the end clamps");
    let tick = reduce(s.clone(), Nav::Tick);
    assert!(Rc::ptr_eq(&s, &tick), "a tick while paused changes nothing");
}

#[test]
fn reducer_run_until_and_design_switch() {
    let s = Rc::new(State::from_url("", ""));
    let s = reduce(
        s,
        Nav::SetUntilKind(exitpath::engine::session::MarkerKind::Zombie),
    );
    let z = reduce(s.clone(), Nav::RunUntil { forward: true });
    let event = z.doc.run.session.step_view(z.cursor.pos).map(|v| v.event);
    assert!(
        matches!(event, Some(Event::Zombie | Event::LwpZombie)),
        "run until zombie stops just after a zombie step, not after {event:?}"
    );
    let pending = reduce(z.clone(), Edit::SetDesign(Design::Patch));
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
    assert!(p.doc.job.is_none());
    assert_eq!(
        p.doc.history_seq,
        z.doc.history_seq + 1,
        "a design change pushes a history entry"
    );
    assert!(
        p.cursor.pos > 0 && p.cursor.pos <= p.end(),
        "the position follows the action into the new design"
    );
    let mut back = p;
    for _ in 0..50 {
        if back.status.is_some() {
            break;
        }
        back = reduce(back, Nav::RunUntil { forward: false });
    }
    let status = back.status.clone().unwrap_or_default();
    assert!(
        status.contains("No earlier process zombie"),
        "running back past the first zombie says so: {status:?}"
    );
}

#[test]
fn reducer_links_good_bad_and_past_the_end() {
    let def = library::default_builtin();
    let bad = State::from_url("#garbage", "");
    assert!(bad.banner.is_some(), "a broken link sets a banner");
    assert_eq!(
        bad.doc.builtin,
        Some(def.id),
        "and the default scenario runs"
    );

    let mut link =
        exitpath::app::share_link::make(def.text, Design::Patch, 42, Some(def.id), false);
    let frag = exitpath::app::share_link::encode(&link).unwrap();
    let good = (*settle(Rc::new(State::from_url(&frag, "")))).clone();
    assert!(good.banner.is_none());
    assert_eq!((good.cursor.pos, good.design()), (42, Design::Patch));
    assert_eq!(
        good.fragment().unwrap(),
        frag,
        "the state encodes back to the same link"
    );

    link.step = 10_000_000;
    let far = settle(Rc::new(State::from_url(
        &exitpath::app::share_link::encode(&link).unwrap(),
        "?embed",
    )));
    assert_eq!(far.cursor.pos, far.end(), "a step past the end is clamped");
    assert!(far.banner.as_deref().unwrap_or("").contains("10000000"));
    assert!(far.doc.embed, "?embed turns on the embedded view");

    let typed = reduce(Rc::new(good), Edit::Text("proc x\n  bogus\n".into()));
    assert!(typed.doc.editor_error.is_none(), "no error while typing");
    let edited = reduce(typed.clone(), Outcome::Commit(typed.doc.edit_seq));
    assert!(edited.doc.editor_error.is_some());
    assert_eq!(edited.doc.text, "proc x\n  bogus\n");
    assert_eq!(edited.cursor.pos, 42, "the last good run stays");
}

#[test]
fn reducer_commits_only_the_latest_edit_and_builds_it() {
    let s = Rc::new(State::from_url("", ""));
    let a = reduce(s, Edit::Text("proc a\n  exit 0\n".into()));
    let b = reduce(
        a.clone(),
        Edit::Text("proc b\n  fork c\n  wait\n  exit 0\nproc c\n  exit 1\n".into()),
    );
    let stale = reduce(b.clone(), Outcome::Commit(a.doc.edit_seq));
    assert!(
        Rc::ptr_eq(&b, &stale),
        "an older edit's timer commits nothing"
    );
    let c = reduce(b.clone(), Outcome::Commit(b.doc.edit_seq));
    let job = c.doc.job.clone().expect("a job for the new text");
    assert_eq!(job.text, b.doc.text);
    // A stale build result is ignored; the current one lands.
    let ignored = reduce(
        c.clone(),
        Outcome::Built {
            job: job.id + 99,
            runs: vec![],
        },
    );
    assert!(Rc::ptr_eq(&c, &ignored));
    let done = settle(c);
    assert_eq!(done.doc.run.session.text, b.doc.text);
    assert!(done.doc.job.is_none() && done.doc.progress.is_none());
    assert!(done.doc.builtin.is_none());
}

#[test]
fn compare_mode_builds_both_designs_and_locks_them_by_action() {
    let s = Rc::new(State::from_url("", ""));
    let c = settle(reduce(s, Edit::SetCompare(Some(Design::Patch))));
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
    let (l, r) = (&c.doc.run.session, &cmp.session);
    assert_eq!(l.lock_pos(r, 0), 0);
    assert_eq!(l.lock_pos(r, l.len()), r.len());
    for (k, a) in l.trace.actions.iter().enumerate() {
        assert_eq!(l.lock_pos(r, a.step), r.trace.actions[k].step, "action {k}");
    }
    // Stepping by action moves both sides.
    let mut st = c.clone();
    for _ in 0..3 {
        let next = reduce(st.clone(), Nav::ActionForward);
        let (before, after) = (st.cmp_at().unwrap().1, next.cmp_at().unwrap().1);
        assert!(
            next.cursor.pos > st.cursor.pos && after > before,
            "both sides move"
        );
        st = next;
    }
    assert!(
        c.doc.run.metrics.context_switches != cmp.metrics.context_switches,
        "reaper and patch differ in context switches"
    );
    // Picking the compare design for the main side swaps them.
    let swapped = settle(reduce(c, Edit::SetDesign(Design::Patch)));
    assert_eq!(swapped.design(), Design::Patch);
    assert_eq!(
        swapped.doc.cmp.as_ref().map(|c| c.session.design),
        Some(Design::Reaper)
    );
    let off = reduce(swapped, Edit::SetCompare(None));
    assert!(
        off.doc.cmp.is_none() && off.doc.job.is_none(),
        "compare off at once"
    );
}

#[test]
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
    assert!(!back.lines().any(|l| l.starts_with("switch ")), "{back}");
    // After a setting line, in a text without a header; an indented line is not a setting.
    let t = "uvm_nuarea_max 4\nproc p\n  exit 0";
    assert_eq!(
        set_switch_line(t, Switch::KmFreeInLwpExit2, true),
        "uvm_nuarea_max 4\nswitch km_free_in_lwp_exit2\nproc p\n  exit 0"
    );

    // The checkbox verb edits the text and runs it; the link carries the switch in `w`.
    let s = settle(reduce(
        Rc::new(State::from_url("", "")),
        Edit::SetDesign(Design::Patch),
    ));
    let w = settle(reduce(
        s,
        Edit::SetSwitch(Switch::UareaCacheBeforeSwitchExit, true),
    ));
    assert!(w.doc.text.contains("switch uarea_cache_before_switch_exit"));
    assert_eq!(
        w.doc.run.session.scenario.switches,
        vec![Switch::UareaCacheBeforeSwitchExit]
    );
    assert!(w
        .fragment()
        .unwrap()
        .contains("w=uarea_cache_before_switch_exit"));
}

#[test]
fn the_editor_text_is_restored_unless_a_link_from_elsewhere_wins() {
    let def = library::default_builtin();
    let draft = "proc mine\n  exit 7\n".to_string();
    let broken = "proc mine\n  frobnicate\n".to_string();
    // No link: the stored text comes back, and runs.
    let s = settle(Rc::new(State::open("", "", Some(draft.clone()), false)));
    assert!(s.doc.restored);
    assert_eq!(
        (s.doc.text.as_str(), s.doc.run.session.text.as_str()),
        (draft.as_str(), draft.as_str())
    );
    // A broken draft comes back too, with its error; the default runs meanwhile.
    let b = State::open("", "", Some(broken.clone()), false);
    assert_eq!(b.doc.text, broken);
    assert!(b.doc.editor_error.is_some() && b.doc.job.is_none());
    // A link from elsewhere wins; this tab's own link (a reload) gives the draft back.
    let frag = exitpath::app::share_link::encode(&exitpath::app::share_link::make(
        def.text,
        Design::Patch,
        5,
        None,
        false,
    ))
    .unwrap();
    let other = settle(Rc::new(State::open(&frag, "", Some(broken.clone()), false)));
    assert!(!other.doc.restored);
    assert_eq!(
        other.doc.stash.as_deref(),
        Some(broken.as_str()),
        "the draft can come back"
    );
    assert_eq!((other.doc.text.as_str(), other.cursor.pos), (def.text, 5));
    let own = settle(Rc::new(State::open(&frag, "", Some(broken.clone()), true)));
    assert!(own.doc.restored && own.doc.editor_error.is_some());
    assert_eq!(own.doc.text, broken, "the draft is back in the editor");
    assert_eq!(
        (own.doc.run.session.text.as_str(), own.cursor.pos),
        (def.text, 5),
        "and the link's run shows"
    );
    // An embedded view never takes the draft.
    let e = State::open("", "?embed", Some(draft), false);
    assert!(!e.doc.restored && e.doc.text == def.text);
}

#[test]
fn picking_a_builtin_keeps_the_users_text_to_bring_back() {
    let s = Rc::new(State::from_url("", ""));
    let mine = "proc mine\n  exit 7\n";
    let s = reduce(s, Edit::Text(mine.into()));
    let s = settle(reduce(s.clone(), Outcome::Commit(s.doc.edit_seq)));
    let picked = settle(reduce(
        s,
        Edit::PickBuiltin("whatif-km-free-in-lwp-exit2".into()),
    ));
    assert_eq!(picked.doc.stash.as_deref(), Some(mine));
    assert_ne!(
        picked.design(),
        Design::Reaper,
        "a what-if runs where its switch applies"
    );
    assert!(
        !picked.doc.run.session.trace.findings.is_empty(),
        "and its checks fire"
    );
    let back = settle(reduce(picked, Edit::Unstash));
    assert_eq!(back.doc.text, mine);
    assert!(back.doc.stash.is_none());
}

#[test]
fn verbs_that_change_nothing_return_the_same_rc_and_steps_share_the_document() {
    let s = Rc::new(State::from_url("", ""));
    let text = s.doc.text.clone();
    let speed = s.cursor.speed;
    let until = s.cursor.until_kind;
    let unchanged: Vec<Verb> = vec![
        Nav::Home.into(),
        Nav::StepBack.into(),
        Nav::ActionBack.into(),
        Nav::Seek(0).into(),
        Nav::Reset.into(),
        Nav::Tick.into(),
        Nav::Advance(5).into(),
        Nav::SetSpeed(speed).into(),
        Nav::SetUntilKind(until).into(),
        Nav::SeekCompare(3).into(),
        Edit::Text(text).into(),
        Edit::SetDesign(s.design()).into(),
        Edit::SetCompare(None).into(),
        Edit::PickBuiltin(library::default_builtin().id.into()).into(),
        Edit::PickBuiltin("no-such-scenario".into()).into(),
        Edit::Unstash.into(),
        Edit::CancelBuild.into(),
        Edit::DismissBanner.into(),
        Edit::DismissRestored.into(),
        Outcome::Commit(s.doc.edit_seq).into(),
        Outcome::ShareDone(app::ShareStatus::Idle).into(),
        Outcome::Built {
            job: 7,
            runs: vec![],
        }
        .into(),
    ];
    for v in unchanged {
        let after = reduce(s.clone(), v.clone());
        assert!(Rc::ptr_eq(&s, &after), "{v:?} changed the state");
    }
    // A step changes the cursor only: the document is the same allocation.
    let stepped = reduce(s.clone(), Nav::StepForward);
    assert_eq!(stepped.cursor.pos, 1);
    assert!(
        Rc::ptr_eq(&s.doc, &stepped.doc),
        "a step shares the document"
    );
    let played = reduce(reduce(stepped, Nav::TogglePlay), Nav::Advance(10));
    assert_eq!((played.cursor.pos, played.cursor.playing), (11, true));
    assert!(Rc::ptr_eq(&s.doc, &played.doc));
    let stopped = reduce(played, Nav::End);
    assert!(!stopped.cursor.playing, "a seek stops play");
}

#[test]
fn keys_map_to_navigation_verbs() {
    assert_eq!(Nav::for_key(" ", false), Some(Nav::TogglePlay));
    assert_eq!(Nav::for_key("ArrowRight", false), Some(Nav::StepForward));
    assert_eq!(Nav::for_key("ArrowRight", true), Some(Nav::ActionForward));
    assert_eq!(Nav::for_key("ArrowLeft", true), Some(Nav::ActionBack));
    assert_eq!(Nav::for_key("End", true), Some(Nav::End));
    assert_eq!(Nav::for_key("Escape", false), Some(Nav::Escape));
    assert_eq!(Nav::for_key("a", false), None);
}

#[test]
fn asking_why_is_a_cursor_change_that_steps_keep() {
    let s = Rc::new(State::from_url("", ""));
    let cell = "proc.1.p_stat".parse().ok();
    let asked = reduce(s.clone(), Nav::Ask(cell));
    assert_eq!(asked.cursor.why, cell);
    assert!(
        Rc::ptr_eq(&s.doc, &asked.doc),
        "asking changes only the cursor"
    );
    let stepped = reduce(asked.clone(), Nav::StepForward);
    assert_eq!(
        stepped.cursor.why, cell,
        "the question stays while stepping"
    );
    let again = reduce(asked.clone(), Nav::Ask(cell));
    assert!(
        Rc::ptr_eq(&asked, &again),
        "asking the same again changes nothing"
    );
    assert_eq!(reduce(asked.clone(), Nav::Ask(None)).cursor.why, None);
    assert_eq!(reduce(asked, Nav::Escape).cursor.why, None, "Esc closes it");
}

#[test]
fn run_until_uses_the_runs_markers_like_the_session() {
    let s = Rc::new(State::from_url("", ""));
    let run = s.doc.run.clone();
    for kind in exitpath::engine::session::MarkerKind::ALL {
        for pos in (0..=run.end()).step_by(7) {
            for forward in [true, false] {
                assert_eq!(
                    run.seek_marker(pos, kind, forward),
                    run.session.seek_marker(pos, kind, forward),
                    "{kind:?} from {pos}, forward {forward}"
                );
            }
        }
    }
}

#[test]
fn play_and_run_until_stop_at_a_breakpoint() {
    use exitpath::app::breakpoints::Breakpoint;
    let s = Rc::new(State::from_url("", ""));
    let session = s.doc.run.session.clone();
    // The line the 40th step runs: its first run after position 0 is where play stops.
    let st = session.trace.steps[39];
    let b = Breakpoint {
        func: st.func,
        line: st.line,
    };
    let first = session
        .trace
        .steps
        .iter()
        .position(|x| (x.func, x.line) == (b.func, b.line))
        .unwrap() as u64
        + 1;
    let s = reduce(s, Nav::ToggleBreakpoint(b));
    assert!(s.breakpoints.contains(b));
    let playing = reduce(s.clone(), Nav::TogglePlay);
    let stopped = reduce(playing, Nav::Advance(100_000));
    assert_eq!(
        stopped.cursor.pos, first,
        "play stops at the first run of the line"
    );
    assert!(!stopped.cursor.playing);
    assert!(stopped
        .status
        .as_deref()
        .unwrap_or("")
        .contains(b.func.name()));
    // From there, play goes on to the next run of it, not the same one again.
    let next = session.trace.steps[first as usize..]
        .iter()
        .position(|x| (x.func, x.line) == (b.func, b.line))
        .map(|i| first + i as u64 + 1);
    let again = reduce(
        reduce(stopped.clone(), Nav::TogglePlay),
        Nav::Advance(1_000_000),
    );
    assert_eq!(again.cursor.pos, next.unwrap_or(again.end()));
    // "Run until" forward stops at the breakpoint when it comes before the marker.
    let until = reduce(
        reduce(
            s.clone(),
            Nav::SetUntilKind(exitpath::engine::session::MarkerKind::Reap),
        ),
        Nav::RunUntil { forward: true },
    );
    let reap = s
        .doc
        .run
        .seek_marker(0, exitpath::engine::session::MarkerKind::Reap, true)
        .unwrap();
    assert_eq!(until.cursor.pos, first.min(reap));
    // `b` toggles the line just run; clearing it lets play run to the end.
    let here = reduce(stopped, Nav::ToggleBreakpointHere);
    assert!(
        !here.breakpoints.contains(b),
        "b on the stopped line clears it"
    );
    let free = reduce(reduce(here, Nav::TogglePlay), Nav::Advance(10_000_000));
    assert_eq!(free.cursor.pos, free.end());
}

#[test]
fn a_link_carries_breakpoints_and_the_why_cell_both_ways() {
    use exitpath::app::breakpoints::Breakpoint;
    use exitpath::engine::func::Func;
    let s = Rc::new(State::from_url("", ""));
    let b = Breakpoint {
        func: Func::exit1,
        line: 3,
    };
    let cell = "proc.1.p_stat".parse().ok();
    let marked = reduce(reduce(s, Nav::ToggleBreakpoint(b)), Nav::Ask(cell));
    let frag = marked.fragment().unwrap();
    assert!(frag.contains("&k=exit1:3&q=proc.1.p_stat&"), "{frag}");
    let opened = State::from_url(&frag, "");
    assert!(opened.breakpoints.contains(b));
    assert_eq!(opened.cursor.why, cell);
}

#[test]
fn a_lesson_goes_stop_by_stop_and_esc_leaves_it_where_it_is() {
    use exitpath::app::verb::LessonNav;
    use exitpath::engine::stops;
    let s = Rc::new(State::from_url("", "")); // the default built-in has a lesson
    let session = s.doc.run.session.clone();
    let st = stops::parse(&session.text).unwrap();
    assert!(stops::lesson_title(&session.text).is_some() && st.len() >= 5);
    let at = |k: usize| st[k].resolve(&session).unwrap();
    let first = reduce(s, Nav::Lesson(LessonNav::Next));
    assert_eq!(
        (first.cursor.lesson, first.cursor.pos),
        (Some(0), at(0)),
        "Next starts the lesson"
    );
    let second = reduce(first.clone(), Nav::for_key("PageDown", false).unwrap());
    assert_eq!((second.cursor.lesson, second.cursor.pos), (Some(1), at(1)));
    let back = reduce(second.clone(), Nav::Lesson(LessonNav::Prev));
    assert_eq!((back.cursor.lesson, back.cursor.pos), (Some(0), at(0)));
    let last = reduce(back, Nav::Lesson(LessonNav::Go(500)));
    assert_eq!(
        last.cursor.lesson,
        Some(st.len() as u16 - 1),
        "Go past the end is the last stop"
    );
    let explored = reduce(second, Nav::StepForward);
    let left = reduce(explored.clone(), Nav::Escape);
    assert_eq!(
        (left.cursor.lesson, left.cursor.pos),
        (None, explored.cursor.pos),
        "Esc leaves, the position stays"
    );
    // The link carries the stop, 1-based.
    let frag = last.fragment().unwrap();
    assert!(frag.contains(&format!("&l={}&", st.len())), "{frag}");
    assert_eq!(State::from_url(&frag, "").cursor.lesson, last.cursor.lesson);
}

#[test]
fn panels_in_the_query_string_choose_what_an_embed_shows() {
    use exitpath::app::panels::panels_in_search;
    assert_eq!(panels_in_search("?embed"), Ok(None));
    assert_eq!(
        panels_in_search("?embed&panels=procs,narration%2Ccpu"),
        Ok(Some(vec!["narration", "cpu", "procs"])),
        "in page order, whatever the order asked"
    );
    assert_eq!(panels_in_search("panels=&embed"), Ok(Some(vec![])));
    assert_eq!(
        panels_in_search("panels=cpu+gdt,,"),
        Ok(Some(vec!["cpu", "gdt"]))
    );
    let e = panels_in_search("?panels=cpu,registers").unwrap_err();
    assert!(
        e.starts_with("panels=: `registers` is not a panel; the panels are timeline,"),
        "{e}"
    );
    // Odd input never panics and a bad name is reported cut short.
    let long = format!("panels={}", "é".repeat(500));
    assert!(panels_in_search(&long).unwrap_err().len() < 400);
}

#[test]
fn a_link_with_a_schedule_runs_it_and_keeps_it_in_the_text() {
    use exitpath::engine::schedule::Schedule;
    let text = "cpus 2\nproc shell\n  fork worker\n  wait\n  exit 0\nproc worker\n  exit 3\n";
    let mut link = exitpath::link::LinkState::new(text, exitpath::engine::Design::Committed);
    link.schedule = Schedule::parse("0:12,1:3,0").unwrap();
    let frag = exitpath::link::encode(&link);
    let s = State::from_url(&frag, "");
    let s = match &s.doc.job {
        Some(job) => reduce(Rc::new(s.clone()), exitpath::app::build::build_now(job)),
        None => Rc::new(s),
    };
    assert!(
        s.doc.text.ends_with("schedule 0:12,1:3,0\n"),
        "{}",
        s.doc.text
    );
    assert_eq!(
        s.doc.run.session.scenario.schedule, link.schedule,
        "the run follows it"
    );
    // A text with its own schedule line: the link's replaces it, nothing doubles.
    let mut again = exitpath::link::LinkState::new(
        format!("{text}schedule 1:4\n"),
        exitpath::engine::Design::Committed,
    );
    again.schedule = Schedule::parse("0:2,1").unwrap();
    let t = exitpath::app::share_link::scenario_text(&again);
    assert_eq!(t.matches("schedule").count(), 1, "{t}");
    assert!(t.ends_with("schedule 0:2,1\n"), "{t}");
}

#[test]
fn predict_asks_the_quiz_of_the_run_reveals_on_answer_and_keeps_the_score() {
    use exitpath::app::predict::{PredictNav, QUIZ_LEN};
    use exitpath::engine::quiz::{self, Ask};
    let s = Rc::new(State::from_url("", ""));
    let on = reduce(s, Nav::Predict(PredictNav::On(true)));
    let p = on.predict.as_ref().expect("on");
    let quiz = p
        .quiz
        .clone()
        .expect("the quiz of the run on screen is built at once");
    assert_eq!(quiz.questions.len(), QUIZ_LEN);
    // the same questions as `exitpath quiz --seed 1 --count 8`
    let session = &on.doc.run.session;
    let cli = quiz::quiz(session, &quiz::others(session), 1, QUIZ_LEN);
    assert!(cli.iter().zip(&quiz.questions).all(|(a, b)| a == &**b));
    // Next: the first question at or after the position, at its step, answer hidden
    let first = reduce(on, Nav::Predict(PredictNav::Next));
    let open = first.predict.as_ref().unwrap().open.clone().unwrap();
    assert_eq!(open.index, Some(0));
    assert_eq!(first.cursor.pos, open.question.step);
    assert!(first.predict.as_ref().unwrap().hiding(first.cursor.pos));
    // a wrong answer, then the next question answered rightly
    let q = &open.question;
    let wrong = (q.answer + 1) % q.choices.len();
    let a = reduce(first, Nav::Predict(PredictNav::Answer(wrong)));
    let p = a.predict.as_ref().unwrap();
    assert_eq!(
        a.cursor.pos, q.reveal,
        "answering goes to the step that shows the answer"
    );
    assert_eq!((p.right, p.answered), (0, 1));
    assert!(!p.hiding(a.cursor.pos));
    let again = reduce(a.clone(), Nav::Predict(PredictNav::Answer(q.answer)));
    assert!(Rc::ptr_eq(&a, &again), "a question is answered once");
    let second = reduce(a, Nav::Predict(PredictNav::Next));
    let q2 = second.predict.as_ref().unwrap().open.clone().unwrap();
    assert_eq!(q2.index, Some(1));
    let b = reduce(second, Nav::Predict(PredictNav::Answer(q2.question.answer)));
    assert_eq!(
        b.predict.as_ref().unwrap().score().as_deref(),
        Some("1 of 2 right")
    );
    // the link carries the seed and the question; opening it asks the same
    let back = reduce(b, Nav::Predict(PredictNav::Back));
    assert_eq!(back.cursor.pos, q2.question.step);
    let frag = back.fragment().unwrap();
    assert!(frag.contains("&p=1.2&"), "{frag}");
    let opened = settle(Rc::new(State::from_url(&frag, "")));
    let o = opened
        .predict
        .as_ref()
        .unwrap()
        .open
        .clone()
        .expect("question 2 open");
    assert_eq!((o.index, &o.question), (Some(1), &q2.question));
    assert_eq!(opened.cursor.pos, q2.question.step);
    // Ask here: a question of the chosen kind at the position
    let k = reduce(opened, Nav::Predict(PredictNav::Kind(Ask::Step)));
    let here = reduce(k, Nav::Predict(PredictNav::AskHere));
    let o = here.predict.as_ref().unwrap().open.clone().unwrap();
    assert_eq!(
        (o.index, o.question.ask, o.question.step),
        (None, Ask::Step, here.cursor.pos)
    );
    // a new seed starts again; off is off
    let seeded = reduce(here, Nav::Predict(PredictNav::Seed(9)));
    let p = seeded.predict.as_ref().unwrap();
    assert_eq!((p.seed, p.answered, p.open.is_none()), (9, 0, true));
    assert_eq!(p.quiz.as_ref().unwrap().seed, 9);
    let off = reduce(seeded, Nav::Predict(PredictNav::On(false)));
    assert!(off.predict.is_none());
    assert!(!off.fragment().unwrap().contains("&p="));
}

#[test]
fn a_new_run_gets_its_own_quiz() {
    use exitpath::app::predict::PredictNav;
    let s = reduce(
        Rc::new(State::from_url("", "")),
        Nav::Predict(PredictNav::On(true)),
    );
    let s = reduce(s, Nav::Predict(PredictNav::Next));
    let building = reduce(s.clone(), Edit::SetDesign(Design::Patch));
    let built = settle(building);
    let p = built.predict.as_ref().unwrap();
    let quiz = p.quiz.as_ref().unwrap();
    assert!(Rc::ptr_eq(&quiz.run, &built.doc.run));
    assert_eq!(quiz.run.session.design, Design::Patch);
    assert!(p.open.is_none(), "the old run's question closes");
}

/// A lesson stop shown in another design (`# design:`) switches to it and lands on the
/// stop once the run is built; in compare mode, a stop in the compare design swaps the
/// two sides. The link then carries that design and the stop.
#[test]
fn a_lesson_stop_in_another_design_switches_to_it() {
    use exitpath::app::verb::LessonNav;
    let b = library::find("tss").unwrap();
    let s = reduce(
        Rc::new(State::from_url("", "")),
        Edit::PickBuiltin(b.id.into()),
    );
    let s = settle(s);
    assert_eq!(s.design(), Design::Reaper);
    // Stop 5 (index 4) is shown in patch.
    let go = reduce(s.clone(), Nav::Lesson(LessonNav::Go(4)));
    assert_eq!(go.cursor.lesson, Some(4));
    assert_eq!(go.want_design(), Design::Patch, "a job for patch");
    let there = settle(go);
    assert_eq!(there.design(), Design::Patch);
    let (stop, at) = &there.doc.run.stops[4];
    assert_eq!(stop.design, Some(Design::Patch));
    assert_eq!(Ok(there.cursor.pos), *at, "on the stop");
    let frag = there.fragment().unwrap();
    assert!(frag.contains("&l=5&"), "{frag}");
    // A stop with no design stays in the design on screen.
    let next = settle(reduce(there.clone(), Nav::Lesson(LessonNav::Go(1))));
    assert_eq!(next.design(), Design::Patch);
    assert_eq!(Ok(next.cursor.pos), next.doc.run.stops[1].1);
    // Compare mode: patch on the left, committed on the right; the committed stop swaps.
    let cmp = settle(reduce(there, Edit::SetCompare(Some(Design::Committed))));
    let swapped = settle(reduce(cmp, Nav::Lesson(LessonNav::Go(6))));
    assert_eq!(swapped.design(), Design::Committed);
    assert_eq!(swapped.doc.compare, Some(Design::Patch));
    assert_eq!(Ok(swapped.cursor.pos), swapped.doc.run.stops[6].1);
}

#[test]
fn a_lesson_stop_with_a_question_opens_it_in_the_predict_panel() {
    use exitpath::app::verb::LessonNav;
    use exitpath::engine::quiz::Ask;
    let b = library::find("three-lwps").unwrap();
    let s = settle(reduce(
        Rc::new(State::from_url("", "")),
        Edit::PickBuiltin(b.id.into()),
    ));
    let k = s
        .doc
        .run
        .stops
        .iter()
        .position(|(st, _)| st.ask == Some(Ask::Frees))
        .expect("three-lwps asks who frees at a stop");
    let at = reduce(s, Nav::Lesson(LessonNav::Go(k as u16)));
    let p = at.predict.as_ref().expect("the Predict panel opens");
    let o = p.open.as_ref().expect("with the stop's question");
    assert_eq!(
        (o.question.ask, o.question.step, o.index),
        (Ask::Frees, at.cursor.pos, None)
    );
    assert_eq!(Ok(at.cursor.pos), at.doc.run.stops[k].1);
    // answering reveals; Next goes on with the lesson
    let answered = reduce(
        at,
        Nav::Predict(exitpath::app::predict::PredictNav::Answer(0)),
    );
    let on = reduce(answered, Nav::Lesson(LessonNav::Next));
    assert_eq!(on.cursor.lesson, Some(k as u16 + 1));
}
