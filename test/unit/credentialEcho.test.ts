/**
 * Redaction of the new credential kinds (SECURITY.md §3), from the user's side: a provider mock echoes the
 * credential it received in its error body, and the test result, the chat error and the CLI's output (text, JSON,
 * JUnit, stderr) never hold it. Entra ID: the token acquired for the request (the VS Code account as the editor
 * passes it, or the Azure CLI — a fake `az` first on PATH) is echoed bare by the Azure mock; an opaque token can
 * only be masked because it is in the request's Redactor, a JWT-shaped one also by its shape. Bedrock: an
 * `ABSK…` API key echoed by the Bedrock mock.
 */
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { streamChat } from '../../src/core/chat/stream';
import type { ChatEvent } from '../../src/core/chat/types';
import { testConnection } from '../../src/core/providers/connectionTest';
import type { ConnectionTarget, Credential } from '../../src/core/providers';
import { installFakeAzureCli, startMockProvider, type MockProvider } from '../mocks';
import { repoRoot } from './helpers';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** Fake, unsigned-looking tokens and keys (no real one anywhere). */
const OPAQUE_TOKEN = 'test-entra-token-echo-opaque-0005';
const JWT_TOKEN = `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url({ aud: 'https://cognitiveservices.azure.com', tid: 'test-tenant-echo', note: 'fake' })}.fake-signature-echo-0006`;
const ABSK_KEY = 'ABSK' + Buffer.from('BedrockAPIKey-FAKE-TEST-KEY-echo-000000000000:this-is-not-a-real-secret-only-a-test-0123456789').toString('base64');
const HI = { messages: [{ role: 'user' as const, parts: [{ type: 'text' as const, text: 'hi' }] }] };

/** Every piece of the credential that would give it away. */
const pieces = (s: string): string[] => (s.includes('.') ? [s, ...s.split('.').filter((p) => p.length >= 8)] : [s, s.slice(4, 40)]);
function assertClean(text: string, secret: string, where: string): void {
  for (const p of pieces(secret)) {
    for (const form of [p, encodeURIComponent(p), JSON.stringify(p).slice(1, -1)]) assert.ok(!text.includes(form), `${where}: the credential is in ${text}`);
  }
}

