#!/usr/bin/env node
// First streamed token through our chat client against the mock's own first byte.
//
// The seven mock providers run in a child process (bench/mockServers.mjs, 20 ms answer
// latency, 5 ms between streamed chunks). For each provider, runs alternate between
//  - ours: streamChat() (src/core/chat, bundled on the fly) from the call to its first
//    text event — origin gate, request building (SigV4 for Bedrock), undici, SSE or
//    AWS event-stream decoding included;
//  - raw: a bare node:http request with the same URL, headers and body (built by the
//    same adapter, outside the timing) from the call to the first body byte that holds
//    the first text delta.
// Medians after warm-up; target: ours − raw ≤ 5 ms for every provider. Merges its
// figures into bench/results.json under `chatStream`. Exits 0; a miss prints MISSED.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { bundleCore, median, ROOT } from './lib.mjs';

const require = createRequire(import.meta.url);
const { DEFAULT_KEY, DEFAULT_AWS, MOCK_STREAM_DELTAS } = require('../out/test/mocks/index.js');
const RUNS = Number(process.env.AC_BENCH_CHAT_RUNS ?? 25);
const WARMUP = 5;
const LATENCY_MS = 20;
const TARGET_DIFF_MS = 5;
const MODELS = {
  openai: 'gpt-5-mini', anthropic: 'claude-sonnet-4-5-20250929', 'google-gemini': 'gemini-2.5-flash-lite', cohere: 'command-a-03-2025',
  'amazon-bedrock': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'azure-openai': 'gpt-4o', generic: 'mock-model',
};

const { tmp, core } = await bundleCore('ac-bench-chat', [[['streamChat', 'STREAM_ADAPTERS'], 'chat/stream.ts'], [['targetBase'], 'providers/targets.ts']]);
const child = spawn(process.execPath, [path.join(ROOT, 'bench/mockServers.mjs'), String(LATENCY_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const origins = await new Promise((resolve, reject) => {
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
  });
  child.once('exit', (code) => reject(new Error(`mock servers exited (${code})`)));
});

function target(p) {
  const origin = origins[p];
  const settings = {};
  if (p === 'amazon-bedrock') settings.region = 'us-east-1';
  if (p === 'azure-openai') Object.assign(settings, { endpoint: origin, deployment: MODELS[p], apiVersion: '2024-10-21' });
  if (p === 'generic') settings.baseUrl = `${origin}/v1`;
  return { provider: p, modelName: 'bench', connectionName: 'bench', model: MODELS[p], settings };
}
const credential = (p) => (p === 'amazon-bedrock' ? { kind: 'aws', ...DEFAULT_AWS } : { kind: 'apiKey', apiKey: DEFAULT_KEY });
const endpoints = (p) => (p === 'azure-openai' || p === 'generic' ? {} : { [p]: origins[p] });
const chat = { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Say hello.' }] }], maxTokens: 64 };
const FIRST = Buffer.from(MOCK_STREAM_DELTAS[0]);

async function ours(p) {
  const t0 = performance.now();
  let first = NaN;
  for await (const ev of core.streamChat(target(p), credential(p), chat, { endpoints: endpoints(p) })) {
    if (ev.type === 'text' && Number.isNaN(first)) first = performance.now() - t0;
    if (ev.type === 'error') throw new Error(`${p}: ${ev.outcome} ${ev.message}`);
  }
  return first;
}

const agent = new http.Agent({ keepAlive: true });
async function raw(p) {
  const base = core.targetBase(target(p), endpoints(p));
  const req = await core.STREAM_ADAPTERS[p].request(target(p), credential(p), base, chat);
  const url = new URL(req.url);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = NaN;
    let seen = Buffer.alloc(0);
    const r = http.request({ agent, method: req.method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { ...req.headers, 'accept-encoding': 'identity' } }, (res) => {
      res.on('data', (d) => {
        if (Number.isNaN(first)) {
          seen = Buffer.concat([seen, d]);
          if (seen.includes(FIRST)) first = performance.now() - t0;
        }
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(first) : reject(new Error(`${p}: raw ${res.statusCode}`))));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

const providers = Object.keys(MODELS);
const rows = [];
for (const p of providers) {
  for (let i = 0; i < WARMUP; i++) { await ours(p); await raw(p); }
  const o = [];
  const r = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2) { o.push(await ours(p)); r.push(await raw(p)); } else { r.push(await raw(p)); o.push(await ours(p)); }
  }
  const mo = median(o);
  const mr = median(r);
  const diffs = o.map((x, i) => x - r[i]);
  const row = { provider: p, runs: RUNS, oursMs: +mo.toFixed(2), rawMs: +mr.toFixed(2), diffMs: +median(diffs).toFixed(2), ratio: +(mo / mr).toFixed(3) };
  row.pass = row.diffMs <= TARGET_DIFF_MS;
  rows.push(row);
  console.log(`${p.padEnd(15)} ours ${row.oursMs.toFixed(2)} ms, raw first byte ${row.rawMs.toFixed(2)} ms → ${row.diffMs >= 0 ? '+' : ''}${row.diffMs.toFixed(2)} ms (ratio ${row.ratio}) ${row.pass ? 'pass' : 'MISSED'}`);
}
child.stdin.end();
agent.destroy();
fs.rmSync(tmp, { recursive: true, force: true });

const worst = Math.max(...rows.map((r) => r.diffMs));
const result = {
  date: new Date().toISOString(),
  what: 'first streamed text token through streamChat() vs the first body byte holding the same delta on a bare node:http request, same process, runs alternating; mocks in a child process',
  mockLatencyMs: LATENCY_MS,
  runsPerProvider: RUNS,
  medianOursMs: +median(rows.map((r) => r.oursMs)).toFixed(2),
  medianRawMs: +median(rows.map((r) => r.rawMs)).toFixed(2),
  worstProviderDiffMs: worst,
  medianRatio: +median(rows.map((r) => r.ratio)).toFixed(3),
  targetDiffMs: TARGET_DIFF_MS,
  pass: worst <= TARGET_DIFF_MS,
  loadAvg1m: +os.loadavg()[0].toFixed(2),
  providers: rows,
};
console.log(`worst provider: +${worst} ms (${result.pass ? 'pass' : 'MISSED'}, target ≤ ${TARGET_DIFF_MS} ms)`);
const file = path.join(ROOT, 'bench/results.json');
const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
all.chatStream = result;
fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
console.log('Merged into bench/results.json (chatStream)');
