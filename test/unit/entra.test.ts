/**
 * Microsoft Entra ID for Azure OpenAI, from the user's side: a fake `az` first on PATH (test/mocks/azureCli.ts)
 * (AzureCliCredential runs `az account get-access-token`), the VS Code account as the
 * editor passes it, the Azure mock checking `Authorization: Bearer` and no api-key, the
 * missing-role 401, token failures, the origin binding, the CLI with `__AZURE_AD=1`, and
 * request parity with the official openai SDK's AzureOpenAI (azureADTokenProvider).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AzureOpenAI } from 'openai';
import { testConnection } from '../../src/core/providers/connectionTest';
import { streamChat } from '../../src/core/chat/stream';
import { runtimeVariables } from '../../src/core/runtime/runtimeEnv';
import type { ChatEvent } from '../../src/core/chat/types';
import type { ConnectionTarget, Credential } from '../../src/core/providers';
import { fakeAzureCliCalls, installFakeAzureCli, startEntraAuthority, startMockProvider, startProxyServer, type MockProvider } from '../mocks';
import { repoRoot, runNode, type ChildRun } from './helpers';

const CLI_TOKEN = 'test-entra-token-cli-0001';
const VSCODE_TOKEN = 'test-entra-token-vscode-0002';
const CLI = path.join(repoRoot, 'dist', 'cli.js');

function target(origin: string, settings: Record<string, unknown> = {}): ConnectionTarget {
  return { provider: 'azure-openai', modelName: 'gpt-4o', connectionName: 'entra', model: 'gpt-4o', settings: { endpoint: origin, deployment: 'gpt-4o', apiVersion: '2024-10-21', ...settings } };
}

describe('Microsoft Entra ID (Azure OpenAI)', function () {
  this.timeout(30_000);
  let dir: string;
  let savedPath: string | undefined;
  let mock: MockProvider;
  const calls = (): string[] => fakeAzureCliCalls(dir);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-fake-az-'));
    installFakeAzureCli(dir, CLI_TOKEN);
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
    mock = await startMockProvider('azure-openai', { entraToken: CLI_TOKEN });
  });
  after(async () => {
    process.env.PATH = savedPath;
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => mock.reset());

  it('Azure CLI: the token az prints goes as Authorization: Bearer with no api-key; az runs once, the token is reused', async () => {
    const credential: Credential = { kind: 'entraId', source: 'azureCli' };
    const first = await testConnection(target(mock.origin), credential, { depth: 'full', deadlineMs: 20_000 });
    assert.strictEqual(first.outcome, 'ok', `${first.message} ${first.hint}`);
    const [req] = mock.requests;
    assert.strictEqual(req.path, '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    assert.strictEqual(req.headers.authorization, `Bearer ${CLI_TOKEN}`);
    assert.strictEqual(req.headers['api-key'], undefined);
    assert.deepStrictEqual(calls(), ['account get-access-token --output json --resource https://cognitiveservices.azure.com']);
    const second = await testConnection(target(mock.origin, { apiVersion: 'v1' }), credential, { depth: 'full', deadlineMs: 20_000 });
    assert.strictEqual(second.outcome, 'ok', second.message);
    assert.strictEqual(mock.requests[1].path, '/openai/v1/chat/completions');
    assert.strictEqual(mock.requests[1].headers.authorization, `Bearer ${CLI_TOKEN}`);
    assert.strictEqual(calls().length, 1, 'the cached token was used until shortly before it expires');
    assert.ok(!JSON.stringify([first, second]).includes(CLI_TOKEN));
  });

  it('the identity lacks the role: 401 PermissionDenied → permission_denied with a hint naming Cognitive Services OpenAI User', async () => {
    const denied = await startMockProvider('azure-openai', { entraToken: CLI_TOKEN, entraLacksRole: true });
    try {
      const r = await testConnection(target(denied.origin), { kind: 'entraId', source: 'azureCli' }, { depth: 'full', deadlineMs: 20_000 });
      assert.deepStrictEqual([r.outcome, r.status], ['permission_denied', 401], r.message);
      assert.match(r.message, /lacks the required data action/);
      assert.match(r.hint, /"Cognitive Services OpenAI User" role on 127\.0\.0\.1:\d+/);
      // The same answer to a streamed chat request.
      const events: ChatEvent[] = [];
      for await (const ev of streamChat(target(denied.origin), { kind: 'entraId', source: 'azureCli' }, { messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }] })) events.push(ev);
      const last = events.at(-1)!;
      assert.ok(last.type === 'error' && last.outcome === 'permission_denied' && /Cognitive Services OpenAI User/.test(last.hint ?? ''), JSON.stringify(last));
    } finally {
      await denied.close();
    }
  });

  it('no token (az not signed in, az missing, no environment variables, no VS Code outside the editor) → a precise message, nothing sent', async () => {
    const notSignedIn = await testConnection(target(mock.origin), { kind: 'entraId', source: 'azureCli', tenantId: 'notsignedin.example' }, { depth: 'full', deadlineMs: 20_000 });
    assert.strictEqual(notSignedIn.outcome, 'missing_credentials');
    assert.match(notSignedIn.message, /The Azure CLI is not signed in/);
    assert.match(notSignedIn.hint, /Run `az login --tenant notsignedin\.example`/);
    const noAz = await testConnection(target(mock.origin), { kind: 'entraId', source: 'azureCli', tenantId: 'noaz.example' }, { depth: 'full', deadlineMs: 20_000 });
    assert.strictEqual(noAz.outcome, 'missing_credentials');
    assert.match(noAz.message, /Azure CLI \(az\) was not found/);
    const saved = Object.fromEntries(['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_USERNAME'].map((k) => [k, process.env[k]]));
    for (const k of Object.keys(saved)) delete process.env[k];
    try {
      const env = await testConnection(target(mock.origin), { kind: 'entraId', source: 'environment' }, { depth: 'full', deadlineMs: 20_000 });
      assert.strictEqual(env.outcome, 'missing_credentials');
      assert.match(env.message, /No Entra ID credentials in the environment/);
      assert.match(env.hint, /AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
    const outside = await testConnection(target(mock.origin), { kind: 'entraId', source: 'vscode' }, { depth: 'full', deadlineMs: 5_000 });
    assert.strictEqual(outside.outcome, 'missing_credentials');
    assert.match(outside.message, /only available inside VS Code/);
    assert.strictEqual(mock.requests.length, 0);
  });

  it('VS Code account: the host\'s getter is asked for the Cognitive Services scope and tenant; the test and a streamed chat send its token', async () => {
    const vs = await startMockProvider('azure-openai', { entraToken: VSCODE_TOKEN });
    const asked: Array<[string[], string | undefined]> = [];
    const identity = { vscodeAccount: async (scopes: string[], tenant: string | undefined) => { asked.push([scopes, tenant]); return VSCODE_TOKEN; } };
    try {
      const credential: Credential = { kind: 'entraId', source: 'vscode', tenantId: 'contoso.onmicrosoft.com' };
      const r = await testConnection(target(vs.origin), credential, { depth: 'full', deadlineMs: 5_000, identity });
      assert.strictEqual(r.outcome, 'ok', r.message);
      assert.deepStrictEqual(asked[0], [['https://cognitiveservices.azure.com/.default'], 'contoso.onmicrosoft.com']);
      const text: string[] = [];
      for await (const ev of streamChat(target(vs.origin), credential, { messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }] }, { identity })) if (ev.type === 'text') text.push(ev.text);
      assert.ok(text.join('').length > 0);
      assert.ok(vs.requests.every((q) => q.headers.authorization === `Bearer ${VSCODE_TOKEN}` && q.headers['api-key'] === undefined));
      // A refusal of the sign-in is the host's message and hint.
      const cancelled = await testConnection(target(vs.origin), credential, { depth: 'full', deadlineMs: 5_000, identity: { vscodeAccount: () => Promise.reject(Object.assign(new Error('No Microsoft account is signed in to VS Code.'), { name: 'TokenUnavailableError', hint: 'Sign in from the Accounts menu.' })) } });
      assert.deepStrictEqual([cancelled.outcome, cancelled.message, cancelled.hint], ['missing_credentials', 'No Microsoft account is signed in to VS Code.', 'Sign in from the Accounts menu.']);
    } finally {
      await vs.close();
    }
  });

  it('origin binding: an identity chosen for another origin gets no token and sends nothing unless confirmed', async () => {
    let asked = 0;
    const identity = { vscodeAccount: async () => { asked++; return CLI_TOKEN; } };
    const r = await testConnection(target(mock.origin), { kind: 'entraId', source: 'vscode' }, {
      depth: 'full', deadlineMs: 5_000, identity, binding: { boundOrigin: 'https://my-resource.openai.azure.com', confirm: async () => false },
    });
    assert.strictEqual(r.outcome, 'blocked');
    assert.match(r.message, /The Entra ID identity was chosen for https:\/\/my-resource\.openai\.azure\.com/);
    assert.strictEqual(asked, 0);
    assert.strictEqual(mock.requests.length, 0);
    const confirmed = await testConnection(target(mock.origin), { kind: 'entraId', source: 'vscode' }, {
      depth: 'full', deadlineMs: 5_000, identity, binding: { boundOrigin: 'https://my-resource.openai.azure.com', confirm: async () => true },
    });
    assert.strictEqual(confirmed.outcome, 'ok', confirmed.message);
  });

  it('request parity: the same path, api-version, bearer header and no api-key as the openai SDK\'s AzureOpenAI with an azureADTokenProvider', async () => {
    const sdk = new AzureOpenAI({ endpoint: mock.origin, apiVersion: '2024-10-21', deployment: 'gpt-4o', azureADTokenProvider: async () => CLI_TOKEN, maxRetries: 0 });
    await sdk.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
    const ours = await testConnection(target(mock.origin), { kind: 'entraId', source: 'azureCli' }, { depth: 'full', deadlineMs: 20_000 });
    assert.strictEqual(ours.outcome, 'ok', ours.message);
    const [theirs, mine] = mock.requests;
    assert.strictEqual(mine.method, theirs.method);
    assert.strictEqual(mine.path, theirs.path);
    for (const h of ['authorization', 'api-key', 'content-type']) assert.strictEqual(mine.headers[h], theirs.headers[h], h);
    const body = (b: string) => { const { model: _m, ...rest } = JSON.parse(b) as Record<string, unknown>; return rest; };
    assert.deepStrictEqual(body(mine.body), body(theirs.body), 'same body (the SDK also sends the deployment as model, which the deployment route ignores)');
  });

  it('run/env: no key and no token handed on; endpoint and version as with a key; the AZURE_* identity variables that are set', () => {
    const vars = runtimeVariables({
      target: target('https://my-resource.openai.azure.com'), credential: { kind: 'entraId', source: 'default' }, secretSource: () => 'x',
      env: { AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000001', AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000002', AZURE_CLIENT_SECRET: 'test-client-secret-not-real', HOME: '/home/x' },
    });
    const byName = Object.fromEntries(vars.map((v) => [v.name, v]));
    assert.strictEqual(byName.AZURE_OPENAI_ENDPOINT.value, 'https://my-resource.openai.azure.com');
    assert.strictEqual(byName.OPENAI_API_VERSION.value, '2024-10-21');
    assert.strictEqual(byName.AZURE_OPENAI_API_KEY, undefined);
    assert.strictEqual(byName.AZURE_TENANT_ID.secret, false);
    assert.strictEqual(byName.AZURE_CLIENT_SECRET.secret, true);
    assert.strictEqual(byName.HOME, undefined);
  });
});

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<ChildRun> {
  return runNode(CLI, args, { cwd, env: { HOME: os.tmpdir(), ...env } });
}

describe('cli: Azure OpenAI with AGENT_CONNECTIONS__M__C__AZURE_AD=1', function () {
  this.timeout(60_000);
  let dir: string;
  let mock: MockProvider;
  let env: Record<string, string>;
  const base = 'AGENT_CONNECTIONS__GPT_4O__ENTRA';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-cli-'));
    installFakeAzureCli(dir, CLI_TOKEN);
    mock = await startMockProvider('azure-openai', { entraToken: CLI_TOKEN });
    fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), `models:
  - name: gpt-4o
    provider: azure-openai
    model: gpt-4o
    connections:
      - name: entra
        endpoint: ${mock.origin}
        deployment: gpt-4o
        apiVersion: 2024-10-21
`);
    // DefaultAzureCredential limited to the Azure CLI (no managed-identity probe on a test machine).
    env = { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential' };
  });
  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('test: DefaultAzureCredential\'s token reaches the mock as a bearer (exit 0); with an API key as well, or another value, refused', async () => {
    const ok = await cli(['test', '--format', 'json'], { ...env, [`${base}__AZURE_AD`]: '1' }, dir);
    assert.strictEqual(ok.code, 0, ok.stdout + ok.stderr);
    assert.strictEqual((JSON.parse(ok.stdout) as { results: Array<{ outcome: string }> }).results[0].outcome, 'ok');
    assert.strictEqual(mock.requests[0].headers.authorization, `Bearer ${CLI_TOKEN}`);
    assert.strictEqual(mock.requests[0].headers['api-key'], undefined);
    assert.ok(!(ok.stdout + ok.stderr).includes(CLI_TOKEN));

    const both = await cli(['test', '--format', 'json'], { ...env, [`${base}__AZURE_AD`]: '1', [`${base}__API_KEY`]: 'sk-test-azure-both-0001' }, dir);
    assert.strictEqual(both.code, 1);
    assert.match(both.stdout, /__AZURE_AD: Set either the API key or AZURE_AD=1/);
    const odd = await cli(['test', '--format', 'json'], { ...env, [`${base}__AZURE_AD`]: 'yes' }, dir);
    assert.match(odd.stdout, /__AZURE_AD: Set it to 1/);
    const none = await cli(['test', '--format', 'json'], env, dir);
    assert.match(none.stdout, /__API_KEY is not set \(or AGENT_CONNECTIONS__GPT_4O__ENTRA__AZURE_AD=1\)/);
    // No identity anywhere (no az on PATH): the run fails with what to do, nothing sent.
    const sent = mock.requests.length;
    const noIdentity = await cli(['test', '--format', 'json'], { ...env, PATH: fs.mkdtempSync(path.join(os.tmpdir(), 'entra-empty-path-')), [`${base}__AZURE_AD`]: '1' }, dir);
    assert.strictEqual(noIdentity.code, 1);
    const r = (JSON.parse(noIdentity.stdout) as { results: Array<{ outcome: string; message: string; hint: string }> }).results[0];
    assert.strictEqual(r.outcome, 'missing_credentials');
    assert.match(r.message, /DefaultAzureCredential found no identity/);
    assert.match(r.hint, /Run `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/);
    assert.strictEqual(mock.requests.length, sent);
  });

  it('EnvironmentCredential (a client secret, AZURE_AUTHORITY_HOST at a token endpoint on 127.0.0.1): its token reaches Azure; nothing asked of another host; a wrong secret → auth_failed', async () => {
    // MSAL refuses an http authority and asks the public cloud to validate any other: the mock serves https with
    // the mocks' self-signed certificate (trusted through NODE_EXTRA_CA_CERTS) as an AD FS authority (tenant "adfs"),
    // which MSAL takes as given. Every https request goes through a proxy that records it and serves loopback only.
    const token = 'test-entra-token-environment-0004';
    const secret = 'test-client-secret-not-real-0005';
    const clientId = '00000000-0000-0000-0000-00000000c11d';
    const authority = await startEntraAuthority({ token, clientId, clientSecret: secret });
    const proxy = await startProxyServer();
    const azure = await startMockProvider('azure-openai', { entraToken: token });
    const envDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-cli-env-'));
    try {
      fs.writeFileSync(path.join(envDir, 'agent-connections.yaml'), fs.readFileSync(path.join(dir, 'agent-connections.yaml'), 'utf8').replace(mock.origin, azure.origin));
      fs.writeFileSync(path.join(envDir, 'ca.pem'), authority.certPem);
      const e = {
        PATH: process.env.PATH ?? '', [`${base}__AZURE_AD`]: '1', NODE_EXTRA_CA_CERTS: path.join(envDir, 'ca.pem'), HTTPS_PROXY: proxy.url,
        AZURE_TENANT_ID: 'adfs', AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: secret, AZURE_AUTHORITY_HOST: authority.origin,
      };
      const ok = await cli(['test', '--format', 'json'], e, envDir);
      assert.strictEqual(ok.code, 0, ok.stdout + ok.stderr);
      assert.deepStrictEqual(authority.requests, ['GET /adfs/.well-known/openid-configuration', 'POST /adfs/oauth2/v2.0/token']);
      assert.strictEqual(azure.requests[0].headers.authorization, `Bearer ${token}`);
      assert.strictEqual(azure.requests[0].headers['api-key'], undefined);
      assert.ok(proxy.targets.length > 0 && proxy.targets.every((t) => t.startsWith('127.0.0.1:')), `asked through the proxy: ${proxy.targets.join(', ')}`);

      const wrong = await cli(['test', '--format', 'json'], { ...e, AZURE_CLIENT_SECRET: 'test-client-secret-WRONG-0006' }, envDir);
      assert.strictEqual(wrong.code, 1);
      const r = (JSON.parse(wrong.stdout) as { results: Array<{ outcome: string; message: string }> }).results[0];
      assert.strictEqual(r.outcome, 'auth_failed', r.message);
      assert.match(r.message, /Microsoft Entra ID refused the sign-in: .*invalid_client/);
      assert.ok(!(wrong.stdout + wrong.stderr).includes('WRONG-0006'));
      assert.strictEqual(azure.requests.length, 1, 'nothing sent to Azure without a token');
    } finally {
      await Promise.all([authority.close(), proxy.close(), azure.close()]);
      fs.rmSync(envDir, { recursive: true, force: true });
    }
  });

  it('env: endpoint and version, no key variable, AZURE_CLIENT_SECRET never printed; run gives the command the AZURE_* variables', async () => {
    const e = { ...env, [`${base}__AZURE_AD`]: '1', AZURE_TENANT_ID: '00000000-0000-0000-0000-000000000001', AZURE_CLIENT_SECRET: 'test-client-secret-not-real' };
    const r = await cli(['env', '--connection', 'gpt-4o/entra', '--format', 'dotenv'], e, dir);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^AZURE_OPENAI_ENDPOINT=http:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(r.stdout, /^OPENAI_API_VERSION=2024-10-21$/m);
    assert.match(r.stdout, /^AZURE_TENANT_ID=00000000-0000-0000-0000-000000000001$/m);
    assert.doesNotMatch(r.stdout, /AZURE_OPENAI_API_KEY|test-client-secret-not-real/);
    const run = await cli(['run', '--connection', 'gpt-4o/entra', '--', process.execPath, '-e', 'process.stdout.write(JSON.stringify([process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_SECRET === "test-client-secret-not-real", process.env.AZURE_OPENAI_API_KEY ?? null]))'], e, dir);
    assert.strictEqual(run.code, 0, run.stderr);
    assert.deepStrictEqual(JSON.parse(run.stdout), ['00000000-0000-0000-0000-000000000001', true, null]);
  });
});
