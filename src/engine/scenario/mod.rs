//! The scenario language: the AST (`ast`), and `parse`, which turns scenario text into a `Scenario` or the first `ParseError`;
//! `title`, `description` and `designs` read the header comments at the top of a file.

pub mod ast;
pub mod forkpy;
pub(crate) mod header;
mod lex;
mod parse;

pub use ast::*;
pub use header::{designs, title};

/// The description of a scenario: the comment lines at the top of the file (before
/// the first line that is not a comment), without their `# ` and without the
/// `# title:` and `# designs:` lines. Lines of a paragraph are joined with a space,
/// a line starting with `- ` starts a list item on a new line, and an empty `#` line
/// is a paragraph break (`"\n\n"`). See `docs/scenario-language.md`.
pub fn description(text: &str) -> String {
    header::description(text)
}

/// Parses a scenario text (see `docs/scenario-language.md`).
///
/// Returns the first error in file order: its line, column and a plain-English
/// message. Never panics, runs in time linear in the length of the text.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    let sc = parse::parse(text)?;
    // The header's `# stop:` lines must read as stops (engine::stops); whether the run
    // reaches them is known once it has run.
    let stops = crate::engine::stops::parse(text)?;
    crate::engine::stops::check_names(&stops, &sc)?;
    Ok(sc)
}
