/**
 * Hostile provider responses (SECURITY.md §2, §3, §7), against the mock providers on 127.0.0.1 with the canary
 * key: redirects of every code and a loop, drip-feed, no answer, a gzip bomb, an oversized body, huge headers, a
 * non-JSON 200, a reset, error bodies echoing the key or carrying markup. Every case has an explicit time and
 * memory bound; every redirect points at one trap server that must receive 0 bytes; every result is one line of
 * redacted plain text (the tree shows it through MarkdownString.appendText, the form through textContent).
 */
import * as assert from 'assert';
import { testConnection } from '../../../src/core/providers/connectionTest';
import { OUTCOMES, type ConnectionTarget, type Credential, type Outcome, type TestResult } from '../../../src/core/providers';
import { MARKUP_MESSAGE, startMockProvider, startTrapServer, type MockProvider, type MockProviderId, type Scenario, type TrapServer } from '../../mocks';
import { CANARY, mb, recordCase, recordTrap } from './report';

const PROVIDERS: readonly MockProviderId[] = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'];
const MODELS: Record<MockProviderId, string> = {
  openai: 'gpt-5-mini', anthropic: 'claude-sonnet-4-5-20250929', 'google-gemini': 'gemini-2.5-flash-lite', cohere: 'command-a-03-2025',
  'amazon-bedrock': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'azure-openai': 'gpt-4o', generic: 'mock-model',
};
/** Bedrock signs with a key pair: the canary is the secret half, and the session token. */
const AWS = { accessKeyId: 'AKIATESTCANARY000001', secretAccessKey: `${CANARY}/aws+secret`, sessionToken: `${CANARY}-session` };
const SECRETS = [CANARY, AWS.secretAccessKey, AWS.sessionToken];

const DEADLINE_MS = 800;
/** Bounds every case must meet (the deadline plus the runner's slack; memory for the whole exchange). */
const MAX_MS = DEADLINE_MS + 600;
const MAX_MEMORY_MB = 100;

interface Case {
  scenario: Scenario;
  title: string;
  outcome: Outcome | ((p: MockProviderId) => Outcome);
  /** Checked on every provider's result. */
  check?(r: TestResult, p: MockProviderId, mock: MockProvider, trap: TrapServer): void;
}

const redirect = (code: number | 'loop'): Case => ({
  scenario: code === 'loop' ? 'redirect_loop' : (`redirect_${code}` as Scenario),
  title: code === 'loop' ? 'a redirect loop (302 to itself)' : `a ${code} redirect to the trap`,
  outcome: 'redirect_blocked',
  check(r, p, mock, trap) {
    assert.strictEqual(mock.requests.length, 1, `${p}: the redirect was followed`);
    assert.strictEqual(r.status, code === 'loop' ? 302 : code);
    assert.ok(r.message.includes(`redirecting to ${code === 'loop' ? mock.origin : trap.origin}.`), `${p}: ${r.message}`);
    assert.ok(!r.message.includes(mock.requests[0].path), `${p}: the Location's path is shown`);
  },
});

const CASES: Case[] = [
  redirect(301), redirect(302), redirect(303), redirect(307), redirect(308), redirect('loop'),
  { scenario: 'drip', title: 'a drip-feed (one byte every 200 ms)', outcome: 'timeout', check: (r) => assert.ok(r.latencyMs >= DEADLINE_MS - 30, `ended early: ${r.latencyMs} ms`) },
  { scenario: 'slow', title: 'no answer at all (headers never come)', outcome: 'timeout', check: (r) => assert.ok(r.latencyMs >= DEADLINE_MS - 30) },
  { scenario: 'gzip_bomb', title: 'a gzip bomb (1 MB expanding to 1 GiB)', outcome: 'invalid_response', check: (r) => assert.match(r.message, /larger than the limit/) },
  { scenario: 'oversized', title: 'a 20 MB body', outcome: 'invalid_response', check: (r) => assert.match(r.message, /larger than the limit/) },
  { scenario: 'huge_headers', title: '200 KB of response headers', outcome: 'invalid_response', check: (r) => assert.match(r.message, /headers/) },
  { scenario: 'non_json', title: 'a 200 that is an HTML page', outcome: 'invalid_response' },
  { scenario: 'reset', title: 'the connection reset without an answer', outcome: 'network_error' },
  {
    scenario: 'echo_key', title: 'an error body echoing the key', outcome: 'auth_failed',
    check: (r, p) => { if (p !== 'amazon-bedrock') assert.match(r.message, /\[redacted\]/, `${p}: ${r.message}`); },
  },
  {
    scenario: 'markup', title: 'an error body carrying HTML and a javascript: link', outcome: 'bad_request',
    // Kept as the provider's plain text: the display never interprets it (textContent, appendText, supportHtml false).
    check: (r) => assert.strictEqual(r.message, MARKUP_MESSAGE),
  },
];

