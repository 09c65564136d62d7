//! The built-in library: every scenario parses, runs clean (or, for the what-if
//! scenarios, is caught by the checks) in every design it lists, its header gives
//! its title, description and designs, and the behaviour each one is written to
//! show really happens in the model.

use exitpath::engine::func::Func;
use exitpath::engine::library::{default_builtin, find, Builtin, BUILTINS};
use exitpath::engine::metrics::Metrics;
use exitpath::engine::scenario::{self, BlockKind};
use exitpath::engine::session::Session;
use exitpath::engine::trace::{Check, Event};
use exitpath::engine::{Design, Switch};
use std::collections::BTreeSet;
use std::path::Path;

fn run(b: &Builtin, d: Design) -> Session {
    Session::new(b.text, Some(d)).unwrap_or_else(|e| panic!("{}: {e}", b.id))
}

fn builtin(id: &str) -> &'static Builtin {
    find(id).unwrap_or_else(|| panic!("no builtin `{id}`"))
}

/// The what-if scenario's switch, from its id: `whatif-no-pmap-deactivate` is
/// `no_pmap_deactivate`.
fn switch_of(b: &Builtin) -> Option<Switch> {
    let name = b.id.strip_prefix("whatif-")?.replace('-', "_");
    Switch::from_name(&name)
}

#[test]
fn enough_builtins_with_unique_ids() {
    assert!(BUILTINS.len() >= 10, "{} builtins", BUILTINS.len());
    let ids: BTreeSet<&str> = BUILTINS.iter().map(|b| b.id).collect();
    assert_eq!(ids.len(), BUILTINS.len(), "duplicate ids");
    for id in [
        "fork-wait-loop",
        "three-lwps",
        "detached-lwps",
        "orphans",
        "fork-storm",
        "pagedaemon",
        "traced",
        "never-waits",
        "gdt-growth",
    ] {
        assert!(ids.contains(id), "missing builtin `{id}`");
    }
    assert_eq!(default_builtin().id, "fork-wait-loop");
    assert_eq!(find("orphans").map(|b| b.id), Some("orphans"));
    assert!(find("no-such-scenario").is_none());
}

#[test]
fn ids_match_the_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "scn") {
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let b =
                find(&stem).unwrap_or_else(|| panic!("scenarios/{stem}.scn is not in BUILTINS"));
            assert_eq!(b.text, text, "{stem}: BUILTINS holds another text");
            files.insert(stem);
        }
    }
    let ids: BTreeSet<String> = BUILTINS.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(ids, files);
}

#[test]
fn headers_give_title_description_and_designs() {
    for b in BUILTINS {
        assert!(!b.title.trim().is_empty(), "{}: empty title", b.id);
        // The scenario picker is as wide as its longest title; the narrow-screen
        // check of e2e/run.mjs relies on titles no longer than fork-storm's.
        assert!(
            b.title.chars().count() <= 35,
            "{}: title longer than 35 characters",
            b.id
        );
        assert!(
            !b.description.trim().is_empty(),
            "{}: empty description",
            b.id
        );
        assert_eq!(Some(b.title), scenario::title(b.text), "{}", b.id);
        assert_eq!(b.description, scenario::description(b.text), "{}", b.id);
        // no header key line leaks into the description
        for key in [
            "title:", "designs:", "lesson:", "stop:", "say:", "design:", "show:", "ask:",
        ] {
            assert!(
                !b.description
                    .lines()
                    .any(|l| l.trim_start().starts_with(key)),
                "{}: `{key}` in the description",
                b.id
            );
        }
        assert_eq!(b.designs, scenario::designs(b.text).as_slice(), "{}", b.id);
        assert!(!b.designs.is_empty(), "{}: no design", b.id);
        assert!(
            b.text.starts_with("# title: "),
            "{}: the first line is not `# title:`",
            b.id
        );
        assert!(!b.description.contains("title:"), "{}", b.id);
        // Designs come from the header only: the scenario itself leaves the choice
        // to the user interface.
        let sc = scenario::parse(b.text).unwrap();
        assert_eq!(
            sc.design, None,
            "{}: a `design` line would override the picker",
            b.id
        );
    }
}

