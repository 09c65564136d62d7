//! `forkpy LIST`: OSTEP fork.py action lists (`a+b,b+c,b-`), checked and desugared
//! into one `proc` block per process with `Turn` markers. [`ForkpyList`] checks a list
//! entry by entry (the scenario parser and `exitpath forkpy` both build one) and keeps
//! the NetBSD reference of who is alive, a zombie, or whose child.

use super::ast::{limits, Block, BlockKind, Stmt, StmtKind};
use super::lex::{pos, show, Errors, NAME_CHARS_MAX};
use std::collections::BTreeMap;

/// Most processes one list may name: programs are numbered with 16 bits
/// (`program::INIT_BLOCK` is `u16::MAX`).
pub const FORKPY_PROCS_MAX: usize = u16::MAX as usize - 1;

/// One entry of a fork.py list, with processes as indices into [`ForkpyList::names`]
/// (`0` is `a`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `x+y`: x forks the new process y.
    Fork { actor: u32, child: u32 },
    /// `x-`: x exits.
    Exit { actor: u32 },
    /// `x w`: x waits for one child (wait4(-1)), which reaps `reaps`: x's most
    /// recently forked child that has exited and not been waited for.
    Wait { actor: u32, reaps: u32 },
    /// `x-` under fork.py's `-L` (leaf only) while x has live children: fork.py prints
    /// "x EXITS (failed: has children)" and nothing happens; no turn in the kernel.
    FailedExit { actor: u32 },
}

impl Action {
    /// The process acting.
    pub fn actor(self) -> u32 {
        match self {
            Action::Fork { actor, .. }
            | Action::Exit { actor }
            | Action::Wait { actor, .. }
            | Action::FailedExit { actor } => actor,
        }
    }
}

