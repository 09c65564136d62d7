//! `forkpy LIST`: OSTEP fork.py action lists (`a+b,b+c,b-`), checked and desugared
//! into one `proc` block per process with `Turn` markers.

use super::ast::{limits, Block, BlockKind, Stmt, StmtKind};
use super::lex::{pos, show, Errors, NAME_CHARS_MAX};

/// One process of the list while it is being read.
struct Process {
    name: String,
    /// `Some(entry text)` once the process has exited.
    exited: Option<String>,
    body: Vec<Stmt>,
}

/// Reads the list `raw[from..to]` of the `forkpy` line `line` whose keyword is at
/// `keyword_col`. Returns the desugared blocks, or `None` after recording the first
/// error of the line in `errs`.
pub(crate) fn desugar(
    line: u32,
    keyword_col: u32,
    raw: &str,
    from: usize,
    to: usize,
    errs: &mut Errors,
) -> Option<Vec<Block>> {
    let list = raw.get(from..to).unwrap_or("");
    if list.trim_matches([' ', '\t']).is_empty() {
        errs.at(line, keyword_col, || {
            "`forkpy` needs a list of fork.py actions, e.g. `forkpy a+b,b+c,b-` \
             (`x+y`: x forks y; `x-`: x exits)"
                .to_string()
        });
        return None;
    }
    let mut procs = vec![Process {
        name: "a".to_string(),
        exited: None,
        body: Vec::new(),
    }];
    let mut index: u32 = 0;
    let mut entry_start = from;
    let mut prev_comma: Option<usize> = None;
    let mut count = 0usize;
    loop {
        // The next entry runs up to the next comma or the end of the list.
        let comma = raw
            .get(entry_start..to)
            .and_then(|s| s.find(','))
            .map(|i| entry_start + i);
        let entry_end = comma.unwrap_or(to);
        let (begin, end) = trim(raw, entry_start, entry_end);
        if begin >= end {
            // Point at a comma next to the empty entry.
            let at = prev_comma.or(comma).unwrap_or(entry_start);
            errs.at(line, pos(at + 1), || {
                "empty entry in the `forkpy` list: two commas in a row, or a comma at the \
                 start or end"
                    .to_string()
            });
            return None;
        }
        let col = pos(begin + 1);
        count += 1;
        if count > limits::FORKPY_ACTIONS_MAX {
            errs.at(line, col, || {
                format!(
                    "the `forkpy` list has more than {} entries (FORKPY_ACTIONS_MAX)",
                    limits::FORKPY_ACTIONS_MAX
                )
            });
            return None;
        }
        let entry = parse_entry(raw, begin, end);
        let (actor, child) = match entry {
            Ok(parts) => parts,
            Err((at, message)) => {
                errs.at(line, pos(at + 1), || message);
                return None;
            }
        };
        let text = match child {
            Some(c) => format!("{actor}+{c}"),
            None => format!("{actor}-"),
        };
        let Some(actor_index) = procs.iter().position(|p| p.name == actor) else {
            errs.at(line, col, || {
                format!(
                    "process `{actor}` does not exist at this point of the `forkpy` list; only `a` \
                     and processes already forked by an earlier entry can act"
                )
            });
            return None;
        };
        if let Some(exit_entry) = procs.get(actor_index).and_then(|p| p.exited.clone()) {
            errs.at(line, col, || {
                format!("process `{actor}` has already exited (entry `{exit_entry}`), so it cannot act again")
            });
            return None;
        }
        let kind = match child {
            Some(c) => {
                if procs.iter().any(|p| p.name == c) {
                    errs.at(line, col, || {
                        format!("process `{c}` already exists; `{actor}+{c}` must fork a process with a new name")
                    });
                    return None;
                }
                if procs.len() >= limits::BLOCKS_MAX {
                    errs.at(line, col, || {
                        format!(
                            "`{text}` would make more than {} processes (BLOCKS_MAX)",
                            limits::BLOCKS_MAX
                        )
                    });
                    return None;
                }
                let child_index = procs.len();
                procs.push(Process {
                    name: c.to_string(),
                    exited: None,
                    body: Vec::new(),
                });
                StmtKind::Fork { block: child_index }
            }
            None => StmtKind::Exit { status: 0 },
        };
        if let Some(p) = procs.get_mut(actor_index) {
            p.body.push(Stmt {
                line,
                col,
                text: text.clone(),
                note: None,
                kind: StmtKind::Turn { index },
            });
            p.body.push(Stmt {
                line,
                col,
                text: text.clone(),
                note: None,
                kind,
            });
            if child.is_none() {
                p.exited = Some(text);
            }
        }
        index += 1;
        match comma {
            Some(c) => {
                prev_comma = Some(c);
                entry_start = c + 1;
            }
            None => break,
        }
    }
    // Every process still alive exits at the end of the list, in creation order.
    let text = "exit 0 (end of forkpy list)";
    for p in procs.iter_mut().filter(|p| p.exited.is_none()) {
        p.body.push(Stmt {
            line,
            col: keyword_col,
            text: text.to_string(),
            note: None,
            kind: StmtKind::Turn { index },
        });
        p.body.push(Stmt {
            line,
            col: keyword_col,
            text: text.to_string(),
            note: None,
            kind: StmtKind::Exit { status: 0 },
        });
        index += 1;
    }
    Some(
        procs
            .into_iter()
            .map(|p| Block {
                kind: BlockKind::Proc,
                name: p.name,
                line,
                traced: false,
                body: p.body,
            })
            .collect(),
    )
}

