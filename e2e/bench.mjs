// Browser benchmarks of the built exitpath site in headless Chromium (playwright-core).
//
//   node e2e/bench.mjs <base-url>          e.g. node e2e/bench.mjs http://127.0.0.1:8080/
//
// `cargo xtask bench` builds dist/, serves it on 127.0.0.1 and runs this. Environment:
//   CHROMIUM          the browser (default /usr/bin/chromium); never downloaded
//   BENCH_OUT         also write the results there as TSV lines: key <TAB> value <TAB> note
//   BENCH_BIG_STEPS   micro-steps of the ~1M-step run (from the native engine), so the end
//                     of the in-page build is recognised exactly; without it, the first
//                     stable "step N / M" with no progress bar visible counts
//   BENCH_EXITPATH    the exitpath binary: share links from `exitpath link encode` (else
//                     from the page's window.wasmBindings.exitpath_link)
//   BENCH_ONLY        run only the measurements whose key contains this text
//   BENCH_PROFILE=1   also sample the CPU while stepping and seeking; print the top functions
//   BENCH_CSS         extra CSS put into the page before the work_* measurements (what-if
//                     experiments: `.cols{display:none}` shows what the panels cost)
//
// Measurements (each in a fresh browser context, each with its own time limit; one that
// times out or whose test hook is missing is reported as skipped with a note, never hangs):
//   first_render  navigation start -> first animation frame with the step counter in the
//                 DOM, default page, median of 5 cold loads
//   step_paint    64 live LWPs: click step-forward 200 times; click -> counter updated
//                 (script) and click -> end of the next frame after it (p50, p95)
//   build_1m      the ~1M-step fork/wait loop opened from a share link: navigation start
//                 -> the counter shows the whole run; JS heap and wasm memory afterwards
//   seek_1m       in that run, 100 scrubber moves to random positions: input -> next frame
//   play_60       play at 60 steps/s for 5 s: animation frames vs expected, frames dropped
//                 (gaps between requestAnimationFrame timestamps > 20 ms), steps advanced
//   play_60_lifelines
//                 the same with the lifelines panel open (its cursor follows every step)
//   work_step64, work_step256, work_seek_1m
//                 main-thread work per action (the targets of issue 9): in a 1600x1000
//                 window, the renderer's TaskDuration (CDP Performance.getMetrics) read
//                 before an action and after the two animation frames that follow it,
//                 minus the median of the same reading with no action; 200 actions
//                 (steps with 64 and with 256 live LWPs, seeks anywhere in the 1M-step
//                 run); mean and p95
//   predict_1m    in the 1M-step run: Predict on (its quiz), Next question and Ask of every
//                 kind: click -> end of the second frame after it
//   work_lesson_100k
//                 main-thread work per move to a lesson stop (issue 11's target: at most
//                 16 ms), measured as work_*: a click on a random stop's number in a
//                 lesson of 7 stops over a ~100k-step fork/wait loop; mean and p95
//   exercise_10k  a fork.py exercise of 10,000 actions (x=1,10000,0.5,-, about 675,000
//                 micro-steps) opened from its link: navigation start -> the whole run
//                 on the counter and the exercise's actions listed (its turn positions
//                 found by a replay); whether the progress bar showed
//   play_256_throttled
//                 256 live LWPs, the CPU throttled 4x (Emulation.setCPUThrottlingRate),
//                 play at 60 steps/s for 10 s: frames dropped, steps advanced
// Prints one human line per result; exits 0 unless the browser could not start.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // performance.memory with exact figures, and gc() to read the heap after a collection.
  '--enable-precise-memory-info', '--js-flags=--expose-gc',
];
const base = process.argv[2] || process.env.EXITPATH_URL;
if (!base) {
  console.error('usage: node e2e/bench.mjs <base-url>   (e.g. http://127.0.0.1:8080/)');
  process.exit(2);
}
const BASE = base.endsWith('/') ? base : `${base}/`;
const ONLY = process.env.BENCH_ONLY || '';
const BIG_STEPS = Number(process.env.BENCH_BIG_STEPS || 0);

