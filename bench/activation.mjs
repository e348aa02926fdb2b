#!/usr/bin/env node
// Activation in a real VS Code extension host, and the size of what ships.
//
// 1. Builds dist/ for production (what the .vsix holds) and records each bundle's size:
//    targets: code loaded at activation ≤ 300 KB, all extension-host code ≤ 800 KB,
//    the webview's script ≤ 150 KB.
// 2. Starts a fresh code-server per sample (scripts/vscode-test.mjs integration --bench)
//    on examples/workspace; the extension measures its own activation (first module
//    evaluated → activate returned) and lists the dist files in Node's module cache at
//    that moment; test/integration/activation.bench.ts writes them out. Target ≤ 50 ms.
// Merges its figures into bench/results.json under `activation` and `bundles`. Exits 0;
// a missed target is printed as MISSED.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateManifest } from './generate.mjs';
import { median, ROOT } from './lib.mjs';

const SAMPLES = Number(process.env.AC_BENCH_ACTIVATION_SAMPLES ?? 3);
const KB = 1024;
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, ...env } });

const built = run(process.execPath, ['esbuild.mjs', '--production']);
if (built.status !== 0) {
  console.error(built.stderr || built.stdout);
  process.exit(1);
}
const size = (f) => fs.statSync(path.join(ROOT, 'dist', f)).size;
const hostFiles = ['extension.js', 'core.js', 'manifestWorker.js', 'providerRuntime.js'];
const bundles = {
  files: Object.fromEntries([...hostFiles, 'webview.js', 'webview.css', 'cli.js'].map((f) => [f, size(f)])),
  extensionHostBytes: hostFiles.reduce((n, f) => n + size(f), 0),
  webviewScriptBytes: size('webview.js'),
  note: 'minified production build; extension host = extension + core + manifestWorker + providerRuntime (the CLI is a separate program, the webview runs in the browser)',
};


