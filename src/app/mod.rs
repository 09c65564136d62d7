//! The app model, native and pure: what the page holds (`State`: a `Doc` that changes per
//! edit behind one `Rc`, a `Cursor` that changes per step), the verbs that change it
//! (`Verb`: navigation, editing, outcomes of effects) and `State::apply`, the finished
//! runs (`Run`) and the jobs that build them (`Job`, built a chunk at a time by `build`).
//!
//! No web crate here (tests/tidy.rs): the URL, the clipboard, localStorage, timers and
//! the DOM are effects in `ui`, which dispatch verbs; `ui` adds only the `Reducible` impl
//! that calls `reduce`. Everything here runs in `cargo test`.

pub mod axis;
pub mod breakpoints;
pub mod build;
pub mod exercise;
pub mod glossary;
pub mod panels;
pub mod predict;
pub mod run;
pub mod share_link;
pub mod state;
pub mod switches;
pub mod verb;
pub mod view;

pub use run::{Job, Place, Progress, Run};
pub use state::{
    builtin_of, embed_in_search, link_of, with_lesson, with_marks, Cursor, Doc, ShareStatus, State,
};
pub use verb::{reduce, Edit, Nav, Outcome, Verb};
