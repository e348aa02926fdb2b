/**
 * AWS profiles as Bedrock credentials, end to end on 127.0.0.1: a temporary HOME with
 * ~/.aws/config, ~/.aws/credentials and an SSO token cache; the AWS SDK's own providers
 * resolve the profile (static keys, credential_process, SSO through a mock portal,
 * assume-role through a mock STS), and the Bedrock mock verifies the SigV4 signature made
 * from the resolved keys. Also: the CLI with AGENT_CONNECTIONS__…__AWS_PROFILE (test, env,
 * run), and parity with the request the AWS SDK's own Bedrock runtime client sends.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { testConnection } from '../../src/core/providers/connectionTest';
import { streamChat } from '../../src/core/chat/stream';
import type { ChatEvent, ChatRequest } from '../../src/core/chat/types';
import type { ConnectionTarget, Credential, TestResult } from '../../src/core/providers';
import { listAwsProfiles } from '../../src/core/aws/profileCredentials';
import { profileNameProblem } from '../../src/core/aws/profileName';
import { runtimeVariables } from '../../src/core/runtime/runtimeEnv';
import { credentialFromEnv } from '../../src/core/import-export/exporters/envNames';
import { secretProblems } from '../../src/core/form/formProtocol';
import { typedCredential } from '../../src/core/form/form';
import { MOCK_STREAM_TEXT, startAwsCredentialSources, startMockProvider, type AwsCredentialSources, type MockProvider } from '../mocks';
import { repoRoot, runNode, type ChildRun } from './helpers';

const STATIC = { accessKeyId: 'AKIDPROFILESTATIC01', secretAccessKey: 'test-secret-profile-static' };
const PROCESS = { accessKeyId: 'ASIAPROFILEPROCESS1', secretAccessKey: 'test-secret-profile-process', sessionToken: 'test-session-profile-process' };
const SSO = { accessKeyId: 'ASIAPROFILESSO00001', secretAccessKey: 'test-secret-profile-sso', sessionToken: 'test-session-profile-sso' };
const ROLE = { accessKeyId: 'ASIAPROFILEROLE0001', secretAccessKey: 'test-secret-profile-role', sessionToken: 'test-session-profile-role' };
const SSO_TOKEN = 'test-sso-access-token-not-real';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/bedrock-test';
const HELLO: ChatRequest = { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Say hello.' }] }], maxTokens: 16 };

const sha1 = (s: string) => crypto.createHash('sha1').update(s).digest('hex');

function target(model = 'amazon.nova-lite-v1:0'): ConnectionTarget {
  return { provider: 'amazon-bedrock', modelName: 'nova', connectionName: 'team', model, settings: { region: 'us-east-1' } };
}

/** A temporary HOME with the AWS files of every case; `write` adds or replaces one. */
class AwsHome {
  readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-awsprofile-'));
  readonly config = path.join(this.home, '.aws', 'config');
  readonly credentials = path.join(this.home, '.aws', 'credentials');
  readonly counter = path.join(this.home, 'process-runs');

  constructor() {
    fs.mkdirSync(path.join(this.home, '.aws', 'sso', 'cache'), { recursive: true });
  }

  write(file: string, text: string): void {
    fs.writeFileSync(file, text);
  }

  ssoCache(key: string, token: Record<string, unknown>): void {
    fs.writeFileSync(path.join(this.home, '.aws', 'sso', 'cache', `${sha1(key)}.json`), JSON.stringify(token));
  }

  /** A credential_process program: counts its runs, prints keys expiring `expiresInMs` from now. */
  processScript(name: string, expiresInMs: number): string {
    const script = path.join(this.home, `${name}.js`);
    fs.writeFileSync(script, `const fs = require('fs');
fs.appendFileSync(${JSON.stringify(this.counter + '-' + name)}, 'x');
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(PROCESS.accessKeyId)}, SecretAccessKey: ${JSON.stringify(PROCESS.secretAccessKey)}, SessionToken: ${JSON.stringify(PROCESS.sessionToken)}, Expiration: new Date(Date.now() + ${expiresInMs}).toISOString() }));
`);
    return `"${process.execPath}" "${script}"`;
  }