// The scenarios. `lwps64`: `multi` starts 63 LWPs that sleep; with the first one, 64
// live LWPs from about step 1,800 to 2,150 (all three designs). `big`: 7,600 rounds of
// the bench loop, about 1.01 M micro-steps in `reaper` (the app's default design).
const LWPS64 = `proc shell
  fork multi
  wait
  exit 0
proc multi
  repeat 63
    thread t
  sleep 100000
  exit 0
lwp t
  sleep 100000
`;
const LWPS64_AT = 1800;
// `lwps256`: 64 processes of 4 LWPs each, all alive at once (with init, the shell and
// the kernel threads, 261 live LWPs) from about step 7,600 to 9,900 in `reaper`.
const LWPS256 = `proc shell
  repeat 64
    fork multi
  repeat 64
    wait
  exit 0
proc multi
  repeat 3
    thread t
  sleep 100000
  exit 0
lwp t
  sleep 100000
`;
const LWPS256_AT = 7700;
const BIG_ROUNDS = 7600;
const BIG = `proc shell\n  repeat ${BIG_ROUNDS}\n    fork worker\n    wait\n  exit 0\nproc worker\n  exit 3\n`;
const DESIGN = 'reaper';
// `lesson100k`: a lesson over a fork/wait loop of 770 rounds, about 100,000 micro-steps in
// `reaper`, with stops of every locator shape (markers, `of NAME`, `line N of FUNC in
// NAME`, a late `step N`) spread over the run.
const LESSON_ROUNDS = 770;
const LESSON100K = `# lesson: bench: moving between the stops of a long run
# stop: first exit: a
# stop: 300th zombie of worker: b
# stop: 2nd line 2 of exit1 in worker: c
# stop: 600th reap: d
# stop: last tssfree of worker: e
# stop: step 99000: f
# stop: last reap: g
proc shell
  repeat ${LESSON_ROUNDS}
    fork worker
    wait
  exit 0
proc worker
  exit 3
`;

// ---------------------------------------------------------------- results

const results = []; // [key, value, note]
function put(key, value, note = '') {
  results.push([key, value, note]);
  const v = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : String(value);
  console.log(`bench ${key.padEnd(28)} ${v.padStart(12)}  ${note}`);
}
function skip(key, why) {
  put(key, 'skipped', why);
}

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

class Timeout extends Error {}
function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------- page helpers

