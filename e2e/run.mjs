// End-to-end tests of the exitpath web app in headless Chromium (playwright-core).
//
//   node e2e/run.mjs <base-url>        e.g. node e2e/run.mjs http://127.0.0.1:8080/
//   E2E_ONLY=keyboard node e2e/run.mjs <base-url>     only tests whose name contains it
//
// Prints one line per test and a summary; exits 0 only if every test passed. Screenshots
// go to target/screenshots/ (relative to the repository root). Every request the page
// makes is recorded: one to a host other than 127.0.0.1 fails the run, and so does any
// console error (a Content-Security-Policy violation included) or uncaught page error.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TEST_TIMEOUT_MS = 60_000;

const base = process.argv[2] || process.env.EXITPATH_URL;
if (!base) {
  console.error('usage: node e2e/run.mjs <base-url>   (e.g. http://127.0.0.1:8080/)');
  process.exit(2);
}
const BASE = base.endsWith('/') ? base : `${base}/`;
fs.mkdirSync(SHOTS, { recursive: true });

// ---------------------------------------------------------------- harness

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const foreign = []; // requests that left 127.0.0.1, over the whole run

class Failure extends Error {}
function assert(cond, msg) {
  if (!cond) throw new Failure(msg);
}
function eq(actual, expected, what) {
  assert(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** A fresh context and page at 1280x720 that records requests and errors. */
async function newPage(browser, opts = {}) {
  const context = await browser.newContext({
    viewport: opts.viewport || { width: 1280, height: 720 },
    colorScheme: opts.colorScheme || 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.errors = [];
  context.on('request', (req) => {
    const url = new URL(req.url());
    if (['data:', 'blob:', 'about:'].includes(url.protocol)) return;
    if (url.hostname !== '127.0.0.1') foreign.push(req.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.errors.push(`page error: ${e.message}`));
  return { context, page };
}

/** Opens the app at `suffix` (a fragment '#...', a query '?...', or '') and waits for it. */
async function open(page, suffix = '') {
  await page.goto(new URL(suffix, BASE).href);
  await page.waitForSelector('[data-testid=step-counter]');
}

async function counter(page) {
  const text = (await page.textContent('[data-testid=step-counter]')).trim();
  const m = /^step (\d+) \/ (\d+)$/.exec(text);
  assert(m, `step counter reads "${text}", not "step N / M"`);
  return { pos: Number(m[1]), len: Number(m[2]), text };
}

/** Waits until the step counter shows position `pos`. */
async function atStep(page, pos) {
  await page.waitForFunction(
    (p) => document.querySelector('[data-testid=step-counter]')?.textContent.trim().startsWith(`step ${p} /`),
    pos,
    { timeout: 5000 },
  ).catch(async () => {
    throw new Failure(`expected step ${pos}, the counter reads "${(await counter(page)).text}"`);
  });
}

/** Waits until the URL's fragment carries step `n` (the codec's `s=` key). */
async function urlAtStep(page, n) {
  await page.waitForFunction((n) => new RegExp(`(^#|&)s=${n}(&|$)`).test(location.hash), n, { timeout: 5000 })
    .catch(async () => {
      throw new Failure(`the URL fragment should carry step ${n}: ${await page.evaluate(() => location.hash.slice(0, 60))}`);
    });
}

/** A link fragment built by the app's own codec (exported as exitpath_link). */
async function linkFor(page, scenario, design, step, embed = false, compare = undefined) {
  return page.evaluate(([s, d, n, e, c]) => window.wasmBindings.exitpath_link(s, d, n, e, c),
    [scenario, design, step, embed, compare]);
}

/** Waits (polling, not on animation frames: the app yields with timers while it builds a
 *  run) until `fn(arg)` is true in the page. */
async function until(page, fn, arg, what, timeout = 10_000) {
  await page.waitForFunction(fn, arg, { polling: 20, timeout }).catch((e) => {
    throw new Failure(`waiting for ${what}: ${e.message.split('\n')[0]}`);
  });
}

/** Types `text` into the editor and waits until it has run (the counter's length changes
 *  or, with `same`, the debounce has passed and nothing is building). */
async function typeScenario(page, text) {
  const before = (await counter(page)).len;
  await page.fill('[data-testid=editor]', text);
  await until(page, (b) => {
    const st = document.querySelector('[data-testid=editor-status]')?.textContent || '';
    const c = document.querySelector('[data-testid=step-counter]').textContent;
    return st.startsWith('✓ parsed') && !st.includes('building') && !c.endsWith(`/ ${b}`);
  }, before, 'the typed scenario to run');
}

/** A deterministic scenario whose comments do not compress: too large for a share link. */
function hugeScenario() {
  let x = 12345; // xorshift32: 32-bit integer arithmetic, so the text is the same everywhere
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const lines = ['proc shell', '  fork worker', '  wait', '  exit 0', 'proc worker', '  exit 0'];
  for (let i = 0; i < 120; i++) {
    let l = '# ';
    for (let j = 0; j < 380; j++) l += abc[rnd() % abc.length];
    lines.push(l);
  }
  return lines.join('\n') + '\n';
}

async function runUntil(page, kind, forward = true) {
  await page.selectOption('[data-testid=run-until-kind]', kind);
  await page.click(forward ? '[data-testid=run-until-forward]' : '[data-testid=run-until-back]');
}

/** slot number -> owner ("" when free) of every dynamic TSS slot. */
async function slotOwners(page) {
  return page.$$eval('[data-testid=tss-slots] [data-slot]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.slot, e.dataset.owner])));
}

async function shot(page, name, fullPage = false) {
  if (!fullPage) {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    return;
  }
  // The whole page: a window as tall as the page, then a screenshot of the window. Rows
  // off the screen are not rendered (content-visibility: auto) until they are near the
  // window, so a capture beyond the window (Playwright's fullPage) would show them blank.
  // Rendered, a row may be taller than its placeholder: grow until the height holds.
  const vp = page.viewportSize();
  for (let i = 0, h = vp.height; i < 4; i++) {
    const height = Math.min(16000, await page.evaluate(() => document.documentElement.scrollHeight));
    if (height === h) break;
    h = height;
    await page.setViewportSize({ width: vp.width, height });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.setViewportSize(vp);
}

async function bannerText(page) {
  const b = page.locator('[data-testid=error-banner]');
  await b.first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
    throw new Failure('no visible error-banner');
  });
  return (await b.first().textContent()).trim();
}

// ---------------------------------------------------------------- accessibility

// axe-core from node_modules (pinned in package-lock.json), evaluated in the page through
// the DevTools protocol: nothing is fetched, and the page's CSP (no inline script) stays on.
const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core at WCAG 2.1 AA on the page as it is now; fails with one line per
 *  violated rule and one per element (its selector and axe's summary of what is wrong).
 *  `mode` names the page's state in the message (explore, lesson, compare, embed, dark,
 *  races, predict, ...). Every mode of issue 11 calls this: a new panel or mode adds
 *  one `await audit(page, 'name')` after opening it. */
async function audit(page, mode) {
  // Let pending renders settle (the app redraws on animation frames and timers).
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const scheme = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const violations = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary || '').replace(/\s+/g, ' ').trim() })),
    }));
  }, AXE_TAGS);
  if (process.env.E2E_AXE_JSON) {
    fs.writeFileSync(path.join(SHOTS, `axe-${scheme}-${mode.replace(/[^a-z0-9]+/gi, '-')}.json`), JSON.stringify(violations, null, 1));
  }
  const lines = [];
  for (const v of violations) {
    lines.push(`${v.id} (${v.impact}, ${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'}): ${v.help}`);
    for (const n of v.nodes.slice(0, 8)) lines.push(`    ${n.target}: ${n.summary.slice(0, 300)}`);
    if (v.nodes.length > 8) lines.push(`    ...and ${v.nodes.length - 8} more`);
  }
  const message = `axe-core, WCAG 2.1 AA, mode "${mode}" (${scheme}): ${violations.length} rule(s) violated\n  ${lines.join('\n  ')}`;
  // E2E_AXE_SOFT=1: print and go on, to see every state's violations in one run.
  if (violations.length > 0 && process.env.E2E_AXE_SOFT) console.log(message);
  else assert(violations.length === 0, message);
}

// ---------------------------------------------------------------- tests

test('loads the default scenario at boot, every panel present', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const c = await counter(page);
  eq(c.pos, 0, 'position at load');
  assert(c.len > 100, `the default scenario should run for more than 100 steps, not ${c.len}`);
  for (const id of ['step-forward', 'step-back', 'action-forward', 'action-back', 'play', 'speed', 'scrubber',
    'design', 'scenario-picker', 'editor', 'share', 'cpu', 'procs', 'zombproc', 'tss-slots', 'uarea-cache',
    'source', 'narration', 'faults', 'metrics', 'switches', 'compare-picker', 'about']) {
    assert(await page.locator(`[data-testid=${id}]`).count() === 1, `one [data-testid=${id}] on the page`);
  }
  eq(await page.locator('[data-testid=error-banner]').count(), 0, 'error banners at a clean load');
  assert(await page.locator('[data-testid=procs] [data-lid]').count() >= 3, 'LWP rows at boot (proc0, init, kthreads)');
  const ua = page.locator('[data-testid=uarea-cache]');
  assert(/^\d+$/.test(await ua.getAttribute('data-nuarea')) && /^\d+$/.test(await ua.getAttribute('data-max')),
    'uarea-cache carries data-nuarea and data-max');
  eq(await page.getAttribute('[data-testid=narration]', 'aria-live'), 'polite', 'narration aria-live');
  eq(await page.inputValue('[data-testid=scenario-picker]'), 'fork-wait-loop', 'default scenario');
  // the docs the page links to are part of the served site
  for (const id of ['doc-language', 'doc-fidelity']) {
    const href = await page.getAttribute(`[data-testid=${id}]`, 'href');
    const r = await page.request.get(new URL(href, page.url()).href);
    eq(r.status(), 200, `${href} is served`);
    assert((await r.text()).startsWith('# '), `${href} is the markdown document`);
  }
  await context.close();
  return page.errors;
});

test('the Content-Security-Policy blocks injected inline script (and lets the app run)', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.appendChild(s);
    return window.__injected === true;
  });
  eq(ran, false, 'an injected inline script ran');
  const csp = page.errors.filter((e) => /Content Security Policy/i.test(e));
  assert(csp.length >= 1, 'the browser reports the blocked inline script');
  // Only the expected violation: anything else is an error.
  return page.errors.filter((e) => !/Content Security Policy/i.test(e) || !/inline script/i.test(e));
});

test('step and action buttons move the position; stepping replaces the history entry', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const h0 = await page.evaluate(() => history.length);
  for (let i = 0; i < 3; i++) await page.click('[data-testid=step-forward]');
  await atStep(page, 3);
  await urlAtStep(page, 3);
  await page.click('[data-testid=step-back]');
  await atStep(page, 2);
  await urlAtStep(page, 2);
  await page.click('[data-testid=action-forward]');
  const a = await counter(page);
  assert(a.pos > 2, `action forward from step 2 should pass step 2, got ${a.pos}`);
  await page.click('[data-testid=action-forward]');
  const b = await counter(page);
  assert(b.pos > a.pos, `a second action forward moves on (${a.pos} -> ${b.pos})`);
  await page.click('[data-testid=action-back]');
  eq((await counter(page)).pos, a.pos, 'action back returns to the start of the previous action');
  eq(await page.evaluate(() => history.length), h0, 'history length after stepping (replaceState)');
  // The scrubber seeks.
  await page.locator('[data-testid=scrubber]').fill('50');
  await atStep(page, 50);
  await context.close();
  return page.errors;
});

test('a share link opens on its exact step and design (and the clipboard gets it)', async (browser) => {
  const { page, context } = await newPage(browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE).origin });
  await open(page);
  await page.selectOption('[data-testid=design]', 'patch');
  await runUntil(page, 'zombie');
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  const want = await counter(page);
  const narration = (await page.textContent('[data-testid=narration]')).trim();
  const procs = await page.innerHTML('[data-testid=procs]');
  await page.click('[data-testid=share]');
  const field = page.locator('[data-testid=share-link]');
  await field.waitFor();
  const url = await field.inputValue();
  assert(url.includes('#'), `the share link has a fragment: ${url}`);
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  eq(clip, url, 'clipboard content');

  const { page: p2, context: c2 } = await newPage(browser);
  await p2.goto(url);
  await p2.waitForSelector('[data-testid=step-counter]');
  eq((await counter(p2)).text, want.text, 'step counter of the opened link');
  eq(await p2.inputValue('[data-testid=design]'), 'patch', 'design of the opened link');
  eq((await p2.textContent('[data-testid=narration]')).trim(), narration, 'narration of the opened link');
  eq(await p2.innerHTML('[data-testid=procs]'), procs, 'process table of the opened link');
  eq(await p2.locator('[data-testid=error-banner]').count(), 0, 'banners on a good link');
  // A link built by script lands on its step too.
  const text = await p2.inputValue('[data-testid=editor]');
  const frag = await linkFor(p2, text, 'reaper', 77);
  const { page: p3, context: c3 } = await newPage(browser);
  await open(p3, `#${frag}`);
  eq((await counter(p3)).pos, 77, 'position from a scripted link');
  eq(await p3.inputValue('[data-testid=design]'), 'reaper', 'design from a scripted link');
  // Without clipboard permission the link is still shown, ready to copy by hand.
  const { page: p4, context: c4 } = await newPage(browser);
  await open(p4, `#${frag}`);
  await p4.evaluate(() => { Object.defineProperty(navigator, 'clipboard', { value: undefined }); });
  await p4.click('[data-testid=share]');
  const f4 = p4.locator('[data-testid=share-link]');
  await f4.waitFor();
  assert((await f4.inputValue()).includes(`#${frag}`), 'the fallback field holds the link');
  assert(/Copy this link/.test(await p4.textContent('.share-msg')), 'the fallback says to copy the link');
  const errors = [...page.errors, ...p2.errors, ...p3.errors, ...p4.errors];
  await Promise.all([context.close(), c2.close(), c3.close(), c4.close()]);
  return errors;
});

