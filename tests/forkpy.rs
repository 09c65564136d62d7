//! `exitpath forkpy`: the trees read from the kernel against fork.py's rules (with -L)
//! and NetBSD's (with orphans), both written here as small reference models; the
//! generator's lists (valid, the same for the same seed); the text layout and the JSON
//! shape; the command line (options, `-A @FILE`, errors with exit status 2).

use exitpath::engine::forkpy_run::{
    self, generate, parse_list, process_name, run_kernel, Checks, Format, Options, Style, Tree,
};
use exitpath::engine::scenario::forkpy::{Action, ForkpyList};
use exitpath::engine::Design;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn exitpath(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_exitpath"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The kernel's trees of `list`: one per kernel entry boundary (0: the start).
fn kernel_trees(list: &ForkpyList, design: Design, checks: Checks) -> Vec<Tree> {
    let mut trees = Vec::new();
    let stats = run_kernel(list, design, checks, false, |_, t| {
        trees.push(t.clone());
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(stats.findings.is_empty(), "{:?}", stats.findings);
    trees
}

/// Process -> parent (None: init, or fork.py's root) of the live processes.
fn live_of(t: &Tree) -> BTreeMap<u32, Option<u32>> {
    t.nodes
        .iter()
        .filter(|n| !n.zombie)
        .map(|n| (n.proc, n.parent))
        .collect()
}

/// fork.py's rules, as its source describes them: a fork adds a child under the
/// actor; an exit removes the process at once (with -L only leaves exit, so nobody is
/// orphaned); `a` is the root.
#[derive(Default)]
struct ForkPy {
    parent: BTreeMap<u32, Option<u32>>,
}

impl ForkPy {
    fn new() -> ForkPy {
        let mut f = ForkPy::default();
        f.parent.insert(0, None);
        f
    }

    fn apply(&mut self, a: Action) {
        match a {
            Action::Fork { actor, child } => {
                assert!(self.parent.contains_key(&actor));
                self.parent.insert(child, Some(actor));
            }
            Action::Exit { actor } => {
                assert!(
                    !self.parent.values().any(|p| *p == Some(actor)),
                    "-L: an exit of a process with children"
                );
                self.parent.remove(&actor);
            }
            Action::FailedExit { .. } => {}
            Action::Wait { .. } => panic!("fork.py has no wait"),
        }
    }
}

/// NetBSD's rules: an exited process is a zombie of its parent until the parent
/// waits (nobody waits here but init); its children, live or zombie, go to init;
/// init reaps its zombies soon (when it runs, which may be just after the next turn).
#[derive(Default)]
struct NetBsd {
    live: BTreeMap<u32, Option<u32>>,
    /// Zombies whose parent is a live process.
    zombies: BTreeMap<u32, u32>,
    exited: BTreeSet<u32>,
}

impl NetBsd {
    fn new() -> NetBsd {
        let mut n = NetBsd::default();
        n.live.insert(0, None);
        n
    }

    fn apply(&mut self, a: Action) {
        match a {
            Action::Fork { actor, child } => {
                self.live.insert(child, Some(actor));
            }
            Action::Exit { actor } => {
                let parent = self.live.remove(&actor).expect("a live process exits");
                self.exited.insert(actor);
                if let Some(p) = parent {
                    self.zombies.insert(actor, p);
                }
                for (_, p) in self.live.iter_mut().filter(|(_, p)| **p == Some(actor)) {
                    *p = None; // grandchildren keep their parent: only direct children move
                }
                self.zombies.retain(|_, p| *p != actor); // zombie orphans: init reaps them
            }
            Action::Wait { actor, reaps } => {
                assert_eq!(self.zombies.remove(&reaps), Some(actor));
            }
            Action::FailedExit { .. } => {}
        }
    }

    fn check(&self, t: &Tree, what: &str) {
        assert_eq!(live_of(t), self.live, "{what}: live processes and parents");
        let zombies_with_parent: BTreeMap<u32, u32> = t
            .nodes
            .iter()
            .filter(|n| n.zombie)
            .filter_map(|n| n.parent.map(|p| (n.proc, p)))
            .collect();
        assert_eq!(
            zombies_with_parent, self.zombies,
            "{what}: zombies of live parents"
        );
        for n in t.nodes.iter().filter(|n| n.zombie && n.parent.is_none()) {
            assert!(
                self.exited.contains(&n.proc),
                "{what}: zombie {} under init never exited",
                n.proc
            );
        }
    }
}

/// The kernel trees, one per list action (a failed exit repeats the tree before it).
fn per_action(list: &ForkpyList, trees: &[Tree]) -> Vec<Tree> {
    let mut out = Vec::new();
    let mut k = 0;
    for a in &list.actions {
        if !matches!(a, Action::FailedExit { .. }) {
            k += 1;
        }
        out.push(trees[k].clone());
    }
    out
}

#[test]
fn leaf_only_trees_equal_fork_py_trees_without_zombies() {
    for seed in 0..150 {
        let forks = [0.3, 0.5, 0.7][seed as usize % 3];
        let list = generate(seed, forks, 40, true).unwrap();
        let trees = kernel_trees(&list, Design::Patch, Checks::EveryStep);
        assert_eq!(trees.len(), list.actions.len() + 1);
        assert_eq!(live_of(&trees[0]), BTreeMap::from([(0, None)]));
        let mut f = ForkPy::new();
        for (i, (a, t)) in list
            .actions
            .iter()
            .zip(per_action(&list, &trees))
            .enumerate()
        {
            f.apply(*a);
            assert_eq!(
                live_of(&t),
                f.parent,
                "seed {seed}, after entry {i} `{}`",
                list.entry_text(i as u32)
            );
        }
    }
}

#[test]
fn orphans_follow_netbsd_direct_children_to_init_grandchildren_stay() {
    for seed in 0..150 {
        let forks = [0.5, 0.6, 0.7][seed as usize % 3];
        let list = generate(seed, forks, 40, false).unwrap();
        let trees = kernel_trees(&list, Design::Patch, Checks::EveryStep);
        let mut n = NetBsd::new();
        for (i, (a, t)) in list
            .actions
            .iter()
            .zip(per_action(&list, &trees))
            .enumerate()
        {
            n.apply(*a);
            n.check(
                &t,
                &format!(
                    "seed {seed}, after entry {i} `{}`",
                    list.entry_text(i as u32)
                ),
            );
        }
    }
}

/// A tree without the zombies init has not reaped yet (when init runs differs
/// between designs: in `reaper` the reaper's wakeups come first).
fn settled(t: &Tree) -> Vec<(u32, Option<u32>, bool)> {
    t.nodes
        .iter()
        .filter(|n| !(n.zombie && n.parent.is_none()))
        .map(|n| (n.proc, n.parent, n.zombie))
        .collect()
}

#[test]
fn every_design_gives_the_same_trees() {
    for seed in [1, 7, 42] {
        let list = generate(seed, 0.6, 30, false).unwrap();
        let settle = |ts: Vec<Tree>| ts.iter().map(settled).collect::<Vec<_>>();
        let patch = settle(kernel_trees(&list, Design::Patch, Checks::EveryStep));
        for d in Design::ALL {
            let got = settle(kernel_trees(&list, d, Checks::EveryStep));
            assert_eq!(got, patch, "{d:?}, seed {seed}");
        }
    }
}

#[test]
fn waits_reap_the_newest_zombie_child_in_the_kernel() {
    let list = parse_list("a+b,a+c,a+d,b-,c-,a w\n# c is newer than b\na w,d-", false).unwrap();
    let trees = kernel_trees(&list, Design::Reaper, Checks::EveryStep);
    let mut n = NetBsd::new();
    for (i, (a, t)) in list
        .actions
        .iter()
        .zip(per_action(&list, &trees))
        .enumerate()
    {
        n.apply(*a);
        n.check(&t, &format!("after entry {i}"));
    }
    assert_eq!(list.actions[5], Action::Wait { actor: 0, reaps: 2 });
}

#[test]
fn generated_lists_are_valid_and_the_same_for_the_same_seed() {
    for seed in [-1, 0, 1, 2, 12345, i64::MAX, i64::MIN] {
        for leaf_only in [false, true] {
            let a = generate(seed, 0.7, 300, leaf_only).unwrap();
            let b = generate(seed, 0.7, 300, leaf_only).unwrap();
            let text = |l: &ForkpyList| -> Vec<String> {
                (0..l.actions.len() as u32)
                    .map(|i| l.entry_text(i))
                    .collect()
            };
            assert_eq!(text(&a), text(&b));
            assert_eq!(a.actions.len(), 300);
            // Valid: the text reads back (every actor alive, every name new).
            let again = parse_list(&text(&a).join(","), leaf_only).unwrap();
            assert_eq!(again.actions, a.actions);
            // `a` never exits; with -L nothing fails.
            assert!(!a.actions.contains(&Action::Exit { actor: 0 }));
            assert!(!a
                .actions
                .iter()
                .any(|x| matches!(x, Action::FailedExit { .. })));
        }
    }
    let text = |l: &ForkpyList| l.entry_text(3);
    let lists: BTreeSet<String> = (0..20)
        .map(|s| {
            let l = generate(s, 0.5, 20, false).unwrap();
            (0..20)
                .map(|i| l.entry_text(i))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert!(lists.len() > 15, "seeds give different lists");
    let _ = text;
    // The first list of seed 0, pinned: a change of the generator changes every
    // exercise handed out, so it must be deliberate. (The generator uses u64
    // arithmetic only, so wasm gives the same lists; no web test needed.)
    let l = generate(0, 0.7, 8, false).unwrap();
    let got: Vec<String> = (0..8).map(|i| l.entry_text(i)).collect();
    assert_eq!(got.join(","), PINNED_SEED0);
}

const PINNED_SEED0: &str = "a+b,b+c,a+d,d+e,e+f,e+g,d+h,e-";

#[test]
fn names_follow_fork_py() {
    assert_eq!(process_name(0), "a");
    assert_eq!(process_name(25), "z");
    assert_eq!(process_name(26), "A");
    assert_eq!(process_name(51), "Z");
    assert_eq!(process_name(52), "aa");
    assert_eq!(process_name(53), "ab");
    assert_eq!(process_name(52 + 52 * 52 - 1), "ZZ");
    assert_eq!(process_name(52 + 52 * 52), "aaa");
}

fn opts(list: &str) -> Options {
    Options {
        action_list: Some(list.to_string()),
        action_list_arg: list.to_string(),
        compute: true,
        ..Options::default()
    }
}

fn render(o: &Options) -> String {
    let mut out = Vec::new();
    forkpy_run::run(o, &mut out).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).unwrap()
}

#[test]
fn text_layout_is_fork_py_s_with_zombies_and_init() {
    let o = opts("a+b,b+c,c+d,b-,a+e");
    let got = render(&o);
    let t = "                               ";
    let expected = format!(
        "\nARG seed 0\nARG fork_percentage 0.7\nARG actions 5\nARG action_list a+b,b+c,c+d,b-,a+e\n\
         ARG show_tree False\nARG just_final False\nARG leaf_only False\nARG local_reparent False\n\
         ARG print_style fancy\nARG solve True\nARG design patch\n\n{}\n\n\
         {}Process Tree:\n{t}a\n\n\
         Action: a forks b\n{t}a\n{t}└── b\n\
         Action: b forks c\n{t}a\n{t}└── b\n{t}    └── c\n\
         Action: c forks d\n{t}a\n{t}└── b\n{t}    └── c\n{t}        └── d\n\
         Action: b EXITS\n{t}init\n{t}├── a\n{t}│   └── b (zombie)\n{t}└── c\n{t}    └── d\n\
         Action: a forks e\n{t}init\n{t}├── a\n{t}│   ├── b (zombie)\n{t}│   └── e\n{t}└── c\n{t}    └── d\n",
        forkpy_run::NETBSD_NOTE,
        "                           ",
    );
    assert_eq!(got, expected);

    // Questions: trees asked (`Process Tree?`), or with -t the actions (`Action?`).
    let mut q = opts("a+b,b-");
    q.compute = false;
    let got = render(&q);
    assert!(
        got.ends_with("Action: a forks b\nProcess Tree?\nAction: b EXITS\nProcess Tree?\n"),
        "{got}"
    );
    q.show_tree = true;
    let got = render(&q);
    assert!(
        got.ends_with(&format!(
            "Action?\n{t}a\n{t}└── b\nAction?\n{t}a\n{t}└── b (zombie)\n"
        )),
        "{got}"
    );
    // -F: only the final tree, asked or shown.
    q.show_tree = false;
    q.final_only = true;
    let got = render(&q);
    assert!(
        got.ends_with("Action: b EXITS\n\n                        Final Process Tree?\n\n"),
        "{got}"
    );
    q.compute = true;
    let got = render(&q);
    assert!(
        got.ends_with(&format!("Final Process Tree:\n{t}a\n{t}└── b (zombie)\n\n")),
        "{got}"
    );
    // Styles.
    let mut s = opts("a+b,a+c,b+d");
    s.final_only = true;
    s.print_style = Style::Basic;
    assert!(render(&s).ends_with(&format!("{t} a\n{t}    b\n{t}       d\n{t}    c\n\n")));
    s.print_style = Style::Line1;
    assert!(render(&s).ends_with(&format!("{t}a\n{t}+-- b\n{t}|   |-- d\n{t}|-- c\n\n")));
    s.print_style = Style::Line2;
    assert!(render(&s).ends_with(&format!("{t}a\n{t}|__ b\n{t}|   |__ d\n{t}|__ c\n\n")));
    // --why: what the kernel did.
    let mut w = opts("a+b,b+c,b+d,c-,b-,a w");
    w.why = true;
    let got = render(&w);
    assert!(got.contains("      why: exit1 makes b a zombie (SZOMB): it stays until its parent a waits for it; its children d go to init (proc_reparent); their own children stay theirs; its zombie children c go to init, which exit1 wakes to reap them when it runs\n"), "{got}");
    assert!(
        got.contains("      why: wait4 in a finds b, its most recently forked zombie child"),
        "{got}"
    );
    // -L: an exit of a parent fails, as in fork.py.
    let mut l = opts("a+b,b+c,b-");
    l.leaf_only = true;
    assert!(render(&l).contains("Action: b EXITS (failed: has children)\n"));
}

#[test]
fn json_has_one_tree_and_zombie_list_per_action() {
    let mut o = opts("a+b,b+c,b-,a+d");
    o.format = Format::Json;
    let v: serde_json::Value = serde_json::from_str(&render(&o)).unwrap();
    assert_eq!(v["actions"], serde_json::json!(["a+b", "b+c", "b-", "a+d"]));
    assert_eq!(v["args"]["design"], "patch");
    let trees = v["trees"].as_array().unwrap();
    assert_eq!(trees.len(), 4);
    assert_eq!(trees[0], serde_json::json!({"a": "init", "b": "a"}));
    assert_eq!(
        trees[2],
        serde_json::json!({"a": "init", "b": "a", "c": "init"})
    );
    assert_eq!(
        trees[3],
        serde_json::json!({"a": "init", "b": "a", "c": "init", "d": "a"})
    );
    assert_eq!(v["zombies"], serde_json::json!([[], [], ["b"], ["b"]]));
    assert_eq!(v["kernel"]["findings"], serde_json::json!([]));
    o.final_only = true;
    let v: serde_json::Value = serde_json::from_str(&render(&o)).unwrap();
    assert_eq!(v["trees"].as_array().unwrap().len(), 1);
    assert_eq!(v["zombies"], serde_json::json!([["b"]]));
    // -L: a failed exit repeats the tree before it; one tree per action still.
    let mut l = opts("a+b,b+c,b-,c-");
    l.format = Format::Json;
    l.leaf_only = true;
    let v: serde_json::Value = serde_json::from_str(&render(&l)).unwrap();
    let t = serde_json::json!({"a": "init", "b": "a", "c": "b"});
    assert_eq!(
        v["trees"],
        serde_json::json!([{"a": "init", "b": "a"}, t, t, t])
    );
    assert_eq!(v["zombies"], serde_json::json!([[], [], [], ["c"]]));
}

#[test]
fn checks_every_action_find_what_every_step_finds_here() {
    let list = generate(5, 0.6, 400, false).unwrap();
    let a = kernel_trees(&list, Design::Committed, Checks::EveryAction);
    let b = kernel_trees(&list, Design::Committed, Checks::EveryStep);
    assert_eq!(a, b);
}

#[test]
fn too_many_processes_is_a_clear_error() {
    let o = Options {
        forks: 1.0,
        actions: 5000,
        ..Options::default()
    };
    let mut out = Vec::new();
    match forkpy_run::run(&o, &mut out) {
        Err(forkpy_run::Error::Input(m)) => {
            assert!(m.contains("LWPS_MAX") && m.contains("PID_MAX"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(generate(0, 1.5, 5, false).is_err());
    assert!(generate(0, f64::NAN, 5, false).is_err());
}

// ------------------------------------------------------------------ the command line

#[test]
fn cli_prints_args_first_and_answers_with_c() {
    let (code, out, err) = exitpath(&["forkpy", "-s", "3", "-a", "6", "-c"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("\nARG seed 3\nARG fork_percentage 0.7\nARG actions 6\n"),
        "{out}"
    );
    assert!(out.contains("NetBSD"), "{out}");
    assert_eq!(out.matches("Action: ").count(), 6);
    let (code, out2, _) = exitpath(&["forkpy", "--seed", "3", "--actions", "6", "--compute"]);
    assert_eq!(code, 0);
    assert_eq!(out, out2, "long options mean the same");
    let (code, out, _) = exitpath(&["forkpy", "-s", "-1", "-a", "3", "-t", "-P", "basic"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("ARG seed -1\n") && out.contains("Action?\n"),
        "{out}"
    );
}

#[test]
fn cli_reads_a_list_from_a_file_and_prints_json() {
    let dir = std::env::temp_dir().join(format!("exitpath-forkpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("list.txt");
    std::fs::write(&file, "# a long list\na+b,b+c\nc+d, b-\n\na w\n").unwrap();
    let arg = format!("@{}", file.display());
    let (code, out, err) = exitpath(&[
        "forkpy", "-A", &arg, "--format", "json", "--design", "reaper",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["actions"],
        serde_json::json!(["a+b", "b+c", "c+d", "b-", "a w"])
    );
    assert_eq!(v["args"]["action_list"], arg.as_str());
    assert_eq!(
        v["trees"][4],
        serde_json::json!({"a": "init", "c": "init", "d": "c"})
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_errors_are_clear_with_status_2() {
    for (args, want) in [
        (
            &["forkpy", "-A", "a+b,c-"][..],
            "process `c` does not exist",
        ),
        (&["forkpy", "-A", "a*b"][..], "`forkpy` entries are"),
        (
            &["forkpy", "-A", "@/nonexistent/list"][..],
            "/nonexistent/list",
        ),
        (&["forkpy", "-f", "1.5"][..], "from 0 to 1"),
        (&["forkpy", "-f", "1", "-a", "6000"][..], "LWPS_MAX"),
        (&["forkpy", "-P", "round"][..], "round"),
        (&["forkpy", "--design", "nope"][..], "nope"),
    ] {
        let (code, out, err) = exitpath(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let (code, out, _) = exitpath(&["forkpy", "--help"]);
    assert_eq!(code, 0);
    for k in [
        "--action_list",
        "--show_tree",
        "--leaf_only",
        "--print_style",
        "After action",
        "--format",
    ] {
        assert!(out.contains(k), "help lacks {k}");
    }
}