async function chatError(t: ConnectionTarget, credential: Credential, options: Parameters<typeof streamChat>[3]): Promise<Extract<ChatEvent, { type: 'error' }>> {
  const events: ChatEvent[] = [];
  for await (const ev of streamChat(t, credential, HI, { firstByteMs: 5_000, idleMs: 5_000, ...options })) events.push(ev);
  const last = events.at(-1);
  assert.ok(last?.type === 'error', JSON.stringify(events));
  return last;
}

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('redaction of Entra ID tokens and Bedrock API keys a provider echoes', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'credential-echo-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('Entra ID (Azure OpenAI echoes the bearer token bare)', () => {
    let azure: MockProvider;
    const target = (): ConnectionTarget => ({ provider: 'azure-openai', modelName: 'gpt-4o', connectionName: 'entra', model: 'gpt-4o', settings: { endpoint: azure.origin, deployment: 'gpt-4o', apiVersion: '2024-10-21' } });

    before(async () => {
      azure = await startMockProvider('azure-openai', { entraToken: JWT_TOKEN });
    });
    after(() => azure.close());
    beforeEach(() => {
      azure.reset();
      azure.setScenario('echo_key');
    });

    for (const [label, token] of [['an opaque token (masked only as the request\'s known secret)', OPAQUE_TOKEN], ['a JWT-shaped token', JWT_TOKEN]] as const) {
      it(`${label}: the test result and the chat error never hold it`, async () => {
        const identity = { vscodeAccount: async () => token };
        const credential: Credential = { kind: 'entraId', source: 'vscode' };
        const r = await testConnection(target(), credential, { depth: 'full', deadlineMs: 10_000, identity });
        assert.strictEqual(r.outcome, 'auth_failed', r.message);
        assert.strictEqual(azure.requests[0].headers.authorization, `Bearer ${token}`, 'the token was really sent');
        assert.match(r.message, /invalid subscription key '\[redacted\]'/);
        assertClean(JSON.stringify(r), token, 'test result');

        const e = await chatError(target(), credential, { identity });
        assert.strictEqual(e.outcome, 'auth_failed', e.message);
        assert.match(e.message, /\[redacted\]/);
        assertClean(JSON.stringify(e), token, 'chat error');
      });
    }

    it('the CLI (Azure CLI token through AZURE_AD=1): text, JSON and JUnit output never hold it', async () => {
      const bin = fs.mkdtempSync(path.join(dir, 'az-'));
      installFakeAzureCli(bin, JWT_TOKEN);
      const work = fs.mkdtempSync(path.join(dir, 'cli-'));
      fs.writeFileSync(path.join(work, 'agent-connections.yaml'), `version: 1\nmodels:\n  - name: gpt-4o\n    type: easy\n    provider: azure-openai\n    model: gpt-4o\n    connections:\n      - name: entra\n        endpoint: ${azure.origin}\n        deployment: gpt-4o\n        apiVersion: 2024-10-21\n`);
      const env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential', AGENT_CONNECTIONS__GPT_4O__ENTRA__AZURE_AD: '1' };
      for (const format of ['text', 'json', 'junit']) {
        const r = await cli(['test', '--format', format], env, work);
        assert.strictEqual(r.code, 1, `${format}: ${r.out}`);
        assert.match(r.out, /auth_failed|auth failed/, format);
        assertClean(r.out, JWT_TOKEN, `cli ${format}`);
      }
      assert.ok(azure.requests.length >= 3 && azure.requests.every((q) => q.headers.authorization === `Bearer ${JWT_TOKEN}`), 'the token was really sent');
    });
  });

  describe('AWS profile: keys the AWS SDK resolves at request time, echoed bare by Bedrock', () => {
    let bedrock: MockProvider;
    const PROFILE = { accessKeyId: 'AKIDECHOPROFILE0007', secretAccessKey: 'test-secret-echo-profile-0008', sessionToken: 'test-session-echo-opaque-0009' };
    const target: ConnectionTarget = { provider: 'amazon-bedrock', modelName: 'nova', connectionName: 'profile', model: 'amazon.nova-lite-v1:0', settings: { region: 'us-east-1' } };
    const NAMES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
    const saved: Record<string, string | undefined> = {};
    let files: Record<string, string>;
    /** Every piece of the resolved keys: the secret key is never sent, the others are. */
    const assertNoKeys = (text: string, where: string) => {
      for (const k of [PROFILE.accessKeyId, PROFILE.sessionToken, PROFILE.secretAccessKey]) assertClean(text, k, where);
    };

    before(async () => {
      bedrock = await startMockProvider('amazon-bedrock');
      const aws = fs.mkdtempSync(path.join(dir, 'aws-'));
      files = { AWS_CONFIG_FILE: path.join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(aws, 'credentials') };
      fs.writeFileSync(files.AWS_CONFIG_FILE, '[profile echo-profile]\nregion = us-east-1\n');
      fs.writeFileSync(files.AWS_SHARED_CREDENTIALS_FILE, `[echo-profile]\naws_access_key_id = ${PROFILE.accessKeyId}\naws_secret_access_key = ${PROFILE.secretAccessKey}\naws_session_token = ${PROFILE.sessionToken}\n`);
      for (const n of NAMES) saved[n] = process.env[n];
      for (const n of NAMES) delete process.env[n];
      Object.assign(process.env, files);
    });
    after(() => {
      for (const n of NAMES) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
      return bedrock.close();
    });
    beforeEach(() => {
      bedrock.reset();
      bedrock.setScenario('echo_key');
    });

    it('the test result and the chat error never hold the access key ID or the session token', async () => {
      const credential: Credential = { kind: 'awsProfile', profile: 'echo-profile' };
      const endpoints = { 'amazon-bedrock': bedrock.origin };
      const r = await testConnection(target, credential, { depth: 'full', deadlineMs: 10_000, endpoints });
      assert.strictEqual(r.outcome, 'auth_failed', r.message);
      assert.strictEqual(bedrock.requests[0].headers['x-amz-security-token'], PROFILE.sessionToken, 'the profile\'s keys were really sent');
      assert.match(r.message, /The security token \[redacted\] of \[redacted\] is not valid here/);
      assertNoKeys(JSON.stringify(r), 'test result');
      const e = await chatError(target, credential, { endpoints });
      assert.match(e.message, /The security token \[redacted\] of \[redacted\]/);
      assertNoKeys(JSON.stringify(e), 'chat error');
    });

    it('the CLI (__AWS_PROFILE): text, JSON and JUnit output never hold them', async () => {
      const work = fs.mkdtempSync(path.join(dir, 'cli-'));
      fs.writeFileSync(path.join(work, 'agent-connections.yaml'), 'version: 1\nmodels:\n  - name: nova\n    type: easy\n    provider: amazon-bedrock\n    model: amazon.nova-lite-v1:0\n    connections:\n      - name: profile\n        region: us-east-1\n');
      for (const format of ['text', 'json', 'junit']) {
        const r = await cli(['test', '--endpoint', `amazon-bedrock=${bedrock.origin}`, '--format', format], { PATH: process.env.PATH ?? '', ...files, AGENT_CONNECTIONS__NOVA__PROFILE__AWS_PROFILE: 'echo-profile' }, work);
        assert.strictEqual(r.code, 1, `${format}: ${r.out}`);
        assert.match(r.out, /auth_failed|auth failed/, format);
        assertNoKeys(r.out, `cli ${format}`);
      }
      assert.strictEqual(bedrock.requests.length, 3);
    });
  });

  describe('Bedrock API key (ABSK…) echoed by Bedrock', () => {
    let bedrock: MockProvider;
    const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const target: ConnectionTarget = { provider: 'amazon-bedrock', modelName: 'claude', connectionName: 'absk', model: MODEL, settings: { region: 'us-east-1' } };
    const credential: Credential = { kind: 'bedrockApiKey', apiKey: ABSK_KEY };

    before(async () => {
      bedrock = await startMockProvider('amazon-bedrock', { bedrockApiKey: ABSK_KEY });
    });
    after(() => bedrock.close());
    beforeEach(() => {
      bedrock.reset();
      bedrock.setScenario('echo_key');
    });

    it('the test result and the chat error never hold it', async () => {
      const endpoints = { 'amazon-bedrock': bedrock.origin };
      const r = await testConnection(target, credential, { depth: 'full', deadlineMs: 10_000, endpoints });
      assert.notStrictEqual(r.outcome, 'ok', r.message);
      assert.strictEqual(bedrock.requests[0].headers.authorization, `Bearer ${ABSK_KEY}`, 'the key was really sent');
      assert.match(r.message, /\[redacted\]/);
      assertClean(JSON.stringify(r), ABSK_KEY, 'test result');
      const e = await chatError(target, credential, { endpoints });
      assertClean(JSON.stringify(e), ABSK_KEY, 'chat error');
    });

    it('the CLI (__BEDROCK_API_KEY): text, JSON and JUnit output never hold it', async () => {
      const work = fs.mkdtempSync(path.join(dir, 'cli-'));
      fs.writeFileSync(path.join(work, 'agent-connections.yaml'), `version: 1\nmodels:\n  - name: claude\n    type: easy\n    provider: amazon-bedrock\n    model: ${MODEL}\n    connections:\n      - name: absk\n        region: us-east-1\n`);
      for (const format of ['text', 'json', 'junit']) {
        const r = await cli(['test', '--endpoint', `amazon-bedrock=${bedrock.origin}`, '--format', format], { PATH: process.env.PATH ?? '', AGENT_CONNECTIONS__CLAUDE__ABSK__BEDROCK_API_KEY: ABSK_KEY }, work);
        assert.strictEqual(r.code, 1, `${format}: ${r.out}`);
        assertClean(r.out, ABSK_KEY, `cli ${format}`);
      }
      assert.strictEqual(bedrock.requests.length, 3);
    });
  });
});
