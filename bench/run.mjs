#!/usr/bin/env node
// Manifest load benchmark: parseDocument vs analyzeManifest, retained heap, event-loop blocking.
// Usage: node bench/run.mjs   (or npm run bench). Writes bench/results.json. Always exits 0.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { parseDocument } from 'yaml';
import { generateManifest } from './generate.mjs';
import { bundleCore, median, ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const SIZES = [
  { connections: 100, runs: 15, warmup: 30 },
  { connections: 1000, runs: 7, warmup: 4 },
  { connections: 10000, runs: 5, warmup: 2 },
];
const TARGETS = { ratio: 1.25, readPath10kMs: 250, editMs: 50, retainedHeapMB: 60, eventLoopBlockMs: 100 };

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// ---- 0. The core, bundled on the fly (no vscode), in a temp dir that the child and worker share:
// the read path, the edit module and the switch that forces the full yaml path.
const { tmp, corePath, core } = await bundleCore('agent-connections-bench', [
  [['analyzeManifest'], 'manifest/manifest.ts'],
  [['setFastPath'], 'yaml/yamlLoad.ts'],
  [['addConnection', 'applyEdits', 'setConnectionEnabled', 'updateConnection'], 'manifest/edit/index.ts'],
]);
const { analyzeManifest, setFastPath, addConnection, applyEdits, setConnectionEnabled, updateConnection } = core;

const time = (fn) => {
  const t0 = performance.now();
  const v = fn();
  return [performance.now() - t0, v];
};
/** Wall time and CPU time (user + system of this process, GC threads included) of one call. */
const timeCpu = (fn) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000, v];
};
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

// ---- 1 + 2. Generate, check 0 problems, time parseDocument and analyzeManifest.
const manifests = new Map();
const sizeRows = [];
const warnings = [];
for (const size of SIZES) {
  const g = generateManifest(size.connections);
  manifests.set(size.connections, g.text);
  const first = analyzeManifest(g.text);
  const conns = first.models.reduce((s, m) => s + m.connections.length, 0);
  if (first.problems.length !== 0 || conns !== size.connections) {
    const w = `WARNING: the ${size.connections}-connection manifest gives ${first.problems.length} problem(s) and ${conns} connections: ${first.problems
      .slice(0, 3)
      .map((p) => `${p.code} at line ${p.range.start.line + 1}: ${p.message}`)
      .join(' | ')}`;
    warnings.push(w);
    console.warn(w);
  }
  for (let i = 0; i < size.warmup; i++) {
    parseDocument(g.text);
    analyzeManifest(g.text);
  }
  const p = [];
  const a = [];
  for (let i = 0; i < size.runs; i++) {
    // Interleaved, each after a full GC, so drift and GC debt hit both alike.
    gc();
    p.push(time(() => parseDocument(g.text))[0]);
    gc();
    a.push(time(() => analyzeManifest(g.text))[0]);
  }
  const parseMs = median(p);
  const analyzeMs = median(a);
  const ratio = analyzeMs / parseMs;
  sizeRows.push({
    connections: size.connections,
    models: g.models,
    bytes: Buffer.byteLength(g.text),
    runs: size.runs,
    parseDocumentMs: +parseMs.toFixed(2),
    analyzeManifestMs: +analyzeMs.toFixed(2),
    parseDocumentMinMs: +Math.min(...p).toFixed(2),
    analyzeManifestMinMs: +Math.min(...a).toFixed(2),
    ratio: +ratio.toFixed(3),
    problems: first.problems.length,
    ratioPass: ratio <= TARGETS.ratio,
  });
}

// ---- 2b. The full yaml path at 10,000 (the read path before the fast parser), for comparison.
const bigText = manifests.get(10000);
const fullPath = [];
setFastPath(false);
try {
  analyzeManifest(bigText);
  for (let i = 0; i < 3; i++) {
    gc();
    fullPath.push(time(() => analyzeManifest(bigText))[0]);
  }
} finally {
  setFastPath(true);
}
const fullPathMs = median(fullPath);
const big = sizeRows.find((r) => r.connections === 10000);