for (const design of ['patch', 'reaper', 'committed', 'fixed']) {
  test(`${design}: stepping frees the exiting LWP's TSS slot and puts the proc on zombproc`, async (browser) => {
    const { page, context } = await newPage(browser);
    await open(page);
    await page.selectOption('[data-testid=design]', design);
    await page.keyboard.press('Home');
    // the source panel says which sources the design's pseudo-source follows
    const sources = await page.textContent('[data-testid=design-sources]');
    const want = { patch: /2003-11-02/, reaper: /1\.121/, committed: /No 2004 text/, fixed: /kern\/24329/ }[design];
    assert(want.test(sources), `${design}: the sources note: "${sources}"`);
    eq(await page.locator('[data-testid=zombproc] [data-pid]').count(), 0, 'zombies at boot');
    await runUntil(page, 'TSS free');
    const at = (await counter(page)).pos;
    assert(at > 0, 'run until TSS free moved forward');
    const after = await slotOwners(page);
    await page.click('[data-testid=step-back]');
    await atStep(page, at - 1);
    const before = await slotOwners(page);
    const freed = Object.keys(before).filter((s) => before[s] !== '' && after[s] === '');
    eq(freed.length, 1, `slots freed by step ${at} (before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`);
    const owner = before[freed[0]];
    const pid = owner.split('.')[0];
    await page.click('[data-testid=step-forward]');
    await atStep(page, at);
    eq(await page.getAttribute(`[data-testid=tss-slots] [data-slot="${freed[0]}"]`, 'data-owner'), '', 'owner of the freed slot');
    // Step on until that proc is a zombie on zombproc.
    let found = false;
    for (let i = 0; i < 6 && !found; i++) {
      await runUntil(page, 'zombie');
      found = (await page.locator(`[data-testid=zombproc] [data-pid="${pid}"]`).count()) === 1
        && (await page.getAttribute(`[data-testid=procs] [data-pid="${pid}"]`, 'data-pstat')) === 'SZOMB';
    }
    assert(found, `pid ${pid} (owner of TSS slot ${freed[0]}) became SZOMB on zombproc`);
    await shot(page, `zombie-${design}`);
    await context.close();
    return page.errors;
  });
}

test('play advances at the chosen speed; pause stops it', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  await page.selectOption('[data-testid=speed]', '20');
  await page.click('[data-testid=play]');
  eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'true', 'play pressed');
  eq(await page.getAttribute('[data-testid=narration]', 'aria-live'), 'off', 'narration quiet while playing');
  await page.waitForTimeout(1200);
  await page.click('[data-testid=play]');
  const a = await counter(page);
  assert(a.pos >= 8 && a.pos <= 40, `about 24 steps in 1.2 s at 20 steps/s, got ${a.pos}`);
  eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'false', 'play released');
  await page.waitForTimeout(500);
  eq((await counter(page)).pos, a.pos, 'position after pause');
  await urlAtStep(page, a.pos);
  await context.close();
  return page.errors;
});

test('keyboard: arrows, Shift+arrows, Home/End, Space; keys are left alone in the editor', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  assert(await page.getByText('Shift + →').count() >= 1, 'the key list is on screen');
  await page.click('h1');
  await page.keyboard.press('ArrowRight');
  await atStep(page, 1);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await atStep(page, 1);
  await page.keyboard.press('Shift+ArrowRight');
  const a = await counter(page);
  assert(a.pos > 1, `Shift+→ goes to the next action, got ${a.pos}`);
  await page.keyboard.press('Shift+ArrowLeft');
  assert((await counter(page)).pos < a.pos, 'Shift+← goes back an action');
  await page.keyboard.press('End');
  await atStep(page, a.len);
  await page.keyboard.press('Home');
  await atStep(page, 0);
  await page.keyboard.press('Space');
  eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'true', 'Space plays');
  await page.waitForTimeout(450);
  await page.keyboard.press('Space');
  eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'false', 'Space pauses');
  const b = await counter(page);
  assert(b.pos > 0, 'playing moved on');
  // Space on a focused button still means play/pause, and does not press the button.
  await page.focus('[data-testid=step-forward]');
  await page.keyboard.press('Space');
  eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'true', 'Space with a button focused plays');
  await page.keyboard.press('Space');
  // A focused drop-down list keeps its choice: ← and → step instead of changing it.
  await page.selectOption('[data-testid=design]', 'patch');
  await page.focus('[data-testid=design]');
  const d0 = await counter(page);
  await page.keyboard.press('ArrowRight');
  await atStep(page, d0.pos + 1);
  eq(await page.inputValue('[data-testid=design]'), 'patch', 'design after → on the focused design list');
  // In the editor, keys edit text and do not step.
  const c = await counter(page);
  const before = await page.inputValue('[data-testid=editor]');
  await page.focus('[data-testid=editor]');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowRight');
  eq((await counter(page)).pos, c.pos, 'position after keys in the editor');
  eq(await page.inputValue('[data-testid=editor]'), before, 'editor text after moving the caret');
  await context.close();
  return page.errors;
});

test('a broken link gives a message and the default scenario, not a blank page', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page, '#this-is-not-an-exitpath-link');
  const text = await bannerText(page);
  assert(text.length > 20, `the banner says what was wrong: "${text}"`);
  await shot(page, 'broken-link');
  const c = await counter(page);
  eq(c.pos, 0, 'position after a broken link');
  eq(await page.inputValue('[data-testid=scenario-picker]'), 'fork-wait-loop', 'scenario after a broken link');
  assert(await page.locator('[data-testid=procs] [data-lid]').count() >= 3, 'the process table is shown');
  await context.close();
  return page.errors;
});

test('a link past the end is clamped to the end, with a message', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const text = await page.inputValue('[data-testid=editor]');
  const frag = await linkFor(page, text, 'patch', 999999);
  const { page: p2, context: c2 } = await newPage(browser);
  await open(p2, `#${frag}`);
  const msg = await bannerText(p2);
  assert(msg.includes('999999'), `the message names the step asked for: "${msg}"`);
  const c = await counter(p2);
  eq(c.pos, c.len, 'position after clamping');
  const errors = [...page.errors, ...p2.errors];
  await Promise.all([context.close(), c2.close()]);
  return errors;
});

test('a broken scenario shows its line and column, keeps the text and the last good run', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  await page.keyboard.press('End');
  const good = await counter(page);
  const bad = 'proc shell\n  fork worker\n  frobnicate 3\nproc worker\n  exit 0\n';
  await page.fill('[data-testid=editor]', bad);
  const err = page.locator('[data-testid=editor-error]');
  await err.waitFor();
  const msg = (await err.textContent()).trim();
  assert(/line 3/.test(msg) && /column \d+/.test(msg), `the error names line 3 and a column: "${msg}"`);
  eq(await page.inputValue('[data-testid=editor]'), bad, 'editor text after a parse error');
  eq((await counter(page)).text, good.text, 'the last good run stays on screen');
  assert(await page.locator('[data-testid=procs] [data-lid]').count() >= 3, 'panels still shown');
  // The gutter numbers the lines and marks the error's; a click on the position puts the
  // cursor there (line 3, column of `frobnicate`).
  eq((await page.textContent('[data-testid=editor] ~ * .err, .editor-wrap .gutter .err')).trim(), '3', 'the error line is marked in the gutter');
  const col = Number(/column (\d+)/.exec(msg)[1]);
  await page.click('[data-testid=editor-error-at]');
  const caret = await page.evaluate(() => {
    const t = document.querySelector('[data-testid=editor]');
    return { at: t.selectionStart, focused: document.activeElement === t };
  });
  eq(JSON.stringify(caret), JSON.stringify({ at: 'proc shell\n  fork worker\n'.length + col - 1, focused: true }), 'the cursor at line 3, column ' + col);
  await shot(page, 'editor-error', true);
  // Fixing it runs the new text.
  await page.fill('[data-testid=editor]', 'proc shell\n  fork worker\n  wait\n  exit 0\nproc worker\n  exit 0\n');
  await err.waitFor({ state: 'detached' });
  await until(page, (n) => !document.querySelector('[data-testid=step-counter]').textContent.endsWith(`/ ${n}`),
    good.len, 'the fixed text to run');
  const fixed = await counter(page);
  assert(fixed.len !== good.len, `the fixed text runs (${fixed.len} steps vs ${good.len})`);
  eq(await page.locator('[data-testid=scenario-picker] option:checked').textContent(), 'your own scenario', 'picker after editing');
  await context.close();
  return page.errors;
});

test('design and scenario changes push history entries; Back restores them', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const h0 = await page.evaluate(() => history.length);
  await page.selectOption('[data-testid=design]', 'patch');
  await page.waitForFunction((h) => history.length === h + 1, h0);
  await page.selectOption('[data-testid=scenario-picker]', 'three-lwps');
  await page.waitForFunction((h) => history.length === h + 2, h0);
  assert((await page.inputValue('[data-testid=editor]')).includes('lwp t1'), 'the editor holds the picked scenario');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-testid=scenario-picker]').value === 'fork-wait-loop');
  eq(await page.inputValue('[data-testid=design]'), 'patch', 'design after Back');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('[data-testid=design]').value === 'reaper');
  await context.close();
  return page.errors;
});

test('?embed shows state and controls without the editor', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 900, height: 600 } });
  await open(page);
  const frag = await linkFor(page, await page.inputValue('[data-testid=editor]'), 'patch', 140);
  await open(page, `?embed#${frag}`);
  eq(await page.locator('[data-testid=editor]').count(), 0, 'editors in embed mode');
  eq(await page.locator('[data-testid=scenario-picker]').count(), 0, 'scenario pickers in embed mode');
  eq((await counter(page)).pos, 140, 'position in embed mode');
  await page.click('[data-testid=step-forward]');
  await atStep(page, 141);
  await shot(page, 'embed');
  // The codec's embed flag does the same without the query string.
  const { page: p2, context: c2 } = await newPage(browser, { viewport: { width: 900, height: 600 } });
  await open(p2, '');
  const frag2 = await linkFor(p2, await p2.inputValue('[data-testid=editor]'), 'reaper', 33, true);
  await open(p2, `#${frag2}`);
  await p2.reload();
  await p2.waitForSelector('[data-testid=step-counter]');
  eq(await p2.locator('[data-testid=editor]').count(), 0, 'editors with the embed flag');
  eq((await counter(p2)).pos, 33, 'position with the embed flag');
  page.errors.push(...p2.errors);
  await c2.close();
  await context.close();
  return page.errors;
});

test('a what-if switch: faults are listed with their step, and clicking one jumps there', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const text = (await page.inputValue('[data-testid=editor]'))
    .replace('proc shell', 'cpus 2\nswitch uarea_cache_before_switch_exit\n\nproc shell');
  await open(page, `#${await linkFor(page, text, 'patch', 0)}`);
  await page.reload();
  await page.waitForSelector('[data-testid=step-counter]');
  const items = page.locator('[data-testid=faults] li');
  assert(await items.count() >= 1, 'the faults panel lists findings');
  const label = (await items.first().locator('button').first().textContent()).trim();
  const want = Number(/step (\d+)/.exec(label)[1]);
  await items.first().locator('button').first().click();
  await atStep(page, want);
  const said = await page.textContent('[data-testid=narration]');
  assert(/fault|invariant/.test(said), `the narration shows the finding: "${said}"`);
  await page.keyboard.press('Home');
  await runUntil(page, 'fault');
  eq((await counter(page)).pos, want, 'run until fault stops at the first finding');
  await shot(page, 'whatif-fault');
  await shot(page, 'whatif-fault-full', true);
  await context.close();
  return page.errors;
});

