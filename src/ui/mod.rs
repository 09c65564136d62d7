//! Yew front end (wasm32 only): the controls, timeline and kernel-state panels of the
//! simulator, compare mode and the what-if switches. The model is `crate::app`; `state`
//! makes it Yew's reducer; `app` holds the root component and its effects; `build` builds
//! runs in slices; one small file per panel, each fed only its own slice of the state.

mod app;
pub mod build;
mod checkpoints;
mod compare;
mod controls;
mod cpu;
mod dom;
mod download;
mod editor;
mod exercise;
mod explore;
mod faults;
mod gdt;
mod header;
mod index;
pub mod keys;
mod lesson;
mod lifelines;
mod lists;
mod metrics;
mod narration;
mod predict;
mod procs;
mod progress;
mod source;
mod state;
pub mod switches;
mod term;
mod timeline;
mod uarea;
mod view;
mod why;

pub use crate::app::share_link;
pub use app::App;
