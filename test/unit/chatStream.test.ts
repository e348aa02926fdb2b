/**
 * Streaming chat through every provider, against the mock providers' streamed answers in each provider's own wire
 * format: the reply assembled from deltas, usage, a tool call there and back, cancellation, the first-byte deadline
 * and the idle timeout, redirects, the origin gate shared with connection tests, and redaction.
 */
import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { streamChat, estimateTokens, type ChatOptions } from '../../src/core/chat/stream';
import type { ChatEvent, ChatRequest } from '../../src/core/chat/types';
import { parseSse } from '../../src/core/chat/sse';
import { countTokens } from '../../src/core/chat/count';
import type { ConnectionTarget, Credential } from '../../src/core/providers';
import { DEFAULT_AWS, DEFAULT_BEDROCK_API_KEY, DEFAULT_KEY, MOCK_STREAM_DELTAS, MOCK_STREAM_TEXT, MOCK_TOOL_INPUT, MOCK_USAGE, startMockProvider, startTrapServer } from '../mocks';
import type { MockOptions, MockProvider, MockProviderId } from '../mocks';

const PROVIDERS: readonly MockProviderId[] = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'];
const MODELS: Record<MockProviderId, string> = {
  openai: 'gpt-5-mini',
  anthropic: 'claude-sonnet-4-5-20250929',
  'google-gemini': 'gemini-2.5-flash-lite',
  cohere: 'command-a-03-2025',
  'amazon-bedrock': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'azure-openai': 'gpt-4o',
  generic: 'mock-model',
};
const CANARY = 'sk-test-canary-7f3a9c1e5b2d4f60a8';

function target(provider: MockProviderId, origin: string, settings: Record<string, unknown> = {}): ConnectionTarget {
  const s: Record<string, unknown> = {};
  if (provider === 'amazon-bedrock') s.region = 'us-east-1';
  if (provider === 'azure-openai') Object.assign(s, { endpoint: origin, deployment: MODELS[provider], apiVersion: '2024-10-21' });
  if (provider === 'generic') s.baseUrl = `${origin}/v1`;
  return { provider, modelName: 'chat-model', connectionName: 'chat-connection', model: MODELS[provider], settings: { ...s, ...settings } };
}

function credentialFor(provider: MockProviderId, apiKey = DEFAULT_KEY): Credential {
  return provider === 'amazon-bedrock' ? { kind: 'aws', ...DEFAULT_AWS } : { kind: 'apiKey', apiKey };
}

function endpointsFor(provider: MockProviderId, origin: string): ChatOptions['endpoints'] {
  return provider === 'azure-openai' || provider === 'generic' ? {} : { [provider]: origin };
}

