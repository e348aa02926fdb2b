/**
 * The provider × outcome matrix of "Test connection", run against the mock providers (real HTTP servers on
 * 127.0.0.1 that answer like the real services, see /work/shared/PROVIDERS.md), plus the security promises of
 * SECURITY.md that a test can measure: a key never leaves for another origin, never crosses a redirect and never
 * shows up in a result; and the bounded runner.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as net from 'net';
import { hintFor, needsCredential, runBounded, targetBase, testConnection, type TestOptions } from '../../src/core/providers/connectionTest';
import { retryAfterMs } from '../../src/core/providers/common';
import { OUTCOMES, type ConnectionTarget, type Credential, type Outcome, type TestDepth, type TestResult } from '../../src/core/providers';
import { DEFAULT_AWS, DEFAULT_KEY, MARKUP_MESSAGE, startMockProvider, startTrapServer } from '../mocks';
import type { MockOptions, MockProvider, MockProviderId, Scenario, TrapServer } from '../mocks';

const PROVIDERS: readonly MockProviderId[] = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'];
const DEPTHS: readonly TestDepth[] = ['full', 'quick'];
const REDIRECTS: readonly Scenario[] = ['redirect_301', 'redirect_302', 'redirect_303', 'redirect_307', 'redirect_308', 'redirect_loop'];

/** Providers with a free metadata call: 'quick' stays on stage 1. Azure and Bedrock always send the minimal completion. */
const HAS_METADATA = new Set<MockProviderId>(['openai', 'anthropic', 'google-gemini', 'cohere', 'generic']);

interface Keys {
  apiKey: string;
  aws: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}
const DEFAULT_KEYS: Keys = { apiKey: DEFAULT_KEY, aws: { ...DEFAULT_AWS } };

/** A current model each mock knows, served on demand (Bedrock: through the `us.` inference profile). */
const MODELS: Record<MockProviderId, string> = {
  openai: 'gpt-5-mini',
  anthropic: 'claude-sonnet-4-5-20250929',
  'google-gemini': 'gemini-2.5-flash-lite',
  cohere: 'command-a-03-2025',
  'amazon-bedrock': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'azure-openai': 'gpt-4o',
  generic: 'mock-model',
};

function target(provider: MockProviderId, origin: string, extra: { model?: string; settings?: Record<string, unknown> } = {}): ConnectionTarget {
  const settings: Record<string, unknown> = {};
  if (provider === 'amazon-bedrock') settings.region = 'us-east-1';
  if (provider === 'azure-openai') Object.assign(settings, { endpoint: origin, deployment: extra.model ?? MODELS[provider], apiVersion: '2024-10-21' });
  if (provider === 'generic') settings.baseUrl = `${origin}/v1`;
  Object.assign(settings, extra.settings);
  return { provider, modelName: 'test-model', connectionName: 'test-connection', model: extra.model ?? MODELS[provider], settings };
}

function credentialFor(provider: MockProviderId, keys: Keys = DEFAULT_KEYS): Credential {
  return provider === 'amazon-bedrock' ? { kind: 'aws', ...keys.aws } : { kind: 'apiKey', apiKey: keys.apiKey };
}

/** Built-in providers take the mock's origin as an endpoint override; Azure and generic have it in their settings. */
function endpointsFor(provider: MockProviderId, origin: string): TestOptions['endpoints'] {
  return provider === 'azure-openai' || provider === 'generic' ? {} : { [provider]: origin };
}

