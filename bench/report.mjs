#!/usr/bin/env node
// Renders docs/BENCHMARKS.md from bench/results.json (the last step of `npm run bench`),
// so the figures a reader sees are the ones the benchmarks wrote, with the machine
// they ran on. Every `targets` entry of the shape {target, value, pass} anywhere in the
// results is listed in the summary, whichever benchmark wrote it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = JSON.parse(fs.readFileSync(path.join(ROOT, 'bench/results.json'), 'utf8'));
const out = [];
const line = (s = '') => out.push(s);
const ms = (v) => (typeof v === 'number' && Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v)} ms` : '—');
const kb = (bytes) => (typeof bytes === 'number' ? `${(bytes / 1024).toFixed(1)} KB` : '—');
const num = (v, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
const table = (head, rows) => {
  line(`| ${head.join(' | ')} |`);
  line(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) line(`| ${r.join(' | ')} |`);
  line();
};

/** Every {target, value, pass} under a `targets` key, with the path that leads to it. */
function collectTargets(node, where, acc) {
  if (!node || typeof node !== 'object') return acc;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'targets' && v && typeof v === 'object') {
      for (const [name, t] of Object.entries(v)) {
        if (t && typeof t === 'object' && 'target' in t && 'pass' in t) acc.push({ where: where || 'read path', name, ...t });
      }
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      collectTargets(v, where ? `${where}.${k}` : k, acc);
    }
  }
  return acc;
}

const m = results.machine ?? results.peers?.machine ?? {};
line('# Benchmarks');
line();
line('Written by `npm run bench` (`bench/report.mjs` renders this page from `bench/results.json`); see');
line('`bench/README.md` for what each benchmark does and how. Figures depend on the machine and on');
line('what else ran on it; every ratio is against a baseline measured in the same run.');
line();
line('## Machine');
line();
table(['', ''], [
  ['CPU', `${m.cpu ?? '?'} × ${m.cores ?? '?'} cores`],
  ['memory', `${m.totalMemGB ?? '?'} GB`],
  ['system', m.platform ?? '?'],
  ['Node', m.node ?? '?'],
  ['load average (1 min) at start / end', `${m.loadAvg1mAtStart ?? m.loadAvgAtStart?.[0] ?? '?'} / ${m.loadAvg1mAtEnd ?? m.loadAvgAtEnd?.[0] ?? '?'}`],
  ['run', results.date ?? '?'],
]);

const targets = collectTargets(results, '', []);
line('## Targets');
line();
table(['benchmark', 'figure', 'target', 'measured', ''], targets.map((t) => [t.where, t.name, String(t.target).replace(/\|/g, '\\|'), String(t.value), t.pass ? 'ok' : '**MISSED**']));

if (results.peers?.sizes) {
  const p = results.peers;
  line('## Text → problems + tree model, side by side');
  line();
  line(`Medians after warm-up, interleaved in one process (${p.versions ? Object.entries(p.versions).map(([k, v]) => `${k} ${v}`).join(', ') : ''}).`);
  line('`yaml-language-server` validates with our schema and returns diagnostics only (no tree).');
  line();
  table(['connections', 'bytes', 'ours', 'yaml.parseDocument', 'yaml-language-server', 'js-yaml load', 'JSON.parse', 'ours / yaml-language-server'],
    p.sizes.map((s) => [s.connections.toLocaleString('en'), s.bytes.toLocaleString('en'), ms(s.medianMs?.analyzeManifest), ms(s.medianMs?.parseDocument), ms(s.medianMs?.yamlLanguageServer), ms(s.medianMs?.jsYamlLoad), ms(s.medianMs?.jsonParse), num(s.oursOverYamlLanguageServer, 3)]));
  const big = p.sizes[p.sizes.length - 1];
  if (big) line(`Both report the same on a deliberately broken copy: ours ${big.oursProblemsBroken} problems, yaml-language-server ${big.ylsDiagnosticsBroken} diagnostics; on the clean file ${big.oursProblemsClean} and ${big.ylsDiagnosticsClean}.`);
  line();
}

if (results.process?.medianMs) {
  const p = results.process;
  line('## Whole process: `agent-connections validate` against yaml-language-server (bench/process.mjs)');
  line();
  line(`What a CI step pays, startup included: each side is a new process on the same ${p.connections.toLocaleString('en')}-connection file (${kb(p.bytes)}), timed from spawn to exit, runs alternating; median of ${p.runs}, ${p.date ?? '?'} (Node ${p.node ?? '?'}, yaml-language-server ${p.versions?.yamlLanguageServer ?? '?'}; load average ${p.loadAvgAtStart?.[0] ?? '?'} / ${p.loadAvgAtEnd?.[0] ?? '?'} at start / end).`);
  line();
  table(['', 'median', 'fastest'], [
    ['`node dist/cli.js validate --format json`', ms(p.medianMs.cli), ms(p.minMs?.cli)],
    ['yaml-language-server `--stdio`, our schema, until the diagnostics and exit', ms(p.medianMs.yamlLanguageServer), ms(p.minMs?.yamlLanguageServer)],
    ['yaml-language-server / ours', num(p.yamlLanguageServerOverCli), num(p.minMs ? p.minMs.yamlLanguageServer / p.minMs.cli : undefined)],
  ]);
  line(`Median of the per-run ratios: ${num(p.medianPairRatio)}. Both validate: errors on the clean file ${p.oursErrorsClean} (ours) and ${p.peerErrorsClean} (yaml-language-server), on the broken copy ${p.oursErrorsBroken} and ${p.peerErrorsBroken}.`);
  line();
}

if (results.sizes) {
  line('## Read path against `yaml.parseDocument` (bench/run.mjs)');
  line();
  table(['connections', 'bytes', 'analyzeManifest', 'yaml.parseDocument', 'ratio', 'problems'],
    results.sizes.map((s) => [s.connections.toLocaleString('en'), s.bytes.toLocaleString('en'), ms(s.analyzeManifestMs), ms(s.parseDocumentMs), num(s.ratio, 3), String(s.problems)]));
}

const other = Object.entries(results).filter(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) && !['machine', 'targets', 'peers', 'activation', 'bundles', 'testAll', 'process'].includes(k));
for (const [k, v] of other) {
  const scalars = Object.entries(v).filter(([, x]) => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean');
  if (scalars.length === 0) continue;
  const TITLES = { readPath10k: 'Read path at 10,000 connections', edits: 'One form-style edit on the 10,000-connection file', retainedHeap: 'Retained heap at 10,000 connections', eventLoop: 'Main thread while the worker reads 10,000 connections' };
  line(`## ${TITLES[k] ?? k}`);
  line();
  table(['figure', 'value'], scalars.map(([a, b]) => [a, typeof b === 'number' ? String(Math.round(b * 100) / 100) : String(b)]));
}

