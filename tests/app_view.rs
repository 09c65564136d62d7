//! The view slices natively (`app::view::View`): each panel's section says whether the
//! last step changed it, an unchanged one shares one allocation for now and before (so
//! the UI's props compare equal and the panel is not redrawn), and consecutive positions
//! chain (one position's "now" is the next one's "before").

use exitpath::app::view::View;
use exitpath::engine::library;
use exitpath::engine::session::Session;
use exitpath::engine::Design;
use std::rc::Rc;

fn session() -> Session {
    Session::new(library::default_builtin().text, Some(Design::Patch)).unwrap()
}

#[test]
fn a_step_changes_few_sections_and_unchanged_ones_share_now_and_before() {
    let s = session();
    let mut untouched = [0u32; 6];
    let mut steps = 0u32;
    let mut procs_redrawn = 0usize;
    let mut procs_shown = 0usize;
    for pos in 1..=s.len().min(400) {
        let v = View::at(&s, pos);
        let sections = [
            v.procs.changed(),
            v.lists.changed(),
            v.gdt.changed(),
            v.uareas.changed(),
            v.cpus.changed(),
            v.counts.changed(),
        ];
        for (n, changed) in untouched.iter_mut().zip(sections) {
            *n += u32::from(!changed);
        }
        if !v.procs.changed() {
            assert!(Rc::ptr_eq(&v.procs.now, v.procs.before.as_ref().unwrap()));
        }
        // Within the processes, an unchanged proc is one allocation too.
        for p in v.procs.now.iter() {
            procs_shown += 1;
            match v.procs.before().unwrap().iter().find(|b| b.pid == p.pid) {
                Some(b) => {
                    assert_eq!(Rc::ptr_eq(p, b), **p == **b, "pos {pos}, pid {}", p.pid);
                    procs_redrawn += usize::from(!Rc::ptr_eq(p, b));
                }
                None => procs_redrawn += 1,
            }
        }
        steps += 1;
    }
    // The running LWP's stack changes on most steps, so the process table does; but only
    // its proc's rows: most procs keep their allocation.
    assert!(
        procs_redrawn * 4 < procs_shown,
        "{procs_redrawn} of {procs_shown} proc rows changed"
    );
    // Every other panel sits most micro-steps out.
    for (i, n) in untouched.iter().enumerate().skip(1) {
        assert!(
            *n * 2 > steps,
            "section {i} changed in {} of {steps} steps",
            steps - n
        );
    }
}

#[test]
fn consecutive_positions_chain_and_boot_has_no_before() {
    let s = session();
    let boot = View::at(&s, 0);
    assert!(boot.step.is_none() && boot.procs.before.is_none() && !boot.procs.changed());
    for pos in [1, 2, 50, 300, s.len()] {
        let (a, b) = (View::at(&s, pos - 1), View::at(&s, pos));
        assert_eq!(
            a.procs.now,
            b.procs.before.clone().unwrap(),
            "procs at {pos}"
        );
        assert_eq!(a.gdt.now, b.gdt.before.clone().unwrap(), "gdt at {pos}");
        assert_eq!(a.cpus.now, b.cpus.before.clone().unwrap(), "cpus at {pos}");
        assert_eq!(b.pos, pos);
    }
    assert_eq!(
        View::at(&s, u64::MAX).pos,
        s.len(),
        "a position past the end is clamped"
    );
}

#[test]
fn the_running_stack_is_the_running_lwps_before_its_step() {
    let s = session();
    let with_stack = (1..=s.len())
        .map(|p| View::at(&s, p))
        .find(|v| v.stack.len() > 1)
        .expect("some step runs inside a nested call");
    let step = with_stack.step.clone().unwrap();
    let id = step.lwp.expect("an LWP ran it");
    assert_eq!(step.who, format!("{}.{}", id.pid, id.lid));
    let lwp = with_stack
        .procs
        .before()
        .unwrap()
        .iter()
        .find(|p| p.pid == id.pid)
        .and_then(|p| p.lwps.iter().find(|l| l.lid == id.lid))
        .unwrap();
    assert_eq!(&*with_stack.stack, lwp.kstack.as_slice());
}

#[test]
fn the_view_after_a_known_one_equals_the_view_made_from_scratch() {
    let s = session();
    let mut known = View::at(&s, 0);
    for pos in (1..=s.len()).chain([3, 2, 700, s.len() + 5]) {
        let next = View::after(&known, &s, pos);
        assert_eq!(next, View::at(&s, pos), "pos {pos} after {}", known.pos);
        if known.pos + 1 == pos {
            // One step on: what was "now" is "before", the same allocations.
            assert!(Rc::ptr_eq(
                next.gdt.before.as_ref().unwrap(),
                &known.gdt.now
            ));
        }
        known = next;
    }
}

/// Compare mode's lifelines axis: both runs of a scenario start each action at the
/// same x, positions map monotonically onto 0..=total, and the longer design's stretch
/// is the one that is not squeezed.
#[test]
fn the_compare_axis_lines_up_the_actions_of_both_designs() {
    use exitpath::app::axis::Axis;
    use exitpath::engine::library::BUILTINS;
    use exitpath::engine::session::Session;
    use exitpath::engine::Design;
    for b in BUILTINS.iter().take(6) {
        let r = Session::new(b.text, Some(Design::Reaper)).unwrap();
        let p = Session::new(b.text, Some(Design::Patch)).unwrap();
        let (ar, ap) = Axis::pair(&r, &p).expect("same actions in both designs");
        assert_eq!(ar.total, ap.total);
        for (x, y) in r.trace.actions.iter().zip(&p.trace.actions) {
            assert_eq!(
                ar.x(x.step),
                ap.x(y.step),
                "{}: action at {} / {}",
                b.id,
                x.step,
                y.step
            );
        }
        let mut last = 0;
        for pos in 0..=r.len() {
            let x = ar.x(pos);
            assert!(x >= last && x <= ar.total, "{}: monotonic at {pos}", b.id);
            last = x;
        }
    }
}
