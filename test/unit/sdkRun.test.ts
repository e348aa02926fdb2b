/**
 * The providers' official SDKs, started by `agent-connections run` (dist/cli.js, a child process)
 * with a connection of the manifest: each agent script in test/fixtures/sdk has no key and no
 * base URL in its code, only what `run` puts in its environment. It sends one plain and one
 * streamed chat request to the mock provider (real HTTP on 127.0.0.1) and prints both replies;
 * the mock must have seen the key given in the AGENT_CONNECTIONS__… variables.
 *
 * The shell that starts `run` carries decoys the child must not see (another OpenAI key, an
 * OpenAI admin key, a Vertex AI switch, an API version): `run` replaces or drops them.
 *
 * Versions: openai 7.x and @google/genai 3.x declare Node >= 22 in their engines, yet run on the
 * unit tier's Node 20 (this file proves it); cohere-ai, @anthropic-ai/sdk and the AWS SDK accept
 * Node 20.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MOCK_STREAM_TEXT, startMockProvider, type MockProvider, type MockProviderId, type RecordedRequest } from '../mocks';
import { repoRoot, runNode, type ChildRun } from './helpers';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const SCRIPTS = path.join(repoRoot, 'test', 'fixtures', 'sdk');

const KEYS = {
  openai: 'sk-test-sdk-run-openai-0001',
  anthropic: 'sk-test-sdk-run-anthropic-0002',
  gemini: 'test-sdk-run-gemini-key-0003',
  cohere: 'test-sdk-run-cohere-key-0004',
  azure: 'test-sdk-run-azure-key-0005',
  generic: 'sk-test-sdk-run-groq-0006',
  bedrockApiKey: 'bedrock-api-key-test-sdk-run-0007',
};
const AWS = { accessKeyId: 'AKIATESTSDKRUN000008', secretAccessKey: 'test-sdk-run-secret-access-key-0008', sessionToken: 'test-sdk-run-session-token-0008' };

/** The credentials, as a user sets them for `run` (what `test` reads as well). */
const CREDENTIALS: Record<string, string> = {
  AGENT_CONNECTIONS__GPT__PROD__API_KEY: KEYS.openai,
  AGENT_CONNECTIONS__CLAUDE__TEAM__API_KEY: KEYS.anthropic,
  AGENT_CONNECTIONS__GEMINI__RESEARCH__API_KEY: KEYS.gemini,
  AGENT_CONNECTIONS__GEMINI_PREVIEW__RESEARCH__API_KEY: KEYS.gemini,
  AGENT_CONNECTIONS__COMMAND_A__TRIAL__API_KEY: KEYS.cohere,
  AGENT_CONNECTIONS__SONNET__KEYS__ACCESS_KEY_ID: AWS.accessKeyId,
  AGENT_CONNECTIONS__SONNET__KEYS__SECRET_ACCESS_KEY: AWS.secretAccessKey,
  AGENT_CONNECTIONS__SONNET__KEYS__SESSION_TOKEN: AWS.sessionToken,
  AGENT_CONNECTIONS__SONNET__API_KEY__BEDROCK_API_KEY: KEYS.bedrockApiKey,
  AGENT_CONNECTIONS__GPT_4_1__DATED__API_KEY: KEYS.azure,
  AGENT_CONNECTIONS__GPT_4_1__V1__API_KEY: KEYS.azure,
  AGENT_CONNECTIONS__LLAMA__GROQ__API_KEY: KEYS.generic,
};

/** What the shell that starts `run` may hold: none of it may reach the agent. */
const SHELL_DECOYS: Record<string, string> = {
  OPENAI_API_KEY: 'sk-test-shell-decoy-openai-0000',
  OPENAI_ADMIN_KEY: 'sk-test-shell-decoy-admin-0000',
  ANTHROPIC_AUTH_TOKEN: 'sk-test-shell-decoy-anthropic-0000',
  GOOGLE_API_KEY: 'test-shell-decoy-google-0000',
  GOOGLE_GENAI_USE_ENTERPRISE: 'true',
  GOOGLE_GENAI_API_VERSION: 'v1alpha',
  AWS_ACCESS_KEY_ID: 'AKIASHELLDECOY000000',
  AWS_SECRET_ACCESS_KEY: 'test-shell-decoy-secret-0000',
  AWS_PROFILE: 'shell-decoy',
};