// Runs in the page before any of its scripts: notes when the step counter first shows
// up and when it first shows a whole run of `want` steps (0: any stable count with no
// progress bar), whether a progress bar was ever seen, and the wasm memory.
function pageProbe(want) {
  const t = { counter: null, counterFrame: null, counterText: '', full: null, fullFrame: null, fullText: '', progressSeen: false, memory: null, exercise: null };
  window.__bench = t;
  addEventListener('TrunkApplicationStarted', (e) => {
    t.memory = e.detail && e.detail.wasm && e.detail.wasm.memory;
  });
  const parse = (s) => {
    const m = /step\s+([\d,\u202f\u00a0 ]+)\s*\/\s*([\d,\u202f\u00a0 ]+)/.exec(s || '');
    return m ? [Number(m[1].replace(/\D/g, '')), Number(m[2].replace(/\D/g, ''))] : null;
  };
  const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  let lastLen = -1;
  const check = () => {
    const c = document.querySelector('[data-testid=step-counter]');
    const p = document.querySelector('[data-testid=progress]');
    if (p) t.progressSeen = true;
    if (t.exercise === null && document.querySelector('[data-testid=ex-action]')) t.exercise = performance.now();
    if (c && t.counter === null) {
      t.counter = performance.now();
      t.counterText = c.textContent.trim();
      requestAnimationFrame(() => { t.counterFrame = performance.now(); });
    }
    if (c && t.full === null) {
      const n = parse(c.textContent);
      const building = p && visible(p);
      const done = n && (want > 0 ? n[1] === want : (n[1] > 0 && n[1] === lastLen && !building));
      if (n) lastLen = n[1];
      if (done) {
        t.full = performance.now();
        t.fullText = c.textContent.trim();
        requestAnimationFrame(() => { t.fullFrame = performance.now(); });
        if (want > 0 || t.counter !== null) return;
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  // Without an exact `want`, "stable" means unchanged for one polling round too.
  if (!want) setInterval(check, 250);
}

async function newPage(browser, viewport = { width: 1280, height: 720 }) {
  // BENCH_CSS goes in as an inline style, which the page's Content-Security-Policy forbids.
  const bypassCSP = !!process.env.BENCH_CSS;
  const context = await browser.newContext({ viewport, colorScheme: 'light', bypassCSP });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return { context, page };
}

async function open(page, suffix, want = 0) {
  await page.addInitScript(pageProbe, want);
  await page.goto(new URL(suffix, BASE).href, { waitUntil: 'commit' });
}

async function hook(page, id, ms = 30_000) {
  const el = await page.waitForSelector(`[data-testid=${id}]`, { timeout: ms, state: 'attached' }).catch(() => null);
  return el;
}

async function counterOf(page) {
  const text = await page.textContent('[data-testid=step-counter]').catch(() => null);
  const m = /step\s+([\d,\u202f\u00a0 ]+)\s*\/\s*([\d,\u202f\u00a0 ]+)/.exec(text || '');
  return m ? { pos: Number(m[1].replace(/\D/g, '')), len: Number(m[2].replace(/\D/g, '')), text } : { text };
}

/** Waits (at most 30 s, then goes on) until the counter shows position `at`. */
async function atStep(page, at) {
  await page.waitForFunction((at) => {
    const m = /step\s+([\d,\u202f\u00a0 ]+)\s*\//.exec(document.querySelector('[data-testid=step-counter]')?.textContent || '');
    return !!m && Number(m[1].replace(/\D/g, '')) === at;
  }, at, { timeout: 30_000 }).catch(() => {});
}

/**
 * A share-link fragment for `scenario` at `step`: from the CLI's codec when BENCH_EXITPATH
 * names the exitpath binary (`exitpath link encode FILE --design D --step N`), else from
 * the page's own (window.wasmBindings.exitpath_link). Both are src/link.rs.
 */
async function linkFor(browser, scenario, design, step) {
  if (process.env.BENCH_EXITPATH) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exitpath-bench-'));
    try {
      const file = path.join(dir, 'scenario.scn');
      fs.writeFileSync(file, scenario);
      const out = execFileSync(process.env.BENCH_EXITPATH, ['link', 'encode', file, '--design', design, '--step', String(step)],
        { encoding: 'utf8', timeout: 30_000 }).trim();
      if (out) return out.replace(/^#/, '');
    } catch (e) {
      console.log(`bench: exitpath link encode failed (${String(e.message).split('\n')[0]}); asking the page`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const { context, page } = await newPage(browser);
  try {
    await open(page, '');
    await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.exitpath_link, null, { timeout: 30_000 })
      .catch(() => { throw new Error('no window.wasmBindings.exitpath_link within 30 s to make a share link'); });
    const frag = await page.evaluate(([s, d, n]) => window.wasmBindings.exitpath_link(s, d, n, false), [scenario, design, step]);
    if (!frag) throw new Error('exitpath_link returned nothing (scenario too large for a link?)');
    return frag;
  } finally {
    await context.close();
  }
}

// In the page: `n` times, at a random moment within a frame, run `act(i)` and time it to
// the counter change (script) and to the end of the next frame after it (a task posted
// from that frame's requestAnimationFrame runs once style, layout and paint are done).
async function latencies(page, kind, n, seed, maxPos) {
  return page.evaluate(async ([kind, n, seed, maxPos]) => {
    let s = seed >>> 0;
    const rnd = () => { // mulberry32
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const counter = () => document.querySelector('[data-testid=step-counter]');
    const raf = () => new Promise((r) => requestAnimationFrame(r));
    const later = (ms) => new Promise((r) => setTimeout(r, ms));
    const afterFrame = () => new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => r(performance.now());
      requestAnimationFrame(() => ch.port2.postMessage(0));
    });
    const script = [], frame = [], missed = [];
    for (let i = 0; i < n; i++) {
      await raf();
      await later(rnd() * 16);
      const before = counter().textContent;
      let changedAt = null;
      const changed = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (counter().textContent !== before) { changedAt = performance.now(); mo.disconnect(); resolve(true); }
        });
        mo.observe(counter(), { subtree: true, childList: true, characterData: true });
        setTimeout(() => { mo.disconnect(); resolve(false); }, 2000);
      });
      const t0 = performance.now();
      if (kind === 'step') {
        document.querySelector('[data-testid=step-forward]').click();
      } else {
        const sc = document.querySelector('[data-testid=scrubber]');
        let p = Math.floor(rnd() * (maxPos + 1));
        if (String(p) === sc.value) p = (p + 1) % (maxPos + 1);
        sc.value = String(p);
        sc.dispatchEvent(new Event('input', { bubbles: true }));
      }
      if (!(await changed)) { missed.push(i); continue; }
      const t2 = await afterFrame();
      script.push(changedAt - t0);
      frame.push(t2 - t0);
    }
    return { script, frame, missed: missed.length };
  }, [kind, n, seed, maxPos]);
}

/**
 * Runs `fn` with Chromium's main-thread counters (CDP Performance.getMetrics) read before
 * and after, and, with BENCH_PROFILE=1, the JS/wasm sampling profiler on: returns fn's
 * result and puts per-operation layout, style, script and task milliseconds. Function
 * names in the profile need a wasm with its name section (see docs/benchmarks.md).
 */
