//! Scenario blocks compiled to flat per-block programs that LWPs step through in user
//! mode: one instruction per action, `repeat` as a pair of loop instructions.

use super::scenario::{BlockKind, Scenario, Stmt, StmtKind};

/// What a user LWP asks the kernel for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Act {
    Fork(u16),
    Exit(u8),
    Wait(Option<u16>),
    Thread(u16, bool),
    LwpExit,
    LwpWait(Option<u16>),
    Yield,
    Sleep(u32),
    Pagedaemon,
    Turn(u32),
}

impl Act {
    /// The action as one number (distinct actions, distinct numbers), for hashing.
    pub fn code(self) -> u64 {
        let (tag, v): (u64, u64) = match self {
            Act::Fork(b) => (0, u64::from(b)),
            Act::Exit(s) => (1, u64::from(s)),
            Act::Wait(b) => (2, b.map_or(0, |b| u64::from(b) + 1)),
            Act::Thread(b, d) => (3, u64::from(b) << 1 | u64::from(d)),
            Act::LwpExit => (4, 0),
            Act::LwpWait(b) => (5, b.map_or(0, |b| u64::from(b) + 1)),
            Act::Yield => (6, 0),
            Act::Sleep(t) => (7, u64::from(t)),
            Act::Pagedaemon => (8, 0),
            Act::Turn(i) => (9, u64::from(i)),
        };
        tag << 24 | v
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// An action, with the index of its statement in `BlockProg::stmts`.
    Act(Act, u32),
    /// Start of `repeat count`; `end` is the index of the matching `RepeatEnd`.
    RepeatStart { count: u32, end: u32 },
    /// End of a repeat body; `start` is the index of the matching `RepeatStart`.
    RepeatEnd { start: u32 },
}

/// Where an action came from in the scenario text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StmtInfo {
    pub line: u32,
    pub col: u32,
    pub text: String,
    /// The comment on the action's line (`Stmt::note`).
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockProg {
    pub name: String,
    pub kind: BlockKind,
    pub traced: bool,
    pub instrs: Vec<Instr>,
    pub stmts: Vec<StmtInfo>,
}

/// The block index init's own program uses.
pub const INIT_BLOCK: u16 = u16::MAX;

/// All blocks of a scenario, ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub blocks: Vec<BlockProg>,
    /// The block init forks at boot.
    pub first: u16,
}

impl Program {
    pub fn compile(sc: &Scenario) -> Program {
        let blocks = sc
            .blocks
            .iter()
            .map(|b| {
                let mut bp = BlockProg {
                    name: b.name.clone(),
                    kind: b.kind,
                    traced: b.traced,
                    instrs: Vec::new(),
                    stmts: Vec::new(),
                };
                flatten(&b.body, &mut bp);
                bp
            })
            .collect();
        Program {
            blocks,
            first: sc.first_proc().unwrap_or(0) as u16,
        }
    }

    /// The name of a block ("init" for init's own program).
    pub fn block_name(&self, block: u16) -> &str {
        if block == INIT_BLOCK {
            return "init";
        }
        self.blocks
            .get(block as usize)
            .map(|b| b.name.as_str())
            .unwrap_or("?")
    }

    /// The text and position of the statement behind instruction `pc` of `block`.
    pub fn stmt(&self, block: u16, pc: u32) -> Option<&StmtInfo> {
        let b = self.blocks.get(block as usize)?;
        match b.instrs.get(pc as usize)? {
            Instr::Act(_, s) => b.stmts.get(*s as usize),
            _ => None,
        }
    }
}

fn flatten(body: &[Stmt], bp: &mut BlockProg) {
    for st in body {
        let info = StmtInfo {
            line: st.line,
            col: st.col,
            text: st.text.clone(),
            note: st.note.clone(),
        };
        let act = match &st.kind {
            StmtKind::Fork { block } => Act::Fork(*block as u16),
            StmtKind::Exit { status } => Act::Exit(*status),
            StmtKind::Wait { block } => Act::Wait(block.map(|b| b as u16)),
            StmtKind::Thread { block, detached } => Act::Thread(*block as u16, *detached),
            StmtKind::LwpExit => Act::LwpExit,
            StmtKind::LwpWait { block } => Act::LwpWait(block.map(|b| b as u16)),
            StmtKind::Yield => Act::Yield,
            StmtKind::Sleep { ticks } => Act::Sleep(*ticks),
            StmtKind::Pagedaemon => Act::Pagedaemon,
            StmtKind::Turn { index } => Act::Turn(*index),
            StmtKind::Repeat { count, body } => {
                let start = bp.instrs.len() as u32;
                bp.instrs.push(Instr::RepeatStart {
                    count: *count,
                    end: 0,
                });
                flatten(body, bp);
                let end = bp.instrs.len() as u32;
                bp.instrs.push(Instr::RepeatEnd { start });
                bp.instrs[start as usize] = Instr::RepeatStart { count: *count, end };
                continue;
            }
        };
        let s = bp.stmts.len() as u32;
        bp.stmts.push(info);
        bp.instrs.push(Instr::Act(act, s));
    }
}