function target(p: MockProviderId, origin: string): ConnectionTarget {
  const settings: Record<string, unknown> = {};
  if (p === 'amazon-bedrock') settings.region = 'us-east-1';
  if (p === 'azure-openai') Object.assign(settings, { endpoint: origin, deployment: MODELS[p], apiVersion: '2024-10-21' });
  if (p === 'generic') settings.baseUrl = `${origin}/v1`;
  return { provider: p, modelName: 'hostile', connectionName: 'canary', model: MODELS[p], settings };
}

const credential = (p: MockProviderId): Credential => (p === 'amazon-bedrock' ? { kind: 'aws', ...AWS } : { kind: 'apiKey', apiKey: CANARY });

/** One line of redacted plain text: no key in any form, no control characters, bounded length. */
function assertDisplaySafe(r: TestResult, where: string): void {
  const text = JSON.stringify(r);
  for (const s of SECRETS) {
    for (const form of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) assert.ok(!text.includes(form), `${where}: the key is in ${text}`);
  }
  assert.ok((OUTCOMES as readonly string[]).includes(r.outcome), where);
  for (const s of [r.message, r.hint, r.requestId ?? '']) {
    assert.ok(s.length <= 500, `${where}: ${s.length} characters`);
    // eslint-disable-next-line no-control-regex -- results are one line of plain text
    assert.ok(!/[\u0000-\u001f\u007f\u2028\u2029]/.test(s), `${where}: control characters`);
  }
}

describe('hostile input: provider responses', function () {
  this.timeout(60_000);
  let trap: TrapServer;
  const mocks = new Map<MockProviderId, MockProvider>();

  before(async () => {
    trap = await startTrapServer();
    for (const p of PROVIDERS) mocks.set(p, await startMockProvider(p, { key: CANARY, aws: AWS, redirectTarget: trap.origin, delayMs: 10_000 }));
  });
  after(async () => {
    await Promise.all([...mocks.values()].map((m) => m.close()));
    recordTrap('unit: provider responses (redirect target of every mock)', trap);
    await trap.close();
  });

  it(`tries ≥ 10 kinds of hostile responses (${CASES.length})`, () => assert.ok(CASES.length >= 10));

  for (const c of CASES) {
    it(`${c.title} → ${typeof c.outcome === 'string' ? c.outcome : 'per provider'}, bounded, redacted — every provider`, async () => {
      let worstMs = 0;
      let worstMb = 0;
      for (const p of PROVIDERS) {
        const mock = mocks.get(p) as MockProvider;
        mock.reset();
        mock.setScenario(c.scenario);
        const rss = process.memoryUsage().rss;
        const t0 = performance.now();
        const r = await testConnection(target(p, mock.origin), credential(p), {
          depth: 'full', deadlineMs: DEADLINE_MS, endpoints: p === 'azure-openai' || p === 'generic' ? {} : { [p]: mock.origin },
        });
        const ms = performance.now() - t0;
        const grown = mb(rss, process.memoryUsage().rss);
        const where = `${c.scenario} ${p}: ${r.outcome} in ${ms.toFixed(0)} ms, +${grown.toFixed(1)} MB (${r.message})`;
        assert.strictEqual(r.outcome, typeof c.outcome === 'string' ? c.outcome : c.outcome(p), where);
        assert.ok(ms < MAX_MS, `${where}: over ${MAX_MS} ms`);
        assert.ok(grown < MAX_MEMORY_MB, `${where}: memory`);
        assertDisplaySafe(r, where);
        c.check?.(r, p, mock, trap);
        assert.deepStrictEqual(mock.violations, [], where);
        worstMs = Math.max(worstMs, ms);
        worstMb = Math.max(worstMb, grown);
      }
      assert.strictEqual(trap.bytesReceived, 0, 'the trap received bytes');
      recordCase('providers', c.title, worstMs, true, worstMb, { providers: PROVIDERS.length, outcome: typeof c.outcome === 'string' ? c.outcome : 'per provider' });
    });
  }

  it('a key bound to another origin is not sent to the trap (refused confirmation)', async () => {
    const t0 = performance.now();
    for (const p of PROVIDERS) {
      const r = await testConnection(target(p, trap.origin), credential(p), {
        depth: 'full', deadlineMs: DEADLINE_MS, endpoints: p === 'azure-openai' || p === 'generic' ? {} : { [p]: trap.origin },
        binding: { boundOrigin: 'https://api.example.com', confirm: async () => false },
      });
      assert.strictEqual(r.outcome, 'blocked', `${p}: ${r.message}`);
      assertDisplaySafe(r, p);
    }
    assert.strictEqual(trap.connections, 0);
    assert.strictEqual(trap.bytesReceived, 0);
    recordCase('providers', 'the manifest points a bound key at the trap (confirmation refused)', performance.now() - t0, true, undefined, { providers: PROVIDERS.length, outcome: 'blocked' });
  });
});