async function breakdown(page, key, ops, fn) {
  const cdp = await page.context().newCDPSession(page);
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  await cdp.send('Performance.enable');
  const profiling = process.env.BENCH_PROFILE === '1';
  if (profiling) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
  }
  const m0 = await metrics();
  const result = await fn();
  const m1 = await metrics();
  const per = (k) => ((m1[k] - m0[k]) * 1000) / ops;
  put(`${key}_layout_ms_per_op`, per('LayoutDuration'), `forced + frame layouts, ${((m1.LayoutCount - m0.LayoutCount) / ops).toFixed(1)} per op`);
  put(`${key}_style_ms_per_op`, per('RecalcStyleDuration'), 'style recalculation');
  put(`${key}_script_ms_per_op`, per('ScriptDuration'), 'JS + wasm');
  put(`${key}_task_ms_per_op`, per('TaskDuration'), 'all busy time of the main thread (script, style, layout, paint, the harness)');
  if (profiling) {
    const { profile } = await cdp.send('Profiler.stop');
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    profile.samples.forEach((id, i) => {
      const f = byId.get(id).callFrame;
      const name = `${(f.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '')}${f.url.endsWith('.wasm') ? ' [wasm]' : ''}`;
      self.set(name, (self.get(name) || 0) + (profile.timeDeltas[i + 1] || 0) / 1000);
    });
    // Inclusive time of the app's own functions (and Yew's DOM patching), per op.
    const parent = new Map();
    profile.nodes.forEach((n) => (n.children || []).forEach((c) => parent.set(c, n.id)));
    const incl = new Map();
    profile.samples.forEach((id, i) => {
      const seen = new Set();
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const name = byId.get(cur).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, '');
        if (!/^(<)?exitpath::|offsetTop|^yew::dom_bundle::bnode/.test(name) || seen.has(name)) continue;
        seen.add(name);
        incl.set(name, (incl.get(name) || 0) + (profile.timeDeltas[i + 1] || 0) / 1000);
      }
    });
    console.log(`profile ${key}: inclusive time per op of exitpath functions, top 12`);
    [...incl].sort((a, b) => b[1] - a[1]).slice(0, 12)
      .forEach(([name, ms]) => console.log(`  ${(ms / ops).toFixed(2).padStart(7)} ms  ${name.slice(0, 120)}`));
    console.log(`profile ${key}: self time per op, top 15`);
    [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)
      .forEach(([name, ms]) => console.log(`  ${(ms / ops).toFixed(2).padStart(7)} ms  ${name.slice(0, 120)}`));
  }
  await cdp.detach().catch(() => {});
  return result;
}

/**
 * Main-thread work per action: `n` times, the renderer's TaskDuration (CDP
 * Performance.getMetrics) before `kind` ("step": a click on step-forward; "seek": the
 * scrubber to a random position below `maxPos`) and after the two animation frames that
 * follow it (style, layout and paint included), minus the median of 40 readings around
 * the same wait with no action (the harness's own cost). Returns milliseconds per action.
 */
async function workPerAction(page, kind, n, seed, maxPos) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const KEYS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];
  const parts = { ScriptDuration: 0, LayoutDuration: 0, RecalcStyleDuration: 0 };
  let last = null;
  const task = async () => {
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics
      .filter((x) => KEYS.includes(x.name)).map((x) => [x.name, x.value * 1000]));
    last = m;
    return m.TaskDuration;
  };
  const act = (doIt, p) => page.evaluate(async ([doIt, kind, p]) => {
    const raf = () => new Promise((r) => requestAnimationFrame(r));
    await raf();
    if (doIt && kind === 'step') document.querySelector('[data-testid=step-forward]').click();
    if (doIt && kind === 'lesson') document.querySelectorAll('[data-testid=lesson] .lesson-dots button')[p].click();
    if (doIt && kind === 'seek') {
      const sc = document.querySelector('[data-testid=scrubber]');
      sc.value = String(p);
      sc.dispatchEvent(new Event('input', { bubbles: true }));
    }
    await raf();
    await raf();
  }, [doIt, kind, p]);
  let s = seed >>> 0;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
  const base = [];
  for (let i = 0; i < 40; i++) {
    const t0 = await task();
    await act(false, 0);
    base.push((await task()) - t0);
  }
  const idle = median(base);
  const work = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rnd() * (maxPos + 1));
    const t0 = await task();
    const m0 = last;
    await act(true, p);
    work.push(Math.max(0, (await task()) - t0 - idle));
    for (const k of Object.keys(parts)) parts[k] += (last[k] - m0[k]) / n;
  }
  await cdp.detach().catch(() => {});
  const split = `script ${parts.ScriptDuration.toFixed(2)} / layout ${parts.LayoutDuration.toFixed(2)} / style ${parts.RecalcStyleDuration.toFixed(2)} ms per action (means, harness included)`;
  return { work, idle, split };
}

