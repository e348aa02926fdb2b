/**
 * Hostile values of the new credential kinds (SECURITY.md §1, §3): AWS profile names and Entra ID tenants that
 * would reach a terminal's environment, a shell export or a process argument (`az … --tenant`), and stored
 * credential JSON that is not what this extension wrote. Profile names and tenants are refused where they enter
 * (the form and Set Key… share the checks; the CLI's variables; a stored entry read back) with a message that
 * does not repeat them; a hostile tenant never starts the Azure CLI. Stored JSON of an unknown kind, with missing
 * or mistyped fields, or with values the entry checks refuse is no key; extra fields are dropped.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { profileNameProblem } from '../../../src/core/aws/profileName';
import { secretProblems } from '../../../src/core/form/formProtocol';
import { tenantProblem } from '../../../src/core/identity/entra';
import { credentialFromEnv } from '../../../src/core/import-export/exporters/envNames';
import { testConnection } from '../../../src/core/providers/connectionTest';
import { parseStoredCredential } from '../../../src/core/secrets/storedCredential';
import { fakeAzureCliCalls, installFakeAzureCli, startMockProvider, type MockProvider } from '../../mocks';
import { recordCase } from './report';

const PROFILE_VAR = 'AGENT_CONNECTIONS__N__R__AWS_PROFILE';

/** [label, value]: each must be refused. */
const HOSTILE_PROFILES: Array<[string, string]> = [
  ['a newline', 'dev\nAWS_SECRET_ACCESS_KEY=x'],
  ['a carriage return', 'dev\rx'],
  ['a NUL', 'dev\u0000x'],
  ['an equals sign', 'dev=prod'],
  ['command substitution', '$(touch-pwned)'],
  ['backticks', '`id`'],
  ['a semicolon', 'dev;id'],
  ['a pipe', 'dev|id'],
  ['an ampersand', 'dev&&id'],
  ['a redirect', 'dev>out'],
  ['single quotes', "dev'x'"],
  ['double quotes', 'dev"x"'],
  ['a dollar variable', '$HOME'],
  ['a glob', 'dev*'],
  ['a backslash', 'dev\\x'],
  ['a space', 'dev prod'],
  ['a tab', 'dev\tprod'],
  ['brackets', '[default]'],
  ['a comment character', 'dev#x'],
  ['parent-folder dots', '../../etc/passwd'],
  ['only dots', '..'],
  ['an option', '--debug'],
  ['a leading dash', '-x'],
  ['129 characters', 'p'.repeat(129)],
  ['1 MB', 'p'.repeat(1024 * 1024)],
  ['non-ASCII', 'dév'],
  ['a zero-width space', 'dev\u200b'],
  ['a bidi override', 'dev\u202e'],
  ['leading spaces', ' dev'],
];
const GOOD_PROFILES = ['default', 'dev', 'my-sso_profile.1@corp', 'team+ops,eu:1/ro', 'p'.repeat(128)];

const HOSTILE_TENANTS: Array<[string, string]> = [
  ['a space', 'contoso onmicrosoft.com'],
  ['an option', '--output'],
  ['an option with a value', '--query=accessToken'],
  ['a leading dash', '-contoso'],
  ['a semicolon', 'contoso;id'],
  ['command substitution', '$(id)'],
  ['backticks', '`id`'],
  ['a pipe', 'contoso|id'],
  ['an ampersand', 'contoso&id'],
  ['quotes', '"contoso"'],
  ['a newline', 'contoso\n--output'],
  ['a NUL', 'contoso\u0000'],
  ['a slash', 'contoso/../x'],
  ['an equals sign', 'tenant=contoso'],
  ['101 characters', 't'.repeat(101)],
  ['non-ASCII', 'cöntoso.onmicrosoft.com'],
];
const GOOD_TENANTS = ['contoso.onmicrosoft.com', '00000000-0000-0000-0000-000000000001', 'adfs', 't'.repeat(100)];