// ---- 2c. Form-style edits on the 10,000 file: call to result text, and only the edited lines change.
const bigModels = analyzeManifest(bigText).models;
const editCases = [];
for (const mi of [3, 250, 500, 777, bigModels.length - 1]) {
  const m = bigModels[mi];
  const c = m.connections[Math.min(2, m.connections.length - 1)];
  const ref = { model: m.name, connection: c.name };
  editCases.push(
    [`setConnectionEnabled ${m.name}/${c.name}`, () => setConnectionEnabled(bigText, ref, !c.enabled)],
    [`updateConnection ${m.name}/${c.name}`, () => updateConnection(bigText, ref, { description: 'Rotated key, see ticket 4711', addedBy: 'zed' })],
    [`addConnection ${m.name}`, () => addConnection(bigText, m.name, { name: 'bench-new-key', enabled: true, addedBy: 'zed', addedOn: '2026-12-03' })],
  );
}
for (const [, run] of editCases.slice(0, 6)) run(); // warm-up
const lineOf = (text, offset) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
};
const editRows = editCases.map(([what, run]) => {
  gc();
  let edits = [];
  // From the call to the result text (what is written or applied to the open document).
  const [ms, cpuMs, out] = timeCpu(() => applyEdits(bigText, (edits = run())));
  // Only the edited lines: the lines before the first edited line and after the last are unchanged.
  const a = bigText.split('\n');
  const b = out.split('\n');
  let p = 0;
  while (p < a.length && a[p] === b[p]) p++;
  let q = 0;
  while (q < a.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
  const first = lineOf(bigText, Math.min(...edits.map((e) => e.start)));
  const last = lineOf(bigText, Math.max(...edits.map((e) => e.end)));
  const onlyEdited = p >= first && a.length - q <= last + 1;
  return { edit: what, ms: +ms.toFixed(1), cpuMs: +cpuMs.toFixed(1), changedLinesOld: a.length - p - q, changedLinesNew: b.length - p - q, onlyEditedLinesChanged: onlyEdited };
});
const editMs = median(editRows.map((r) => r.ms));
const editCpuMs = median(editRows.map((r) => r.cpuMs));
// CPU time of the read path at 10,000 too: on a loaded machine it says more than wall time.
const readCpu = [];
for (let i = 0; i < 5; i++) {
  gc();
  readCpu.push(timeCpu(() => analyzeManifest(bigText))[1]);
}
const readCpuMs = median(readCpu);

// ---- 3. Retained heap after loading the 10,000 file (fresh process, --expose-gc).
const bigPath = path.join(tmp, 'manifest-10000.yaml');
fs.writeFileSync(bigPath, bigText);
const smallPath = path.join(tmp, 'manifest-100.yaml');
fs.writeFileSync(smallPath, manifests.get(100));
const heapChild = `
const fs = require('fs');
const { analyzeManifest } = require(${JSON.stringify(corePath)});
analyzeManifest(fs.readFileSync(${JSON.stringify(smallPath)}, 'utf8')); // code compiled, lazy init done
const text = fs.readFileSync(${JSON.stringify(bigPath)}, 'utf8');
const mb = (b) => b / 1048576;
gc(); gc();
const before = process.memoryUsage().heapUsed;
let result = analyzeManifest(text);
const afterCall = process.memoryUsage().heapUsed;
gc(); gc();
const retained = process.memoryUsage().heapUsed;
const count = result.models.reduce((s, m) => s + m.connections.length, 0);
const serializedBytes = require('v8').serialize(result).length;
result = null;
gc(); gc();
const released = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ beforeMB: mb(before), afterCallMB: mb(afterCall), retainedMB: mb(retained - before), notCollectedAfterReleaseMB: mb(released - before), textMB: mb(text.length), connections: count, structuredCloneBytes: serializedBytes }));
`;
const heapRun = spawnSync(process.execPath, ['--expose-gc', '-e', heapChild], { encoding: 'utf8' });
let heap;
try {
  heap = JSON.parse(heapRun.stdout);
} catch {
  heap = { error: (heapRun.stderr || heapRun.stdout || 'no output').slice(0, 2000) };
  console.warn('WARNING: heap child failed:', heap.error);
}

// ---- 4. Event-loop blocking while the 10,000 file is analysed in a worker thread.
const distWorker = path.join(ROOT, 'dist/manifestWorker.js');
const useDist = fs.existsSync(distWorker);
const worker = useDist
  ? new Worker(distWorker)
  : new Worker(
      `const { parentPort, workerData } = require('worker_threads');
       const { analyzeManifest } = require(workerData.corePath);
       parentPort.on('message', ({ id, text }) => parentPort.postMessage({ id, result: analyzeManifest(text) }));`,
      { eval: true, workerData: { corePath } },
    );
worker.unref();
let nextId = 1;
const pending = new Map();
worker.on('message', (msg) => {
  const cb = pending.get(msg?.id);
  if (cb) {
    pending.delete(msg.id);
    cb(msg);
  }
});
worker.on('error', (e) => {
  for (const cb of pending.values()) cb({ error: e });
  pending.clear();
});
const request = (text) =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    // dist/manifestWorker.js also serves agents files: `kind` selects the analyser (ignored by the inline worker).
    worker.postMessage({ id, kind: 'manifest', text });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` while a 1 ms interval and monitorEventLoopDelay watch the main thread. */
async function watchLoop(work) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let maxGap = 0;
  const iv = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  h.enable();
  await sleep(20);
  const t0 = performance.now();
  const out = await work();
  const roundTripMs = performance.now() - t0;
  await sleep(20); // let the interval observe the tail after the reply is handled
  h.disable();
  clearInterval(iv);
  return { out, roundTripMs, maxIntervalGapMs: maxGap, histMaxMs: h.max / 1e6, histP99Ms: h.percentile(99) / 1e6 };
}

const loopRuns = [];
let workerError;
const loadBefore = os.loadavg();
const idle = await watchLoop(() => sleep(200));
for (let i = 0; i < 4; i++) {
  const r = await watchLoop(async () => {
    const msg = await request(bigText);
    // Touch the result so any lazy deserialisation cost lands inside the window.
    if (msg.error || !Array.isArray(msg.result?.models)) return { error: String(msg.error ?? `unexpected reply: ${JSON.stringify(msg).slice(0, 200)}`) };
    return { connections: msg.result.models.reduce((s, m) => s + m.connections.length, 0), problems: msg.result.problems.length };
  });
  if (r.out.error) {
    workerError = r.out.error;
    break;
  }
  loopRuns.push({ run: i + 1, cold: i === 0, roundTripMs: +r.roundTripMs.toFixed(1), maxIntervalGapMs: +r.maxIntervalGapMs.toFixed(1), histMaxMs: +r.histMaxMs.toFixed(1), histP99Ms: +r.histP99Ms.toFixed(1), ...r.out });
}
await worker.terminate();
// The main-thread share of a worker load, without scheduler noise: deserialising the reply.
const bigResult = analyzeManifest(bigText);
const wire = v8.serialize({ id: 1, result: bigResult });
const deser = [];
for (let i = 0; i < 7; i++) {
  gc();
  deser.push(time(() => v8.deserialize(wire))[0]);
}
const deserializeMs = median(deser);
// Block = the longest stretch the main thread could not run the 1 ms timer (interval gap and histogram max agree within ~1 ms).
const maxBlockMs = loopRuns.length ? Math.max(...loopRuns.map((r) => Math.max(r.maxIntervalGapMs, r.histMaxMs))) : NaN;

// ---- 5. Report.
const targets = {
  ratio: { target: `<= ${TARGETS.ratio} at every size`, value: Math.max(...sizeRows.map((r) => r.ratio)), pass: sizeRows.every((r) => r.ratioPass) },
  readPath10kMs: { target: `<= ${TARGETS.readPath10kMs} ms: analyzeManifest (text → problems + tree model) at 10,000 connections`, value: big.analyzeManifestMs, pass: big.analyzeManifestMs <= TARGETS.readPath10kMs },
  editMs: { target: `<= ${TARGETS.editMs} ms: median of ${editRows.length} form-style edits on the 10,000 file, only the edited lines changed`, value: +editMs.toFixed(1), pass: editMs <= TARGETS.editMs && editRows.every((r) => r.onlyEditedLinesChanged) },
  retainedHeapMB: { target: `<= ${TARGETS.retainedHeapMB} MB at 10,000`, value: heap.retainedMB !== undefined ? +heap.retainedMB.toFixed(1) : null, pass: heap.retainedMB !== undefined && heap.retainedMB <= TARGETS.retainedHeapMB },
  eventLoopBlockMs: { target: `<= ${TARGETS.eventLoopBlockMs} ms at 10,000`, value: Number.isFinite(maxBlockMs) ? +maxBlockMs.toFixed(1) : null, pass: Number.isFinite(maxBlockMs) && maxBlockMs <= TARGETS.eventLoopBlockMs },
};

const table = [
  ['size', 'connections', 'bytes', 'parseDocument ms', 'analyze ms', 'ratio', 'ratio ≤ 1.25'],
  ...sizeRows.map((r) => [`${r.models} models`, String(r.connections), String(r.bytes), fmt(r.parseDocumentMs, 2), fmt(r.analyzeManifestMs, 2), fmt(r.ratio, 2), r.ratioPass ? 'pass' : 'MISSED']),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
console.log('\nManifest load benchmark (median of N runs, same process)');
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`\nRead path at 10,000 connections: ${fmt(big.analyzeManifestMs)} ms (fast parser); the full yaml path (setFastPath(false), as before): ${fmt(fullPathMs)} ms (median of ${fullPath.length}); yaml.parseDocument alone: ${fmt(big.parseDocumentMs)} ms`);
console.log(`  CPU time of analyzeManifest at 10,000 (user + system, median of ${readCpu.length}): ${fmt(readCpuMs)} ms`);
console.log(`Edits on the 10,000 file (call → result text, median of ${editRows.length}): ${fmt(editMs)} ms wall, ${fmt(editCpuMs)} ms CPU`);
for (const r of editRows) console.log(`  ${r.ms.toFixed(1).padStart(6)} ms (CPU ${r.cpuMs.toFixed(1).padStart(5)})  ${r.edit}: ${r.changedLinesOld} line(s) → ${r.changedLinesNew}${r.onlyEditedLinesChanged ? '' : '  OTHER LINES CHANGED'}`);
console.log(`\nRetained heap after analyzeManifest(10,000), result kept: ${heap.retainedMB !== undefined ? fmt(heap.retainedMB) + ' MB' : 'n/a'} (text itself ${heap.textMB ? fmt(heap.textMB) : '?'} MB, not counted; heap right after the call, before GC: +${heap.afterCallMB !== undefined ? fmt(heap.afterCallMB - heap.beforeMB) : '?'} MB)`);
console.log(`Structured-clone reply of the 10,000 result: ${(wire.length / 1048576).toFixed(1)} MB; deserialising it on the main thread: ${fmt(deserializeMs)} ms (median of 7)`);
console.log(`Event loop while a worker (${useDist ? 'dist/manifestWorker.js' : 'inline eval worker, dist/manifestWorker.js absent'}) analyses 10,000: max block ${fmt(maxBlockMs)} ms over ${loopRuns.length} runs (idle baseline ${fmt(Math.max(idle.maxIntervalGapMs, idle.histMaxMs))} ms)`);
for (const r of loopRuns) console.log(`  run ${r.run}${r.cold ? ' (cold worker)' : ''}: round trip ${r.roundTripMs} ms, max interval gap ${r.maxIntervalGapMs} ms, histogram max ${r.histMaxMs} ms, p99 ${r.histP99Ms} ms`);
if (workerError) console.log(`  worker error: ${workerError}`);
console.log('\nTargets:');
for (const [k, t] of Object.entries(targets)) console.log(`  ${t.pass ? 'pass  ' : 'MISSED'}  ${k}: ${t.value} (target ${t.target})`);
for (const w of warnings) console.log(w);
const load = os.loadavg()[0];
if (load > os.cpus().length * 0.75) console.log(`NOTE: load average ${load.toFixed(1)} on ${os.cpus().length} cores: other work is competing for CPU, figures are noisy (event-loop gaps especially).`);

const cpus = os.cpus();
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, totalMemGB: +(os.totalmem() / 1073741824).toFixed(1), platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version, loadAvg1mAtStart: +loadBefore[0].toFixed(2), loadAvg1mAtEnd: +os.loadavg()[0].toFixed(2) },
  yamlVersion: require('yaml/package.json').version,
  baseline: 'yaml.parseDocument(text) with default options',
  sizes: sizeRows,
  readPath10k: { analyzeManifestMs: big.analyzeManifestMs, analyzeManifestCpuMs: +readCpuMs.toFixed(1), fullYamlPathMs: +fullPathMs.toFixed(1), parseDocumentMs: big.parseDocumentMs, speedupVsFullPath: +(fullPathMs / big.analyzeManifestMs).toFixed(2) },
  edits: { connections: 10000, medianMs: +editMs.toFixed(1), medianCpuMs: +editCpuMs.toFixed(1), runs: editRows },
  retainedHeap: heap,
  eventLoop: { worker: useDist ? 'dist/manifestWorker.js' : 'inline eval worker (dist/manifestWorker.js absent)', connections: 10000, maxBlockMs: targets.eventLoopBlockMs.value, replyStructuredCloneMB: +(wire.length / 1048576).toFixed(2), replyDeserializeMsMedian: +deserializeMs.toFixed(1), idleBaselineMs: +Math.max(idle.maxIntervalGapMs, idle.histMaxMs).toFixed(1), runs: loopRuns, error: workerError },
  targets,
  warnings,
};
fs.writeFileSync(path.join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nWrote bench/results.json');
fs.rmSync(tmp, { recursive: true, force: true });
process.exitCode = 0;
