//! Checkpoints (`# stop:` header lines, engine::stops): what they accept, where a wrong
//! one is pointed at (line and column), and where they resolve in a run.

use exitpath::engine::scenario;
use exitpath::engine::session::{MarkerKind, Session};
use exitpath::engine::stops::{self, Locator, Nth};

const BODY: &str = "proc shell\n  fork worker\n  wait\n  exit 0\nproc worker\n  exit 3\n";

#[test]
fn stops_read_from_the_header_only() {
    let text = format!(
        "# title: t\n# stop: first zombie: the worker is a zombie\n#   stop: step 3\n# stop: 2nd fork\n# stop: last reap:\n\n# stop: not in the header\n{BODY}"
    );
    let st = stops::parse(&text).unwrap();
    let at: Vec<Locator> = st.iter().map(|s| s.at.clone()).collect();
    assert_eq!(
        at,
        vec![
            Locator::Marker(Nth::First, MarkerKind::Zombie),
            Locator::Marker(Nth::Index(2), MarkerKind::Fork),
            Locator::Marker(Nth::Last, MarkerKind::Reap),
        ],
        "`#   stop:` is not a key (as `#   title:` is not); after the header nothing counts"
    );
    assert_eq!(st[0].label, "the worker is a zombie");
    assert_eq!((st[0].line, st[0].col), (2, 9));
    assert_eq!(st[2].label, "");
    // The description leaves stop lines out.
    assert!(!scenario::description(&text).contains("first zombie"));
}

#[test]
fn a_wrong_stop_is_a_parse_error_at_its_word() {
    let cases = [
        (
            "# stop: first zombi: x\n",
            1,
            15,
            "`zombi` is not a marker kind",
        ),
        (
            "# title: t\n# stop: umpteenth fork\n",
            2,
            9,
            "`umpteenth`: say first, last",
        ),
        ("# stop: step many\n", 1, 14, "`many` is not a step number"),
        ("# stop: 0th fork\n", 1, 9, "`0th`"),
        ("# stop:\n", 1, 8, "a stop is `step N`"),
        (
            "# stop: first fork worker\n",
            1,
            20,
            "`worker`: after `fork` comes `of NAME`",
        ),
    ];
    for (head, line, col, words) in cases {
        let e = scenario::parse(&format!("{head}{BODY}")).unwrap_err();
        assert_eq!((e.line, e.col), (line, col), "{head:?}: {e}");
        assert!(e.message.contains(words), "{head:?}: {e}");
    }
}

#[test]
fn stops_resolve_to_the_position_right_after_their_marker() {
    let text = format!(
        "# stop: first zombie\n# stop: last fork\n# stop: step 5\n# stop: 9th reap\n{BODY}"
    );
    let st = stops::parse(&text).unwrap();
    let s = Session::new(&text, None).unwrap();
    let zombie = s.markers(MarkerKind::Zombie)[0] + 1;
    assert_eq!(st[0].resolve(&s), Ok(zombie));
    assert_eq!(
        st[1].resolve(&s),
        Ok(*s.markers(MarkerKind::Fork).last().unwrap() + 1)
    );
    assert_eq!(st[2].resolve(&s), Ok(5));
    let e = st[3].resolve(&s).unwrap_err();
    assert!(
        e.starts_with(
            "stop on line 4, column 9 (9th reap): the run has 2 reap marker(s) in design"
        ),
        "{e}"
    );
}

#[test]
fn a_lesson_is_the_stops_with_their_words() {
    let text = format!(
        "# lesson: The fast path\n# stop: first exit: the worker exits\n# say: exit1 begins.\n# say:   It sets P_WEXIT.\n# stop: first zombie\n{BODY}"
    );
    assert_eq!(stops::lesson_title(&text).as_deref(), Some("The fast path"));
    let st = stops::parse(&text).unwrap();
    assert_eq!(st[0].text, "exit1 begins. It sets P_WEXIT.");
    assert_eq!(st[1].text, "");
    assert!(stops::lesson_title(BODY).is_none());
    // Words with no stop before them are an error at the `say:`.
    let e = scenario::parse(&format!("# title: t\n# say: orphan words\n{BODY}")).unwrap_err();
    assert_eq!((e.line, e.col), (2, 3), "{e}");
    // The description leaves lesson lines out.
    assert!(!scenario::description(&text).contains("P_WEXIT"));
}