async function runTest(mock: MockProvider, depth: TestDepth, opts: Partial<TestOptions> & { keys?: Keys; model?: string; settings?: Record<string, unknown>; credential?: Credential | null } = {}): Promise<TestResult> {
  const p = mock.provider;
  const credential = opts.credential === null ? undefined : opts.credential ?? credentialFor(p, opts.keys);
  return testConnection(target(p, mock.origin, { model: opts.model, settings: opts.settings }), credential, {
    depth,
    deadlineMs: 5_000,
    endpoints: endpointsFor(p, mock.origin),
    ...opts,
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Every result, whatever happened, is well formed: a known outcome, one-line redacted text, a timestamp. */
function assertWellFormed(r: TestResult, where: string): void {
  assert.ok((OUTCOMES as readonly string[]).includes(r.outcome), `${where}: unknown outcome ${r.outcome}`);
  assert.ok(r.message.length > 0 && r.message.length <= 500, `${where}: message length ${r.message.length}`);
  assert.ok(r.hint.length > 0 && r.hint.length <= 500, `${where}: hint length ${r.hint.length}`);
  // eslint-disable-next-line no-control-regex -- results are one line of plain text
  assert.ok(!/[\u0000-\u001f\u007f]/.test(r.message + r.hint + (r.requestId ?? '')), `${where}: control characters in the result`);
  assert.ok(Number.isFinite(Date.parse(r.at)), `${where}: bad timestamp ${r.at}`);
  assert.ok(r.latencyMs >= 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Expected outcomes

const COMMON: Partial<Record<Scenario, Outcome>> = {
  default: 'ok',
  auth_failed: 'auth_failed',
  echo_key: 'auth_failed',
  permission_denied: 'permission_denied',
  not_found: 'not_found',
  invalid_model_id: 'not_found',
  quota_exceeded: 'quota_exceeded',
  rate_limited: 'rate_limited',
  overloaded: 'overloaded',
  bad_request: 'bad_request',
  markup: 'bad_request',
  unsupported_parameter: 'bad_request',
  server_error: 'server_error',
  non_json: 'invalid_response',
  huge_headers: 'invalid_response',
  reset: 'network_error',
};

type PerDepth = Outcome | { full: Outcome; quick: Outcome };

/** What differs by provider. Retired models stay listed, so stage 1 ('quick') passes where a metadata call exists. */
const SPECIFIC: Record<MockProviderId, Partial<Record<Scenario, PerDepth>>> = {
  openai: { model_retired: { full: 'model_retired', quick: 'ok' }, billing: 'quota_exceeded', wrong_api_version: 'not_found', needs_inference_profile: 'not_found' },
  // Anthropic answers a retired model with a plain not_found_error: the client cannot tell, its hint says so.
  anthropic: { model_retired: { full: 'not_found', quick: 'ok' }, billing: 'quota_exceeded', wrong_api_version: 'bad_request', needs_inference_profile: 'not_found' },
  'google-gemini': { model_retired: { full: 'model_retired', quick: 'ok' }, billing: 'quota_exceeded', wrong_api_version: 'not_found', needs_inference_profile: 'not_found' },
  cohere: { model_retired: { full: 'model_retired', quick: 'ok' }, billing: 'quota_exceeded', wrong_api_version: 'not_found', needs_inference_profile: 'not_found' },
  'amazon-bedrock': { model_retired: 'model_retired', billing: 'permission_denied', wrong_api_version: 'not_found', needs_inference_profile: 'bad_request' },
  // Azure answers a retired model version with "Resource not found", like a wrong path.
  'azure-openai': { model_retired: 'not_found', billing: 'quota_exceeded', wrong_api_version: 'bad_request', needs_inference_profile: 'not_found' },
  generic: { model_retired: { full: 'model_retired', quick: 'ok' }, billing: 'quota_exceeded', wrong_api_version: 'not_found', needs_inference_profile: 'not_found' },
};

function expectedOutcome(p: MockProviderId, scenario: Scenario, depth: TestDepth): Outcome | undefined {
  const s = SPECIFIC[p][scenario];
  if (s !== undefined) return typeof s === 'string' ? s : s[depth];
  return COMMON[scenario];
}

/** retryAfterMs for the 'rate_limited' scenario (mock default 1.5 s): retry-after-ms, else retry-after (ceil 2 s), else Gemini RetryInfo. */
const RATE_LIMIT_RETRY_MS: Record<MockProviderId, number | undefined> = {
  openai: 1500, 'azure-openai': 1500, anthropic: 2000, generic: 2000, 'google-gemini': 1500, cohere: undefined, 'amazon-bedrock': undefined,
};

// ---------------------------------------------------------------------------------------------------------------

describe('provider connection tests against the mock providers', function () {
  this.timeout(15_000);

  describe('outcome matrix (every provider × scenario × depth)', () => {
    const mocks = new Map<MockProviderId, MockProvider>();
    before(async () => {
      for (const p of PROVIDERS) mocks.set(p, await startMockProvider(p));
    });
    after(async () => {
      await Promise.all([...mocks.values()].map((m) => m.close()));
    });

    for (const p of PROVIDERS) {
      describe(p, () => {
        const scenarios = Object.keys({ ...COMMON, ...SPECIFIC[p] }) as Scenario[];
        for (const scenario of scenarios) {
          it(`${scenario} → ${DEPTHS.map((d) => expectedOutcome(p, scenario, d)).join(' / ')}`, async () => {
            const mock = mocks.get(p) as MockProvider;
            for (const depth of DEPTHS) {
              mock.reset();
              mock.setScenario(scenario);
              const r = await runTest(mock, depth);
              const where = `${p} ${scenario} ${depth}: ${r.outcome} ${r.status ?? ''} ${r.message}`;
              assert.strictEqual(r.outcome, expectedOutcome(p, scenario, depth), where);
              assertWellFormed(r, where);
              assert.strictEqual(r.origin, mock.origin, where);
              assert.ok(mock.requests.length >= 1, `${where}: nothing reached the mock`);
              if (!['network_error', 'invalid_response'].includes(r.outcome) || scenario === 'non_json') {
                assert.ok(r.status !== undefined, `${where}: status missing`);
              }
              if (scenario === 'default') {
                assert.strictEqual(r.stage, depth === 'quick' && HAS_METADATA.has(p) ? 'metadata' : 'completion', where);
                assert.strictEqual(r.status, 200);
                assert.strictEqual(r.hint, hintFor('ok'));
              }
              if (scenario === 'rate_limited') {
                assert.strictEqual(r.retryAfterMs, RATE_LIMIT_RETRY_MS[p], where);
                if (r.retryAfterMs !== undefined) assert.match(r.hint, new RegExp(`${Math.ceil(r.retryAfterMs / 1000)} s`));
              }
              if (scenario === 'huge_headers') assert.match(r.message, /headers/, where);
              assert.deepStrictEqual(mock.violations, [], where);
            }
          });
        }
      });
    }
  });

  describe('transport limits (every provider, both depths)', () => {
    const mocks = new Map<MockProviderId, MockProvider>();
    before(async () => {
      for (const p of PROVIDERS) mocks.set(p, await startMockProvider(p));
    });
    after(async () => {
      await Promise.all([...mocks.values()].map((m) => m.close()));
    });

    for (const scenario of ['slow', 'drip'] as const) {
      it(`${scenario}: ends as 'timeout' at the deadline, not later`, async () => {
        const deadlineMs = 600;
        // One mock per provider, both depths at once: the scenario applies to every request of the mock.
        for (const m of mocks.values()) {
          m.reset();
          m.setScenario(scenario);
        }
        const runs = PROVIDERS.flatMap((p) => DEPTHS.map(async (depth) => {
          const started = performance.now();
          const r = await runTest(mocks.get(p) as MockProvider, depth, { deadlineMs });
          return { p, depth, r, elapsed: performance.now() - started };
        }));
        for (const { p, depth, r, elapsed } of await Promise.all(runs)) {
          const where = `${p} ${depth}: ${r.outcome} after ${Math.round(elapsed)} ms (${r.message})`;
          assert.strictEqual(r.outcome, 'timeout', where);
          assert.ok(elapsed >= deadlineMs - 30, `${where}: ended before the deadline`);
          assert.ok(elapsed <= deadlineMs + 400, `${where}: ran past the deadline`);
          assert.ok(r.latencyMs <= deadlineMs + 400, where);
          assertWellFormed(r, where);
        }
      });
    }

    for (const scenario of ['oversized', 'gzip_bomb'] as const) {
      it(`${scenario}: bounded in time and memory → invalid_response`, async () => {
        for (const p of PROVIDERS) {
          const mock = mocks.get(p) as MockProvider;
          for (const depth of DEPTHS) {
            mock.reset();
            mock.setScenario(scenario);
            const rss = process.memoryUsage().rss;
            const started = performance.now();
            const r = await runTest(mock, depth, { deadlineMs: 5_000 });
            const elapsed = performance.now() - started;
            const grown = (process.memoryUsage().rss - rss) / (1024 * 1024);
            const where = `${p} ${depth} ${scenario}: ${r.outcome} in ${Math.round(elapsed)} ms, +${grown.toFixed(1)} MB (${r.message})`;
            assert.strictEqual(r.outcome, 'invalid_response', where);
            assert.match(r.message, /larger than the limit/, where);
            assert.ok(elapsed < 2_000, `${where}: not prompt`);
            assert.ok(grown < 100, `${where}: memory grew`);
          }
        }
      });
    }

    it('a closed port → network_error (connection refused)', async () => {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      for (const p of PROVIDERS) {
        const r = await testConnection(target(p, origin), credentialFor(p), { depth: 'full', deadlineMs: 2_000, endpoints: endpointsFor(p, origin) });
        assert.strictEqual(r.outcome, 'network_error', `${p}: ${r.message}`);
        assert.match(r.message, /refused/);
        assert.strictEqual(r.origin, origin);
      }
    });

    it('cancellation: an aborted signal sends nothing; an abort in flight ends as cancelled', async () => {
      const mock = mocks.get('openai') as MockProvider;
      mock.reset();
      const ac = new AbortController();
      ac.abort();
      const before = await runTest(mock, 'full', { signal: ac.signal });
      assert.strictEqual(before.outcome, 'cancelled');
      assert.strictEqual(mock.requests.length, 0);

      mock.setScenario('slow');
      const ac2 = new AbortController();
      setTimeout(() => ac2.abort(), 100);
      const started = performance.now();
      const during = await runTest(mock, 'full', { signal: ac2.signal, deadlineMs: 5_000 });
      assert.strictEqual(during.outcome, 'cancelled');
      assert.ok(performance.now() - started < 1_000);
    });
  });

  describe('redirects are never followed', () => {
    let trap: TrapServer;
    const mocks = new Map<MockProviderId, MockProvider>();
    before(async () => {
      trap = await startTrapServer();
      for (const p of PROVIDERS) mocks.set(p, await startMockProvider(p, { redirectTarget: trap.origin }));
    });
    after(async () => {
      await Promise.all([...mocks.values()].map((m) => m.close()));
      await trap.close();
    });

    for (const p of PROVIDERS) {
      it(`${p}: 301/302/303/307/308 and a loop → redirect_blocked naming only the Location's origin; the trap gets 0 bytes`, async () => {
        const mock = mocks.get(p) as MockProvider;
        for (const scenario of REDIRECTS) {
          for (const depth of DEPTHS) {
            mock.reset();
            mock.setScenario(scenario);
            const r = await runTest(mock, depth);
            const where = `${p} ${scenario} ${depth}: ${r.outcome} ${r.message}`;
            assert.strictEqual(r.outcome, 'redirect_blocked', where);
            assert.strictEqual(mock.requests.length, 1, `${where}: the redirect was followed`);
            const location = scenario === 'redirect_loop' ? mock.origin : trap.origin;
            assert.ok(r.message.includes(`redirecting to ${location}.`), where);
            const path = mock.requests[0].path;
            assert.ok(!r.message.includes(path), `${where}: the Location's path is in the message`);
            assert.ok(!r.message.includes(`${location}/`), where);
            assert.strictEqual(r.status, Number(scenario === 'redirect_loop' ? 302 : scenario.slice(-3)));
            assert.strictEqual(r.hint, hintFor('redirect_blocked'));
          }
        }
        assert.strictEqual(trap.connections, 0);
        assert.strictEqual(trap.bytesReceived, 0);
      });
    }
  });

  describe('provider specifics', () => {
    const mocks = new Map<string, MockProvider>();
    const mock = async (p: MockProviderId, options: MockOptions = {}, name: string = p): Promise<MockProvider> => {
      const existing = mocks.get(name);
      if (existing) {
        existing.reset();
        return existing;
      }
      const m = await startMockProvider(p, options);
      mocks.set(name, m);
      return m;
    };
    after(async () => {
      await Promise.all([...mocks.values()].map((m) => m.close()));
    });

    describe('openai', () => {
      it('full sends one chat completion with max_completion_tokens and Bearer auth; quick reads the model', async () => {
        const m = await mock('openai');
        assert.strictEqual((await runTest(m, 'full')).outcome, 'ok');
        assert.strictEqual(m.requests.length, 1);
        const [post] = m.requests;
        assert.strictEqual(post.method, 'POST');
        assert.strictEqual(post.path, '/v1/chat/completions');
        assert.strictEqual(post.headers.authorization, `Bearer ${DEFAULT_KEY}`);
        const body = JSON.parse(post.body) as Record<string, unknown>;
        assert.strictEqual(body.model, 'gpt-5-mini');
        assert.ok(body.max_completion_tokens !== undefined && body.max_tokens === undefined);
        m.reset();
        assert.strictEqual((await runTest(m, 'quick')).outcome, 'ok');
        assert.deepStrictEqual(m.requests.map((r) => `${r.method} ${r.path}`), ['GET /v1/models/gpt-5-mini']);
      });

      it('a 400 unsupported_parameter on max_completion_tokens is retried once with max_tokens', async () => {
        const m = await mock('openai');
        m.setScenario('unsupported_parameter', { times: 1 });
        const r = await runTest(m, 'full', { model: 'gpt-4o' });
        assert.strictEqual(r.outcome, 'ok', r.message);
        assert.strictEqual(m.requests.length, 2);
        assert.ok('max_completion_tokens' in JSON.parse(m.requests[0].body));
        assert.ok('max_tokens' in JSON.parse(m.requests[1].body));
      });

      it('a project without access to the model (403 model_not_found) is permission_denied, not not_found', async () => {
        const m = await mock('openai');
        m.setScenario('permission_denied');
        const r = await runTest(m, 'full');
        assert.strictEqual(r.outcome, 'permission_denied');
        assert.strictEqual(r.status, 403);
      });

      it('rate limits: retry-after-ms wins over retry-after', async () => {
        const m = await mock('openai', { retryAfterSeconds: 2.5 }, 'openai-2.5');
        m.setScenario('rate_limited');
        const r = await runTest(m, 'full');
        assert.strictEqual(r.retryAfterMs, 2500);
        assert.match(r.hint, /3 s/);
      });
    });

    describe('anthropic', () => {
      it('uses one auth scheme whole: x-api-key + anthropic-version, never Authorization', async () => {
        const m = await mock('anthropic');
        for (const depth of DEPTHS) {
          m.reset();
          assert.strictEqual((await runTest(m, depth)).outcome, 'ok');
          for (const req of m.requests) {
            assert.strictEqual(req.headers['x-api-key'], DEFAULT_KEY);
            assert.strictEqual(req.headers['anthropic-version'], '2023-06-01');
            assert.strictEqual(req.headers.authorization, undefined);
          }
          assert.deepStrictEqual(m.violations, []);
        }
        m.reset();
        await runTest(m, 'full');
        const body = JSON.parse(m.requests[0].body) as Record<string, unknown>;
        assert.strictEqual(m.requests[0].path, '/v1/messages');
        assert.strictEqual(body.max_tokens, 1);
      });

      it('rate limits use retry-after in seconds; not_found hints that retired models answer this way', async () => {
        const m = await mock('anthropic', { retryAfterSeconds: 3 }, 'anthropic-3');
        m.setScenario('rate_limited');
        assert.strictEqual((await runTest(m, 'full')).retryAfterMs, 3000);
        m.reset();
        const r = await runTest(m, 'full', { model: 'claude-nonexistent-1' });
        assert.strictEqual(r.outcome, 'not_found');
        assert.match(r.hint, /Anthropic does not know the model "claude-nonexistent-1"/);
        assert.match(r.hint, /retired/);
      });

      it('billing and usage limits → quota_exceeded, overloaded 529 → overloaded', async () => {
        const m = await mock('anthropic');
        for (const [scenario, outcome, status] of [['billing', 'quota_exceeded', 402], ['quota_exceeded', 'quota_exceeded', 400], ['overloaded', 'overloaded', 529]] as const) {
          m.setScenario(scenario);
          const r = await runTest(m, 'full');
          assert.deepStrictEqual([r.outcome, r.status], [outcome, status], `${scenario}: ${r.message}`);
        }
      });
    });

    describe('google-gemini', () => {
      it('the key goes only in x-goog-api-key, never ?key= (mock.violations stays empty)', async () => {
        const m = await mock('google-gemini');
        for (const depth of DEPTHS) {
          m.reset();
          assert.strictEqual((await runTest(m, depth)).outcome, 'ok');
          for (const req of m.requests) {
            assert.ok(!/[?&]key=/.test(req.path), req.path);
            assert.strictEqual(req.headers['x-goog-api-key'], DEFAULT_KEY);
            assert.strictEqual(req.headers.authorization, undefined);
          }
          assert.deepStrictEqual(m.violations, []);
        }
      });

      it('GA models default to v1, preview models to v1beta; a preview model on v1 → not_found with the v1beta hint', async () => {
        const m = await mock('google-gemini');
        assert.strictEqual((await runTest(m, 'full')).outcome, 'ok');
        assert.strictEqual(m.requests[0].path, '/v1/models/gemini-2.5-flash-lite:generateContent');

        m.reset();
        assert.strictEqual((await runTest(m, 'full', { model: 'gemini-3-flash-preview' })).outcome, 'ok');
        assert.strictEqual(m.requests[0].path, '/v1beta/models/gemini-3-flash-preview:generateContent');

        for (const depth of DEPTHS) {
          m.reset();
          const r = await runTest(m, depth, { model: 'gemini-3-flash-preview', settings: { apiVersion: 'v1' } });
          assert.strictEqual(r.outcome, 'not_found', r.message);
          assert.match(r.hint, /preview model, served only on v1beta/);
          const path: string = m.requests[0].path;
          assert.ok(path.startsWith('/v1/models/gemini-3-flash-preview'), path);
        }
      });

      it('a bad key (400 API_KEY_INVALID) → auth_failed with a Gemini hint; quota vs rate limit by quotaId; RetryInfo', async () => {
        const m = await mock('google-gemini');
        const bad = await runTest(m, 'full', { keys: { ...DEFAULT_KEYS, apiKey: 'AIzaWrongWrongWrongWrongWrongWrong123' } });
        assert.deepStrictEqual([bad.outcome, bad.status], ['auth_failed', 400]);
        assert.match(bad.hint, /Google AI Studio/);

        m.setScenario('quota_exceeded');
        const quota = await runTest(m, 'full');
        assert.strictEqual(quota.outcome, 'quota_exceeded', quota.message);
        assert.strictEqual(quota.retryAfterMs, 47_000);

        m.setScenario('rate_limited');
        const rate = await runTest(m, 'full');
        assert.strictEqual(rate.outcome, 'rate_limited', rate.message);
        assert.strictEqual(rate.retryAfterMs, 1500);

        m.setScenario('permission_denied');
        assert.match((await runTest(m, 'full')).hint, /Generative Language API is disabled/);
      });

      it('a retired model is listed (quick ok) but refused by generateContent (full model_retired)', async () => {
        const m = await mock('google-gemini');
        assert.strictEqual((await runTest(m, 'quick', { model: 'gemini-2.0-flash' })).outcome, 'ok');
        const r = await runTest(m, 'full', { model: 'gemini-2.0-flash' });
        assert.strictEqual(r.outcome, 'model_retired', r.message);
      });
    });

    describe('cohere', () => {
      it('quick checks the key then the model; a wrong key is a 200 {"valid":false} → auth_failed', async () => {
        const m = await mock('cohere');
        assert.strictEqual((await runTest(m, 'quick')).outcome, 'ok');
        assert.deepStrictEqual(m.requests.map((r) => `${r.method} ${r.path}`), ['POST /v1/check-api-key', 'GET /v1/models/command-a-03-2025']);
        m.reset();
        const r = await runTest(m, 'quick', { keys: { ...DEFAULT_KEYS, apiKey: 'wrong-cohere-key-000' } });
        assert.deepStrictEqual([r.outcome, r.status, r.stage], ['auth_failed', 200, 'metadata']);
        assert.strictEqual(m.requests.length, 1);
      });

      it('full sends POST /v2/chat with max_tokens 1 and stream false', async () => {
        const m = await mock('cohere');
        assert.strictEqual((await runTest(m, 'full')).outcome, 'ok');
        assert.strictEqual(m.requests[0].path, '/v2/chat');
        const body = JSON.parse(m.requests[0].body) as Record<string, unknown>;
        assert.deepStrictEqual([body.max_tokens, body.stream], [1, false]);
        assert.strictEqual(m.requests[0].headers.authorization, `Bearer ${DEFAULT_KEY}`);
      });

      it('a trial key out of monthly calls (429) is quota_exceeded, a per-minute limit rate_limited; unknown model hint', async () => {
        const m = await mock('cohere');
        m.setScenario('quota_exceeded');
        assert.strictEqual((await runTest(m, 'full')).outcome, 'quota_exceeded');
        m.setScenario('rate_limited');
        assert.strictEqual((await runTest(m, 'full')).outcome, 'rate_limited');
        m.setScenario('default');
        const r = await runTest(m, 'full', { model: 'command-zzz' });
        assert.strictEqual(r.outcome, 'not_found');
        assert.match(r.hint, /Cohere does not know the model "command-zzz"/);
      });
    });

    describe('amazon-bedrock', () => {
      it('the mock verifies the SigV4 signature; the model ID is %3A-encoded in the path', async () => {
        const m = await mock('amazon-bedrock');
        for (const depth of DEPTHS) {
          m.reset();
          const r = await runTest(m, depth);
          assert.strictEqual(r.outcome, 'ok', r.message);
          assert.strictEqual(m.requests.length, 1);
          assert.strictEqual(m.requests[0].path, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
          assert.match(String(m.requests[0].headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDTESTEXAMPLE0000\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
          assert.strictEqual(m.requests[0].headers['x-amz-security-token'], undefined);
        }
      });

      it('with a session token: sent as x-amz-security-token and signed; missing → auth_failed', async () => {
        const aws = { ...DEFAULT_AWS, sessionToken: 'session-token-not-real-0123456789' };
        const m = await mock('amazon-bedrock', { aws }, 'bedrock-session');
        const r = await runTest(m, 'full', { keys: { ...DEFAULT_KEYS, aws } });
        assert.strictEqual(r.outcome, 'ok', r.message);
        assert.strictEqual(m.requests[0].headers['x-amz-security-token'], aws.sessionToken);
        assert.match(String(m.requests[0].headers.authorization), /SignedHeaders=[^,]*x-amz-security-token/);
        m.reset();
        const without = await runTest(m, 'full');
        assert.strictEqual(without.outcome, 'auth_failed');
      });

      it('a wrong secret → auth_failed (InvalidSignatureException) with the secret hint; an unknown key ID its own hint', async () => {
        const m = await mock('amazon-bedrock');
        const wrongSecret = await runTest(m, 'full', { keys: { ...DEFAULT_KEYS, aws: { ...DEFAULT_AWS, secretAccessKey: 'wrong-secret-not-real' } } });
        assert.deepStrictEqual([wrongSecret.outcome, wrongSecret.status], ['auth_failed', 403]);
        assert.match(wrongSecret.hint, /secret access key does not match/);
        assert.ok(!JSON.stringify(wrongSecret).includes('wrong-secret-not-real'));
        const wrongId = await runTest(m, 'full', { keys: { ...DEFAULT_KEYS, aws: { ...DEFAULT_AWS, accessKeyId: 'AKIDUNKNOWN000000000' } } });
        assert.strictEqual(wrongId.outcome, 'auth_failed');
        assert.match(wrongId.hint, /does not know this access key ID/);
      });

      it('a Bedrock API key: the same Converse request with Authorization: Bearer and no SigV4 headers, as the AWS SDKs send it', async () => {
        const apiKey = 'bedrock-api-key-test-bearer-0001';
        const m = await mock('amazon-bedrock', { bedrockApiKey: apiKey }, 'bedrock-bearer');
        const r = await runTest(m, 'full', { credential: { kind: 'bedrockApiKey', apiKey } });
        assert.strictEqual(r.outcome, 'ok', r.message);
        assert.strictEqual(m.requests.length, 1);
        const sent = m.requests[0];
        assert.strictEqual(sent.method, 'POST');
        assert.strictEqual(sent.path, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
        assert.strictEqual(sent.headers.authorization, `Bearer ${apiKey}`);
        assert.strictEqual(sent.headers['content-type'], 'application/json');
        for (const h of ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']) assert.strictEqual(sent.headers[h], undefined, h);
        assert.deepStrictEqual(JSON.parse(sent.body), { messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 1 } });
        assert.deepStrictEqual(m.violations, []);
      });

      it('a wrong Bedrock API key → auth_failed (403 "Authentication failed") with its own hint, the key in no result', async () => {
        const m = await mock('amazon-bedrock', { bedrockApiKey: 'bedrock-api-key-test-right-0002' }, 'bedrock-bearer-wrong');
        const wrong = 'bedrock-api-key-test-WRONG-0003';
        const r = await runTest(m, 'full', { credential: { kind: 'bedrockApiKey', apiKey: wrong } });
        assert.deepStrictEqual([r.outcome, r.status], ['auth_failed', 403], r.message);
        assert.match(r.message, /Authentication failed: Please make sure your API Key is valid/);
        assert.match(r.hint, /does not accept this Bedrock API key/);
        assert.ok(!JSON.stringify(r).includes(wrong));
        // The mock refuses an access key pair signed for nothing else the same way as before: bearer does not weaken SigV4.
        m.reset();
        assert.strictEqual((await runTest(m, 'full', { keys: { ...DEFAULT_KEYS, aws: { ...DEFAULT_AWS, accessKeyId: 'AKIDUNKNOWN000000000' } } })).outcome, 'auth_failed');
      });

      it('a model served only through an inference profile → the hint names the us. profile', async () => {
        const m = await mock('amazon-bedrock');
        const r = await runTest(m, 'full', { model: 'anthropic.claude-sonnet-4-5-20250929-v1:0' });
        assert.strictEqual(r.outcome, 'bad_request', r.message);
        assert.match(r.message, /on-demand throughput/);
        assert.match(r.hint, /us\.anthropic\.claude-sonnet-4-5-20250929-v1:0/);
      });

      it('a retired (Legacy / end of life) model → model_retired; an invalid ID → not_found', async () => {
        const m = await mock('amazon-bedrock');
        const retired = await runTest(m, 'full', { model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' });
        assert.strictEqual(retired.outcome, 'model_retired', retired.message);
        assert.match(retired.hint, /end of life/);
        const invalid = await runTest(m, 'full', { model: 'amazon.no-such-model-v1:0' });
        assert.strictEqual(invalid.outcome, 'not_found', invalid.message);
        assert.match(invalid.hint, /Bedrock does not know amazon\.no-such-model-v1:0 in us-east-1/);
      });

      it('region injection is refused before anything is sent; {region} is substituted in overrides', async () => {
        const m = await mock('amazon-bedrock');
        for (const region of ['evil.com/x', 'us-east-1.evil.com', 'us-east-1/', '../x', 'US-EAST-1']) {
          const r = await runTest(m, 'full', { settings: { region } });
          assert.strictEqual(r.outcome, 'blocked', `${region}: ${r.message}`);
          const withPlaceholder = await testConnection(target('amazon-bedrock', m.origin, { settings: { region } }), credentialFor('amazon-bedrock'), {
            depth: 'full', deadlineMs: 2_000, endpoints: { 'amazon-bedrock': 'http://127.0.0.1:1/{region}' },
          });
          assert.strictEqual(withPlaceholder.outcome, 'blocked');
        }
        assert.strictEqual(m.requests.length, 0);
        const t = target('amazon-bedrock', m.origin, { settings: { region: 'eu-west-3' } });
        assert.strictEqual(targetBase(t), 'https://bedrock-runtime.eu-west-3.amazonaws.com');
        assert.strictEqual(targetBase(t, { 'amazon-bedrock': 'https://bedrock-runtime.{region}.example.com' }), 'https://bedrock-runtime.eu-west-3.example.com');
      });
    });

    describe('azure-openai', () => {
      it('deployment route: api-key only, ?api-version=, max_tokens 1', async () => {
        const m = await mock('azure-openai');
        for (const depth of DEPTHS) {
          m.reset();
          assert.strictEqual((await runTest(m, depth)).outcome, 'ok');
          assert.strictEqual(m.requests.length, 1);
          const [req] = m.requests;
          assert.strictEqual(req.path, '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
          assert.strictEqual(req.headers['api-key'], DEFAULT_KEY);
          assert.strictEqual(req.headers.authorization, undefined);
          assert.strictEqual((JSON.parse(req.body) as Record<string, unknown>).max_tokens, 1);
        }
      });

      it('v1 route (apiVersion v1 or unset): /openai/v1/chat/completions with the deployment as model', async () => {
        const m = await mock('azure-openai');
        for (const apiVersion of ['v1', undefined]) {
          m.reset();
          const r = await runTest(m, 'full', { settings: { apiVersion } });
          assert.strictEqual(r.outcome, 'ok', r.message);
          assert.strictEqual(m.requests[0].path, '/openai/v1/chat/completions');
          assert.strictEqual((JSON.parse(m.requests[0].body) as Record<string, unknown>).model, 'gpt-4o');
        }
      });

      it('a deployment refusing max_tokens is retried once with max_completion_tokens (both routes)', async () => {
        const m = await mock('azure-openai');
        for (const apiVersion of ['2024-10-21', 'v1']) {
          m.reset();
          const r = await runTest(m, 'full', { model: 'gpt-5', settings: { apiVersion } });
          assert.strictEqual(r.outcome, 'ok', `${apiVersion}: ${r.message}`);
          assert.strictEqual(m.requests.length, 2);
          const [first, second] = m.requests.map((q) => JSON.parse(q.body) as Record<string, unknown>);
          assert.ok('max_tokens' in first && !('max_completion_tokens' in first));
          assert.ok('max_completion_tokens' in second && !('max_tokens' in second));
        }
      });

      it('hints: unknown deployment, wrong API version, refused key', async () => {
        const m = await mock('azure-openai');
        const missing = await runTest(m, 'full', { model: 'no-such-deployment' });
        assert.strictEqual(missing.outcome, 'not_found');
        assert.match(missing.hint, /No deployment named "no-such-deployment"/);
        const version = await runTest(m, 'full', { settings: { apiVersion: '2024-13-45' } });
        assert.strictEqual(version.outcome, 'bad_request');
        assert.match(version.hint, /API version 2024-13-45 is not supported/);
        m.setScenario('auth_failed');
        assert.match((await runTest(m, 'full')).hint, /KEY 1 or KEY 2 of 127\.0\.0\.1:\d+/);
      });
    });

    describe('generic', () => {
      it('authHeader Authorization (default) → Bearer; api-key → the raw key; none → no credential at all', async () => {
        const bearer = await mock('generic');
        assert.strictEqual((await runTest(bearer, 'full')).outcome, 'ok');
        assert.strictEqual(bearer.requests[0].headers.authorization, `Bearer ${DEFAULT_KEY}`);

        const apiKey = await mock('generic', { authHeader: 'api-key' }, 'generic-api-key');
        for (const depth of DEPTHS) {
          apiKey.reset();
          assert.strictEqual((await runTest(apiKey, depth, { settings: { authHeader: 'api-key' } })).outcome, 'ok');
          assert.strictEqual(apiKey.requests[0].headers['api-key'], DEFAULT_KEY);
          assert.strictEqual(apiKey.requests[0].headers.authorization, undefined);
        }

        const none = await mock('generic', { authHeader: 'none' }, 'generic-none');
        const t = target('generic', none.origin, { settings: { authHeader: 'none' } });
        assert.strictEqual(needsCredential(t), false);
        for (const depth of DEPTHS) {
          none.reset();
          const r = await runTest(none, depth, { settings: { authHeader: 'none' }, credential: null });
          assert.strictEqual(r.outcome, 'ok', r.message);
          assert.strictEqual(none.requests[0].headers.authorization, undefined);
        }
      });

      it('advancedProperties headers are sent on GET (quick) and POST (full)', async () => {
        const m = await mock('generic');
        const settings = { advancedProperties: { headers: { 'X-Team': 'platform', 'HTTP-Referer': 'https://example.test' } } };
        for (const depth of DEPTHS) {
          m.reset();
          assert.strictEqual((await runTest(m, depth, { settings })).outcome, 'ok');
          const [req] = m.requests;
          assert.strictEqual(req.method, depth === 'quick' ? 'GET' : 'POST');
          assert.strictEqual(req.path, depth === 'quick' ? '/v1/models' : '/v1/chat/completions');
          assert.strictEqual(req.headers['x-team'], 'platform');
          assert.strictEqual(req.headers['http-referer'], 'https://example.test');
        }
      });

      it('forbidden or malformed extra headers are refused and nothing is sent', async () => {
        const m = await mock('generic');
        const bad: Array<Record<string, string>> = [
          { Authorization: 'Bearer other' }, { 'x-api-key': 'k' }, { Host: 'evil.example' }, { Cookie: 'a=b' },
          { 'X-Amz-Security-Token': 't' }, { 'Bad Name': 'v' }, { 'X-Ok': 'line\r\nInjected: 1' },
        ];
        for (const headers of bad) {
          for (const depth of DEPTHS) {
            const r = await runTest(m, depth, { settings: { advancedProperties: { headers } } });
            assert.strictEqual(r.outcome, 'blocked', `${JSON.stringify(headers)}: ${r.outcome}`);
          }
        }
        assert.strictEqual(m.requests.length, 0);
      });

      it('model and path hints: unknown model (Ollama: pull it), wrong base URL, a web page', async () => {
        const ollama = await mock('generic', { flavor: 'ollama' }, 'generic-ollama');
        const r = await runTest(ollama, 'full', { model: 'llama9:latest' });
        assert.strictEqual(r.outcome, 'not_found');
        assert.match(r.hint, /ollama pull/);
        const vllm = await mock('generic', { flavor: 'vllm' }, 'generic-vllm');
        assert.strictEqual((await runTest(vllm, 'full', { model: 'nope' })).outcome, 'not_found');
        const groq = await mock('generic');
        groq.setScenario('wrong_api_version');
        assert.match((await runTest(groq, 'full')).hint, /usually ends in \/v1/);
        groq.setScenario('non_json');
        assert.match((await runTest(groq, 'full')).hint, /not an OpenAI-compatible API/);
      });
    });
  });

  describe('retry-after parsing', () => {
    it('retry-after-ms, then retry-after in seconds, then as an HTTP date', () => {
      const now = Date.parse('2026-11-20T10:00:00Z');
      assert.strictEqual(retryAfterMs({ 'retry-after-ms': '1234', 'retry-after': '9' }, now), 1234);
      assert.strictEqual(retryAfterMs({ 'retry-after': '7' }, now), 7000);
      assert.strictEqual(retryAfterMs({ 'retry-after': '0.5' }, now), 500);
      assert.strictEqual(retryAfterMs({ 'retry-after': 'Fri, 20 Nov 2026 10:00:30 GMT' }, now), 30_000);
      assert.strictEqual(retryAfterMs({ 'retry-after': 'Fri, 20 Nov 2026 09:00:00 GMT' }, now), 0);
      assert.strictEqual(retryAfterMs({ 'retry-after': 'soon' }, now), undefined);
      assert.strictEqual(retryAfterMs({}, now), undefined);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('connection test security', function () {
  this.timeout(15_000);

  const nonce = crypto.randomBytes(8).toString('hex');
  const aws = {
    accessKeyId: `AKIA${crypto.randomBytes(8).toString('hex').toUpperCase()}`,
    // '/' and '+' so that the URL-escaped form differs from the raw one.
    secretAccessKey: `CANARYsecret/${nonce}+zz`,
    sessionToken: `CANARYtoken${nonce}/+=`,
  };
  /**
   * Canary keys in each provider's real shape. Azure keys (32 hex digits) and many gateway keys have no
   * recognisable shape, so only the known-secret replacement can catch them.
   */
  const API_KEYS: Record<MockProviderId, string> = {
    openai: `sk-test-CANARY-${nonce}`,
    anthropic: `sk-ant-api03-CANARY-${nonce}`,
    'google-gemini': `AIzaSyCANARY${nonce}0123456789abcdefghijk`,
    cohere: `CANARY${nonce}cohereKEY0123456789`,
    'amazon-bedrock': `unused-${nonce}`,
    'azure-openai': `${nonce}${nonce}`,
    generic: `CANARY "quoted" \\ key ${nonce}`,
  };
  const canary = (p: MockProviderId): Keys => ({ apiKey: API_KEYS[p], aws });
  const secrets = [...Object.values(API_KEYS), aws.accessKeyId, aws.secretAccessKey, aws.sessionToken, nonce];
  const assertNoCanary = (r: unknown, where: string): void => {
    const text = JSON.stringify(r);
    for (const s of secrets) {
      for (const form of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) {
        assert.ok(!text.includes(form), `${where}: the canary ${JSON.stringify(form)} is in ${text}`);
      }
    }
  };

  describe('a canary key never appears in any result', () => {
    let trap: TrapServer;
    const mocks = new Map<MockProviderId, MockProvider>();
    before(async () => {
      trap = await startTrapServer();
      for (const p of PROVIDERS) mocks.set(p, await startMockProvider(p, { key: API_KEYS[p], aws, redirectTarget: trap.origin }));
    });
    after(async () => {
      await Promise.all([...mocks.values()].map((m) => m.close()));
      await trap.close();
    });

    const SCENARIOS: Scenario[] = [
      'default', 'auth_failed', 'echo_key', 'markup', 'permission_denied', 'not_found', 'model_retired', 'quota_exceeded', 'billing',
      'rate_limited', 'overloaded', 'bad_request', 'server_error', 'unsupported_parameter', 'needs_inference_profile', 'invalid_model_id',
      'wrong_api_version', ...REDIRECTS, 'oversized', 'non_json', 'gzip_bomb', 'huge_headers', 'reset',
    ];

    for (const p of PROVIDERS) {
      it(`${p}: every scenario, both depths`, async () => {
        const mock = mocks.get(p) as MockProvider;
        for (const scenario of SCENARIOS) {
          for (const depth of DEPTHS) {
            mock.reset();
            mock.setScenario(scenario);
            const r = await runTest(mock, depth, { keys: canary(p) });
            const where = `${p} ${scenario} ${depth}`;
            assertNoCanary(r, where);
            assertWellFormed(r, where);
            if (scenario === 'default') assert.strictEqual(r.outcome, 'ok', `${where}: ${r.message}`);
            if (scenario === 'echo_key') {
              assert.strictEqual(r.outcome, 'auth_failed', where);
              // The provider did echo the key: it was there, and was masked.
              if (p !== 'amazon-bedrock') assert.match(r.message, /\[redacted\]/, `${where}: ${r.message}`);
            }
            if (scenario === 'markup') {
              // Shown with textContent, so markup may stay as plain text; it must be the provider's text, redacted and flattened.
              assert.ok(r.message.includes('alert(1)'), where);
              assert.strictEqual(r.message, MARKUP_MESSAGE);
            }
          }
        }
        assert.strictEqual(trap.bytesReceived, 0);
      });
    }

    it('slow and drip answers (timeouts) carry no key either', async () => {
      const runs = PROVIDERS.flatMap((p) => (['slow', 'drip'] as const).map(async (scenario) => {
        const m = await startMockProvider(p, { key: API_KEYS[p], aws });
        try {
          m.setScenario(scenario);
          const r = await runTest(m, 'full', { keys: canary(p), deadlineMs: 300 });
          assert.strictEqual(r.outcome, 'timeout');
          assertNoCanary(r, `${p} ${scenario}`);
        } finally {
          await m.close();
        }
      }));
      await Promise.all(runs);
    });
  });

  describe('a key entered for one origin is never sent to another', () => {
    let trap: TrapServer;
    let mock: MockProvider;
    beforeEach(async () => {
      trap = await startTrapServer();
    });
    afterEach(async () => {
      await trap.close();
    });
    before(async () => {
      mock = await startMockProvider('openai');
    });
    after(async () => {
      await mock.close();
    });

    const cases: Array<{ p: MockProviderId; bound: string }> = [
      { p: 'openai', bound: 'https://api.openai.com' },
      { p: 'anthropic', bound: 'https://api.anthropic.com' },
      { p: 'amazon-bedrock', bound: 'https://bedrock-runtime.us-east-1.amazonaws.com' },
      { p: 'azure-openai', bound: 'https://my-resource.openai.azure.com' },
      { p: 'generic', bound: 'https://api.groq.com' },
    ];
    for (const { p, bound } of cases) {
      it(`${p}: target moved to another origin → confirm is asked; refused → blocked and the trap gets 0 bytes`, async () => {
        const asked: unknown[] = [];
        for (const depth of DEPTHS) {
          const r = await testConnection(target(p, trap.origin), credentialFor(p, canary(p)), {
            depth, deadlineMs: 2_000, endpoints: endpointsFor(p, trap.origin),
            binding: { boundOrigin: bound, confirm: async (d) => { asked.push(d); return false; } },
          });
          assert.strictEqual(r.outcome, 'blocked', `${p} ${depth}: ${r.message}`);
          assert.ok(r.message.includes(trap.origin) && r.message.includes(bound), r.message);
          assertNoCanary(r, p);
        }
        assert.deepStrictEqual(asked, [{ kind: 'changed', bound, target: trap.origin }, { kind: 'changed', bound, target: trap.origin }]);
        assert.strictEqual(trap.connections, 0);
        assert.strictEqual(trap.bytesReceived, 0);
      });
    }

    it('confirmed → sent; the same origin is not asked; no recorded origin asks (unbound)', async () => {
      const sent = await testConnection(target('openai', trap.origin), credentialFor('openai'), {
        depth: 'full', deadlineMs: 2_000, endpoints: { openai: trap.origin },
        binding: { boundOrigin: 'https://api.openai.com', confirm: async () => true },
      });
      assert.notStrictEqual(sent.outcome, 'blocked');
      assert.ok(trap.bytesReceived > 0);

      let asked = 0;
      const same = await runTest(mock, 'full', { binding: { boundOrigin: `${mock.origin}/`, confirm: async () => { asked++; return false; } } });
      assert.strictEqual(same.outcome, 'ok');
      assert.strictEqual(asked, 0);

      const decisions: unknown[] = [];
      const unbound = await runTest(mock, 'full', { binding: { boundOrigin: undefined, confirm: async (d) => { decisions.push(d); return false; } } });
      assert.strictEqual(unbound.outcome, 'blocked');
      assert.deepStrictEqual(decisions, [{ kind: 'unbound', target: mock.origin }]);
    });

    it('localhost and 127.0.0.1 are different origins; so are another port and http vs https', async () => {
      const port = new URL(mock.origin).port;
      for (const bound of [`http://localhost:${port}`, `https://127.0.0.1:${port}`, 'http://127.0.0.1:1', 'http://127.0.0.1']) {
        mock.reset();
        let asked = false;
        const r = await runTest(mock, 'full', { binding: { boundOrigin: bound, confirm: async () => { asked = true; return false; } } });
        assert.ok(asked, bound);
        assert.strictEqual(r.outcome, 'blocked', bound);
        assert.strictEqual(mock.requests.length, 0, bound);
      }
    });
  });

  describe('plain HTTP to another machine needs confirmation', () => {
    it('http://example.invalid → blocked unless confirmInsecure says yes (nothing is resolved or sent)', async () => {
      for (const [p, settings] of [['generic', { baseUrl: 'http://example.invalid/v1' }], ['azure-openai', { endpoint: 'http://example.invalid' }]] as const) {
        for (const confirmInsecure of [undefined, async () => false]) {
          const asked: string[] = [];
          const r = await testConnection(target(p, 'http://unused.invalid', { settings }), credentialFor(p, canary(p)), {
            depth: 'full', deadlineMs: 500,
            confirmInsecure: confirmInsecure && (async (origin: string) => { asked.push(origin); return confirmInsecure(); }),
          });
          assert.strictEqual(r.outcome, 'blocked', `${p}: ${r.message}`);
          assert.match(r.message, /plain HTTP/);
          assert.strictEqual(r.origin, 'http://example.invalid');
          if (confirmInsecure) assert.deepStrictEqual(asked, ['http://example.invalid']);
          assertNoCanary(r, p);
        }
      }
    });

    it('loopback http is not asked', async () => {
      const mock = await startMockProvider('generic');
      try {
        let asked = false;
        const r = await runTest(mock, 'full', { confirmInsecure: async () => { asked = true; return false; } });
        assert.strictEqual(r.outcome, 'ok');
        assert.strictEqual(asked, false);
      } finally {
        await mock.close();
      }
    });

    it('user info in the endpoint is refused before anything is sent', async () => {
      const mock = await startMockProvider('generic');
      try {
        const u = new URL(mock.origin);
        const r = await testConnection(target('generic', mock.origin, { settings: { baseUrl: `http://user:pw@${u.host}/v1` } }), credentialFor('generic'), { depth: 'full', deadlineMs: 1_000 });
        assert.strictEqual(r.outcome, 'blocked');
        assert.match(r.message, /user info/);
        assert.strictEqual(mock.requests.length, 0);
      } finally {
        await mock.close();
      }
    });
  });

  describe('missing credentials', () => {
    it('→ missing_credentials and nothing is sent', async () => {
      for (const p of PROVIDERS) {
        const mock = await startMockProvider(p);
        try {
          for (const credential of [null, { kind: 'none' } as const]) {
            const r = await runTest(mock, 'full', { credential });
            assert.strictEqual(r.outcome, 'missing_credentials', `${p}: ${r.message}`);
            assert.strictEqual(r.hint, hintFor('missing_credentials'));
          }
          assert.strictEqual(mock.requests.length, 0);
        } finally {
          await mock.close();
        }
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('runBounded', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('respects the overall and per-host limits and delivers every result', async () => {
    const jobs = Array.from({ length: 24 }, (_, i) => ({ id: i, host: `h${i % 3}`, ms: 5 + (i % 4) * 5 }));
    let inFlight = 0;
    let maxInFlight = 0;
    const perHost = new Map<string, number>();
    const maxPerHost = new Map<string, number>();
    const results: number[] = [];
    await runBounded(jobs, (j) => j.host, { concurrency: 5, perHost: 2 }, async (j) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      perHost.set(j.host, (perHost.get(j.host) ?? 0) + 1);
      maxPerHost.set(j.host, Math.max(maxPerHost.get(j.host) ?? 0, perHost.get(j.host) as number));
      await sleep(j.ms);
      inFlight--;
      perHost.set(j.host, (perHost.get(j.host) as number) - 1);
      return j.id * 10;
    }, (j, r) => {
      assert.strictEqual(r, j.id * 10);
      results.push(j.id);
    });
    assert.deepStrictEqual(results.sort((a, b) => a - b), jobs.map((j) => j.id));
    // Three hosts × 2 = 6 > 5: the overall limit binds.
    assert.strictEqual(maxInFlight, 5);
    for (const [host, max] of maxPerHost) assert.ok(max <= 2, `${host}: ${max} in flight`);
    assert.ok([...maxPerHost.values()].includes(2));
  });

  it('one host: the per-host limit binds', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    await runBounded(Array.from({ length: 10 }, (_, i) => i), () => 'only', { concurrency: 8, perHost: 3 }, async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(5);
      inFlight--;
    }, () => undefined);
    assert.strictEqual(maxInFlight, 3);
  });

  it('stops starting jobs after abort and resolves when the running ones end', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    const done: number[] = [];
    let startedAfterAbort = 0;
    await runBounded(Array.from({ length: 20 }, (_, i) => i), (i) => `h${i % 2}`, { concurrency: 2, perHost: 2 }, async (i) => {
      if (ac.signal.aborted) startedAfterAbort++;
      started.push(i);
      await sleep(10);
      return i;
    }, (i) => {
      done.push(i);
      if (done.length === 3) ac.abort();
    }, ac.signal);
    assert.strictEqual(startedAfterAbort, 0);
    assert.ok(started.length <= 5, `started ${started.length}`);
    assert.deepStrictEqual(done.sort((a, b) => a - b), started.sort((a, b) => a - b));
  });

  it('an empty list resolves; limits below 1 do not hang; a failing job rejects', async () => {
    await runBounded([], () => 'h', { concurrency: 2, perHost: 1 }, async () => 1, () => undefined);
    const seen: number[] = [];
    await runBounded([1, 2, 3], () => 'h', { concurrency: 0, perHost: 0 }, async (i) => i, (_j, r) => seen.push(r));
    assert.deepStrictEqual(seen.sort(), [1, 2, 3]);
    await assert.rejects(runBounded([1, 2], () => 'h', { concurrency: 2, perHost: 2 }, async (i) => {
      if (i === 2) throw new Error('boom');
      return i;
    }, () => undefined), /boom/);
  });

  it('runs real connection tests with per-origin limits', async () => {
    const a = await startMockProvider('openai', { latencyMs: 30 });
    const b = await startMockProvider('anthropic', { latencyMs: 30 });
    try {
      const jobs = [...Array.from({ length: 4 }, () => a), ...Array.from({ length: 4 }, () => b)];
      const outcomes: string[] = [];
      const started = performance.now();
      await runBounded(jobs, (m) => m.origin, { concurrency: 4, perHost: 2 }, (m) => runTest(m, 'full'), (_m, r) => outcomes.push(r.outcome));
      assert.deepStrictEqual(outcomes, Array(8).fill('ok'));
      // 8 jobs of ≥30 ms with 4 in flight: at least two rounds.
      assert.ok(performance.now() - started >= 55);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