const HELLO: ChatRequest = { messages: [{ role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', text: 'Say hello.' }] }], maxTokens: 64 };
const WEATHER = { name: 'get_weather', description: 'Weather for a place', inputSchema: { type: 'object', properties: { query: { type: 'string' }, days: { type: 'number' } } } };

async function collect(mock: MockProvider, chat: ChatRequest, opts: ChatOptions & { credential?: Credential; settings?: Record<string, unknown> } = {}): Promise<ChatEvent[]> {
  const p = mock.provider;
  const events: ChatEvent[] = [];
  for await (const ev of streamChat(target(p, mock.origin, opts.settings), opts.credential ?? credentialFor(p), chat, { endpoints: endpointsFor(p, mock.origin), firstByteMs: 5_000, idleMs: 5_000, ...opts })) events.push(ev);
  return events;
}

const textOf = (events: ChatEvent[]): string => events.map((e) => (e.type === 'text' ? e.text : '')).join('');
const last = (events: ChatEvent[]): ChatEvent => events[events.length - 1];

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('chat streaming', function () {
  this.timeout(20_000);
  const mocks = new Map<MockProviderId, MockProvider>();
  const start = async (p: MockProviderId, options: MockOptions = {}): Promise<MockProvider> => {
    const m = await startMockProvider(p, options);
    mocks.set(`${p}#${mocks.size}` as MockProviderId, m);
    return m;
  };
  after(async () => {
    for (const m of mocks.values()) await m.close();
  });

  for (const p of PROVIDERS) {
    describe(p, () => {
      let mock: MockProvider;
      before(async () => {
        mock = await start(p);
      });
      beforeEach(() => mock.reset());

      it('a streamed reply assembled from its deltas is the mock\'s text, with usage, then done', async () => {
        const events = await collect(mock, HELLO);
        const texts = events.filter((e) => e.type === 'text');
        assert.ok(texts.length >= MOCK_STREAM_DELTAS.length - 1, `arrived in pieces: ${JSON.stringify(events)}`);
        assert.strictEqual(textOf(events), MOCK_STREAM_TEXT);
        const usage = events.find((e) => e.type === 'usage');
        assert.deepStrictEqual(usage && { i: usage.inputTokens, o: usage.outputTokens }, { i: p === 'cohere' ? MOCK_USAGE.input + 100 : MOCK_USAGE.input, o: MOCK_USAGE.output });
        assert.strictEqual(last(events).type, 'done', JSON.stringify(last(events)));
        assert.strictEqual(mock.requests.length, 1);
      });

      it('a tool call round-trips: the call arrives whole, its result goes back and is quoted', async () => {
        const first = await collect(mock, { ...HELLO, tools: [WEATHER] });
        const call = first.find((e) => e.type === 'tool_call');
        assert.ok(call && call.type === 'tool_call', JSON.stringify(first));
        assert.strictEqual(call.name, 'get_weather');
        assert.deepStrictEqual(call.input, MOCK_TOOL_INPUT);
        assert.ok(call.id);
        assert.strictEqual(last(first).type, 'done');
        const second = await collect(mock, {
          ...HELLO,
          tools: [WEATHER],
          messages: [...HELLO.messages,
            { role: 'assistant', parts: [{ type: 'tool_call', id: call.id, name: call.name, input: call.input }] },
            { role: 'user', parts: [{ type: 'tool_result', callId: call.id, content: 'sunny, 21 C' }] }],
        });
        assert.strictEqual(textOf(second), 'Tool said: sunny, 21 C', JSON.stringify(second));
      });

      it('an error event in the middle of the stream ends it with the provider\'s outcome', async () => {
        mock.scenario = 'stream_error';
        const events = await collect(mock, HELLO);
        const end = last(events);
        assert.strictEqual(end.type, 'error', JSON.stringify(events));
        assert.ok(end.type === 'error' && ['server_error', 'overloaded', 'rate_limited'].includes(end.outcome), JSON.stringify(end));
        assert.ok(textOf(events).length > 0, 'the text before the error was delivered');
      });

      it('cancelling mid-stream closes the connection (the mock sees it) and ends with cancelled', async () => {
        const controller = new AbortController();
        const events: ChatEvent[] = [];
        const slow = await start(p, { streamDelayMs: 300 });
        for await (const ev of streamChat(target(p, slow.origin), credentialFor(p), HELLO, { endpoints: endpointsFor(p, slow.origin), signal: controller.signal })) {
          events.push(ev);
          if (ev.type === 'text') controller.abort();
        }
        assert.strictEqual(last(events).type, 'error');
        assert.strictEqual((last(events) as { outcome: string }).outcome, 'cancelled');
        await until(() => slow.streamsClosedByClient === 1);
        assert.strictEqual(slow.streamsClosedByClient, 1);
        assert.ok(textOf(events).length < MOCK_STREAM_TEXT.length);
      });

      it('a stream that stalls after its first delta ends with timeout after the idle time, not a total deadline', async () => {
        mock.scenario = 'stream_stall';
        const started = Date.now();
        const events = await collect(mock, HELLO, { idleMs: 400, firstByteMs: 5_000 });
        const end = last(events);
        assert.ok(end.type === 'error' && end.outcome === 'timeout', JSON.stringify(events));
        assert.match((end as { message: string }).message, /stopped sending/);
        assert.ok(Date.now() - started < 4_000);
        await until(() => mock.streamsClosedByClient === 1);
        assert.strictEqual(mock.streamsClosedByClient, 1, 'the stalled connection was closed');
      });

      it('the first byte has its own deadline', async () => {
        mock.scenario = 'slow';
        const events = await collect(mock, HELLO, { firstByteMs: 300, idleMs: 60_000 });
        const end = last(events);
        assert.ok(end.type === 'error' && end.outcome === 'timeout', JSON.stringify(events));
        assert.match((end as { message: string }).message, /first byte/);
      });

      it('a redirect is refused and not followed; the redirect target receives nothing', async () => {
        const trap = await startTrapServer();
        const redirecting = await start(p, { redirectTarget: trap.origin });
        redirecting.scenario = 'redirect_307';
        const events = await collect(redirecting, HELLO);
        const end = last(events);
        assert.ok(end.type === 'error' && end.outcome === 'redirect_blocked', JSON.stringify(events));
        assert.strictEqual(trap.bytesReceived, 0);
        await trap.close();
      });

      it('a key bound to another origin sends nothing when the user declines; the target receives 0 bytes', async () => {
        const trap = await startTrapServer();
        let asked = 0;
        const events: ChatEvent[] = [];
        const t = target(p, trap.origin);
        for await (const ev of streamChat(t, credentialFor(p), HELLO, {
          endpoints: endpointsFor(p, trap.origin),
          binding: { boundOrigin: mock.origin, confirm: async () => { asked++; return false; } },
        })) events.push(ev);
        assert.strictEqual(asked, 1);
        assert.deepStrictEqual(events.map((e) => e.type === 'error' && e.outcome), ['blocked']);
        assert.strictEqual(trap.bytesReceived, 0);
        assert.strictEqual(trap.connections, 0);
        await trap.close();
      });

      if (p !== 'amazon-bedrock') {
        it('the key never appears in events or errors, even when the provider echoes it', async () => {
          const canaryMock = await start(p, { key: CANARY });
          const ok = await collect(canaryMock, HELLO, { credential: credentialFor(p, CANARY) });
          assert.strictEqual(textOf(ok), MOCK_STREAM_TEXT);
          canaryMock.scenario = 'echo_key';
          const bad = await collect(canaryMock, HELLO, { credential: credentialFor(p, CANARY) });
          assert.strictEqual(last(bad).type, 'error');
          for (const events of [ok, bad]) assert.ok(!JSON.stringify(events).includes(CANARY), JSON.stringify(events));
          canaryMock.scenario = 'auth_failed';
          const refused = await collect(canaryMock, HELLO, { credential: credentialFor(p, 'sk-test-wrong-key-000000') });
          assert.ok(last(refused).type === 'error' && (last(refused) as { outcome: string }).outcome === 'auth_failed', JSON.stringify(refused));
        });
      } else {
        it('the secret key never appears in events or errors, even when Bedrock echoes the signature details', async () => {
          mock.scenario = 'echo_key';
          const bad = await collect(mock, HELLO);
          assert.strictEqual(last(bad).type, 'error');
          assert.ok(!JSON.stringify(bad).includes(DEFAULT_AWS.secretAccessKey), JSON.stringify(bad));
        });
      }
    });
  }

  it('Azure OpenAI on the v1 API streams too (deployment as the model)', async () => {
    const mock = await start('azure-openai');
    const events = await collect(mock, HELLO, { settings: { apiVersion: 'v1' } });
    assert.strictEqual(textOf(events), MOCK_STREAM_TEXT, JSON.stringify(events));
    assert.strictEqual(mock.requests[0].path, '/openai/v1/chat/completions');
    assert.strictEqual(JSON.parse(mock.requests[0].body).model, MODELS['azure-openai']);
  });

  it('a generic server without auth (authHeader: none) streams with no key and sends no credential header', async () => {
    const mock = await start('generic', { authHeader: 'none' });
    const events: ChatEvent[] = [];
    for await (const ev of streamChat(target('generic', mock.origin, { authHeader: 'none' }), undefined, HELLO, {})) events.push(ev);
    assert.strictEqual(textOf(events), MOCK_STREAM_TEXT, JSON.stringify(events));
    assert.strictEqual(mock.requests[0].headers.authorization, undefined);
  });

  it('Bedrock with a Bedrock API key streams with Authorization: Bearer (no signature); a wrong key is auth_failed and redacted', async () => {
    const mock = await start('amazon-bedrock');
    const events = await collect(mock, HELLO, { credential: { kind: 'bedrockApiKey', apiKey: DEFAULT_BEDROCK_API_KEY } });
    assert.strictEqual(textOf(events), MOCK_STREAM_TEXT, JSON.stringify(events));
    assert.strictEqual(mock.requests[0].headers.authorization, `Bearer ${DEFAULT_BEDROCK_API_KEY}`);
    const wrong = 'bedrock-api-key-test-wrong-0000000000';
    const refused = await collect(mock, HELLO, { credential: { kind: 'bedrockApiKey', apiKey: wrong } });
    assert.ok(last(refused).type === 'error' && (last(refused) as { outcome: string }).outcome === 'auth_failed', JSON.stringify(refused));
    assert.ok(!JSON.stringify(refused).includes(wrong));
  });

  it('a streamed answer larger than the cap is stopped with invalid_response', async () => {
    const mock = await start('anthropic');
    const events = await collect(mock, HELLO, { maxBytes: 600 });
    const end = last(events);
    assert.ok(end.type === 'error' && end.outcome === 'invalid_response' && /larger than/.test(end.message), JSON.stringify(end));
  });

  it('an AWS event-stream frame declaring more than 1 MB is refused before it is allocated', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      const prelude = Buffer.alloc(12);
      prelude.writeUInt32BE(0xfffffff0, 0);
      res.write(prelude);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const events: ChatEvent[] = [];
      for await (const ev of streamChat(target('amazon-bedrock', origin), credentialFor('amazon-bedrock'), HELLO, { endpoints: { 'amazon-bedrock': origin }, idleMs: 5_000 })) events.push(ev);
      const end = last(events);
      assert.ok(end.type === 'error' && end.outcome === 'invalid_response' && /declared/.test(end.message), JSON.stringify(events));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('no key on this machine: missing_credentials and nothing is sent', async () => {
    const mock = await start('openai');
    const events: ChatEvent[] = [];
    for await (const ev of streamChat(target('openai', mock.origin), undefined, HELLO, { endpoints: { openai: mock.origin } })) events.push(ev);
    assert.deepStrictEqual(events.map((e) => e.type === 'error' && e.outcome), ['missing_credentials']);
    assert.strictEqual(mock.requests.length, 0);
  });

  it('SSE parsing: CRLF and CR line ends, multi-line data, comments, UTF-8 split across chunks, oversize events refused', async () => {
    const bytes = Buffer.from(': comment\r\nevent: a\r\ndata: x\r\ndata: y\r\n\r\ndata: é€\rdata: z\r\r', 'utf8');
    const pieces = [...bytes].map((b) => Buffer.from([b]));
    async function* chunks(): AsyncGenerator<Buffer> { yield* pieces; }
    const out = [];
    for await (const ev of parseSse(chunks())) out.push(ev);
    assert.deepStrictEqual(out, [{ event: 'a', data: 'x\ny' }, { data: 'é€\nz' }]);
    async function* big(): AsyncGenerator<Buffer> { yield Buffer.from(`data: ${'a'.repeat(2000)}\n\n`); }
    await assert.rejects(async () => { for await (const _ of parseSse(big(), 1000)) void _; }, /larger than/);
  });

  it('countTokens: from the provider for Anthropic and Gemini; an estimate elsewhere, and when the key is bound to another origin (nothing sent)', async () => {
    const text = 'four score and seven years ago';
    for (const p of ['anthropic', 'google-gemini'] as const) {
      const mock = await start(p);
      const counted = await countTokens(target(p, mock.origin), credentialFor(p), text, { endpoints: { [p]: mock.origin }, boundOrigin: mock.origin });
      assert.deepStrictEqual(counted, { tokens: 6, source: 'provider' }, p);
      mock.reset();
      const elsewhere = await countTokens(target(p, mock.origin), credentialFor(p), text, { endpoints: { [p]: mock.origin }, boundOrigin: 'https://api.example.com' });
      assert.deepStrictEqual(elsewhere, { tokens: estimateTokens(text), source: 'estimate' }, p);
      assert.strictEqual(mock.requests.length, 0);
    }
    const openai = await start('openai');
    assert.deepStrictEqual(await countTokens(target('openai', openai.origin), credentialFor('openai'), text, { endpoints: { openai: openai.origin }, boundOrigin: openai.origin }), { tokens: estimateTokens(text), source: 'estimate' });
    assert.strictEqual(openai.requests.length, 0);
  });

  it('estimateTokens: about four characters a token', () => {
    assert.strictEqual(estimateTokens(''), 0);
    assert.strictEqual(estimateTokens('abcdefgh'), 2);
  });
});
