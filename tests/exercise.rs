//! The page's fork.py exercise mode (`app::exercise`): the trees it reads from a run of
//! its scenario are the ones `exitpath forkpy -c` prints; its text names it and runs
//! as a scenario; its link (`x=`) carries every parameter and a bad one is named;
//! reveals, the current action and the printed sheets.

use exitpath::app::exercise::{self, Exercise, Params, Revealed};
use exitpath::app::share_link;
use exitpath::app::{link_of, Run, State};
use exitpath::engine::forkpy_run::{self, Options};
use exitpath::engine::session::Session;
use exitpath::engine::Design;

fn params(seed: i64, actions: u32, forks: f64, leaf_only: bool, show_tree: bool) -> Params {
    Params {
        seed,
        actions,
        forks_ppm: (forks * 1e6).round() as u32,
        leaf_only,
        show_tree,
    }
}

/// `exitpath forkpy -s S -a N -f F [-L] -c --design D`'s text, cut into (action line,
/// tree) per action.
fn cli_answers(p: &Params, design: Design) -> Vec<(String, String)> {
    let opts = Options {
        design,
        seed: p.seed,
        actions: u64::from(p.actions),
        forks: p.forks(),
        leaf_only: p.leaf_only,
        compute: true,
        ..Options::default()
    };
    let mut out = Vec::new();
    forkpy_run::run(&opts, &mut out).unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8(out).unwrap();
    let mut answers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(a) = line.strip_prefix("Action: ") {
            answers.push((a.to_string(), String::new()));
        } else if let Some((_, tree)) = answers.last_mut() {
            if !line.trim().is_empty() {
                tree.push_str(line);
                tree.push('\n');
            }
        }
    }
    answers
}

#[test]
fn trees_read_from_the_page_run_are_the_clis() {
    let cases = [
        params(3, 8, 0.7, false, false),
        params(0, 5, 0.7, false, false),
        params(7, 30, 0.5, false, false),
        params(11, 25, 0.4, true, false),
        params(-4, 40, 0.6, false, true),
        params(1, 60, 0.3, false, false),
    ];
    for p in cases {
        let x = Exercise::new(p).unwrap();
        for design in [Design::Patch, Design::Reaper] {
            let want = cli_answers(&p, design);
            assert_eq!(want.len(), p.actions as usize, "{p:?}");
            let s = Session::new(&x.text, Some(design)).unwrap();
            assert!(s.trace.findings.is_empty(), "{p:?}: {:?}", s.trace.findings);
            let at = exercise::turn_positions(&s, &x.list);
            assert_eq!(at.len(), x.list.kernel_entries() as usize + 1);
            let actions = x.actions();
            for (i, (action, tree)) in want.iter().enumerate() {
                assert_eq!(&actions[i], action, "{p:?} action {i}");
                let got = x.tree_after(&s, &at, i).unwrap();
                assert_eq!(&got, tree, "{p:?} {design:?} tree after action {i}");
            }
            assert_eq!(x.tree_after(&s, &at, want.len()), None);
        }
        // The printed answer key comes from the CLI's own run (its default design).
        let sheet = exercise::sheets(&p, 1).unwrap().remove(0);
        assert_eq!(sheet.actions, cli_answers(&p, Design::Patch), "{p:?}");
        assert_eq!(sheet.cli, x.cli());
    }
}

#[test]
fn the_text_names_the_exercise_and_an_edit_ends_it() {
    let p = params(3, 200, 0.7, true, true);
    let x = Exercise::new(p).unwrap();
    assert!(x.text.starts_with("# fork.py exercise x=3,200,0.7,Lt\n"));
    assert!(x
        .text
        .contains("exitpath forkpy -s 3 -a 200 -f 0.7 -L -t -c"));
    assert!(x.text.lines().all(|l| l.chars().count() <= 400));
    let again = Exercise::of_text(&x.text).unwrap();
    assert_eq!(again, x);
    assert_eq!(again.list.actions, x.list.actions);
    let edited = x.text.replacen("forkpy a+", "forkpy a +", 1);
    assert_ne!(edited, x.text);
    assert_eq!(Exercise::of_text(&edited), None);
    assert_eq!(Exercise::of_text("design patch\n"), None);
    // The largest list the scenario language takes runs as a scenario.
    let big = Exercise::new(params(1, exercise::EXERCISE_ACTIONS_MAX, 0.5, false, false)).unwrap();
    exitpath::engine::scenario::parse(&big.text).unwrap();
}

