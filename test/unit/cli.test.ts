/**
 * The `agent-connections` CLI end to end: child processes running out/src/cli/main.js (what dist/cli.js bundles),
 * checking exit codes, JSON, JUnit and stderr, with `test` against the real mock providers on 127.0.0.1.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_AWS, DEFAULT_BEDROCK_API_KEY, DEFAULT_KEY, startMockProvider, type MockProvider, type MockProviderId } from '../mocks';
import { repoRoot, runNode, type ChildRun } from './helpers';

const CLI = path.join(repoRoot, 'out', 'src', 'cli', 'main.js');
/** The bundle the package's `bin` runs (npm run build): main file plus one file per other command. */
const BUNDLE = path.join(repoRoot, 'dist', 'cli.js');
const EXAMPLE = path.join(repoRoot, 'examples', 'workspace', 'agent-connections.yaml');

type Run = ChildRun;

/** Runs the CLI with a clean environment (no proxy variables from the machine running the tests). */
function cli(args: string[], opts: { env?: Record<string, string>; cwd?: string; bin?: string } = {}): Promise<Run> {
  return runNode(opts.bin ?? CLI, args, { cwd: opts.cwd ?? repoRoot, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...opts.env } });
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-cli-'));
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('cli: basics', function () {
  this.timeout(20_000);

  it('--help, --version and command help exit 0', async () => {
    const help = await cli(['--help']);
    assert.strictEqual(help.code, 0);
    assert.match(help.stdout, /Usage: agent-connections <command>/);
    const version = await cli(['--version']);
    assert.strictEqual(version.code, 0);
    assert.strictEqual(version.stdout.trim(), (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version);
    const testHelp = await cli(['test', '--help']);
    assert.strictEqual(testHelp.code, 0);
    assert.match(testHelp.stdout, /AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY/);
  });

  it('usage errors exit 2 with a precise message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: agent-connections/],
      [['valdate'], /Unknown command "valdate". Did you mean "validate"\?/],
      [['validate', '--manifets', 'x'], /Unknown option --manifets for "validate". Did you mean --manifest\?/],
      [['validate', '--manifest'], /--manifest needs a value \(a file path\)/],
      [['validate', '--format', 'xml'], /--format must be text or json, not "xml"/],
      [['test', '--concurrency', '0'], /--concurrency must be from 1 to 32, not 0/],
      [['test', '--timeout-ms', '45000'], /--timeout-ms must be from 1 to 30000/],
      [['test', '--endpoint', 'openai'], /--endpoint takes PROVIDER=URL/],
      [['test', '--endpoint', 'opnai=https://x.example'], /unknown provider "opnai" \(did you mean openai\?\)/],
      [['test', '--endpoint', 'azure-openai=https://x.example'], /azure-openai connections take their URL from the manifest/],
      [['test', '--endpoint', 'openai=ftp://x.example'], /endpoint override for openai|--endpoint openai/],
      [['import', 'cursor', 'x.yaml'], /reads litellm or continue files, not "cursor"/],
      [['import', 'litellm'], /needs the file to read/],
      [['export', 'continue'], /writes litellm configs, not "continue"/],
      [['list', 'extra'], /takes no file arguments/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.strictEqual(r.stdout, '', args.join(' '));
    }
  });

  it('missing and unreadable files are clear I/O errors (exit 2)', async () => {
    const dir = tempDir();
    const missing = await cli(['validate'], { cwd: dir });
    assert.strictEqual(missing.code, 2);
    assert.match(missing.stderr, /Cannot read the manifest agent-connections\.yaml: no such file or directory/);
    fs.mkdirSync(path.join(dir, 'folder.yaml'));
    const isDir = await cli(['list', '--manifest', 'folder.yaml'], { cwd: dir });
    assert.strictEqual(isDir.code, 2);
    assert.match(isDir.stderr, /it is a directory/);
    const noSource = await cli(['import', 'litellm', 'nope.yaml'], { cwd: dir });
    assert.strictEqual(noSource.code, 2);
    assert.match(noSource.stderr, /Cannot read the LiteLLM config nope\.yaml: no such file/);
  });
});

