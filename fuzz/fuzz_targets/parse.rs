//! Fuzz target `parse`: `scenario::parse` on any text (bytes as UTF-8, lossy when they
//! are not) never panics; a scenario it accepts runs (20,000 steps at most) without one.
#![no_main]

#[allow(dead_code)]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check_parse_bytes(data));