#[test]
fn the_link_carries_every_parameter() {
    let p = params(-12, 40, 0.55, true, true);
    let x = Exercise::new(p).unwrap();
    let run = Run::new(Session::new(&x.text, Some(Design::Reaper)).unwrap());
    let link = link_of(&run, None, 17, false);
    assert_eq!(link.exercise, Some(p));
    let frag = share_link::encode(&link).unwrap();
    assert!(frag.contains("&x=-12,40,0.55,Lt&"), "{frag}");
    let back = share_link::decode(&frag).unwrap();
    assert_eq!(back.exercise, Some(p));
    assert_eq!(back.scenario, x.text);
    assert_eq!(back.step, 17);
    // Opening it runs the exercise's text.
    let s = State::from_url(&frag, "");
    assert_eq!(s.doc.text, x.text);
    assert!(s.banner.is_none());
    // Flags may be left out; `-` is none.
    for (v, want) in [
        ("5,9,0.7", params(5, 9, 0.7, false, false)),
        ("5,9,1,-", params(5, 9, 1.0, false, false)),
    ] {
        let frag = frag.replace("x=-12,40,0.55,Lt", &format!("x={v}"));
        assert_eq!(share_link::decode(&frag).unwrap().exercise, Some(want));
    }
}

#[test]
fn a_bad_exercise_link_says_which_field_and_falls_back() {
    let p = params(3, 8, 0.7, false, false);
    let x = Exercise::new(p).unwrap();
    let run = Run::new(Session::new(&x.text, Some(Design::Patch)).unwrap());
    let frag = share_link::encode(&link_of(&run, None, 0, false)).unwrap();
    let cases = [
        ("x=z,8,0.7,-", "the seed `z` is not a whole number"),
        (
            "x=3,0,0.7,-",
            "the number of actions `0` is not a whole number from 1 to 10000",
        ),
        (
            "x=3,20000,0.7,-",
            "the number of actions `20000` is not a whole number from 1 to 10000",
        ),
        (
            "x=3,8,1.5,-",
            "the fork fraction `1.5` is not a number from 0 to 1",
        ),
        (
            "x=3,8,nan,-",
            "the fork fraction `nan` is not a number from 0 to 1",
        ),
        ("x=3,8,0.7,Q", "the flags `Q` have `Q`"),
        ("x=3,8", "it has 2 comma-separated fields"),
    ];
    for (bad, why) in cases {
        let f = frag.replace("x=3,8,0.7,-", bad);
        assert_ne!(f, frag);
        let e = share_link::decode(&f).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
        assert!(e.contains("SEED,ACTIONS,FORKS,FLAGS"), "{bad}: {e}");
        let s = State::from_url(&f, "");
        let banner = s.banner.clone().unwrap();
        assert!(banner.contains(why), "{banner}");
        assert!(
            banner.contains("Showing the default scenario instead"),
            "{banner}"
        );
        assert!(s.run().end() > 0);
    }
    // Parameters that the model cannot hold: the generator's message.
    let f = frag.replace("x=3,8,0.7,-", "x=1,10000,1,-");
    let e = share_link::decode(&f).unwrap_err();
    assert!(
        e.contains("cannot be made") && e.contains("LWPS_MAX"),
        "{e}"
    );
}

#[test]
fn reveals_and_the_current_action() {
    let mut r = Revealed::default();
    assert!(!r.is_shown(0));
    r.toggle(2);
    assert!(r.is_shown(2) && !r.is_shown(1));
    assert_eq!(r.count(5), 1);
    r.toggle(2);
    assert!(!r.is_shown(2));
    r.show_all();
    assert!(r.is_shown(4));
    assert_eq!(r.count(5), 5);
    r.hide_all();
    assert_eq!(r.count(5), 0);

    let x = Exercise::new(params(3, 8, 0.7, false, false)).unwrap();
    let s = Session::new(&x.text, Some(Design::Patch)).unwrap();
    let at = exercise::turn_positions(&s, &x.list);
    assert_eq!(x.current(&at, 0), None);
    let mut seen = Vec::new();
    for pos in 0..=s.len() {
        if let Some(i) = x.current(&at, pos) {
            if seen.last() != Some(&i) {
                seen.push(i);
            }
        }
    }
    assert_eq!(seen, (0..8).collect::<Vec<_>>());
    assert_eq!(x.current(&at, s.len()), None);
}

#[test]
fn sheets_are_consecutive_seeds() {
    let p = params(10, 6, 0.7, false, false);
    let sheets = exercise::sheets(&p, 3).unwrap();
    let seeds: Vec<i64> = sheets.iter().map(|s| s.params.seed).collect();
    assert_eq!(seeds, [10, 11, 12]);
    for s in &sheets {
        assert_eq!(s.actions.len(), 6);
        assert_eq!(s.start.trim(), "a");
        assert_eq!(s.actions, cli_answers(&s.params, Design::Patch));
    }
    assert!(exercise::sheets(&p, 0).is_err());
    assert!(exercise::sheets(&p, exercise::VARIANTS_MAX + 1).is_err());
    assert!(exercise::sheets(&params(1, 500, 0.5, false, false), 2).is_err());
}