describe('cli: validate and list', function () {
  this.timeout(20_000);

  it('the example workspace is clean: exit 0, text and JSON', async () => {
    const text = await cli(['validate', '--manifest', EXAMPLE]);
    assert.strictEqual(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /No problems in 2 files/);
    const json = await cli(['validate', '--manifest', EXAMPLE, '--format', 'json']);
    assert.strictEqual(json.code, 0);
    assert.deepStrictEqual(JSON.parse(json.stdout), { problems: [] });
  });

  it('reports errors in the manifest and the agents files with 1-based positions, exit 1', async () => {
    const dir = tempDir();
    const key = 'sk-' + 'proj-' + crypto.randomBytes(24).toString('hex');
    write(dir, 'agent-connections.yaml', `version: 1\nmodels:\n  - name: gpt\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: c\n        region: us-east-1\n        description: ${key}\n`);
    write(dir, 'agents/team.agents.yaml', 'agents:\n  - name: a\n    connection: not-a-reference\n  - name: b\n    connection: gpt/missing\n');
    write(dir, 'node_modules/pkg/x.agents.yaml', 'agents: [[[\n');
    const r = await cli(['validate', '--format', 'json'], { cwd: dir, env: { AGENT_CONNECTIONS__GPT__C__API_KEY: key } });
    assert.strictEqual(r.code, 1, r.stderr);
    const { problems } = JSON.parse(r.stdout) as { problems: Array<Record<string, unknown>> };
    const region = problems.find((p) => p.code === 'schema-unknown-key')!;
    assert.deepStrictEqual([region.file, region.line, region.column, region.severity], ['agent-connections.yaml', 9, 9, 'error']);
    const leak = problems.find((p) => p.code === 'leaked-key')!;
    assert.deepStrictEqual([leak.line, leak.column, leak.endColumn], [10, 22, 22 + key.length]);
    const ref = problems.find((p) => p.code === 'reference-syntax')!;
    assert.deepStrictEqual([ref.file, ref.line, ref.column], ['agents/team.agents.yaml', 3, 17]);
    assert.ok(problems.some((p) => p.file === 'agents/team.agents.yaml' && p.line === 5 && p.severity === 'error'), 'references are checked against the manifest, as in the editor');
    assert.ok(!problems.some((p) => String(p.file).includes('node_modules')), 'node_modules is skipped');
    assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key), 'the key is never printed');
    for (const p of problems) assert.deepStrictEqual(Object.keys(p), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);

    const text = await cli(['validate', '--agents', 'agents/*.yaml'], { cwd: dir });
    assert.strictEqual(text.code, 1);
    assert.match(text.stdout, /^agent-connections\.yaml:9:9: error \[schema-unknown-key\] /m);
    assert.match(text.stdout, /^agents\/team\.agents\.yaml:3:17: error \[reference-syntax\] /m);
    assert.match(text.stdout, /errors?, \d+ warnings? in 2 files\.$/m);
  });

  it('invalid YAML is a validation error with its line (exit 1); elsewhere it stops the command (exit 2)', async () => {
    const dir = tempDir();
    write(dir, 'agent-connections.yaml', 'version: 1\nmodels:\n  - name: [unclosed\n');
    const v = await cli(['validate', '--format', 'json'], { cwd: dir });
    assert.strictEqual(v.code, 1);
    assert.ok((JSON.parse(v.stdout) as { problems: Array<{ code: string }> }).problems.some((p) => p.code === 'yaml-syntax'));
    for (const cmd of [['list'], ['test'], ['export', 'litellm']]) {
      const r = await cli(cmd, { cwd: dir });
      assert.strictEqual(r.code, 2, cmd.join(' '));
      assert.match(r.stderr, /YAML|cannot be read/, cmd.join(' '));
    }
  });

  it('list: models, connections and the variables their keys are read from', async () => {
    const r = await cli(['list', '--manifest', EXAMPLE, '--format', 'json']);
    assert.strictEqual(r.code, 0);
    const { models } = JSON.parse(r.stdout) as { models: Array<{ name: string; connections: Array<{ reference: string; enabled: boolean; variables: string[]; optionalVariables: string[] }> }> };
    assert.strictEqual(models.length, 8);
    const conns = models.flatMap((m) => m.connections);
    assert.deepStrictEqual(conns.find((c) => c.reference === 'gpt-4o/prod-key-1')!.variables, ['AGENT_CONNECTIONS__GPT_4O__PROD_KEY_1__API_KEY']);
    assert.deepStrictEqual(conns.find((c) => c.reference === 'claude-bedrock/us-east')!.optionalVariables, ['AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__SESSION_TOKEN', 'AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__BEDROCK_API_KEY', 'AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__AWS_PROFILE']);
    assert.deepStrictEqual(conns.find((c) => c.reference === 'llama-groq/local-ollama')!.variables, [], 'authHeader: none needs no key');
    const text = await cli(['list', '--manifest', EXAMPLE]);
    assert.match(text.stdout, /^gpt-4o\/staging\s+openai\s+gpt-4o\s+no\s+AGENT_CONNECTIONS__GPT_4O__STAGING__API_KEY$/m);
  });
});

