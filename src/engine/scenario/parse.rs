//! The scenario parser: one pass over the lines with an explicit stack of open
//! blocks and `repeat`s, then name resolution. Never panics, linear time, no
//! recursion deeper than REPEAT_DEPTH_MAX.

use std::collections::BTreeMap;

use super::ast::{limits, Block, BlockKind, ParseError, Scenario, Stmt, StmtKind};
use super::forkpy;
use super::lex::{self, show, Errors, LineInfo, Word};
use crate::engine::design::{Design, Switch};

const ACTIONS: &str =
    "fork, exit, wait, thread, lwp_exit, lwp_wait, yield, sleep, pagedaemon, repeat";
const TOP_LEVEL: &str = "design, uvm_nuarea_max, cpus, switch, forkpy, proc, lwp";
const SETTINGS: [&str; 5] = ["design", "uvm_nuarea_max", "cpus", "switch", "forkpy"];
const ACTION_WORDS: [&str; 11] = [
    "fork",
    "exit",
    "wait",
    "thread",
    "lwp_exit",
    "lwp_wait",
    "yield",
    "sleep",
    "pagedaemon",
    "repeat",
    "turn",
];
const UVM_NUAREA_MAX_DEFAULT: u32 = 16;

/// Parses a whole scenario text; the error is the first one in file order.
pub(crate) fn parse(text: &str) -> Result<Scenario, ParseError> {
    let mut p = Parser::default();
    for (number, raw) in lex::lines(text) {
        if number > limits::LINES_MAX {
            p.errs.at(lex::pos(number), 1, || {
                format!(
                    "the scenario has more than {} lines (LINES_MAX)",
                    limits::LINES_MAX
                )
            });
            break;
        }
        p.line(lex::pos(number), raw);
    }
    p.finish()
}

/// A name used by an action, resolved once every block is known.
struct Ref {
    name: String,
    line: u32,
    col: u32,
    want: BlockKind,
    action: &'static str,
}

struct RepeatHeader {
    line: u32,
    col: u32,
    text: String,
    note: Option<String>,
    count: u32,
}

enum FrameKind {
    /// A `proc` / `lwp` block: its index in `Parser::blocks`, or `None` for a header
    /// with an error, whose body is read and thrown away.
    Block(Option<usize>),
    /// A `repeat`: `None` for one with an error, whose body is read and thrown away.
    Repeat(Option<RepeatHeader>),
}

