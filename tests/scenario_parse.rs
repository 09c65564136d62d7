//! Integration tests of the scenario parser: the reference example, every error
//! class, forkpy desugaring, limits, and a deterministic no-panic fuzz loop.

use exitpath::engine::design::{Design, Switch};
use exitpath::engine::scenario::{
    limits, parse, Block, BlockKind, ParseError, Scenario, Stmt, StmtKind,
};

const EXAMPLE: &str = "\
# comment
design patch            # reaper | patch
uvm_nuarea_max 16
proc shell              # the first proc block is started by init at boot
  repeat 3
    fork worker         # child runs the block \"proc worker\"
    wait                # wait4(-1): sleeps until a child is a zombie, reaps it
  exit 0
proc worker
  exit 3
";

fn stmt(line: u32, col: u32, text: &str, kind: StmtKind) -> Stmt {
    Stmt {
        line,
        col,
        text: text.to_string(),
        note: None,
        kind,
    }
}

/// `stmt` with the comment of its line as a note.
fn noted(note: &str, s: Stmt) -> Stmt {
    Stmt {
        note: Some(note.to_string()),
        ..s
    }
}

fn block(kind: BlockKind, name: &str, line: u32, body: Vec<Stmt>) -> Block {
    Block {
        kind,
        name: name.to_string(),
        line,
        traced: false,
        body,
    }
}

fn err(text: &str) -> ParseError {
    match parse(text) {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e,
    }
}

/// Asserts the error position and that the message contains `phrase`.
#[track_caller]
fn assert_err(text: &str, line: u32, col: u32, phrase: &str) {
    let e = err(text);
    assert_eq!(
        (e.line, e.col),
        (line, col),
        "wrong position for error: {e}"
    );
    assert!(
        e.message.contains(phrase),
        "message {:?} lacks {:?}",
        e.message,
        phrase
    );
}

fn ok(text: &str) -> Scenario {
    match parse(text) {
        Ok(s) => s,
        Err(e) => panic!("unexpected error: {e}\n{text}"),
    }
}

// ---- the reference example --------------------------------------------------

#[test]
fn example_parses_exactly() {
    let expected = Scenario {
        design: Some(Design::Patch),
        uvm_nuarea_max: 16,
        cpus: 1,
        switches: vec![],
        blocks: vec![
            block(
                BlockKind::Proc,
                "shell",
                4,
                vec![
                    stmt(
                        5,
                        3,
                        "repeat 3",
                        StmtKind::Repeat {
                            count: 3,
                            body: vec![
                                noted(
                                    "child runs the block \"proc worker\"",
                                    stmt(6, 5, "fork worker", StmtKind::Fork { block: 1 }),
                                ),
                                noted(
                                    "wait4(-1): sleeps until a child is a zombie, reaps it",
                                    stmt(7, 5, "wait", StmtKind::Wait { block: None }),
                                ),
                            ],
                        },
                    ),
                    stmt(8, 3, "exit 0", StmtKind::Exit { status: 0 }),
                ],
            ),
            block(
                BlockKind::Proc,
                "worker",
                9,
                vec![stmt(10, 3, "exit 3", StmtKind::Exit { status: 3 })],
            ),
        ],
    };
    assert_eq!(ok(EXAMPLE), expected);
    assert_eq!(ok(EXAMPLE).first_proc(), Some(0));
}

#[test]
fn example_with_crlf_and_no_final_newline() {
    let crlf = EXAMPLE.replace('\n', "\r\n");
    assert_eq!(ok(&crlf), ok(EXAMPLE));
    assert_eq!(ok(EXAMPLE.trim_end()), ok(EXAMPLE));
}

#[test]
fn defaults() {
    let s = ok("proc a\n  exit 0\n");
    assert_eq!(s.design, None);
    assert_eq!(s.uvm_nuarea_max, 16);
    assert_eq!(s.cpus, 1);
    assert!(s.switches.is_empty());
}

