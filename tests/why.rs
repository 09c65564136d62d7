//! `Session::why`, `last_change` and `next_change` against brute force: for built-ins,
//! long loops and random fork.py lists, on one and two CPUs, in every design, the last
//! change of a cell at or before N is the last k <= N where the state at k - 1 and at k
//! differ in that cell (the next change, the first such k > N).

use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::sim::Sim;
use exitpath::engine::trace::CHECKPOINT_EVERY;
use exitpath::engine::why::{key, value, Cell, WhyIndex, WhyIndexBuilder};
use exitpath::engine::Design;

/// Deterministic xorshift for picking positions and cells.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Every cell name that exists in some state of the run (parsed, so the parser is
/// exercised too).
fn cells(s: &Session) -> Vec<Cell> {
    let mut names = vec!["uvm_nuarea".to_string()];
    for l in ["allproc", "zombproc", "deadprocs", "deadlwp", "runqueue"] {
        names.push(format!("list.{l}"));
    }
    let last = s.sim_at(s.len()).st;
    let mid = s.sim_at(s.len() / 2).st;
    for st in [&mid, &last] {
        for p in &st.procs {
            for f in [
                "p_stat",
                "p_nlwps",
                "p_nrlwps",
                "p_nzlwps",
                "p_pptr",
                "p_flag",
                "p_vmspace",
            ] {
                names.push(format!("proc.{}.{f}", p.pid));
            }
            for &l in &p.lwps {
                let lw = st.lwp(l).unwrap();
                for f in ["l_stat", "l_flag", "l_addr", "md_tss_sel", "wchan"] {
                    names.push(format!("lwp.{}.{}.{f}", lw.pid, lw.lid));
                }
            }
        }
        for (i, _) in st.gdt.slots.iter().enumerate() {
            names.push(format!(
                "gdt.{}",
                exitpath::arch_i386::gdt::NGDT as usize + i
            ));
        }
        for c in 0..st.cpus.len() {
            for r in ["cr3", "tr", "esp0", "curlwp"] {
                names.push(format!("cpu.{c}.{r}"));
            }
        }
    }
    names.sort();
    names.dedup();
    names
        .iter()
        .map(|n| n.parse().unwrap_or_else(|e| panic!("{n}: {e}")))
        .collect()
}

fn check(text: &str, d: Design, rng: &mut Rng, probes: usize) {
    let s = Session::new(text, Some(d)).unwrap();
    let all = cells(&s);
    // a sample of the cells, so the straight run below stays cheap
    let cells: Vec<Cell> = (0..probes.min(all.len()))
        .map(|_| all[rng.below(all.len() as u64) as usize])
        .collect();
    // keys at every position, by one straight run
    let sc = exitpath::engine::scenario::parse(text).unwrap();
    let mut sim = Sim::new(&sc, Some(d));
    let mut keys: Vec<Vec<Option<String>>> = vec![cells.iter().map(|&c| key(&sim.st, c)).collect()];
    while sim.step().is_some() {
        keys.push(cells.iter().map(|&c| key(&sim.st, c)).collect());
    }
    assert_eq!(keys.len() as u64, s.len() + 1);
    // first as a fresh session (recent chunks replayed as they come, then the index
    // built on the way), then again with the index built
    let seed = rng.next();
    probe(&s, d, &cells, &keys, &mut Rng(seed), probes);
    // the index names every cell in every chunk where it changes
    let index = s.why_index();
    for (ci, &cell) in cells.iter().enumerate() {
        for k in 1..keys.len() {
            if keys[k - 1][ci] != keys[k][ci] {
                let chunk = (k as u64 - 1) / CHECKPOINT_EVERY;
                assert!(
                    index.may_change(chunk, cell),
                    "{d:?} {cell}: changes at {k}, chunk {chunk} does not name it"
                );
            }
        }
    }
    probe(&s, d, &cells, &keys, &mut Rng(seed), probes);
}

