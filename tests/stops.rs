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
    let at: Vec<Locator> = st.iter().map(|s| s.at).collect();
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
        ("# stop: first fork of worker\n", 1, 9, "a stop is `step N`"),
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