function manifest(origins: { azure: string; generic: string }): string {
  return `version: 1
models:
  - name: gpt
    provider: openai
    model: gpt-4.1-mini
    connections:
      - name: prod
  - name: claude
    provider: anthropic
    model: claude-sonnet-4-5
    connections:
      - name: team
  - name: gemini
    provider: google-gemini
    model: gemini-2.5-flash-lite
    connections:
      - name: research
  - name: gemini-preview
    provider: google-gemini
    model: gemini-3-flash-preview
    connections:
      - name: research
  - name: command-a
    provider: cohere
    model: command-a-03-2025
    connections:
      - name: trial
  - name: sonnet
    provider: amazon-bedrock
    model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
    connections:
      - name: keys
        region: us-east-1
      - name: api-key
        region: us-east-1
  - name: gpt-4-1
    provider: azure-openai
    model: gpt-4.1
    connections:
      - name: dated
        endpoint: ${origins.azure}
        deployment: gpt-4.1
        apiVersion: 2024-10-21
      - name: v1
        endpoint: ${origins.azure}
        deployment: gpt-4.1-mini
  - name: llama
    provider: generic
    model: llama-3.3-70b-versatile
    connections:
      - name: groq
        baseUrl: ${origins.generic}/openai/v1
`;
}

type Run = ChildRun;

const cli = (args: string[], cwd: string, env: Record<string, string>): Promise<Run> => runNode(CLI, args, { cwd, env });

interface Case {
  title: string;
  mock: MockProviderId;
  connection: string;
  script: string;
  /** Whether the provider's origin is replaced with --endpoint (Azure and generic take theirs from the manifest). */
  endpoint: boolean;
  /** The request carries the connection's credential. */
  carriesKey(r: RecordedRequest): boolean;
  /** The plain and the streamed request's path. */
  paths: [RegExp, RegExp];
}

const header = (r: RecordedRequest, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};
const bearer = (key: string) => (r: RecordedRequest) => header(r, 'authorization') === `Bearer ${key}`;

/**
 * What the SDKs print on stderr by themselves: @google/genai when both of its key variables are set (run sets both,
 * for tools that read only one; see README), and the AWS SDK on Node 20 (its releases after January 2027 need 22).
 */
const KNOWN_NOTICES = [
  /^Both GOOGLE_API_KEY and GEMINI_API_KEY are set\. Using GOOGLE_API_KEY\.\n/gm,
  /^\(node:\d+\) Warning: NodeVersionSupportWarning: [\s\S]*?--trace-warnings[^\n]*\n/gm,
];

const CASES: Case[] = [
  {
    title: 'openai: OpenAI() with OPENAI_API_KEY and OPENAI_BASE_URL',
    mock: 'openai', connection: 'gpt/prod', script: 'openai.mjs', endpoint: true,
    carriesKey: bearer(KEYS.openai),
    paths: [/^\/v1\/chat\/completions$/, /^\/v1\/chat\/completions$/],
  },
  {
    title: 'anthropic: Anthropic() with ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL',
    mock: 'anthropic', connection: 'claude/team', script: 'anthropic.mjs', endpoint: true,
    carriesKey: (r) => header(r, 'x-api-key') === KEYS.anthropic || bearer(KEYS.anthropic)(r),
    paths: [/^\/v1\/messages$/, /^\/v1\/messages$/],
  },
  {
    title: 'google-gemini: GoogleGenAI() with GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL and the API version of the manifest (v1)',
    mock: 'google-gemini', connection: 'gemini/research', script: 'gemini.mjs', endpoint: true,
    carriesKey: (r) => header(r, 'x-goog-api-key') === KEYS.gemini,
    paths: [/^\/v1\/models\/gemini-2\.5-flash-lite:generateContent$/, /^\/v1\/models\/gemini-2\.5-flash-lite:streamGenerateContent\?alt=sse$/],
  },
  {
    title: 'google-gemini: a preview model goes to v1beta, where the test of the connection proved it (GOOGLE_GENAI_API_VERSION)',
    mock: 'google-gemini', connection: 'gemini-preview/research', script: 'gemini.mjs', endpoint: true,
    carriesKey: (r) => header(r, 'x-goog-api-key') === KEYS.gemini,
    paths: [/^\/v1beta\/models\/gemini-3-flash-preview:generateContent$/, /^\/v1beta\/models\/gemini-3-flash-preview:streamGenerateContent\?alt=sse$/],
  },
  {
    title: 'cohere: CohereClientV2() with CO_API_KEY (the replaced endpoint passed on from CO_API_URL)',
    mock: 'cohere', connection: 'command-a/trial', script: 'cohere.mjs', endpoint: true,
    carriesKey: bearer(KEYS.cohere),
    paths: [/^\/v2\/chat$/, /^\/v2\/chat$/],
  },
  {
    title: 'amazon-bedrock: BedrockRuntimeClient() with the access key pair, session token, AWS_REGION and AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
    mock: 'amazon-bedrock', connection: 'sonnet/keys', script: 'bedrock.mjs', endpoint: true,
    carriesKey: (r) => (header(r, 'authorization') ?? '').includes(`Credential=${AWS.accessKeyId}/`) && header(r, 'x-amz-security-token') === AWS.sessionToken,
    paths: [/^\/model\/us\.anthropic\.claude-sonnet-4-5-20250929-v1%3A0\/converse$/, /^\/model\/us\.anthropic\.claude-sonnet-4-5-20250929-v1%3A0\/converse-stream$/],
  },
  {
    title: 'amazon-bedrock: BedrockRuntimeClient() with a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK), unsigned',
    mock: 'amazon-bedrock', connection: 'sonnet/api-key', script: 'bedrock.mjs', endpoint: true,
    carriesKey: (r) => bearer(KEYS.bedrockApiKey)(r) && header(r, 'x-amz-date') === undefined,
    paths: [/\/converse$/, /\/converse-stream$/],
  },
  {
    title: 'azure-openai: AzureOpenAI() with AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION (dated API)',
    mock: 'azure-openai', connection: 'gpt-4-1/dated', script: 'azure.mjs', endpoint: false,
    carriesKey: (r) => header(r, 'api-key') === KEYS.azure && header(r, 'authorization') === undefined,
    paths: [/^\/openai\/deployments\/gpt-4\.1\/chat\/completions\?api-version=2024-10-21$/, /^\/openai\/deployments\/gpt-4\.1\/chat\/completions\?api-version=2024-10-21$/],
  },
  {
    title: 'azure-openai: OpenAI() on the v1 API with OPENAI_BASE_URL (…/openai/v1) and OPENAI_API_KEY',
    mock: 'azure-openai', connection: 'gpt-4-1/v1', script: 'openai.mjs', endpoint: false,
    carriesKey: bearer(KEYS.azure),
    paths: [/^\/openai\/v1\/chat\/completions$/, /^\/openai\/v1\/chat\/completions$/],
  },
  {
    title: 'generic: OpenAI() with OPENAI_BASE_URL (the manifest\'s baseUrl) and OPENAI_API_KEY',
    mock: 'generic', connection: 'llama/groq', script: 'openai.mjs', endpoint: false,
    carriesKey: bearer(KEYS.generic),
    paths: [/^\/openai\/v1\/chat\/completions$/, /^\/openai\/v1\/chat\/completions$/],
  },
];

