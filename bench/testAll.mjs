#!/usr/bin/env node
// "Test all" benchmark: 500 connections across the seven providers, against mock
// providers (another process) that answer after 200 ms, with the extension's
// default limits. Reports wall time as a ratio to the ideal (500 / concurrency ×
// 200 ms) and the largest event-loop delay of the client process. Uses the shipped
// bundle dist/providerRuntime.js. Merges its figures into bench/results.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const CONNECTIONS = 500;
const LATENCY_MS = 200;
const LIMITS = { concurrency: 8, perHost: 4 }; // the defaults of agentConnections.test.concurrency / concurrencyPerHost
const TARGETS = { ratio: 1.3, eventLoopDelayMs: 50 };

for (const f of ['dist/providerRuntime.js', 'out/test/mocks/index.js']) {
  if (!fs.existsSync(path.join(ROOT, f))) {
    console.error(`${f} is missing: run npm run build && npm run compile-tests (npm run bench does both).`);
    process.exit(1);
  }
}
const { testConnection, runBounded, createDispatcher } = require(path.join(ROOT, 'dist/providerRuntime.js'));

const child = spawn(process.execPath, [path.join(ROOT, 'bench/mockServers.mjs'), String(LATENCY_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const origins = await new Promise((resolve, reject) => {
  readline.createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
  child.once('exit', (code) => reject(new Error(`mock servers exited (${code})`)));
});

const KEY = 'sk-test-mock-key';
const AWS = { kind: 'aws', accessKeyId: 'AKIDTESTEXAMPLE0000', secretAccessKey: 'test-secret-not-real' };
const shapes = [
  { provider: 'openai', model: 'gpt-5-mini', settings: {} },
  { provider: 'anthropic', model: 'claude-haiku-4-5', settings: {} },
  { provider: 'google-gemini', model: 'gemini-flash-latest', settings: { apiVersion: 'v1' } },
  { provider: 'cohere', model: 'command-a-03-2025', settings: {} },
  { provider: 'amazon-bedrock', model: 'amazon.nova-pro-v1:0', settings: { region: 'us-east-1' } },
  { provider: 'azure-openai', model: 'gpt-4o', settings: { endpoint: origins['azure-openai'], deployment: 'gpt-4o', apiVersion: '2024-10-21' } },
  { provider: 'generic', model: 'mock-model', settings: { baseUrl: `${origins.generic}/v1` } },
];
const jobs = Array.from({ length: CONNECTIONS }, (_, i) => {
  const s = shapes[i % shapes.length];
  return { target: { ...s, modelName: `${s.provider}-${Math.floor(i / shapes.length)}`, connectionName: `c${i}` }, credential: s.provider === 'amazon-bedrock' ? AWS : { kind: 'apiKey', apiKey: KEY } };
});
const endpoints = { openai: origins.openai, anthropic: origins.anthropic, 'google-gemini': origins['google-gemini'], cohere: origins.cohere, 'amazon-bedrock': origins['amazon-bedrock'] };
const hostOf = (job) => (job.target.settings.endpoint ?? job.target.settings.baseUrl ?? endpoints[job.target.provider]).replace(/^(https?:\/\/[^/]+).*$/, '$1');

async function run() {
  const dispatcher = createDispatcher({});
  const outcomes = {};
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let maxGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - 1);
    last = now;
  }, 1);
  histogram.enable();
  const t0 = performance.now();
  await runBounded(jobs, hostOf, LIMITS, (job) => testConnection(job.target, job.credential, { depth: 'full', deadlineMs: 30_000, endpoints, dispatcher }), (_job, r) => {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  });
  const wallMs = performance.now() - t0;
  histogram.disable();
  clearInterval(ticker);
  await dispatcher.close();
  return { wallMs, outcomes, maxDelayMs: Math.max(maxGap, histogram.max / 1e6), p99DelayMs: histogram.percentile(99) / 1e6 };
}

const warm = await run(); // warm-up: connections, JIT
const measured = await run();
child.stdin.end();
child.kill();

const idealMs = (CONNECTIONS / LIMITS.concurrency) * LATENCY_MS;
const ratio = measured.wallMs / idealMs;
const result = {
  date: new Date().toISOString(),
  connections: CONNECTIONS,
  mockLatencyMs: LATENCY_MS,
  limits: LIMITS,
  idealMs,
  wallMs: +measured.wallMs.toFixed(0),
  ratio: +ratio.toFixed(3),
  maxEventLoopDelayMs: +measured.maxDelayMs.toFixed(1),
  p99EventLoopDelayMs: +measured.p99DelayMs.toFixed(1),
  outcomes: measured.outcomes,
  warmupWallMs: +warm.wallMs.toFixed(0),
  targets: {
    ratio: { target: `<= ${TARGETS.ratio}`, value: +ratio.toFixed(3), pass: ratio <= TARGETS.ratio },
    eventLoopDelayMs: { target: `<= ${TARGETS.eventLoopDelayMs} ms`, value: +measured.maxDelayMs.toFixed(1), pass: measured.maxDelayMs <= TARGETS.eventLoopDelayMs },
  },
};
console.log(`\nTest all: ${CONNECTIONS} connections, mocks answering in ${LATENCY_MS} ms, concurrency ${LIMITS.concurrency} (≤ ${LIMITS.perHost} per host)`);
console.log(`  wall ${result.wallMs} ms vs ideal ${idealMs} ms → ratio ${result.ratio} (${result.targets.ratio.pass ? 'pass' : 'MISSED'}, target ≤ ${TARGETS.ratio})`);
console.log(`  largest event-loop delay ${result.maxEventLoopDelayMs} ms, p99 ${result.p99EventLoopDelayMs} ms (${result.targets.eventLoopDelayMs.pass ? 'pass' : 'MISSED'}, target ≤ ${TARGETS.eventLoopDelayMs} ms)`);
console.log(`  outcomes: ${JSON.stringify(result.outcomes)}`);
if (!result.outcomes.ok || result.outcomes.ok !== CONNECTIONS) console.log('  WARNING: not every connection answered ok; the mock setup or a client is wrong.');
const load = os.loadavg()[0];
if (load > os.cpus().length * 0.75) console.log(`NOTE: load average ${load.toFixed(1)}: figures are noisy.`);

const file = path.join(ROOT, 'bench/results.json');
const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
all.testAll = result;
fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
console.log('Merged into bench/results.json (testAll)');