#[test]
fn every_builtin_parses_and_has_notes() {
    for b in BUILTINS {
        let sc = scenario::parse(b.text).unwrap_or_else(|e| panic!("{}: {e}", b.id));
        assert!(sc.first_proc().is_some(), "{}", b.id);
        let notes = sc
            .blocks
            .iter()
            .flat_map(|bl| bl.body.iter())
            .filter(|s| s.note.is_some())
            .count();
        assert!(notes > 0, "{}: no action has a note", b.id);
    }
}

#[test]
fn plain_builtins_run_clean() {
    // `patch-got-wrong` is the lesson on the designs' flaws (checked below).
    for b in BUILTINS
        .iter()
        .filter(|b| !b.is_whatif() && b.id != "patch-got-wrong")
    {
        assert!(
            scenario::parse(b.text).unwrap().switches.is_empty(),
            "{}",
            b.id
        );
        for &d in b.designs {
            let s = run(b, d);
            // the posted patch's own flaw (TssLeak) is reported, and only in `patch`
            let broken: Vec<_> = s
                .trace
                .findings
                .iter()
                .filter(|f| !d.own_flaw(f.check))
                .collect();
            assert!(broken.is_empty(), "{} {d:?}: {broken:?}", b.id);
            assert!(!s.trace.truncated, "{} {d:?}: cut at the step limit", b.id);
            assert_eq!(Metrics::of(d, &s.trace).zombies_left, 0, "{} {d:?}", b.id);
        }
    }
}

/// The lesson "what the posted patch got wrong" shows each flaw in the design that has
/// it and not in the one that fixed it: patch leaks the TSS of t1 and t2 and frees the
/// vmspace with cpu1 in pm_cpus; committed frees the proc before lwp_exit2 is done;
/// fixed is clean.
#[test]
fn the_patch_got_wrong_lesson_shows_each_flaw_where_it_is() {
    let b = builtin("patch-got-wrong");
    let found = |d: Design| -> BTreeSet<Check> {
        run(b, d).trace.findings.iter().map(|f| f.check).collect()
    };
    assert_eq!(
        found(Design::Patch),
        BTreeSet::from([Check::TssLeak, Check::PmapActiveFreed])
    );
    assert_eq!(
        found(Design::Committed),
        BTreeSet::from([Check::ProcFreedInUse])
    );
    assert!(found(Design::Fixed).is_empty());
}

#[test]
fn whatif_builtins_are_caught() {
    let mut covered = BTreeSet::new();
    for b in BUILTINS.iter().filter(|b| b.is_whatif()) {
        let sw = switch_of(b).unwrap_or_else(|| panic!("{}: no switch of that name", b.id));
        assert_eq!(
            scenario::parse(b.text).unwrap().switches,
            vec![sw],
            "{}",
            b.id
        );
        covered.insert(sw);
        for &d in b.designs {
            let s = run(b, d);
            assert!(!s.trace.findings.is_empty(), "{} {d:?}: no finding", b.id);
        }
    }
    let all: BTreeSet<Switch> = Switch::ALL.into_iter().collect();
    assert_eq!(covered, all, "every switch has its what-if builtin");
}

