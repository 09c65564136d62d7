//! Yew front end (wasm32 only): the controls, timeline and kernel-state panels of the
//! simulator. `state` holds the reducer; `app` the root component and its effects; one
//! small file per panel.

mod app;
mod controls;
mod cpu;
mod dom;
mod editor;
mod faults;
mod gdt;
mod header;
pub mod keys;
mod lists;
mod metrics;
mod narration;
mod procs;
pub mod share_link;
mod source;
pub mod state;
mod timeline;
mod uarea;
mod view;

pub use app::App;