test('why: a click on a value names the step that set it, exactly; Enter asks too; a jump goes there', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  await runUntil(page, 'zombie');
  await until(page, () => !/^step 0 \//.test(document.querySelector('[data-testid=step-counter]').textContent.trim()), null, 'run until zombie');
  const at = (await counter(page)).pos;
  // The zombie's l_stat: ask with a click.
  const cell = page.locator('[data-testid=procs] [data-cell$=".l_stat"]').last();
  const name = await cell.getAttribute('data-cell');
  const value = (await cell.textContent()).trim();
  await cell.click();
  const why = page.locator('[data-testid=why]');
  await why.waitFor();
  assert((await why.textContent()).includes(`${name} = ${value} at step ${at}`), `the panel names ${name} = ${value} at step ${at}: ${await why.textContent()}`);
  const first = why.locator('.why-first');
  const step = Number(await first.getAttribute('data-step'));
  assert(step >= 1 && step <= at, `the change is at or before step ${at}: ${step}`);
  const before = (await first.locator('.why-before').textContent()).trim();
  // Exact: the value at that step is the answer, one step before it is `before`, and
  // nothing changed in between (the cell at the step holds the same value as at `at`).
  await first.locator('.why-go').click();
  await atStep(page, step);
  const sel = `[data-testid=procs] [data-cell="${name}"]`;
  eq((await page.textContent(sel)).trim(), value, `${name} right after step ${step}`);
  await page.keyboard.press('ArrowLeft');
  await atStep(page, step - 1);
  eq((await page.textContent(sel)).trim(), before, `${name} just before step ${step}`);
  // Watchpoints: from just before the change, "next change" runs to it, and
  // "previous change" goes back to the change before.
  await page.click('[data-testid=why-next]');
  await atStep(page, step);
  await shot(page, 'why-panel');
  await page.click('[data-testid=why-prev]');
  const back = (await counter(page)).pos;
  assert(back < step, `previous change is before step ${step}: ${back}`);
  // Keyboard: focus a CPU register and press Enter; Esc closes the panel.
  await page.focus('[data-cell="cpu.0.tr"]');
  await page.keyboard.press('Enter');
  await until(page, () => /cpu\.0\.tr = /.test(document.querySelector('[data-testid=why]')?.textContent || ''), null, 'the panel answers for cpu.0.tr');
  // The link carries the question: a page opened from it answers it at once.
  await until(page, () => /(^#|&)q=cpu\.0\.tr(&|$)/.test(location.hash), null, 'the URL carries q=cpu.0.tr');
  const p2 = await context.newPage();
  await p2.goto(page.url());
  await p2.waitForSelector('[data-testid=why]');
  assert(/cpu\.0\.tr = /.test(await p2.textContent('[data-testid=why]')), 'the opened link asks about cpu.0.tr');
  await p2.close();
  await page.keyboard.press('Escape');
  await until(page, () => !document.querySelector('[data-testid=why]'), null, 'Esc closes the why panel');
  await context.close();
  return page.errors;
});

test('breakpoints: a click on a line number sets one; play stops there; b clears it', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  for (let i = 0; i < 30; i++) await page.click('[data-testid=step-forward]');
  await atStep(page, 30);
  const func = (await page.textContent('[data-testid=source] h2 .mono')).trim();
  const hit = page.locator('[data-testid=source] li.hit button.ln').first();
  const line = (await hit.textContent()).trim();
  await hit.click();
  await until(page, () => document.querySelector('[data-testid=source] li.hit.bp') !== null, null, 'the line shows its breakpoint');
  await shot(page, 'breakpoint-set');
  // Play from boot: the next time the kernel runs this line, play stops on it.
  await page.keyboard.press('Home');
  await atStep(page, 0);
  await page.selectOption('[data-testid=speed]', { index: (await page.locator('[data-testid=speed] option').count()) - 1 });
  await page.click('[data-testid=play]');
  await until(page, () => /breakpoint/.test(document.querySelector('.controls')?.textContent || ''), null, 'play stops at the breakpoint', 20_000);
  const stop = (await counter(page)).pos;
  assert(stop >= 1 && stop <= 30, `play stopped at or before step 30, where the line ran: ${stop}`);
  eq((await page.textContent('[data-testid=source] h2 .mono')).trim(), func, 'the stopped step runs the function');
  eq((await page.textContent('[data-testid=source] li.hit button.ln')).trim(), line, 'and the line');
  assert(/Stopped at a breakpoint/.test(await page.textContent('.controls')), 'the status says why play stopped');
  await shot(page, 'breakpoint-stop');
  // The link carries the breakpoint: a new page opened from it has it, and play stops there.
  await until(page, () => /(^#|&)k=[a-z_0-9]+:\d+(&|$)/.test(location.hash), null, 'the URL carries k=');
  const p2 = await context.newPage();
  p2.errors = [];
  p2.on('pageerror', (e) => p2.errors.push(`page error: ${e.message}`));
  await p2.goto(page.url());
  await p2.waitForSelector('[data-testid=step-counter]');
  await until(p2, () => document.querySelector('[data-testid=source] li.hit.bp') !== null, null, 'the opened link shows the breakpoint');
  await p2.close();
  // b on the stopped line clears it.
  await page.keyboard.press('b');
  await until(page, () => document.querySelector('[data-testid=source] li.bp') === null, null, 'b clears the breakpoint');
  await context.close();
  return page.errors;
});

test('checkpoints: the scenario\'s stops jump to their step in every design, in embed mode too', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const items = page.locator('[data-testid=checkpoints] li button');
  assert(await items.count() >= 5, 'the default scenario has its checkpoints');
  const exit = page.locator('[data-testid=checkpoints] button', { hasText: 'calls exit(3)' });
  const at = Number(await exit.getAttribute('data-step'));
  await exit.click();
  await atStep(page, at);
  assert(/exit1/.test(await page.textContent('[data-testid=narration]')), 'the exit checkpoint shows exit1 beginning');
  assert(await page.locator('[data-testid=checkpoints] li.here').count() === 1, 'the checkpoint at the position is marked');
  await shot(page, 'checkpoints');
  // Another design: the same checkpoints, at that design's steps (the zombie comes later in reaper).
  const zombieAt = async () => Number(await page.locator('[data-testid=checkpoints] button', { hasText: 'is a zombie' }).getAttribute('data-step'));
  const inReaper = await zombieAt();
  await page.selectOption('[data-testid=design]', 'patch');
  await until(page, () => /patch/.test(document.querySelector('[data-testid=source]')?.textContent || '') || true, null, 'design switch');
  await page.waitForTimeout(300);
  const inPatch = await zombieAt();
  assert(inPatch < inReaper, `patch makes the worker a zombie sooner than reaper (${inPatch} < ${inReaper})`);
  // Embed mode keeps them.
  await open(page, '?embed');
  assert(await page.locator('[data-testid=checkpoints] li').count() >= 5, 'checkpoints in embed mode');
  await context.close();
  return page.errors;
});

test('a lesson: start, Page Down through the stops, Esc leaves, a link opens at stop 4', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1280, height: 720 } });
  await open(page);
  const cps = await page.$$eval('[data-testid=checkpoints] button[data-step]', (bs) => bs.map((b) => Number(b.dataset.step)));
  await page.click('[data-testid=lesson-start]');
  await until(page, () => /stop 1 of/.test(document.querySelector('[data-testid=lesson]')?.textContent || ''), null, 'stop 1');
  const first = (await counter(page)).pos;
  assert(first > 0, 'the first stop moves the position');
  await shot(page, 'lesson-stop1');
  // Keyboard only: Page Down to the next stops; every stop is one of the checkpoints.
  const seen = [first];
  for (let k = 2; k <= 4; k++) {
    await page.keyboard.press('PageDown');
    await until(page, (k) => new RegExp(`stop ${k} of`).test(document.querySelector('[data-testid=lesson]')?.textContent || ''), k, `stop ${k}`);
    seen.push((await counter(page)).pos);
  }
  assert((await page.locator('[data-testid=checkpoints]').count()) === 0, 'in the lesson its stops replace the checkpoints row');
  for (const p of seen) assert(cps.includes(p), `lesson stop at step ${p} is a checkpoint (${cps})`);
  assert((await page.textContent('[data-testid=lesson]')).length > 80, 'the stop has words');
  await shot(page, 'lesson-stop4');
  // The link carries stop 4.
  await until(page, () => /(^#|&)l=4(&|$)/.test(location.hash), null, 'the URL carries l=4');
  const url = page.url();
  // Esc leaves the lesson and the position stays.
  const here = (await counter(page)).pos;
  await page.keyboard.press('Escape');
  await until(page, () => document.querySelector('[data-testid=lesson-start]') !== null, null, 'Esc leaves the lesson');
  eq((await counter(page)).pos, here, 'leaving keeps the position');
  const p2 = await context.newPage();
  await p2.goto(url);
  await p2.waitForSelector('[data-testid=lesson]');
  await until(p2, () => /stop 4 of/.test(document.querySelector('[data-testid=lesson]')?.textContent || ''), null, 'the link opens at stop 4');
  eq((await counter(p2)).pos, seen[3], 'at stop 4\'s step');
  await p2.close();
  await context.close();
  return page.errors;
});

/** What the native CLI prints (the `exitpath` that `cargo xtask test` built before this
 *  stage: target/debug/exitpath, or EXITPATH_BIN). */
function cli(args) {
  const bin = process.env.EXITPATH_BIN || path.join(ROOT, 'target', 'debug', 'exitpath');
  assert(fs.existsSync(bin), `the native CLI is missing at ${bin} (build it: cargo build)`);
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Opens a Chrome trace-event JSON in speedscope (node_modules/speedscope, served by
 *  routing a 127.0.0.1 address to the files: nothing leaves the machine) and checks it
 *  imports as a Trace Event Format profile with a profile per thread that has slices. */
async function speedscopeOpens(context, text, trace) {
  const dir = path.join(ROOT, 'node_modules', 'speedscope', 'dist', 'release');
  assert(fs.existsSync(path.join(dir, 'index.html')), 'speedscope is missing: cargo xtask install');
  const origin = 'http://127.0.0.1:9/speedscope/';
  await context.route(`${origin}**`, (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.replace('/speedscope/', ''));
    if (name === 'trace.json') return route.fulfill({ body: text, contentType: 'application/json' });
    const file = path.join(dir, path.basename(name));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' }[path.extname(file)];
    return route.fulfill({ body: fs.readFileSync(file), contentType: type || 'application/octet-stream' });
  });
  const page = await context.newPage();
  const said = [];
  page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => said.push(`page error: ${e.message}`));
  await page.goto(`${origin}index.html#profileURL=trace.json&title=exitpath`);
  await until(page, () => /exitpath \(1\/\d+\)/.test(document.body.innerText), null, 'speedscope shows the profile');
  const threads = new Set(trace.traceEvents.filter((e) => e.ph === 'X' || e.ph === 'B').map((e) => `${e.pid}.${e.tid}`));
  const shown = Number(/exitpath \(1\/(\d+)\)/.exec(await page.evaluate(() => document.body.innerText))[1]);
  eq(shown, threads.size, 'speedscope: a profile per thread track with slices');
  assert(said.some((l) => l.includes('Importing as Trace Event Format profile')), `speedscope reads it as trace events: ${said.join(' | ')}`);
  assert(!said.some((l) => l.startsWith('error') || l.startsWith('page error')), `speedscope errors: ${said.join(' | ')}`);
  await page.screenshot({ path: path.join(SHOTS, 'perfetto-export-in-speedscope.png') });
  await page.close();
}

/** `exitpath quiz` (JSON, with answers) for a scenario file. */
function cliQuiz(file, design, seed, count) {
  const out = cli(['quiz', path.join(ROOT, file), '--design', design, '--seed', String(seed),
    '--count', String(count), '--format', 'json', '--answers']);
  return JSON.parse(out).questions;
}

