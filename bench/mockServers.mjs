// Child process for bench/testAll.mjs: starts one mock provider per provider with a
// fixed answer latency, prints their origins as one JSON line, and runs until killed.
// In a separate process so the mocks' own work does not count as the client's
// event-loop delay.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startMockProvider } = require('../out/test/mocks/index.js');
const latencyMs = Number(process.argv[2] ?? 200);
const providers = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'];
const origins = {};
for (const p of providers) origins[p] = (await startMockProvider(p, { latencyMs, retiredModels: [] })).origin;
process.stdout.write(JSON.stringify(origins) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
