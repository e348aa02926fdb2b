/** A connection as the environment variables the providers' SDKs read (core/runtimeEnv), for every provider. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import type { ProviderId } from '../../src/core/providers/catalog';
import type { ConnectionTarget, Credential } from '../../src/core/providers/types';
import { childEnvironment, renderVariables, replacedVariables, runtimeVariables, shellQuote, withPlaceholders, type RuntimeVariable, type SecretPart } from '../../src/core/runtime/runtimeEnv';

const KEY = 'sk-test-runtime-env-0123456789';
const AWS: Credential = { kind: 'aws', accessKeyId: 'AKIATESTTESTTEST0000', secretAccessKey: 'test-secret-access-key-0000', sessionToken: 'test-session-token-0000' };

function target(provider: ProviderId, settings: Record<string, unknown> = {}, model = 'the-model'): ConnectionTarget {
  return { provider, modelName: 'm', connectionName: 'c', model, settings };
}

const source = (part: SecretPart) => `VAR_${part}`;

/** name → value, and the names of the secret ones. */
function vars(t: ConnectionTarget, credential?: Credential, endpoints = {}): { env: Record<string, string>; secrets: string[]; list: RuntimeVariable[] } {
  const list = runtimeVariables({ target: t, credential, secretSource: source, endpoints });
  const env: Record<string, string> = {};
  for (const v of list) env[v.name] = v.value;
  return { env, secrets: list.filter((v) => v.secret).map((v) => v.name), list };
}

const IDENTITY = (provider: string, model = 'the-model') => ({ AGENT_CONNECTION: 'm/c', AGENT_CONNECTION_PROVIDER: provider, AGENT_CONNECTION_MODEL: model });