test('predict: the page asks what exitpath quiz prints; wrong then right (by keyboard), the score, a link opens question 2', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await open(page);
  const qs = cliQuiz('scenarios/fork-wait-loop.scn', 'reaper', 1, 8);
  eq(qs.length, 8, 'the CLI asks 8 questions');
  await page.click('[data-testid=predict-on]');
  await page.click('[data-testid=predict-next]');
  await until(page, () => /Question 1 of 8/.test(document.querySelector('[data-testid=predict]')?.textContent || ''), null, 'question 1');
  eq((await page.textContent('[data-testid=predict-text]')).trim(), qs[0].question, 'question 1 is the CLI\'s');
  eq((await counter(page)).pos, qs[0].step, 'at the question\'s step');
  const choices = await page.$$eval('[data-testid=predict-choice]', (bs) => bs.map((b) => b.textContent.replace(/^[a-e]\) /, '')));
  eq(JSON.stringify(choices), JSON.stringify(qs[0].choices), 'the same choices in the same order');
  assert(await page.evaluate(() => document.querySelector('.app').classList.contains('predicting')), 'the lifelines and markers are hidden while the question waits');
  await shot(page, 'predict-question');
  // a wrong answer: the reveal goes to the step that shows the answer
  const wrong = (qs[0].answer + 1) % qs[0].choices.length;
  await page.click(`[data-testid=predict-choice] >> nth=${wrong}`);
  await until(page, () => document.querySelector('[data-testid=predict-reveal]') !== null, null, 'the reveal');
  assert((await page.textContent('[data-testid=predict-reveal]')).includes('Not quite'), 'a wrong answer says so');
  eq((await counter(page)).pos, qs[0].reveal, 'the reveal shows the answer\'s step');
  eq((await page.textContent('[data-testid=predict-score]')).trim(), 'Score: 0 of 1 right', 'score');
  assert(!(await page.evaluate(() => document.querySelector('.app').classList.contains('predicting'))), 'nothing hidden after the reveal');
  await shot(page, 'predict-reveal');
  // question 2, answered rightly with the keyboard only
  await page.click('[data-testid=predict-next]');
  await until(page, () => /Question 2 of 8/.test(document.querySelector('[data-testid=predict]')?.textContent || ''), null, 'question 2');
  eq((await page.textContent('[data-testid=predict-text]')).trim(), qs[1].question, 'question 2 is the CLI\'s');
  await page.focus('[data-testid=predict-choice] >> nth=0');
  for (let i = 0; i < qs[1].answer; i++) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await until(page, () => document.querySelector('[data-testid=predict-reveal]') !== null, null, 'the reveal of question 2');
  assert((await page.textContent('[data-testid=predict-reveal] .verdict')).includes('Right'), 'the right answer says so');
  eq((await page.textContent('[data-testid=predict-score]')).trim(), 'Score: 1 of 2 right', 'score');
  // the link carries the seed and the question
  await page.click('text=Back to step');
  await until(page, () => /(^#|&)p=1\.2(&|$)/.test(location.hash), null, 'the URL carries p=1.2');
  const p2 = await context.newPage();
  await p2.goto(page.url());
  await p2.waitForSelector('[data-testid=predict-text]');
  eq((await p2.textContent('[data-testid=predict-text]')).trim(), qs[1].question, 'the link opens question 2');
  eq((await counter(p2)).pos, qs[1].step, 'at its step');
  // "Ask" here about a cell: the same question `exitpath quiz --at N --kind action` asks;
  // after the reveal, the step that changed the cell is one click away (its source line)
  await p2.click('[data-testid=predict] .lesson-dots button >> nth=0');
  await atStep(p2, qs[0].step);
  const [here] = JSON.parse(cli(['quiz', path.join(ROOT, 'scenarios/fork-wait-loop.scn'), '--design', 'reaper',
    '--at', String(qs[0].step), '--kind', 'action', '--format', 'json', '--answers'])).questions;
  await p2.selectOption('#predict-kind', 'action');
  await p2.click('[data-testid=predict-ask]');
  await until(p2, (t) => document.querySelector('[data-testid=predict-text]')?.textContent.trim() === t, here.question, 'the asked question');
  await p2.click(`[data-testid=predict-choice] >> nth=${here.answer}`);
  await atStep(p2, here.reveal);
  if (here.decided_at !== null && here.decided_at !== here.reveal) {
    await p2.click('[data-testid=predict-decided]');
    await atStep(p2, here.decided_at);
  }
  await p2.close();
  await context.close();
  return page.errors;
});

test('fork.py exercise: trees hidden until revealed, equal to the CLI; stepping highlights the action; the link carries it; print', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  // `exitpath forkpy -s 3 -a 8 -c` (design patch): the trees after actions 3 and 8, its
  // 31-column indent left out as the panel leaves it out.
  const after3 = 'a\n├── b\n│   └── d\n└── c\n';
  const after8 = 'a\n├── b\n│   └── d\n│       └── e\n│           ├── f\n│           └── g (zombie)\n└── c\n    └── h\n';
  await open(page, '#v=1&d=patch&s=0&x=3,8,0.7,-&z=eNoDAAAAAAE');
  await page.waitForSelector('[data-testid=ex-action]');
  eq(await page.locator('[data-testid=ex-action]').count(), 8, 'actions listed');
  eq(await page.locator('[data-testid=ex-action] [data-testid=ex-tree]').count(), 0, 'every tree hidden at first');
  eq(await page.locator('[data-testid=ex-hidden]').count(), 8, '"Process Tree?" for each action');
  eq((await page.textContent('[data-testid=ex-what] >> nth=7')).trim(), 'Action: g EXITS', 'the eighth action');
  eq(await page.locator('[data-testid=error-banner]').count(), 0, 'no banner');
  const reveal = (i) => page.locator('[data-testid=ex-action]').nth(i).locator('[data-testid=ex-reveal]');
  await reveal(7).click();
  await reveal(2).click();
  eq(await page.locator('[data-testid=ex-action]').nth(7).locator('[data-testid=ex-tree]').textContent(), after8, 'the tree after action 8 is the CLI\'s');
  eq(await page.locator('[data-testid=ex-action]').nth(2).locator('[data-testid=ex-tree]').textContent(), after3, 'the tree after action 3 is the CLI\'s');
  eq((await page.textContent('[data-testid=ex-count]')).trim(), '2 of 8 answers shown', 'the count');
  assert((await page.textContent('[data-testid=ex-cli]')).includes('exitpath forkpy -s 3 -a 8 -f 0.7 -c'), 'the panel names the command');
  // Stepping: action 4's number goes to its turn; it is highlighted and the panels follow.
  const before = await page.textContent('[data-testid=procs]');
  await page.locator('[data-testid=ex-action]').nth(3).locator('.ex-n').click();
  await until(page, () => document.querySelector('[data-testid=ex-action][data-index="3"]')?.classList.contains('here'), null, 'action 4 highlighted');
  const c = await counter(page);
  assert(c.pos > 0, 'the cursor moved to action 4');
  assert((await page.textContent('[data-testid=procs]')) !== before, 'the process table changed');
  await shot(page, 'exercise-action4');
  for (let i = 0; i < 400 && !(await page.locator('[data-testid=ex-action][data-index="4"].here').count()); i++) {
    await page.keyboard.press('ArrowRight');
  }
  assert(await page.locator('[data-testid=ex-action][data-index="4"].here').count(), 'stepping on reaches action 5');
  // The URL carries every parameter, not the list.
  await until(page, () => /(^#|&)x=3,8,0.7,-(&|$)/.test(location.hash), null, 'the URL carries x=3,8,0.7,-');
  await page.click('[data-testid=ex-reveal-all]');
  eq(await page.locator('[data-testid=ex-action] [data-testid=ex-tree]').count(), 8, 'Reveal all');
  // Print 2 variants: seeds 3 and 4, then their answer keys.
  await page.fill('[data-testid=ex-variants]', '2');
  await page.click('[data-testid=ex-print]');
  await page.waitForSelector('[data-testid=sheets]');
  eq(await page.locator('[data-testid=sheet]').count(), 2, 'a sheet per variant');
  eq(await page.locator('[data-testid=sheet-key]').count(), 2, 'an answer key per variant');
  assert((await page.textContent('[data-testid=sheet-key] >> nth=0')).includes('g (zombie)'), 'the key has the trees');
  await shot(page, 'exercise-print');
  await page.click('[data-testid=sheets-close]');
  eq(await page.locator('[data-testid=sheets]').count(), 0, 'Close');
  // A bad parameter names the field, and the default scenario runs.
  const p2 = await context.newPage();
  p2.errors = [];
  await p2.goto(new URL('#v=1&d=patch&s=0&x=3,0,0.7,-&z=eNoDAAAAAAE', BASE).href);
  await p2.waitForSelector('[data-testid=step-counter]');
  const text = await bannerText(p2);
  assert(text.includes('number of actions `0`'), `the banner names the field: "${text}"`);
  assert(await p2.locator('[data-testid=procs] [data-lid]').count() >= 3, 'the process table is shown');
  await p2.close();
  await context.close();
  return page.errors;
});

test('a compact embed at 960x600: title, checkpoints and the process table on screen; panels= chooses; a bad name says so', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 960, height: 600 } });
  await open(page, '?embed');
  eq((await page.textContent('[data-testid=embed-title]')).trim(), '· The fork/wait loop (the fast path)', 'the scenario title');
  assert(await page.locator('[data-testid=checkpoints] li').count() >= 5, 'the checkpoints');
  const top = await page.evaluate(() => document.querySelector('[data-testid=procs]').getBoundingClientRect().top);
  assert(top < 600, `the process table starts within the 600-pixel frame (${top})`);
  await shot(page, 'embed-960x600');
  await open(page, '?embed&panels=narration,procs,cpu');
  await page.waitForSelector('[data-testid=procs]');
  assert(!(await page.isVisible('[data-testid=source]')), 'panels= hides the source');
  assert(await page.isVisible('[data-testid=cpu]') && await page.isVisible('[data-testid=narration]'), 'and shows what it names');
  await shot(page, 'embed-960x600-panels');
  await open(page, '?embed&panels=procs,registers');
  assert(/`registers` is not a panel/.test(await page.textContent('[data-testid=panels-error]')), 'a bad name is named');
  assert(await page.isVisible('[data-testid=source]'), 'and every panel shows');
  await context.close();
  return page.errors;
});

test('lifelines: a lane per process and LWP, by state; a click on a lane seeks there', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  await page.click('[data-testid=lifelines] summary');
  await page.waitForSelector('[data-testid=lifelines] .ll-row[data-pid="11"]');
  assert(await page.locator('[data-testid=lifelines] .ll-row[data-pid]').count() >= 9, 'a lane per process (kthreads, init, shell, five workers)');
  assert(await page.locator('[data-testid=lifelines] .ll-lwp').count() >= 9, 'a lane per LWP');
  assert(await page.locator('[data-testid=lifelines] rect.st-zomb').count() >= 5, 'each worker is a zombie for a while');
  const len = (await counter(page)).len;
  // Click the middle of the first worker's lane: the position is about half the run.
  const lane = page.locator('[data-testid=lifelines] .ll-row[data-pid="11"] svg');
  const box = await lane.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await until(page, () => !/^step 0 \//.test(document.querySelector('[data-testid=step-counter]').textContent.trim()), null, 'the click seeks');
  const pos = (await counter(page)).pos;
  assert(Math.abs(pos - len / 2) <= len / 50, `a click half-way along a lane goes half-way into the run (${pos} of ${len})`);
  await shot(page, 'lifelines');
  // The run for Perfetto: the same export as `exitpath export --format perfetto`.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-perfetto]')]);
  assert(/\.perfetto\.json$/.test(dl.suggestedFilename()), `a .perfetto.json file: ${dl.suggestedFilename()}`);
  const perfetto = fs.readFileSync(await dl.path(), 'utf8');
  const trace = JSON.parse(perfetto);
  eq(trace.otherData.micro_steps, len, 'the export covers the whole run');
  assert(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name'), 'thread names');
  assert(trace.traceEvents.filter((e) => e.ph === 'X').length > 50, 'slices');
  // ...and a real trace viewer reads it: speedscope (npm, pinned, served from
  // node_modules; ui.perfetto.dev is not reachable offline and Chromium 148 has no
  // chrome://tracing any more). One profile per thread track with slices.
  await speedscopeOpens(context, perfetto, trace);
  // The lanes as an SVG picture (engine::lifelines_svg, also `exitpath export --format svg`).
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-svg]')]);
  const pic = fs.readFileSync(await svg.path(), 'utf8');
  assert(pic.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && pic.includes('>11.1 worker<'), 'an SVG with the lanes');
  // The trace as JSON: byte for byte what the native CLI prints (the same run in wasm).
  const [tj] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-trace]')]);
  assert(/\.trace\.json$/.test(tj.suggestedFilename()), `a .trace.json file: ${tj.suggestedFilename()}`);
  const native = cli(['export', path.join(ROOT, 'scenarios/fork-wait-loop.scn'), '--design', 'reaper', '--format', 'json']);
  eq(fs.readFileSync(await tj.path(), 'utf8').trim(), native.trim(), 'the page\'s trace JSON equals `exitpath export --format json`');
  await context.close();
  return page.errors;
});

