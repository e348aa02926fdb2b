import * as assert from 'assert';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as zlib from 'zlib';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import {
  ALL_SCENARIOS, DEFAULT_AWS, DEFAULT_KEY, MARKUP_MESSAGE, startMockProvider, startProxyServer, startTrapServer,
} from '../mocks';
import type { MockOptions, MockProvider, MockProviderId, Scenario } from '../mocks';

// Response bodies are read field by field in assertions; a loose type keeps that readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Res { status: number; headers: http.IncomingHttpHeaders; text: string; json: () => Json; rawHeaderBytes: number }

interface CallInit { method?: string; headers?: Record<string, string>; body?: string; ca?: string; maxHeaderSize?: number }

/** A plain node:http(s) request that follows nothing and decompresses nothing. */
function call(origin: string, path: string, init: CallInit = {}): Promise<Res> {
  const url = new URL(origin);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: url.hostname, port: url.port, path, method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
      ca: init.ca, maxHeaderSize: init.maxHeaderSize, agent: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const rawHeaderBytes = res.rawHeaders.reduce((n, h) => n + h.length + 2, 0);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text), rawHeaderBytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const bearer = (key = DEFAULT_KEY): Record<string, string> => ({ authorization: `Bearer ${key}` });
const sha256 = Hash.bind(null, 'sha256');

async function bedrockCall(
  mock: MockProvider, modelId: string,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = DEFAULT_AWS,
  body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 1 } }),
  region = 'us-east-1',
): Promise<Res> {
  const url = new URL(mock.origin);
  const path = `/model/${encodeURIComponent(modelId)}/converse`;
  const signer = new SignatureV4({ service: 'bedrock', region, credentials: creds, sha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {},
    headers: { host: url.host, 'content-type': 'application/json', accept: 'application/json' }, body,
  });
  return call(mock.origin, path, { method: 'POST', headers: signed.headers, body });
}

