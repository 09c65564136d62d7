//! Every what-if switch breaks the kernel in a way the checks catch, in at least one
//! built-in scenario; the same scenarios with no switch run clean.

use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::trace::Check;
use exitpath::engine::{Design, Switch};

/// What each switch must trip, and in which design it applies.
fn expected(s: Switch) -> (Check, &'static [Design]) {
    match s {
        Switch::NoPmapDeactivate => (Check::PmapActiveFreed, &Design::ALL),
        Switch::KmFreeInLwpExit2 => (Check::BlockingNoSleep, &[Design::Patch, Design::Committed]),
        Switch::NoZombieOrphanWakeup => (Check::LostWakeup, &Design::ALL),
        Switch::DrainInLwpExit2 => (Check::BlockingNoSleep, &[Design::Patch, Design::Committed]),
        Switch::UareaCacheBeforeSwitchExit => {
            (Check::RunOnFreedUarea, &[Design::Patch, Design::Committed])
        }
        Switch::TssFreeBeforeExitLwps => (Check::LtrInvalid, &Design::ALL),
    }
}

#[test]
fn each_switch_is_caught_in_some_builtin() {
    for sw in Switch::ALL {
        let (check, designs) = expected(sw);
        for &d in designs {
            let caught: Vec<&str> = BUILTINS
                .iter()
                .filter(|b| !b.is_whatif())
                .filter(|b| {
                    let text = format!("switch {}\n{}", sw.name(), b.text);
                    let s = Session::new(&text, Some(d)).unwrap();
                    s.trace.findings.iter().any(|f| f.check == check)
                })
                .map(|b| b.id)
                .collect();
            assert!(
                !caught.is_empty(),
                "switch {} in {d:?} is never caught as {check:?}",
                sw.name()
            );
        }
    }
}

#[test]
fn no_switch_no_finding() {
    // `patch-got-wrong` shows the designs' flaws on purpose (tests/library.rs checks it).
    for b in BUILTINS
        .iter()
        .filter(|b| !b.is_whatif() && b.id != "patch-got-wrong")
    {
        for d in Design::ALL {
            let s = Session::new(b.text, Some(d)).unwrap();
            let broken: Vec<_> = s
                .trace
                .findings
                .iter()
                .filter(|f| !d.own_flaw(f.check))
                .collect();
            assert!(broken.is_empty(), "{} {d:?}: {broken:?}", b.id);
        }
    }
}