#[test]
fn of_who_and_line_locators_read() {
    use exitpath::engine::func::Func;
    use exitpath::engine::stops::Who;
    let text = format!(
        "# stop: first zombie of worker: w\n# stop: 2nd fork of pid 12\n# stop: line 21 of exit1\n# stop: last line 3 of tss_alloc in shell\n# stop: 3rd line 5 of lwp_exit in pid 11\n{BODY}"
    );
    let st = stops::parse(&text).unwrap();
    let at: Vec<Locator> = st.iter().map(|s| s.at.clone()).collect();
    assert_eq!(
        at,
        vec![
            Locator::MarkerOf(Nth::First, MarkerKind::Zombie, Who::Name("worker".into())),
            Locator::MarkerOf(Nth::Index(2), MarkerKind::Fork, Who::Pid(12)),
            Locator::Line(Nth::First, Func::exit1, 21, None),
            Locator::Line(
                Nth::Last,
                Func::tss_alloc,
                3,
                Some(Who::Name("shell".into()))
            ),
            Locator::Line(Nth::Index(3), Func::lwp_exit, 5, Some(Who::Pid(11))),
        ]
    );
    let texts: Vec<String> = st.iter().map(|s| s.locator_text()).collect();
    assert_eq!(
        texts,
        [
            "first zombie of worker",
            "2nd fork of pid 12",
            "line 21 of exit1",
            "last line 3 of tss_alloc in shell",
            "3rd line 5 of lwp_exit in pid 11"
        ]
    );
    assert_eq!(st[0].who_col, 25);
}

#[test]
fn a_wrong_of_or_line_locator_is_an_error_at_its_word() {
    let cases = [
        (
            "# stop: first zombie of\n",
            1,
            24,
            "a block name or `pid P` after `of`",
        ),
        (
            "# stop: first zombie of wrker\n",
            1,
            25,
            "no block named `wrker`",
        ),
        (
            "# stop: first zombie of 9x\n",
            1,
            25,
            "`9x` is not a block name",
        ),
        ("# stop: first zombie of pid x\n", 1, 29, "`x` is not a pid"),
        (
            "# stop: first zombie of shell worker\n",
            1,
            31,
            "one word too many",
        ),
        (
            "# stop: first zombie for worker\n",
            1,
            22,
            "`for`: after `zombie` comes `of NAME`",
        ),
        (
            "# stop: line x of exit1\n",
            1,
            14,
            "`x` is not a line number",
        ),
        (
            "# stop: line 0 of exit1\n",
            1,
            14,
            "`0` is not a line number",
        ),
        (
            "# stop: line 3 of exitt\n",
            1,
            19,
            "`exitt` is not a function",
        ),
        (
            "# stop: line 3 exit1\n",
            1,
            16,
            "`exit1`: say `line 3 of FUNC`",
        ),
        (
            "# stop: line 3 of exit1 on worker\n",
            1,
            25,
            "`on`: after the function",
        ),
        (
            "# stop: line 3 of exit1 in nobody\n",
            1,
            28,
            "no block named `nobody`",
        ),
        ("# stop: umpteenth line 3 of exit1\n", 1, 9, "`umpteenth`"),
        (
            "# stop: first exit\n# design: pach\n",
            2,
            11,
            "`pach` is not a design",
        ),
        (
            "# stop: first exit\n# design: patch\n# design: reaper\n",
            3,
            11,
            "its second",
        ),
        (
            "# stop: first exit\n# show: gdt gdtt\n",
            2,
            13,
            "`gdtt` is not a panel",
        ),
        (
            "# title: t\n# show: gdt\n",
            2,
            3,
            "show: a `# show:` line belongs to the `# stop:` line",
        ),
        (
            "# design: patch\n",
            1,
            3,
            "design: a `# design:` line belongs",
        ),
    ];
    for (head, line, col, words) in cases {
        let e = scenario::parse(&format!("{head}{BODY}")).unwrap_err();
        assert_eq!((e.line, e.col), (line, col), "{head:?}: {e}");
        assert!(e.message.contains(words), "{head:?}: {e}");
    }
}

