/**
 * Getting what a request is signed with (a Microsoft Entra ID token, an AWS profile's keys)
 * is bounded by the test's deadline and its AbortSignal, as the request itself is: the
 * outcome is `timeout` or `cancelled` with stage `credential`, and what arrives late is
 * dropped (the mock receives nothing, then or later). Also the chat stream (first-byte bound).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { testConnection } from '../../src/core/providers/connectionTest';
import { streamChat } from '../../src/core/chat/stream';
import type { ChatEvent } from '../../src/core/chat/types';
import type { ConnectionTarget, Credential } from '../../src/core/providers';
import { startMockProvider, type MockProvider } from '../mocks';

const TOKEN = 'test-entra-token-late-0004';
const KEYS = { accessKeyId: 'ASIAPROFILESLOW00001', secretAccessKey: 'test-secret-profile-slow', sessionToken: 'test-session-profile-slow' };
const HELLO = { messages: [{ role: 'user' as const, parts: [{ type: 'text' as const, text: 'hi' }] }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const azure = (origin: string): ConnectionTarget => ({ provider: 'azure-openai', modelName: 'gpt-4o', connectionName: 'entra', model: 'gpt-4o', settings: { endpoint: origin, deployment: 'gpt-4o', apiVersion: '2024-10-21' } });
const bedrock: ConnectionTarget = { provider: 'amazon-bedrock', modelName: 'nova', connectionName: 'slow', model: 'amazon.nova-lite-v1:0', settings: { region: 'us-east-1' } };

/** A VS Code account whose sign-in has not finished: the token comes when `release()` is called. */
function pendingAccount() {
  const waiting: Array<(t: string) => void> = [];
  return {
    asked: () => waiting.length,
    release: () => waiting.splice(0).forEach((give) => give(TOKEN)),
    identity: { vscodeAccount: () => new Promise<string>((resolve) => waiting.push(resolve)) },
  };
}

