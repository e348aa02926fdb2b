#!/usr/bin/env node
// Real-VS-Code test tiers, run in code-server (VS Code OSS 1.139 in a browser
// with a real Node extension host) driven by playwright-core + Debian chromium.
//
//   node scripts/vscode-test.mjs integration   mocha inside the extension host:
//        loads the extension from source (dist/, extensionDevelopmentPath) and
//        runs out/test/integration/**/*.test.js (npm run build && npm run compile-tests first)
//   node scripts/vscode-test.mjs ui [filter]   installs out/agent-connections.vsix
//        (npm run package first) and runs test/ui/*.ui.mjs with Playwright
//
// Options: --timeout=SECONDS (overall, default 600; env AC_VSCODE_TEST_TIMEOUT),
//          --keep-open (leave code-server running after the tests, print its URL;
//          Ctrl-C stops it), --headed (needs a display).
// Each run gets a fresh temporary copy of examples/workspace and its own
// user-data, extensions, HOME, XDG_* and TMPDIR; code-server is stopped by its
// process group at the end. Logs land in test-results/<mode>/.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import {
  repoRoot, assertTools, makeTempRun, writeUserSettings, cleanUserSettings, copyDir, freePort,
  startCodeServer, installExtension, launchBrowser, workbenchUrl, collectServerLogs, sleep,
} from './lib/codeServer.mjs';

const argv = process.argv.slice(2);
const mode = argv.find((a) => !a.startsWith('-'));
const filter = argv.filter((a) => !a.startsWith('-'))[1];
const option = (name) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const keepOpen = Boolean(option('keep-open'));
const headed = Boolean(option('headed'));
/** `integration --restricted`: workspace trust on and the folder untrusted (Restricted Mode); runs *.restricted.js tests only. */
const restricted = Boolean(option('restricted'));
/** `integration --bench`: runs *.bench.js only (bench/activation.mjs reads what they write to AC_BENCH_OUT). */
const benchSuite = Boolean(option('bench'));
const timeoutSec = Number(option('timeout')?.split('=')[1] ?? process.env.AC_VSCODE_TEST_TIMEOUT ?? 600);

if (mode !== 'integration' && mode !== 'ui') {
  console.error('Usage: node scripts/vscode-test.mjs <integration|ui> [ui-test-filter] [--timeout=SECONDS] [--keep-open] [--headed]');
  process.exit(2);
}

const resultsDir = path.join(repoRoot, 'test-results', mode);
const screenshotsDir = path.join(repoRoot, 'test-results', 'screenshots');
const docsImagesDir = path.join(repoRoot, 'docs', 'images');
const exampleWorkspace = path.join(repoRoot, 'examples', 'workspace');
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (msg) => console.log(`[vscode-test ${mode}] ${msg}`);

// Everything that must be released, whatever happens.
const state = { server: undefined, browser: undefined, dirs: undefined, finished: false, ui: { passed: 0, failed: 0, total: 0 } };

async function cleanup(ok) {
  if (state.browser) { await state.browser.close(); state.browser = undefined; }
  if (state.server) { await state.server.stop(); }
  if (state.dirs) {
    try { await collectServerLogs(state.dirs, resultsDir); } catch (err) { say(`could not copy logs: ${err.message}`); }
    if (ok && !keepOpen) {
      await fsp.rm(state.dirs.base, { recursive: true, force: true }).catch(() => {});
    } else {
      say(`temporary run folder kept: ${state.dirs.base}`);
    }
  }
  state.server = undefined;
}

async function finish(code, reason) {
  if (state.finished) return;
  state.finished = true;
  clearTimeout(overallTimer);
  if (reason) console.error(`[vscode-test ${mode}] ${reason}`);
  await cleanup(code === 0);
  if (code !== 0 && !state.dirs) {
    say(`FAILED after ${elapsed()} (before code-server started)`);
  } else if (code !== 0) {
    say(`FAILED after ${elapsed()}. Logs: ${path.relative(repoRoot, resultsDir)}/ ` +
      '(code-server.out.log, user-data-logs/**/remoteexthost.log = extension host, browser-console.log' +
      (mode === 'integration' ? ', mocha.log, window-logs/' : ', ui.log, failures/*.png') + ')');
  } else {
    say(`done in ${elapsed()}`);
  }
  if (mode === 'ui') {
    // The count is the last line of a ui run; files that did not run count as failed.
    const { passed, failed, total } = state.ui;
    const notRun = Math.max(0, total - passed - failed);
    console.log(`${passed} passed, ${failed + notRun + (code !== 0 && failed + notRun === 0 ? 1 : 0)} failed`);
  }
  process.exit(code);
}