#[test]
fn whatif_builtins_report_what_their_description_says() {
    let expected = |sw: Switch| match sw {
        Switch::NoPmapDeactivate => Check::PmapActiveFreed,
        Switch::KmFreeInLwpExit2 | Switch::DrainInLwpExit2 => Check::BlockingNoSleep,
        Switch::NoZombieOrphanWakeup => Check::LostWakeup,
        Switch::UareaCacheBeforeSwitchExit => Check::RunOnFreedUarea,
        Switch::TssFreeBeforeExitLwps => Check::LtrInvalid,
    };
    for b in BUILTINS.iter().filter(|b| b.is_whatif()) {
        let sw = switch_of(b).unwrap();
        let check = expected(sw);
        assert!(
            b.description.contains(&format!("{check:?}")),
            "{}: the description should name {check:?}",
            b.id
        );
        for &d in b.designs {
            let s = run(b, d);
            assert!(
                s.trace.findings.iter().any(|f| f.check == check),
                "{} {d:?}: expected {check:?}, got {:?}",
                b.id,
                s.trace.findings
            );
        }
        // Without the switch, the same scenario is clean (but for the design's own flaw).
        let text = b.text.replace(&format!("switch {}\n", sw.name()), "");
        for &d in b.designs {
            let s = Session::new(&text, Some(d)).unwrap();
            let left: Vec<_> = s
                .trace
                .findings
                .iter()
                .filter(|f| !d.own_flaw(f.check))
                .collect();
            assert!(
                left.is_empty(),
                "{} {d:?} without the switch: {left:?}",
                b.id
            );
        }
    }
}

#[test]
fn patch_only_switches_list_their_designs() {
    for b in BUILTINS.iter().filter(|b| b.is_whatif()) {
        let all_designs = matches!(
            switch_of(b),
            Some(
                Switch::NoPmapDeactivate
                    | Switch::NoZombieOrphanWakeup
                    | Switch::TssFreeBeforeExitLwps
            )
        );
        if all_designs {
            assert_eq!(b.designs, Design::ALL.as_slice(), "{}", b.id);
        } else {
            assert!(
                !b.designs.contains(&Design::Reaper),
                "{}: the switch does nothing in reaper",
                b.id
            );
            assert!(b.designs.contains(&Design::Patch), "{}", b.id);
        }
    }
}

#[test]
fn gdt_growth_grows_the_gdt() {
    let b = builtin("gdt-growth");
    for &d in b.designs {
        let s = run(b, d);
        let grow = s.trace.steps.iter().find(|st| st.event == Event::GdtGrow);
        assert_eq!(
            grow.map(|st| st.val),
            Some(1024),
            "{d:?}: the GDT never grows"
        );
        assert!(s.len() < 300_000, "{d:?}: {} micro-steps", s.len());
        assert!(Metrics::of(d, &s.trace).tss_slots_peak > 500, "{d:?}");
    }
}

#[test]
fn fast_path_patch_beats_reaper() {
    let b = builtin("fork-wait-loop");
    let m = |d| Metrics::of(d, &run(b, d).trace);
    let (reaper, patch) = (m(Design::Reaper), m(Design::Patch));
    assert!(reaper.reaper_wakeups > 0 && patch.reaper_wakeups == 0);
    assert!(patch.context_switches < reaper.context_switches);
    let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len().max(1) as f64;
    assert!(mean(&patch.exit_to_reap_steps) < mean(&reaper.exit_to_reap_steps));
    assert!(patch.uarea_cache_hits >= 4 && reaper.uarea_cache_hits >= 4);
}

#[test]
fn three_lwps_exit_lwps_and_drain() {
    let b = builtin("three-lwps");
    for &d in b.designs {
        let s = run(b, d);
        assert!(
            s.trace.steps.iter().any(|st| st.func == Func::exit_lwps),
            "{d:?}"
        );
        let drain_from_exit1 = s
            .trace
            .steps
            .windows(2)
            .any(|w| w[0].func == Func::exit1 && w[1].func == Func::uvm_uarea_drain);
        assert_eq!(
            drain_from_exit1,
            d != Design::Reaper,
            "{d:?}: uvm_uarea_drain from exit1"
        );
    }
}