describe('official SDKs started by `agent-connections run` (dist/cli.js) against the mock providers', function () {
  // Two child processes per case, each loading an SDK, on a machine that may be loaded.
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  const mocks = new Map<MockProviderId, MockProvider>();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-sdk-'));
    const start = (id: MockProviderId, options: Parameters<typeof startMockProvider>[1]) => startMockProvider(id, options).then((m) => mocks.set(id, m));
    await Promise.all([
      start('openai', { key: KEYS.openai }),
      start('anthropic', { key: KEYS.anthropic }),
      start('google-gemini', { key: KEYS.gemini }),
      start('cohere', { key: KEYS.cohere }),
      start('amazon-bedrock', { aws: { ...AWS, region: 'us-east-1' }, bedrockApiKey: KEYS.bedrockApiKey }),
      start('azure-openai', { key: KEYS.azure }),
      start('generic', { key: KEYS.generic }),
    ]);
    fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), manifest({ azure: mocks.get('azure-openai')!.origin, generic: mocks.get('generic')!.origin }));
    // HOME without ~/.aws or ~/.config: nothing but the environment can supply a credential.
    env = { PATH: process.env.PATH ?? '', HOME: dir, ...SHELL_DECOYS, ...CREDENTIALS };
  });
  after(async () => {
    await Promise.all([...mocks.values()].map((m) => m.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(c.title, async () => {
      const mock = mocks.get(c.mock)!;
      mock.reset();
      const endpoint = c.endpoint ? ['--endpoint', `${c.mock}=${mock.origin}`] : [];
      const r = await cli(['run', '--connection', c.connection, ...endpoint, '--', process.execPath, path.join(SCRIPTS, c.script)], dir, env);
      const seen = mock.requests.map((q) => `${q.method} ${q.path}`).join('\n');
      assert.strictEqual(r.code, 0, `exit ${r.code}\nstderr: ${r.stderr}\nrequests:\n${seen}`);
      assert.deepStrictEqual(JSON.parse(r.stdout), { text: 'Pong', streamed: MOCK_STREAM_TEXT });
      assert.strictEqual(mock.requests.length, 2, seen);
      mock.requests.forEach((q, i) => {
        assert.match(q.path, c.paths[i], seen);
        assert.ok(c.carriesKey(q), `request ${i + 1} does not carry the connection's credential: ${JSON.stringify(q.headers)}`);
      });
      assert.deepStrictEqual(mock.violations, []);
      assert.strictEqual(KNOWN_NOTICES.reduce((text, notice) => text.replace(notice, ''), r.stderr), '', 'nothing on stderr but the SDKs\' own notices');
      const printed = r.stdout + r.stderr;
      for (const secret of [...Object.values(KEYS), AWS.secretAccessKey, AWS.sessionToken]) assert.ok(!printed.includes(secret), 'a key was printed');
    });
  }
});