#[test]
fn of_who_and_line_locators_resolve_to_their_steps() {
    use exitpath::engine::source;
    use exitpath::engine::Design;
    let text = format!(
        "# stop: first zombie of worker\n# stop: first zombie of shell\n# stop: first exit of pid 10\n# stop: first tssfree of worker\n# stop: line 2 of exit1 in worker\n# stop: last line 2 of exit1\n# stop: 2nd zombie of worker\n# stop: line 99 of exit1\n# stop: first fork of worker\n{BODY}"
    );
    let st = stops::parse(&text).unwrap();
    for d in Design::ALL {
        let s = Session::new(&text, Some(d)).unwrap();
        let zombies = s.markers(MarkerKind::Zombie);
        let exits = s.markers(MarkerKind::Exit);
        // pid 11 (worker) exits first, pid 10 (shell) after it.
        assert_eq!(st[0].resolve(&s), Ok(zombies[0] + 1), "{d:?}");
        assert_eq!(st[1].resolve(&s), Ok(zombies[1] + 1), "{d:?}");
        assert_eq!(st[2].resolve(&s), Ok(exits[1] + 1), "{d:?}");
        // The worker's TSS: in reaper the reaper kthread frees it, working on the
        // worker's LWP (cpu_wait(l)).
        let tss = st[3].resolve(&s).unwrap();
        let view = s.step_view(tss).unwrap();
        assert!(
            view.narration.contains("(worker)"),
            "{d:?}: {}",
            view.narration
        );
        // exit1's line 2 runs first for the worker, last for the shell.
        assert_eq!(st[4].resolve(&s), Ok(exits[0] + 1), "{d:?}");
        assert_eq!(st[5].resolve(&s), Ok(exits[1] + 1), "{d:?}");
        let e = st[6].resolve(&s).unwrap_err();
        assert!(
            e.contains("the run has 1 zombie marker(s) of worker"),
            "{e}"
        );
        let e = st[7].resolve(&s).unwrap_err();
        let last = source::listing_line(
            source::body(d, exitpath::engine::func::Func::exit1).unwrap(),
            source::body(d, exitpath::engine::func::Func::exit1)
                .unwrap()
                .lines
                .len() as u16,
        ) - 1;
        assert!(
            e.contains(&format!(
                "exit1() has no statement on line 99 (its statements are on lines 2 to {last})"
            )),
            "{e}"
        );
        // the fork that created the worker (the subject is the new process)
        let forks = s.markers(MarkerKind::Fork);
        assert_eq!(st[8].resolve(&s), Ok(forks[1] + 1), "{d:?}");
    }
}

#[test]
fn a_stop_with_a_design_resolves_in_that_design_only() {
    use exitpath::engine::Design;
    let text = format!(
        "# lesson: l\n# stop: first tssfree: t\n# design: patch\n# show: gdt cpu gdt\n# say: words (x).\n{BODY}"
    );
    let st = stops::parse(&text).unwrap();
    assert_eq!(st[0].design, Some(Design::Patch));
    assert_eq!(st[0].show, vec!["gdt", "cpu"]);
    assert_eq!(st[0].text, "words (x).");
    assert!(st[0].is_for(Design::Patch) && !st[0].is_for(Design::Reaper));
    let s = Session::new(&text, Some(Design::Patch)).unwrap();
    assert!(st[0].resolve(&s).is_ok());
    let s = Session::new(&text, Some(Design::Reaper)).unwrap();
    let e = st[0].resolve(&s).unwrap_err();
    assert!(
        e.contains("this stop is shown in design patch, not reaper"),
        "{e}"
    );
    // The description leaves the new keys out.
    assert!(!scenario::description(&text).contains("gdt"));
}

#[test]
fn a_stop_asks_a_question_of_a_kind_and_a_wrong_kind_is_an_error_at_its_word() {
    use exitpath::engine::quiz::Ask;
    let text = "# stop: first exit: x\n# ask: frees\n# stop: first reap\n# ask:  adopts\n\nproc a\n  exit 0\n";
    let st = stops::parse(text).unwrap();
    assert_eq!(
        (st[0].ask, st[1].ask),
        (Some(Ask::Frees), Some(Ask::Adopts))
    );
    for (text, line, col, says) in [
        (
            "# stop: first exit\n# ask: who\n",
            2,
            8,
            "`who` is not a kind of question; the kinds: step, action, event, frees, adopts",
        ),
        (
            "# stop: first exit\n# ask: step\n# ask: frees\n",
            3,
            8,
            "a stop has one `# ask:` line",
        ),
        (
            "# ask: step\n# stop: first exit\n",
            1,
            3,
            "belongs to the `# stop:` line before it",
        ),
    ] {
        let e = stops::parse(text).unwrap_err();
        assert_eq!((e.line, e.col), (line, col), "{text:?}: {e}");
        assert!(e.message.contains(says), "{text:?}: {}", e.message);
    }
}