  runs(name: string): number {
    return fs.existsSync(`${this.counter}-${name}`) ? fs.readFileSync(`${this.counter}-${name}`, 'utf8').length : 0;
  }

  remove(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

const ENV_NAMES = ['HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL_SSO', 'AWS_ENDPOINT_URL_STS', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

describe('AWS profiles for Amazon Bedrock (AWS SDK credential providers, mocks on 127.0.0.1)', function () {
  this.timeout(30_000);
  let aws: AwsHome;
  let sources: AwsCredentialSources;
  const saved: Record<string, string | undefined> = {};
  const mocks: MockProvider[] = [];

  const bedrock = async (keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<MockProvider> => {
    const mock = await startMockProvider('amazon-bedrock', { aws: keys });
    mocks.push(mock);
    return mock;
  };
  const test = (mock: MockProvider, credential: Credential, t = target()): Promise<TestResult> =>
    testConnection(t, credential, { depth: 'full', deadlineMs: 10_000, endpoints: { 'amazon-bedrock': mock.origin } });
  const signedWith = (mock: MockProvider): string | undefined => /Credential=([A-Z0-9]+)\//.exec(String(mock.requests.at(-1)?.headers.authorization ?? ''))?.[1];

  before(async () => {
    for (const n of ENV_NAMES) saved[n] = process.env[n];
    for (const n of ENV_NAMES) delete process.env[n];
    aws = new AwsHome();
    sources = await startAwsCredentialSources({
      sso: { accessToken: SSO_TOKEN, accountId: '111122223333', roleName: 'BedrockUser', credentials: SSO },
      sts: { sourceAccessKeyId: STATIC.accessKeyId, roleArn: ROLE_ARN, credentials: ROLE },
    });
    process.env.HOME = aws.home;
    process.env.AWS_ENDPOINT_URL_SSO = sources.origin;
    process.env.AWS_ENDPOINT_URL_STS = sources.origin;
    aws.write(aws.credentials, `[static]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n\n[wrong-secret]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = test-secret-not-this-one\n`);
    aws.write(aws.config, [
      '[default]', 'region = us-east-1', '',
      '[profile proc]', `credential_process = ${aws.processScript('proc', 3600_000)}`, '',
      '[profile proc-short]', `credential_process = ${aws.processScript('short', 60_000)}`, '',
      '[profile sso-expired]', 'sso_start_url = https://expired.awsapps.example/start', 'sso_region = us-east-1', 'sso_account_id = 111122223333', 'sso_role_name = BedrockUser', '',
      '[profile sso-legacy]', 'sso_start_url = https://legacy.awsapps.example/start', 'sso_region = us-east-1', 'sso_account_id = 111122223333', 'sso_role_name = BedrockUser', '',
      '[profile sso-new]', 'sso_session = corp', 'sso_account_id = 111122223333', 'sso_role_name = BedrockUser', '',
      '[profile sso-new-expired]', 'sso_session = corp-expired', 'sso_account_id = 111122223333', 'sso_role_name = BedrockUser', '',
      '[sso-session corp]', 'sso_start_url = https://corp.awsapps.example/start', 'sso_region = us-east-1', '',
      '[sso-session corp-expired]', 'sso_start_url = https://corp.awsapps.example/start', 'sso_region = us-east-1', '',
      '[profile role]', `role_arn = ${ROLE_ARN}`, 'source_profile = static', 'region = us-east-1', '',
    ].join('\n'));
    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    aws.ssoCache('https://expired.awsapps.example/start', { accessToken: SSO_TOKEN, expiresAt: past, region: 'us-east-1', startUrl: 'https://expired.awsapps.example/start' });
    aws.ssoCache('https://legacy.awsapps.example/start', { accessToken: SSO_TOKEN, expiresAt: future, region: 'us-east-1', startUrl: 'https://legacy.awsapps.example/start' });
    aws.ssoCache('corp', { accessToken: SSO_TOKEN, expiresAt: future, region: 'us-east-1', startUrl: 'https://corp.awsapps.example/start' });
    aws.ssoCache('corp-expired', { accessToken: SSO_TOKEN, expiresAt: past, region: 'us-east-1', startUrl: 'https://corp.awsapps.example/start' });
  });

  after(async () => {
    for (const m of mocks) await m.close();
    await sources.close();
    aws.remove();
    for (const n of ENV_NAMES) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  it('(a) a profile with static keys in ~/.aws/credentials: the Bedrock mock verifies the signature made from them', async () => {
    const mock = await bedrock(STATIC);
    const r = await test(mock, { kind: 'awsProfile', profile: 'static' });
    assert.strictEqual(r.outcome, 'ok', JSON.stringify(r));
    assert.strictEqual(signedWith(mock), STATIC.accessKeyId);
    assert.strictEqual(mock.requests.at(-1)?.headers['x-amz-security-token'], undefined);
    // The same profile with a secret that does not match: refused by the signature check, hint names the profile.
    const refused = await test(mock, { kind: 'awsProfile', profile: 'wrong-secret' });
    assert.strictEqual(refused.outcome, 'auth_failed', JSON.stringify(refused));
    assert.match(refused.hint, /profile wrong-secret \(InvalidSignatureException\)/);
  });

  it('(b) a credential_process profile: its keys and session token sign the request; resolved once while fresh, again near expiry', async () => {
    const mock = await bedrock(PROCESS);
    for (let i = 0; i < 2; i++) assert.strictEqual((await test(mock, { kind: 'awsProfile', profile: 'proc' })).outcome, 'ok');
    assert.strictEqual(mock.requests.at(-1)?.headers['x-amz-security-token'], PROCESS.sessionToken);
    assert.strictEqual(aws.runs('proc'), 1, 'keys valid for an hour are reused');
    for (let i = 0; i < 2; i++) assert.strictEqual((await test(mock, { kind: 'awsProfile', profile: 'proc-short' })).outcome, 'ok');
    assert.strictEqual(aws.runs('short'), 2, 'keys expiring within five minutes are resolved again');
  });

  it('(c) an SSO profile whose cached token expired: auth_failed with the `aws sso login` hint, nothing sent anywhere', async () => {
    const mock = await bedrock(SSO);
    const before = sources.requests.length;
    for (const profile of ['sso-expired', 'sso-new-expired']) {
      const r = await test(mock, { kind: 'awsProfile', profile });
      assert.strictEqual(r.outcome, 'auth_failed', JSON.stringify(r));
      assert.strictEqual(r.hint, `Run \`aws sso login --profile ${profile}\`, then test again.`);
      assert.match(r.message, new RegExp(`SSO session of AWS profile "${profile}"`));
    }
    assert.strictEqual(mock.requests.length, 0);
    assert.strictEqual(sources.requests.length, before, 'no GetRoleCredentials with an expired token');
  });

  it('(d) an SSO profile with a valid cached token: GetRoleCredentials at the portal mock, then a request signed with the role keys', async () => {
    const mock = await bedrock(SSO);
    for (const profile of ['sso-legacy', 'sso-new']) {
      const r = await test(mock, { kind: 'awsProfile', profile });
      assert.strictEqual(r.outcome, 'ok', `${profile}: ${JSON.stringify(r)}`);
      assert.strictEqual(signedWith(mock), SSO.accessKeyId);
      assert.strictEqual(mock.requests.at(-1)?.headers['x-amz-security-token'], SSO.sessionToken);
    }
    const portal = sources.requests.filter((q) => q.path.startsWith('/federation/credentials'));
    assert.strictEqual(portal.length, 2);
    assert.strictEqual(portal[0].headers['x-amz-sso_bearer_token'], SSO_TOKEN);
    assert.match(portal[0].path, /account_id=111122223333/);
    assert.match(portal[0].path, /role_name=BedrockUser/);
  });

  it('(e) assume-role from a source profile: AssumeRole at the STS mock signed with the source keys, Bedrock signed with the role keys', async () => {
    const mock = await bedrock(ROLE);
    const r = await test(mock, { kind: 'awsProfile', profile: 'role' });
    assert.strictEqual(r.outcome, 'ok', JSON.stringify(r));
    assert.strictEqual(signedWith(mock), ROLE.accessKeyId);
    const sts = sources.requests.filter((q) => q.method === 'POST');
    assert.strictEqual(sts.length, 1);
    assert.match(sts[0].body, /Action=AssumeRole/);
    assert.match(String(sts[0].headers.authorization), new RegExp(`Credential=${STATIC.accessKeyId}/\\d{8}/us-east-1/sts/aws4_request`));
  });

  it('an unknown profile: a precise message naming the profile and both files read; nothing sent', async () => {
    const mock = await bedrock(STATIC);
    const r = await test(mock, { kind: 'awsProfile', profile: 'nope' });
    assert.strictEqual(r.outcome, 'auth_failed');
    assert.strictEqual(r.message, `There is no AWS profile "nope" on this machine: read ${aws.config} (as [profile nope]) and ${aws.credentials} (as [nope]).`);
    assert.strictEqual(mock.requests.length, 0);
  });

  it('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are honoured at call time; the profile list reads both', async () => {
    const other = path.join(aws.home, 'elsewhere');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'config'), '[profile moved]\nregion = us-east-1\n[sso-session x]\nsso_region = us-east-1\n');
    fs.writeFileSync(path.join(other, 'creds'), `[moved]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n[only-creds]\naws_access_key_id = AKIDONLYCREDS000000\naws_secret_access_key = x\n`);
    assert.deepStrictEqual((await listAwsProfiles()).names, ['default', 'proc', 'proc-short', 'role', 'sso-expired', 'sso-legacy', 'sso-new', 'sso-new-expired', 'static', 'wrong-secret']);
    process.env.AWS_CONFIG_FILE = path.join(other, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(other, 'creds');
    try {
      assert.deepStrictEqual(await listAwsProfiles(), { names: ['moved', 'only-creds'], files: { config: path.join(other, 'config'), credentials: path.join(other, 'creds') } });
      const mock = await bedrock(STATIC);
      assert.strictEqual((await test(mock, { kind: 'awsProfile', profile: 'moved' })).outcome, 'ok');
      assert.match((await test(mock, { kind: 'awsProfile', profile: 'static' })).message, new RegExp(`read ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    } finally {
      delete process.env.AWS_CONFIG_FILE;
      delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    }
  });

  it('chat streams through a profile; an expired SSO session ends the stream with the hint', async () => {
    const mock = await bedrock(SSO);
    const events: ChatEvent[] = [];
    for await (const ev of streamChat(target(), { kind: 'awsProfile', profile: 'sso-new' }, HELLO, { endpoints: { 'amazon-bedrock': mock.origin } })) events.push(ev);
    assert.strictEqual(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join(''), MOCK_STREAM_TEXT);
    assert.strictEqual(events.at(-1)?.type, 'done');
    const failed: ChatEvent[] = [];
    for await (const ev of streamChat(target(), { kind: 'awsProfile', profile: 'sso-expired' }, HELLO, { endpoints: { 'amazon-bedrock': mock.origin } })) failed.push(ev);
    assert.deepStrictEqual(failed.map((e) => e.type), ['error']);
    assert.strictEqual((failed[0] as { outcome: string }).outcome, 'auth_failed');
    assert.strictEqual((failed[0] as { hint: string }).hint, 'Run `aws sso login --profile sso-expired`, then test again.');
  });

  it('a profile bound to one origin is not sent to another without confirmation', async () => {
    const mock = await bedrock(STATIC);
    const r = await testConnection(target(), { kind: 'awsProfile', profile: 'static' }, {
      depth: 'full', deadlineMs: 5_000, endpoints: { 'amazon-bedrock': mock.origin },
      binding: { boundOrigin: 'https://bedrock-runtime.us-east-1.amazonaws.com', confirm: () => Promise.resolve(false) },
    });
    assert.strictEqual(r.outcome, 'blocked');
    assert.strictEqual(mock.requests.length, 0);
  });

  describe('request parity with the AWS SDK\'s BedrockRuntimeClient (same mock, same credentials)', () => {
    // The SDK's own bookkeeping headers (user agent, invocation id, retry info) are not part of the API.
    const sdkOnly = /^(amz-sdk-|x-amz-user-agent$|user-agent$)/;
    const signed = (h: RecordedRequest['headers']) => (/SignedHeaders=([^,]+)/.exec(String(h.authorization))?.[1].split(';') ?? []).filter((n) => !sdkOnly.test(n));
    const scope = (h: RecordedRequest['headers']) => /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(String(h.authorization))?.[1];
    const sdkClient = (origin: string, auth: { credentials?: ReturnType<typeof fromIni> | { accessKeyId: string; secretAccessKey: string }; token?: { token: string } }) =>
      // HTTP/1.1 as the mock speaks it: the client's default handler is HTTP/2, which changes no header of the API.
      new BedrockRuntimeClient({ region: 'us-east-1', endpoint: origin, maxAttempts: 1, requestHandler: new NodeHttpHandler(), ...auth, ...(auth.token ? { authSchemePreference: ['httpBearerAuth'] } : {}) });
    const compare = (ours: RecordedRequest, sdk: RecordedRequest) => {
      assert.strictEqual(ours.method, sdk.method);
      assert.strictEqual(ours.path, sdk.path);
      assert.strictEqual(ours.headers.host, sdk.headers.host);
      assert.deepStrictEqual(JSON.parse(ours.body), JSON.parse(sdk.body));
      assert.deepStrictEqual(signed(ours.headers), signed(sdk.headers));
      assert.strictEqual(scope(ours.headers), scope(sdk.headers));
      for (const h of ['x-amz-security-token', 'content-type', 'content-length', 'accept']) assert.strictEqual(ours.headers[h], sdk.headers[h], h);
      assert.strictEqual(/^(AWS4-HMAC-SHA256|Bearer) /.exec(String(ours.headers.authorization))?.[1], /^(AWS4-HMAC-SHA256|Bearer) /.exec(String(sdk.headers.authorization))?.[1]);
    };
    const converse = { modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user' as const, content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 1 } };

    it('Converse with an AWS profile (SSO role keys with a session token)', async () => {
      const mock = await bedrock(SSO);
      const client = sdkClient(mock.origin, { credentials: fromIni({ profile: 'sso-new' }) });
      assert.ok((await client.send(new ConverseCommand(converse))).output);
      client.destroy();
      const sdk = mock.requests.at(-1)!;
      assert.strictEqual((await test(mock, { kind: 'awsProfile', profile: 'sso-new' })).outcome, 'ok');
      compare(mock.requests.at(-1)!, sdk);
    });

    it('Converse with static access keys', async () => {
      const mock = await bedrock(STATIC);
      const client = sdkClient(mock.origin, { credentials: STATIC });
      assert.ok((await client.send(new ConverseCommand(converse))).output);
      client.destroy();
      const sdk = mock.requests.at(-1)!;
      assert.strictEqual((await test(mock, { kind: 'aws', ...STATIC })).outcome, 'ok');
      compare(mock.requests.at(-1)!, sdk);
    });

    it('ConverseStream with an AWS profile (the chat path)', async () => {
      const mock = await bedrock(STATIC);
      const client = sdkClient(mock.origin, { credentials: fromIni({ profile: 'static' }) });
      const out = await client.send(new ConverseStreamCommand({ ...converse, inferenceConfig: { maxTokens: 16 } }));
      for await (const ev of out.stream ?? []) void ev;
      client.destroy();
      const sdk = mock.requests.at(-1)!;
      for await (const ev of streamChat(target(), { kind: 'awsProfile', profile: 'static' }, { messages: [{ role: 'user', parts: [{ type: 'text', text: 'ping' }] }], maxTokens: 16 }, { endpoints: { 'amazon-bedrock': mock.origin } })) void ev;
      compare(mock.requests.at(-1)!, sdk);
    });

    it('Converse with a Bedrock API key (bearer)', async () => {
      const key = 'bedrock-api-key-test-parity-0001';
      const mock = await startMockProvider('amazon-bedrock', { bedrockApiKey: key });
      mocks.push(mock);
      const client = sdkClient(mock.origin, { token: { token: key } });
      assert.ok((await client.send(new ConverseCommand(converse))).output);
      client.destroy();
      const sdk = mock.requests.at(-1)!;
      assert.strictEqual((await test(mock, { kind: 'bedrockApiKey', apiKey: key })).outcome, 'ok');
      compare(mock.requests.at(-1)!, sdk);
      assert.deepStrictEqual(mock.violations, []);
    });
  });
});

describe('AWS profile names: form, CLI variables, run-time variables', () => {
  it('checks a profile name without echoing it', () => {
    assert.strictEqual(profileNameProblem('my-sso_profile.1@corp'), undefined);
    for (const bad of ['', ' x', 'two words', '[x]', 'a;b', 'ü']) assert.ok(profileNameProblem(bad), JSON.stringify(bad));
  });

  it('the form takes a profile instead of keys, never both', () => {
    assert.deepStrictEqual(typedCredential('amazon-bedrock', { awsProfile: 'dev' }), { kind: 'awsProfile', profile: 'dev' });
    assert.deepStrictEqual(secretProblems('amazon-bedrock', { awsProfile: 'dev' }), {});
    assert.match(secretProblems('amazon-bedrock', { awsProfile: 'dev', bedrockApiKey: 'bedrock-api-key-test-x' }).awsProfile ?? '', /one kind of credential/);
    assert.match(secretProblems('amazon-bedrock', { awsProfile: 'two words' }).awsProfile ?? '', /no spaces/);
  });

  it('AGENT_CONNECTIONS__M__C__AWS_PROFILE selects the profile kind; with keys too it is refused by name', () => {
    assert.deepStrictEqual(credentialFromEnv({ AGENT_CONNECTIONS__NOVA__TEAM__AWS_PROFILE: ' dev\n' }, 'nova', 'team', 'aws'), { kind: 'found', credential: { kind: 'awsProfile', profile: 'dev' }, secrets: [] });
    const both = credentialFromEnv({ AGENT_CONNECTIONS__NOVA__TEAM__AWS_PROFILE: 'dev', AGENT_CONNECTIONS__NOVA__TEAM__ACCESS_KEY_ID: 'AKIDTESTEXAMPLE0000' }, 'nova', 'team', 'aws');
    assert.deepStrictEqual(both.kind === 'invalid' && both.variable, 'AGENT_CONNECTIONS__NOVA__TEAM__AWS_PROFILE');
  });

  it('a process gets AWS_PROFILE (shown, not secret) and the region, no access key variables', () => {
    const vars = runtimeVariables({ target: target(), credential: { kind: 'awsProfile', profile: 'dev' }, secretSource: () => 'SecretStorage' });
    assert.deepStrictEqual(vars.filter((v) => v.name.startsWith('AWS_')).map(({ name, value, secret }) => ({ name, value, secret })), [
      { name: 'AWS_REGION', value: 'us-east-1', secret: false },
      { name: 'AWS_DEFAULT_REGION', value: 'us-east-1', secret: false },
      { name: 'AWS_PROFILE', value: 'dev', secret: false },
    ]);
    const files = runtimeVariables({ target: target(), credential: { kind: 'awsProfile', profile: 'dev' }, secretSource: () => 'SecretStorage', env: { AWS_CONFIG_FILE: '/etc/aws/config', HOME: '/home/x' } });
    assert.deepStrictEqual(files.filter((v) => v.name.startsWith('AWS_') && v.source === 'environment').map((v) => `${v.name}=${v.value}`), ['AWS_CONFIG_FILE=/etc/aws/config']);
  });
});

describe('cli: AWS profiles from AGENT_CONNECTIONS__…__AWS_PROFILE (dist/cli.js, a child process)', function () {
  this.timeout(30_000);
  const BUNDLE = path.join(repoRoot, 'dist', 'cli.js');
  let dir: string;
  let mock: MockProvider;
  const env = (extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '', HOME: dir, NODE_DEBUG: 'module',
    AWS_CONFIG_FILE: path.join(dir, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'aws-credentials'),
    AGENT_CONNECTIONS__NOVA__TEAM__AWS_PROFILE: 'ci',
    // A shell's own AWS variables must not reach the child of `run`.
    AWS_ACCESS_KEY_ID: 'AKIDSHELLKEY0000000', AWS_PROFILE: 'shell-profile',
    ...extra,
  });
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<ChildRun> => runNode(BUNDLE, args, { cwd: dir, env: env(extra) });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-awsprofile-cli-'));
    mock = await startMockProvider('amazon-bedrock', { aws: STATIC });
    fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), 'version: 1\nmodels:\n  - name: nova\n    type: easy\n    provider: amazon-bedrock\n    model: amazon.nova-lite-v1:0\n    connections:\n      - name: team\n        region: us-east-1\n');
    fs.writeFileSync(path.join(dir, 'aws-config'), '[profile ci]\nregion = us-east-1\n');
    fs.writeFileSync(path.join(dir, 'aws-credentials'), `[ci]\naws_access_key_id = ${STATIC.accessKeyId}\naws_secret_access_key = ${STATIC.secretAccessKey}\n`);
  });

  after(async () => {
    await mock.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('test: the profile is resolved in the CLI (awsProfiles.js loaded) and the mock verifies the signature', async () => {
    assert.ok(fs.existsSync(BUNDLE), 'run "npm run build" first');
    const r = await cli(['test', '--format', 'json', '--endpoint', `amazon-bedrock=${mock.origin}`]);
    assert.strictEqual(r.code, 0, r.stdout + r.stderr.split('\n').filter((l) => !/^MODULE/.test(l)).join('\n'));
    assert.strictEqual((JSON.parse(r.stdout) as { results: Array<{ outcome: string }> }).results[0].outcome, 'ok');
    assert.match(String(mock.requests.at(-1)?.headers.authorization), new RegExp(`Credential=${STATIC.accessKeyId}/`));
    assert.match(r.stderr, /load "[^"]*[\\/]dist[\\/]awsProfiles\.js"/);
    const unknown = await cli(['test', '--format', 'json', '--endpoint', `amazon-bedrock=${mock.origin}`], { AGENT_CONNECTIONS__NOVA__TEAM__AWS_PROFILE: 'absent' });
    assert.strictEqual(unknown.code, 1);
    const result = (JSON.parse(unknown.stdout) as { results: Array<{ outcome: string; message: string }> }).results[0];
    assert.strictEqual(result.outcome, 'auth_failed');
    assert.strictEqual(result.message, `There is no AWS profile "absent" on this machine: read ${path.join(dir, 'aws-config')} (as [profile absent]) and ${path.join(dir, 'aws-credentials')} (as [absent]).`);
  });

  it('env shows AWS_PROFILE (a name, not a secret); run passes it and the AWS file variables on, and no shell keys', async () => {
    const shown = await cli(['env', '--connection', 'nova/team']);
    assert.strictEqual(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^AWS_PROFILE=ci$/m);
    assert.ok(shown.stdout.includes(`AWS_CONFIG_FILE=${path.join(dir, 'aws-config')}`), shown.stdout);
    assert.ok(!/awsProfiles\.js/.test(shown.stderr), 'env does not load the AWS SDK');
    const run = await cli(['run', '--connection', 'nova/team', '--', process.execPath, '-e', "const e=process.env;process.stdout.write(JSON.stringify({p:e.AWS_PROFILE,c:e.AWS_CONFIG_FILE,s:e.AWS_SHARED_CREDENTIALS_FILE,k:e.AWS_ACCESS_KEY_ID??null,r:e.AWS_REGION}))"]);
    assert.strictEqual(run.code, 0, run.stderr);
    assert.deepStrictEqual(JSON.parse(run.stdout), { p: 'ci', c: path.join(dir, 'aws-config'), s: path.join(dir, 'aws-credentials'), k: null, r: 'us-east-1' });
  });
});

type RecordedRequest = MockProvider['requests'][number];