#[test]
fn every_action_and_setting() {
    let text = "\
lwp t1
\tyield
\tsleep 5
\tlwp_exit
cpus 2
switch no_pmap_deactivate
switch drain_in_lwp_exit2
proc main traced
    thread t1
    thread t2 detached
    lwp_wait t1
    lwp_wait
    pagedaemon
    fork child
    wait child
    repeat 2   # comment
        repeat 1000000
            yield
        sleep 100000
    exit 255
lwp t2
 yield
proc child
 exit 1
design reaper
uvm_nuarea_max 0
";
    let s = ok(text);
    assert_eq!(s.design, Some(Design::Reaper));
    assert_eq!(s.cpus, 2);
    assert_eq!(s.uvm_nuarea_max, 0);
    assert_eq!(
        s.switches,
        vec![Switch::NoPmapDeactivate, Switch::DrainInLwpExit2]
    );
    assert_eq!(s.first_proc(), Some(1));
    let names: Vec<&str> = s.blocks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["t1", "main", "t2", "child"]);
    assert_eq!(
        s.blocks[0].body,
        vec![
            stmt(2, 2, "yield", StmtKind::Yield),
            stmt(3, 2, "sleep 5", StmtKind::Sleep { ticks: 5 }),
            stmt(4, 2, "lwp_exit", StmtKind::LwpExit),
        ]
    );
    let main = &s.blocks[1];
    assert!(main.traced);
    assert_eq!(main.kind, BlockKind::Proc);
    let kinds: Vec<&StmtKind> = main.body.iter().map(|s| &s.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &StmtKind::Thread {
                block: 0,
                detached: false
            },
            &StmtKind::Thread {
                block: 2,
                detached: true
            },
            &StmtKind::LwpWait { block: Some(0) },
            &StmtKind::LwpWait { block: None },
            &StmtKind::Pagedaemon,
            &StmtKind::Fork { block: 3 },
            &StmtKind::Wait { block: Some(3) },
            &StmtKind::Repeat {
                count: 2,
                body: vec![
                    stmt(
                        17,
                        9,
                        "repeat 1000000",
                        StmtKind::Repeat {
                            count: 1_000_000,
                            body: vec![stmt(18, 13, "yield", StmtKind::Yield)]
                        }
                    ),
                    stmt(19, 9, "sleep 100000", StmtKind::Sleep { ticks: 100_000 }),
                ],
            },
            &StmtKind::Exit { status: 255 },
        ]
    );
    assert_eq!(main.body[7].text, "repeat 2");
    assert_eq!(main.body[7].col, 5);
    assert_eq!(s.blocks[2].kind, BlockKind::Lwp);
}

#[test]
fn tabs_count_to_the_next_multiple_of_eight() {
    // A tab and eight spaces are the same indentation; "  \t" is also 8.
    let s = ok("proc a\n\trepeat 2\n\t    yield\n            yield\n  \tsleep 1\n");
    assert_eq!(s.blocks[0].body.len(), 2);
    assert_eq!(
        s.blocks[0].body[1],
        stmt(5, 4, "sleep 1", StmtKind::Sleep { ticks: 1 })
    );
    let StmtKind::Repeat { body, .. } = &s.blocks[0].body[0].kind else {
        panic!("not a repeat")
    };
    assert_eq!(body.len(), 2);
    assert_eq!(body[1].col, 13);
    // The nested repeat at 8 columns starts the body; "\t\tsleep" (16) is too deep.
    let text = "proc a\n\tyield\n        yield\n\t\tsleep 1\n";
    assert_err(
        text,
        4,
        3,
        "only a `repeat` line may be followed by a more indented body",
    );
}

#[test]
fn comments_and_blank_lines_do_not_count() {
    let s = ok("\n# top\n   # indented comment\nproc a # x\n\n  # c\n  yield#c\n        # deep comment\n  exit 0\n");
    assert_eq!(
        s.blocks[0].body[0],
        noted("c", stmt(7, 3, "yield", StmtKind::Yield))
    );
}

// ---- notes: comments on action lines -------------------------------------------