test('two questions of issue 13 answered in two clicks each from a fresh load', async (browser) => {
  const { page, context } = await newPage(browser);
  const say = async () => (await page.textContent('[data-testid=narration]')).replace(/\s+/g, ' ');
  const stack = async () => (await page.textContent('[data-testid=source] .callstack')).replace(/\s+/g, ' ');
  // In patch, who frees the TSS of an exiting process, and when, relative to SZOMB?
  await open(page);
  await page.selectOption('[data-testid=design]', 'patch');
  await page.waitForTimeout(300);
  await page.click('[data-testid=checkpoints] button:has-text("TSS slot is freed")');
  assert(/tss_free: GDT slot \d+, the TSS of 11\.1 \(worker\), is free again/.test(await say()), `the narration: ${await say()}`);
  assert(/exit1 › cpu_wait › tss_free/.test(await stack()), `the exiting LWP frees it in exit1: ${await stack()}`);
  const at = async (text) => Number(await page.locator('[data-testid=checkpoints] button', { hasText: text }).getAttribute('data-step'));
  assert(await at('TSS slot is freed') < await at('is a zombie'), 'before SZOMB');
  // In the fork storm, who gives the u-areas back to kernel_map? (reaper, then patch)
  await open(page);
  await page.selectOption('[data-testid=scenario-picker]', 'fork-storm');
  await page.waitForTimeout(500);
  await page.click('[data-testid=checkpoints] button:has-text("kernel_map")');
  assert(/reaper › uvm_lwp_exit › uvm_uarea_free/.test(await stack()), `reaper: the reaper kthread: ${await stack()}`);
  await page.selectOption('[data-testid=design]', 'patch');
  await page.waitForTimeout(500);
  await page.click('[data-testid=checkpoints] button:has-text("kernel_map")');
  assert(/sys_wait4 › uvm_uarea_drain/.test(await stack()), `patch: the parent's wait4 drains: ${await stack()}`);
  await context.close();
  return page.errors;
});

test('lifelines in compare mode: both designs on one axis, each scenario line starting at the same x', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  const text = await page.inputValue('[data-testid=editor]');
  await open(page, `#${await linkFor(page, text, 'patch', 0, false, 'reaper')}`);
  await page.reload();
  await page.waitForSelector('[data-testid=step-counter]');
  await page.click('[data-testid=lifelines] summary');
  await page.waitForSelector('.ll-design');
  const titles = await page.$$eval('.ll-design', (e) => e.map((x) => x.textContent));
  eq(JSON.stringify(titles), JSON.stringify(['patch (aligned by scenario line)', 'reaper (aligned by scenario line)']), 'a group per design');
  // The first worker is forked by the same scenario line in both: its lane starts at the same x.
  const starts = await page.$$eval('.ll-lanes', (groups) => groups.map((g) => Number(g.querySelector('.ll-row[data-pid="11"] rect')?.getAttribute('x'))));
  eq(starts.length, 2, 'two groups of lanes');
  eq(starts[0], starts[1], 'pid 11 starts at the same x in both designs');
  // ... and ends later in reaper (the reaper's round trip), on the same axis.
  const ends = await page.$$eval('.ll-lanes', (groups) => groups.map((g) => {
    const r = [...g.querySelectorAll('.ll-row[data-pid="11"] rect:not(.st-freed)')].pop();
    return Number(r.getAttribute('x')) + Number(r.getAttribute('width'));
  }));
  assert(ends[1] > ends[0], `reaper's worker lives longer on the common axis (${ends})`);
  await shot(page, 'lifelines-compare');
  await context.close();
  return page.errors;
});

test('races: on a two-CPU scenario the explorer finds the race, and opens it as a run with its schedule', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  assert(await page.locator('[data-testid=explore]').count() === 0, 'no explorer on a one-CPU scenario');
  await page.selectOption('[data-testid=scenario-picker]', 'two-cpus-proc-freed');
  await page.selectOption('[data-testid=design]', 'committed');
  await page.waitForSelector('[data-testid=explore-start]');
  await page.click('[data-testid=explore-start]');
  await page.waitForSelector('[data-testid=explore-findings] li', { timeout: 60_000 });
  const summary = await page.textContent('[data-testid=explore-summary]');
  assert(/complete/.test(summary), `the search completes: ${summary}`);
  const first = page.locator('[data-testid=explore-findings] li').first();
  const label = (await first.textContent()).replace(/\s+/g, ' ');
  const m = /^(.+?) at step (\d+), with (\d+) preemption/.exec(label);
  assert(m, `a finding with its step and preemptions: ${label}`);
  await shot(page, 'explore-findings');
  await first.locator('[data-testid=explore-open]').click();
  await atStep(page, Number(m[2]));
  await until(page, () => /\nschedule [0-9:,]+\n?$/.test(document.querySelector('[data-testid=editor]').value), null, 'the scenario text carries the schedule');
  assert(await page.locator('[data-testid=handover-lane]').count() === 1, 'the timeline marks the CPU handovers');
  assert((await page.textContent('[data-testid=faults]')).includes(m[1]), `the faults panel lists ${m[1]}`);
  await shot(page, 'explore-opened');
  await context.close();
  return page.errors;
});

test('a narrow screen stacks the panels without sideways scrolling', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 400, height: 860 } });
  await open(page);
  await page.selectOption('[data-testid=scenario-picker]', 'fork-storm'); // the longest title
  await runUntil(page, 'exit');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, `page is ${overflow}px wider than a 400px screen`);
  await shot(page, 'narrow-400');
  await shot(page, 'narrow-400-full', true);
  await context.close();
  return page.errors;
});

test('screenshots: the default scenario in every design, light and dark', async (browser) => {
  const errors = [];
  for (const scheme of ['light', 'dark']) {
    for (const design of ['reaper', 'patch', 'committed']) {
      const { page, context } = await newPage(browser, { colorScheme: scheme });
      await open(page);
      await page.selectOption('[data-testid=design]', design);
      await page.keyboard.press('Home');
      await shot(page, `default-${design}-${scheme}-boot`);
      await runUntil(page, 'exit');
      await page.keyboard.press('ArrowRight');
      await shot(page, `default-${design}-${scheme}-exit1`);
      await runUntil(page, 'TSS free');
      await shot(page, `default-${design}-${scheme}-tssfree`);
      await runUntil(page, 'zombie');
      await shot(page, `default-${design}-${scheme}-zombie`);
      await shot(page, `default-${design}-${scheme}-zombie-full`, true);
      errors.push(...page.errors);
      await context.close();
    }
  }
  // The fork storm fills the u-area cache past UVM_NUAREA_MAX; a drain trims it.
  const { page, context } = await newPage(browser);
  await open(page);
  await page.selectOption('[data-testid=scenario-picker]', 'fork-storm');
  await page.selectOption('[data-testid=design]', 'patch');
  await runUntil(page, 'drain');
  await shot(page, 'fork-storm-patch-drain-full', true);
  errors.push(...page.errors);
  await context.close();
  return errors;
});

test('compare mode: a link with c=reaper shows both designs, locked by action, with a metrics table', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const text = await page.inputValue('[data-testid=editor]');
  const frag = await linkFor(page, text, 'patch', 0, false, 'reaper');
  assert(/(^|&)c=reaper(&|$)/.test(frag), `the codec writes c=reaper: ${frag.slice(0, 60)}`);
  const { page: p2, context: c2 } = await newPage(browser);
  await open(p2, `#${frag}`);
  await p2.locator('[data-testid=compare]').waitFor();
  eq(await p2.inputValue('[data-testid=design]'), 'patch', 'main design');
  eq(await p2.inputValue('[data-testid=compare-picker]'), 'reaper', 'compare picker');
  const right = async () => {
    const t = (await p2.textContent('[data-testid=cmp-right] [data-testid=cmp-counter]')).trim();
    const m = /^step (\d+) \/ (\d+)$/.exec(t);
    assert(m, `right counter reads "${t}"`);
    return Number(m[1]);
  };
  eq(await p2.getAttribute('[data-testid=cmp-right]', 'data-design'), 'reaper', 'right side design');
  let [l0, r0] = [(await counter(p2)).pos, await right()];
  for (let i = 0; i < 4; i++) {
    await p2.click('[data-testid=action-forward]');
    const [l, r] = [(await counter(p2)).pos, await right()];
    assert(l > l0 && r > r0, `action ${i + 1}: both sides move (left ${l0} -> ${l}, right ${r0} -> ${r})`);
    // Both sides show the same scenario action.
    const tags = await p2.$$eval('[data-testid=compare] .narration .tag.action', (els) => els.map((e) => e.textContent));
    eq(tags.length, 2, 'an action tag on each side');
    eq(tags[0], tags[1], 'both sides serve the same action');
    [l0, r0] = [l, r];
  }
  await urlAtStep(p2, l0);
  assert(/(^#|&)c=reaper(&|$)/.test(await p2.evaluate(() => location.hash)), 'the URL keeps c=reaper');
  // The metrics table: both designs as columns, and a context-switch difference.
  const table = p2.locator('[data-testid=compare-metrics]');
  const heads = await table.locator('thead th').allTextContents();
  assert(heads.includes('patch') && heads.includes('reaper'), `columns for both designs: ${heads}`);
  const row = table.locator('tr[data-metric=context_switches]');
  const cells = await row.locator('td').allTextContents();
  eq(cells.length, 3, 'context switches: two values and a difference');
  const diff = Number(await row.locator('td').nth(2).getAttribute('data-diff'));
  assert(diff !== 0 && Number(cells[0]) - Number(cells[1]) === -diff,
    `a nonzero context-switch difference, right - left (${cells})`);
  // Somewhere on the way to the first reap the two designs differ, and it is marked.
  await runUntil(p2, 'exit');
  for (let i = 0; i < 12; i++) await p2.click('[data-testid=step-forward]');
  assert(await p2.locator('[data-testid=compare] .diff').count() >= 1, 'differences are marked');
  await shot(p2, 'compare');
  await shot(p2, 'compare-full', true);
  const errors = [...page.errors, ...p2.errors];
  await Promise.all([context.close(), c2.close()]);
  return errors;
});

test('a what-if checkbox adds its switch; the broken invariant is explained, marked on its own lane, and reached by run until', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  eq(await page.locator('[data-testid=faults] .fgroup').count(), 0, 'no findings before the switch');
  await page.check('[data-testid=switch-no_pmap_deactivate]');
  await until(page, () => !!document.querySelector('[data-testid=faults] .fgroup'), null, 'a finding to be listed');
  assert((await page.inputValue('[data-testid=editor]')).includes('\nswitch no_pmap_deactivate\n'),
    'the checkbox wrote its line into the scenario');
  assert(await page.isChecked('[data-testid=switch-no_pmap_deactivate]'), 'the box stays checked');
  const group = page.locator('[data-testid=faults] .fgroup').first();
  eq(await group.getAttribute('data-check'), 'PmapActiveFreed', 'the check that fired');
  const explain = (await group.locator('[data-testid=fault-explain]').textContent()).trim();
  assert(/pm_cpus/.test(explain), `the panel explains the check: "${explain}"`);
  const msg = (await group.locator('.msg').first().textContent()).trim();
  assert(msg.length > 20, `and gives the finding's message: "${msg}"`);
  const summary = (await page.textContent('[data-testid=switches]'));
  // a pmap destroyed while in pm_cpus is bookkeeping gone wrong, not a crash
  // (docs/model.md §5): a broken invariant, counted and laned apart from faults
  assert(/0 faults, [1-9]\d* broken invariants?/.test(summary), `the what-if panel counts it as a broken invariant: "${summary}"`);
  eq(await page.locator('.lane.k-fault').count(), 0, 'no fault lane: there is no fault');
  const lane = page.locator('.lane.k-violation');
  assert(/broken invariant [1-9]/.test(await lane.locator('.lane-label').textContent()), 'the broken-invariant lane counts them');
  assert((await lane.locator('path').getAttribute('d')).startsWith('M'), 'the lane has a tick');
  const box = await lane.locator('svg').boundingBox();
  assert(box && box.width > 100 && box.height > 4, 'the lane is visible');
  // Run until broken invariant stops just after the first finding, and the narration says it.
  const first = Number(/step (\d+)/.exec(await group.locator('button.jump').first().textContent())[1]);
  await runUntil(page, 'violation');
  await atStep(page, first);
  const said = await page.textContent('[data-testid=narration]');
  assert(/invariant/.test(said), `the narration shows the broken invariant: "${said}"`);
  await urlAtStep(page, first);
  assert(/(^#|&)w=no_pmap_deactivate(&|$)/.test(await page.evaluate(() => location.hash)), 'the link carries w=no_pmap_deactivate');
  await shot(page, 'whatif-checkbox-fault');
  await shot(page, 'whatif-checkbox-fault-full', true);
  // Unchecking (by keyboard: Space ticks a focused box, it does not play) removes the
  // line and the fault.
  await page.focus('[data-testid=switch-no_pmap_deactivate]');
  await page.keyboard.press('Space');
  eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'false', 'Space on a checkbox does not play');
  await until(page, () => !document.querySelector('[data-testid=faults] .fgroup'), null, 'the fault to go');
  assert(!(await page.inputValue('[data-testid=editor]')).includes('switch no_pmap_deactivate'), 'the line is gone');
  await context.close();
  return page.errors;
});

test('a long run builds in slices with a progress bar; the page stays usable meanwhile', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  // Compare mode: two runs of two million steps to build.
  await page.selectOption('[data-testid=compare-picker]', 'patch');
  await page.locator('[data-testid=compare]').waitFor();
  const old = await counter(page);
  await page.fill('[data-testid=editor]', 'proc shell\n  repeat 20000\n    fork worker\n    wait\n  exit 0\nproc worker\n  exit 3\n');
  await until(page, () => !!document.querySelector('[data-testid=progress]'), null, 'the progress bar');
  await page.evaluate(() => window.scrollTo(0, 0)); // typing scrolled the page to the editor
  const bar = page.locator('[data-testid=progress]');
  eq(await bar.getAttribute('role'), 'progressbar', 'progress role');
  const now = Number(await bar.getAttribute('aria-valuenow'));
  assert(Number.isFinite(now) && Number(await bar.getAttribute('aria-valuemax')) >= 2_000_000, 'aria-valuenow / max');
  await shot(page, 'progress');
  // A click while building is handled at once, on the run on screen.
  const b = await page.locator('[data-testid=step-forward]').boundingBox();
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
  await until(page, ([pos, len]) => document.querySelector('[data-testid=step-counter]').textContent.trim() === `step ${pos + 1} / ${len}`,
    [old.pos, old.len], 'the click to move the old run');
  assert(await bar.count() === 1, 'the click was handled while the run was still building');
  const later = Number(await bar.getAttribute('aria-valuenow').catch(() => 'NaN'));
  assert(!(later < now) || Number.isNaN(later), 'progress does not go backwards within a run');
  // Done: the new run, cut at the step limit, says so; the scrubber reaches the middle.
  await until(page, () => !document.querySelector('[data-testid=progress]'), null, 'the build to finish', 30_000);
  const c = await counter(page);
  eq(c.len, 2_000_000, 'the run stops at the engine step limit');
  assert(/step limit/.test(await page.textContent('[data-testid=step-limit]')), 'the step limit is explained');
  await page.locator('[data-testid=scrubber]').fill('1000000');
  await atStep(page, 1_000_000);
  const r = (await page.textContent('[data-testid=cmp-right] [data-testid=cmp-counter]')).trim();
  assert(/^step [1-9]\d* \/ \d+$/.test(r), `the compare side follows: ${r}`);
  await shot(page, 'long-run-middle');
  await context.close();
  return page.errors;
});