describe('mock provider servers', function () {
  this.timeout(8000);
  const open: Array<{ close(): Promise<void> }> = [];
  async function start(provider: MockProviderId, options?: MockOptions): Promise<MockProvider> {
    const mock = await startMockProvider(provider, options);
    open.push(mock);
    return mock;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((m) => m.close()));
  });

  describe('openai', () => {
    it('checks Bearer auth like the real service', async () => {
      const mock = await start('openai');
      const ok = await call(mock.origin, '/v1/models/gpt-5-mini', { headers: bearer() });
      assert.strictEqual(ok.status, 200);
      assert.deepStrictEqual({ id: ok.json().id, object: ok.json().object }, { id: 'gpt-5-mini', object: 'model' });
      assert.match(String(ok.headers['x-request-id']), /^req_/);

      const short = await call(mock.origin, '/v1/models/gpt-5-mini', { headers: bearer('sk-wrong') });
      assert.strictEqual(short.status, 401);
      assert.strictEqual(short.json().error.code, 'invalid_api_key');
      assert.ok(short.json().error.message.includes('sk-wrong'), 'short keys are echoed in full');

      const long = await call(mock.origin, '/v1/models/gpt-5-mini', { headers: bearer('sk-proj-abcdefghijklmnopqrstuvwxyz1234') });
      assert.ok(!long.json().error.message.includes('abcdefghijklmnop'));
      assert.ok(long.json().error.message.includes('sk-proj-'));

      const none = await call(mock.origin, '/v1/models/gpt-5-mini');
      assert.strictEqual(none.status, 401);
      assert.strictEqual(none.json().error.code, null);
      assert.strictEqual(mock.requests.length, 4, 'rejected requests are recorded too');
      assert.strictEqual(mock.requests[1].headers.authorization, 'Bearer sk-wrong');
    });

    it('404s unknown models, refuses max_tokens for gpt-5/o-series, keeps retired models listed', async () => {
      const mock = await start('openai');
      const missing = await call(mock.origin, '/v1/models/gpt-9', { headers: bearer() });
      assert.strictEqual(missing.status, 404);
      assert.strictEqual(missing.json().error.code, 'model_not_found');

      const chat = (model: string, limit: Record<string, number>): Promise<Res> =>
        call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], ...limit }) });
      const bad = await chat('gpt-5-mini', { max_tokens: 16 });
      assert.strictEqual(bad.status, 400);
      assert.deepStrictEqual([bad.json().error.code, bad.json().error.param], ['unsupported_parameter', 'max_tokens']);
      const good = await chat('gpt-5-mini', { max_completion_tokens: 16 });
      assert.strictEqual(good.status, 200);
      assert.strictEqual(good.json().object, 'chat.completion');
      assert.strictEqual(good.json().choices[0].message.role, 'assistant');
      assert.strictEqual((await chat('gpt-4o-mini', { max_tokens: 1 })).status, 200);

      assert.strictEqual((await call(mock.origin, '/v1/models/gpt-4.5-preview', { headers: bearer() })).status, 200);
      const retired = await chat('gpt-4.5-preview', { max_completion_tokens: 16 });
      assert.strictEqual(retired.status, 404);
      assert.match(retired.json().error.message, /deprecated/);

      const url = await call(mock.origin, '/v2/nothing', { headers: bearer() });
      assert.strictEqual(url.status, 404);
      assert.match(url.json().error.message, /^Invalid URL \(GET \/v2\/nothing\)/);
    });

    it('rate_limited sends retry-after-ms and retry-after', async () => {
      const mock = await start('openai');
      mock.scenario = 'rate_limited';
      const res = await call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: '{}' });
      assert.strictEqual(res.status, 429);
      assert.strictEqual(res.json().error.code, 'rate_limit_exceeded');
      assert.strictEqual(res.headers['retry-after-ms'], '1500');
      assert.strictEqual(res.headers['retry-after'], '2');
      mock.scenario = 'quota_exceeded';
      const quota = await call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: '{}' });
      assert.deepStrictEqual([quota.status, quota.json().error.code], [429, 'insufficient_quota']);
    });
  });

  describe('anthropic', () => {
    const messages = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] });

    it('accepts x-api-key or Bearer, each with anthropic-version, and never a mix', async () => {
      const mock = await start('anthropic');
      const viaKey = await call(mock.origin, '/v1/models/claude-sonnet-4-5', { headers: { 'x-api-key': DEFAULT_KEY, 'anthropic-version': '2023-06-01' } });
      assert.strictEqual(viaKey.status, 200);
      assert.strictEqual(viaKey.json().id, 'claude-sonnet-4-5-20250929', 'aliases resolve to the dated id');
      assert.strictEqual(viaKey.json().type, 'model');

      const viaBearer = await call(mock.origin, '/v1/messages', { headers: { ...bearer(), 'anthropic-version': '2026-10-21' }, body: messages });
      assert.strictEqual(viaBearer.status, 200);
      assert.strictEqual(viaBearer.json().type, 'message');
      assert.strictEqual(viaBearer.json().content[0].type, 'text');

      const mixed = await call(mock.origin, '/v1/messages', { headers: { ...bearer(), 'x-api-key': DEFAULT_KEY, 'anthropic-version': '2023-06-01' }, body: messages });
      assert.strictEqual(mixed.status, 401);
      assert.strictEqual(mock.violations.length, 1);

      const noVersion = await call(mock.origin, '/v1/messages', { headers: { 'x-api-key': DEFAULT_KEY }, body: messages });
      assert.strictEqual(noVersion.status, 400);
      assert.strictEqual(noVersion.json().error.type, 'invalid_request_error');

      const wrong = await call(mock.origin, '/v1/messages', { headers: { 'x-api-key': 'nope', 'anthropic-version': '2023-06-01' }, body: messages });
      assert.strictEqual(wrong.status, 401);
      assert.strictEqual(wrong.json().type, 'error');
      assert.strictEqual(wrong.json().error.type, 'authentication_error');
      assert.strictEqual(wrong.json().request_id, wrong.headers['request-id']);
    });

    it('404s unknown models and answers overloaded with 529', async () => {
      const mock = await start('anthropic');
      const headers = { 'x-api-key': DEFAULT_KEY, 'anthropic-version': '2023-06-01' };
      const missing = await call(mock.origin, '/v1/models/claude-9', { headers });
      assert.strictEqual(missing.status, 404);
      assert.deepStrictEqual(missing.json().error, { type: 'not_found_error', message: 'model: claude-9' });
      mock.scenario = 'overloaded';
      const busy = await call(mock.origin, '/v1/messages', { headers, body: messages });
      assert.deepStrictEqual([busy.status, busy.json().error.type], [529, 'overloaded_error']);
      mock.scenario = 'billing';
      const billing = await call(mock.origin, '/v1/messages', { headers, body: messages });
      assert.deepStrictEqual([billing.status, billing.json().error.type], [402, 'billing_error']);
    });
  });

  describe('google-gemini', () => {
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }], generationConfig: { maxOutputTokens: 1 } });

    it('uses x-goog-api-key, refuses and records ?key=, and serves preview models only on v1beta', async () => {
      const mock = await start('google-gemini');
      const headers = { 'x-goog-api-key': DEFAULT_KEY };
      const beta = await call(mock.origin, '/v1beta/models/gemini-3-flash-preview', { headers });
      assert.strictEqual(beta.status, 200);
      assert.strictEqual(beta.json().name, 'models/gemini-3-flash-preview');
      const v1 = await call(mock.origin, '/v1/models/gemini-3-flash-preview', { headers });
      assert.strictEqual(v1.status, 404);
      assert.strictEqual(v1.json().error.status, 'NOT_FOUND');
      assert.match(v1.json().error.message, /is not found for API version v1,/);

      const gen = await call(mock.origin, '/v1/models/gemini-flash-latest:generateContent', { headers, body });
      assert.strictEqual(gen.status, 200);
      assert.strictEqual(gen.json().candidates[0].content.role, 'model');

      const query = await call(mock.origin, `/v1beta/models/gemini-flash-latest?key=${DEFAULT_KEY}`);
      assert.strictEqual(query.status, 400);
      assert.strictEqual(mock.violations.length, 1);
      assert.ok(mock.requests.some((r) => r.path.includes('key=')));

      const bad = await call(mock.origin, '/v1beta/models/gemini-flash-latest', { headers: { 'x-goog-api-key': 'AIza-wrong' } });
      assert.strictEqual(bad.status, 400);
      assert.strictEqual(bad.json().error.status, 'INVALID_ARGUMENT');
      assert.strictEqual(bad.json().error.details[0].reason, 'API_KEY_INVALID');
      assert.strictEqual((await call(mock.origin, '/v1beta/models/gemini-flash-latest')).status, 403);
    });

    it('quota answers carry a RetryInfo detail and no retry header', async () => {
      const mock = await start('google-gemini');
      mock.scenario = 'quota_exceeded';
      const res = await call(mock.origin, '/v1beta/models/gemini-flash-latest:generateContent', { headers: { 'x-goog-api-key': DEFAULT_KEY }, body });
      assert.strictEqual(res.status, 429);
      assert.strictEqual(res.json().error.status, 'RESOURCE_EXHAUSTED');
      const info = res.json().error.details.find((d: { '@type': string }) => d['@type'].endsWith('RetryInfo'));
      assert.strictEqual(info.retryDelay, '47s');
      assert.strictEqual(res.headers['retry-after'], undefined);
    });
  });

  describe('cohere', () => {
    it('check-api-key, model metadata and v2 chat', async () => {
      const mock = await start('cohere');
      const valid = await call(mock.origin, '/v1/check-api-key', { method: 'POST', headers: bearer() });
      assert.strictEqual(valid.json().valid, true);
      const invalid = await call(mock.origin, '/v1/check-api-key', { method: 'POST', headers: bearer('wrong') });
      assert.deepStrictEqual([invalid.status, invalid.json().valid], [200, false]);
      const unauth = await call(mock.origin, '/v1/models/command-a-03-2025', { headers: bearer('wrong') });
      assert.strictEqual(unauth.status, 401);
      assert.strictEqual(typeof unauth.json().message, 'string');

      assert.strictEqual((await call(mock.origin, '/v1/models/command-a-03-2025', { headers: bearer() })).json().name, 'command-a-03-2025');
      const missing = await call(mock.origin, '/v1/models/command-z', { headers: bearer() });
      assert.strictEqual(missing.status, 404);
      assert.match(missing.json().message, /^model 'command-z' not found/);

      const chat = await call(mock.origin, '/v2/chat', { headers: bearer(), body: JSON.stringify({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false }) });
      assert.strictEqual(chat.status, 200);
      assert.strictEqual(chat.json().message.content[0].type, 'text');
      const extra = await call(mock.origin, '/v2/chat', { headers: bearer(), body: JSON.stringify({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 1 }) });
      assert.strictEqual(extra.status, 400);
      mock.scenario = 'billing';
      assert.strictEqual((await call(mock.origin, '/v2/chat', { headers: bearer(), body: '{}' })).status, 402);
    });
  });

  describe('amazon-bedrock', () => {
    it('accepts a request signed with the right secret and rejects the wrong secret or an unknown key', async () => {
      const mock = await start('amazon-bedrock');
      const ok = await bedrockCall(mock, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
      assert.strictEqual(ok.status, 200, ok.text);
      assert.strictEqual(ok.json().output.message.role, 'assistant');
      assert.ok(ok.headers['x-amzn-requestid']);
      assert.ok(mock.requests[0].path.includes('%3A'), 'the model id arrives URI-encoded');

      const wrong = await bedrockCall(mock, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', { ...DEFAULT_AWS, secretAccessKey: 'not-the-secret' });
      assert.strictEqual(wrong.status, 403);
      assert.match(String(wrong.headers['x-amzn-errortype']), /^InvalidSignatureException:/);
      assert.match(wrong.json().message, /%253A/, 'the canonical request encodes the path again');

      const unknown = await bedrockCall(mock, 'amazon.nova-pro-v1:0', { accessKeyId: 'AKIDSOMEONEELSE00000', secretAccessKey: DEFAULT_AWS.secretAccessKey });
      assert.strictEqual(unknown.status, 403);
      assert.match(String(unknown.headers['x-amzn-errortype']), /^UnrecognizedClientException:/);
      assert.strictEqual(unknown.json().message, 'The security token included in the request is invalid.');

      const unsigned = await call(mock.origin, '/model/amazon.nova-pro-v1%3A0/converse', { body: '{}' });
      assert.strictEqual(unsigned.status, 403);
    });

    it('checks the session token when one is configured', async () => {
      const creds = { ...DEFAULT_AWS, sessionToken: 'session-token-mock' };
      const mock = await start('amazon-bedrock', { aws: creds });
      assert.strictEqual((await bedrockCall(mock, 'amazon.nova-pro-v1:0', creds)).status, 200);
      assert.strictEqual(mock.requests[0].headers['x-amz-security-token'], 'session-token-mock');
      const without = await bedrockCall(mock, 'amazon.nova-pro-v1:0', DEFAULT_AWS);
      assert.strictEqual(without.status, 403);
      assert.match(String(without.headers['x-amzn-errortype']), /^UnrecognizedClientException:/);
    });

    it('answers inference-profile, invalid-id, end-of-life and throttling like Bedrock', async () => {
      const mock = await start('amazon-bedrock');
      const onDemand = await bedrockCall(mock, 'anthropic.claude-sonnet-4-5-20250929-v1:0');
      assert.strictEqual(onDemand.status, 400);
      assert.match(String(onDemand.headers['x-amzn-errortype']), /^ValidationException:/);
      assert.match(onDemand.json().message, /with on-demand throughput isn’t supported/);
      const invalid = await bedrockCall(mock, 'anthropic.claude-nine-v1:0');
      assert.deepStrictEqual([invalid.status, invalid.json().message], [400, 'The provided model identifier is invalid.']);
      const otherRegion = await bedrockCall(mock, 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0');
      assert.strictEqual(otherRegion.status, 400, 'an eu. profile is not callable from us-east-1');
      const euOk = await bedrockCall(mock, 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', DEFAULT_AWS, undefined, 'eu-west-1');
      assert.strictEqual(euOk.status, 200);
      const eol = await bedrockCall(mock, 'us.anthropic.claude-3-7-sonnet-20250219-v1:0');
      assert.strictEqual(eol.status, 404);
      assert.match(String(eol.headers['x-amzn-errortype']), /^ResourceNotFoundException:/);
      mock.scenario = 'rate_limited';
      const throttled = await bedrockCall(mock, 'amazon.nova-pro-v1:0');
      assert.strictEqual(throttled.status, 429);
      assert.match(String(throttled.headers['x-amzn-errortype']), /^ThrottlingException:/);
      assert.strictEqual(throttled.headers['retry-after'], undefined);
    });

    it('echo_key echoes the canonical request with the access key id and the session token', async () => {
      const creds = { ...DEFAULT_AWS, sessionToken: 'session-token-mock' };
      const mock = await start('amazon-bedrock', { aws: creds });
      mock.scenario = 'echo_key';
      const res = await bedrockCall(mock, 'amazon.nova-pro-v1:0', creds);
      assert.strictEqual(res.status, 403);
      assert.ok(res.json().message.includes(DEFAULT_AWS.accessKeyId));
      assert.ok(res.json().message.includes('session-token-mock'));
      assert.ok(res.json().message.startsWith(`The security token session-token-mock of ${DEFAULT_AWS.accessKeyId} is not valid here. `), 'and bare, first');
    });
  });

  describe('azure-openai', () => {
    const body = (extra: Record<string, unknown> = {}): string => JSON.stringify({ messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, ...extra });
    const route = (deployment: string, version = '2024-10-21'): string => `/openai/deployments/${deployment}/chat/completions?api-version=${version}`;

    it('checks api-key, api-version and the deployment', async () => {
      const mock = await start('azure-openai');
      const headers = { 'api-key': DEFAULT_KEY };
      const ok = await call(mock.origin, route('gpt-4o'), { headers, body: body() });
      assert.strictEqual(ok.status, 200);
      assert.strictEqual(ok.json().object, 'chat.completion');
      assert.ok(ok.headers['apim-request-id']);

      const wrong = await call(mock.origin, route('gpt-4o'), { headers: { 'api-key': 'wrong' }, body: body() });
      assert.strictEqual(wrong.status, 401);
      assert.match(wrong.json().error.message, /^Access denied due to invalid subscription key/);
      const missingVersion = await call(mock.origin, '/openai/deployments/gpt-4o/chat/completions', { headers, body: body() });
      assert.deepStrictEqual([missingVersion.status, missingVersion.json().error.message], [404, 'Resource not found']);
      const badVersion = await call(mock.origin, route('gpt-4o', 'latest-please'), { headers, body: body() });
      assert.deepStrictEqual([badVersion.status, badVersion.json().error.message], [400, 'API version not supported']);
      const noDeployment = await call(mock.origin, route('my-missing-deployment'), { headers, body: body() });
      assert.deepStrictEqual([noDeployment.status, noDeployment.json().error.code], [404, 'DeploymentNotFound']);

      const reasoning = await call(mock.origin, route('o4-mini', '2025-04-01-preview'), { headers, body: body() });
      assert.deepStrictEqual([reasoning.status, reasoning.json().error.code], [400, 'unsupported_parameter']);
      const retried = await call(mock.origin, route('o4-mini', '2025-04-01-preview'), { headers, body: JSON.stringify({ messages: [{ role: 'user', content: 'ping' }], max_completion_tokens: 1 }) });
      assert.strictEqual(retried.status, 200);

      const v1 = await call(mock.origin, '/openai/v1/chat/completions', { headers, body: body({ model: 'gpt-4o-mini' }) });
      assert.strictEqual(v1.status, 200);
      const v1Bearer = await call(mock.origin, '/openai/v1/chat/completions', { headers: bearer(), body: body({ model: 'gpt-4o-mini' }) });
      assert.strictEqual(v1Bearer.status, 200, 'the v1 API takes the key as a bearer token, as the openai SDK\'s OpenAI() sends it');
      const v1WrongBearer = await call(mock.origin, '/openai/v1/chat/completions', { headers: bearer('wrong'), body: body({ model: 'gpt-4o-mini' }) });
      assert.strictEqual(v1WrongBearer.status, 401);
      const datedBearer = await call(mock.origin, route('gpt-4o'), { headers: bearer(), body: body() });
      assert.strictEqual(datedBearer.status, 401, 'the deployments route wants the api-key header (a bearer there is an Entra ID token)');
    });

    it('rate_limited carries retry-after and retry-after-ms', async () => {
      const mock = await start('azure-openai', { retryAfterSeconds: 3 });
      mock.scenario = 'rate_limited';
      const res = await call(mock.origin, route('gpt-4o'), { headers: { 'api-key': DEFAULT_KEY }, body: body() });
      assert.deepStrictEqual([res.status, res.headers['retry-after'], res.headers['retry-after-ms']], [429, '3', '3000']);
    });
  });

  describe('generic', () => {
    it('serves any base path with Bearer auth', async () => {
      const mock = await start('generic');
      const list = await call(mock.origin, '/openai/v1/models', { headers: bearer() });
      assert.strictEqual(list.status, 200);
      assert.strictEqual(list.json().object, 'list');
      assert.ok(list.json().data.some((m: { id: string }) => m.id === 'llama-3.3-70b-versatile'));
      const chat = await call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: JSON.stringify({ model: 'mock-model', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }) });
      assert.strictEqual(chat.status, 200);
      assert.strictEqual((await call(mock.origin, '/openai/v1/models', { headers: bearer('x') })).status, 401);
    });

    it('supports a custom auth header, no auth, and vLLM / Ollama error shapes', async () => {
      const custom = await start('generic', { authHeader: 'api-key', key: 'k1' });
      assert.strictEqual((await call(custom.origin, '/v1/models', { headers: { 'api-key': 'k1' } })).status, 200);
      assert.strictEqual((await call(custom.origin, '/v1/models', { headers: bearer('k1') })).status, 401);
      const none = await start('generic', { authHeader: 'none', flavor: 'vllm' });
      assert.strictEqual((await call(none.origin, '/v1/models')).status, 200);
      const vllm = await call(none.origin, '/v1/chat/completions', { body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }) });
      assert.deepStrictEqual(vllm.json(), { object: 'error', message: 'The model `m` does not exist.', type: 'NotFoundError', param: null, code: 404 });
      const ollama = await start('generic', { authHeader: 'none', flavor: 'ollama' });
      const o = await call(ollama.origin, '/v1/chat/completions', { body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'x' }] }) });
      assert.deepStrictEqual([o.status, o.json()], [404, { error: { message: 'model "x" not found, try pulling it first', type: 'not_found_error' } }]);
    });
  });

  describe('scenarios', () => {
    it('every provider answers every error scenario with its own error status', async () => {
      const transport = new Set<Scenario>(['default', 'redirect_301', 'redirect_302', 'redirect_303', 'redirect_307', 'redirect_308', 'redirect_loop', 'slow', 'drip', 'oversized', 'non_json', 'gzip_bomb', 'huge_headers', 'reset', 'stream_error', 'stream_stall']);
      const completion: Record<MockProviderId, string> = {
        openai: '/v1/chat/completions',
        anthropic: '/v1/messages',
        'google-gemini': '/v1beta/models/gemini-flash-latest:generateContent',
        cohere: '/v2/chat',
        'amazon-bedrock': '/model/amazon.nova-pro-v1%3A0/converse',
        'azure-openai': '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
        generic: '/v1/chat/completions',
      };
      for (const provider of Object.keys(completion) as MockProviderId[]) {
        const mock = await start(provider);
        for (const scenario of ALL_SCENARIOS.filter((s) => !transport.has(s))) {
          mock.scenario = scenario;
          const res = await call(mock.origin, completion[provider], { body: JSON.stringify({ model: 'x', max_tokens: 1 }) });
          assert.ok(res.status >= 400, `${provider}/${scenario} → ${res.status}`);
          assert.doesNotThrow(() => res.json(), `${provider}/${scenario} answers JSON`);
        }
      }
    });

    it('markup and echo_key put hostile text and the full credential into the error body', async () => {
      const mock = await start('openai');
      mock.scenario = 'markup';
      const markup = await call(mock.origin, '/v1/models/gpt-5', { headers: bearer() });
      assert.strictEqual(markup.json().error.message, MARKUP_MESSAGE);
      assert.match(markup.text, /<script>alert\(1\)<\/script>/);
      assert.match(markup.text, /onerror/);
      assert.match(markup.text, /javascript:/);
      mock.scenario = 'echo_key';
      const key = 'sk-proj-a-very-long-key-that-would-normally-be-masked';
      const echo = await call(mock.origin, '/v1/models/gpt-5', { headers: bearer(key) });
      assert.strictEqual(echo.status, 401);
      assert.ok(echo.json().error.message.includes(key));
    });

    it('setScenario with a path prefix and a count fails only the matching calls', async () => {
      const mock = await start('openai');
      mock.setScenario('server_error', { forPathPrefix: '/v1/models', times: 1 });
      assert.strictEqual((await call(mock.origin, '/v1/models/gpt-5', { headers: bearer() })).status, 500);
      assert.strictEqual((await call(mock.origin, '/v1/models/gpt-5', { headers: bearer() })).status, 200);
      mock.setScenario('overloaded', { forPathPrefix: '/v1/chat' });
      assert.strictEqual((await call(mock.origin, '/v1/models/gpt-5', { headers: bearer() })).status, 200);
      assert.strictEqual((await call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: '{}' })).status, 503);
      mock.reset();
      assert.strictEqual(mock.requests.length, 0);
      assert.strictEqual((await call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: '{}' })).status, 400);
    });

    it('redirects to the configured target, to another loopback origin by default, or to itself', async () => {
      const trap = await startTrapServer();
      open.push(trap);
      const mock = await start('anthropic', { redirectTarget: trap.origin });
      for (const s of ['redirect_301', 'redirect_302', 'redirect_303', 'redirect_307', 'redirect_308'] as const) {
        mock.scenario = s;
        const res = await call(mock.origin, '/v1/models/claude-haiku-4-5?x=1', { headers: { 'x-api-key': DEFAULT_KEY } });
        assert.strictEqual(res.status, Number(s.slice(-3)));
        assert.strictEqual(res.headers.location, `${trap.origin}/v1/models/claude-haiku-4-5?x=1`);
      }
      mock.scenario = 'redirect_loop';
      assert.strictEqual((await call(mock.origin, '/v1/messages', { body: '{}' })).headers.location, `${mock.origin}/v1/messages`);
      assert.strictEqual(trap.bytesReceived, 0);

      const plain = await start('openai');
      plain.scenario = 'redirect_307';
      const location = new URL(String((await call(plain.origin, '/v1/models', { headers: bearer() })).headers.location));
      assert.strictEqual(location.hostname, '127.0.0.1');
      assert.notStrictEqual(location.origin, plain.origin);
    });

    it('non_json, oversized, huge_headers, gzip_bomb and reset', async () => {
      const mock = await start('openai');
      mock.scenario = 'non_json';
      const html = await call(mock.origin, '/v1/models/gpt-5', { headers: bearer() });
      assert.deepStrictEqual([html.status, html.headers['content-type']], [200, 'text/html; charset=utf-8']);

      mock.scenario = 'oversized';
      const big = await call(mock.origin, '/v1/chat/completions', { headers: bearer(), body: JSON.stringify({ model: 'gpt-5', messages: [] }) });
      assert.strictEqual(big.status, 200);
      assert.ok(big.text.length > 20_000_000);
      assert.strictEqual(big.json().object, 'chat.completion');

      mock.scenario = 'huge_headers';
      const headers = await call(mock.origin, '/v1/models/gpt-5', { headers: bearer(), maxHeaderSize: 1_000_000 });
      assert.ok(headers.rawHeaderBytes > 190_000, String(headers.rawHeaderBytes));

      mock.scenario = 'gzip_bomb';
      const bomb = await call(mock.origin, '/v1/models/gpt-5', { headers: bearer() });
      assert.strictEqual(bomb.headers['content-encoding'], 'gzip');
      const compressed = Buffer.from(bomb.text, 'latin1').length;
      assert.ok(Number(bomb.headers['content-length']) < 2_000_000 && compressed > 0);
      const head = await new Promise<number>((resolve, reject) => {
        const gunzip = zlib.createGunzip();
        let n = 0;
        gunzip.on('data', (c: Buffer) => {
          if (c.some((b) => b !== 0)) reject(new Error('not zeros'));
          n += c.length;
          if (n > 50_000_000) { gunzip.destroy(); resolve(n); }
        });
        gunzip.on('error', reject);
        http.get(`${mock.origin}/v1/models/gpt-5`, { headers: bearer(), agent: false }, (res) => res.pipe(gunzip));
      });
      assert.ok(head > 50_000_000);

      mock.scenario = 'reset';
      await assert.rejects(call(mock.origin, '/v1/models/gpt-5', { headers: bearer() }), /socket hang up|ECONNRESET/);
      assert.strictEqual(mock.requests.at(-1)?.path, '/v1/models/gpt-5');
    });

    it('latencyMs delays every answer', async () => {
      const mock = await start('cohere', { latencyMs: 200 });
      const t = Date.now();
      assert.strictEqual((await call(mock.origin, '/v1/check-api-key', { method: 'POST', headers: bearer() })).status, 200);
      assert.ok(Date.now() - t >= 190);
    });

    it('close() ends drip and slow answers at once', async () => {
      const mock = await startMockProvider('openai');
      mock.setScenario('drip', { forPathPrefix: '/v1/chat' });
      mock.setScenario('slow', { forPathPrefix: '/v1/models' });
      const slow = call(mock.origin, '/v1/models/gpt-5', { headers: bearer() }).then(() => 'answered', () => 'closed');
      const dripped = await new Promise<string>((resolve, reject) => {
        const req = http.request(`${mock.origin}/v1/chat/completions`, { method: 'POST', agent: false }, (res) => {
          assert.strictEqual(res.statusCode, 200);
          res.once('data', (c: Buffer) => resolve(c.toString()));
          res.on('error', () => undefined);
        });
        req.on('error', reject);
        req.end('{}');
      });
      assert.strictEqual(dripped, '{');
      const t = Date.now();
      await mock.close();
      assert.ok(Date.now() - t < 500, `close took ${Date.now() - t} ms`);
      assert.strictEqual(await slow, 'closed');
    });
  });

  describe('http/2', () => {
    it('a plain-http mock speaks HTTP/2 too (prior knowledge), as the AWS SDK\'s Bedrock client does by default; SigV4 over :authority', async () => {
      const mock = await start('amazon-bedrock');
      const client = (secretAccessKey: string) => new BedrockRuntimeClient({ region: 'us-east-1', endpoint: mock.origin, maxAttempts: 1, credentials: { accessKeyId: DEFAULT_AWS.accessKeyId, secretAccessKey } });
      const command = () => new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'ping' }] }] });
      const good = client(DEFAULT_AWS.secretAccessKey);
      const bad = client('wrong-secret-not-real');
      try {
        const out = await good.send(command());
        assert.strictEqual(out.output?.message?.content?.[0]?.text, 'Pong');
        assert.strictEqual(mock.requests[0].headers[':authority'], new URL(mock.origin).host);
        assert.match(String(mock.requests[0].headers.authorization), /SignedHeaders=:authority;/, 'the SDK signs :authority in place of host over HTTP/2');
        await assert.rejects(bad.send(command()), { name: 'InvalidSignatureException' });
      } finally {
        good.destroy();
        bad.destroy();
      }
      // The same port still speaks HTTP/1.1.
      assert.strictEqual((await bedrockCall(mock, 'amazon.nova-lite-v1:0')).status, 200);
      assert.strictEqual(mock.requests.at(-1)?.headers[':authority'], undefined);
    });
  });

  describe('tls', () => {
    it('serves HTTPS with a self-signed certificate that verification rejects', async () => {
      const mock = await start('openai', { tls: true });
      assert.match(mock.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
      await assert.rejects(call(mock.origin, '/v1/models/gpt-5', { headers: bearer() }), /self[- ]signed/i);
      const trusted = await call(mock.origin, '/v1/models/gpt-5', { headers: bearer(), ca: mock.certPem });
      assert.strictEqual(trusted.status, 200);
    });
  });

  describe('trap and proxy', () => {
    it('the trap counts connections and bytes', async () => {
      const trap = await startTrapServer();
      open.push(trap);
      assert.deepStrictEqual([trap.connections, trap.bytesReceived], [0, 0]);
      const res = await call(trap.origin, '/anything');
      assert.strictEqual(res.status, 404);
      assert.strictEqual(trap.connections, 1);
      assert.ok(trap.bytesReceived > 20);
    });

    it('the proxy tunnels CONNECT and forwards absolute-URI requests, recording each target', async () => {
      const mock = await start('openai');
      const proxy = await startProxyServer();
      open.push(proxy);
      const target = new URL(mock.origin).host;
      const proxyUrl = new URL(proxy.url);

      const tunnelled = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: proxyUrl.hostname, port: proxyUrl.port, method: 'CONNECT', path: target, agent: false });
        req.on('connect', (res: http.IncomingMessage, socket: net.Socket) => {
          assert.strictEqual(res.statusCode, 200);
          socket.write(`GET /v1/models/gpt-5 HTTP/1.1\r\nHost: ${target}\r\nAuthorization: Bearer ${DEFAULT_KEY}\r\nConnection: close\r\n\r\n`);
          let text = '';
          socket.on('data', (c: Buffer) => { text += c.toString(); });
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      assert.match(tunnelled, /^HTTP\/1\.1 200 OK/);
      assert.deepStrictEqual(proxy.targets, [target]);

      const forwarded = await call(proxy.url, `${mock.origin}/v1/models/gpt-5`, { headers: bearer() });
      assert.strictEqual(forwarded.status, 200);
      const refused = await call(proxy.url, 'http://example.invalid/v1/models');
      assert.strictEqual(refused.status, 403);
      assert.deepStrictEqual(proxy.targets, [target, target, 'example.invalid:80']);
      assert.strictEqual(mock.requests.length, 2);
    });
  });
});