#[test]
fn comments_on_action_lines_become_notes() {
    let s = ok("\
proc a                  # not a note: a header
  # a comment line: not a note either
  fork w   # the child gets a cached u-area\t
  repeat 2 #   body twice
    yield#
    wait  #  \t
  exit 0
proc w
  exit 1 ##  hash inside #
");
    let body = &s.blocks[0].body;
    assert_eq!(
        body[0].note.as_deref(),
        Some("the child gets a cached u-area")
    );
    assert_eq!(body[0].text, "fork w");
    assert_eq!(body[1].note.as_deref(), Some("body twice"));
    let StmtKind::Repeat { body: inner, .. } = &body[1].kind else {
        panic!("a repeat")
    };
    assert_eq!(inner[0].note, None, "an empty comment is no note");
    assert_eq!(inner[1].note, None, "a blank comment is no note");
    assert_eq!(body[2].note, None);
    assert_eq!(
        s.blocks[1].body[0].note.as_deref(),
        Some("#  hash inside #")
    );
}

#[test]
fn forkpy_statements_have_no_note() {
    let s = ok("forkpy a+b,b-   # a comment about the list\n");
    for b in &s.blocks {
        assert!(b.body.iter().all(|st| st.note.is_none()), "{b:?}");
    }
}

#[test]
fn utf8_in_comments() {
    let s = ok("\
# Sc\u{e9}nario : la boucle fork/wait \u{2014} \u{e0} projeter en cours \u{1F600}
proc a   # le p\u{e8}re
  fork w # l\u{2019}enfant prend une u-area du cache \u{2014} d\u{e9}j\u{e0} c\u{e2}bl\u{e9}e
proc w
  exit 0\t# \u{3053}\u{3093}\u{306b}\u{3061}\u{306f}
");
    assert_eq!(
        s.blocks[0].body[0].note.as_deref(),
        Some("l\u{2019}enfant prend une u-area du cache \u{2014} d\u{e9}j\u{e0} c\u{e2}bl\u{e9}e")
    );
    assert_eq!(
        s.blocks[1].body[0].note.as_deref(),
        Some("\u{3053}\u{3093}\u{306b}\u{3061}\u{306f}")
    );
    // Columns of later errors still count characters.
    assert_err("# caf\u{e9}\nproc a\n  forc\n", 3, 3, "unknown action");
    assert_err(
        "proc a # \u{e9}\u{e9}\n  exit 0 zz\n",
        2,
        10,
        "unexpected `zz`",
    );
}

#[test]
fn control_and_bidi_characters_in_comments() {
    assert_err("proc a\n  exit 0 # a\u{0}b\n", 2, 13, "U+0000");
    assert_err(
        "proc a\n  exit 0 # a\u{1b}[31m\n",
        2,
        13,
        "not allowed in a comment",
    );
    // Trojan-source: a right-to-left override could make the line read differently.
    assert_err("proc a\n  exit 0 # \u{202e}0 tixe\n", 2, 12, "U+202E");
    assert_err(
        "proc a\n  exit 0 # \u{2066}x\u{2069}\n",
        2,
        12,
        "bidirectional",
    );
    // The first bad character counts, content before comment.
    assert_err(
        "proc a\n  ex\u{e9}t 0 # \u{0}\n",
        2,
        5,
        "except in comments",
    );
}

// ---- errors, one per class ---------------------------------------------------

#[test]
fn unknown_action() {
    let e = err("proc a\n  forc b\n");
    assert_eq!((e.line, e.col), (2, 3));
    assert_eq!(
        e.message,
        "unknown action `forc`; expected one of: fork, exit, wait, thread, lwp_exit, lwp_wait, yield, sleep, pagedaemon, repeat"
    );
}

#[test]
fn turn_is_not_written_by_hand() {
    assert_err(
        "proc a\n  turn 0\n",
        2,
        3,
        "`turn` cannot be written by hand",
    );
}

#[test]
fn exit_status_range() {
    let e = err("proc a\n  exit 300\n");
    assert_eq!((e.line, e.col), (2, 8));
    assert_eq!(
        e.message,
        "`exit` takes a status from 0 to 255, found `300`"
    );
    assert_err("proc a\n  exit -1\n", 2, 8, "found `-1`");
    assert_err(
        "proc a\n  exit\n",
        2,
        3,
        "`exit` needs a status from 0 to 255",
    );
    assert_err(
        "proc a\n  exit 99999999999999999999999\n",
        2,
        8,
        "from 0 to 255",
    );
    assert_err("proc a\n  exit 1 2\n", 2, 10, "unexpected `2`");
}

#[test]
fn indented_line_without_block() {
    assert_err(
        "design patch\n  fork a\n",
        2,
        3,
        "this line is indented but there is no `proc` or `lwp` block above it",
    );
    assert_err(
        "   yield\nproc a\n  exit 0\n",
        1,
        4,
        "no `proc` or `lwp` block above it",
    );
    // A setting between a block and an indented line ends the block.
    assert_err(
        "proc a\n  yield\ncpus 2\n  exit 0\n",
        4,
        3,
        "the setting on line 3 ended the block",
    );
}

#[test]
fn setting_must_start_in_column_1() {
    let e = err("proc a\n  uvm_nuarea_max 4\n  exit 0\n");
    assert_eq!((e.line, e.col), (2, 3));
    assert_eq!(
        e.message,
        "`uvm_nuarea_max` is a setting and must start in column 1"
    );
    assert_err(
        " design patch\nproc a\n  exit 0\n",
        1,
        2,
        "`design` is a setting and must start in column 1",
    );
    assert_err(
        "proc a\n  yield\n  proc b\n",
        3,
        3,
        "`proc` starts a block and must start in column 1",
    );
}

#[test]
fn action_at_top_level_and_unknown_top_level_word() {
    assert_err(
        "fork a\nproc a\n  exit 0\n",
        1,
        1,
        "`fork` is an action and must be indented",
    );
    assert_err(
        "procs a\n  exit 0\n",
        1,
        1,
        "unknown setting or block `procs`; expected one of: design",
    );
}

#[test]
fn settings_at_most_once() {
    assert_err(
        "design patch\nproc a\n  exit 0\ndesign reaper\n",
        4,
        1,
        "`design` is already set on line 1",
    );
    assert_err(
        "cpus 1\ncpus 1\nproc a\n  exit 0\n",
        2,
        1,
        "already set on line 1",
    );
    assert_err(
        "uvm_nuarea_max 1\nuvm_nuarea_max 2\nproc a\n  exit 0\n",
        2,
        1,
        "already set",
    );
    assert_err(
        "switch no_pmap_deactivate\nproc a\n  exit 0\nswitch no_pmap_deactivate\n",
        4,
        8,
        "switch `no_pmap_deactivate` is already on line 1",
    );
    // Several `forkpy` lines make one list (forkpy_several_lines).
    ok("forkpy a+b\nforkpy a-\n");
}

#[test]
fn setting_values() {
    assert_err(
        "design fast\nproc a\n  exit 0\n",
        1,
        8,
        "unknown design `fast`; expected reaper or patch",
    );
    assert_err("design\nproc a\n  exit 0\n", 1, 1, "`design` needs a value");
    assert_err(
        "design patch reaper\nproc a\n  exit 0\n",
        1,
        14,
        "unexpected `reaper`",
    );
    assert_err(
        "cpus 3\nproc a\n  exit 0\n",
        1,
        6,
        "`cpus` takes 1 or 2, found `3`",
    );
    let e = err("switch nope\nproc a\n  exit 0\n");
    assert_eq!((e.line, e.col), (1, 8));
    for s in Switch::ALL {
        assert!(
            e.message.contains(s.name()),
            "{} missing from {}",
            s.name(),
            e.message
        );
    }
    assert_err(
        "switch no_pmap_deactivat\n",
        1,
        8,
        "did you mean `no_pmap_deactivate`?",
    );
}

#[test]
fn empty_bodies() {
    let e = err("proc x\nproc y\n  exit 0\n");
    assert_eq!((e.line, e.col), (1, 1));
    assert!(
        e.message.starts_with("block `x` has no actions"),
        "{}",
        e.message
    );
    assert_err(
        "proc a\n  exit 0\nlwp t\n",
        3,
        1,
        "block `t` has no actions",
    );
    assert_err(
        "proc a\n  repeat 3\n  exit 0\n",
        2,
        3,
        "`repeat 3` has no body",
    );
    assert_err("proc a\n  repeat 3\n", 2, 3, "`repeat 3` has no body");
    assert_err(
        "proc a\n  repeat 2\n    repeat 3\n  yield\n",
        3,
        5,
        "`repeat 3` has no body",
    );
}

#[test]
fn inconsistent_indentation() {
    assert_err(
        "proc a\n    yield\n  yield\n",
        3,
        3,
        "does not match the other actions of this block (4 columns)",
    );
    assert_err(
        "proc a\n  yield\n    yield\n",
        3,
        5,
        "only a `repeat` line may be followed by a more indented body",
    );
    assert_err(
        "proc a\n  repeat 2\n      yield\n    yield\n",
        4,
        5,
        "does not match any enclosing level",
    );
}

#[test]
fn unknown_names_with_suggestion() {
    let e = err("proc shell\n  fork wrker\n  exit 0\nproc worker\n  exit 3\n");
    assert_eq!((e.line, e.col), (2, 8));
    assert_eq!(e.message, "no block named `wrker`; did you mean `worker`?");
    assert_err(
        "proc a\n  fork zzz\n",
        2,
        8,
        "no block named `zzz`; `fork` needs the name of a `proc` block",
    );
    assert_err(
        "proc a\n  thread tt\nlwp t1\n  yield\n",
        2,
        10,
        "no block named `tt`",
    );
    assert_err(
        "proc a\n  lwp_wait t2\nlwp t1\n  yield\n",
        2,
        12,
        "did you mean `t1`?",
    );
    assert_err("proc a\n  wait b\n", 2, 8, "no block named `b`");
    assert_err(
        "proc a\n  fork\n",
        2,
        3,
        "`fork` needs the name of a `proc` block",
    );
    assert_err(
        "proc a\n  thread\n",
        2,
        3,
        "`thread` needs the name of an `lwp` block",
    );
}

#[test]
fn names_of_the_wrong_kind() {
    assert_err(
        "proc a\n  fork t\nlwp t\n  yield\n",
        2,
        8,
        "`fork` needs the name of a `proc` block, but `t` is an `lwp` block (line 3)",
    );
    assert_err(
        "proc a\n  thread b\nproc b\n  exit 0\n",
        2,
        10,
        "`thread` needs the name of an `lwp` block, but `b` is a `proc` block (line 3)",
    );
    assert_err(
        "proc a\n  wait t\nlwp t\n  yield\n",
        2,
        8,
        "`wait` needs the name of a `proc` block",
    );
    assert_err(
        "proc a\n  lwp_wait a\n",
        2,
        12,
        "`lwp_wait` needs the name of an `lwp` block",
    );
    assert_err(
        "proc a\n  thread t sometimes\nlwp t\n  yield\n",
        2,
        12,
        "only `detached` may follow",
    );
}

#[test]
fn forward_references_resolve() {
    let s = ok("proc a\n  fork b\n  thread t\n  wait b\nproc b\n  exit 0\nlwp t\n  yield\n");
    assert_eq!(s.blocks[0].body[0].kind, StmtKind::Fork { block: 1 });
    assert_eq!(
        s.blocks[0].body[1].kind,
        StmtKind::Thread {
            block: 2,
            detached: false
        }
    );
}

#[test]
fn bad_and_duplicate_names() {
    assert_err(
        "proc a\n  exit 0\nproc a\n  exit 1\n",
        3,
        6,
        "there is already a block named `a` (line 1)",
    );
    assert_err(
        "proc a\n  exit 0\nlwp a\n  yield\n",
        3,
        5,
        "already a block named `a`",
    );
    assert_err(
        "proc 9lives\n  exit 0\n",
        1,
        6,
        "`9lives` is not a valid name",
    );
    assert_err("proc a.b\n  exit 0\n", 1, 6, "not a valid name");
    assert_err("proc a\n  fork b!\n", 2, 8, "`b!` is not a valid name");
    assert_err("proc\n  exit 0\n", 1, 1, "`proc` needs a block name");
    assert_err(
        "proc a traced extra\n  exit 0\n",
        1,
        15,
        "unexpected `extra`",
    );
    assert_err("proc a tracd\n  exit 0\n", 1, 8, "only `traced` may follow");
    assert_err(
        "lwp t traced\n  yield\nproc a\n  exit 0\n",
        1,
        7,
        "unexpected `traced`",
    );
    let long = "n".repeat(33);
    assert_err(
        &format!("proc {long}\n  exit 0\n"),
        1,
        6,
        "names are at most 32 characters",
    );
    let max = "n".repeat(32);
    ok(&format!("proc {max}\n  exit 0\n"));
    assert!(ok("proc _a-b_9\n  exit 0\n").blocks[0].name == "_a-b_9");
}

#[test]
fn needs_a_proc_block() {
    assert_err("", 1, 1, "a scenario needs at least one `proc` block");
    assert_err(
        "# nothing\ndesign patch\n",
        1,
        1,
        "a scenario needs at least one `proc` block",
    );
    assert_err("lwp t\n  yield\n", 1, 1, "at least one `proc` block");
}

#[test]
fn unreachable_after_exit() {
    assert_err(
        "proc a\n  exit 0\n  yield\n",
        3,
        3,
        "this line can never run: the `exit` on line 2",
    );
    assert_err(
        "proc a\n  repeat 2\n    exit 1\n    fork a\n",
        4,
        5,
        "can never run",
    );
    assert_err(
        "proc a\n  exit 0\n  repeat 2\n    yield\n",
        3,
        3,
        "can never run",
    );
    assert_err(
        "lwp t\n  lwp_exit\n  yield\nproc a\n  exit 0\n",
        3,
        3,
        "the `lwp_exit` on line 2 ends this LWP",
    );
    // An exit inside a repeat does not make the lines after the repeat unreachable.
    ok("proc a\n  repeat 2\n    exit 1\n  yield\n");
}

#[test]
fn first_error_in_file_order() {
    // The unknown name (line 2) comes before the syntax error (line 4).
    assert_err(
        "proc a\n  fork nobody\n  yield\n  bogus\n",
        2,
        8,
        "no block named `nobody`",
    );
    // Two errors on one line: the leftmost wins.
    assert_err(
        "proc a\n  fork nobody extra\n",
        2,
        8,
        "no block named `nobody`",
    );
    assert_err("proc a\n  fork a extra\n", 2, 10, "unexpected `extra`");
    assert_err("proc a\n  exit 300 x\n", 2, 8, "found `300`");
    assert_err(
        "design fast x\nproc a\n  exit 0\n",
        1,
        8,
        "unknown design `fast`",
    );
    // A block after a broken line still resolves earlier references.
    assert_err(
        "proc a\n  fork b\n  oops\nproc b\n  exit 0\n",
        3,
        3,
        "unknown action `oops`",
    );
    // An erroneous body line does not make its block "empty".
    assert_err("proc a\n  oops\n", 2, 3, "unknown action `oops`");
    assert_err(
        "proc a\n  repeat 2\n    oops\n",
        3,
        5,
        "unknown action `oops`",
    );
}

#[test]
fn characters_outside_printable_ascii() {
    assert_err(
        "proc a\n  fork w\u{1F600}rker\nproc wrker\n  exit 0\n",
        2,
        9,
        "is not allowed",
    );
    assert_err("proc a\0\n  exit 0\n", 1, 7, "U+0000");
    // Outside comments only; any text is fine in a comment.
    assert_err(
        "proc a\n  exit 0\u{e9} # caf\u{e9}\n",
        2,
        9,
        "except in comments",
    );
    assert_err("proc a \u{2014}x\n  exit 0\n", 1, 8, "`\u{2014}` (U+2014)");
    ok("proc a\n  exit 0 # caf\u{e9}\n");
    assert_err("proc a\n  exit\r 0\n", 2, 7, "U+000D");
    // Column counts characters, not bytes.
    assert_err("proc a\n  \u{e9}\u{e9}\u{1F600}\n", 2, 3, "`\u{e9}`");
    assert_err("\u{feff}proc a\n  exit 0\n", 1, 1, "U+FEFF");
}

// ---- limits ------------------------------------------------------------------

#[test]
fn limits_are_enforced() {
    assert_err(
        "proc a\n  sleep 0\n",
        2,
        9,
        "`sleep` takes a number of clock ticks from 1 to 100000 (SLEEP_TICKS_MAX), found `0`",
    );
    assert_err("proc a\n  sleep 100001\n", 2, 9, "SLEEP_TICKS_MAX");
    assert_err(
        "proc a\n  repeat 0\n    yield\n",
        2,
        10,
        "`repeat` takes a count from 1 to 1000000 (REPEAT_COUNT_MAX), found `0`",
    );
    assert_err(
        "proc a\n  repeat 1000001\n    yield\n",
        2,
        10,
        "REPEAT_COUNT_MAX",
    );
    assert_err(
        "uvm_nuarea_max 4097\nproc a\n  exit 0\n",
        1,
        16,
        "UVM_NUAREA_MAX_MAX",
    );
    ok("uvm_nuarea_max 4096\nproc a\n  exit 0\n");

    // REPEAT_DEPTH_MAX: 8 nested repeats are fine, 9 are not.
    let nest = |depth: usize| {
        let mut t = String::from("proc a\n");
        for d in 0..depth {
            t.push_str(&" ".repeat(d + 1));
            t.push_str("repeat 2\n");
        }
        t.push_str(&" ".repeat(depth + 1));
        t.push_str("yield\n");
        t
    };
    ok(&nest(limits::REPEAT_DEPTH_MAX));
    assert_err(
        &nest(limits::REPEAT_DEPTH_MAX + 1),
        10,
        10,
        "REPEAT_DEPTH_MAX",
    );

    // LINE_CHARS_MAX.
    let long = format!("proc a\n  exit 0 #{}\n", "x".repeat(limits::LINE_CHARS_MAX));
    assert_err(&long, 2, 401, "LINE_CHARS_MAX");
    let fits = format!(
        "proc a\n  exit 0 #{}\n",
        "x".repeat(limits::LINE_CHARS_MAX - 10)
    );
    ok(&fits);

    // LINES_MAX.
    let mut many = String::from("proc a\n  exit 0\n");
    many.push_str(&"\n".repeat(limits::LINES_MAX - 2));
    ok(&many);
    many.push_str("# one too many\n");
    assert_err(&many, 20_001, 1, "LINES_MAX");

    // BLOCKS_MAX.
    let mut blocks = String::new();
    for i in 0..limits::BLOCKS_MAX {
        blocks.push_str(&format!("proc p{i}\n  exit 0\n"));
    }
    ok(&blocks);
    blocks.push_str("proc extra\n  exit 0\n");
    assert_err(&blocks, 513, 1, "BLOCKS_MAX");

    // A forkpy line is a line like any other: LINE_CHARS_MAX applies to it too, so
    // long lists take several lines; FORKPY_ACTIONS_MAX is checked by unit tests
    // inside forkpy.rs.
    let chain: Vec<String> = (0..40).map(|i| format!("p{i}+p{}", i + 1)).collect();
    let long = format!("forkpy a+p0,{}", chain.join(","));
    assert!(long.len() <= limits::LINE_CHARS_MAX);
    assert_eq!(ok(&long).blocks.len(), 42);
    let chain: Vec<String> = (0..60).map(|i| format!("p{i}+p{}", i + 1)).collect();
    let too_long = format!("forkpy a+p0,{}", chain.join(","));
    assert_err(&too_long, 1, 401, "LINE_CHARS_MAX");
}

// ---- forkpy ------------------------------------------------------------------

#[test]
fn forkpy_desugars() {
    let s = ok("design reaper\nforkpy a+b,b+c,b-\n");
    let turn = |index| StmtKind::Turn { index };
    let end = "exit 0 (end of forkpy list)";
    let expected = vec![
        block(
            BlockKind::Proc,
            "a",
            2,
            vec![
                stmt(2, 8, "a+b", turn(0)),
                stmt(2, 8, "a+b", StmtKind::Fork { block: 1 }),
                stmt(2, 1, end, turn(3)),
                stmt(2, 1, end, StmtKind::Exit { status: 0 }),
            ],
        ),
        block(
            BlockKind::Proc,
            "b",
            2,
            vec![
                stmt(2, 12, "b+c", turn(1)),
                stmt(2, 12, "b+c", StmtKind::Fork { block: 2 }),
                stmt(2, 16, "b-", turn(2)),
                stmt(2, 16, "b-", StmtKind::Exit { status: 0 }),
            ],
        ),
        block(
            BlockKind::Proc,
            "c",
            2,
            vec![
                stmt(2, 1, end, turn(4)),
                stmt(2, 1, end, StmtKind::Exit { status: 0 }),
            ],
        ),
    ];
    assert_eq!(s.design, Some(Design::Reaper));
    assert_eq!(s.blocks, expected);
}

#[test]
fn forkpy_several_lines() {
    let one = ok("forkpy a+b,b+c,b-,a w\n");
    let two = ok("forkpy a+b,b+c\n# the rest\ndesign patch\nforkpy b-\nforkpy a w\n");
    let kinds = |s: &Scenario| -> Vec<Vec<StmtKind>> {
        s.blocks
            .iter()
            .map(|b| b.body.iter().map(|st| st.kind.clone()).collect())
            .collect()
    };
    assert_eq!(kinds(&one), kinds(&two));
    assert_eq!(
        two.blocks[0].body[2],
        stmt(5, 8, "a w", StmtKind::Turn { index: 3 })
    );
    assert_eq!(two.blocks[0].body[3].kind, StmtKind::Wait { block: None });
    // The end-of-list exits point at the last `forkpy` line; a process's block at the
    // line that forked it.
    assert_eq!(two.blocks[0].body[4].line, 5);
    assert_eq!(two.blocks[2].line, 1);
    // Entries refer to processes of earlier lines; errors point into their own line.
    assert_err(
        "forkpy a+b\nforkpy c-\n",
        2,
        8,
        "process `c` does not exist",
    );
    assert_err("forkpy a+b\nforkpy a w\n", 2, 8, "no child that has exited");
    // The first error stops the list.
    assert_err(
        "forkpy a+b,x-\nforkpy q-\n",
        1,
        12,
        "process `x` does not exist",
    );
}

#[test]
fn forkpy_spacing_and_comment() {
    let s = ok("forkpy a + b , b- ,a+d   # comment\ncpus 2\n");
    let names: Vec<&str> = s.blocks.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "d"]);
    assert_eq!(
        s.blocks[0].body[0],
        stmt(1, 8, "a+b", StmtKind::Turn { index: 0 })
    );
    assert_eq!(
        s.blocks[1].body[0],
        stmt(1, 16, "b-", StmtKind::Turn { index: 1 })
    );
    assert_eq!(
        s.blocks[0].body[2],
        stmt(1, 20, "a+d", StmtKind::Turn { index: 2 })
    );
    // d never acts: it still gets its final turn and exit, after a's.
    assert_eq!(s.blocks[2].body[0].kind, StmtKind::Turn { index: 4 });
    assert_eq!(s.cpus, 2);
    // `a` alone exiting.
    assert_eq!(ok("forkpy a-").blocks.len(), 1);
}