/// An open block or `repeat` whose body is being read.
struct Frame {
    kind: FrameKind,
    /// Indentation of the header line.
    header_indent: usize,
    /// Indentation of the body, set by its first line.
    body_indent: Option<usize>,
    /// A body line was seen (even one with an error).
    seen: bool,
    stmts: Vec<Stmt>,
    /// The `exit` / `lwp_exit` that ends this body: line and action.
    ended: Option<(u32, &'static str)>,
}

impl Frame {
    fn new(kind: FrameKind, header_indent: usize) -> Frame {
        Frame {
            kind,
            header_indent,
            body_indent: None,
            seen: false,
            stmts: Vec::new(),
            ended: None,
        }
    }
}

#[derive(Default)]
struct Parser {
    errs: Errors,
    design: Option<Design>,
    design_line: Option<u32>,
    uvm_nuarea_max: Option<u32>,
    uvm_nuarea_max_line: Option<u32>,
    cpus: Option<u8>,
    cpus_line: Option<u32>,
    switches: Vec<(Switch, u32)>,
    /// The first `forkpy` line.
    forkpy_line: Option<u32>,
    /// The list of every `forkpy` line so far, and where the last line's keyword is
    /// (the end-of-list exits point there).
    forkpy: Option<forkpy::ForkpyList>,
    forkpy_end: (u32, u32),
    /// A `forkpy` line had an error: later lines are not checked against the list.
    forkpy_broken: bool,
    /// Line of the first `proc` / `lwp` header, valid or not.
    first_block_line: Option<u32>,
    /// Headers seen, valid or not (for BLOCKS_MAX).
    headers: usize,
    blocks: Vec<Block>,
    refs: Vec<Ref>,
    stack: Vec<Frame>,
    /// A top-level setting line that closed a block (for a clearer message when the
    /// next line is indented).
    setting_after_block: Option<u32>,
}

impl Parser {
    fn line(&mut self, line: u32, raw: &str) {
        let info = LineInfo::new(raw);
        if let Some((col, c)) = info.bad {
            let in_comment = info.bad_in_comment();
            self.errs.at(line, col, || lex::bad_char_at(c, in_comment));
        }
        if info.chars > limits::LINE_CHARS_MAX {
            self.errs
                .at(line, lex::pos(limits::LINE_CHARS_MAX + 1), || {
                    lex::line_too_long(info.chars)
                });
        }
        if info.is_blank() {
            return;
        }
        let col = info.first_col();
        if info.bad_in_content() {
            // Unreadable: keep the structure (so no false "empty body" error appears
            // above it) and skip the content.
            if info.indent == 0 {
                self.close_all();
                self.stack.push(Frame::new(FrameKind::Block(None), 0));
            } else {
                self.place(line, col, info.indent);
            }
            return;
        }
        let words = info.words();
        let Some(first) = words.first().copied() else {
            return;
        };
        if info.indent == 0 {
            self.top_level(line, &info, &words, first);
            return;
        }
        if SETTINGS.contains(&first.text) {
            self.errs.at(line, col, || {
                format!("`{}` is a setting and must start in column 1", first.text)
            });
            self.place(line, col, info.indent);
            return;
        }
        if first.text == "proc" || first.text == "lwp" {
            self.errs.at(line, col, || {
                format!(
                    "`{}` starts a block and must start in column 1, without indentation",
                    first.text
                )
            });
            self.place(line, col, info.indent);
            return;
        }
        if self.place(line, col, info.indent) {
            self.action(line, &info, &words, first);
        }
    }

    // ---- structure ----------------------------------------------------------

    /// Closes every open frame (a top-level line or the end of the text).
    fn close_all(&mut self) {
        while let Some(frame) = self.stack.pop() {
            self.close(frame);
        }
    }

    /// Closes one frame: checks that its body is not empty and hands a finished
    /// `repeat` to the frame around it.
    fn close(&mut self, frame: Frame) {
        match frame.kind {
            FrameKind::Block(Some(index)) => {
                if let Some(block) = self.blocks.get_mut(index) {
                    if !frame.seen {
                        let (name, kind) = (block.name.clone(), kind_word(block.kind));
                        self.errs.at(block.line, 1, || {
                            format!(
                                "block `{name}` has no actions: indent at least one action under \
                                 `{kind} {name}`"
                            )
                        });
                    }
                    block.body = frame.stmts;
                }
            }
            FrameKind::Repeat(Some(header)) => {
                if !frame.seen {
                    let text = header.text.clone();
                    self.errs.at(header.line, header.col, || {
                        format!("`{text}` has no body: indent the actions to repeat under it, more than the `repeat`")
                    });
                }
                let stmt = Stmt {
                    line: header.line,
                    col: header.col,
                    text: header.text,
                    note: header.note,
                    kind: StmtKind::Repeat {
                        count: header.count,
                        body: frame.stmts,
                    },
                };
                if let Some(parent) = self.stack.last_mut() {
                    parent.stmts.push(stmt);
                }
            }
            FrameKind::Block(None) | FrameKind::Repeat(None) => {}
        }
    }