describe('runtime environment of a connection', () => {
  it('OpenAI, Anthropic, Cohere: the key in the SDK variable, and the connection identity', () => {
    const apiKey: Credential = { kind: 'apiKey', apiKey: KEY };
    assert.deepStrictEqual(vars(target('openai'), apiKey).env, { ...IDENTITY('openai'), OPENAI_API_KEY: KEY });
    assert.deepStrictEqual(vars(target('anthropic'), apiKey).env, { ...IDENTITY('anthropic'), ANTHROPIC_API_KEY: KEY });
    assert.deepStrictEqual(vars(target('cohere'), apiKey).env, { ...IDENTITY('cohere'), CO_API_KEY: KEY });
    assert.deepStrictEqual(vars(target('openai'), apiKey).secrets, ['OPENAI_API_KEY']);
  });

  it('Gemini: GEMINI_API_KEY and GOOGLE_API_KEY, both secret; GOOGLE_GENAI_API_VERSION is the version a test uses', () => {
    const apiKey: Credential = { kind: 'apiKey', apiKey: KEY };
    const r = vars(target('google-gemini', { apiVersion: 'v1beta' }), apiKey);
    assert.deepStrictEqual(r.env, { ...IDENTITY('google-gemini'), GOOGLE_GENAI_API_VERSION: 'v1beta', GEMINI_API_KEY: KEY, GOOGLE_API_KEY: KEY });
    assert.deepStrictEqual(r.secrets, ['GEMINI_API_KEY', 'GOOGLE_API_KEY']);
    assert.strictEqual(r.list.find((v) => v.name === 'GOOGLE_GENAI_API_VERSION')!.source, 'manifest: apiVersion');
    // Without apiVersion: v1beta for preview models (they exist only there), v1 for the others; @google/genai 3.x would call v1 for both.
    const preview = vars(target('google-gemini', {}, 'gemini-3-flash-preview'), apiKey).list.find((v) => v.name === 'GOOGLE_GENAI_API_VERSION')!;
    assert.deepStrictEqual([preview.value, preview.source], ['v1beta', 'default for the model']);
    assert.strictEqual(vars(target('google-gemini', {}, 'gemini-2.5-flash-lite'), apiKey).env.GOOGLE_GENAI_API_VERSION, 'v1');
    assert.throws(() => vars(target('google-gemini', { apiVersion: '../v1' }), apiKey), /not a Gemini API version/);
  });

  it('Bedrock: access key, secret, session token only when set, region in AWS_REGION and AWS_DEFAULT_REGION', () => {
    const t = target('amazon-bedrock', { region: 'eu-west-3' }, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    const withToken = vars(t, AWS);
    assert.deepStrictEqual(withToken.env, {
      ...IDENTITY('amazon-bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'),
      AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-west-3',
      AWS_ACCESS_KEY_ID: 'AKIATESTTESTTEST0000', AWS_SECRET_ACCESS_KEY: 'test-secret-access-key-0000', AWS_SESSION_TOKEN: 'test-session-token-0000',
    });
    assert.deepStrictEqual(withToken.secrets, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
    assert.deepStrictEqual(withToken.list.filter((v) => v.secret).map((v) => v.source), ['VAR_accessKeyId', 'VAR_secretAccessKey', 'VAR_sessionToken']);
    const { sessionToken: _token, ...noToken } = AWS as Extract<Credential, { kind: 'aws' }>;
    const without = vars(t, noToken);
    assert.ok(!('AWS_SESSION_TOKEN' in without.env));
    assert.deepStrictEqual(without.secrets, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    assert.throws(() => vars(target('amazon-bedrock', { region: 'moon-1' }), AWS), /not an AWS region/);
  });

  it('Azure OpenAI with a dated API version: key, endpoint, OPENAI_API_VERSION, the deployment', () => {
    const t = target('azure-openai', { endpoint: 'https://contoso.openai.azure.com/', deployment: 'gpt-41-prod', apiVersion: '2024-10-21' }, 'gpt-4.1');
    assert.deepStrictEqual(vars(t, { kind: 'apiKey', apiKey: KEY }).env, {
      ...IDENTITY('azure-openai', 'gpt-4.1'),
      AGENT_CONNECTION_DEPLOYMENT: 'gpt-41-prod',
      AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com',
      OPENAI_API_VERSION: '2024-10-21',
      AZURE_OPENAI_API_KEY: KEY,
    });
  });

  it('Azure OpenAI on the v1 API (the default): OPENAI_BASE_URL and OPENAI_API_KEY as well, no api version', () => {
    const t = target('azure-openai', { endpoint: 'https://contoso.openai.azure.com', deployment: 'd' }, 'gpt-4o');
    const r = vars(t, { kind: 'apiKey', apiKey: KEY });
    assert.deepStrictEqual(r.env, {
      ...IDENTITY('azure-openai', 'gpt-4o'),
      AGENT_CONNECTION_DEPLOYMENT: 'd',
      AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com',
      OPENAI_BASE_URL: 'https://contoso.openai.azure.com/openai/v1',
      AZURE_OPENAI_API_KEY: KEY,
      OPENAI_API_KEY: KEY,
    });
    assert.deepStrictEqual(r.secrets, ['AZURE_OPENAI_API_KEY', 'OPENAI_API_KEY']);
    assert.throws(() => vars(target('azure-openai', { deployment: 'd' }), { kind: 'apiKey', apiKey: KEY }), /no Azure Endpoint/);
  });

  it('generic: bearer → OPENAI_API_KEY; none → no key; another header → AGENT_CONNECTION_API_KEY and its name', () => {
    const base = 'https://api.groq.com/openai/v1';
    assert.deepStrictEqual(vars(target('generic', { baseUrl: `${base}/` }), { kind: 'apiKey', apiKey: KEY }).env, { ...IDENTITY('generic'), OPENAI_BASE_URL: base, OPENAI_API_KEY: KEY });
    assert.deepStrictEqual(vars(target('generic', { baseUrl: base, authHeader: 'authorization' }), { kind: 'apiKey', apiKey: KEY }).secrets, ['OPENAI_API_KEY']);
    const none = vars(target('generic', { baseUrl: 'http://127.0.0.1:11434/v1', authHeader: 'none' }), { kind: 'none' });
    assert.deepStrictEqual(none.env, { ...IDENTITY('generic'), OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    assert.deepStrictEqual(none.secrets, []);
    const named = vars(target('generic', { baseUrl: base, authHeader: 'x-api-key' }), { kind: 'apiKey', apiKey: KEY });
    assert.deepStrictEqual(named.env, { ...IDENTITY('generic'), OPENAI_BASE_URL: base, AGENT_CONNECTION_AUTH_HEADER: 'x-api-key', AGENT_CONNECTION_API_KEY: KEY });
    assert.deepStrictEqual(named.secrets, ['AGENT_CONNECTION_API_KEY']);
  });

  it('an endpoint override becomes the SDK base URL variable of that provider', () => {
    const apiKey: Credential = { kind: 'apiKey', apiKey: KEY };
    assert.strictEqual(vars(target('openai'), apiKey, { openai: 'https://gw.example.com/openai' }).env.OPENAI_BASE_URL, 'https://gw.example.com/openai/v1');
    assert.strictEqual(vars(target('anthropic'), apiKey, { anthropic: 'http://127.0.0.1:9999' }).env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:9999');
    assert.strictEqual(vars(target('google-gemini'), apiKey, { 'google-gemini': 'https://gw.example.com/g' }).env.GOOGLE_GEMINI_BASE_URL, 'https://gw.example.com/g');
    assert.strictEqual(vars(target('cohere'), apiKey, { cohere: 'https://gw.example.com/co' }).env.CO_API_URL, 'https://gw.example.com/co');
    assert.strictEqual(vars(target('amazon-bedrock', { region: 'us-east-1' }), AWS, { 'amazon-bedrock': 'https://gw.example.com/{region}' }).env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, 'https://gw.example.com/us-east-1');
    assert.ok(!('OPENAI_BASE_URL' in vars(target('openai'), apiKey).env), 'official endpoint: the SDK default');
  });

  it('without a credential the secret variables are listed with empty values (names only)', () => {
    const r = vars(target('openai'));
    assert.deepStrictEqual(r.list.find((v) => v.name === 'OPENAI_API_KEY'), { name: 'OPENAI_API_KEY', value: '', secret: true, source: 'VAR_apiKey' });
  });

  it('Bedrock with a Bedrock API key: AWS_BEARER_TOKEN_BEDROCK and the region, no access key variables; inherited AWS credentials are dropped', () => {
    const key = 'bedrock-api-key-test-runtime-0006';
    const r = vars(target('amazon-bedrock', { region: 'eu-west-1' }), { kind: 'bedrockApiKey', apiKey: key });
    assert.deepStrictEqual(r.env, { ...IDENTITY('amazon-bedrock'), AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_BEARER_TOKEN_BEDROCK: key });
    assert.deepStrictEqual(r.secrets, ['AWS_BEARER_TOKEN_BEDROCK']);
    assert.strictEqual(withPlaceholders(r.list).find((v) => v.name === 'AWS_BEARER_TOKEN_BEDROCK')!.value, '<secret from VAR_bedrockApiKey>');
    const child = childEnvironment({ PATH: '/usr/bin', AWS_ACCESS_KEY_ID: 'AKIASHELLSHELL000000', AWS_SECRET_ACCESS_KEY: 'shell-secret-0000', AWS_PROFILE: 'deploy' }, 'amazon-bedrock', r.list);
    assert.deepStrictEqual(child, { PATH: '/usr/bin', ...r.env }, 'a shell access key would win over the bearer token in the SDKs');
    // The access key pair still maps as before.
    assert.ok(!('AWS_BEARER_TOKEN_BEDROCK' in vars(target('amazon-bedrock', { region: 'eu-west-1' }), AWS).env));
  });

  it('placeholders replace every secret value and say where it would come from; other values stay', () => {
    const list = runtimeVariables({ target: target('amazon-bedrock', { region: 'us-east-1' }), credential: AWS, secretSource: source });
    const shown = withPlaceholders(list);
    const text = JSON.stringify(shown) + renderVariables(shown, 'dotenv') + renderVariables(shown, 'shell');
    for (const s of [AWS.accessKeyId, AWS.secretAccessKey, AWS.sessionToken!]) assert.ok(!text.includes(s), `${s} printed`);
    assert.strictEqual(shown.find((v) => v.name === 'AWS_SECRET_ACCESS_KEY')!.value, '<secret from VAR_secretAccessKey>');
    assert.strictEqual(shown.find((v) => v.name === 'AWS_REGION')!.value, 'us-east-1');
  });

  it('the child environment: the parent without AGENT_CONNECTIONS__ variables and without the replaced ones, plus the connection', () => {
    const parent = {
      PATH: '/usr/bin',
      HOME: '/home/x',
      AGENT_CONNECTIONS__OTHER__CONN__API_KEY: 'sk-test-other-connection-0000',
      agent_connections__lower__x__API_KEY: 'sk-test-lower-0000',
      OPENAI_API_KEY: 'sk-test-shell-openai-0000',
      ANTHROPIC_API_KEY: 'sk-test-shell-anthropic-0000',
      OPENAI_BASE_URL: 'http://elsewhere.example',
      AWS_ACCESS_KEY_ID: 'AKIASHELLSHELL000000',
      AWS_PROFILE: 'deploy',
      UNDEFINED: undefined,
    };
    const generic = runtimeVariables({ target: target('generic', { baseUrl: 'http://127.0.0.1:11434/v1', authHeader: 'none' }), credential: { kind: 'none' }, secretSource: source });
    assert.deepStrictEqual(childEnvironment(parent, 'generic', generic), {
      PATH: '/usr/bin', HOME: '/home/x', AWS_ACCESS_KEY_ID: 'AKIASHELLSHELL000000', AWS_PROFILE: 'deploy',
      ...IDENTITY('generic'), OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
    });
    const bedrock = runtimeVariables({ target: target('amazon-bedrock', { region: 'us-east-1' }), credential: { kind: 'aws', accessKeyId: 'AKIATESTTESTTEST0000', secretAccessKey: 's3cr3t-test' }, secretSource: source });
    const env = childEnvironment(parent, 'amazon-bedrock', bedrock);
    assert.strictEqual(env.AWS_ACCESS_KEY_ID, 'AKIATESTTESTTEST0000');
    assert.ok(!('AWS_PROFILE' in env) && !('AWS_SESSION_TOKEN' in env) && !('OPENAI_API_KEY' in env));
    assert.ok(replacedVariables('openai').includes('ANTHROPIC_API_KEY') && !replacedVariables('openai').includes('AWS_ACCESS_KEY_ID'));
  });

  it('the child environment drops what the official SDKs would read past the connection: an OpenAI admin key, a Vertex AI switch, an API version', () => {
    const shell = {
      PATH: '/usr/bin',
      // openai: sent as the bearer of admin endpoints, to whatever OPENAI_BASE_URL says (a generic connection's server).
      OPENAI_ADMIN_KEY: 'sk-test-shell-admin-0000',
      // @google/genai 3.x: GOOGLE_GENAI_USE_ENTERPRISE=true sends the request to Vertex AI, not to the connection.
      GOOGLE_GENAI_USE_ENTERPRISE: 'true',
      GOOGLE_GENAI_USE_VERTEXAI: 'true',
      GOOGLE_GENAI_API_VERSION: 'v1alpha',
    };
    const generic = runtimeVariables({ target: target('generic', { baseUrl: 'https://api.groq.com/openai/v1' }), credential: { kind: 'apiKey', apiKey: KEY }, secretSource: source });
    assert.deepStrictEqual(Object.keys(childEnvironment(shell, 'generic', generic)).sort(), ['PATH', ...generic.map((v) => v.name)].sort());
    const gemini = runtimeVariables({ target: target('google-gemini', {}, 'gemini-2.5-flash-lite'), credential: { kind: 'apiKey', apiKey: KEY }, secretSource: source });
    const env = childEnvironment(shell, 'google-gemini', gemini);
    assert.deepStrictEqual([env.GOOGLE_GENAI_API_VERSION, env.GOOGLE_GENAI_USE_ENTERPRISE, env.GOOGLE_GENAI_USE_VERTEXAI, env.OPENAI_ADMIN_KEY], ['v1', undefined, undefined, undefined]);
  });

  it('shell output is one safe word per value: sh reads back exactly the value, whatever it is', function () {
    if (process.platform === 'win32') this.skip();
    const odd = ["it's", 'a"b', '$(touch /tmp/pwned-runtime-env)', '`id`', 'back\\slash', 'new\nline', ' spaced ', '', '!history', '*'];
    const list: RuntimeVariable[] = odd.map((value, i) => ({ name: `V${i}`, value, secret: false, source: 'test' }));
    const script = `${renderVariables(list, 'shell')}\n${odd.map((_, i) => `printf '%s\\0' "$V${i}"`).join('\n')}\n`;
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(r.stdout.split('\0').slice(0, -1), odd);
    assert.strictEqual(shellQuote("a'b"), `'a'\\''b'`);
  });
});