/// `raw[from..to]` without leading and trailing blanks, as byte offsets.
fn trim(raw: &str, mut from: usize, mut to: usize) -> (usize, usize) {
    let bytes = raw.as_bytes();
    while from < to && matches!(bytes.get(from), Some(b' ' | b'\t')) {
        from += 1;
    }
    while to > from && matches!(bytes.get(to - 1), Some(b' ' | b'\t')) {
        to -= 1;
    }
    (from, to)
}

/// Parses one trimmed entry `raw[begin..end]`: `NAME + NAME` or `NAME -`, blanks
/// allowed around the sign. Errors carry the byte offset of the offending character.
fn parse_entry(
    raw: &str,
    begin: usize,
    end: usize,
) -> Result<(&str, Option<&str>), (usize, String)> {
    let found = show(raw.get(begin..end).unwrap_or(""));
    let shape = || {
        format!(
            "`forkpy` entries are `x+y` (process x forks a new process y) or `x-` (process x \
             exits), found `{found}`"
        )
    };
    let explain = |(at, long): (usize, bool)| {
        let message = if long {
            format!("process names in `forkpy` are at most {NAME_CHARS_MAX} characters, found `{found}`")
        } else {
            shape()
        };
        (at, message)
    };
    let (actor, mut i) = name_at(raw, begin, end).map_err(explain)?;
    i = skip_blanks(raw, i, end);
    let bytes = raw.as_bytes();
    match bytes.get(i) {
        Some(b'-') if i < end => {
            let after = skip_blanks(raw, i + 1, end);
            if after < end {
                return Err((after, shape()));
            }
            Ok((actor, None))
        }
        Some(b'+') if i < end => {
            let j = skip_blanks(raw, i + 1, end);
            let (child, k) = name_at(raw, j, end).map_err(explain)?;
            let k = skip_blanks(raw, k, end);
            if k < end {
                return Err((k, shape()));
            }
            Ok((actor, Some(child)))
        }
        _ => Err((i.min(end.saturating_sub(1)).max(begin), shape())),
    }
}

/// A fork.py process name (`[A-Za-z_][A-Za-z0-9_]*`, no `-`, which means exit)
/// starting at `at`: the name and the offset just after it, or the offset of the
/// offending character and whether the name was too long.
fn name_at(raw: &str, at: usize, end: usize) -> Result<(&str, usize), (usize, bool)> {
    let bytes = raw.as_bytes();
    match bytes.get(at) {
        Some(b) if at < end && (b.is_ascii_alphabetic() || *b == b'_') => {}
        _ => return Err((at.min(end.saturating_sub(1)), false)),
    }
    let mut i = at + 1;
    while i < end && matches!(bytes.get(i), Some(b) if b.is_ascii_alphanumeric() || *b == b'_') {
        i += 1;
    }
    if i - at > NAME_CHARS_MAX {
        return Err((at, true));
    }
    match raw.get(at..i) {
        Some(name) => Ok((name, i)),
        None => Err((at, false)),
    }
}

fn skip_blanks(raw: &str, mut i: usize, end: usize) -> usize {
    let bytes = raw.as_bytes();
    while i < end && matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `desugar` on a list directly, bypassing LINE_CHARS_MAX (which keeps real
    /// forkpy lines far below these limits).
    fn run(list: &str) -> Result<Vec<Block>, (u32, String)> {
        let raw = format!("forkpy {list}");
        let mut errs = Errors::default();
        match desugar(1, 1, &raw, 7, raw.len(), &mut errs) {
            Some(blocks) => Ok(blocks),
            None => {
                let e = errs.into_first().expect("an error is recorded");
                Err((e.col, e.message))
            }
        }
    }

    #[test]
    fn actions_max() {
        let entries: Vec<String> = (0..limits::FORKPY_ACTIONS_MAX)
            .map(|i| {
                if i % 2 == 0 {
                    format!("a+p{i}")
                } else {
                    format!("p{}-", i - 1)
                }
            })
            .collect();
        let list = entries.join(",");
        assert_eq!(
            run(&list).map(|b| b.len()),
            Ok(limits::FORKPY_ACTIONS_MAX / 2 + 1)
        );
        let (col, message) = run(&format!("{list},a-")).unwrap_err();
        assert_eq!(col as usize, 7 + list.len() + 2);
        assert!(message.contains("FORKPY_ACTIONS_MAX"), "{message}");
    }

    #[test]
    fn blocks_max() {
        let forks: Vec<String> = (1..limits::BLOCKS_MAX).map(|i| format!("a+p{i}")).collect();
        let list = forks.join(",");
        assert_eq!(run(&list).map(|b| b.len()), Ok(limits::BLOCKS_MAX));
        let (col, message) = run(&format!("{list},a+z")).unwrap_err();
        assert_eq!(col as usize, 7 + list.len() + 2);
        assert!(message.contains("BLOCKS_MAX"), "{message}");
    }

    #[test]
    fn long_names() {
        let long = "x".repeat(NAME_CHARS_MAX + 1);
        let (col, message) = run(&format!("a+{long}")).unwrap_err();
        assert_eq!(col, 10);
        assert!(message.contains("at most 32 characters"), "{message}");
    }
}