if (results.testAll) {
  const t = results.testAll;
  line('## Test All against mock providers (bench/testAll.mjs)');
  line();
  table(['', ''], [
    ['connections', String(t.connections)],
    ['mock latency', ms(t.mockLatencyMs)],
    ['limits', `${t.limits?.concurrency} at a time, ${t.limits?.perHost} per host`],
    ['ideal (connections / concurrency × latency)', ms(t.idealMs)],
    ['measured', ms(t.wallMs)],
    ['ratio to ideal', num(t.ratio, 3)],
    ['largest event-loop delay / p99', `${ms(t.maxEventLoopDelayMs)} / ${ms(t.p99EventLoopDelayMs)}`],
    ['outcomes', Object.entries(t.outcomes ?? {}).map(([o, n]) => `${o} ${n}`).join(', ')],
  ]);
}

if (results.activation || results.bundles) {
  const a = results.activation ?? {};
  const b = results.bundles ?? {};
  line('## Activation and bundles (bench/activation.mjs)');
  line();
  if (a.samples) {
    line(`Measured by the extension in ${a.where}, ${a.samples} fresh server${a.samples === 1 ? '' : 's'}: median ${ms(a.medianMs)} (module evaluation ${ms(a.medianModuleEvalMs)} + activate ${ms(a.medianActivateMs)}), max ${ms(a.maxMs)}. Loaded at activation: ${(a.loadedAtActivation ?? []).map((f) => `${f.file} (${kb(f.bytes)})`).join(', ')}.`);
    line();
  }
  if (a.edit10k?.edits) {
    const e = a.edit10k;
    line(`One toggle on a 10,000-connection manifest in the same extension host (${e.edits} edits): from the command to the file written, median ${ms(e.medianWrittenMs)} (max ${ms(e.maxWrittenMs)}; the first edit of a server, which loads dist/core.js, ${ms(e.medianColdWrittenMs)}); the core's edit alone ${ms(e.medianCoreEditMs)}; until the command settled (the store has re-read and re-analysed the file) ${ms(e.medianCommandMs)}; changed lines per edit: ${e.changedLines.join(', ')}.`);
    line();
  }
  if (b.files) table(['file (production build)', 'size'], Object.entries(b.files).map(([f, n]) => [f, kb(n)]));
  if (b.note) line(b.note.charAt(0).toUpperCase() + b.note.slice(1) + '.');
  line();
}

fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'docs/BENCHMARKS.md'), out.join('\n').replace(/\n{3,}/g, '\n\n'));
console.log(`docs/BENCHMARKS.md written (${targets.length} targets, ${targets.filter((t) => !t.pass).length} missed)`);
