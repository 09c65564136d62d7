//! The kernel model: pure, deterministic, with no web dependency. A scenario goes in
//! (`scenario`), `sim::Sim` runs it micro-step by micro-step over the state in
//! `state`, executing the pseudo-source of `source` with the ops of `exec`; `check`
//! looks at every step; `trace` keeps the result; `narrate`, `snapshot` and `metrics`
//! turn it into words, JSON and numbers.

pub mod bench;
pub mod check;
pub mod design;
pub mod digest;
mod exec;
pub mod explore;
pub mod export;
pub mod forkpy_run;
pub mod func;
pub mod library;
pub mod lifelines;
pub mod lifelines_svg;
pub mod metrics;
pub mod narrate;
pub mod program;
pub mod quiz;
pub mod report;
pub mod scenario;
pub mod schedule;
pub mod session;
pub mod sim;
pub mod snapshot;
pub mod source;
pub mod state;
pub mod stops;
pub mod trace;
pub mod watch;
pub mod why;

pub use design::{Design, Switch};
pub use sim::Sim;
pub use trace::Trace;