    /// Finds the body an indented line belongs to, closing deeper `repeat`s. Returns
    /// false (after recording an error) when the indentation fits nowhere.
    fn place(&mut self, line: u32, col: u32, indent: usize) -> bool {
        let mut closed_deeper: Option<usize> = None;
        loop {
            let depth = self.stack.len();
            let Some(top) = self.stack.last_mut() else {
                let after = self.setting_after_block;
                self.errs.at(line, col, || match after {
                    Some(setting) => format!(
                        "this line is indented but there is no `proc` or `lwp` block above it \
                         (the setting on line {setting} ended the block before it)"
                    ),
                    None => "this line is indented but there is no `proc` or `lwp` block above it"
                        .to_string(),
                });
                return false;
            };
            match top.body_indent {
                None if indent > top.header_indent => {
                    top.body_indent = Some(indent);
                    top.seen = true;
                    return true;
                }
                None => {
                    // A `repeat` with nothing under it (block headers have indentation
                    // 0 and this line has more, so they never get here).
                    if let Some(frame) = self.stack.pop() {
                        closed_deeper = Some(frame.header_indent);
                        self.close(frame);
                    }
                }
                Some(body) if indent == body => {
                    top.seen = true;
                    return true;
                }
                Some(body) if indent > body => {
                    self.errs.at(line, col, || match closed_deeper {
                        Some(deeper) => format!(
                            "the indentation of this line ({indent} columns) does not match any \
                             enclosing level: the lines around it are indented {body} or {deeper} columns"
                        ),
                        None => format!(
                            "this line is indented more than the line above ({indent} columns instead \
                             of {body}), but only a `repeat` line may be followed by a more indented body"
                        ),
                    });
                    return false;
                }
                Some(body) => {
                    if depth <= 1 {
                        self.errs.at(line, col, || {
                            format!(
                                "the indentation of this line ({indent} columns) does not match the \
                                 other actions of this block ({body} columns)"
                            )
                        });
                        return false;
                    }
                    if let Some(frame) = self.stack.pop() {
                        closed_deeper = frame.body_indent;
                        self.close(frame);
                    }
                }
            }
        }
    }

    /// Adds a finished statement to the innermost open body.
    fn push_stmt(&mut self, stmt: Stmt) {
        let Some(top) = self.stack.last_mut() else {
            return;
        };
        if let Some((end_line, what)) = top.ended {
            self.errs
                .at(stmt.line, stmt.col, || unreachable_message(end_line, what));
        }
        let ends = match stmt.kind {
            StmtKind::Exit { .. } => Some("exit"),
            StmtKind::LwpExit => Some("lwp_exit"),
            _ => None,
        };
        if let (None, Some(what)) = (top.ended, ends) {
            top.ended = Some((stmt.line, what));
        }
        top.stmts.push(stmt);
    }

    // ---- top level ----------------------------------------------------------

    fn top_level(&mut self, line: u32, info: &LineInfo<'_>, words: &[Word<'_>], first: Word<'_>) {
        let had_block = !self.stack.is_empty();
        self.close_all();
        let is_setting = SETTINGS.contains(&first.text);
        if is_setting {
            self.setting_after_block = if had_block {
                Some(line)
            } else {
                self.setting_after_block
            };
        }
        match first.text {
            "design" => self.design(line, words, first),
            "uvm_nuarea_max" => self.uvm_nuarea_max(line, words, first),
            "cpus" => self.cpus(line, words, first),
            "switch" => self.switch(line, words, first),
            "forkpy" => self.forkpy(line, info, words, first),
            "proc" | "lwp" => {
                self.setting_after_block = None;
                self.header(line, words, first);
            }
            word => {
                if ACTION_WORDS.contains(&word) {
                    self.errs.at(line, first.col, || {
                        format!("`{word}` is an action and must be indented inside a `proc` or `lwp` block")
                    });
                } else {
                    self.errs.at(line, first.col, || {
                        format!(
                            "unknown setting or block `{}`; expected one of: {TOP_LEVEL}",
                            show(word)
                        )
                    });
                }
                // Swallow an indented body that may follow.
                self.stack.push(Frame::new(FrameKind::Block(None), 0));
            }
        }
    }