const samples = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-bench-activation-'));
const bigManifest = path.join(tmp, 'agent-connections.10000.yaml');
fs.writeFileSync(bigManifest, generateManifest(10_000).text);
for (let i = 1; i <= SAMPLES; i++) {
  const out = path.join(tmp, `sample-${i}.json`);
  const r = run(process.execPath, ['scripts/vscode-test.mjs', 'integration', '--bench', '--timeout=240'], { AC_BENCH_OUT: out, AC_BENCH_BIG_MANIFEST: bigManifest });
  if (r.status !== 0 || !fs.existsSync(out)) {
    console.error(`activation sample ${i} failed (exit ${r.status}):\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
    continue;
  }
  const s = JSON.parse(fs.readFileSync(out, 'utf8'));
  samples.push(s);
  console.log(`sample ${i}: module evaluation ${s.moduleEvalMs.toFixed(1)} ms + activate ${s.activateMs.toFixed(1)} ms (the host waited ${s.hostWaitMs.toFixed(1)} ms between them); loaded ${s.loadedFiles.map((f) => `${f.file} ${(f.bytes / KB).toFixed(1)} KB`).join(', ')}`);
}
fs.rmSync(tmp, { recursive: true, force: true });

const totals = samples.map((s) => s.moduleEvalMs + s.activateMs);
const loadedBytes = samples.length ? Math.max(...samples.map((s) => s.loadedFiles.reduce((n, f) => n + f.bytes, 0))) : NaN;
const activation = {
  samples: samples.length,
  where: samples[0] ? `code-server ${samples[0].vscodeVersion} (${samples[0].uiKind}), extension host ${samples[0].extensionKind === 2 ? 'workspace' : 'ui'}` : 'no sample',
  medianMs: median(totals),
  maxMs: totals.length ? Math.max(...totals) : NaN,
  medianModuleEvalMs: median(samples.map((s) => s.moduleEvalMs)),
  medianActivateMs: median(samples.map((s) => s.activateMs)),
  medianHostWaitMs: median(samples.map((s) => s.hostWaitMs)),
  loadedAtActivation: samples[0]?.loadedFiles ?? [],
  loadedAtActivationBytes: loadedBytes,
};
// The toggle on the 10,000-connection manifest: the first edit of each server loads
// dist/core.js in the extension host (cold); the others are what a user sees afterwards.
const edits = samples.flatMap((s) => s.edit10k?.samples ?? []);
const coldEdits = samples.map((s) => s.edit10k?.samples?.[0]).filter(Boolean);
const warmEdits = samples.flatMap((s) => s.edit10k?.samples?.slice(1) ?? []);
activation.edit10k = {
  what: 'agentConnections.toggleEnabled on a 10,000-connection manifest (not open in an editor): from executeCommand to the file on disk changed (fs.watch), and to the command settled (the store has re-read the file)',
  edits: edits.length,
  medianWrittenMs: median(warmEdits.map((e) => e.writtenMs)),
  maxWrittenMs: warmEdits.length ? Math.max(...warmEdits.map((e) => e.writtenMs)) : NaN,
  medianColdWrittenMs: median(coldEdits.map((e) => e.writtenMs)),
  medianCommandMs: median(warmEdits.map((e) => e.commandMs)),
  medianCoreEditMs: median(warmEdits.map((e) => e.coreMs)),
  documentLoaded: edits.filter((e) => e.documentLoaded).length,
  changedLines: [...new Set(edits.map((e) => e.changedLines))],
};
const verdict = (ok) => (ok ? 'ok' : 'MISSED');
const target = (text, value, pass) => ({ target: text, value, pass });
activation.targets = {
  activationMs: target('<= 50 ms (median)', Number(activation.medianMs.toFixed(1)), activation.medianMs <= 50),
  loadedAtActivationKB: target('<= 300 KB', Number((loadedBytes / KB).toFixed(1)), loadedBytes <= 300 * KB),
  extensionHostKB: target('<= 800 KB', Number((bundles.extensionHostBytes / KB).toFixed(1)), bundles.extensionHostBytes <= 800 * KB),
  webviewScriptKB: target('<= 150 KB', Number((bundles.webviewScriptBytes / KB).toFixed(1)), bundles.webviewScriptBytes <= 150 * KB),
  editWrittenMs: target('<= 50 ms (median, after the first edit): a toggle on the 10,000 file, command → file written, only the edited line changed',
    Number(activation.edit10k.medianWrittenMs.toFixed(1)), activation.edit10k.medianWrittenMs <= 50 && activation.edit10k.changedLines.every((n) => n === 1)),
};
const pass = Object.fromEntries(Object.entries(activation.targets).map(([k, t]) => [k, t.pass]));

console.log('\nactivation and bundles (production build)');
console.log(`  activation, median of ${samples.length}: ${activation.medianMs.toFixed(1)} ms (max ${activation.maxMs.toFixed(1)} ms) — target ≤ 50 ms: ${verdict(pass.activationMs)}`);
console.log(`  loaded at activation: ${(loadedBytes / KB).toFixed(1)} KB — target ≤ 300 KB: ${verdict(pass.loadedAtActivationKB)}`);
console.log(`  extension host code: ${(bundles.extensionHostBytes / KB).toFixed(1)} KB (${hostFiles.map((f) => `${f} ${(size(f) / KB).toFixed(1)}`).join(', ')}) — target ≤ 800 KB: ${verdict(pass.extensionHostKB)}`);
console.log(`  toggle on the 10,000 file, command → file written: median ${activation.edit10k.medianWrittenMs.toFixed(1)} ms of ${warmEdits.length} (max ${activation.edit10k.maxWrittenMs.toFixed(1)} ms; first edit of a server ${activation.edit10k.medianColdWrittenMs.toFixed(1)} ms; command settled ${activation.edit10k.medianCommandMs.toFixed(1)} ms; the core's edit alone ${activation.edit10k.medianCoreEditMs.toFixed(1)} ms; document loaded in ${activation.edit10k.documentLoaded} of ${edits.length}; changed lines ${activation.edit10k.changedLines.join(', ')}) — target ≤ 50 ms: ${verdict(pass.editWrittenMs)}`);
console.log(`  webview script: ${(bundles.webviewScriptBytes / KB).toFixed(1)} KB (+ ${(size('webview.css') / KB).toFixed(1)} KB CSS) — target ≤ 150 KB: ${verdict(pass.webviewScriptKB)}`);

const file = path.join(ROOT, 'bench/results.json');
const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
Object.assign(all, { activation, bundles });
fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
console.log('Merged into bench/results.json (activation, bundles)');