/** A refusal must say what is wrong without repeating a distinctive value. */
function assertRefused(problem: string | undefined, value: string, where: string): void {
  assert.ok(problem, `${where}: ${JSON.stringify(value.slice(0, 40))} was accepted`);
  assert.ok(problem.length < 300, `${where}: message length`);
  if (value.length >= 4 && !/^[a-z]+$/.test(value)) assert.ok(!problem.includes(value), `${where}: the value is echoed in ${problem}`);
}

describe('hostile input: AWS profile names', () => {
  it('ordinary profile names are accepted everywhere', () => {
    for (const p of GOOD_PROFILES) {
      assert.strictEqual(profileNameProblem(p), undefined, p);
      assert.deepStrictEqual(secretProblems('amazon-bedrock', { awsProfile: p }), {}, p);
      assert.deepStrictEqual(credentialFromEnv({ [PROFILE_VAR]: p }, 'n', 'r', 'aws'), { kind: 'found', credential: { kind: 'awsProfile', profile: p }, secrets: [] }, p);
      assert.deepStrictEqual(parseStoredCredential(JSON.stringify({ kind: 'awsProfile', profile: p }))?.credential, { kind: 'awsProfile', profile: p });
    }
  });

  for (const [label, value] of HOSTILE_PROFILES) {
    it(`${label}: refused by Set Key…/the form, the CLI's variable and a stored entry`, () => {
      const t0 = performance.now();
      assertRefused(profileNameProblem(value), value, 'check');
      assertRefused(secretProblems('amazon-bedrock', { awsProfile: value }).awsProfile, value, 'form');
      const fromEnv = credentialFromEnv({ [PROFILE_VAR]: value }, 'n', 'r', 'aws');
      // The CLI trims a variable's value (a trailing newline from `$(cat file)` is no part of the name): a value
      // that is only padding around a good name is that name; everything else is refused.
      if (fromEnv.kind === 'found') assert.strictEqual(profileNameProblem(value.trim()), undefined, `${label}: the CLI accepted ${JSON.stringify(value.slice(0, 40))}`);
      else {
        assert.strictEqual(fromEnv.kind, 'invalid', label);
        assert.strictEqual(fromEnv.kind === 'invalid' && fromEnv.variable, PROFILE_VAR);
      }
      assert.strictEqual(parseStoredCredential(JSON.stringify({ kind: 'awsProfile', profile: value })), undefined, `${label}: a stored entry was taken`);
      recordCase('credentials', `AWS profile name with ${label}`, performance.now() - t0, true);
    });
  }
});

describe('hostile input: Microsoft Entra ID tenants', function () {
  this.timeout(30_000);
  let dir: string;
  let savedPath: string | undefined;
  let azure: MockProvider;
  const TOKEN = 'test-entra-token-hostile-tenant-0007';

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-tenant-az-'));
    installFakeAzureCli(dir, TOKEN);
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
    azure = await startMockProvider('azure-openai', { entraToken: TOKEN });
  });
  after(async () => {
    process.env.PATH = savedPath;
    await azure.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ordinary tenants are accepted, and the fake az really runs with one (so the refusals below are ours)', async () => {
    for (const t of GOOD_TENANTS) {
      assert.strictEqual(tenantProblem(t), undefined, t);
      assert.deepStrictEqual(parseStoredCredential(JSON.stringify({ kind: 'entraId', source: 'azureCli', tenantId: t }))?.credential, { kind: 'entraId', source: 'azureCli', tenantId: t });
    }
    const r = await testConnection(target(), { kind: 'entraId', source: 'azureCli', tenantId: 'contoso.onmicrosoft.com' }, { depth: 'full', deadlineMs: 20_000 });
    assert.strictEqual(r.outcome, 'ok', r.message);
    assert.deepStrictEqual(fakeAzureCliCalls(dir).map((c) => c.includes('--tenant contoso.onmicrosoft.com')), [true]);
  });

  const target = () => ({ provider: 'azure-openai' as const, modelName: 'gpt-4o', connectionName: 'entra', model: 'gpt-4o', settings: { endpoint: azure.origin, deployment: 'gpt-4o', apiVersion: '2024-10-21' } });

  for (const [label, value] of HOSTILE_TENANTS) {
    it(`${label}: refused by Set Key…/the form and a stored entry; az never runs, nothing is sent`, async () => {
      const t0 = performance.now();
      assertRefused(tenantProblem(value), value, 'check');
      assertRefused(secretProblems('azure-openai', { entraSource: 'azureCli', entraTenant: value }).entraTenant, value, 'form');
      assert.strictEqual(parseStoredCredential(JSON.stringify({ kind: 'entraId', source: 'azureCli', tenantId: value })), undefined, `${label}: a stored entry was taken`);
      // Past every entry check (a credential built in code): the token source refuses it before `az` starts.
      const calls = fakeAzureCliCalls(dir).length;
      const sent = azure.requests.length;
      for (const source of ['azureCli', 'default'] as const) {
        const r = await testConnection(target(), { kind: 'entraId', source, tenantId: value }, { depth: 'full', deadlineMs: 20_000 });
        assert.strictEqual(r.outcome, 'missing_credentials', `${source}: ${r.message}`);
        assert.match(r.message, /The stored tenant cannot be used/);
      }
      assert.strictEqual(fakeAzureCliCalls(dir).length, calls, 'az was started');
      assert.strictEqual(azure.requests.length, sent, 'a request was sent');
      recordCase('credentials', `Entra ID tenant with ${label}`, performance.now() - t0, true);
    });
  }
});