#[test]
fn named_lwp_wait_on_a_detached_lwp_is_esrch_at_once() {
    const ESRCH: i32 = 3;
    let b = builtin("detached-lwps");
    for &d in b.designs {
        let s = run(b, d);
        // The value sys__lwp_wait returns: its frame's `rv` just before its
        // `return (error);` line runs.
        let returned = |action: &str| {
            let from = s
                .trace
                .actions
                .iter()
                .find(|a| a.text == action)
                .unwrap()
                .step;
            let me = s.trace.steps[from as usize].lwp;
            let i = (from..s.len())
                .find(|&i| {
                    let st = s.trace.steps[i as usize];
                    st.lwp == me && st.func == Func::sys__lwp_wait && st.line == 1
                })
                .unwrap_or_else(|| panic!("{d:?}: `{action}` never returns"));
            let sim = s.sim_at(i);
            let frame = sim.st.lwp(me).unwrap().kstack.last().unwrap();
            assert_eq!(frame.func, Func::sys__lwp_wait);
            (frame.rv, i - from)
        };
        let (rv, steps) = returned("lwp_wait helper");
        assert_eq!(rv, ESRCH, "{d:?}: lwp_wait on a detached LWP finds nothing");
        assert!(steps < 12, "{d:?}: ESRCH without sleeping ({steps} steps)");
        assert_eq!(returned("lwp_wait joiner").0, 0, "{d:?}");
        assert_eq!(returned("lwp_wait").0, ESRCH, "{d:?}: no joinable LWP left");
        // The detached LWP is never waited for: freed without ever counting as a
        // zombie LWP that someone must collect.
        assert!(
            s.trace.findings.iter().all(|f| d.own_flaw(f.check)),
            "{d:?}: {:?}",
            s.trace.findings
        );
    }
}

#[test]
fn traced_process_sends_no_sigchld() {
    let b = builtin("traced");
    let untraced = b.text.replace("proc debuggee traced", "proc debuggee");
    assert_ne!(untraced, b.text);
    let sc = scenario::parse(b.text).unwrap();
    assert!(sc
        .blocks
        .iter()
        .any(|bl| bl.kind == BlockKind::Proc && bl.traced));
    let signals = |s: &Session| {
        s.trace
            .steps
            .iter()
            .filter(|st| st.event == Event::Signal)
            .count()
    };
    for &d in b.designs {
        let traced = run(b, d);
        let plain = Session::new(&untraced, Some(d)).unwrap();
        // plain -> shell and shell -> init; debuggee's exit posts nothing.
        assert_eq!(signals(&traced), 2, "{d:?}");
        assert_eq!(signals(&plain), 3, "{d:?}");
        // The shell (pid 10) gets exactly one SIGCHLD, from plain.
        let to_shell = traced
            .trace
            .steps
            .iter()
            .filter(|st| st.event == Event::Signal && st.val == 10)
            .count();
        assert_eq!(to_shell, 1, "{d:?}");
        assert!(
            traced.trace.findings.is_empty(),
            "{d:?}: the parent is still woken"
        );
    }
}

#[test]
fn caches_overflow_and_drain_as_described() {
    // fork-storm: only the patch lets the cache grow past UVM_NUAREA_MAX (16).
    let storm = builtin("fork-storm");
    let m = |b: &Builtin, d| Metrics::of(d, &run(b, d).trace);
    assert!(m(storm, Design::Reaper).uarea_cache_peak <= 16);
    assert!(m(storm, Design::Patch).uarea_cache_peak > 16);
    // never-waits: nobody calls wait4 for a while, so nothing drains (limit 2).
    let lazy = builtin("never-waits");
    assert!(m(lazy, Design::Reaper).uarea_cache_peak <= 2);
    assert!(m(lazy, Design::Patch).uarea_cache_peak > 2);
    // pagedaemon: only the patch's pagedaemon gives u-areas back.
    let pd = builtin("pagedaemon");
    let (reaper, patch) = (m(pd, Design::Reaper), m(pd, Design::Patch));
    assert_eq!(reaper.km_free, 0);
    assert!(patch.km_free >= 6);
    assert!(
        patch.km_alloc > reaper.km_alloc,
        "the first fork after the drain misses the cache"
    );
}

#[test]
fn orphans_are_reaped_by_init() {
    for id in ["orphans", "never-waits"] {
        let b = builtin(id);
        for &d in b.designs {
            let s = run(b, d);
            assert!(
                s.trace.steps.iter().any(|st| st.event == Event::Reparent),
                "{id} {d:?}"
            );
            assert_eq!(Metrics::of(d, &s.trace).zombies_left, 0, "{id} {d:?}");
        }
    }
}