describe('cli: test against the mock providers', function () {
  this.timeout(30_000);

  const PROVIDERS: MockProviderId[] = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'];
  const MODELS: Record<MockProviderId, string> = {
    openai: 'gpt-5-mini',
    anthropic: 'claude-sonnet-4-5-20250929',
    'google-gemini': 'gemini-2.5-flash-lite',
    cohere: 'command-a-03-2025',
    'amazon-bedrock': 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'azure-openai': 'gpt-4o',
    generic: 'mock-model',
  };
  const mocks = new Map<MockProviderId, MockProvider>();
  let dir: string;
  const endpoints: string[] = [];
  const env: Record<string, string> = {};
  const name = (p: MockProviderId) => `m-${p}`;

  before(async () => {
    for (const p of PROVIDERS) mocks.set(p, await startMockProvider(p));
    dir = tempDir();
    let manifest = 'version: 1\nmodels:\n';
    for (const p of PROVIDERS) {
      const origin = mocks.get(p)!.origin;
      manifest += `  - name: ${name(p)}\n    type: ${p === 'generic' ? 'api' : 'easy'}\n    provider: ${p}\n    model: ${MODELS[p]}\n    connections:\n      - name: main\n`;
      if (p === 'amazon-bedrock') manifest += '        region: us-east-1\n';
      if (p === 'azure-openai') manifest += `        endpoint: ${origin}\n        deployment: ${MODELS[p]}\n        apiVersion: 2024-10-21\n`;
      if (p === 'generic') manifest += `        baseUrl: ${origin}/v1\n`;
      if (p !== 'azure-openai' && p !== 'generic') endpoints.push('--endpoint', `${p}=${origin}`);
      const base = `AGENT_CONNECTIONS__M_${p.toUpperCase().replace(/-/g, '_')}__MAIN`;
      if (p === 'amazon-bedrock') {
        env[`${base}__ACCESS_KEY_ID`] = DEFAULT_AWS.accessKeyId;
        env[`${base}__SECRET_ACCESS_KEY`] = DEFAULT_AWS.secretAccessKey;
      } else env[`${base}__API_KEY`] = DEFAULT_KEY;
    }
    manifest += `  - name: spare\n    type: easy\n    provider: openai\n    model: ${MODELS.openai}\n    connections:\n      - name: off\n        enabled: false\n      - name: nokey\n`;
    write(dir, 'agent-connections.yaml', manifest);
  });
  after(async () => {
    await Promise.all([...mocks.values()].map((m) => m.close()));
  });
  beforeEach(() => {
    for (const m of mocks.values()) m.reset();
  });

  it('tests every provider with keys from the environment: JSON, exit 0 with --skip-missing', async () => {
    const r = await cli(['test', ...endpoints, '--format', 'json', '--skip-missing'], { cwd: dir, env });
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { results: Array<Record<string, unknown>>; skipped: Array<Record<string, unknown>>; summary: Record<string, unknown> };
    for (const p of PROVIDERS) {
      const res = out.results.find((x) => x.model === name(p))!;
      assert.strictEqual(res.outcome, 'ok', `${p}: ${JSON.stringify(res)}`);
      assert.strictEqual(res.status, 200);
      assert.strictEqual(typeof res.latencyMs, 'number');
      assert.deepStrictEqual(Object.keys(res).slice(0, 7), ['model', 'connection', 'provider', 'outcome', 'status', 'latencyMs', 'message']);
      assert.ok(mocks.get(p)!.requests.length > 0, `${p} was called`);
    }
    const nokey = out.results.find((x) => x.connection === 'nokey')!;
    assert.deepStrictEqual([nokey.outcome, nokey.status, nokey.latencyMs], ['missing_credentials', null, null]);
    assert.match(String(nokey.message), /AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY is not set/);
    assert.deepStrictEqual(out.skipped, [{ model: 'spare', connection: 'off', provider: 'openai', reason: 'disabled' }]);
    assert.deepStrictEqual(out.summary, { tested: 7, ok: 7, notOk: 0, missingCredentials: 1, disabled: 1, missingVariables: ['AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY'], passed: true });
  });

  it('a refused key fails the run (exit 1); --connection picks connections, disabled ones included', async () => {
    const wrong = { ...env, AGENT_CONNECTIONS__M_ANTHROPIC__MAIN__API_KEY: 'sk-ant-wrong-key-0000' };
    const r = await cli(['test', ...endpoints, '--connection', 'm-anthropic/main', '--connection', 'spare/off', '--format', 'json'], { cwd: dir, env: wrong });
    assert.strictEqual(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { results: Array<Record<string, unknown>> };
    assert.deepStrictEqual(out.results.map((x) => [`${String(x.model)}/${String(x.connection)}`, x.outcome]), [['m-anthropic/main', 'auth_failed'], ['spare/off', 'missing_credentials']]);
    assert.strictEqual(mocks.get('openai')!.requests.length, 0, 'nothing else was tested');
    const unknown = await cli(['test', '--connection', 'm-openai/mian'], { cwd: dir, env });
    assert.strictEqual(unknown.code, 2);
    assert.match(unknown.stderr, /no connection "m-openai\/mian" \(did you mean m-openai\/main\?\)/);
  });

  it('Bedrock with __BEDROCK_API_KEY: sent as a bearer token (ok); a wrong one → auth_failed, exit 1, never echoed; both kinds at once → refused', async () => {
    const base = 'AGENT_CONNECTIONS__M_AMAZON_BEDROCK__MAIN';
    const pairless = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith(base)));
    const bedrock = mocks.get('amazon-bedrock')!;
    const ok = await cli(['test', ...endpoints, '--connection', 'm-amazon-bedrock/main', '--format', 'json'], { cwd: dir, env: { ...pairless, [`${base}__BEDROCK_API_KEY`]: DEFAULT_BEDROCK_API_KEY } });
    assert.strictEqual(ok.code, 0, ok.stdout + ok.stderr);
    assert.strictEqual((JSON.parse(ok.stdout) as { results: Array<{ outcome: string }> }).results[0].outcome, 'ok');
    assert.strictEqual(bedrock.requests.length, 1);
    assert.strictEqual(bedrock.requests[0].headers.authorization, `Bearer ${DEFAULT_BEDROCK_API_KEY}`);
    assert.strictEqual(bedrock.requests[0].headers['x-amz-date'], undefined);

    const wrong = 'bedrock-api-key-test-WRONG-cli-0004';
    for (const format of ['text', 'json']) {
      const r = await cli(['test', ...endpoints, '--connection', 'm-amazon-bedrock/main', '--format', format], { cwd: dir, env: { ...pairless, [`${base}__BEDROCK_API_KEY`]: wrong } });
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stdout, /auth_failed|auth failed/);
      assert.ok(!(r.stdout + r.stderr).includes(wrong), `${format}: the key was echoed`);
    }

    const both = await cli(['test', ...endpoints, '--connection', 'm-amazon-bedrock/main', '--format', 'json'], { cwd: dir, env: { ...env, [`${base}__BEDROCK_API_KEY`]: DEFAULT_BEDROCK_API_KEY } });
    assert.strictEqual(both.code, 1);
    assert.match(both.stdout, /__BEDROCK_API_KEY: Set either the access key pair or the Bedrock API key/);
    const none = await cli(['test', ...endpoints, '--connection', 'm-amazon-bedrock/main', '--format', 'json'], { cwd: dir, env: pairless });
    assert.match(none.stdout, /SECRET_ACCESS_KEY are not set \(or AGENT_CONNECTIONS__M_AMAZON_BEDROCK__MAIN__BEDROCK_API_KEY or AGENT_CONNECTIONS__M_AMAZON_BEDROCK__MAIN__AWS_PROFILE\)/);
  });

  it('a canary key never appears in stdout, stderr or JUnit, even when the provider echoes it', async () => {
    const canary = `sk-test-CANARY-${crypto.randomBytes(12).toString('hex')}`;
    const bare = `CANARY${crypto.randomBytes(12).toString('hex')}`;
    for (const p of PROVIDERS) mocks.get(p)!.setScenario('echo_key');
    const leaky = { ...env, AGENT_CONNECTIONS__M_OPENAI__MAIN__API_KEY: canary, AGENT_CONNECTIONS__M_COHERE__MAIN__API_KEY: bare, AGENT_CONNECTIONS__M_GENERIC__MAIN__API_KEY: bare };
    for (const format of ['text', 'json', 'junit']) {
      const r = await cli(['test', ...endpoints, '--format', format], { cwd: dir, env: leaky });
      assert.strictEqual(r.code, 1, `${format}: ${r.stderr}`);
      for (const s of [canary, bare, canary.slice(8), bare.slice(6)]) {
        assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `${format}: a canary was printed:\n${r.stdout}\n${r.stderr}`);
      }
      assert.ok(mocks.get('openai')!.requests.some((q) => JSON.stringify(q.headers).includes(canary)), 'the key was really sent (and echoed)');
    }
  });

  it('JUnit: one testcase per connection, failures and skips, escaped', async () => {
    const odd = tempDir();
    const origin = mocks.get('generic')!.origin;
    write(odd, 'agent-connections.yaml', `version: 1\nmodels:\n  - name: 'a&b<"c">'\n    type: api\n    provider: generic\n    model: mock-model\n    connections:\n      - name: ok\n        baseUrl: ${origin}/v1\n      - name: bad\n        baseUrl: ${origin}/v1\n      - name: none\n        baseUrl: ${origin}/v1\n      - name: off\n        enabled: false\n        baseUrl: ${origin}/v1\n`);
    const base = 'AGENT_CONNECTIONS__A_B__C____';
    const r = await cli(['test', '--format', 'junit', '--skip-missing'], { cwd: odd, env: { [`${base}OK__API_KEY`]: DEFAULT_KEY, [`${base}BAD__API_KEY`]: 'wrong-key-123456' } });
    assert.strictEqual(r.code, 1, r.stderr);
    const xml = r.stdout;
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="agent-connections" tests="4" failures="1" errors="0" skipped="2"/);
    assert.strictEqual((xml.match(/<testcase /g) ?? []).length, 4);
    assert.match(xml, /<testcase classname="a&amp;b&lt;&quot;c&quot;&gt;" name="a&amp;b&lt;&quot;c&quot;&gt;\/ok" time="[\d.]+"\/>/);
    assert.match(xml, /name="a&amp;b&lt;&quot;c&quot;&gt;\/bad"[^>]*>\n {6}<failure type="auth_failed" message="auth_failed: [^"<>]*">/);
    assert.match(xml, /\/none"[^>]*>\n {6}<skipped message="missing_credentials: /);
    assert.match(xml, /\/off"[^>]*>\n {6}<skipped message="disabled for inference"\/>/);
    // Well formed enough for CI parsers: every & starts an entity, tags balance.
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(xml));
    assert.strictEqual((xml.match(/<testcase [^>]*\/>/g) ?? []).length + (xml.match(/<\/testcase>/g) ?? []).length, 4);
    assert.ok(xml.trimEnd().endsWith('</testsuites>'));
  });

  it('text output and a summary', async () => {
    const r = await cli(['test', ...endpoints, '--skip-missing'], { cwd: dir, env });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ok\s+m-openai\/main\s+openai\s+200\s+\d+ ms\s+/m);
    assert.match(r.stdout, /^missing_credentials\s+spare\/nokey\s+/m);
    assert.match(r.stdout, /^skipped\s+spare\/off\s+disabled for inference/m);
    assert.match(r.stdout, /7 tested: 7 ok, 0 not ok; 1 not tested \(no credentials in the environment\); 1 disabled, skipped\.$/m);
    assert.match(r.stderr, /^warning: 1 connection was not tested: no credentials in the environment\. Set [^\n]*:\n {2}AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY {2}\(spare\/nokey\)\n$/);
  });

  describe('green only when something was proved', () => {
    const formats = ['text', 'json', 'junit'] as const;
    type Summary = { tested: number; ok: number; notOk: number; missingCredentials: number; disabled: number; missingVariables: string[]; passed: boolean };
    const summaryOf = (r: Run) => (JSON.parse(r.stdout) as { summary: Summary }).summary;
    const junitCounts = (xml: string) => {
      const m = /<testsuites name="agent-connections" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)"/.exec(xml);
      assert.ok(m, xml);
      return { tests: Number(m[1]), failures: Number(m[2]), skipped: Number(m[3]) };
    };

    it('a connection to test without its key fails the run (exit 1) in every format, naming the variable; the others are still tested', async () => {
      for (const format of formats) {
        for (const m of mocks.values()) m.reset();
        const r = await cli(['test', ...endpoints, '--format', format], { cwd: dir, env });
        assert.strictEqual(r.code, 1, `${format}: ${r.stderr}`);
        assert.match(r.stderr, /^error: 1 connection was not tested: no credentials in the environment\. Set [^\n]*:\n {2}AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY {2}\(spare\/nokey\)\nor pass --skip-missing to test only the connections that have their credentials\.\n$/, format);
        for (const p of PROVIDERS) assert.ok(mocks.get(p)!.requests.length > 0, `${format}: ${p} was still tested`);
        if (format === 'json') {
          assert.deepStrictEqual(summaryOf(r), { tested: 7, ok: 7, notOk: 0, missingCredentials: 1, disabled: 1, missingVariables: ['AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY'], passed: false });
        } else if (format === 'junit') {
          assert.deepStrictEqual(junitCounts(r.stdout), { tests: 9, failures: 1, skipped: 1 });
          assert.match(r.stdout, /name="spare\/nokey"[^>]*>\n {6}<failure type="missing_credentials" message="missing_credentials: No credential in the environment: AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY is not set\.">[^<]*hint: Set AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY/);
        } else {
          assert.match(r.stdout, /^missing_credentials\s+spare\/nokey\s+.*AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY is not set/m);
        }
      }
    });

    it('--skip-missing: the same run passes (exit 0) in every format; JUnit shows the connection as skipped', async () => {
      for (const format of formats) {
        const r = await cli(['test', ...endpoints, '--format', format, '--skip-missing'], { cwd: dir, env });
        assert.strictEqual(r.code, 0, `${format}: ${r.stderr}`);
        assert.match(r.stderr, /^warning: 1 connection was not tested[^\n]*\n {2}AGENT_CONNECTIONS__SPARE__NOKEY__API_KEY {2}\(spare\/nokey\)\n$/, format);
        if (format === 'json') assert.strictEqual(summaryOf(r).passed, true);
        if (format === 'junit') {
          assert.deepStrictEqual(junitCounts(r.stdout), { tests: 9, failures: 0, skipped: 2 });
          assert.match(r.stdout, /name="spare\/nokey"[^>]*>\n {6}<skipped message="missing_credentials: /);
        }
      }
    });

    it('Bedrock: both variables are named; a disabled connection named with --connection counts as one to test', async () => {
      const noBedrock = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AGENT_CONNECTIONS__M_AMAZON_BEDROCK__')));
      const r = await cli(['test', ...endpoints, '--connection', 'm-amazon-bedrock/main', '--connection', 'm-openai/main', '--connection', 'spare/off'], { cwd: dir, env: noBedrock });
      assert.strictEqual(r.code, 1, r.stderr);
      assert.match(r.stdout, /1 tested: 1 ok, 0 not ok; 2 not tested/);
      assert.match(r.stderr, /^error: 2 connections were not tested: no credentials in the environment\. Set [^\n]*:\n {2}AGENT_CONNECTIONS__M_AMAZON_BEDROCK__MAIN__ACCESS_KEY_ID and AGENT_CONNECTIONS__M_AMAZON_BEDROCK__MAIN__SECRET_ACCESS_KEY {2}\(m-amazon-bedrock\/main\)\n {2}AGENT_CONNECTIONS__SPARE__OFF__API_KEY {2}\(spare\/off\)\n/);
      const skipping = await cli(['test', ...endpoints, '--connection', 'm-amazon-bedrock/main', '--connection', 'm-openai/main', '--skip-missing'], { cwd: dir, env: noBedrock });
      assert.strictEqual(skipping.code, 0, skipping.stderr);
    });

    it('nothing tested at all exits 1, even with --skip-missing, in every format', async () => {
      for (const format of formats) {
        for (const flags of [[], ['--skip-missing']]) {
          const r = await cli(['test', ...endpoints, '--format', format, ...flags], { cwd: dir });
          assert.strictEqual(r.code, 1, `${format} ${flags.join(' ')}: ${r.stderr}`);
          assert.match(r.stderr, /^error: nothing was tested: none of the 8 connections has its credentials in the environment\.$/m);
          assert.match(r.stderr, /AGENT_CONNECTIONS__M_OPENAI__MAIN__API_KEY {2}\(m-openai\/main\)/);
          if (format === 'json') assert.deepStrictEqual({ ...summaryOf(r), missingVariables: [] }, { tested: 0, ok: 0, notOk: 0, missingCredentials: 8, disabled: 1, missingVariables: [], passed: false });
          if (format === 'junit') {
            assert.deepStrictEqual(junitCounts(r.stdout), flags.length ? { tests: 10, failures: 1, skipped: 9 } : { tests: 10, failures: 9, skipped: 1 });
            assert.match(r.stdout, /<testcase classname="agent-connections" name="at least one connection tested" time="0\.000">\n {6}<failure type="nothing_tested" message="nothing was tested: none of the 8 connections/);
          }
        }
      }
      for (const m of mocks.values()) assert.strictEqual(m.requests.length, 0, 'nothing was sent');
    });

    it('a manifest with no connection to test exits 1 and says why', async () => {
      const d = tempDir();
      write(d, 'agent-connections.yaml', 'version: 1\nmodels:\n  - name: gpt-4o\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: off\n        enabled: false\n');
      const r = await cli(['test'], { cwd: d });
      assert.strictEqual(r.code, 1, r.stderr);
      assert.strictEqual(r.stderr, 'error: nothing was tested: agent-connections.yaml has no enabled connection (1 disabled; name one with --connection to test it).\n');
      const empty = tempDir();
      write(empty, 'agent-connections.yaml', 'version: 1\nmodels: []\n');
      const e = await cli(['test', '--format', 'json'], { cwd: empty });
      assert.strictEqual(e.code, 1, e.stderr);
      assert.strictEqual(e.stderr, 'error: nothing was tested: agent-connections.yaml has no connection.\n');
      assert.strictEqual(summaryOf(e).passed, false);
    });

    it('--help documents --skip-missing and the exit codes', async () => {
      const r = await cli(['test', '--help']);
      assert.strictEqual(r.code, 0);
      assert.match(r.stdout, /--skip-missing {11}do not fail for connections whose variables are not set/);
      assert.match(r.stdout, /Exit status:\n {2}0 {2}something was tested and every tested connection is ok\n {2}1 {2}a connection is not ok; or a connection to test[^]*unless --skip-missing; or nothing was tested\n[^]* {2}2 {2}usage or I\/O error$/m);
    });
  });

  it('refuses plain http to another machine unless --allow-insecure-http', async () => {
    const d = tempDir();
    write(d, 'agent-connections.yaml', 'version: 1\nmodels:\n  - name: lan\n    type: api\n    provider: generic\n    model: m\n    connections:\n      - name: box\n        baseUrl: http://gpu-box.invalid:8000/v1\n');
    const r = await cli(['test', '--format', 'json'], { cwd: d, env: { AGENT_CONNECTIONS__LAN__BOX__API_KEY: 'k-123456789' } });
    assert.strictEqual(r.code, 1);
    const [res] = (JSON.parse(r.stdout) as { results: Array<{ outcome: string; hint: string }> }).results;
    assert.strictEqual(res.outcome, 'blocked');
    assert.match(res.hint, /--allow-insecure-http/);
    const allowed = await cli(['test', '--format', 'json', '--allow-insecure-http', '--timeout-ms', '3000'], { cwd: d, env: { AGENT_CONNECTIONS__LAN__BOX__API_KEY: 'k-123456789' } });
    const [res2] = (JSON.parse(allowed.stdout) as { results: Array<{ outcome: string }> }).results;
    assert.notStrictEqual(res2.outcome, 'blocked', 'sent (and failed to resolve the host)');
  });

  it('two connections mapping to the same variables are a usage error', async () => {
    const d = tempDir();
    write(d, 'agent-connections.yaml', 'version: 1\nmodels:\n  - name: gpt-4o\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: prod\n  - name: gpt_4o\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: prod\n');
    const r = await cli(['test'], { cwd: d });
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /gpt-4o\/prod and gpt_4o\/prod \(AGENT_CONNECTIONS__GPT_4O__PROD__…\)/);
  });
});

