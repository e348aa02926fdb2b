#!/usr/bin/env node
// Whole-process benchmark: what a CI step pays. `node dist/cli.js validate` on the 10,000-connection
// manifest, from spawn to exit, against yaml-language-server validating the same file with our
// schema as its own process over stdio (spawn, initialize, configuration, didOpen, the file's
// diagnostics, shutdown, exit), startup included on both sides. Runs alternate (ours, peer, peer,
// ours, …), medians reported. Usage: node bench/process.mjs [runs]   (npm run bench runs it;
// it needs `npm run build` first; AC_BENCH_CLI=path times another build, e.g. an earlier
// commit's bundle, and writes nothing). Merges its figures into bench/results.json under `process`.
// Always exits 0; a missed target prints MISSED.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generateManifest } from './generate.mjs';
import { median, ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const RUNS = Number(process.argv[2] ?? 7);
const CONNECTIONS = 10000;
const TARGET_SPEEDUP = 6;
// AC_BENCH_CLI: another build of the CLI to time (e.g. a bundle of an earlier commit, for a before/after).
const CLI = process.env.AC_BENCH_CLI ? path.resolve(process.env.AC_BENCH_CLI) : path.join(ROOT, 'dist/cli.js');
const YLS = require.resolve('yaml-language-server/bin/yaml-language-server');
const SCHEMA_URI = pathToFileURL(path.join(ROOT, 'schemas/agent-connections.schema.json')).toString();
/** The settings the YAML extension would send with our `yamlValidation` association; no network. */
const YAML_SETTINGS = { validate: true, hover: false, completion: false, format: { enable: false }, schemaStore: { enable: false }, schemas: { [SCHEMA_URI]: 'agent-connections.yaml' } };

if (!fs.existsSync(CLI)) {
  console.log('dist/cli.js is missing: run "npm run build" first.');
  process.exit(0);
}

/** The same deliberately broken copy as bench/peers.mjs: four schema errors from top to bottom. */
function breakManifest(text) {
  const lastEnabled = text.lastIndexOf('enabled: true');
  let t = text.slice(0, lastEnabled) + 'enabled: maybe' + text.slice(lastEnabled + 'enabled: true'.length);
  const lastAddedBy = t.lastIndexOf('\n        addedBy: ');
  t = t.slice(0, lastAddedBy) + '\n        colour: blue' + t.slice(lastAddedBy);
  t = t.replace('provider: openai\n', 'provider: open-ai\n');
  return t.replace('\nversion: 1\n', '\nversion: 2\n');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-process-'));
const g = generateManifest(CONNECTIONS);
const cleanDir = path.join(tmp, 'clean');
const brokenDir = path.join(tmp, 'broken');
for (const [dir, text] of [[cleanDir, g.text], [brokenDir, breakManifest(g.text)]]) {
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), text);
}

/** `agent-connections validate --format json` in the manifest's folder, spawn to exit. */
function runOurs(dir) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, 'validate', '--format', 'json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      let problems = -1;
      try {
        problems = JSON.parse(Buffer.concat(out).toString('utf8')).problems.filter((p) => p.severity === 'error').length;
      } catch {
        // reported below as -1
      }
      resolve({ ms, code, problems });
    });
  });
}

/**
 * yaml-language-server as the YAML extension runs it (`--stdio`), our schema associated with
 * agent-connections.yaml through `yaml.schemas` (a file URI it reads itself), the schema store
 * off (no network). Spawn to exit, after the diagnostics of the opened file arrived.
 */
function runPeer(dir) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [YLS, '--stdio'], { cwd: dir, stdio: ['pipe', 'pipe', 'ignore'] });
    const docUri = pathToFileURL(path.join(dir, 'agent-connections.yaml')).toString();
    let nextId = 1;
    const send = (msg) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    let buf = Buffer.alloc(0);
    let diagnostics;
    let shutdownId;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('yaml-language-server: no diagnostics within 60 s'));
    }, 60_000);
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('exit', () => {
      clearTimeout(timer);
      if (diagnostics === undefined) reject(new Error('yaml-language-server exited without diagnostics'));
      else resolve({ ms: performance.now() - t0, problems: diagnostics.filter((d) => d.severity === 1).length, diagnostics });
    });
    child.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const headerEnd = buf.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, headerEnd).toString('ascii'))?.[1]);
        if (buf.length < headerEnd + 4 + length) return;
        const msg = JSON.parse(buf.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8'));
        buf = buf.subarray(headerEnd + 4 + length);
        if (msg.method && msg.id !== undefined) {
          // A request from the server (registerCapability, configuration …): answer it.
          // The server pulls its settings with workspace/configuration (sections yaml, http, [yaml], editor).
          send({ id: msg.id, result: msg.method === 'workspace/configuration' ? msg.params.items.map((item) => (item.section === 'yaml' ? YAML_SETTINGS : {})) : null });
        } else if (msg.id === 1 && msg.result) {
          send({ method: 'initialized', params: {} });
          send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: YAML_SETTINGS } } });
          send({ method: 'textDocument/didOpen', params: { textDocument: { uri: docUri, languageId: 'yaml', version: 1, text: fs.readFileSync(path.join(dir, 'agent-connections.yaml'), 'utf8') } } });
        } else if (msg.method === 'textDocument/publishDiagnostics' && msg.params.uri === docUri && diagnostics === undefined) {
          diagnostics = msg.params.diagnostics;
          shutdownId = ++nextId;
          send({ id: shutdownId, method: 'shutdown' });
        } else if (shutdownId !== undefined && msg.id === shutdownId) {
          send({ method: 'exit' });
        }
      }
    });
    send({ id: nextId, method: 'initialize', params: { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {}, workspaceFolders: null } });
  });
}

