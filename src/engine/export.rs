//! Exports of a run: the trace as JSON (`run --format json`, `export --format json`)
//! and the Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing open
//! (`export --format perfetto`): a process per proc, a thread per LWP with a slice per
//! `l_stat` span, a track per CPU with a slice per kernel function, counters and the
//! findings. One micro-step is one microsecond. The CLI and the page call the same code.

use super::design::Design;
use super::func::NONE;
use super::lifelines::{LwpPhase, ProcPhase, Span};
use super::scenario::Scenario;
use super::session::Session;
use super::sim::{Sim, IDLE_OWNER_BASE, PID_MAX};
use std::io::{self, Write};

/// The trace of `sc` in `design` as one line of JSON: steps, narration, actions and
/// findings (runs it again, keeping the narration).
pub fn trace_json(sc: &Scenario, design: Option<Design>) -> String {
    let t = Sim::new(sc, design).run_to_end(true);
    let v = serde_json::json!({
        "steps": t.steps,
        "narration": t.narration,
        "actions": t.actions,
        "findings": t.findings,
    });
    v.to_string()
}

/// The Chrome pid of the track group that holds the CPUs, the counters and the
/// findings: past every kernel pid.
pub const KERNEL_PID: u32 = PID_MAX + 1;
/// Its thread for the findings' instant events; the CPUs are threads 1, 2, ...
pub const FINDINGS_TID: u32 = 100;
/// The Chrome pid of proc 0 (the swapper): trace viewers keep pid 0 for their own idle
/// process. Every other proc keeps its pid.
pub const SWAPPER_PID: u32 = PID_MAX + 2;

fn chrome_pid(pid: u32) -> u32 {
    if pid == 0 {
        SWAPPER_PID
    } else {
        pid
    }
}

/// The first thread id of the procs' `p_stat` tracks and the LWPs' tracks (unique
/// over the whole trace, as Perfetto's importer wants).
const FIRST_LANE_TID: u32 = 1000;

/// Writes events as the elements of one JSON array.
struct Events<'a, W: Write + ?Sized> {
    out: &'a mut W,
    first: bool,
    count: u64,
}

/// `s` as a JSON string literal (RFC 8259 §7: `"` and `\` escaped, control
/// characters as `\uXXXX`). Hand-written, so the page's export pulls no JSON library
/// into the wasm.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<W: Write + ?Sized> Events<'_, W> {
    /// One event; `rest` is the fields after pid and tid, each starting with a comma.
    fn ev(
        &mut self,
        ph: &str,
        name: &str,
        ts: u64,
        pid: u32,
        tid: u32,
        rest: &str,
    ) -> io::Result<()> {
        let sep = if self.first { "\n" } else { ",\n" };
        self.first = false;
        self.count += 1;
        write!(
            self.out,
            "{sep}{{\"name\":{},\"ph\":\"{ph}\",\"ts\":{ts},\"pid\":{pid},\"tid\":{tid}{rest}}}",
            quoted(name)
        )
    }

    fn meta(&mut self, what: &str, pid: u32, tid: u32, name: &str) -> io::Result<()> {
        self.ev(
            "M",
            what,
            0,
            pid,
            tid,
            &format!(",\"args\":{{\"name\":{}}}", quoted(name)),
        )
    }

    /// A slice per span of a lane on the thread `track`, named by `name` (`None`: not
    /// drawn, the track ends there).
    fn spans<T: Copy>(
        &mut self,
        cat: &str,
        spans: &[Span<T>],
        track: (u32, u32),
        name: impl Fn(T) -> Option<String>,
    ) -> io::Result<()> {
        for sp in spans {
            if let Some(n) = name(sp.state) {
                self.slice(cat, &n, (sp.from, sp.to), track, "")?;
            }
        }
        Ok(())
    }

    /// A complete slice over `from..to` on the thread `(pid, tid)`.
    fn slice(
        &mut self,
        cat: &str,
        name: &str,
        (from, to): (u64, u64),
        (pid, tid): (u32, u32),
        args: &str,
    ) -> io::Result<()> {
        let dur = to.saturating_sub(from);
        self.ev(
            "X",
            name,
            from,
            pid,
            tid,
            &format!(",\"cat\":\"{cat}\",\"dur\":{dur}{args}"),
        )
    }
}

