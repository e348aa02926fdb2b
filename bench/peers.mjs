#!/usr/bin/env node
// Peer benchmark: text → problems + tree model (our analyzeManifest) side by side, in one process,
// with yaml.parseDocument, with yaml-language-server (the engine of Red Hat's YAML extension)
// validating the same text against our schema, and, for context, js-yaml load and JSON.parse.
// Usage: node bench/peers.mjs   (npm run bench runs it after bench/run.mjs).
// Merges its figures into bench/results.json under `peers`. Always exits 0.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { load as jsYamlLoad } from 'js-yaml';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseDocument } from 'yaml';
import { getLanguageService } from 'yaml-language-server';
import { generateManifest } from './generate.mjs';
import { bundleCore, median, ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const SIZES = [
  { connections: 100, runs: 15, warmup: 10 },
  { connections: 1000, runs: 7, warmup: 3 },
  { connections: 10000, runs: 5, warmup: 2 },
];
const TARGETS = { bigConnections: 10000, bigMs: 250, bigSpeedup: 5 };

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// ---- 0. Our core, bundled on the fly (no vscode) into a temp dir, as bench/run.mjs does.
const { tmp, core: { analyzeManifest } } = await bundleCore('agent-connections-peers', [[['analyzeManifest'], 'manifest/manifest.ts']]);

// ---- 1. yaml-language-server's language service, configured the way the YAML extension's
// `yamlValidation` contribution (package.json) associates our schema with agent-connections.yaml.
const schemaPath = path.join(ROOT, 'schemas/agent-connections.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const schemaUri = pathToFileURL(schemaPath).toString();
const schemaRequests = [];
const yls = getLanguageService({
  // The schema is passed inline below, so nothing should be requested; record it if it is.
  schemaRequestService: async (uri) => {
    schemaRequests.push(uri);
    throw new Error(`bench: no schema fetching (${uri})`);
  },
  workspaceContext: { resolveRelativePath: (relativePath, resource) => new URL(relativePath, resource).toString() },
});
yls.configure({
  validate: true,
  hover: false,
  completion: false,
  format: false,
  schemas: [{ uri: schemaUri, fileMatch: ['agent-connections.yaml'], schema, name: 'Agent Connections manifest' }],
});
const docUri = 'file:///bench/workspace/agent-connections.yaml';
// yaml-language-server caches the parsed document per URI and version: a new version each call
// makes every run parse and validate from scratch, as after an edit in the editor.
let docVersion = 0;
const ylsValidate = (text) => yls.doValidation(TextDocument.create(docUri, 'yaml', ++docVersion, text), false);

const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
const pkgVersion = (name, from) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(from, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

/**
 * The deliberately broken copy: four schema errors of different kinds, spread from the top of the
 * file to its last connection, so a validator that stopped early or skipped the schema shows it.
 */
function breakManifest(text) {
  const lastEnabled = text.lastIndexOf('enabled: true');
  let t = text.slice(0, lastEnabled) + 'enabled: maybe' + text.slice(lastEnabled + 'enabled: true'.length); // type: boolean
  const lastAddedBy = t.lastIndexOf('\n        addedBy: ');
  t = t.slice(0, lastAddedBy) + '\n        colour: blue' + t.slice(lastAddedBy); // additionalProperties: false
  t = t.replace('provider: openai\n', 'provider: open-ai\n'); // enum
  t = t.replace('\nversion: 1\n', '\nversion: 2\n'); // const: 1
  return t;
}

// The candidates, timed interleaved: each run does every candidate once, each after a full GC,
// in an order rotated from run to run so that no candidate always runs first or last.
const CANDIDATES = [
  { key: 'analyzeManifest', label: 'ours', run: (c) => analyzeManifest(c.text) },
  { key: 'parseDocument', label: 'parseDocument', run: (c) => parseDocument(c.text) },
  { key: 'yamlLanguageServer', label: 'yaml-language-server', run: (c) => ylsValidate(c.text), async: true },
  { key: 'jsYamlLoad', label: 'js-yaml', run: (c) => jsYamlLoad(c.text) },
  { key: 'jsonParse', label: 'JSON.parse', run: (c) => JSON.parse(c.json) },
];

const loadBefore = os.loadavg();
const rows = [];
const warnings = [];
for (const size of SIZES) {
  const g = generateManifest(size.connections);
  const json = JSON.stringify(parseDocument(g.text).toJS());
  const ctx = { text: g.text, json };
  const broken = breakManifest(g.text);

  // Honesty checks: both sides really validate (0 on the clean file, > 0 on the broken copy).
  const ours = analyzeManifest(g.text);
  const oursBroken = analyzeManifest(broken);
  const ylsClean = await ylsValidate(g.text);
  const ylsBroken = await ylsValidate(broken);
  const check = {
    oursProblemsClean: ours.problems.length,
    oursProblemsBroken: oursBroken.problems.length,
    ylsDiagnosticsClean: ylsClean.length,
    ylsDiagnosticsBroken: ylsBroken.length,
    ylsBrokenSample: ylsBroken.slice(0, 6).map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
    oursBrokenSample: oursBroken.problems.slice(0, 6).map((p) => `line ${p.range.start.line + 1}: ${p.code}`),
  };
  if (check.oursProblemsClean !== 0 || check.ylsDiagnosticsClean !== 0) warnings.push(`WARNING: ${size.connections}: clean file gives ${check.oursProblemsClean} problem(s) (ours) and ${check.ylsDiagnosticsClean} diagnostic(s) (yaml-language-server): ${[...ours.problems.slice(0, 2).map((p) => p.message), ...ylsClean.slice(0, 2).map((d) => d.message)].join(' | ')}`);
  if (check.oursProblemsBroken === 0 || check.ylsDiagnosticsBroken === 0) warnings.push(`WARNING: ${size.connections}: broken copy gives ${check.oursProblemsBroken} problem(s) (ours) and ${check.ylsDiagnosticsBroken} diagnostic(s) (yaml-language-server): a side is not validating.`);

  for (let i = 0; i < size.warmup; i++) {
    for (const c of CANDIDATES) await c.run(ctx);
  }
  const times = Object.fromEntries(CANDIDATES.map((c) => [c.key, []]));
  let ylsRunDiagnostics = 0;
  for (let i = 0; i < size.runs; i++) {
    for (let k = 0; k < CANDIDATES.length; k++) {
      const c = CANDIDATES[(i + k) % CANDIDATES.length];
      gc();
      const t0 = performance.now();
      const out = c.async ? await c.run(ctx) : c.run(ctx);
      times[c.key].push(performance.now() - t0);
      if (c.key === 'yamlLanguageServer') ylsRunDiagnostics = Math.max(ylsRunDiagnostics, out.length);
    }
  }
  const med = Object.fromEntries(CANDIDATES.map((c) => [c.key, +median(times[c.key]).toFixed(2)]));
  const min = Object.fromEntries(CANDIDATES.map((c) => [c.key, +Math.min(...times[c.key]).toFixed(2)]));
  const oursOverYls = med.analyzeManifest / med.yamlLanguageServer;
  rows.push({
    connections: size.connections,
    models: g.models,
    bytes: Buffer.byteLength(g.text),
    runs: size.runs,
    warmup: size.warmup,
    medianMs: med,
    minMs: min,
    oursOverYamlLanguageServer: +oursOverYls.toFixed(3),
    yamlLanguageServerSpeedup: +(med.yamlLanguageServer / med.analyzeManifest).toFixed(2),
    oursOverParseDocument: +(med.analyzeManifest / med.parseDocument).toFixed(3),
    // Ratio of the fastest runs: less sensitive to other work on a shared machine than the medians.
    oursOverYamlLanguageServerMin: +(min.analyzeManifest / min.yamlLanguageServer).toFixed(3),
    aheadOfYamlLanguageServer: oursOverYls < 1,
    ylsMaxDiagnosticsInTimedRuns: ylsRunDiagnostics,
    ...check,
  });
  console.log(`measured ${size.connections} connections (${size.runs} runs after ${size.warmup} warm-up)`);
}

// ---- 2. Report.
const big = rows.find((r) => r.connections === TARGETS.bigConnections);
const targets = {
  aheadOfYamlLanguageServer: { target: 'ours / yaml-language-server < 1 at every size', value: Math.max(...rows.map((r) => r.oursOverYamlLanguageServer)), pass: rows.every((r) => r.aheadOfYamlLanguageServer) },
  bigMs: { target: `analyzeManifest <= ${TARGETS.bigMs} ms at ${TARGETS.bigConnections.toLocaleString('en')}`, value: big?.medianMs.analyzeManifest ?? null, pass: !!big && big.medianMs.analyzeManifest <= TARGETS.bigMs },
  bigSpeedup: { target: `yaml-language-server / ours >= ${TARGETS.bigSpeedup} at ${TARGETS.bigConnections.toLocaleString('en')}`, value: big?.yamlLanguageServerSpeedup ?? null, pass: !!big && big.yamlLanguageServerSpeedup >= TARGETS.bigSpeedup },
};

const table = [
  ['connections', 'bytes', ...CANDIDATES.map((c) => `${c.label} ms`), 'ours/yls', 'ours/parseDoc', 'ahead of yls'],
  ...rows.map((r) => [String(r.connections), String(r.bytes), ...CANDIDATES.map((c) => fmt(r.medianMs[c.key], 2)), fmt(r.oursOverYamlLanguageServer, 3), fmt(r.oursOverParseDocument, 3), r.aheadOfYamlLanguageServer ? 'ok' : 'MISSED']),
];
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
console.log('\nPeer benchmark: text → problems (median ms of N runs, same process, interleaved, GC before each)');
console.log('ours = analyzeManifest (problems + tree model); yaml-language-server = doValidation with our schema; js-yaml and JSON.parse for context');
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => c.padStart(widths[j])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log('\nValidation check (clean file → expect 0; broken copy with 4 schema errors → expect > 0):');
for (const r of rows) console.log(`  ${String(r.connections).padStart(5)}: yaml-language-server ${r.ylsDiagnosticsClean} / ${r.ylsDiagnosticsBroken} diagnostics, ours ${r.oursProblemsClean} / ${r.oursProblemsBroken} problems (clean / broken)`);
if (big) {
  console.log(`  yaml-language-server on the broken ${big.connections}: ${big.ylsBrokenSample.join(' | ')}`);
  console.log(`  ours on the broken ${big.connections}: ${big.oursBrokenSample.join(' | ')}`);
}
if (schemaRequests.length) console.log(`  NOTE: yaml-language-server requested schemas: ${schemaRequests.join(', ')}`);
console.log('\nTargets:');
for (const [k, t] of Object.entries(targets)) console.log(`  ${t.pass ? 'ok    ' : 'MISSED'}  ${k}: ${t.value} (target ${t.target})`);
for (const w of warnings) console.log(w);
const loadEnd = os.loadavg();
if (loadEnd[0] > os.cpus().length * 0.75) console.log(`NOTE: load average ${loadEnd[0].toFixed(1)} on ${os.cpus().length} cores: other work is competing for CPU, figures are noisy.`);

const cpus = os.cpus();
const peers = {
  date: new Date().toISOString(),
  machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, totalMemGB: +(os.totalmem() / 1073741824).toFixed(1), platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version, loadAvgAtStart: loadBefore.map((l) => +l.toFixed(2)), loadAvgAtEnd: loadEnd.map((l) => +l.toFixed(2)) },
  versions: {
    yaml: require('yaml/package.json').version,
    yamlLanguageServer: pkgVersion('yaml-language-server', ROOT),
    yamlInsideYamlLanguageServer: pkgVersion('yaml', path.join(ROOT, 'node_modules/yaml-language-server')) ?? 'hoisted',
    jsYaml: pkgVersion('js-yaml', ROOT),
  },
  method: {
    analyzeManifest: 'analyzeManifest(text) from src/core/manifest/manifest.ts bundled with esbuild: problems + tree model',
    parseDocument: 'yaml.parseDocument(text), default options',
    yamlLanguageServer: `getLanguageService({schemaRequestService, workspaceContext}).configure({validate: true, schemas: [{uri, fileMatch: ['agent-connections.yaml'], schema}]}), then doValidation(TextDocument.create('${docUri}', 'yaml', newVersion, text), false): a new version each call, so its per-URI cache never answers`,
    jsYamlLoad: 'js-yaml load(text), default schema',
    jsonParse: 'JSON.parse of JSON.stringify(parseDocument(text).toJS()): the same data as JSON',
    brokenCopy: 'version: 2 (const), first provider: openai → open-ai (enum), last enabled: true → maybe (type), colour: blue in the last connection (additionalProperties)',
    timing: 'per size: warm-up, then N runs; each run times every candidate once, GC before each, order rotated per run; medians reported',
  },
  sizes: rows,
  targets,
  schemaRequests,
  warnings,
};
const file = path.join(ROOT, 'bench/results.json');
const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
all.peers = peers;
fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
console.log('\nMerged into bench/results.json (peers)');
fs.rmSync(tmp, { recursive: true, force: true });
process.exitCode = 0;