#[test]
fn forkpy_errors() {
    assert_err("forkpy b+c\n", 1, 8, "process `b` does not exist");
    assert_err("forkpy a+b,c+d\n", 1, 12, "process `c` does not exist");
    assert_err(
        "forkpy a+b,b-,b+c\n",
        1,
        15,
        "process `b` has already exited (entry `b-`)",
    );
    assert_err("forkpy a+b,a+b\n", 1, 12, "process `b` already exists");
    assert_err("forkpy a+b,b+a\n", 1, 12, "process `a` already exists");
    assert_err("forkpy a+b,,b-\n", 1, 11, "empty entry");
    assert_err("forkpy a+b,\n", 1, 11, "empty entry");
    assert_err("forkpy\n", 1, 1, "`forkpy` needs a list");
    assert_err("forkpy a*b\n", 1, 9, "`forkpy` entries are `x+y`");
    assert_err("forkpy a+\n", 1, 9, "`forkpy` entries are");
    assert_err("forkpy a-x\n", 1, 10, "`forkpy` entries are");
    assert_err("forkpy a+b c\n", 1, 12, "`forkpy` entries are");
    assert_err(
        "forkpy a+b\nproc p\n  exit 0\n",
        2,
        1,
        "cannot also have `proc` or `lwp` blocks",
    );
    assert_err(
        "proc p\n  exit 0\nforkpy a+b\n",
        3,
        1,
        "cannot also have `proc` or `lwp` blocks",
    );
    assert_err(
        "  forkpy a+b\n",
        1,
        3,
        "`forkpy` is a setting and must start in column 1",
    );
    assert_err(
        "forkpy a+b\n  fork b\n",
        2,
        3,
        "no `proc` or `lwp` block above it",
    );
}