const overallTimer = setTimeout(() => {
  finish(1, `TIMEOUT: the ${mode} tests did not finish within ${timeoutSec} s (set --timeout=SECONDS or AC_VSCODE_TEST_TIMEOUT).`);
}, timeoutSec * 1000);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => finish(130, `interrupted by ${sig}`));
}

async function prepareRun() {
  assertTools();
  await fsp.rm(resultsDir, { recursive: true, force: true });
  await fsp.mkdir(resultsDir, { recursive: true });
  state.dirs = await makeTempRun(`ac-vscode-${mode}`);
  const workspaceDir = path.join(state.dirs.base, 'workspace');
  if (fs.existsSync(exampleWorkspace)) {
    await copyDir(exampleWorkspace, workspaceDir);
  } else {
    say(`warning: ${path.relative(repoRoot, exampleWorkspace)} does not exist; using an empty workspace`);
    await fsp.mkdir(workspaceDir, { recursive: true });
  }
  // Terminals use the DOM renderer from the start (headless chromium has no GPU anyway), so
  // UI tests can read a terminal's text without a settings change racing the terminal.
  const base = { ...cleanUserSettings, 'terminal.integrated.gpuAcceleration': 'off' };
  await writeUserSettings(state.dirs, restricted
    ? { ...base, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false }
    : { ...base, 'security.workspace.trust.enabled': false });
  // The extension host inherits code-server's environment: it tells the test index which files to run.
  process.env.AC_INTEGRATION_SUITE = restricted ? 'restricted' : benchSuite ? 'bench' : 'trusted';
  return workspaceDir;
}

async function keepServerOpen(url) {
  if (!keepOpen) return;
  say(`--keep-open: code-server stays up. Open ${url}\n  (Ctrl-C to stop)`);
  clearTimeout(overallTimer);
  if (state.browser) { await state.browser.close(); state.browser = undefined; }
  await state.server.exitPromise;
}

function requireFile(rel, hint) {
  const file = path.join(repoRoot, rel);
  if (!fs.existsSync(file)) throw Object.assign(new Error(`${rel} is missing: run \`${hint}\` first.`), { code: 'AC_SETUP' });
  return file;
}

// ---------------------------------------------------------------- integration
/** Workbench log lines that reach codeAutomationLog too (full text stays in mocha.log). */
const WORKBENCH_NOISE = [
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket \(/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost[^\]]*|AccountPolicyGate)\]/,
  /^Updating additional builtin extensions cache/,
  /ENOTFOUND open-vsx\.org/,
  /vsda/,
  /github.*(auth|session).*time/i,
];