/// `probes` questions at random positions and cells against the brute-force keys.
fn probe(
    s: &Session,
    d: Design,
    cells: &[Cell],
    keys: &[Vec<Option<String>>],
    rng: &mut Rng,
    probes: usize,
) {
    for _ in 0..probes {
        let n = rng.below(s.len() + 1);
        let ci = rng.below(cells.len() as u64) as usize;
        let cell = cells[ci];
        let brute = (1..=n)
            .rev()
            .find(|&k| keys[k as usize - 1][ci] != keys[k as usize][ci]);
        assert_eq!(s.last_change(cell, n), brute, "{d:?} {cell} at {n}");
        // the watchpoint forward: the first change after n
        let next = (n + 1..=s.len()).find(|&k| keys[k as usize - 1][ci] != keys[k as usize][ci]);
        assert_eq!(s.next_change(cell, n), next, "{d:?} {cell} after {n}");
        match s.why(cell, n, 2) {
            Ok(w) => {
                assert!(
                    keys[n as usize][ci].is_some(),
                    "{d:?} {cell} at {n}: answered for a cell that does not exist"
                );
                assert_eq!(w.step, brute.map(|k| k - 1), "{d:?} {cell} at {n}");
                assert_eq!(Some(w.value.clone()), value(&s.sim_at(n).st, cell));
                if let (Some(k), Some(prev)) = (brute, w.previous.as_ref()) {
                    let before = (1..k)
                        .rev()
                        .find(|&j| keys[j as usize - 1][ci] != keys[j as usize][ci]);
                    assert_eq!(
                        prev.step,
                        before.map(|j| j - 1),
                        "{d:?} {cell}: the change before"
                    );
                    assert_eq!(Some(&prev.value), w.before.as_ref());
                }
                if w.step.is_some() {
                    assert!(w.source.is_some() && w.narration.is_some() && w.func.is_some());
                }
            }
            Err(e) => {
                assert!(keys[n as usize][ci].is_none(), "{d:?} {cell} at {n}: {e}");
                assert!(e.to_string().contains("what exists there"));
            }
        }
    }
}

#[test]
fn why_agrees_with_brute_force_on_the_builtins() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for b in BUILTINS {
        for &d in b.designs {
            check(b.text, d, &mut rng, 16);
        }
    }
}

/// Runs of several checkpoint chunks, where the index decides which chunks to replay:
/// a fork/wait loop and a loop with threads, on one and two CPUs.
#[test]
fn why_agrees_with_brute_force_over_many_checkpoint_chunks() {
    let mut rng = Rng(0xdead_beef);
    let threads =
        "proc main\n  repeat 70\n    thread t\n    fork child\n    lwp_wait\n    wait\n  exit 0\n\
                   lwp t\n  yield\n  lwp_exit\nproc child\n  exit 1\n";
    for cpus in ["", "cpus 2\n"] {
        for body in [
            exitpath::engine::bench::loop_scenario(40),
            threads.to_string(),
        ] {
            let text = format!("{cpus}{body}");
            for d in Design::ALL {
                check(&text, d, &mut rng, 40);
            }
        }
    }
}

#[test]
fn why_agrees_with_brute_force_on_random_forkpy_lists_and_two_cpus() {
    let mut rng = Rng(12345);
    for seed in 0..24u64 {
        // a random valid fork.py list: forks and exits of live processes
        let mut live = vec!["a".to_string()];
        let mut next = 1u8;
        let mut entries = Vec::new();
        for _ in 0..(4 + seed % 8) {
            if live.len() > 1 && rng.below(3) == 0 {
                let i = 1 + rng.below(live.len() as u64 - 1) as usize;
                entries.push(format!("{}-", live.remove(i)));
            } else if next < 26 {
                let p = live[rng.below(live.len() as u64) as usize].clone();
                let c = ((b'a' + next) as char).to_string();
                next += 1;
                entries.push(format!("{p}+{c}"));
                live.push(c);
            }
        }
        let cpus = if seed % 2 == 0 { "cpus 2\n" } else { "" };
        let text = format!("{cpus}forkpy {}\n", entries.join(","));
        for d in Design::ALL {
            check(&text, d, &mut rng, 12);
        }
    }
}