/// What an entry's text says, before it is checked against the list so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryText<'a> {
    Fork(&'a str, &'a str),
    Exit(&'a str),
    Wait(&'a str),
}

/// A fork.py list being read, entry by entry, and the process tree NetBSD's rules
/// give after the entries so far: an exited process is a zombie until its parent
/// waits; its children (live or zombie) go to init, which reaps the zombies.
#[derive(Clone, Debug, Default)]
pub struct ForkpyList {
    /// Process names in creation order; `names[0]` is `a`.
    pub names: Vec<String>,
    pub actions: Vec<Action>,
    /// Where each process was created (the line of its `forkpy` line).
    pub created_line: Vec<u32>,
    /// (line, column) of each action, for the desugared statements.
    pub at: Vec<(u32, u32)>,
    /// fork.py's `-L`: an exit of a process with live children fails.
    pub leaf_only: bool,
    by_name: BTreeMap<String, u32>,
    /// The kernel's parent (`p_pptr`) of each process; `None`: init.
    parent: Vec<Option<u32>>,
    alive: Vec<bool>,
    zombie: Vec<bool>,
    /// The action that made the process exit.
    exited_by: Vec<Option<u32>>,
    /// Children not yet reaped (live or zombie), in fork order.
    children: Vec<Vec<u32>>,
    live_children: Vec<u32>,
    live: u32,
    /// Zombies whose parent is a live process (init reaps its own at once).
    zombies: u32,
    /// Most of `live`, most of `live + zombies`, over the list so far.
    pub live_peak: u32,
    pub total_peak: u32,
}

impl ForkpyList {
    /// A list with `a` alive, created on `line`.
    pub fn new(leaf_only: bool, line: u32) -> ForkpyList {
        let mut l = ForkpyList {
            leaf_only,
            ..ForkpyList::default()
        };
        l.add_process("a", None, line);
        l.live_peak = 1;
        l.total_peak = 1;
        l
    }

    fn add_process(&mut self, name: &str, parent: Option<u32>, line: u32) -> u32 {
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.by_name.insert(name.to_string(), i);
        self.created_line.push(line);
        self.parent.push(parent);
        self.alive.push(true);
        self.zombie.push(false);
        self.exited_by.push(None);
        self.children.push(Vec::new());
        self.live_children.push(0);
        self.live += 1;
        i
    }

    /// The index of the process named `name`, if the list has named it.
    pub fn index(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    pub fn is_alive(&self, p: u32) -> bool {
        self.alive.get(p as usize).copied().unwrap_or(false)
    }

    pub fn is_zombie(&self, p: u32) -> bool {
        self.zombie.get(p as usize).copied().unwrap_or(false)
    }

    /// The kernel's parent of `p` now (`None`: init).
    pub fn parent(&self, p: u32) -> Option<u32> {
        self.parent.get(p as usize).copied().flatten()
    }

    /// Live processes now; zombies whose parent is alive now.
    pub fn counts(&self) -> (u32, u32) {
        (self.live, self.zombies)
    }

    /// Live processes without live children, other than `a` (the processes fork.py's
    /// `-L` lets exit), as a test.
    pub fn is_leaf(&self, p: u32) -> bool {
        self.is_alive(p) && self.live_children.get(p as usize) == Some(&0)
    }

    /// The live process `name`, or why it cannot act.
    fn live_actor(&self, name: &str) -> Result<u32, String> {
        let Some(i) = self.index(name) else {
            return Err(format!(
                "process `{name}` does not exist at this point of the `forkpy` list; only `a` \
                 and processes already forked by an earlier entry can act"
            ));
        };
        if let Some(by) = self.exited_by.get(i as usize).copied().flatten() {
            let entry = self.entry_text(by);
            return Err(format!(
                "process `{name}` has already exited (entry `{entry}`), so it cannot act again"
            ));
        }
        Ok(i)
    }

    /// Checks an entry and adds it; the error says why it cannot be.
    pub fn push(&mut self, entry: EntryText<'_>, at: (u32, u32)) -> Result<Action, String> {
        let action = match entry {
            EntryText::Fork(actor, child) => {
                let a = self.live_actor(actor)?;
                if self.index(child).is_some() {
                    return Err(format!(
                        "process `{child}` already exists; `{actor}+{child}` must fork a process \
                         with a new name"
                    ));
                }
                if self.names.len() >= FORKPY_PROCS_MAX {
                    return Err(format!(
                        "`{actor}+{child}` would make more than {FORKPY_PROCS_MAX} processes in \
                         one list (exitpath numbers programs with 16 bits)"
                    ));
                }
                let c = self.add_process(child, Some(a), at.0);
                self.children[a as usize].push(c);
                self.live_children[a as usize] += 1;
                Action::Fork { actor: a, child: c }
            }
            EntryText::Exit(actor) => {
                let a = self.live_actor(actor)?;
                if self.leaf_only && self.live_children[a as usize] > 0 {
                    Action::FailedExit { actor: a }
                } else {
                    self.exit(a);
                    Action::Exit { actor: a }
                }
            }
            EntryText::Wait(actor) => {
                let a = self.live_actor(actor)?;
                let kids = &self.children[a as usize];
                let Some(k) = kids.iter().rposition(|&c| self.zombie[c as usize]) else {
                    return Err(format!(
                        "`{actor} w`: {actor} has no child that has exited and not been waited \
                         for, so its wait4 would sleep until a later entry, which can only come \
                         after it (the list would stop); `x w` needs a zombie child of x"
                    ));
                };
                let c = self.children[a as usize].remove(k);
                self.zombie[c as usize] = false;
                self.parent[c as usize] = None;
                self.zombies -= 1;
                Action::Wait { actor: a, reaps: c }
            }
        };
        if let Action::Exit { actor } = action {
            self.exited_by[actor as usize] = Some(self.actions.len() as u32);
        }
        self.actions.push(action);
        self.at.push(at);
        self.live_peak = self.live_peak.max(self.live);
        self.total_peak = self.total_peak.max(self.live + self.zombies);
        Ok(action)
    }

    /// `a` exits: a zombie of its live parent (init reaps it at once otherwise); its
    /// children go to init, which reaps those that are zombies.
    fn exit(&mut self, a: u32) {
        let ai = a as usize;
        self.alive[ai] = false;
        self.live -= 1;
        // Under init the zombie is reaped at once; under a live parent it stays.
        if let Some(p) = self.parent[ai] {
            self.live_children[p as usize] -= 1;
            self.zombie[ai] = true;
            self.zombies += 1;
        }
        for c in std::mem::take(&mut self.children[ai]) {
            self.parent[c as usize] = None;
            if self.zombie[c as usize] {
                self.zombie[c as usize] = false;
                self.zombies -= 1;
            }
        }
        self.live_children[ai] = 0;
    }

    /// The entry as fork.py writes it: `a+b`, `b-`, `a w`.
    pub fn entry_text(&self, i: u32) -> String {
        let name = |p: u32| self.names.get(p as usize).map_or("?", |s| s.as_str());
        match self.actions.get(i as usize) {
            Some(Action::Fork { actor, child }) => format!("{}+{}", name(*actor), name(*child)),
            Some(Action::Exit { actor }) | Some(Action::FailedExit { actor }) => {
                format!("{}-", name(*actor))
            }
            Some(Action::Wait { actor, .. }) => format!("{} w", name(*actor)),
            None => String::new(),
        }
    }

    /// Number of entries that take a turn in the kernel (all but failed exits).
    pub fn kernel_entries(&self) -> u32 {
        self.actions
            .iter()
            .filter(|a| !matches!(a, Action::FailedExit { .. }))
            .count() as u32
    }

    /// One `proc` block per process, in creation order: entry number k (counting the
    /// entries that act in the kernel) becomes, in the acting process's block, `Turn k`
    /// and the fork, exit or wait. After the list, every process still alive takes one
    /// more turn and exits 0, in creation order; those statements point at `end_at`.
    pub fn blocks(&self, end_at: (u32, u32)) -> Vec<Block> {
        let mut bodies: Vec<Vec<Stmt>> = vec![Vec::new(); self.names.len()];
        let mut turn: u32 = 0;
        for (i, action) in self.actions.iter().enumerate() {
            let kind = match *action {
                Action::Fork { child, .. } => StmtKind::Fork {
                    block: child as usize,
                },
                Action::Exit { .. } => StmtKind::Exit { status: 0 },
                Action::Wait { .. } => StmtKind::Wait { block: None },
                Action::FailedExit { .. } => continue,
            };
            let (line, col) = self.at.get(i).copied().unwrap_or(end_at);
            let text = self.entry_text(i as u32);
            if let Some(body) = bodies.get_mut(action.actor() as usize) {
                body.push(Stmt {
                    line,
                    col,
                    text: text.clone(),
                    note: None,
                    kind: StmtKind::Turn { index: turn },
                });
                body.push(Stmt {
                    line,
                    col,
                    text,
                    note: None,
                    kind,
                });
            }
            turn += 1;
        }
        // Every process still alive exits at the end of the list, in creation order.
        let text = "exit 0 (end of forkpy list)";
        for (p, body) in bodies.iter_mut().enumerate() {
            if !self.alive[p] {
                continue;
            }
            for kind in [StmtKind::Turn { index: turn }, StmtKind::Exit { status: 0 }] {
                body.push(Stmt {
                    line: end_at.0,
                    col: end_at.1,
                    text: text.to_string(),
                    note: None,
                    kind,
                });
            }
            turn += 1;
        }
        bodies
            .into_iter()
            .zip(&self.names)
            .zip(&self.created_line)
            .map(|((body, name), &line)| Block {
                kind: BlockKind::Proc,
                name: name.clone(),
                line,
                traced: false,
                body,
            })
            .collect()
    }
}

/// Reads one trimmed entry (`x+y`, `x-`, `x w`, blanks allowed around the sign), as
/// `exitpath forkpy -A` does: the error is the message alone.
pub fn entry(text: &str) -> Result<EntryText<'_>, String> {
    parse_entry(text, 0, text.len()).map_err(|(_, m)| m)
}

/// Adds the entries of the list `raw[from..to]` of the `forkpy` line `line` whose
/// keyword is at `keyword_col` to `list`. Returns false after recording the first
/// error of the line in `errs`.
pub(crate) fn desugar(
    list: &mut ForkpyList,
    line: u32,
    keyword_col: u32,
    raw: &str,
    from: usize,
    to: usize,
    errs: &mut Errors,
) -> bool {
    let text = raw.get(from..to).unwrap_or("");
    if text.trim_matches([' ', '\t']).is_empty() {
        errs.at(line, keyword_col, || {
            "`forkpy` needs a list of fork.py actions, e.g. `forkpy a+b,b+c,b-` \
             (`x+y`: x forks y; `x-`: x exits; `x w`: x waits for a child)"
                .to_string()
        });
        return false;
    }
    let mut entry_start = from;
    let mut prev_comma: Option<usize> = None;
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
            return false;
        }
        let col = pos(begin + 1);
        if list.actions.len() >= limits::FORKPY_ACTIONS_MAX {
            errs.at(line, col, || {
                format!(
                    "the `forkpy` list has more than {} entries (FORKPY_ACTIONS_MAX), over all \
                     its lines",
                    limits::FORKPY_ACTIONS_MAX
                )
            });
            return false;
        }
        let entry = match parse_entry(raw, begin, end) {
            Ok(entry) => entry,
            Err((at, message)) => {
                errs.at(line, pos(at + 1), || message);
                return false;
            }
        };
        if let Err(message) = list.push(entry, (line, col)) {
            errs.at(line, col, || message);
            return false;
        }
        match comma {
            Some(c) => {
                prev_comma = Some(c);
                entry_start = c + 1;
            }
            None => return true,
        }
    }
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