async function runIntegration() {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  requireFile(pkg.main ?? 'dist/extension.js', 'npm run build');
  const testsIndex = requireFile('out/test/integration/index.js', 'npm run compile-tests');
  const workspaceDir = await prepareRun();

  const port = await freePort();
  state.server = await startCodeServer(state.dirs, {
    port,
    folder: workspaceDir,
    // Without it the workbench ignores the extensionTestsPath payload.
    vscodeOptions: ['enable-smoke-test-driver'],
    log: say,
  });
  const authority = `127.0.0.1:${port}`;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const url = workbenchUrl(state.server.origin, workspaceDir, [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(testsIndex)],
  ]);

  state.browser = await launchBrowser(state.dirs, { headless: !headed, consoleFile: path.join(resultsDir, 'browser-console.log') });
  const { page } = state.browser;
  const mochaLog = path.join(resultsDir, 'mocha.log');
  let settle;
  const exited = new Promise((resolve, reject) => {
    settle = (code, error) => { settle = () => {}; if (error) reject(error); else resolve(code); };
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    fs.appendFileSync(mochaLog, text + '\n');
    // The same channel carries the workbench's own log: keep known chatter out of stdout.
    if (WORKBENCH_NOISE.some((re) => re.test(text))) return;
    (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : text + '\n');
  });
  await page.exposeFunction('codeAutomationExit', async (code, logs) => {
    // VS Code hands over its window logs with the exit code.
    for (const { relativePath, contents } of Array.isArray(logs) ? logs : []) {
      try {
        const dest = path.join(resultsDir, 'window-logs', path.normalize(String(relativePath)).replace(/^(\.\.[/\\])+/, ''));
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.writeFile(dest, contents);
      } catch { /* best effort */ }
    }
    settle(Number(code));
  });
  page.on('crash', () => settle(undefined, new Error('the browser page crashed')));
  state.server.exitPromise.then((e) => settle(undefined, new Error(`code-server exited during the tests (${JSON.stringify(e)})`)));

  say(`opening the workbench; extension from ${path.relative(process.cwd(), repoRoot) || '.'}, tests ${path.relative(repoRoot, testsIndex)}`);
  const started = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  const code = await exited;
  say(`extension host test run finished with exit code ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await keepServerOpen(workbenchUrl(state.server.origin, workspaceDir));
  return code;
}

// ------------------------------------------------------------------------- ui
async function runUi() {
  const vsix = requireFile('out/agent-connections.vsix', 'npm run package');
  const uiDir = path.join(repoRoot, 'test', 'ui');
  // `ui --restricted` runs the *.restricted.ui.mjs files (workspace trust on, folder untrusted); `ui` the others.
  const files = fs.readdirSync(uiDir)
    .filter((f) => f.endsWith('.ui.mjs') && f.endsWith('.restricted.ui.mjs') === restricted && (!filter || f.includes(filter)))
    .sort();
  if (files.length === 0) throw new Error(`no test/ui/*.ui.mjs file${filter ? ` matches "${filter}"` : ''}`);
  state.ui.total = files.length;
  const workspaceDir = await prepareRun();
  installExtension(state.dirs, vsix, { log: say });
  // Another extension that uses the chat models through vscode.lm, as a user's would (test only).
  installExtension(state.dirs, packageUiClient(), { log: say });

  const port = await freePort();
  state.server = await startCodeServer(state.dirs, { port, folder: workspaceDir, log: say });
  const url = workbenchUrl(state.server.origin, workspaceDir);
  state.browser = await launchBrowser(state.dirs, { headless: !headed, consoleFile: path.join(resultsDir, 'browser-console.log') });
  const { page } = state.browser;
  const uiLog = path.join(resultsDir, 'ui.log');
  const log = (...parts) => {
    const line = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    fs.appendFileSync(uiLog, line + '\n');
    console.log(`  ${line}`);
  };

  const started = Date.now();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench .part.activitybar').first().waitFor({ state: 'visible', timeout: 90_000 });
  await page.locator('.monaco-workbench .part.statusbar').first().waitFor({ state: 'visible', timeout: 30_000 });
  say(`workbench loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const ctx = makeUiContext(page, workspaceDir, log);
  const counts = state.ui;
  // By name, except that a file may export `order` (default 0; lower runs first):
  // tree.ui.mjs runs first, its README picture is the example as a user first sees it.
  const tests = [];
  for (const file of files) {
    try {
      tests.push({ file, mod: await import(pathToFileURL(path.join(uiDir, file)).href) });
    } catch (loadError) {
      tests.push({ file, loadError });
    }
  }
  tests.sort((a, b) => (Number(a.mod?.order) || 0) - (Number(b.mod?.order) || 0) || a.file.localeCompare(b.file));
  for (const { file, mod, loadError } of tests) {
    const name = file.replace(/\.ui\.mjs$/, '');
    const testStarted = Date.now();
    console.log(`\n▶ ${file}`);
    try {
      if (loadError) throw loadError;
      if (typeof mod.default !== 'function') throw new Error(`${file} has no default export function`);
      await withTimeout(mod.default(ctx), Number(mod.timeoutMs ?? 180_000), `${file} timed out`);
      counts.passed++;
      console.log(`✔ ${file} (${((Date.now() - testStarted) / 1000).toFixed(1)} s)`);
    } catch (err) {
      counts.failed++;
      console.log(`✘ ${file} (${((Date.now() - testStarted) / 1000).toFixed(1)} s)\n${indent(err?.stack ?? String(err))}`);
      fs.appendFileSync(uiLog, `FAILED ${file}: ${err?.stack ?? err}\n`);
      try {
        await fsp.mkdir(path.join(resultsDir, 'failures'), { recursive: true });
        await page.screenshot({ path: path.join(resultsDir, 'failures', `${name}.png`) });
      } catch { /* page may be gone */ }
    }
    // Leave no menu, palette or dialog open for the next file.
    await page.keyboard.press('Escape').catch(() => {});
  }
  say(`ui run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await keepServerOpen(url);
  return counts.failed === 0 ? 0 : 1;
}

/** Packages test/ui/lm-client (plain JavaScript, no build) to out/ui-lm-client.vsix. */
function packageUiClient() {
  const out = path.join(repoRoot, 'out', 'ui-lm-client.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const res = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '-o', out], {
    cwd: path.join(repoRoot, 'test', 'ui', 'lm-client'), encoding: 'utf8', timeout: 120_000,
  });
  if (res.status !== 0) throw new Error(`packaging test/ui/lm-client failed (exit ${res.status ?? res.signal}):\n${res.stdout}${res.stderr}`);
  return out;
}

function indent(text) {
  return text.split('\n').map((l) => `    ${l}`).join('\n');
}

async function withTimeout(promise, ms, message) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `fn` until it returns a truthy value (returned) or throws after `timeout`. */
async function waitFor(fn, { timeout = 15_000, interval = 200, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) { lastError = err; }
    if (Date.now() > deadline) {
      throw new Error(`waitFor: ${message} not met within ${timeout} ms${lastError ? ` (last error: ${lastError.message})` : ''}`);
    }
    await sleep(interval);
  }
}

function makeUiContext(page, workspaceDir, log) {
  const paletteInput = page.locator('.quick-input-widget input.input');
  const ctx = {
    page,
    workspaceDir,
    repoRoot,
    log,
    assert,
    waitFor,
    sleep,
    /** Saves test-results/screenshots/<name>.png and docs/images/<name>.png. */
    async screenshot(name, options = {}) {
      await fsp.mkdir(screenshotsDir, { recursive: true });
      await fsp.mkdir(docsImagesDir, { recursive: true });
      const file = path.join(screenshotsDir, `${name}.png`);
      await page.screenshot({ path: file, ...options });
      await fsp.copyFile(file, path.join(docsImagesDir, `${name}.png`));
      log(`screenshot ${path.relative(repoRoot, file)} (+ docs/images/${name}.png)`);
      return file;
    },
    /**
     * Runs a command by its palette title ("Category: Title"). The palette
     * snapshots the command list when it opens, so a missing row means close
     * and reopen (commands of a just-activated extension appear late).
     */
    async commandPalette(title, { timeout = 30_000 } = {}) {
      const deadline = Date.now() + timeout;
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Escape');
        await page.keyboard.press('F1');
        await paletteInput.waitFor({ state: 'visible', timeout: 10_000 });
        await paletteInput.fill(`>${title}`);
        const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row')
          .filter({ has: page.locator('.label-name', { hasText: title }) }).first();
        try {
          await row.waitFor({ state: 'visible', timeout: Math.min(5_000, Math.max(1_000, deadline - Date.now())) });
          // Enter runs the focused row; make sure it is ours.
          const exact = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused .label-name', { hasText: title });
          if (await exact.count() === 0) await row.click();
          else await page.keyboard.press('Enter');
          await paletteInput.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
          log(`command palette: ${title}`);
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`command "${title}" not found in the palette after ${attempt} attempts: ${err.message}`);
          log(`command palette: "${title}" not listed yet (attempt ${attempt}), reopening`);
        }
      }
    },
    /** Opens a workspace file through Quick Open (F1 without the `>` prefix). */
    async openFile(rel, { timeout = 15_000 } = {}) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await paletteInput.waitFor({ state: 'visible', timeout: 10_000 });
      await paletteInput.fill(rel);
      const base = path.basename(rel);
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name', { hasText: base })
        .first().waitFor({ state: 'visible', timeout });
      await page.keyboard.press('Enter');
      await page.locator(`.tabs-container .tab[aria-label^="${base}"], .tabs-container .tab:has-text("${base}")`)
        .first().waitFor({ state: 'visible', timeout });
      log(`opened ${rel}`);
    },
    /** Tree/list rows whose label is exactly `label` (optionally inside `scope`). */
    treeRow(label, scope = page) {
      return scope.locator('.monaco-list-row').filter({
        visible: true,
        has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
      });
    },
    /** The pane (split view body) of a view, by its title, e.g. "Models". */
    viewPane(title) {
      return page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: title }) });
    },
    readWorkspaceFile(rel) {
      return fs.readFileSync(path.join(workspaceDir, rel), 'utf8');
    },
    /** Merges `patch` into the user settings.json; VS Code picks the change up from the file. */
    async updateUserSettings(patch) {
      const file = path.join(state.dirs.userDataDir, 'User', 'settings.json');
      const current = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      await fsp.writeFile(file, JSON.stringify({ ...current, ...patch }, null, 2) + '\n');
      log(`user settings: ${Object.keys(patch).join(', ')}`);
    },
    /**
     * Runs `label` from the open context menu (it lives in a shadow root, which
     * Playwright's CSS locators pierce). A plain click() leaves the menu open
     * here, so hover the item (which focuses it) and press Enter.
     */
    async clickMenuItem(label, { timeout = 10_000 } = {}) {
      const item = page.locator('.monaco-menu .action-item').filter({
        has: page.locator('.action-label', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
      }).first();
      await item.waitFor({ state: 'visible', timeout });
      await item.hover({ timeout: 5_000 });
      await item.and(page.locator('.focused')).waitFor({ state: 'visible', timeout: 5_000 });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 5_000 });
      log(`menu: ${label}`);
    },
  };
  return ctx;
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ----------------------------------------------------------------------- main
try {
  say(`starting (timeout ${timeoutSec} s)`);
  const code = mode === 'integration' ? await runIntegration() : await runUi();
  const reason = code === 0 ? undefined
    : mode === 'integration' ? `the extension host tests failed (exit code ${code})` : 'some UI tests failed';
  await finish(code === 0 ? 0 : 1, reason);
} catch (err) {
  await finish(1, `ERROR: ${err?.code === 'AC_SETUP' ? err.message : err?.stack ?? err}`);
}