// ---- robustness ----------------------------------------------------------------

/// xorshift64*: deterministic, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[track_caller]
fn check_no_panic(text: &str) {
    let lines = text.split('\n').count() as u32;
    match parse(text) {
        Ok(s) => assert!(s.first_proc().is_some()),
        Err(e) => {
            assert!(
                e.line >= 1 && e.line <= lines.max(1),
                "line {} out of range for {text:?}",
                e.line
            );
            assert!(e.col >= 1, "col 0 for {text:?}");
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn no_panic_on_random_input() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pieces: [&str; 24] = [
        "proc ",
        "lwp ",
        "fork ",
        "exit ",
        "wait",
        "thread ",
        " detached",
        "lwp_exit",
        "lwp_wait ",
        "yield",
        "sleep ",
        "repeat ",
        "forkpy ",
        "a+b,b-,",
        "design ",
        "cpus ",
        "switch ",
        "\n",
        "  ",
        "\t",
        "#",
        "9",
        "worker",
        "\u{e9}",
    ];
    for round in 0..3000 {
        let mut text = String::new();
        if round % 3 == 0 {
            let len = rng.below(200);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            text = String::from_utf8_lossy(&bytes).into_owned();
        } else {
            for _ in 0..rng.below(60) {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
        }
        check_no_panic(&text);
    }
    // Mutations of the example: replace, insert or delete characters, drop lines.
    let alphabet: Vec<char> = " \t\n#+-,0123456789abcdefghijklmnopqrstuvwxyz_\u{0}\u{1F600}"
        .chars()
        .collect();
    for _ in 0..4000 {
        let mut chars: Vec<char> = EXAMPLE.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(4) {
                0 if at < chars.len() => chars[at] = alphabet[rng.below(alphabet.len())],
                1 => chars.insert(at, alphabet[rng.below(alphabet.len())]),
                2 if at < chars.len() => {
                    chars.remove(at);
                }
                _ => {
                    let end = (at + rng.below(12)).min(chars.len());
                    chars.drain(at..end);
                }
            }
        }
        let text: String = chars.into_iter().collect();
        check_no_panic(&text);
    }
}

#[test]
fn pathological_inputs_are_fast_and_safe() {
    // Deep indentation staircase of repeats: bounded depth, no stack overflow.
    let mut stairs = String::from("proc a\n");
    for d in 0..300 {
        stairs.push_str(&" ".repeat(d + 1));
        stairs.push_str("repeat 1\n");
    }
    assert_err(&stairs, 10, 10, "REPEAT_DEPTH_MAX");
    // One enormous line.
    let huge = format!("proc a\n  fork {}\n", "x".repeat(2_000_000));
    assert_err(&huge, 2, 8, "names are at most 32 characters");
    // Thousands of lines and references.
    let mut big = String::from("proc a\n");
    for _ in 0..19_000 {
        big.push_str("  fork b\n");
    }
    big.push_str("proc b\n  exit 0\n");
    let start = std::time::Instant::now();
    assert_eq!(ok(&big).blocks[0].body.len(), 19_000);
    let mut bad = big.replace("fork b", "fork bb");
    bad.push_str("proc bc\n  exit 0\n");
    assert_err(&bad, 2, 8, "no block named `bb`; did you mean `b`?");
    assert!(start.elapsed().as_secs() < 20);
}

// ---- the example files in scenarios/ --------------------------------------------

#[test]
fn example_files_parse() {
    let fork_wait = ok(include_str!("../scenarios/fork-wait-loop.scn"));
    assert_eq!(fork_wait.design, None);
    assert_eq!(fork_wait.blocks.len(), 2);
    let StmtKind::Repeat { count, body } = &fork_wait.blocks[0].body[0].kind else {
        panic!("fork-wait-loop starts with a repeat")
    };
    assert_eq!((*count, body.len()), (5, 2));

    let lwps = ok(include_str!("../scenarios/three-lwps.scn"));
    let kinds: Vec<BlockKind> = lwps.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        [
            BlockKind::Proc,
            BlockKind::Proc,
            BlockKind::Lwp,
            BlockKind::Lwp
        ]
    );
    assert_eq!(
        lwps.blocks[1].body[0].kind,
        StmtKind::Thread {
            block: 2,
            detached: false
        }
    );
    assert_eq!(
        lwps.blocks[1].body[1].kind,
        StmtKind::Thread {
            block: 3,
            detached: false
        }
    );

    let orphans = ok(include_str!("../scenarios/orphans.scn"));
    assert_eq!(
        orphans.blocks[0].body[1].kind,
        StmtKind::Wait { block: Some(1) }
    );
    let forks = orphans.blocks[1]
        .body
        .iter()
        .filter(|s| matches!(s.kind, StmtKind::Fork { .. }))
        .count();
    assert_eq!(forks, 3);

    let storm = ok(include_str!("../scenarios/fork-storm.scn"));
    assert_eq!(storm.uvm_nuarea_max, 16);
    assert!(storm.blocks[0]
        .body
        .iter()
        .any(|s| s.kind == StmtKind::Pagedaemon));
    let counts: Vec<u32> = storm.blocks[0]
        .body
        .iter()
        .filter_map(|s| match s.kind {
            StmtKind::Repeat { count, .. } => Some(count),
            _ => None,
        })
        .collect();
    assert_eq!(counts, [20, 20]);
    for text in [
        include_str!("../scenarios/fork-wait-loop.scn"),
        include_str!("../scenarios/three-lwps.scn"),
        include_str!("../scenarios/orphans.scn"),
        include_str!("../scenarios/fork-storm.scn"),
    ] {
        assert!(
            !text.lines().any(|l| l.starts_with("design")),
            "example files carry no design line"
        );
    }
}

#[test]
fn language_reference_lists_every_switch() {
    let doc = include_str!("../docs/scenario-language.md");
    for s in Switch::ALL {
        let row = format!("| `{}` | {} |", s.name(), s.describe());
        assert!(
            doc.contains(&row),
            "docs/scenario-language.md lacks the row {row}"
        );
    }
}

// ---- the header: title, designs, description -----------------------------------

#[test]
fn header_title_designs_description() {
    use exitpath::engine::scenario::{description, designs, title};
    let text = "\
# title: Orphans \u{2014} reparented to init
# designs: patch, committed
#
# First paragraph,
# on two lines.
#
#
# What to watch:
# - one item
#   continued
# - two
#
# Last.

# not the header any more
proc a
  exit 0
";
    ok(text);
    assert_eq!(title(text), Some("Orphans \u{2014} reparented to init"));
    assert_eq!(designs(text), vec![Design::Patch, Design::Committed]);
    assert_eq!(
        description(text),
        "First paragraph, on two lines.\n\nWhat to watch:\n- one item continued\n- two\n\nLast."
    );
    // No header at all: no title, every design, an empty description.
    let bare = "proc a\n  exit 0\n";
    assert_eq!(title(bare), None);
    assert_eq!(designs(bare), Design::ALL.to_vec());
    assert_eq!(description(bare), "");
    // The header stops at the first line that is not a comment.
    assert_eq!(description("design patch\n# late\nproc a\n  exit 0\n"), "");
    assert_eq!(
        description("\n\n#  indented text\r\n#\r\n# b\r\n"),
        "indented text\n\nb"
    );
}
