/**
 * The provider runtime as it ships (dist/providerRuntime.js, loaded by the extension on the
 * first test), not the sources: the bundle takes undici's parts from their own modules and
 * the AWS signer from its ES module build, so it is tested on its own against the mocks —
 * every provider (Bedrock's SigV4 is re-signed and compared by its mock) and through a proxy.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as Runtime from '../../src/testing/providerRuntime';
import type { ConnectionTarget, Credential } from '../../src/core/providers';
import { DEFAULT_AWS, DEFAULT_KEY, installFakeAzureCli, startMockProvider, startProxyServer, type MockProvider, type MockProviderId } from '../mocks';

const BUNDLE = path.resolve(__dirname, '../../../dist/providerRuntime.js');

const CASES: Array<{ provider: MockProviderId; model: string }> = [
  { provider: 'openai', model: 'gpt-5-mini' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' },
  { provider: 'google-gemini', model: 'gemini-2.5-flash-lite' },
  { provider: 'cohere', model: 'command-a-03-2025' },
  { provider: 'amazon-bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
  { provider: 'azure-openai', model: 'gpt-4o' },
  { provider: 'generic', model: 'mock-model' },
];

function targetFor(provider: MockProviderId, model: string, origin: string): ConnectionTarget {
  const settings: Record<string, unknown> = {};
  if (provider === 'amazon-bedrock') settings.region = 'us-east-1';
  if (provider === 'azure-openai') Object.assign(settings, { endpoint: origin, deployment: model, apiVersion: '2024-10-21' });
  if (provider === 'generic') settings.baseUrl = `${origin}/v1`;
  return { provider, modelName: 'm', connectionName: 'c', model, settings };
}

const credentialFor = (provider: MockProviderId): Credential =>
  provider === 'amazon-bedrock' ? { kind: 'aws', ...DEFAULT_AWS } : { kind: 'apiKey', apiKey: DEFAULT_KEY };

describe('the shipped provider runtime (dist/providerRuntime.js)', () => {
  let runtime: typeof Runtime;
  before(function () {
    assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: test:unit builds it first (npm run build)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is loaded the way the extension loads it
    runtime = require(BUNDLE) as typeof Runtime;
  });

  it('carries one HTTP parser, the portable llhttp build (esbuild.mjs leaves out the SIMD copy, 70 KB)', () => {
    const text = fs.readFileSync(BUNDLE, 'utf8');
    // Each WebAssembly module is embedded as base64, starting with `\0asm`.
    assert.strictEqual(text.split('AGFzbQ').length - 1, 1, 'WebAssembly modules in the bundle');
    assert.match(text, /llhttp with SIMD is not bundled/);
  });

  for (const { provider, model } of CASES) {
    it(`${provider}: a full test against the mock is ok`, async () => {
      const mock: MockProvider = await startMockProvider(provider);
      try {
        const endpoints = provider === 'azure-openai' || provider === 'generic' ? {} : { [provider]: mock.origin };
        const r = await runtime.testConnection(targetFor(provider, model, mock.origin), credentialFor(provider), { depth: 'full', deadlineMs: 5_000, endpoints });
        assert.strictEqual(r.outcome, 'ok', `${r.outcome}: ${r.message}`);
        assert.ok(mock.requests.length >= 1);
      } finally {
        await mock.close();
      }
    });
  }

  it('amazon-bedrock with an AWS profile: keys from dist/awsProfiles.js sign the request; its errors keep their outcome and hint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-shipped-aws-'));
    const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
    fs.writeFileSync(path.join(dir, 'config'), '[profile shipped]\nregion = us-east-1\n');
    fs.writeFileSync(path.join(dir, 'credentials'), `[shipped]\naws_access_key_id = ${DEFAULT_AWS.accessKeyId}\naws_secret_access_key = ${DEFAULT_AWS.secretAccessKey}\n`);
    process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
    const mock = await startMockProvider('amazon-bedrock');
    try {
      const t = targetFor('amazon-bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', mock.origin);
      const opts = { depth: 'full' as const, deadlineMs: 5_000, endpoints: { 'amazon-bedrock': mock.origin } };
      const ok = await runtime.testConnection(t, { kind: 'awsProfile', profile: 'shipped' }, opts);
      assert.strictEqual(ok.outcome, 'ok', ok.message);
      const unknown = await runtime.testConnection(t, { kind: 'awsProfile', profile: 'absent' }, opts);
      assert.strictEqual(unknown.outcome, 'auth_failed', unknown.message);
      assert.match(unknown.message, /^There is no AWS profile "absent" on this machine/);
      assert.deepStrictEqual((await runtime.listAwsProfiles()).names, ['shipped']);
    } finally {
      await mock.close();
      fs.rmSync(dir, { recursive: true, force: true });
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.config;
      if (saved.credentials === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      else process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
    }
  });

  it('azure-openai with Microsoft Entra ID: dist/azureIdentity.js gets the token (a fake az first on PATH), sent as a bearer with no api-key', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-shipped-entra-'));
    const token = 'test-entra-token-shipped-0003';
    installFakeAzureCli(dir, token);
    const savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${savedPath ?? ''}`;
    const mock = await startMockProvider('azure-openai', { entraToken: token });
    try {
      const r = await runtime.testConnection(targetFor('azure-openai', 'gpt-4o', mock.origin), { kind: 'entraId', source: 'azureCli' }, { depth: 'full', deadlineMs: 20_000 });
      assert.strictEqual(r.outcome, 'ok', `${r.message} ${r.hint ?? ''}`);
      assert.strictEqual(mock.requests[0]?.headers.authorization, `Bearer ${token}`);
      assert.strictEqual(mock.requests[0]?.headers['api-key'], undefined);
      assert.ok(fs.existsSync(path.join(path.dirname(BUNDLE), 'azureIdentity.js')));
      assert.ok(!fs.readFileSync(BUNDLE, 'utf8').includes('AzureCliCredential'), '@azure/identity is not in dist/providerRuntime.js itself');
    } finally {
      process.env.PATH = savedPath;
      await mock.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends through an HTTP proxy (CONNECT tunnel for https, absolute URL for http)', async () => {
    const mock = await startMockProvider('openai');
    const proxy = await startProxyServer();
    const dispatcher = runtime.createDispatcher({ proxy: proxy.url, noProxy: '' });
    try {
      const r = await runtime.testConnection(targetFor('openai', 'gpt-5-mini', mock.origin), credentialFor('openai'), { depth: 'full', deadlineMs: 5_000, endpoints: { openai: mock.origin }, dispatcher });
      assert.strictEqual(r.outcome, 'ok', r.message);
      assert.deepStrictEqual([...new Set(proxy.targets)], [new URL(mock.origin).host]);
    } finally {
      await dispatcher.close();
      await proxy.close();
      await mock.close();
    }
  });
});