test('the editor text survives a reload (a broken one too); a link from elsewhere wins', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const mine = 'proc shell\n  fork kid\n  wait\n  exit 0\nproc kid\n  exit 9\n';
  await typeScenario(page, mine);
  const ran = await counter(page);
  await page.reload();
  await page.waitForSelector('[data-testid=step-counter]');
  eq(await page.inputValue('[data-testid=editor]'), mine, 'editor text after a reload');
  eq((await counter(page)).len, ran.len, 'the run after a reload');
  // The URL follows the restored run (the built-in's link it had is replaced).
  await until(page, () => /(^#|&)z=/.test(location.hash) && !location.hash.includes('b=fork-wait-loop'), null,
    'the URL to carry the restored run');
  // A broken edit, reloaded at once: the text comes back with its error, and says so.
  const broken = mine.replace('wait', 'wiat');
  await page.fill('[data-testid=editor]', broken);
  await page.reload();
  await page.waitForSelector('[data-testid=step-counter]');
  eq(await page.inputValue('[data-testid=editor]'), broken, 'broken text after a reload');
  await page.locator('[data-testid=restored]').waitFor();
  await page.locator('[data-testid=editor-error]').waitFor();
  eq((await counter(page)).len, ran.len, 'the last good run shows meanwhile');
  // A link opened from elsewhere (a new tab) wins over the stored text.
  const frag = await linkFor(page, 'proc a\n  exit 1\n', 'patch', 0);
  const p2 = await context.newPage();
  p2.errors = [];
  p2.on('pageerror', (e) => p2.errors.push(`page error: ${e.message}`));
  await open(p2, `#${frag}`);
  eq(await p2.inputValue('[data-testid=editor]'), 'proc a\n  exit 1\n', 'a link wins over stored text');
  eq(await p2.locator('[data-testid=restored]').count(), 0, 'no restore notice for a link');
  // The text it replaced can come back.
  await p2.click('[data-testid=unstash]');
  await until(p2, (t) => document.querySelector('[data-testid=editor]').value === t, broken, 'the stashed text');
  const errors = [...page.errors, ...p2.errors];
  await context.close();
  return errors;
});

test('a scenario too large for a link says so and offers it as a file', async (browser) => {
  const { page, context } = await newPage(browser);
  await open(page);
  const big = hugeScenario();
  await typeScenario(page, big);
  const note = page.locator('[data-testid=too-large]');
  await note.waitFor();
  assert(/too large/.test(await note.textContent()), `it says why: "${await note.textContent()}"`);
  const a = page.locator('[data-testid=download-scenario]');
  assert((await a.getAttribute('href')).startsWith('blob:'), 'a Blob URL');
  eq(await a.getAttribute('download'), 'scenario.scn', 'download name');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'too-large');
  const [dl] = await Promise.all([page.waitForEvent('download'), a.click()]);
  const file = fs.readFileSync(await dl.path(), 'utf8');
  eq(file, big, 'the downloaded file is the scenario');
  await page.click('[data-testid=share]');
  assert(/No link/.test(await page.textContent('.share-msg')), 'Share says there is no link');

  // A smaller scenario gets its link back (and the notice goes).
  await typeScenario(page, 'proc a\n  exit 0\n');
  await note.waitFor({ state: 'detached' });
  await context.close();
  return page.errors;
});

test('markup in a scenario shows as text and runs nothing', async (browser) => {
  const { page, context } = await newPage(browser);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await open(page);
  const scripts = await page.evaluate(() => document.scripts.length);
  const evil = '# <script>alert(1)</script>\nproc shell\n  fork worker   # <img src=x onerror=alert(2)><script>alert(3)</script>\n  wait\n  exit 0\nproc worker\n  exit 0   # <b>bold</b>\n';
  await typeScenario(page, evil);
  eq(await page.inputValue('[data-testid=editor]'), evil, 'the editor holds the text as typed');
  await page.keyboard.press('Home');
  await page.click('h1');
  let note = '';
  for (let i = 0; i < 8 && !note.includes('onerror'); i++) {
    await page.click('[data-testid=action-forward]');
    note = (await page.locator('[data-testid=action-note]').allTextContents()).join(' ');
  }
  assert(note.includes('<img src=x onerror=alert(2)><script>alert(3)</script>'), `the note shows as text: "${note}"`);
  eq(await page.locator('[data-testid=narration] img, [data-testid=narration] script, [data-testid=narration] b').count(), 0, 'elements made from the note');
  eq(await page.evaluate(() => document.scripts.length), scripts, 'script elements in the page');
  eq(await page.locator('img[src=x]').count(), 0, 'img elements from the scenario');
  await page.waitForTimeout(200);
  eq(dialogs.length, 0, `dialogs opened: ${dialogs}`);
  await context.close();
  return page.errors;
});

// ---------------------------------------------------------------- issue 13 (clarity)

/** The CPU panel's note on the row whose header is `reg` (cpu0): its text and classes. */
async function cpuNote(page, reg) {
  return page.evaluate((reg) => {
    const row = [...document.querySelectorAll('[data-testid=cpu] tbody tr')]
      .find((r) => r.querySelector('th')?.textContent.trim() === reg);
    const n = row?.querySelector('.cpu-note');
    return n ? { text: n.textContent.trim(), cls: n.className } : null;
  }, reg);
}

for (const vp of [{ width: 1280, height: 720 }, { width: 1600, height: 1000 }]) {
  test(`the what-if switches are two clicks (or Tab, Enter, Tab, Space) from the top at ${vp.width}x${vp.height}`, async (browser) => {
    const { page, context } = await newPage(browser, { viewport: vp });
    await open(page);
    const toggle = page.locator('[data-testid=whatif-toggle]');
    const tb = await toggle.boundingBox();
    assert(tb && tb.y >= 0 && tb.y + tb.height <= 200, `the What if… entry is at the top: ${JSON.stringify(tb)}`);
    const design = await page.locator('[data-testid=design]').boundingBox();
    assert(Math.abs(design.y - tb.y) < 40, 'the What if… entry sits by the Design picker');
    assert(/none on/.test(await toggle.textContent()), `it says none is on: "${await toggle.textContent()}"`);
    // click 1: open; every switch is then on screen
    await toggle.click();
    const boxes = page.locator('[data-testid^=hdr-switch-]');
    const n = await boxes.count();
    eq(n, await page.locator('[data-testid=switches] input[type=checkbox]').count(), 'the menu has every switch');
    for (let i = 0; i < n; i++) {
      const b = await boxes.nth(i).boundingBox();
      assert(b && b.y >= 0 && b.y + b.height <= vp.height, `switch ${i} is visible without scrolling: ${JSON.stringify(b)}`);
    }
    await shot(page, `whatif-menu-${vp.width}x${vp.height}`);
    // click 2: a switch; it writes its line, the menu and the panel agree
    await page.click('[data-testid=hdr-switch-no_pmap_deactivate]');
    await until(page, () => (document.querySelector('[data-testid=editor]')?.value || '').includes('\nswitch no_pmap_deactivate\n'),
      null, 'the switch line in the scenario');
    await until(page, () => /1 on/.test(document.querySelector('[data-testid=whatif-toggle]').textContent), null, 'the count to say 1 on');
    assert(await page.isChecked('[data-testid=switch-no_pmap_deactivate]'), 'the panel below shows it checked too');
    await until(page, () => !!document.querySelector('[data-testid=faults] .fgroup'), null, 'the finding to be listed');
    // Escape closes the menu, focus back on its entry
    await page.locator('[data-testid=hdr-switch-no_pmap_deactivate]').focus();
    await page.keyboard.press('Escape');
    eq(await page.getAttribute('[data-testid=whatif-menu]', 'open'), null, 'Escape closes the menu');
    eq(await page.evaluate(() => document.activeElement?.dataset.testid), 'whatif-toggle', 'focus returns to the entry');
    // a click elsewhere closes it too
    await toggle.click();
    assert(await page.isVisible('[data-testid=hdr-switch-no_pmap_deactivate]'), 'open again');
    await page.click('h1');
    eq(await page.getAttribute('[data-testid=whatif-menu]', 'open'), null, 'a click elsewhere closes the menu');
    // By keyboard from a fresh load: Tab to the entry, Enter opens it, Tab, Space ticks the first switch.
    await page.check('[data-testid=switch-no_pmap_deactivate]').catch(() => {});
    await page.uncheck('[data-testid=switch-no_pmap_deactivate]');
    await until(page, () => /none on/.test(document.querySelector('[data-testid=whatif-toggle]').textContent), null, 'the count back to none');
    await page.reload();
    await page.waitForSelector('[data-testid=step-counter]');
    let tabs = 0;
    while (tabs < 12 && await page.evaluate(() => document.activeElement?.dataset.testid) !== 'whatif-toggle') {
      await page.keyboard.press('Tab');
      tabs++;
    }
    eq(await page.evaluate(() => document.activeElement?.dataset.testid), 'whatif-toggle', `Tab reaches the entry (${tabs} presses)`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.dataset.testid);
    assert(/^hdr-switch-/.test(first), `Tab goes into the switches: ${first}`);
    await page.keyboard.press('Space');
    await until(page, (id) => document.querySelector(`[data-testid=${id}]`).checked, first,
      `Space to tick ${first} (focus on ${await page.evaluate(() => document.activeElement?.dataset.testid)})`, 3000);
    eq(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'false', 'and does not play');
    await context.close();
    return page.errors;
  });
}

test('glossary: Tab to a term and its explanation shows; Escape hides it; hover shows it too', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  // from the CPU panel's heading, Tab reaches the first term of its rows (%cr3)
  await page.evaluate(() => {
    const h = document.getElementById('cpu-h');
    h.tabIndex = -1;
    h.focus();
  });
  await page.keyboard.press('Tab');
  eq(await page.evaluate(() => document.activeElement?.dataset.term), '%cr3', 'Tab lands on the %cr3 term');
  const tip = page.locator('[data-testid=term-tip]');
  await tip.waitFor({ state: 'visible', timeout: 3000 });
  const text = await tip.textContent();
  assert(/page directory/.test(text) && /Source: /.test(text), `the tooltip explains %cr3 and names its source: "${text}"`);
  const described = await page.evaluate(() => document.activeElement.getAttribute('aria-describedby'));
  eq(described, await tip.getAttribute('id'), 'the term is described by its tooltip');
  const tb = await tip.boundingBox();
  assert(tb && tb.width > 100 && tb.y > 0 && tb.y + tb.height <= 1000, `the tooltip is on screen: ${JSON.stringify(tb)}`);
  await shot(page, 'glossary-tooltip-cr3');
  await page.keyboard.press('Escape');
  await tip.waitFor({ state: 'detached', timeout: 3000 });
  // the process table's l_stat header, by hover
  await page.hover('[data-testid=procs] [data-term=l_stat]');
  await tip.waitFor({ state: 'visible', timeout: 3000 });
  assert(/LWP/.test(await tip.textContent()), 'the l_stat header explains itself');
  await shot(page, 'glossary-tooltip-lstat');
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: 'detached', timeout: 3000 });
  // every state and flag is in the whole glossary, which opens by keyboard
  await page.focus('[data-testid=glossary] > summary');
  await page.keyboard.press('Enter');
  for (const t of ['LSZOMB', 'LSDEAD', 'SDEAD', 'L_DETACHED', 'P_WEXIT', 'just freed', 'ahead']) {
    const row = page.locator(`[data-testid=glossary] [data-term="${t}"]`);
    assert(await row.isVisible(), `the glossary lists ${t}`);
    assert((await row.textContent()).length > 40, `and explains ${t}`);
  }
  await context.close();
  return page.errors;
});

