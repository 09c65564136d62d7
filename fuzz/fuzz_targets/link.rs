//! Fuzz target `link`: `link::decode` on any text never panics; a link it accepts
//! encodes back to a link that decodes to the same state.
#![no_main]

#[allow(dead_code)]
mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check_link_bytes(data));