describe('credential deadline: Entra ID tokens and AWS profile keys are bounded by the deadline and cancellation', function () {
  this.timeout(20_000);
  let mock: MockProvider;
  const entra: Credential = { kind: 'entraId', source: 'vscode' };

  before(async () => { mock = await startMockProvider('azure-openai', { entraToken: TOKEN }); });
  after(async () => { await mock.close(); });
  beforeEach(() => mock.reset());

  it('a token that does not come within the deadline: timeout at the deadline, stage credential; the late token sends nothing', async () => {
    const account = pendingAccount();
    const t0 = performance.now();
    const r = await testConnection(azure(mock.origin), entra, { depth: 'full', deadlineMs: 400, identity: account.identity });
    const took = performance.now() - t0;
    assert.deepStrictEqual([r.outcome, r.stage], ['timeout', 'credential'], JSON.stringify(r));
    assert.match(r.message, /^No Microsoft Entra ID token from VS Code account within 0\.4 s: nothing was sent\.$/);
    assert.match(r.hint, /az account get-access-token/);
    assert.ok(took >= 350 && took < 5_000, `took ${took} ms`);
    assert.strictEqual(account.asked(), 1);
    account.release();
    await sleep(200);
    assert.strictEqual(mock.requests.length, 0, 'the late token was used');
    // The same getter answering in time: the test goes through.
    const ok = await testConnection(azure(mock.origin), entra, { depth: 'full', deadlineMs: 5_000, identity: { vscodeAccount: async () => TOKEN } });
    assert.strictEqual(ok.outcome, 'ok', JSON.stringify(ok));
  });

  it('cancelling while the token is awaited: cancelled at once, nothing sent', async () => {
    const account = pendingAccount();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const t0 = performance.now();
    const r = await testConnection(azure(mock.origin), entra, { depth: 'full', deadlineMs: 20_000, identity: account.identity, signal: ac.signal });
    assert.deepStrictEqual([r.outcome, r.stage, r.message], ['cancelled', 'credential', 'The test was cancelled.']);
    assert.ok(performance.now() - t0 < 5_000);
    account.release();
    await sleep(200);
    assert.strictEqual(mock.requests.length, 0);
  });

  it('a chat request: the token counts toward the first byte, and stopping the chat ends the wait', async () => {
    const events = async (options: Parameters<typeof streamChat>[3]): Promise<ChatEvent[]> => {
      const out: ChatEvent[] = [];
      for await (const ev of streamChat(azure(mock.origin), entra, HELLO, options)) out.push(ev);
      return out;
    };
    const slow = pendingAccount();
    const timedOut = await events({ identity: slow.identity, firstByteMs: 300 });
    assert.deepStrictEqual(timedOut.map((e) => e.type === 'error' && [e.outcome, e.message]), [['timeout', 'No Microsoft Entra ID token within 0.3 s: nothing was sent.']]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const stopped = await events({ identity: pendingAccount().identity, signal: ac.signal });
    assert.deepStrictEqual(stopped.map((e) => e.type === 'error' && e.outcome), ['cancelled']);
    slow.release();
    await sleep(200);
    assert.strictEqual(mock.requests.length, 0);
  });

  describe('AWS profile (credential_process that takes 1.5 s)', () => {
    let dir: string;
    let bedrockMock: MockProvider;
    const saved: Record<string, string | undefined> = {};
    const NAMES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];

    before(async () => {
      for (const n of NAMES) saved[n] = process.env[n];
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-slow-profile-'));
      const script = path.join(dir, 'slow.js');
      fs.writeFileSync(script, `setTimeout(() => process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(KEYS.accessKeyId)}, SecretAccessKey: ${JSON.stringify(KEYS.secretAccessKey)}, SessionToken: ${JSON.stringify(KEYS.sessionToken)}, Expiration: new Date(Date.now() + 3600000).toISOString() })), 1500);\n`);
      // Each test uses a profile of its own, so that no resolved keys are remembered between them.
      const profiles = ['slow-test', 'slow-cancel', 'slow-chat', 'slow-ok'];
      fs.writeFileSync(path.join(dir, 'config'), profiles.map((p) => `[profile ${p}]\ncredential_process = "${process.execPath}" "${script}"\n`).join('\n'));
      fs.writeFileSync(path.join(dir, 'credentials'), '');
      process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
      bedrockMock = await startMockProvider('amazon-bedrock', { aws: KEYS });
    });
    after(async () => {
      await bedrockMock.close();
      for (const n of NAMES) {
        if (saved[n] === undefined) delete process.env[n];
        else process.env[n] = saved[n];
      }
      fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => bedrockMock.reset());

    const test = (profile: string, extra: { deadlineMs: number; signal?: AbortSignal }) =>
      testConnection(bedrock, { kind: 'awsProfile', profile }, { depth: 'full', endpoints: { 'amazon-bedrock': bedrockMock.origin }, ...extra });

    it('keys that come after the deadline: timeout naming the profile, and the late keys send nothing', async () => {
      const t0 = performance.now();
      const r = await test('slow-test', { deadlineMs: 400 });
      const took = performance.now() - t0;
      assert.deepStrictEqual([r.outcome, r.stage], ['timeout', 'credential'], JSON.stringify(r));
      assert.strictEqual(r.message, 'No credentials from AWS profile slow-test within 0.4 s: nothing was sent.');
      assert.match(r.hint, /aws configure list --profile slow-test/);
      assert.ok(took < 1_400, `took ${took} ms: not bounded by the deadline`);
      await sleep(2_500); // the process has answered by now and the client went on: nothing may go out
      assert.strictEqual(bedrockMock.requests.length, 0, 'a request went out after the test was over');
    });

    it('cancelling while the profile resolves: cancelled at once; a profile resolved in time still works', async () => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 150);
      const t0 = performance.now();
      const r = await test('slow-cancel', { deadlineMs: 20_000, signal: ac.signal });
      assert.deepStrictEqual([r.outcome, r.stage], ['cancelled', 'credential'], JSON.stringify(r));
      assert.ok(performance.now() - t0 < 1_400);
      const ok = await test('slow-ok', { deadlineMs: 10_000 });
      assert.strictEqual(ok.outcome, 'ok', JSON.stringify(ok));
      assert.strictEqual(bedrockMock.requests.length, 1);
    });

    it('a chat request whose profile resolves after the first-byte bound: timeout naming the profile', async () => {
      const out: ChatEvent[] = [];
      for await (const ev of streamChat(bedrock, { kind: 'awsProfile', profile: 'slow-chat' }, HELLO, { endpoints: { 'amazon-bedrock': bedrockMock.origin }, firstByteMs: 400 })) out.push(ev);
      assert.deepStrictEqual(out.map((e) => e.type === 'error' && [e.outcome, e.message]), [['timeout', 'No credentials from AWS profile slow-chat within 0.4 s: nothing was sent.']]);
      await sleep(2_000);
      assert.strictEqual(bedrockMock.requests.length, 0);
    });
  });
});