test('patch: the exiting LWP on its own freed vmspace and TSS looks expected, not like the no_pmap_deactivate fault', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 } });
  await open(page);
  const text = await page.inputValue('[data-testid=editor]');
  await open(page, `#${await linkFor(page, text, 'patch', 105)}`);
  await page.reload();
  await page.waitForSelector('[data-testid=step-counter]');
  await atStep(page, 105);
  const cr3 = await cpuNote(page, '%cr3');
  const tr = await cpuNote(page, '%tr');
  assert(/tone-info/.test(cr3.cls) && !/tone-warn|tone-bad/.test(cr3.cls), `%cr3 is neutral: ${JSON.stringify(cr3)}`);
  assert(/tone-info/.test(tr.cls) && !/tone-warn|tone-bad/.test(tr.cls), `%tr is neutral: ${JSON.stringify(tr)}`);
  assert(!cr3.text.includes('⚠') && !tr.text.includes('⚠'), 'no warning sign');
  assert(/expected/.test(cr3.text) && /switch_exit/.test(cr3.text), `%cr3 says why it is fine: "${cr3.text}"`);
  assert(/expected/.test(tr.text) && /switch_exit/.test(tr.text), `%tr says why it is fine: "${tr.text}"`);
  await page.locator('[data-testid=cpu]').screenshot({ path: path.join(SHOTS, 'cpu-patch-expected-transient.png') });
  // the same moment with the what-if: the vmspace was freed while this CPU was in pm_cpus
  const broken = text.replace('proc shell', 'switch no_pmap_deactivate\n\nproc shell');
  await open(page, `#${await linkFor(page, broken, 'patch', 105)}`);
  await page.reload();
  await page.waitForSelector('[data-testid=step-counter]');
  await atStep(page, 105);
  const cr3w = await cpuNote(page, '%cr3');
  assert(/tone-warn/.test(cr3w.cls) && cr3w.text.includes('⚠') && /pm_cpus/.test(cr3w.text),
    `with the what-if %cr3 warns, and says why: ${JSON.stringify(cr3w)}`);
  await page.locator('[data-testid=cpu]').screenshot({ path: path.join(SHOTS, 'cpu-patch-no-pmap-deactivate.png') });
  await context.close();
  return page.errors;
});

// ---------------------------------------------------------------- accessibility tests

/** The page states audited by axe-core (issue 11): each opens its mode on a fresh page
 *  and calls `audit` at every sub-state worth auditing. Run once in light and once in
 *  dark (the dark test). A new mode is one entry here; the Predict panel's is marked. */