#[test]
fn a_gdt_slot_changes_when_its_owner_does_not_when_the_owner_gets_its_lid() {
    let s = Session::new(
        include_str!("../scenarios/fork-wait-loop.scn"),
        Some(Design::Patch),
    )
    .unwrap();
    let w = s.why("gdt.15".parse().unwrap(), 200, 1).unwrap();
    assert_eq!(w.func, Some("tss_alloc"));
    assert_eq!(w.before.as_deref(), Some("free (SDT_SYSNULL)"));
    assert!(w.value.starts_with("TSS of 12."), "{}", w.value);
}

#[test]
fn cell_names_round_trip_and_bad_ones_say_what_exists() {
    for n in [
        "proc.11.p_stat",
        "lwp.10.1.md_tss_sel",
        "cpu.1.cr3",
        "gdt.15",
        "uvm_nuarea",
        "list.runqueue",
    ] {
        let c: Cell = n.parse().unwrap();
        assert_eq!(c.to_string(), n);
    }
    for bad in [
        "",
        "proc",
        "proc.x.p_stat",
        "proc.1.nope",
        "lwp.1.p_stat",
        "cpu.999.cr3",
        "gdt.70000",
        "list.nope",
        "uvm_nuarea.1",
    ] {
        let e = bad.parse::<Cell>().unwrap_err();
        assert!(!e.is_empty(), "{bad}");
    }
}

#[test]
fn the_cli_prints_one_json_object_and_exits_2_on_a_bad_cell() {
    let exe = env!("CARGO_BIN_EXE_exitpath");
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/fork-wait-loop.scn");
    let run = |args: &[&str]| std::process::Command::new(exe).args(args).output().unwrap();
    let out = run(&["why", file, "--design", "patch", "--at", "200", "gdt.15"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "cell",
        "value",
        "step",
        "before",
        "func",
        "line",
        "source",
        "narration",
        "previous",
    ] {
        assert!(v.get(k).is_some(), "missing {k}: {v}");
    }
    assert_eq!(v["func"], "tss_alloc");
    assert_eq!(v["previous"]["value"], "free (SDT_SYSNULL)");
    for bad in ["proc.99.p_stat", "proc.10.nope", "nonsense"] {
        let out = run(&["why", file, "--at", "200", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("exitpath: "), "{bad}: {err}");
    }
    let missing = run(&["why", file, "--at", "200", "proc.99.p_stat"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("what exists there: procs 0 1 2"));
}

#[test]
fn the_index_skips_chunks_where_a_cell_never_changes() {
    let s = Session::new(
        &exitpath::engine::bench::loop_scenario(40),
        Some(Design::Reaper),
    )
    .unwrap();
    assert!(s.len() > 3 * CHECKPOINT_EVERY);
    let init = "proc.1.p_stat".parse().unwrap();
    let chunks = s.len().div_ceil(CHECKPOINT_EVERY);
    assert!((0..chunks).all(|c| !s.why_index().may_change(c, init)));
    assert_eq!(s.last_change(init, s.len()), None);
}

#[test]
fn the_index_built_in_slices_is_the_index_built_at_once() {
    for d in Design::ALL {
        let s = Session::new(&exitpath::engine::bench::loop_scenario(30), Some(d)).unwrap();
        let mut b = WhyIndexBuilder::new(&s);
        let mut slices = 0;
        while !b.advance(777) {
            slices += 1;
            assert!(b.progress().0 <= s.len());
        }
        assert!(slices > 3);
        let sliced = b.finish();
        assert_eq!(&sliced, s.why_index(), "{d:?}");
        let fresh = Session::new(&exitpath::engine::bench::loop_scenario(30), Some(d)).unwrap();
        assert!(fresh.set_why_index(sliced));
        assert!(!fresh.set_why_index(WhyIndex::default()), "set once");
        let init = "proc.1.p_stat".parse().unwrap();
        assert_eq!(fresh.last_change(init, fresh.len()), None);
    }
}