/// The run of `s` in the Chrome trace-event format (a JSON object with `traceEvents`);
/// returns the number of events written.
pub fn perfetto<W: Write + ?Sized>(s: &Session, out: &mut W) -> io::Result<u64> {
    let life = s.lifelines();
    let len = s.len();
    write!(
        out,
        "{{\"displayTimeUnit\":\"ms\",\"otherData\":{{\"generator\":\"exitpath\",\"design\":{},\
         \"micro_steps\":{len},\"time\":\"1 us = 1 micro-step\"}},\"traceEvents\":[",
        quoted(s.design.name())
    )?;
    let mut e = Events {
        out,
        first: true,
        count: 0,
    };
    // the kernel: CPUs, counters, findings
    e.meta(
        "process_name",
        KERNEL_PID,
        0,
        "kernel (CPUs, counters, findings)",
    )?;
    e.ev(
        "M",
        "process_sort_index",
        0,
        KERNEL_PID,
        0,
        ",\"args\":{\"sort_index\":-1}",
    )?;
    let cpus = s.trace.last.cpus.len().max(1);
    for c in 0..cpus {
        e.meta("thread_name", KERNEL_PID, 1 + c as u32, &format!("cpu{c}"))?;
    }
    e.meta("thread_name", KERNEL_PID, FINDINGS_TID, "findings")?;

    // procs: a process each, with a p_stat track
    let mut named = std::collections::BTreeSet::new();
    let mut tid = FIRST_LANE_TID;
    for p in &life.procs {
        let pid = chrome_pid(p.pid);
        if named.insert(pid) {
            e.meta("process_name", pid, 0, &p.label())?;
        }
        e.meta("thread_name", pid, tid, "p_stat")?;
        e.spans("p_stat", &p.spans, (pid, tid), |s| match s {
            ProcPhase::Stat(st) => Some(format!("{st:?}")),
            ProcPhase::Reaped => None,
        })?;
        tid += 1;
    }
    // LWPs: a thread each, a slice per l_stat span; by slot, for naming the CPUs' slices
    let mut by_slot: Vec<Vec<(u64, usize)>> = Vec::new();
    for (i, l) in life.lwps.iter().enumerate() {
        let pid = chrome_pid(l.pid);
        if named.insert(pid) {
            e.meta("process_name", pid, 0, &format!("{} {}", l.pid, l.name))?;
        }
        e.meta("thread_name", pid, tid, &l.label())?;
        e.spans("l_stat", &l.spans, (pid, tid), |s| match s {
            LwpPhase::Stat(st) => Some(format!("{st:?}")),
            LwpPhase::Freed => None,
        })?;
        let slot = l.slot as usize;
        if by_slot.len() <= slot {
            by_slot.resize(slot + 1, Vec::new());
        }
        by_slot[slot].push((l.spans.first().map_or(0, |s| s.from), i));
        tid += 1;
    }
    let lwp_at = |slot: u32, k: u64| -> String {
        if slot == NONE || slot >= IDLE_OWNER_BASE {
            return "idle".into();
        }
        by_slot
            .get(slot as usize)
            .and_then(|v| v.get(v.partition_point(|&(from, _)| from <= k).checked_sub(1)?))
            .map_or_else(|| format!("lwp#{slot}"), |&(_, i)| life.lwps[i].label())
    };

    // CPUs: a slice per run of one function for one LWP, until the CPU's next slice
    let mut open: Vec<Option<(u64, u64, super::func::Func, u32)>> = vec![None; cpus];
    let close =
        |e: &mut Events<'_, _>, run: (u64, u64, super::func::Func, u32), to: u64, c: usize| {
            let (from, _, func, lwp) = run;
            let args = format!(",\"args\":{{\"lwp\":{}}}", quoted(&lwp_at(lwp, from)));
            e.slice(
                "kernel",
                func.name(),
                (from, to),
                (KERNEL_PID, 1 + c as u32),
                &args,
            )
        };
    for (k, st) in s.trace.steps.iter().enumerate() {
        let k = k as u64;
        let c = usize::from(st.cpu).min(cpus - 1);
        match open[c] {
            Some((from, _, func, lwp)) if func == st.func && lwp == st.lwp => {
                open[c] = Some((from, k, func, lwp));
            }
            prev => {
                if let Some(run) = prev {
                    close(&mut e, run, k, c)?;
                }
                open[c] = Some((k, k, st.func, st.lwp));
            }
        }
    }
    for (c, run) in open.into_iter().enumerate() {
        if let Some(run) = run {
            close(&mut e, run, run.1 + 1, c)?;
        }
    }

    // counters, then the findings
    for series in &life.counters {
        let name = series.counter.name();
        for &(pos, v) in &series.points {
            e.ev(
                "C",
                name,
                pos,
                KERNEL_PID,
                0,
                &format!(",\"args\":{{\"value\":{v}}}"),
            )?;
        }
    }
    for f in &s.trace.findings {
        let info = f.check.info();
        let cat = if f.check.is_fault() {
            "fault"
        } else {
            "broken invariant"
        };
        let args = format!(
            ",\"cat\":\"{cat}\",\"s\":\"g\",\"args\":{{\"message\":{},\"explain\":{}}}",
            quoted(&f.message),
            quoted(info.explain)
        );
        e.ev("i", info.name, f.step, KERNEL_PID, FINDINGS_TID, &args)?;
    }
    let count = e.count;
    writeln!(e.out, "\n]}}")?;
    Ok(count)
}

/// `perfetto` into a string (for the page's download).
pub fn perfetto_string(s: &Session) -> String {
    let mut v = Vec::new();
    // writing to a Vec cannot fail
    let _ = perfetto(s, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoted_strings_read_back_as_the_same_text() {
        for s in [
            "plain",
            "a\"b\\c",
            "line\nnext\ttab\r",
            "\u{1}\u{1f}é€😀",
            "",
        ] {
            let q = super::quoted(s);
            assert_eq!(serde_json::from_str::<String>(&q).unwrap(), s, "{q}");
        }
    }
}