const AUDITED = {
  // The default scenario at a busy step, then with the lifelines and the why panel open.
  explore: async (page) => {
    await open(page);
    await runUntil(page, 'zombie');
    await until(page, () => !/^step 0 \//.test(document.querySelector('[data-testid=step-counter]').textContent.trim()), null, 'run until zombie');
    await audit(page, 'explore');
    await page.click('[data-testid=lifelines] summary');
    await page.waitForSelector('[data-testid=lifelines] .ll-row[data-pid="11"]');
    await page.locator('[data-testid=procs] [data-cell$=".l_stat"]').last().click();
    await page.locator('[data-testid=why]').waitFor();
    await page.locator('.term').first().focus(); // a glossary term's popover open too
    await audit(page, 'explore, lifelines, why panel and a glossary popover open');
  },
  // A built-in lesson, started; its first and last stop.
  lesson: async (page) => {
    await open(page);
    await page.selectOption('[data-testid=scenario-picker]', 'three-lwps');
    await page.click('[data-testid=lesson-start]');
    await until(page, () => /stop 1 of/.test(document.querySelector('[data-testid=lesson]')?.textContent || ''), null, 'stop 1');
    await audit(page, 'lesson, stop 1');
    await page.click('[data-testid=lesson] .lesson-dots li:last-child button');
    await until(page, () => /stop (\d+) of \1(?!\d)/.test(document.querySelector('[data-testid=lesson]')?.textContent || ''), null, 'the last stop');
    await audit(page, 'lesson, last stop');
  },
  // The Predict panel: a question waiting (the lifelines and markers blurred), then
  // answered (the reveal, the score).
  predict: async (page) => {
    await open(page);
    await page.click('[data-testid=predict-on]');
    await page.click('[data-testid=predict-next]');
    await page.waitForSelector('[data-testid=predict-choice]');
    await audit(page, 'predict, a question waiting');
    await page.click('[data-testid=predict-choice] >> nth=0');
    await page.waitForSelector('[data-testid=predict-reveal]');
    await audit(page, 'predict, the answer revealed');
  },
  // The header's menus and disclosures open, the share link shown.
  menus: async (page) => {
    await open(page);
    await page.click('[data-testid=whatif-menu] > summary');
    await page.waitForSelector('[data-testid=whatif-menu][open] input[type=checkbox]');
    await audit(page, 'menus, What if… open');
    await page.keyboard.press('Escape');
    await page.click('[data-testid=about] summary');
    await page.click('[data-testid=glossary] summary');
    await page.click('[data-testid=share]');
    await page.locator('[data-testid=share-link]').waitFor();
    await audit(page, 'menus, the scenario description, the glossary and the share link open');
  },
  // A phone-sized screen: the panels stacked.
  narrow: async (page) => {
    await page.setViewportSize({ width: 400, height: 860 });
    await open(page);
    await runUntil(page, 'exit');
    await until(page, () => !/^step 0 \//.test(document.querySelector('[data-testid=step-counter]').textContent.trim()), null, 'run until exit');
    await audit(page, 'narrow (400 px)');
  },
  // What goes wrong: a scenario that does not parse, a broken link, a what-if's faults.
  errors: async (page) => {
    await open(page);
    const good = await page.inputValue('[data-testid=editor]');
    await page.fill('[data-testid=editor]', 'proc shell\n  fork worker\n  frobnicate 3\nproc worker\n  exit 0\n');
    await page.locator('[data-testid=editor-error]').waitFor();
    await audit(page, 'errors, a scenario that does not parse');
    const whatif = good.replace('proc shell', 'cpus 2\nswitch uarea_cache_before_switch_exit\n\nproc shell');
    const frag = await linkFor(page, whatif, 'patch', 0);
    await open(page, '#this-is-not-an-exitpath-link');
    await page.locator('[data-testid=error-banner]').waitFor();
    await audit(page, 'errors, a broken link');
    await open(page, `#${frag}`);
    await page.reload();
    await page.waitForSelector('[data-testid=faults] li');
    await runUntil(page, 'fault');
    await until(page, () => !/^step 0 \//.test(document.querySelector('[data-testid=step-counter]').textContent.trim()), null, 'run until fault');
    await audit(page, 'errors, a what-if switch and its faults');
  },
  compare: async (page) => {
    await open(page);
    await page.selectOption('[data-testid=design]', 'patch');
    await page.selectOption('[data-testid=compare-picker]', 'reaper');
    await page.locator('[data-testid=compare]').waitFor();
    await page.click('[data-testid=action-forward]');
    await page.click('[data-testid=action-forward]');
    await audit(page, 'compare');
    await page.click('[data-testid=lifelines] summary');
    await page.waitForSelector('[data-testid=lifelines] .ll-design');
    await audit(page, 'compare, lifelines open');
  },
  embed: async (page) => {
    await open(page, '?embed');
    await audit(page, 'embed');
    await open(page, '?embed&panels=narration,procs,cpu');
    await page.waitForSelector('[data-testid=procs]');
    await audit(page, 'embed, panels=narration,procs,cpu');
    await open(page, '?embed&panels=procs,registers');
    await page.waitForSelector('[data-testid=panels-error]');
    await audit(page, 'embed, a bad panels= name');
  },
  // The races panel on a two-CPU scenario, its search done, then a race opened.
  races: async (page) => {
    await open(page);
    await page.selectOption('[data-testid=scenario-picker]', 'two-cpus-proc-freed');
    await page.selectOption('[data-testid=design]', 'committed');
    await page.waitForSelector('[data-testid=explore-start]');
    await audit(page, 'races, before the search');
    await page.click('[data-testid=explore-start]');
    await page.waitForSelector('[data-testid=explore-findings] li', { timeout: 40_000 });
    await audit(page, 'races, findings');
    await page.locator('[data-testid=explore-findings] li [data-testid=explore-open]').first().click();
    await page.waitForSelector('[data-testid=handover-lane]');
    await audit(page, 'races, a race opened');
  },
};

// Every mode in light, then every mode again in dark (colours differ: contrast is checked
// in each scheme).
for (const scheme of ['light', 'dark']) {
  for (const [mode, visit] of Object.entries(AUDITED)) {
    test(`axe: no WCAG 2.1 AA violation in ${mode} mode, ${scheme}`, async (browser) => {
      const { page, context } = await newPage(browser, { viewport: { width: 1600, height: 1000 }, colorScheme: scheme });
      await visit(page);
      await context.close();
      return page.errors;
    });
  }
}

/** The `# stop: LOCATOR: LABEL` lines of a built-in, in file order (the lesson's order). */
function lessonStops(id) {
  const text = fs.readFileSync(path.join(ROOT, 'scenarios', `${id}.scn`), 'utf8');
  return [...text.matchAll(/^# stop:\s*([^:]+):\s*(.*)$/gm)].map((m) => m[2].trim());
}

/** Presses Tab (Shift+Tab with `back`) until `selector` has the focus; fails after `max`
 *  presses. Each element passed on the way must show that it has the focus (an outline). */
async function tabTo(page, selector, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { body: true };
      const cs = getComputedStyle(el);
      return {
        hit: el.matches(sel),
        what: `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`,
        outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
      };
    }, selector);
    if (f.body) continue;
    assert(f.outline, `the focused ${f.what} shows no focus outline (2px or more)`);
    if (f.hit) return i + 1;
  }
  throw new Failure(`${selector} not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

async function lessonText(page) {
  return (await page.textContent('[data-testid=lesson]')).replace(/\s+/g, ' ');
}

test('keyboard only: pick a lesson scenario, start the lesson, every stop with its label, answer its question, Esc leaves', async (browser) => {
  const { page, context } = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await open(page);
  const id = 'three-lwps';
  const labels = lessonStops(id);
  assert(labels.length >= 3, `${id} has its stops (${labels.length})`);
  // The scenario picker: Tab to it, then ↓ until the lesson scenario is chosen.
  await tabTo(page, '[data-testid=scenario-picker]');
  for (let i = 0; i < 40 && (await page.inputValue('[data-testid=scenario-picker]')) !== id; i++) {
    await page.keyboard.press('ArrowDown');
  }
  eq(await page.inputValue('[data-testid=scenario-picker]'), id, 'the scenario chosen with the arrow keys');
  await until(page, () => document.querySelector('[data-testid=lesson-start]') !== null, null, 'the lesson offered');
  // Tab on to "Lesson ▶" and press Enter.
  await tabTo(page, '[data-testid=lesson-start]');
  await page.keyboard.press('Enter');
  const n = labels.length;
  const atStop = async (k) => {
    await until(page, ([k, n]) => new RegExp(`stop ${k} of ${n}(?!\\d)`).test(document.querySelector('[data-testid=lesson]')?.textContent || ''),
      [k, n], `lesson stop ${k} of ${n}`);
    // the heading's own text (a stop shown in a design of its own adds its name in a tag)
    const heading = await page.evaluate(() => document.querySelector('[data-testid=lesson] h2').firstChild.textContent.trim());
    eq(heading, labels[k - 1], `the heading of stop ${k}`);
    await until(page, (k) => new RegExp(`(^#|&)l=${k}(&|$)`).test(location.hash), k, `the URL at stop ${k}`);
    return (await counter(page)).pos;
  };
  const steps = [await atStop(1)];
  const designs = [await page.inputValue('[data-testid=design]')];
  // The lesson panel has the focus, so the next Tab reaches its buttons.
  eq(await page.evaluate(() => document.activeElement?.closest('[data-testid=lesson]') !== null), true,
    'the focus moves into the lesson when it starts');
  // Page Down through every stop; each one further along the run.
  for (let k = 2; k <= n; k++) {
    await page.keyboard.press('PageDown');
    steps.push(await atStop(k));
    designs.push(await page.inputValue('[data-testid=design]'));
    // in one design the stops come in the order of the run (a `# design:` stop switches)
    if (designs[k - 1] === designs[k - 2]) {
      assert(steps[k - 1] >= steps[k - 2], `stop ${k} (step ${steps[k - 1]}) is not before stop ${k - 1} (${steps[k - 2]})`);
    }
    if (k === 2) {
      // Stop 2 asks (`# ask: frees`): the Predict panel shows the question exitpath quiz
      // asks there; Tab to the right choice, Enter: it is marked right.
      const [want] = JSON.parse(cli(['quiz', path.join(ROOT, `scenarios/${id}.scn`), '--design', 'reaper',
        '--at', String(steps[1]), '--kind', 'frees', '--format', 'json', '--answers'])).questions;
      await page.waitForSelector('[data-testid=predict-text]');
      eq((await page.textContent('[data-testid=predict-text]')).trim(), want.question, 'the stop\'s question');
      await tabTo(page, '[data-testid=predict-choice]');
      for (let i = 0; i < want.answer; i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await until(page, () => document.querySelector('[data-testid=predict-reveal] .verdict') !== null, null, 'the reveal');
      assert((await page.textContent('[data-testid=predict-reveal] .verdict')).includes('Right'), 'answered rightly with the keyboard');
      await shot(page, 'keyboard-lesson-question');
    }
  }
  // Past the last stop Page Down stays; Page Up goes back one, and the lesson's own
  // "Next" button (Tab to it, Enter) comes forward again.
  await page.keyboard.press('PageDown');
  await atStop(n);
  await page.keyboard.press('PageUp');
  eq(await atStop(n - 1), steps[n - 2], 'Page Up: the stop before, at its step');
  await tabTo(page, '[data-testid=lesson-next]');
  await page.keyboard.press('Enter');
  eq(await atStop(n), steps[n - 1], 'Next ▶ with Enter: the last stop again');
  eq(await page.evaluate(() => document.activeElement?.closest('[data-testid=lesson]') !== null), true,
    'the focus stays in the lesson when Next is disabled at the last stop');
  await shot(page, 'keyboard-lesson-last');
  // Esc leaves the lesson; the position stays.
  const here = (await counter(page)).pos;
  await page.keyboard.press('Escape');
  await until(page, () => document.querySelector('[data-testid=lesson]') === null
    && document.querySelector('[data-testid=lesson-start]') !== null, null, 'Esc leaves the lesson');
  eq((await counter(page)).pos, here, 'leaving keeps the position');
  eq(await page.evaluate(() => document.activeElement?.dataset.testid), 'lesson-start', 'the focus, back on "Lesson ▶"');
  await context.close();
  return page.errors;
});

/** Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB: the same
 *  matrices as tests/colours.rs (which checks the palette by numbers; these screenshots
 *  are for looking at). */
const CVD = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
};

/** Puts the whole page through a simulated colour vision (an SVG feColorMatrix filter on
 *  the root element, in linearRGB: the filter's default colour space), or back to normal
 *  with `null`. DOM and CSSOM only: the page's CSP allows no inline style or script. */
async function simulateVision(page, vision) {
  await page.evaluate(([name, m]) => {
    const NS = 'http://www.w3.org/2000/svg';
    let svg = document.getElementById('cvd-filters');
    if (!svg) {
      svg = document.createElementNS(NS, 'svg');
      svg.id = 'cvd-filters';
      svg.setAttribute('width', '0');
      svg.setAttribute('height', '0');
      svg.setAttribute('aria-hidden', 'true');
      document.body.appendChild(svg);
    }
    document.documentElement.style.filter = '';
    if (!name) return;
    const f = document.createElementNS(NS, 'filter');
    f.id = `cvd-${name}`;
    f.setAttribute('color-interpolation-filters', 'linearRGB');
    const cm = document.createElementNS(NS, 'feColorMatrix');
    cm.setAttribute('type', 'matrix');
    cm.setAttribute('values', [...m.map((r) => [...r, 0, 0]), [0, 0, 0, 1, 0]].flat().join(' '));
    f.appendChild(cm);
    svg.replaceChildren(f);
    document.documentElement.style.filter = `url(#cvd-${name})`;
  }, [vision, vision ? CVD[vision] : null]);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

test('colour blindness: the lifelines and the timeline through simulated protanopia, deuteranopia and tritanopia, light and dark', async (browser) => {
  const errors = [];
  for (const scheme of ['light', 'dark']) {
    const { page, context } = await newPage(browser, { viewport: { width: 1400, height: 1000 }, colorScheme: scheme });
    await open(page);
    await page.selectOption('[data-testid=scenario-picker]', 'three-lwps');
    await runUntil(page, 'reap');
    await until(page, () => !/^step 0 \//.test(document.querySelector('[data-testid=step-counter]').textContent.trim()), null, 'run until reap');
    await page.click('[data-testid=lifelines] summary');
    await page.waitForSelector('[data-testid=lifelines] .ll-lwp');
    const clip = await page.evaluate(() => {
      const a = document.querySelector('.timeline').getBoundingClientRect();
      const b = document.querySelector('[data-testid=lifelines]').getBoundingClientRect();
      const top = Math.min(a.top, b.top) + window.scrollY;
      return { x: Math.max(0, Math.min(a.left, b.left) - 4), y: Math.max(0, top - 4), width: Math.max(a.right, b.right) - Math.min(a.left, b.left) + 8, height: Math.max(a.bottom, b.bottom) + window.scrollY - top + 8 };
    });
    for (const vision of [null, ...Object.keys(CVD)]) {
      await simulateVision(page, vision);
      const filter = await page.evaluate(() => getComputedStyle(document.documentElement).filter);
      assert(vision ? filter.includes(`cvd-${vision}`) : filter === 'none', `the root's filter for ${vision}: ${filter}`);
      await page.screenshot({ path: path.join(SHOTS, `cvd-${scheme}-${vision || 'normal'}.png`), clip, fullPage: true });
    }
    errors.push(...page.errors);
    await context.close();
  }
  return errors;
});

// ---------------------------------------------------------------- lessons, stop by stop

/** What a lesson stop shows: its number, heading, design, position and the URL. */
async function lessonAt(page) {
  return page.evaluate(() => {
    const panel = document.querySelector('[data-testid=lesson]');
    const m = /stop (\d+) of (\d+)/.exec(panel?.textContent || '');
    const counter = /^step (\d+) \//.exec(document.querySelector('[data-testid=step-counter]')?.textContent.trim() || '');
    return {
      k: m ? Number(m[1]) : 0,
      n: m ? Number(m[2]) : 0,
      heading: panel?.querySelector('h2')?.textContent.trim() || '',
      design: document.querySelector('[data-testid=design]')?.value,
      pos: counter ? Number(counter[1]) : -1,
      switching: !!panel?.querySelector('[data-testid=lesson-elsewhere]'),
      missing: panel?.querySelector('.lesson-missing')?.textContent || '',
      shows: [...document.querySelector('.app').classList].filter((c) => c.startsWith('show-')),
      hash: location.hash,
    };
  });
}

/** Waits until stop `k` is on screen and settled: its run built, the URL at its step. */
async function lessonSettled(page, k) {
  await until(page, (k) => {
    const panel = document.querySelector('[data-testid=lesson]');
    const text = panel?.textContent || '';
    const counter = /^step (\d+) \//.exec(document.querySelector('[data-testid=step-counter]')?.textContent.trim() || '');
    return new RegExp(`stop ${k} of`).test(text) && !panel.querySelector('[data-testid=lesson-elsewhere]') && counter
      && new RegExp(`(^#|&)l=${k}(&|$)`).test(location.hash)
      && new RegExp(`(^#|&)s=${counter[1]}(&|$)`).test(location.hash);
  }, k, `lesson stop ${k} settled`, 20_000);
}

const LESSONS = ['fork-wait-loop', 'three-lwps', 'orphans', 'fork-storm', 'tss', 'patch-got-wrong'];
for (const id of LESSONS) {
  test(`lesson ${id}: every stop is reached, and its link reproduces it`, async (browser) => {
    const { page, context } = await newPage(browser);
    await open(page);
    if (id !== 'fork-wait-loop') {
      await page.selectOption('[data-testid=scenario-picker]', id);
      await until(page, (id) => new RegExp(`(^#|&)b=${id}(&|$)`).test(location.hash), id, `scenario ${id}`);
    }
    await page.click('[data-testid=lesson-start]');
    await lessonSettled(page, 1);
    const first = await lessonAt(page);
    assert(first.n >= 3, `${id}: a lesson of ${first.n} stops`);
    const p2 = await context.newPage();
    for (let k = 1; k <= first.n; k++) {
      if (k > 1) {
        await page.keyboard.press('PageDown');
        await lessonSettled(page, k);
      }
      const here = await lessonAt(page);
      assert(!here.missing, `${id} stop ${k}: the run reaches it (${here.missing})`);
      assert(here.heading.length > 5, `${id} stop ${k}: a heading`);
      // The link reproduces the stop: number, heading, design, position, highlights.
      await p2.goto(new URL(here.hash, BASE).href);
      await p2.waitForSelector('[data-testid=lesson]');
      await lessonSettled(p2, k);
      const there = await lessonAt(p2);
      for (const key of ['k', 'n', 'heading', 'design', 'pos']) {
        eq(there[key], here[key], `${id} stop ${k} by its link: ${key}`);
      }
      eq(there.shows.join(' '), here.shows.join(' '), `${id} stop ${k} by its link: highlighted panels`);
    }
    await p2.close();
    await context.close();
    return page.errors;
  });
}

test('a lesson link at stop 4 (l=4) opens there: position, label and highlighted panels; light and dark', async (browser) => {
  for (const scheme of ['light', 'dark']) {
    const { page, context } = await newPage(browser, { colorScheme: scheme });
    await open(page);
    await page.selectOption('[data-testid=scenario-picker]', 'tss');
    await until(page, () => /(^#|&)b=tss(&|$)/.test(location.hash), null, 'scenario tss');
    await page.click('[data-testid=lesson-start]');
    await lessonSettled(page, 1);
    for (let k = 2; k <= 4; k++) {
      await page.keyboard.press('PageDown');
      await lessonSettled(page, k);
    }
    const here = await lessonAt(page);
    const p2 = await context.newPage();
    await p2.goto(new URL(here.hash, BASE).href);
    await p2.waitForSelector('[data-testid=lesson]');
    await lessonSettled(p2, 4);
    const there = await lessonAt(p2);
    eq(there.pos, here.pos, 'stop 4 by its link: the position');
    assert(/reaper kthread frees the slot/.test(there.heading), `stop 4's label: ${there.heading}`);
    eq(there.design, 'reaper', 'stop 4 is shown in reaper');
    eq(there.shows.join(' '), 'show-gdt', 'stop 4 highlights the GDT panel');
    const outline = await p2.evaluate(() => getComputedStyle(document.querySelector('.panel.gdt')).outlineStyle);
    eq(outline, 'solid', 'the GDT panel is outlined');
    await shot(p2, `lesson-tss-stop4-${scheme}`);
    // The patch stop (5): the design switches, %tr still on the freed slot.
    await p2.keyboard.press('PageDown');
    await lessonSettled(p2, 5);
    eq((await lessonAt(p2)).design, 'patch', 'stop 5 switches to patch');
    await shot(p2, `lesson-tss-stop5-${scheme}`);
    await p2.close();
    await context.close();
    if (page.errors.length) return page.errors;
  }
  return [];
});

// ---------------------------------------------------------------- run

const only = process.env.E2E_ONLY;
if (only) tests.splice(0, tests.length, ...tests.filter((t) => t.name.includes(only)));

const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
let passed = 0;
const failed = [];
for (const t of tests) {
  const t0 = Date.now();
  const foreignBefore = foreign.length;
  try {
    const errors = await Promise.race([
      t.fn(browser),
      new Promise((_, reject) => setTimeout(() => reject(new Failure(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS)),
    ]);
    assert(!errors || errors.length === 0, `errors in the page:\n    ${(errors || []).join('\n    ')}`);
    assert(foreign.length === foreignBefore, `requests to other hosts:\n    ${foreign.slice(foreignBefore).join('\n    ')}`);
    passed++;
    console.log(`ok    ${t.name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed.push(t.name);
    console.log(`FAIL  ${t.name} (${Date.now() - t0} ms)\n      ${(e instanceof Failure ? e.message : e.stack || e).toString().replace(/\n/g, '\n      ')}`);
  }
}
await browser.close();
const offHost = foreign.length === 0;
console.log(offHost ? 'ok    no request went to a host other than 127.0.0.1' : `FAIL  ${foreign.length} request(s) to other hosts`);
console.log(`e2e: ${passed} passed, ${failed.length} failed of ${tests.length}; screenshots in ${path.relative(ROOT, SHOTS)}/`);
process.exit(failed.length === 0 && offHost ? 0 : 1);