/// Parses one trimmed entry `raw[begin..end]`: `NAME + NAME`, `NAME -` or `NAME w`,
/// blanks allowed around the sign (and needed before `w`). Errors carry the byte
/// offset of the offending character.
fn parse_entry(raw: &str, begin: usize, end: usize) -> Result<EntryText<'_>, (usize, String)> {
    let found = show(raw.get(begin..end).unwrap_or(""));
    let shape = || {
        format!(
            "`forkpy` entries are `x+y` (process x forks a new process y), `x-` (process x \
             exits) or `x w` (process x waits for a child), found `{found}`"
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
    let (actor, name_end) = name_at(raw, begin, end).map_err(explain)?;
    let i = skip_blanks(raw, name_end, end);
    let bytes = raw.as_bytes();
    match bytes.get(i) {
        Some(b'-') if i < end => {
            let after = skip_blanks(raw, i + 1, end);
            if after < end {
                return Err((after, shape()));
            }
            Ok(EntryText::Exit(actor))
        }
        Some(b'w') if i < end && i > name_end => {
            let after = skip_blanks(raw, i + 1, end);
            if after < end {
                return Err((after, shape()));
            }
            Ok(EntryText::Wait(actor))
        }
        Some(b'+') if i < end => {
            let j = skip_blanks(raw, i + 1, end);
            let (child, k) = name_at(raw, j, end).map_err(explain)?;
            let k = skip_blanks(raw, k, end);
            if k < end {
                return Err((k, shape()));
            }
            Ok(EntryText::Fork(actor, child))
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
        let mut l = ForkpyList::new(false, 1);
        if desugar(&mut l, 1, 1, &raw, 7, raw.len(), &mut errs) {
            Ok(l.blocks((1, 1)))
        } else {
            let e = errs.into_first().expect("an error is recorded");
            Err((e.col, e.message))
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
    fn many_processes() {
        // More processes than BLOCKS_MAX: forkpy lists are bounded by their entries.
        let forks: Vec<String> = (1..=limits::BLOCKS_MAX * 2)
            .map(|i| format!("a+p{i}"))
            .collect();
        let blocks = run(&forks.join(",")).unwrap();
        assert_eq!(blocks.len(), limits::BLOCKS_MAX * 2 + 1);
    }

    #[test]
    fn long_names() {
        let long = "x".repeat(NAME_CHARS_MAX + 1);
        let (col, message) = run(&format!("a+{long}")).unwrap_err();
        assert_eq!(col, 10);
        assert!(message.contains("at most 32 characters"), "{message}");
    }

    #[test]
    fn waits_reap_the_newest_zombie_child() {
        let mut l = ForkpyList::new(false, 1);
        for e in ["a+b", "a+c", "a+d", "b-", "c-"] {
            l.push(entry(e).unwrap(), (1, 1)).unwrap();
        }
        assert_eq!(l.counts(), (2, 2));
        let w = l.push(entry("a w").unwrap(), (1, 1)).unwrap();
        assert_eq!(w, Action::Wait { actor: 0, reaps: 2 });
        let w = l.push(entry("a  w").unwrap(), (1, 1)).unwrap();
        assert_eq!(w, Action::Wait { actor: 0, reaps: 1 });
        let e = l.push(entry("a w").unwrap(), (1, 1)).unwrap_err();
        assert!(e.contains("no child that has exited"), "{e}");
        // `aw` is a name, not a wait.
        assert!(entry("aw").is_err());
        assert_eq!(entry("aw-"), Ok(EntryText::Exit("aw")));
        assert!(entry("a w x").unwrap_err().contains("found `a w x`"));
    }

    #[test]
    fn orphans_go_to_init_and_zombie_orphans_are_reaped() {
        let mut l = ForkpyList::new(false, 1);
        for e in ["a+b", "b+c", "b+d", "c-", "b-"] {
            l.push(entry(e).unwrap(), (1, 1)).unwrap();
        }
        // b is a zombie of a; c (a zombie) was reaped by init; d is init's.
        assert!(l.is_zombie(1) && !l.is_zombie(2) && l.is_alive(3));
        assert_eq!(l.parent(3), None);
        assert_eq!(l.parent(1), Some(0));
        assert_eq!(l.counts(), (2, 1));
    }

    #[test]
    fn leaf_only_exits_of_parents_fail() {
        let mut l = ForkpyList::new(true, 1);
        l.push(entry("a+b").unwrap(), (1, 1)).unwrap();
        l.push(entry("b+c").unwrap(), (1, 1)).unwrap();
        let f = l.push(entry("b-").unwrap(), (1, 1)).unwrap();
        assert_eq!(f, Action::FailedExit { actor: 1 });
        assert!(l.is_alive(1));
        assert_eq!(l.kernel_entries(), 2);
        // b may still act: its exit failed.
        l.push(entry("c-").unwrap(), (1, 1)).unwrap();
        assert_eq!(
            l.push(entry("b-").unwrap(), (1, 1)),
            Ok(Action::Exit { actor: 1 })
        );
        let blocks = l.blocks((1, 1));
        // turns 0 (a+b), 1 (b+c), 2 (c-), 3 (b-), then a's end turn 4
        assert_eq!(blocks[1].body[2].kind, StmtKind::Turn { index: 3 });
        assert_eq!(blocks[0].body[2].kind, StmtKind::Turn { index: 4 });
    }
}