describe('hostile input: stored credential JSON', () => {
  const KEY = 'sk-test-stored-0001';
  const valid: Array<[string, unknown]> = [
    ['apiKey', { kind: 'apiKey', apiKey: KEY }],
    ['bedrockApiKey', { kind: 'bedrockApiKey', apiKey: 'bedrock-api-key-test-stored' }],
    ['aws', { kind: 'aws', accessKeyId: 'AKIATESTSTORED000001', secretAccessKey: 'test-secret-not-real', sessionToken: 'test-session-not-real' }],
    ['aws without a session token', { kind: 'aws', accessKeyId: 'AKIATESTSTORED000001', secretAccessKey: 'test-secret-not-real' }],
    ['awsProfile', { kind: 'awsProfile', profile: 'dev' }],
    ['entraId', { kind: 'entraId', source: 'vscode' }],
    ['entraId with a tenant', { kind: 'entraId', source: 'azureCli', tenantId: 'contoso.onmicrosoft.com' }],
  ];

  it('each kind reads back as written, with its origin and time', () => {
    for (const [label, credential] of valid) {
      const raw = JSON.stringify({ ...(credential as object), origin: 'https://api.openai.com', storedAt: '2026-11-20T10:00:00.000Z' });
      assert.deepStrictEqual(parseStoredCredential(raw), { credential, origin: 'https://api.openai.com', storedAt: '2026-11-20T10:00:00.000Z' }, label);
    }
  });

  it('extra fields are dropped: never copied into the credential, the prototype untouched', () => {
    const raw = `{"kind":"apiKey","apiKey":"${KEY}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"accessToken":"test-injected-token","extra":[1,2,3],"origin":"https://api.openai.com"}`;
    const r = parseStoredCredential(raw);
    assert.deepStrictEqual(r, { credential: { kind: 'apiKey', apiKey: KEY }, origin: 'https://api.openai.com' });
    assert.deepStrictEqual(Object.keys(r!.credential), ['kind', 'apiKey']);
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
    // An identity never comes back with a token, a profile never with keys.
    assert.deepStrictEqual(parseStoredCredential(JSON.stringify({ kind: 'entraId', source: 'default', accessToken: 'test-injected-token' }))?.credential, { kind: 'entraId', source: 'default' });
    assert.deepStrictEqual(parseStoredCredential(JSON.stringify({ kind: 'awsProfile', profile: 'dev', accessKeyId: 'AKIATESTSTORED000001', secretAccessKey: 'x' }))?.credential, { kind: 'awsProfile', profile: 'dev' });
    // Metadata of the wrong type is dropped, not trusted.
    assert.deepStrictEqual(parseStoredCredential(JSON.stringify({ kind: 'apiKey', apiKey: KEY, origin: { href: 'x' }, storedAt: 'yesterday' })), { credential: { kind: 'apiKey', apiKey: KEY }, origin: undefined });
  });

  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const hostile: Array<[string, string | undefined]> = [
    ['nothing stored', undefined],
    ['an empty string', ''],
    ['not JSON', 'sk-test-plain-key-0001'],
    ['truncated JSON', `{"kind":"apiKey","apiKey":"${KEY}"`],
    ['JSON null', 'null'],
    ['a JSON string', JSON.stringify(KEY)],
    ['a JSON number', '42'],
    ['a JSON array', JSON.stringify([{ kind: 'apiKey', apiKey: KEY }])],
    ['no kind', JSON.stringify({ apiKey: KEY })],
    ['an unknown kind', JSON.stringify({ kind: 'oauth', apiKey: KEY })],
    ['kind none', JSON.stringify({ kind: 'none' })],
    ['kind __proto__', JSON.stringify({ kind: '__proto__', apiKey: KEY })],
    ['kind toString', JSON.stringify({ kind: 'toString', apiKey: KEY })],
    ['kind of the wrong type', JSON.stringify({ kind: ['apiKey'], apiKey: KEY })],
    ['apiKey missing', JSON.stringify({ kind: 'apiKey' })],
    ['apiKey a number', JSON.stringify({ kind: 'apiKey', apiKey: 1234567890 })],
    ['apiKey an object', JSON.stringify({ kind: 'apiKey', apiKey: { value: KEY } })],
    ['apiKey empty', JSON.stringify({ kind: 'apiKey', apiKey: '' })],
    ['apiKey with CRLF and a header', JSON.stringify({ kind: 'apiKey', apiKey: `${KEY}\r\nX-Injected: 1` })],
    ['apiKey with a NUL', JSON.stringify({ kind: 'apiKey', apiKey: `${KEY}\u0000` })],
    ['apiKey non-ASCII', JSON.stringify({ kind: 'apiKey', apiKey: `${KEY}é` })],
    ['bedrockApiKey with a newline', JSON.stringify({ kind: 'bedrockApiKey', apiKey: 'bedrock-api-key-test\nx' })],
    ['aws without a secret key', JSON.stringify({ kind: 'aws', accessKeyId: 'AKIATESTSTORED000001' })],
    ['aws without an access key id', JSON.stringify({ kind: 'aws', secretAccessKey: 'test-secret-not-real' })],
    ['aws session token with a newline', JSON.stringify({ kind: 'aws', accessKeyId: 'AKIATESTSTORED000001', secretAccessKey: 'test-secret-not-real', sessionToken: 'tok\nX: 1' })],
    ['aws session token a number', JSON.stringify({ kind: 'aws', accessKeyId: 'AKIATESTSTORED000001', secretAccessKey: 'test-secret-not-real', sessionToken: 7 })],
    ['awsProfile missing', JSON.stringify({ kind: 'awsProfile' })],
    ['awsProfile with shell characters', JSON.stringify({ kind: 'awsProfile', profile: 'dev;$(id)' })],
    ['entraId without a source', JSON.stringify({ kind: 'entraId' })],
    ['entraId with an unknown source', JSON.stringify({ kind: 'entraId', source: 'managedIdentity' })],
    ['entraId source __proto__', JSON.stringify({ kind: 'entraId', source: '__proto__' })],
    ['entraId tenant as an option', JSON.stringify({ kind: 'entraId', source: 'azureCli', tenantId: '--output' })],
    ['entraId tenant a number', JSON.stringify({ kind: 'entraId', source: 'azureCli', tenantId: 42 })],
    ['a key of 9,000 characters', JSON.stringify({ kind: 'apiKey', apiKey: 'k'.repeat(9000) })],
    ['10 MB of JSON', JSON.stringify({ kind: 'apiKey', apiKey: KEY, padding: 'x'.repeat(10 * 1024 * 1024) })],
    ['100,000 levels of nesting', `{"kind":"apiKey","apiKey":"${KEY}","x":${deep}}`],
  ];
  for (const [label, raw] of hostile) {
    it(`${label} → no key, without throwing`, () => {
      const t0 = performance.now();
      assert.strictEqual(parseStoredCredential(raw), undefined);
      recordCase('credentials', `stored credential: ${label}`, performance.now() - t0, true);
    });
  }
});
