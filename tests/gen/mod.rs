//! Random scenarios for the property tests (`tests/props.rs`, `tests/lifelines.rs`):
//! seeded, so a failure names a seed that reproduces it; processes fork only later
//! blocks, so every scenario ends.
#![allow(dead_code)]

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub struct Gen {
    pub rng: Rng,
    procs: usize,
    threads: usize,
}

impl Gen {
    fn body(&mut self, out: &mut String, indent: usize, me_proc: Option<usize>, depth: usize) {
        let n = 1 + self.rng.below(5);
        let pad = " ".repeat(indent);
        for _ in 0..n {
            let k = self.rng.below(12);
            let line = match k {
                0 | 1 => {
                    // fork only later proc blocks, never from a thread (no unbounded recursion)
                    let from = me_proc.map(|i| i + 1).unwrap_or(usize::MAX);
                    if from >= self.procs {
                        "yield".to_string()
                    } else {
                        format!(
                            "fork p{}",
                            from + self.rng.below((self.procs - from) as u64) as usize
                        )
                    }
                }
                2 => {
                    let from = me_proc.map(|i| i + 1).unwrap_or(1);
                    if from < self.procs && self.rng.below(2) == 0 {
                        format!(
                            "wait p{}",
                            from + self.rng.below((self.procs - from) as u64) as usize
                        )
                    } else {
                        "wait".to_string()
                    }
                }
                3 if me_proc.is_some() && self.threads > 0 => {
                    let t = self.rng.below(self.threads as u64);
                    if self.rng.below(3) == 0 {
                        format!("thread t{t} detached")
                    } else {
                        format!("thread t{t}")
                    }
                }
                // only the main LWP waits for LWPs: two LWPs waiting for each other
                // is a deadlock of the program, not of the kernel
                4 if self.threads > 0 && me_proc.is_some() => {
                    if self.rng.below(2) == 0 {
                        format!("lwp_wait t{}", self.rng.below(self.threads as u64))
                    } else {
                        "lwp_wait".to_string()
                    }
                }
                5 => "yield".to_string(),
                6 => format!("sleep {}", 1 + self.rng.below(3)),
                7 => "pagedaemon".to_string(),
                8 if depth < 2 => {
                    let c = 1 + self.rng.below(3);
                    out.push_str(&format!("{pad}repeat {c}\n"));
                    self.body(out, indent + 2, me_proc, depth + 1);
                    continue;
                }
                _ => "yield".to_string(),
            };
            out.push_str(&pad);
            out.push_str(&line);
            out.push('\n');
        }
    }

    pub fn scenario(seed: u64) -> String {
        Gen::scenario_on(seed, 1)
    }

    pub fn scenario_on(seed: u64, cpus: u8) -> String {
        let mut g = Gen {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
            procs: 0,
            threads: 0,
        };
        g.procs = 1 + g.rng.below(3) as usize;
        g.threads = g.rng.below(3) as usize;
        if cpus > 1 {
            // two CPUs: processes only; the LWP races the model finds on two CPUs are
            // the designs' own (docs/model.md §10) and have their own tests
            g.threads = 0;
        }
        let mut out = String::new();
        if cpus > 1 {
            out.push_str(&format!("cpus {cpus}\n"));
        }
        if g.rng.below(2) == 0 {
            out.push_str(&format!("uvm_nuarea_max {}\n", g.rng.below(20)));
        }
        for i in 0..g.procs {
            out.push_str(&format!("proc p{i}\n"));
            g.body(&mut out, 2, Some(i), 0);
            match g.rng.below(3) {
                0 => out.push_str(&format!("  exit {}\n", g.rng.below(256))),
                1 => out.push_str("  lwp_exit\n"),
                _ => {}
            }
        }
        for t in 0..g.threads {
            out.push_str(&format!("lwp t{t}\n"));
            g.body(&mut out, 2, None, 1);
            match g.rng.below(4) {
                0 => out.push_str(&format!("  exit {}\n", g.rng.below(256))),
                1 => out.push_str("  lwp_exit\n"),
                _ => {}
            }
        }
        out
    }
}
