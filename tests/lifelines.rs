//! Lifelines against the state: for random scenarios (one and two CPUs), the built-ins
//! and a long loop, in every design, each lane's spans cover its life to the end of
//! the run without gap or overlap, and at sampled positions every lane, span and
//! counter agrees with the state replayed there.

use exitpath::engine::library::BUILTINS;
use exitpath::engine::lifelines::{
    Counter, Lifelines, LifelinesBuilder, LwpPhase, ProcPhase, Span,
};
use exitpath::engine::session::Session;
use exitpath::engine::Design;

mod gen;
use gen::{Gen, Rng};

/// The span of `spans` that holds at `pos`, if the lane has begun.
fn at<T: Copy>(spans: &[Span<T>], pos: u64) -> Option<T> {
    spans
        .iter()
        .find(|s| s.from <= pos && pos < s.to)
        .map(|s| s.state)
}

fn contiguous<T: PartialEq + Copy + std::fmt::Debug>(
    what: &str,
    spans: &[Span<T>],
    end: u64,
    last_only: T,
) {
    assert!(!spans.is_empty(), "{what}: no span");
    for w in spans.windows(2) {
        assert_eq!(w[0].to, w[1].from, "{what}: gap or overlap {:?}", w);
        assert_ne!(w[0].state, w[1].state, "{what}: not run-length {:?}", w);
    }
    for s in spans {
        assert!(s.from < s.to, "{what}: empty span {s:?}");
    }
    for s in &spans[..spans.len() - 1] {
        assert_ne!(s.state, last_only, "{what}: {last_only:?} before the end");
    }
    assert_eq!(
        spans.last().unwrap().to,
        end,
        "{what}: does not reach the end"
    );
}

fn shape(l: &Lifelines, len: u64) {
    assert_eq!(l.end, len + 1);
    for lane in &l.lwps {
        contiguous(&lane.label(), &lane.spans, l.end, LwpPhase::Freed);
    }
    for lane in &l.procs {
        contiguous(&lane.label(), &lane.spans, l.end, ProcPhase::Reaped);
    }
    assert_eq!(l.counters.len(), Counter::ALL.len());
    for (s, c) in l.counters.iter().zip(Counter::ALL) {
        assert_eq!(s.counter, c);
        assert_eq!(s.points.first().map(|p| p.0), Some(0), "{c:?}");
        for w in s.points.windows(2) {
            assert!(w[0].0 < w[1].0 && w[0].1 != w[1].1, "{c:?}: {w:?}");
        }
    }
}

/// Every lane and counter at `pos` against the state there.
fn agrees(s: &Session, l: &Lifelines, pos: u64, what: &str) {
    let st = s.sim_at(pos).st;
    for (i, lw) in st.lwps.iter().enumerate() {
        let holding: Vec<_> = l
            .lwps
            .iter()
            .filter(|lane| lane.slot as usize == i)
            .filter_map(|lane| at(&lane.spans, pos).map(|p| (lane, p)))
            .filter(|(_, p)| *p != LwpPhase::Freed)
            .collect();
        if lw.freed {
            assert!(
                holding.is_empty(),
                "{what} @{pos}: slot {i} freed but a lane says {:?}",
                holding[0].1
            );
        } else {
            assert_eq!(
                holding.len(),
                1,
                "{what} @{pos}: slot {i} live in {} lanes",
                holding.len()
            );
            let (lane, phase) = holding[0];
            assert_eq!(
                phase,
                LwpPhase::Stat(lw.stat),
                "{what} @{pos}: {}",
                lane.label()
            );
            assert_eq!(lane.pid, lw.pid, "{what} @{pos}: {}", lane.label());
        }
    }
    for lane in &l.procs {
        let phase = at(&lane.spans, pos);
        let live = st.procs.iter().find(|p| p.pid == lane.pid);
        match phase {
            Some(ProcPhase::Stat(ps)) => {
                assert_eq!(
                    live.map(|p| p.stat),
                    Some(ps),
                    "{what} @{pos}: {}",
                    lane.label()
                )
            }
            // reaped, or not yet forked: the pid is free or another lane's
            Some(ProcPhase::Reaped) | None => {}
        }
    }
    for p in &st.procs {
        let n = l
            .procs
            .iter()
            .filter(|lane| {
                lane.pid == p.pid && at(&lane.spans, pos) == Some(ProcPhase::Stat(p.stat))
            })
            .count();
        assert_eq!(n, 1, "{what} @{pos}: pid {} in {n} lanes", p.pid);
    }
    for series in &l.counters {
        assert_eq!(
            series.at(pos),
            series.counter.of(&st),
            "{what} @{pos}: {:?}",
            series.counter
        );
    }
}

fn check(text: &str, d: Design, rng: &mut Rng, probes: usize) {
    let s = Session::new(text, Some(d)).unwrap();
    let l = s.lifelines();
    let what = format!("{d:?}\n{text}");
    shape(l, s.len());
    assert_eq!(l.uvm_nuarea_max, s.trace.last.uvm_nuarea_max);
    agrees(&s, l, 0, &what);
    agrees(&s, l, s.len(), &what);
    for _ in 0..probes {
        agrees(&s, l, rng.below(s.len() + 1), &what);
    }
}

#[test]
fn lifelines_agree_with_the_state_on_random_scenarios() {
    let mut rng = Rng(7);
    for seed in 0..150 {
        for cpus in [1, 2] {
            let text = Gen::scenario_on(seed, cpus);
            for d in Design::ALL {
                check(&text, d, &mut rng, 6);
            }
        }
    }
}

#[test]
fn lifelines_agree_with_the_state_on_the_builtins_and_a_long_loop() {
    let mut rng = Rng(11);
    for b in BUILTINS {
        for &d in b.designs {
            check(b.text, d, &mut rng, 8);
        }
    }
    let long = exitpath::engine::bench::loop_scenario(60);
    for d in Design::ALL {
        check(&long, d, &mut rng, 12);
        let s = Session::new(&long, Some(d)).unwrap();
        let l = s.lifelines();
        // init, the shell and 60 workers, each labelled with its block
        assert!(
            l.procs.iter().filter(|p| p.name == "worker").count() == 60,
            "{d:?}"
        );
        let w = l.lwps.iter().find(|w| w.name == "worker").unwrap();
        assert!(w.label().ends_with(".1 worker"), "{}", w.label());
        let states: Vec<LwpPhase> = w.spans.iter().map(|s| s.state).collect();
        assert_eq!(states.last(), Some(&LwpPhase::Freed), "{d:?}");
    }
}

#[test]
fn lifelines_built_in_slices_are_the_lifelines_built_at_once() {
    let text = format!("cpus 2\n{}", exitpath::engine::bench::loop_scenario(20));
    for d in Design::ALL {
        let s = Session::new(&text, Some(d)).unwrap();
        let mut b = LifelinesBuilder::new(&s);
        while !b.advance(501) {}
        assert_eq!(b.progress(), (s.len(), s.len()));
        let sliced = b.finish();
        assert_eq!(&sliced, s.lifelines(), "{d:?}");
        let fresh = Session::new(&text, Some(d)).unwrap();
        assert!(fresh.set_lifelines(sliced.clone()));
        assert_eq!(fresh.lifelines(), &sliced);
    }
}