// Honesty checks: both sides really validate (0 errors on the clean file, > 0 on the broken copy).
const check = {
  oursErrorsClean: (await runOurs(cleanDir)).problems,
  oursErrorsBroken: (await runOurs(brokenDir)).problems,
  peerErrorsClean: (await runPeer(cleanDir)).problems,
};
const peerBroken = await runPeer(brokenDir);
check.peerErrorsBroken = peerBroken.problems;
check.peerBrokenSample = peerBroken.diagnostics.slice(0, 4).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
const warnings = [];
if (check.oursErrorsClean !== 0 || check.peerErrorsClean !== 0) warnings.push(`WARNING: clean file gives ${check.oursErrorsClean} error(s) (ours) and ${check.peerErrorsClean} (yaml-language-server).`);
if (check.oursErrorsBroken <= 0 || check.peerErrorsBroken <= 0) warnings.push(`WARNING: broken copy gives ${check.oursErrorsBroken} error(s) (ours) and ${check.peerErrorsBroken} (yaml-language-server): a side is not validating.`);

const loadBefore = os.loadavg();
const times = { ours: [], peer: [] };
for (let i = 0; i < RUNS; i++) {
  // ours, peer, peer, ours, …: neither side always runs right after the other.
  const order = i % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
  for (const side of order) {
    const r = side === 'ours' ? await runOurs(cleanDir) : await runPeer(cleanDir);
    if (side === 'ours' && r.code !== 0) warnings.push(`WARNING: ours exited ${r.code} on the clean file.`);
    times[side].push(r.ms);
  }
  console.log(`run ${i + 1}/${RUNS}: ours ${times.ours.at(-1).toFixed(0)} ms, yaml-language-server ${times.peer.at(-1).toFixed(0)} ms`);
}
const loadEnd = os.loadavg();
const med = { ours: +median(times.ours).toFixed(1), peer: +median(times.peer).toFixed(1) };
const speedup = +(med.peer / med.ours).toFixed(2);
const perRun = times.ours.map((t, i) => times.peer[i] / t);
const result = {
  date: new Date().toISOString(),
  connections: CONNECTIONS,
  bytes: Buffer.byteLength(g.text),
  runs: RUNS,
  medianMs: { cli: med.ours, yamlLanguageServer: med.peer },
  minMs: { cli: +Math.min(...times.ours).toFixed(1), yamlLanguageServer: +Math.min(...times.peer).toFixed(1) },
  yamlLanguageServerOverCli: speedup,
  // Per-run ratios (each pair ran back to back): less sensitive to load that drifts over the run.
  medianPairRatio: +median(perRun).toFixed(2),
  node: process.version,
  loadAvgAtStart: loadBefore.map((l) => +l.toFixed(2)),
  loadAvgAtEnd: loadEnd.map((l) => +l.toFixed(2)),
  versions: { yamlLanguageServer: require('yaml-language-server/package.json').version },
  method: {
    cli: 'node dist/cli.js validate --format json in the manifest\'s folder (agents glob included), spawn to exit',
    yamlLanguageServer: 'node yaml-language-server --stdio: initialize, initialized, the same yaml settings {validate, schemas: {<schema file URI>: agent-connections.yaml}, schemaStore off} answered to its workspace/configuration requests and sent in didChangeConfiguration, didOpen with the file\'s text, first publishDiagnostics for it, shutdown, exit; spawn to exit',
    timing: 'one warm-up of each (clean and broken), then runs alternating ours, peer / peer, ours; medians',
  },
  ...check,
  targets: {
    processSpeedup: { target: `yaml-language-server process / agent-connections validate process >= ${TARGET_SPEEDUP} at ${CONNECTIONS.toLocaleString('en')}`, value: speedup, pass: speedup >= TARGET_SPEEDUP && warnings.length === 0 },
  },
  warnings,
};

console.log(`\nWhole process at ${CONNECTIONS.toLocaleString('en')} connections (${result.bytes.toLocaleString('en')} bytes), median of ${RUNS}:`);
console.log(`  agent-connections validate   ${med.ours.toFixed(0)} ms (min ${result.minMs.cli})`);
console.log(`  yaml-language-server         ${med.peer.toFixed(0)} ms (min ${result.minMs.yamlLanguageServer})`);
console.log(`  ratio ${speedup} (median of per-run ratios ${result.medianPairRatio}); target >= ${TARGET_SPEEDUP}: ${result.targets.processSpeedup.pass ? 'ok' : 'MISSED'}`);
console.log(`  check: errors clean / broken: ours ${check.oursErrorsClean} / ${check.oursErrorsBroken}, yaml-language-server ${check.peerErrorsClean} / ${check.peerErrorsBroken}`);
for (const w of warnings) console.log(w);
if (loadEnd[0] > os.cpus().length * 0.75) console.log(`NOTE: load average ${loadEnd[0].toFixed(1)} on ${os.cpus().length} cores: other work is competing for CPU, figures are noisy.`);

if (process.env.AC_BENCH_CLI) {
  console.log(`\n(${CLI}: not merged into bench/results.json)`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
const file = path.join(ROOT, 'bench/results.json');
const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
all.process = result;
fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
console.log('\nMerged into bench/results.json (process)');
fs.rmSync(tmp, { recursive: true, force: true });
process.exitCode = 0;