describe('cli: import and export', function () {
  this.timeout(20_000);
  const INLINE = 'sk-test-inline-anthropic-0123456789abcdefXYZ';

  it('imports LiteLLM into a manifest that validates; inline keys listed, never written; no silent overwrite', async () => {
    const dir = tempDir();
    const source = path.join(repoRoot, 'test', 'fixtures', 'import', 'litellm-config.yaml');
    const r = await cli(['import', 'litellm', source, '--out', 'agent-connections.yaml'], { cwd: dir });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(r.stdout, '');
    const manifest = fs.readFileSync(path.join(dir, 'agent-connections.yaml'), 'utf8');
    assert.ok(!manifest.includes(INLINE) && !r.stderr.includes(INLINE), 'the inline key is neither written nor printed');
    assert.match(r.stderr, /claude-sonnet\/default\n {4}apiKey: written inline in .*litellm-config\.yaml \(line 42\): not copied;.* CI: set AGENT_CONNECTIONS__CLAUDE_SONNET__DEFAULT__API_KEY/);
    assert.match(r.stderr, /apiKey: from the environment variable OPENAI_API_KEY; CI: set AGENT_CONNECTIONS__GPT_4O__DEFAULT__API_KEY/);
    assert.match(r.stderr, /warning: .*litellm-config\.yaml:\d+: `router_settings` was not imported/);
    assert.match(r.stderr, /Imported 12 models with 13 connections into agent-connections\.yaml\./);
    const v = await cli(['validate'], { cwd: dir });
    assert.strictEqual(v.code, 0, v.stdout);

    const again = await cli(['import', 'litellm', source, '--out', 'agent-connections.yaml'], { cwd: dir });
    assert.strictEqual(again.code, 2);
    assert.match(again.stderr, /agent-connections\.yaml already exists; pass --force to overwrite it/);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'agent-connections.yaml'), 'utf8'), manifest, 'unchanged');
    const forced = await cli(['import', 'continue', path.join(repoRoot, 'test', 'fixtures', 'import', 'continue-config.yaml'), '--out', 'agent-connections.yaml', '--force'], { cwd: dir });
    assert.strictEqual(forced.code, 0, forced.stderr);
    assert.match(fs.readFileSync(path.join(dir, 'agent-connections.yaml'), 'utf8'), /Imported from the Continue config/);
  });

  it('imports a load-balanced LiteLLM config as the golden manifest: one model per model_name, connections named by deployment, region or host', async () => {
    const dir = tempDir();
    const source = path.join(repoRoot, 'test', 'fixtures', 'import', 'litellm-loadbalanced.yaml');
    const r = await cli(['import', 'litellm', source, '--out', 'agent-connections.yaml'], { cwd: dir, env: { AZURE_WESTEU_API_BASE: 'https://contoso-westeu.openai.azure.com/' } });
    assert.strictEqual(r.code, 0, r.stderr);
    const manifest = fs.readFileSync(path.join(dir, 'agent-connections.yaml'), 'utf8');
    // The golden file was written with addedBy "ci" on 2026-11-22; the CLI writes today and the local user.
    const normal = (t: string) => t.replace(/^ +addedBy: .*\n/gm, '').replace(/addedOn: \d{4}-\d\d-\d\d/g, 'addedOn: D');
    assert.strictEqual(normal(manifest), normal(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'import', 'litellm-loadbalanced.expected.yaml'), 'utf8')));
    assert.match(r.stderr, /Imported 9 models with 16 connections into agent-connections\.yaml\./);
    assert.match(r.stderr, /warning: .*litellm-loadbalanced\.yaml:62: `gpt-4o-mini` names entries with different providers or model codes;.* became the model `gpt-4o-mini-azure`/);
    assert.match(r.stderr, /gpt-4o\/contoso-sweden\n {4}apiKey: from the environment variable AZURE_SWEDEN_API_KEY; CI: set AGENT_CONNECTIONS__GPT_4O__CONTOSO_SWEDEN__API_KEY/);
    for (const key of ['AKIATESTEXAMPLEEU000', 'test-secret-eu-0123456789']) assert.ok(!manifest.includes(key) && !r.stderr.includes(key), 'the inline AWS key is neither written nor printed');
    assert.ok(!/^ +- name: \d+$/m.test(manifest), 'no connection named by a number');
    const v = await cli(['validate'], { cwd: dir });
    assert.strictEqual(v.code, 0, v.stdout);
  });

  it('imports Continue to stdout; the output validates', async () => {
    const dir = tempDir();
    const r = await cli(['import', 'continue', path.join(repoRoot, 'test', 'fixtures', 'import', 'continue-config.yaml')], { cwd: dir });
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('sk-ant-test-inline') && !r.stderr.includes('sk-ant-test-inline'));
    assert.match(r.stderr, /from the Continue secret OPENAI_API_KEY/);
    assert.match(r.stderr, /hub block `anthropic\/claude-3.7-sonnet`/);
    write(dir, 'agent-connections.yaml', r.stdout);
    const v = await cli(['validate', '--format', 'json'], { cwd: dir });
    assert.strictEqual(v.code, 0, v.stdout);
  });

  it('a file that is not a LiteLLM/Continue config, or not valid YAML, is an error (exit 2)', async () => {
    const dir = tempDir();
    write(dir, 'bad.yaml', 'model_list:\n  - model_name: [\n');
    write(dir, 'other.yaml', 'name: x\n');
    const bad = await cli(['import', 'litellm', 'bad.yaml'], { cwd: dir });
    assert.strictEqual(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml: The LiteLLM config cannot be read \(line \d+: /);
    const other = await cli(['import', 'continue', 'other.yaml'], { cwd: dir });
    assert.strictEqual(other.code, 2);
    assert.match(other.stderr, /not a Continue config/);
  });

  it('exports LiteLLM with os.environ references to the CLI variables', async () => {
    const r = await cli(['export', 'litellm', '--manifest', EXAMPLE]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /^model_list:$/m);
    assert.match(r.stdout, /api_key: os\.environ\/AGENT_CONNECTIONS__GPT_4O__PROD_KEY_1__API_KEY/);
    assert.match(r.stdout, /api_version: '2024-10-21'/);
    assert.match(r.stderr, /Exported 11 connections\./);
    assert.match(r.stderr, /^ {2}AGENT_CONNECTIONS__CLAUDE_BEDROCK__US_EAST__SECRET_ACCESS_KEY$/m);
    const dir = tempDir();
    write(dir, 'litellm.yaml', 'keep me\n');
    const refused = await cli(['export', 'litellm', '--manifest', EXAMPLE, '--out', 'litellm.yaml'], { cwd: dir });
    assert.strictEqual(refused.code, 2);
    assert.strictEqual(fs.readFileSync(path.join(dir, 'litellm.yaml'), 'utf8'), 'keep me\n');
  });
});

