//! A 64-bit digest of a whole trace (FNV-1a over every step, action and finding, and
//! the final counters), to compare runs across targets: native and wasm must agree.

use super::trace::Trace;

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= x as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
}

/// The digest of `t`; equal traces give equal digests on every target.
pub fn trace_digest(t: &Trace) -> u64 {
    let mut h = Fnv::new();
    h.u64(t.steps.len() as u64);
    for s in &t.steps {
        h.u64(s.lwp as u64);
        h.u64(s.val as u64);
        h.bytes(&[s.func as u8, s.line, s.cpu, s.event as u8]);
    }
    for a in &t.actions {
        h.u64(a.step);
        h.u64(((a.pid as u64) << 32) | a.lid as u64);
        h.bytes(a.text.as_bytes());
    }
    for f in &t.findings {
        h.u64(f.step);
        h.bytes(f.message.as_bytes());
    }
    let c = &t.last.counters;
    for v in [
        c.swtch,
        c.reaper_wakeups,
        c.km_alloc,
        c.km_free,
        c.uarea_cache_hits,
        c.uarea_cache_peak as u64,
        c.forks,
        c.reaps,
    ] {
        h.u64(v);
    }
    h.0
}