/**
 * Sets play to 60 steps/s: the speed control's own option when it has one; otherwise an
 * extra <option value="60"> is added to it (the app accepts any speed from 1 to 1000).
 * Returns a note saying which.
 */
async function speed60(page) {
  const offered = await page.$$eval('[data-testid=speed] option', (os) => os.map((o) => o.value));
  let note = 'speed 60 / s from the speed control';
  if (!offered.includes('60')) {
    await page.$eval('[data-testid=speed]', (s) => {
      const o = document.createElement('option');
      o.value = '60';
      o.textContent = '60 / s (bench)';
      s.appendChild(o);
    });
    note = `speed 60 / s injected (the control offers ${offered.join(', ')})`;
  }
  await page.selectOption('[data-testid=speed]', '60');
  return note;
}

/** Plays for `ms`: every animation frame's timestamp, the steps advanced, the seconds. */
async function playFor(page, ms) {
  return page.evaluate(async (ms) => {
    const counter = () => {
      const m = /step\s+([\d,\u202f\u00a0 ]+)/.exec(document.querySelector('[data-testid=step-counter]').textContent);
      return m ? Number(m[1].replace(/\D/g, '')) : NaN;
    };
    const stamps = [];
    let on = true;
    const loop = (ts) => { stamps.push(ts); if (on) requestAnimationFrame(loop); };
    await new Promise((r) => requestAnimationFrame(r));
    const p0 = counter();
    const t0 = performance.now();
    document.querySelector('[data-testid=play]').click();
    requestAnimationFrame(loop);
    await new Promise((r) => setTimeout(r, ms));
    on = false;
    const p1 = counter();
    const t1 = performance.now();
    document.querySelector('[data-testid=play]').click();
    return { stamps, steps: p1 - p0, secs: (t1 - t0) / 1000 };
  }, ms);
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Opens `scenario` at `at` in a 1600x1000 window; the page and its context. */
/** Opens the ~1M-step run from its link `frag` and waits until the counter shows the
 *  whole run (the in-page build done). */
async function openBig(page, frag) {
  await open(page, `#${frag}`, BIG_STEPS);
  if (!(await hook(page, 'step-counter', 120_000))) throw new Error('no [data-testid=step-counter] within 120 s');
  await page.waitForFunction(() => window.__bench.fullFrame !== null, null, { timeout: 240_000, polling: 200 })
    .catch(() => { throw new Error('the counter never showed the whole run within 240 s'); });
}

async function openAt(browser, scenario, at) {
  const frag = await linkFor(browser, scenario, DESIGN, at);
  const { context, page } = await newPage(browser, { width: 1600, height: 1000 });
  await open(page, `#${frag}`);
  for (const id of ['step-counter', 'step-forward', 'scrubber']) {
    if (!(await hook(page, id))) throw new Error(`no [data-testid=${id}]`);
  }
  await atStep(page, at);
  if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
  return { context, page };
}

async function stepWork(browser, key, scenario, at, live) {
  const { context, page } = await openAt(browser, scenario, at);
  try {
    const c = await counterOf(page);
    const rows = await page.locator('[data-testid=procs] [data-lid]').count().catch(() => -1);
    const r = await workPerAction(page, 'step', 200, 3, 0);
    const note = `${live} live LWPs: 200 steps from step ${c.pos} of ${c.len}, ${rows} LWP rows, 1600x1000; harness ${r.idle.toFixed(2)} ms per reading subtracted`;
    put(`${key}_p95_ms`, quantile(r.work, 0.95), `main-thread work per step (TaskDuration), p95; ${note}`);
    put(`${key}_mean_ms`, mean(r.work), `main-thread work per step, mean; ${r.split}`);
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- measurements

const measurements = [];
const measure = (key, ms, fn) => measurements.push({ key, ms, fn });

measure('first_render', 120_000, async (browser) => {
  const times = [], frames = [];
  for (let i = 0; i < 5; i++) {
    const { context, page } = await newPage(browser);
    try {
      await open(page, '');
      if (!(await hook(page, 'step-counter'))) throw new Error('no [data-testid=step-counter] within 30 s');
      await page.waitForFunction(() => window.__bench.counterFrame !== null, null, { timeout: 10_000 });
      const t = await page.evaluate(() => window.__bench);
      times.push(t.counterFrame);
      frames.push(t.counter);
    } finally {
      await context.close();
    }
  }
  put('first_render_ms', median(times), `navigation start -> first frame with the step counter, median of 5 (${times.map((x) => x.toFixed(0)).join(', ')} ms)`);
  put('first_render_dom_ms', median(frames), 'navigation start -> step counter in the DOM, median of 5');
});

measure('step_paint', 180_000, async (browser) => {
  const frag = await linkFor(browser, LWPS64, DESIGN, LWPS64_AT);
  const { context, page } = await newPage(browser);
  try {
    await open(page, `#${frag}`);
    for (const id of ['step-counter', 'step-forward']) {
      if (!(await hook(page, id))) throw new Error(`no [data-testid=${id}]`);
    }
    await atStep(page, LWPS64_AT);
    const c = await counterOf(page);
    const lwps = await page.locator('[data-testid=procs] [data-lid]').count().catch(() => -1);
    const r = await breakdown(page, 'step', 200, () => latencies(page, 'step', 200, 1, 0));
    const note = `64-LWP scenario from step ${c.pos} of ${c.len}, ${lwps} LWP rows, ${r.frame.length} clicks${r.missed ? `, ${r.missed} without a counter change` : ''}`;
    put('step_paint_p50_ms', median(r.frame), `click -> end of next frame; ${note}`);
    put('step_paint_p95_ms', quantile(r.frame, 0.95), 'click -> end of next frame');
    put('step_script_p50_ms', median(r.script), 'click -> counter updated (script only)');
    put('step_script_p95_ms', quantile(r.script, 0.95), 'click -> counter updated (script only)');
  } finally {
    await context.close();
  }
});

measure('build_1m + seek_1m', 300_000, async (browser) => {
  const frag = await linkFor(browser, BIG, DESIGN, 0);
  const { context, page } = await newPage(browser);
  try {
    await openBig(page, frag);
    const t = await page.evaluate(() => {
      if (typeof gc === 'function') gc();
      const m = performance.memory;
      return {
        ...window.__bench,
        memory: undefined,
        wasmBytes: window.__bench.memory ? window.__bench.memory.buffer.byteLength : null,
        heap: m ? m.usedJSHeapSize : null,
      };
    });
    const c = await counterOf(page);
    put('build_1m_ms', t.fullFrame, `navigation start -> counter "${t.fullText}" (${t.progressSeen ? 'progress bar seen' : 'no [data-testid=progress] seen: built in one go'})`);
    if (t.heap != null) put('js_heap_1m_bytes', t.heap, 'performance.memory.usedJSHeapSize after gc(), 1M-step run built');
    else skip('js_heap_1m_bytes', 'performance.memory not available');
    if (t.wasmBytes != null) put('wasm_memory_1m_bytes', t.wasmBytes, 'wasm linear memory after building the 1M-step run');
    else skip('wasm_memory_1m_bytes', 'no TrunkApplicationStarted event with the wasm exports');
    if (c.len && t.wasmBytes) put('wasm_bytes_per_step', t.wasmBytes / c.len, 'wasm linear memory / micro-steps (whole app, upper bound)');

    if (!(await hook(page, 'scrubber', 5_000))) {
      skip('seek_1m_p95_ms', 'no [data-testid=scrubber]');
      return;
    }
    const max = c.len || BIG_STEPS;
    const r = await breakdown(page, 'seek_1m', 100, () => latencies(page, 'seek', 100, 7, max));
    put('seek_1m_p50_ms', median(r.frame), `input -> end of next frame, 100 random positions in ${max} steps${r.missed ? `, ${r.missed} without a counter change` : ''}`);
    put('seek_1m_p95_ms', quantile(r.frame, 0.95), 'input -> end of next frame');
    put('seek_1m_script_p95_ms', quantile(r.script, 0.95), 'input -> counter updated (script only)');
  } finally {
    await context.close();
  }
});

/** Play at 60 steps/s for 5 s in the 64-LWP scenario (with the lifelines panel open when
 *  `lifelines`): animation frames, frames dropped, steps advanced, as `${key}_*`. */
async function play60(browser, key, lifelines) {
  const frag = await linkFor(browser, LWPS64, DESIGN, LWPS64_AT);
  const { context, page } = await newPage(browser);
  try {
    await open(page, `#${frag}`);
    for (const id of ['step-counter', 'play', 'speed']) {
      if (!(await hook(page, id))) throw new Error(`no [data-testid=${id}]`);
    }
    await atStep(page, LWPS64_AT);
    if (lifelines) {
      await page.click('[data-testid=lifelines] summary');
      await page.waitForSelector('[data-testid=lifelines] .ll-row', { timeout: 30_000 });
    }
    const speedNote = await speed60(page);
    const r = await playFor(page, 5000);
    const gaps = r.stamps.slice(1).map((t, i) => t - r.stamps[i]);
    const frameMs = median(gaps);
    const expectedFrames = Math.round((r.secs * 1000) / (frameMs > 0 ? frameMs : 1000 / 60));
    const long = gaps.filter((g) => g > 20);
    const dropped = long.reduce((n, g) => n + Math.max(1, Math.round(g / frameMs) - 1), 0);
    const what = lifelines ? ' (lifelines open)' : '';
    put(`${key}_frames`, r.stamps.length, `animation frames in ${r.secs.toFixed(2)} s${what} (expected ${expectedFrames} at ${(1000 / frameMs).toFixed(1)} Hz); ${speedNote}`);
    put(`${key}_frames_expected`, expectedFrames, 'frames the display rate allows in the same time');
    put(`${key}_dropped_frames`, dropped, `${long.length} gaps > 20 ms between rAF timestamps${what} (longest ${Math.max(0, ...gaps).toFixed(1)} ms)`);
    put(`${key}_steps`, r.steps, `steps advanced in ${r.secs.toFixed(2)} s (expected ${Math.round(60 * r.secs)}; the timer ticks every ${Math.floor(1000 / 60)} ms)`);
  } finally {
    await context.close();
  }
}

measure('play_60', 120_000, (browser) => play60(browser, 'play', false));
measure('play_60_lifelines', 120_000, (browser) => play60(browser, 'play_ll', true));

measure('work_step64', 180_000, (browser) => stepWork(browser, 'work_step64', LWPS64, LWPS64_AT, 64));
measure('work_step256', 180_000, (browser) => stepWork(browser, 'work_step256', LWPS256, LWPS256_AT, 256));

measure('work_seek_1m', 300_000, async (browser) => {
  const frag = await linkFor(browser, BIG, DESIGN, 0);
  const { context, page } = await newPage(browser, { width: 1600, height: 1000 });
  try {
    await openBig(page, frag);
    if (!(await hook(page, 'scrubber', 5_000))) throw new Error('no [data-testid=scrubber]');
    const c = await counterOf(page);
    const max = c.len || BIG_STEPS;
    if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
    const r = await workPerAction(page, 'seek', 200, 11, max);
    put('work_seek_1m_p95_ms', quantile(r.work, 0.95), `main-thread work per seek (TaskDuration), p95; 200 random positions in ${max} steps, 1600x1000; harness ${r.idle.toFixed(2)} ms subtracted`);
    put('work_seek_1m_mean_ms', mean(r.work), `main-thread work per seek, mean; ${r.split}`);
  } finally {
    await context.close();
  }
});

measure('predict_1m', 300_000, async (browser) => {
  const frag = await linkFor(browser, BIG, DESIGN, 0);
  const { context, page } = await newPage(browser, { width: 1600, height: 1000 });
  try {
    await openBig(page, frag);
    if (!(await hook(page, 'predict-on', 5_000))) throw new Error('no [data-testid=predict-on]');
    // click -> the end of the second frame after it, measured in the page
    const timed = (sel) => page.evaluate((sel) => new Promise((done) => {
      const t0 = performance.now();
      document.querySelector(sel).click();
      requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
    }), sel);
    const setup = await timed('[data-testid=predict-on]');
    await page.waitForSelector('[data-testid=predict-next]');
    const next = [];
    for (let i = 0; i < 8; i++) next.push(await timed('[data-testid=predict-next]'));
    const ask = [];
    for (const kind of ['step', 'action', 'event', 'frees', 'adopts']) {
      await page.selectOption('#predict-kind', kind);
      for (let i = 0; i < 3; i++) {
        await page.click('[data-testid=predict-prev]');
        ask.push(await timed('[data-testid=predict-ask]'));
      }
    }
    const all = next.concat(ask);
    put('predict_1m_setup_ms', setup, 'Predict on in the 1M-step run (its 8-question quiz; no other designs past 50,000 steps): click -> 2nd frame');
    put('predict_1m_question_p95_ms', quantile(all, 0.95), `a question (8 × Next question: seek + ask, 15 × Ask of each kind): click -> 2nd frame; max ${Math.max(...all).toFixed(1)} ms`);
    put('predict_1m_question_median_ms', quantile(all, 0.5), 'the same, median');
  } finally {
    await context.close();
  }
});

measure('work_lesson_100k', 300_000, async (browser) => {
  // The lesson on screen at stop 1 (`l=1` before the scenario, which comes last).
  const frag = (await linkFor(browser, LESSON100K, DESIGN, 0)).replace('&z=', '&l=1&z=');
  const { context, page } = await newPage(browser, { width: 1600, height: 1000 });
  try {
    await open(page, `#${frag}`);
    if (!(await hook(page, 'lesson', 120_000))) throw new Error('no [data-testid=lesson] within 120 s');
    await page.waitForFunction(() => /stop 1 of 7/.test(document.querySelector('[data-testid=lesson]')?.textContent || '')
      && !document.querySelector('[data-testid=progress]'), null, { timeout: 120_000, polling: 200 });
    const c = await counterOf(page);
    const stops = await page.locator('[data-testid=lesson] .lesson-dots button').count();
    const missing = await page.locator('[data-testid=lesson] .lesson-missing').count();
    if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
    const r = await workPerAction(page, 'lesson', 200, 5, stops - 1);
    const note = `200 moves to random stops of ${stops} (markers, of NAME, line N of FUNC in NAME, step N, last ...) in a ${c.len}-step run${missing ? ` (${missing} unreached!)` : ''}, 1600x1000; harness ${r.idle.toFixed(2)} ms subtracted`;
    put('work_lesson_100k_p95_ms', quantile(r.work, 0.95), `main-thread work per lesson move (TaskDuration), p95; ${note}`);
    put('work_lesson_100k_mean_ms', mean(r.work), `main-thread work per lesson move, mean; ${r.split}`);
    // The same run, plain scrubber seeks, for a figure taken under the same load.
    const q = await workPerAction(page, 'seek', 200, 7, c.len);
    put('work_lesson_100k_seek_p95_ms', quantile(q.work, 0.95), `for comparison: main-thread work per scrubber seek in the same run and page, p95 (the lesson panel on screen)`);
    put('work_lesson_100k_seek_mean_ms', mean(q.work), `per scrubber seek, mean; ${q.split}`);
  } finally {
    await context.close();
  }
});

measure('play_256_throttled', 180_000, async (browser) => {
  const { context, page } = await openAt(browser, LWPS256, LWPS256_AT);
  const cdp = await page.context().newCDPSession(page);
  try {
    await speed60(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const r = await playFor(page, 10_000);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const gaps = r.stamps.slice(1).map((t, i) => t - r.stamps[i]);
    const frameMs = 1000 / 60;
    const long = gaps.filter((g) => g > 20);
    const dropped = long.reduce((n, g) => n + Math.max(1, Math.round(g / frameMs) - 1), 0);
    put('play256_dropped_frames', dropped, `256 live LWPs, CPU throttled 4x, 60 steps/s for ${r.secs.toFixed(2)} s: ${r.stamps.length} frames, ${long.length} gaps > 20 ms between rAF timestamps (longest ${Math.max(0, ...gaps).toFixed(1)} ms)`);
    put('play256_steps', r.steps, `steps advanced in ${r.secs.toFixed(2)} s (expected ${Math.round(60 * r.secs)})`);
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {});
    await cdp.detach().catch(() => {});
    await context.close();
  }
});

// Micro-steps of the exercise x=1,10000,0.5,- in `patch` (as `exitpath forkpy -s 1 -a
// 10000 -f 0.5 --stats` counts them): the counter's whole run.
const EXERCISE_10K_STEPS = 694765;
measure('exercise_10k', 120_000, async (browser) => {
  const { context, page } = await newPage(browser);
  try {
    await open(page, '#v=1&d=patch&s=0&x=1,10000,0.5,-&z=eNoDAAAAAAE', EXERCISE_10K_STEPS);
    await page.waitForFunction(() => window.__bench.fullFrame !== null && window.__bench.exercise !== null, null, { timeout: 100_000, polling: 100 })
      .catch(() => { throw new Error('the exercise never showed within 100 s'); });
    const t = await page.evaluate(() => ({ ...window.__bench, memory: undefined }));
    put('exercise_10k_ms', Math.max(t.fullFrame, t.exercise), `navigation start -> counter "${t.fullText}" at ${Math.round(t.fullFrame)} ms and the actions listed at ${Math.round(t.exercise)} ms (${t.progressSeen ? 'progress bar seen' : 'no progress bar seen'})`);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- run

const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
put('chromium_version', browser.version());
for (const m of measurements) {
  if (ONLY && !m.key.includes(ONLY)) continue;
  try {
    await within(m.ms, m.key, m.fn(browser));
  } catch (e) {
    // Whatever the timed-out measurement left running goes with its contexts.
    for (const c of browser.contexts()) await c.close().catch(() => {});
    const why = (e && e.message ? e.message : String(e)).split('\n')[0];
    for (const key of m.key.split(' + ')) skip(key, why);
  }
}
await browser.close();
if (process.env.BENCH_OUT) {
  const clean = (s) => String(s).replace(/[\t\n]/g, ' ');
  fs.writeFileSync(process.env.BENCH_OUT, results.map((r) => r.map(clean).join('\t')).join('\n') + '\n');
}
