//! The scenario language: the AST (`ast`), and `parse`, which turns scenario text into a `Scenario` or the first `ParseError`.

pub mod ast;
mod forkpy;
mod lex;
mod parse;

pub use ast::*;

/// Parses a scenario text (see `docs/scenario-language.md`).
///
/// Returns the first error in file order: its line, column and a plain-English
/// message. Never panics, runs in time linear in the length of the text.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    parse::parse(text)
}