/// Every built-in's `# stop:` checkpoints read, and each is reached in every design the
/// scenario is meant for (its `# designs:` line, or all); a stop with a `# design:` line
/// in that design only, which must be one of them.
#[test]
fn every_builtin_checkpoint_is_reached_in_its_designs() {
    use exitpath::engine::session::Session;
    use exitpath::engine::stops;
    let mut total = 0;
    for b in BUILTINS {
        let st = stops::parse(b.text).unwrap_or_else(|e| panic!("{}: {e}", b.id));
        for stop in &st {
            if let Some(d) = stop.design {
                assert!(
                    b.designs.contains(&d),
                    "{}: the stop on line {} is shown in design {}, which `# designs:` does not name",
                    b.id,
                    stop.line,
                    d.name()
                );
            }
        }
        for d in b.designs.iter().copied() {
            let s = Session::new(b.text, Some(d)).unwrap();
            for stop in st.iter().filter(|st| st.is_for(d)) {
                let at = stop.resolve(&s).unwrap_or_else(|e| panic!("{}: {e}", b.id));
                assert!(
                    at >= 1 && at <= s.len(),
                    "{} {d:?}: {} at {at}",
                    b.id,
                    stop.locator_text()
                );
            }
        }
        total += st.len();
    }
    assert!(total >= 15, "the built-ins carry checkpoints ({total})");
}

/// The built-in lessons (issue 11): at least six, each with words at every stop, and
/// every stop resolves in every design the lesson names (`# designs:`; a stop with a
/// `# design:` line in that one). A failure names the lesson, the stop's line and the
/// design. Every `# say:` names its source (a parenthesis or bracket).
#[test]
fn every_builtin_lesson_resolves_in_every_design_it_names() {
    use exitpath::engine::session::Session;
    use exitpath::engine::stops;
    let lessons: Vec<_> = BUILTINS
        .iter()
        .filter_map(|b| stops::lesson_title(b.text).map(|t| (b, t)))
        .collect();
    assert!(lessons.len() >= 6, "{} lessons", lessons.len());
    let asking = lessons
        .iter()
        .filter(|(b, _)| {
            stops::parse(b.text)
                .unwrap()
                .iter()
                .any(|s| s.ask.is_some())
        })
        .count();
    assert!(asking >= 4, "{asking} lessons ask a question");
    for (b, title) in lessons {
        let st = stops::parse(b.text).unwrap();
        assert!(
            st.len() >= 3,
            "lesson `{title}` ({}): {} stops",
            b.id,
            st.len()
        );
        for stop in &st {
            assert!(
                !stop.label.is_empty() && stop.text.contains('('),
                "lesson `{title}` ({}), stop on line {}: a label and words that name their source",
                b.id,
                stop.line
            );
        }
        for &d in b.designs {
            let s = Session::new(b.text, Some(d)).unwrap();
            let others = exitpath::engine::quiz::others(&s);
            for stop in st.iter().filter(|st| st.is_for(d)) {
                let at = match stop.resolve(&s) {
                    Ok(at) => at,
                    Err(e) => panic!(
                        "lesson `{title}` ({}), stop on line {}, design {}: {e}",
                        b.id,
                        stop.line,
                        d.name()
                    ),
                };
                // `# ask:` has a question there, with the page's default seed
                if let Some(kind) = stop.ask {
                    let q = exitpath::engine::quiz::ask(&s, &others, at, kind, 1);
                    assert!(
                        q.is_some(),
                        "lesson `{title}` ({}), stop on line {}, design {}: no `{}` question there",
                        b.id,
                        stop.line,
                        d.name(),
                        kind.id()
                    );
                }
            }
        }
        // Every stop is shown in some design the lesson names.
        for stop in &st {
            assert!(
                b.designs.iter().any(|&d| stop.is_for(d)),
                "lesson `{title}` ({}), stop on line {}: in no design",
                b.id,
                stop.line
            );
        }
    }
}
