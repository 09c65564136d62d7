//! exitpath: a step-by-step model of the NetBSD process/LWP exit path of late 2003,
//! before (`reaper`) and after (`patch`) the removal of the reaper kernel thread.
//!
//! `engine` is the kernel model (pure, deterministic, no web crate), `arch_i386` the
//! modelled CPU, `app` the page's model (state, verbs, runs; native, no web crate), `ui`
//! the Yew front end (wasm32 only): engine → app → ui.

pub mod app;
pub mod arch_i386;
pub mod engine;
pub mod link;
#[cfg(target_arch = "wasm32")]
pub mod ui;