    /// Checks that a setting is not repeated and takes exactly one value.
    fn setting_value<'w>(
        &mut self,
        line: u32,
        words: &[Word<'w>],
        first: Word<'_>,
        earlier: Option<u32>,
        expected: &str,
    ) -> Option<Word<'w>> {
        let name = first.text;
        if let Some(earlier) = earlier {
            self.errs.at(line, first.col, || {
                format!(
                    "`{name}` is already set on line {earlier}; each setting may appear only once"
                )
            });
            return None;
        }
        let Some(value) = words.get(1).copied() else {
            self.errs.at(line, first.col, || {
                format!("`{name}` needs a value: {expected}")
            });
            return None;
        };
        if let Some(extra) = words.get(2).copied() {
            self.errs.at(line, extra.col, || {
                format!(
                    "unexpected `{}`: `{name}` takes a single value ({expected})",
                    show(extra.text)
                )
            });
        }
        Some(value)
    }

    fn design(&mut self, line: u32, words: &[Word<'_>], first: Word<'_>) {
        let earlier = self.design_line;
        self.design_line = earlier.or(Some(line));
        let names: Vec<&str> = Design::ALL.iter().map(|d| d.name()).collect();
        let expected = names.join(" or ");
        let Some(value) = self.setting_value(line, words, first, earlier, &expected) else {
            return;
        };
        match Design::from_name(value.text) {
            Some(design) => self.design = Some(design),
            None => self.errs.at(line, value.col, || {
                format!("unknown design `{}`; expected {expected}", show(value.text))
            }),
        }
    }

    fn uvm_nuarea_max(&mut self, line: u32, words: &[Word<'_>], first: Word<'_>) {
        let earlier = self.uvm_nuarea_max_line;
        self.uvm_nuarea_max_line = earlier.or(Some(line));
        let max = limits::UVM_NUAREA_MAX_MAX;
        let expected = format!("a number from 0 to {max} (UVM_NUAREA_MAX_MAX)");
        let Some(value) = self.setting_value(line, words, first, earlier, &expected) else {
            return;
        };
        match lex::number(value.text)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= max)
        {
            Some(n) => self.uvm_nuarea_max = Some(n),
            None => self.errs.at(line, value.col, || {
                format!(
                    "`uvm_nuarea_max` takes {expected}, found `{}`",
                    show(value.text)
                )
            }),
        }
    }

    fn cpus(&mut self, line: u32, words: &[Word<'_>], first: Word<'_>) {
        let earlier = self.cpus_line;
        self.cpus_line = earlier.or(Some(line));
        let Some(value) = self.setting_value(line, words, first, earlier, "1 or 2") else {
            return;
        };
        match value.text {
            "1" => self.cpus = Some(1),
            "2" => self.cpus = Some(2),
            found => self.errs.at(line, value.col, || {
                format!("`cpus` takes 1 or 2, found `{}`", show(found))
            }),
        }
    }

    fn switch(&mut self, line: u32, words: &[Word<'_>], first: Word<'_>) {
        let names: Vec<&str> = Switch::ALL.iter().map(|s| s.name()).collect();
        let expected = format!("one of: {}", names.join(", "));
        let Some(value) = self.setting_value(line, words, first, None, &expected) else {
            return;
        };
        let Some(switch) = Switch::from_name(value.text) else {
            let close = lex::suggest(value.text, names.iter().copied());
            self.errs.at(line, value.col, || match close {
                Some(close) => format!(
                    "unknown switch `{}`; did you mean `{close}`? expected {expected}",
                    show(value.text)
                ),
                None => format!("unknown switch `{}`; expected {expected}", show(value.text)),
            });
            return;
        };
        if let Some((_, earlier)) = self.switches.iter().find(|(s, _)| *s == switch) {
            let earlier = *earlier;
            self.errs.at(line, value.col, || {
                format!(
                    "switch `{}` is already on line {earlier}; list each switch once",
                    value.text
                )
            });
            return;
        }
        self.switches.push((switch, line));
    }

    fn forkpy(&mut self, line: u32, info: &LineInfo<'_>, words: &[Word<'_>], first: Word<'_>) {
        // Several `forkpy` lines make one list, in file order.
        self.forkpy_line = self.forkpy_line.or(Some(line));
        if let Some(block_line) = self.first_block_line {
            self.errs.at(line, first.col, || {
                format!(
                    "a scenario with `forkpy` cannot also have `proc` or `lwp` blocks (there is one \
                     on line {block_line}); forkpy makes the blocks itself"
                )
            });
            return;
        }
        let from = words
            .get(1)
            .map_or(info.end, |w| (w.col as usize).saturating_sub(1));
        self.forkpy_end = (line, first.col);
        if self.forkpy_broken {
            // An earlier line had the first error; the list has a hole.
            return;
        }
        let list = self
            .forkpy
            .get_or_insert_with(|| forkpy::ForkpyList::new(false, line));
        if !forkpy::desugar(
            list,
            line,
            first.col,
            info.raw,
            from,
            info.end,
            &mut self.errs,
        ) {
            self.forkpy_broken = true;
        }
    }

    fn header(&mut self, line: u32, words: &[Word<'_>], first: Word<'_>) {
        let kind = if first.text == "proc" {
            BlockKind::Proc
        } else {
            BlockKind::Lwp
        };
        let keyword = first.text;
        self.first_block_line = self.first_block_line.or(Some(line));
        self.headers += 1;
        let index = self.header_checks(line, words, first, kind, keyword);
        self.stack.push(Frame::new(FrameKind::Block(index), 0));
    }

    /// Checks a block header; returns the new block's index, or `None` on error.
    fn header_checks(
        &mut self,
        line: u32,
        words: &[Word<'_>],
        first: Word<'_>,
        kind: BlockKind,
        keyword: &str,
    ) -> Option<usize> {
        if let Some(forkpy_line) = self.forkpy_line {
            self.errs.at(line, first.col, || {
                format!(
                    "a scenario with `forkpy` (line {forkpy_line}) cannot also have `proc` or `lwp` \
                     blocks; forkpy makes the blocks itself"
                )
            });
            return None;
        }
        if self.headers > limits::BLOCKS_MAX {
            self.errs.at(line, first.col, || {
                format!(
                    "too many blocks: a scenario may have at most {} (BLOCKS_MAX)",
                    limits::BLOCKS_MAX
                )
            });
            return None;
        }
        let Some(name) = words.get(1).copied() else {
            self.errs.at(line, first.col, || {
                format!("`{keyword}` needs a block name, e.g. `{keyword} worker`")
            });
            return None;
        };
        if let Err(message) = lex::check_name(name.text, true) {
            self.errs.at(line, name.col, || message);
            return None;
        }
        if let Some(other) = self.blocks.iter().find(|b| b.name == name.text) {
            let other_line = other.line;
            self.errs.at(line, name.col, || {
                format!(
                    "there is already a block named `{}` (line {other_line}); block names must be unique",
                    name.text
                )
            });
            return None;
        }
        let mut traced = false;
        if let Some(extra) = words.get(2).copied() {
            if kind == BlockKind::Proc && extra.text == "traced" {
                traced = true;
            } else {
                let allowed = if kind == BlockKind::Proc {
                    "only `traced` may follow the name of a `proc` block"
                } else {
                    "an `lwp` header is just `lwp NAME`"
                };
                self.errs.at(line, extra.col, || {
                    format!("unexpected `{}`: {allowed}", show(extra.text))
                });
                return None;
            }
        }
        if let Some(extra) = words.get(3).copied() {
            self.errs.at(line, extra.col, || {
                format!(
                    "unexpected `{}`: a `proc` header is `proc NAME` or `proc NAME traced`",
                    show(extra.text)
                )
            });
            return None;
        }
        self.blocks.push(Block {
            kind,
            name: name.text.to_string(),
            line,
            traced,
            body: Vec::new(),
        });
        Some(self.blocks.len() - 1)
    }

    // ---- actions ------------------------------------------------------------

    fn action(&mut self, line: u32, info: &LineInfo<'_>, words: &[Word<'_>], first: Word<'_>) {
        let text = info.content().to_string();
        let col = first.col;
        let word = first.text;
        let kind = match word {
            "fork" => self
                .named(line, words, "fork NAME", BlockKind::Proc, true)
                .map(|r| StmtKind::Fork {
                    block: r.unwrap_or(0),
                }),
            "wait" => self
                .named(line, words, "wait` or `wait NAME", BlockKind::Proc, false)
                .map(|block| StmtKind::Wait { block }),
            "lwp_wait" => self
                .named(
                    line,
                    words,
                    "lwp_wait` or `lwp_wait NAME",
                    BlockKind::Lwp,
                    false,
                )
                .map(|block| StmtKind::LwpWait { block }),
            "thread" => self.thread(line, words),
            "exit" => self
                .number_arg(line, words, "a status", 0, 255, ", e.g. `exit 0`")
                .map(|status| StmtKind::Exit {
                    status: u8::try_from(status).unwrap_or(u8::MAX),
                }),
            "sleep" => {
                let max = limits::SLEEP_TICKS_MAX;
                self.number_arg(
                    line,
                    words,
                    "a number of clock ticks",
                    1,
                    max,
                    " (SLEEP_TICKS_MAX)",
                )
                .map(|ticks| StmtKind::Sleep { ticks })
            }
            "lwp_exit" => self.no_args(line, words).then_some(StmtKind::LwpExit),
            "yield" => self.no_args(line, words).then_some(StmtKind::Yield),
            "pagedaemon" => self.no_args(line, words).then_some(StmtKind::Pagedaemon),
            "repeat" => {
                let note = info.note().map(str::to_string);
                self.repeat(line, col, (text, note), words, info.indent);
                return;
            }
            "turn" => {
                self.errs.at(line, col, || {
                    "`turn` cannot be written by hand: it is generated from a `forkpy` line"
                        .to_string()
                });
                None
            }
            _ => {
                self.errs.at(line, col, || {
                    format!(
                        "unknown action `{}`; expected one of: {ACTIONS}",
                        show(word)
                    )
                });
                None
            }
        };
        if let Some(kind) = kind {
            self.push_stmt(Stmt {
                line,
                col,
                text,
                note: info.note().map(str::to_string),
                kind,
            });
        }
    }

    /// `fork NAME`, `wait [NAME]`, `lwp_wait [NAME]`: `Some(Some(ref id))`,
    /// `Some(None)` for no name (when optional), `None` on error.
    fn named(
        &mut self,
        line: u32,
        words: &[Word<'_>],
        usage: &'static str,
        want: BlockKind,
        required: bool,
    ) -> Option<Option<usize>> {
        let action = words.first().map_or("", |w| w.text);
        let action: &'static str = ACTION_WORDS
            .iter()
            .copied()
            .find(|a| *a == action)
            .unwrap_or("");
        let Some(name) = words.get(1).copied() else {
            if required {
                let col = words.first().map_or(1, |w| w.col);
                self.errs.at(line, col, || {
                    format!(
                        "`{action}` needs the name of {} block, e.g. `{action} worker`",
                        a_kind(want)
                    )
                });
                return None;
            }
            return Some(None);
        };
        let id = self.reference(line, name, want, action);
        if let Some(extra) = words.get(2).copied() {
            self.errs.at(line, extra.col, || {
                format!("unexpected `{}`: write `{usage}`", show(extra.text))
            });
            return None;
        }
        id.map(Some)
    }

    fn thread(&mut self, line: u32, words: &[Word<'_>]) -> Option<StmtKind> {
        let usage = "thread NAME` or `thread NAME detached";
        let Some(name) = words.get(1).copied() else {
            let col = words.first().map_or(1, |w| w.col);
            self.errs.at(line, col, || {
                "`thread` needs the name of an `lwp` block, e.g. `thread t1`".to_string()
            });
            return None;
        };
        let block = self.reference(line, name, BlockKind::Lwp, "thread");
        let detached = match words.get(2).copied() {
            None => false,
            Some(w) if w.text == "detached" => true,
            Some(w) => {
                self.errs.at(line, w.col, || {
                    format!(
                        "unexpected `{}`: only `detached` may follow the LWP block name",
                        show(w.text)
                    )
                });
                return None;
            }
        };
        if let Some(extra) = words.get(3).copied() {
            self.errs.at(line, extra.col, || {
                format!("unexpected `{}`: write `{usage}`", show(extra.text))
            });
            return None;
        }
        Some(StmtKind::Thread {
            block: block?,
            detached,
        })
    }

    /// Records a use of a block name, to be resolved at the end; returns its id.
    fn reference(
        &mut self,
        line: u32,
        name: Word<'_>,
        want: BlockKind,
        action: &'static str,
    ) -> Option<usize> {
        if let Err(message) = lex::check_name(name.text, true) {
            self.errs.at(line, name.col, || message);
            return None;
        }
        self.refs.push(Ref {
            name: name.text.to_string(),
            line,
            col: name.col,
            want,
            action,
        });
        Some(self.refs.len() - 1)
    }

    /// Reads the single number argument of `exit`, `sleep` or `repeat`.
    fn number_arg(
        &mut self,
        line: u32,
        words: &[Word<'_>],
        what: &str,
        min: u32,
        max: u32,
        hint: &str,
    ) -> Option<u32> {
        let action = words.first().map_or("", |w| w.text);
        let Some(value) = words.get(1).copied() else {
            let col = words.first().map_or(1, |w| w.col);
            self.errs.at(line, col, || {
                format!("`{action}` needs {what} from {min} to {max}{hint}")
            });
            return None;
        };
        let n = lex::number(value.text)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (min..=max).contains(n));
        if n.is_none() {
            let hint = if hint.starts_with(" (") { hint } else { "" };
            self.errs.at(line, value.col, || {
                format!(
                    "`{action}` takes {what} from {min} to {max}{hint}, found `{}`",
                    show(value.text)
                )
            });
        }
        if let Some(extra) = words.get(2).copied() {
            self.errs.at(line, extra.col, || {
                format!(
                    "unexpected `{}`: `{action}` takes only {what}",
                    show(extra.text)
                )
            });
            return None;
        }
        n
    }

    fn no_args(&mut self, line: u32, words: &[Word<'_>]) -> bool {
        let action = words.first().map_or("", |w| w.text);
        match words.get(1).copied() {
            None => true,
            Some(extra) => {
                self.errs.at(line, extra.col, || {
                    format!(
                        "unexpected `{}`: `{action}` takes nothing after it",
                        show(extra.text)
                    )
                });
                false
            }
        }
    }

    /// `repeat N`; `text` is the line's text and its note.
    fn repeat(
        &mut self,
        line: u32,
        col: u32,
        (text, note): (String, Option<String>),
        words: &[Word<'_>],
        indent: usize,
    ) {
        let max = limits::REPEAT_COUNT_MAX;
        let count = self.number_arg(line, words, "a count", 1, max, " (REPEAT_COUNT_MAX)");
        let depth = self
            .stack
            .iter()
            .filter(|f| matches!(f.kind, FrameKind::Repeat(_)))
            .count()
            + 1;
        let mut ok = count.is_some();
        if depth > limits::REPEAT_DEPTH_MAX {
            self.errs.at(line, col, || {
                format!(
                    "`repeat` is nested too deeply: at most {} levels (REPEAT_DEPTH_MAX)",
                    limits::REPEAT_DEPTH_MAX
                )
            });
            ok = false;
        }
        if let Some((end_line, what)) = self.stack.last().and_then(|f| f.ended) {
            self.errs
                .at(line, col, || unreachable_message(end_line, what));
        }
        let header = match count {
            Some(count) if ok => Some(RepeatHeader {
                line,
                col,
                text,
                note,
                count,
            }),
            _ => None,
        };
        self.stack
            .push(Frame::new(FrameKind::Repeat(header), indent));
    }

    // ---- end ----------------------------------------------------------------

    fn finish(mut self) -> Result<Scenario, ParseError> {
        self.close_all();
        let resolved = self.resolve();
        let blocks = if let Some(list) = self.forkpy.as_ref().filter(|_| !self.forkpy_broken) {
            list.blocks(self.forkpy_end)
        } else if self.forkpy_line.is_some() {
            Vec::new()
        } else {
            let mut blocks = std::mem::take(&mut self.blocks);
            for block in &mut blocks {
                fill_refs(&mut block.body, &resolved);
            }
            blocks
        };
        if !self.errs.any() && !blocks.iter().any(|b| b.kind == BlockKind::Proc) {
            self.errs.at(1, 1, || {
                "a scenario needs at least one `proc` block (the program of the first user process, \
                 which init starts at boot), or a `forkpy` line"
                    .to_string()
            });
        }
        if let Some(err) = self.errs.into_first() {
            return Err(err);
        }
        Ok(Scenario {
            design: self.design,
            uvm_nuarea_max: self.uvm_nuarea_max.unwrap_or(UVM_NUAREA_MAX_DEFAULT),
            cpus: self.cpus.unwrap_or(1),
            switches: self.switches.into_iter().map(|(s, _)| s).collect(),
            blocks,
        })
    }

    /// Resolves every name used by an action to a block index (0 on error, after
    /// recording it).
    fn resolve(&mut self) -> Vec<usize> {
        let by_name: BTreeMap<&str, usize> = self
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| (b.name.as_str(), i))
            .collect();
        let mut out = Vec::with_capacity(self.refs.len());
        for r in &self.refs {
            match by_name.get(r.name.as_str()).copied() {
                Some(i) => {
                    let kind = self.blocks.get(i).map(|b| b.kind);
                    if kind == Some(r.want) {
                        out.push(i);
                        continue;
                    }
                    let (want, other) = (a_kind(r.want), kind.map_or("", a_kind));
                    let line = self.blocks.get(i).map_or(0, |b| b.line);
                    self.errs.at(r.line, r.col, || {
                        format!(
                            "`{}` needs the name of {want} block, but `{}` is {other} block (line {line})",
                            r.action, r.name
                        )
                    });
                }
                None => {
                    let blocks = &self.blocks;
                    self.errs.at(r.line, r.col, || {
                        let candidates = blocks
                            .iter()
                            .filter(|b| b.kind == r.want)
                            .map(|b| b.name.as_str());
                        match lex::suggest(&r.name, candidates) {
                            Some(close) => {
                                format!("no block named `{}`; did you mean `{close}`?", r.name)
                            }
                            None => format!(
                                "no block named `{}`; `{}` needs the name of {} block",
                                r.name,
                                r.action,
                                a_kind(r.want)
                            ),
                        }
                    });
                }
            }
            out.push(0);
        }
        out
    }
}

/// Replaces reference ids by block indices. Recursion depth is bounded by
/// REPEAT_DEPTH_MAX: deeper `repeat`s are never attached to the tree.
fn fill_refs(body: &mut [Stmt], resolved: &[usize]) {
    let get = |id: usize| resolved.get(id).copied().unwrap_or(0);
    for stmt in body {
        match &mut stmt.kind {
            StmtKind::Fork { block } | StmtKind::Thread { block, .. } => *block = get(*block),
            StmtKind::Wait { block: Some(block) } | StmtKind::LwpWait { block: Some(block) } => {
                *block = get(*block)
            }
            StmtKind::Repeat { body, .. } => fill_refs(body, resolved),
            _ => {}
        }
    }
}

fn kind_word(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Proc => "proc",
        BlockKind::Lwp => "lwp",
    }
}

/// "a `proc`" / "an `lwp`", for messages.
fn a_kind(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Proc => "a `proc`",
        BlockKind::Lwp => "an `lwp`",
    }
}

fn unreachable_message(end_line: u32, what: &str) -> String {
    let ends = if what == "exit" {
        "the process"
    } else {
        "this LWP"
    };
    format!("this line can never run: the `{what}` on line {end_line} ends {ends} before it")
}
