#!/usr/bin/env node
// CPU profile of analyzeManifest on the 10,000-connection manifest (node --cpu-prof in a child),
// summarised by source function (file:line through the bundle's source map): self time, and
// inclusive time of the analyzeManifest phases. Usage: node bench/profile.mjs [runs]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateManifest } from './generate.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 8);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-prof-'));
const corePath = path.join(tmp, 'core.cjs');
const built = await esbuild.build({ entryPoints: [path.join(ROOT, 'src/core/manifest/manifest.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, sourcemap: 'external', outfile: corePath, logLevel: 'warning' });
for (const f of built.outputFiles) fs.writeFileSync(f.path, f.text);
const textPath = path.join(tmp, 'manifest.yaml');
fs.writeFileSync(textPath, generateManifest(10000).text);
const child = `const fs=require('fs');const {analyzeManifest}=require(${JSON.stringify(corePath)});const t=fs.readFileSync(${JSON.stringify(textPath)},'utf8');
for(let i=0;i<2;i++)analyzeManifest(t);for(let i=0;i<${runs};i++)analyzeManifest(t);`;
const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', tmp, '--cpu-prof-interval', '200', '-e', child], { stdio: 'inherit' });
if (r.status !== 0) process.exit(1);
const profFile = fs.readdirSync(tmp).find((f) => f.endsWith('.cpuprofile'));
const prof = JSON.parse(fs.readFileSync(path.join(tmp, profFile), 'utf8'));
const map = new SourceMap(JSON.parse(fs.readFileSync(corePath + '.map', 'utf8')));

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
const where = (cf) => {
  if (!cf.url.endsWith('core.cjs')) return `${cf.url ? path.basename(cf.url) : '(native)'}`;
  const e = map.findEntry(cf.lineNumber, cf.columnNumber);
  return e?.originalSource ? `${path.relative(ROOT, fileURLToPath(new URL(e.originalSource, 'file://' + corePath)))}:${e.originalLine + 1}` : `core.cjs:${cf.lineNumber + 1}`;
};
const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`;
const self = new Map();
const incl = new Map();
let total = 0;
const walk = (n, onStack) => {
  const k = key(n);
  let sum = dt.get(n.id) ?? 0;
  self.set(k, (self.get(k) ?? 0) + sum);
  const inner = new Set(onStack).add(k);
  for (const c of n.children ?? []) sum += walk(byId.get(c), inner);
  if (!onStack.has(k)) incl.set(k, (incl.get(k) ?? 0) + sum);
  return sum;
};
total = walk(prof.nodes[0], new Set());
const an = [...incl].find(([k]) => k.startsWith('analyzeManifest '))?.[1] ?? total;
const show = (title, m, filter, n = 25) => {
  console.log(`\n${title} (ms over ${runs + 2} runs; % of analyzeManifest)`);
  for (const [k, v] of [...m].filter(filter).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${v.toFixed(0).padStart(8)}  ${((100 * v) / an).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`analyzeManifest inclusive: ${an.toFixed(0)} ms (${(an / (runs + 2)).toFixed(0)} ms per call)`);
show('Inclusive time, src/core functions', incl, ([k]) => k.includes('src/core/'), 30);
show('Inclusive time, yaml library functions', incl, ([k]) => k.includes('node_modules/yaml'), 25);
show('Self time, top functions', self, ([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)'), 30);
fs.rmSync(tmp, { recursive: true, force: true });