describe('cli: the bundle (dist/cli.js)', function () {
  this.timeout(30_000);

  /** The files of dist/ the process loaded, from Node's own module log. */
  const loaded = (stderr: string) => [...new Set([...stderr.matchAll(/load "([^"]*[\\/]dist[\\/][^"]+\.js)"/g)].map((m) => path.basename(m[1])))].sort();

  it('validate runs from dist/cli.js alone (the yaml library only for what the fast parser leaves); each other command loads its own file and works', async () => {
    assert.ok(fs.existsSync(BUNDLE), 'run "npm run build" first');
    const v = await cli(['validate', '--manifest', EXAMPLE], { bin: BUNDLE, env: { NODE_DEBUG: 'module' } });
    assert.strictEqual(v.code, 0, v.stderr);
    assert.match(v.stdout, /^No problems in 2 files/m);
    // The agents file is read with the yaml library's document model.
    assert.deepStrictEqual(loaded(v.stderr), ['cli-yaml.js', 'cli.js']);
    assert.ok(!/undici/.test(v.stderr), 'the HTTP client is not loaded for validate');
    const alone = tempDir();
    fs.copyFileSync(EXAMPLE, path.join(alone, 'agent-connections.yaml'));
    const clean = await cli(['validate'], { bin: BUNDLE, cwd: alone, env: { NODE_DEBUG: 'module' } });
    assert.strictEqual(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /^No problems in 1 file/m);
    assert.deepStrictEqual(loaded(clean.stderr), ['cli.js'], 'a clean manifest is read without the yaml library');
    fs.appendFileSync(path.join(alone, 'agent-connections.yaml'), 'models: []\n');
    const broken = await cli(['validate', '--format', 'json'], { bin: BUNDLE, cwd: alone, env: { NODE_DEBUG: 'module' } });
    assert.strictEqual(broken.code, 1, broken.stderr);
    assert.deepStrictEqual(loaded(broken.stderr), ['cli-yaml.js', 'cli.js'], 'a duplicate key takes the full path');
    const unbundled = await cli(['validate', '--format', 'json'], { cwd: alone });
    assert.strictEqual(broken.stdout, unbundled.stdout, 'same problems as the unbundled CLI');
    assert.match(broken.stdout, /"code": "duplicate-key"/);

    const list = await cli(['list', '--manifest', EXAMPLE, '--format', 'json'], { bin: BUNDLE, env: { NODE_DEBUG: 'module' } });
    assert.strictEqual(list.code, 0, list.stderr);
    assert.deepStrictEqual(loaded(list.stderr), ['cli-list.js', 'cli-test.js', 'cli.js']);
    assert.strictEqual(JSON.stringify(JSON.parse(list.stdout)), JSON.stringify(JSON.parse((await cli(['list', '--manifest', EXAMPLE, '--format', 'json'])).stdout)), 'same output as the unbundled CLI');

    const exp = await cli(['export', 'litellm', '--manifest', EXAMPLE], { bin: BUNDLE });
    assert.strictEqual(exp.code, 0, exp.stderr);
    assert.strictEqual(exp.stdout, (await cli(['export', 'litellm', '--manifest', EXAMPLE])).stdout);

    const mock = await startMockProvider('generic');
    try {
      const dir = tempDir();
      write(dir, 'agent-connections.yaml', `version: 1\nmodels:\n  - name: local\n    type: api\n    provider: generic\n    model: mock-model\n    connections:\n      - name: box\n        baseUrl: ${mock.origin}/v1\n`);
      const t = await cli(['test', '--format', 'json'], { bin: BUNDLE, cwd: dir, env: { AGENT_CONNECTIONS__LOCAL__BOX__API_KEY: DEFAULT_KEY } });
      assert.strictEqual(t.code, 0, t.stderr);
      assert.strictEqual((JSON.parse(t.stdout) as { results: Array<{ outcome: string }> }).results[0].outcome, 'ok');
      assert.ok(mock.requests.length > 0);
    } finally {
      await mock.close();
    }
  });

  it('a usage error raised in a command file is still a usage error (exit 2, one clean line)', async () => {
    for (const args of [['list', '--bogus'], ['test', '--depth', 'slow'], ['import', 'foo']]) {
      const r = await cli(args, { bin: BUNDLE });
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^agent-connections: (?!unexpected error)[^\n]+\n$/, args.join(' '));
    }
  });
});
