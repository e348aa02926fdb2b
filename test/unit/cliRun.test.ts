/**
 * `agent-connections run` and `env` end to end: the CLI as a child process (out/src/cli/main.js,
 * what dist/cli.js bundles) starting real commands, with exit codes, signals, refusals and
 * a canary key that must never be printed.
 */
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseEnv } from 'util';
import { repoRoot } from './helpers';

const CLI = path.join(repoRoot, 'out', 'src', 'cli', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(child: ChildProcess): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return collect(start(args, cwd, env));
}

/** A node one-liner as `run`'s command. */
const node = (script: string) => ['--', process.execPath, '-e', script];

/** A child that prints the variables it was given (all of them but PATH and HOME) as JSON. */
const PRINT_ENV = node("const e={...process.env};delete e.PATH;delete e.HOME;process.stdout.write(JSON.stringify(e))");

const MANIFEST = `version: 1
models:
  - name: gpt-4o
    type: easy
    provider: openai
    model: gpt-4o
    connections:
      - name: prod
      - name: staging
        enabled: false
  - name: claude
    type: easy
    provider: anthropic
    model: claude-sonnet-4-5
    connections:
      - name: team
  - name: gemini
    type: easy
    provider: google-gemini
    model: gemini-2.5-flash
    connections:
      - name: research
  - name: command-r
    type: easy
    provider: cohere
    model: command-r-08-2024
    connections:
      - name: trial
  - name: opus
    type: easy
    provider: amazon-bedrock
    model: us.anthropic.claude-opus-4-1-20250805-v1:0
    connections:
      - name: us-east
        region: us-east-1
  - name: gpt-4-1-azure
    type: easy
    provider: azure-openai
    model: gpt-4.1
    connections:
      - name: eastus
        endpoint: https://contoso-eastus.openai.azure.com
        deployment: gpt-41-prod
        apiVersion: 2024-10-21
  - name: local
    type: api
    provider: generic
    model: llama3
    connections:
      - name: ollama
        baseUrl: http://127.0.0.1:11434/v1
        authHeader: none
      - name: lan
        baseUrl: http://gpu-box.invalid:8000/v1
`;

const AGENTS = `supervisors:
  - name: triage
    connection: gpt-4o/prod
    agents: [refunds, billing, summarizer, legacy]
  - name: idle
    agents: [orphan]
agents:
  - name: refunds
  - name: billing
    connection: opus/us-east
  - name: summarizer
    connection: gpt-4-1-azure/eastus
  - name: legacy
    connection: gpt-4o/staging
  - name: orphan
  - name: local-bot
    connection: local/ollama
  - name: lan-bot
    connection: local/lan
`;

const OPENAI_KEY = 'sk-test-run-openai-0123456789';
const AWS = { id: 'AKIATESTRUNRUN000000', secret: 'test-run-secret-access-key-000', token: 'test-run-session-token-000' };
const KEYS: Record<string, string> = {
  AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY: OPENAI_KEY,
  AGENT_CONNECTIONS__CLAUDE__TEAM__API_KEY: 'sk-test-run-anthropic-0123456789',
  AGENT_CONNECTIONS__GEMINI__RESEARCH__API_KEY: 'test-run-gemini-key-0123456789',
  AGENT_CONNECTIONS__COMMAND_R__TRIAL__API_KEY: 'test-run-cohere-key-0123456789',
  AGENT_CONNECTIONS__OPUS__US_EAST__ACCESS_KEY_ID: AWS.id,
  AGENT_CONNECTIONS__OPUS__US_EAST__SECRET_ACCESS_KEY: AWS.secret,
  AGENT_CONNECTIONS__OPUS__US_EAST__SESSION_TOKEN: AWS.token,
  AGENT_CONNECTIONS__GPT_4_1_AZURE__EASTUS__API_KEY: 'test-run-azure-key-0123456789',
  AGENT_CONNECTIONS__LOCAL__LAN__API_KEY: 'test-run-lan-key-0123456789',
};

describe('cli: run and env', function () {
  // Up to a dozen CLI processes per test, on a machine that may be loaded.
  this.timeout(90_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-run-'));
    fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), MANIFEST);
    fs.mkdirSync(path.join(dir, 'agents'));
    fs.writeFileSync(path.join(dir, 'agents', 'support.agents.yaml'), AGENTS);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const printed = async (args: string[], env: Record<string, string> = KEYS): Promise<Record<string, string>> => {
    const r = await cli([...args, ...PRINT_ENV], dir, env);
    assert.strictEqual(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  it('run: an agent inheriting its supervisor\'s OpenAI connection gets OPENAI_API_KEY and nothing of the other connections', async () => {
    const env = await printed(['run', '--agent', 'refunds'], { ...KEYS, OPENAI_BASE_URL: 'http://elsewhere.example', ANTHROPIC_API_KEY: 'sk-test-shell-anthropic-0000', KEEP_ME: 'yes' });
    assert.deepStrictEqual(env, { AGENT_CONNECTION: 'gpt-4o/prod', AGENT_CONNECTION_PROVIDER: 'openai', AGENT_CONNECTION_MODEL: 'gpt-4o', OPENAI_API_KEY: OPENAI_KEY, KEEP_ME: 'yes' });
  });

  it('run: Bedrock with a session token, Azure with its deployment, generic without a key; --connection instead of --agent', async () => {
    const bedrock = await printed(['run', '--agent', 'billing']);
    assert.deepStrictEqual(bedrock, {
      AGENT_CONNECTION: 'opus/us-east', AGENT_CONNECTION_PROVIDER: 'amazon-bedrock', AGENT_CONNECTION_MODEL: 'us.anthropic.claude-opus-4-1-20250805-v1:0',
      AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: AWS.id, AWS_SECRET_ACCESS_KEY: AWS.secret, AWS_SESSION_TOKEN: AWS.token,
    });
    // A Bedrock API key instead of the pair: the SDKs' bearer variable, and a shell access key pair is not passed on.
    const bearerKey = 'bedrock-api-key-test-run-0008';
    const pairless = Object.fromEntries(Object.entries(KEYS).filter(([k]) => !k.startsWith('AGENT_CONNECTIONS__OPUS__US_EAST__')));
    const bearer = await printed(['run', '--agent', 'billing'], { ...pairless, AGENT_CONNECTIONS__OPUS__US_EAST__BEDROCK_API_KEY: bearerKey, AWS_ACCESS_KEY_ID: AWS.id, AWS_SECRET_ACCESS_KEY: AWS.secret });
    assert.deepStrictEqual(bearer, {
      AGENT_CONNECTION: 'opus/us-east', AGENT_CONNECTION_PROVIDER: 'amazon-bedrock', AGENT_CONNECTION_MODEL: 'us.anthropic.claude-opus-4-1-20250805-v1:0',
      AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_BEARER_TOKEN_BEDROCK: bearerKey,
    });
    const shown = await cli(['env', '--connection', 'opus/us-east'], dir, { ...pairless, AGENT_CONNECTIONS__OPUS__US_EAST__BEDROCK_API_KEY: bearerKey });
    assert.strictEqual(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /AWS_BEARER_TOKEN_BEDROCK=.*AGENT_CONNECTIONS__OPUS__US_EAST__BEDROCK_API_KEY/);
    assert.ok(!shown.stdout.includes(bearerKey), 'env printed the key');
    const azure = await printed(['run', '--agent', 'summarizer']);
    assert.deepStrictEqual(azure, {
      AGENT_CONNECTION: 'gpt-4-1-azure/eastus', AGENT_CONNECTION_PROVIDER: 'azure-openai', AGENT_CONNECTION_MODEL: 'gpt-4.1', AGENT_CONNECTION_DEPLOYMENT: 'gpt-41-prod',
      AZURE_OPENAI_ENDPOINT: 'https://contoso-eastus.openai.azure.com', OPENAI_API_VERSION: '2024-10-21', AZURE_OPENAI_API_KEY: KEYS.AGENT_CONNECTIONS__GPT_4_1_AZURE__EASTUS__API_KEY,
    });
    const local = await printed(['run', '--agent', 'local-bot'], { OPENAI_API_KEY: 'sk-test-shell-openai-0000' });
    assert.deepStrictEqual(local, { AGENT_CONNECTION: 'local/ollama', AGENT_CONNECTION_PROVIDER: 'generic', AGENT_CONNECTION_MODEL: 'llama3', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, 'the shell\'s OpenAI key does not go to the generic server');
    const gemini = await printed(['run', '--connection', 'gemini/research']);
    assert.strictEqual(gemini.GEMINI_API_KEY, KEYS.AGENT_CONNECTIONS__GEMINI__RESEARCH__API_KEY);
    assert.strictEqual(gemini.GOOGLE_API_KEY, KEYS.AGENT_CONNECTIONS__GEMINI__RESEARCH__API_KEY);
    const cohere = await printed(['run', '--connection', 'command-r/trial']);
    assert.strictEqual(cohere.CO_API_KEY, KEYS.AGENT_CONNECTIONS__COMMAND_R__TRIAL__API_KEY);
    const claude = await printed(['run', '--connection', 'claude/team', '--endpoint', 'anthropic=http://127.0.0.1:9'], KEYS);
    assert.strictEqual(claude.ANTHROPIC_API_KEY, KEYS.AGENT_CONNECTIONS__CLAUDE__TEAM__API_KEY);
    assert.strictEqual(claude.ANTHROPIC_BASE_URL, 'http://127.0.0.1:9');
  });

  it('run: arguments reach the command as given (no shell), and its exit code is passed through', async () => {
    const args = await cli(['run', '--agent', 'refunds', '--', process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '$HOME', "it's; echo no", '--agent'], dir, KEYS);
    assert.strictEqual(args.code, 0, args.stderr);
    assert.deepStrictEqual(JSON.parse(args.stdout), ['$HOME', "it's; echo no", '--agent']);
    const seven = await cli(['run', '--agent', 'refunds', ...node('process.exit(7)')], dir, KEYS);
    assert.strictEqual(seven.code, 7);
    const missing = await cli(['run', '--agent', 'refunds', '--', 'no-such-command-agent-connections'], dir, KEYS);
    assert.strictEqual(missing.code, 127);
    assert.match(missing.stderr, /no-such-command-agent-connections: command not found/);
  });

  it('run: SIGTERM and SIGINT are forwarded to the command; a command killed by a signal gives 128+N', async function () {
    if (process.platform === 'win32') this.skip();
    for (const [signal, code] of [['SIGTERM', 42], ['SIGINT', 43]] as const) {
      const child = start(['run', '--agent', 'refunds', ...node(`process.on('${signal}',()=>process.exit(${code}));process.stdout.write('ready\\n');setInterval(()=>{},1000)`)], dir, KEYS);
      const done = collect(child);
      await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
      child.kill(signal);
      const r = await done;
      assert.strictEqual(r.code, code, `${signal}: ${r.stderr}`);
    }
    const plain = start(['run', '--agent', 'refunds', ...node("process.stdout.write('ready\\n');setInterval(()=>{},1000)")], dir, KEYS);
    const plainDone = collect(plain);
    await new Promise<void>((resolve) => plain.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); }));
    plain.kill('SIGTERM');
    assert.strictEqual((await plainDone).code, 128 + os.constants.signals.SIGTERM);
  });

  it('run refuses with a clear message and starts nothing: unknown agent (2), no connection, disabled, missing keys (1)', async () => {
    const marker = path.join(dir, 'started.marker');
    const touch = node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`);
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['--agent', 'refnds'], KEYS, 2, /No agent or supervisor named "refnds": 1 agents file searched \(\*\*\/\*\.agents\.yaml\)\. Did you mean "refunds"\?/],
      [['--connection', 'gpt-4o/prd'], KEYS, 2, /has no connection "gpt-4o\/prd" \(did you mean gpt-4o\/prod\?\)/],
      [['--agent', 'orphan'], KEYS, 1, /Agent "orphan" \(agents\/support\.agents\.yaml\) has no connection: neither it nor supervisor "idle" sets connection:/],
      [['--agent', 'legacy'], KEYS, 1, /Agent "legacy" uses gpt-4o\/staging, which is disabled for inference/],
      [['--connection', 'gpt-4o/staging'], KEYS, 1, /gpt-4o\/staging is disabled for inference/],
      [['--agent', 'refunds'], {}, 1, /No key for gpt-4o\/prod in the environment: AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY is not set\. Nothing was started\./],
      [['--agent', 'billing'], { AGENT_CONNECTIONS__OPUS__US_EAST__ACCESS_KEY_ID: AWS.id }, 1, /AGENT_CONNECTIONS__OPUS__US_EAST__SECRET_ACCESS_KEY is not set/],
      [['--agent', 'lan-bot'], KEYS, 1, /sends its key over plain http to another machine \(gpu-box\.invalid:8000\); use https, or pass --allow-insecure-http/],
      [['--agent', 'refunds', '--connection', 'gpt-4o/prod'], KEYS, 2, /needs --agent NAME or --connection MODEL\/CONNECTION \(one of them\)/],
    ];
    for (const [args, env, code, re] of cases) {
      const r = await cli(['run', ...args, ...touch], dir, env);
      assert.strictEqual(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.strictEqual(r.stdout, '');
      assert.ok(!fs.existsSync(marker), `${args.join(' ')}: the command was started`);
    }
    const noCommand = await cli(['run', '--agent', 'refunds'], dir, KEYS);
    assert.strictEqual(noCommand.code, 2);
    assert.match(noCommand.stderr, /takes the command after "--"/);
    const allowed = await cli(['run', '--agent', 'lan-bot', '--allow-insecure-http', ...touch], dir, KEYS);
    assert.strictEqual(allowed.code, 0, allowed.stderr);
    assert.ok(fs.existsSync(marker), 'with --allow-insecure-http the command runs');
  });

  it('env: dotenv, shell and json with placeholders naming the source variable; a warning when run would refuse', async () => {
    const dotenv = await cli(['env', '--agent', 'billing'], dir, KEYS);
    assert.strictEqual(dotenv.code, 0, dotenv.stderr);
    assert.strictEqual(dotenv.stdout, [
      '# billing → opus/us-east: secrets are placeholders, never keys',
      'AGENT_CONNECTION=opus/us-east',
      'AGENT_CONNECTION_PROVIDER=amazon-bedrock',
      'AGENT_CONNECTION_MODEL=us.anthropic.claude-opus-4-1-20250805-v1:0',
      'AWS_REGION=us-east-1',
      'AWS_DEFAULT_REGION=us-east-1',
      'AWS_ACCESS_KEY_ID="<secret from AGENT_CONNECTIONS__OPUS__US_EAST__ACCESS_KEY_ID>"',
      'AWS_SECRET_ACCESS_KEY="<secret from AGENT_CONNECTIONS__OPUS__US_EAST__SECRET_ACCESS_KEY>"',
      'AWS_SESSION_TOKEN="<secret from AGENT_CONNECTIONS__OPUS__US_EAST__SESSION_TOKEN>"',
      '',
    ].join('\n'));
    assert.strictEqual(dotenv.stderr, '');
    const shell = await cli(['env', '--agent', 'refunds', '--format', 'shell'], dir, KEYS);
    assert.match(shell.stdout, /^# refunds → gpt-4o\/prod \(inherited from triage\): /);
    assert.match(shell.stdout, /^export OPENAI_API_KEY='<secret from AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY>'$/m);
    const json = await cli(['env', '--agent', 'refunds', '--format', 'json'], dir, {});
    assert.strictEqual(json.code, 0);
    const out = JSON.parse(json.stdout) as { connection: string; agent: string; inheritedFrom: string; provider: string; variables: Array<{ name: string; value: string; secret: boolean; source: string }>; warnings: string[] };
    assert.deepStrictEqual([out.connection, out.agent, out.inheritedFrom, out.provider], ['gpt-4o/prod', 'refunds', 'triage', 'openai']);
    assert.deepStrictEqual(out.variables.find((v) => v.secret), { name: 'OPENAI_API_KEY', value: '<secret from AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY>', secret: true, source: 'AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY' });
    assert.match(out.warnings[0], /"run" would refuse: No key for gpt-4o\/prod/);
    assert.match(json.stderr, /^warning: "run" would refuse: No key for gpt-4o\/prod/);
    const unknown = await cli(['env', '--agent', 'refnds'], dir, KEYS);
    assert.strictEqual(unknown.code, 2);
    assert.match(unknown.stderr, /Did you mean "refunds"\?/);
  });

  it('a canary key never appears in env output, --verbose or errors; the command does get it', async () => {
    const canary = `sk-test-CANARY-${crypto.randomBytes(12).toString('hex')}`;
    const bare = `CANARY${crypto.randomBytes(12).toString('hex')}`;
    const env = { ...KEYS, AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY: canary, AGENT_CONNECTIONS__OPUS__US_EAST__SECRET_ACCESS_KEY: bare };
    const runs: Run[] = [];
    for (const format of ['dotenv', 'shell', 'json']) {
      for (const agent of ['refunds', 'billing']) runs.push(await cli(['env', '--agent', agent, '--format', format], dir, env));
    }
    runs.push(await cli(['run', '--agent', 'refunds', '--verbose', ...node('process.exit(3)')], dir, env));
    // A command that is not found, a key variable that cannot be a header value: errors name the variable, not the value.
    runs.push(await cli(['run', '--agent', 'refunds', '--verbose', '--', `no-such-${canary}`], dir, env));
    runs.push(await cli(['run', '--agent', 'billing', ...node('0')], dir, { ...env, AGENT_CONNECTIONS__OPUS__US_EAST__ACCESS_KEY_ID: `${bare}\nx` }));
    for (const r of runs) {
      for (const s of [canary, bare, canary.slice(8), bare.slice(6)]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s), `a canary was printed:\n${r.stdout}\n${r.stderr}`);
    }
    assert.match(runs[6].stderr, /running .* with refunds → gpt-4o\/prod \(inherited from triage\): .*OPENAI_API_KEY=<secret from AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY>/);
    assert.strictEqual(runs[6].code, 3);
    assert.strictEqual(runs[7].code, 127);
    assert.match(runs[8].stderr, /AGENT_CONNECTIONS__OPUS__US_EAST__ACCESS_KEY_ID: The key contains a line break/);
    const got = await printed(['run', '--agent', 'refunds'], env);
    assert.strictEqual(got.OPENAI_API_KEY, canary, 'the command itself receives the key');
  });

  it('env --format dotenv: a model code with quotes, $, # and a line break reads back as it is with util.parseEnv; one no quoting keeps is refused (1), nothing printed, and json has it', async () => {
    const odd = 'it\'s "odd" $HOME # x\nand \\ more';
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-dotenv-'));
    try {
      const manifest = (model: string) => `version: 1\nmodels:\n  - name: odd\n    type: api\n    provider: generic\n    model: ${JSON.stringify(model)}\n    connections:\n      - name: local\n        baseUrl: http://127.0.0.1:11434/v1\n        authHeader: none\n`;
      fs.writeFileSync(path.join(other, 'agent-connections.yaml'), manifest(odd));
      const ok = await cli(['env', '--connection', 'odd/local'], other);
      assert.strictEqual(ok.code, 0, ok.stderr);
      assert.strictEqual(parseEnv(ok.stdout).AGENT_CONNECTION_MODEL, odd, ok.stdout);
      assert.strictEqual(parseEnv(ok.stdout).AGENT_CONNECTION, 'odd/local');
      fs.writeFileSync(path.join(other, 'agent-connections.yaml'), manifest(`${odd} \``));
      const refused = await cli(['env', '--connection', 'odd/local'], other);
      assert.strictEqual(refused.code, 1);
      assert.strictEqual(refused.stdout, '');
      assert.match(refused.stderr, /The value of AGENT_CONNECTION_MODEL cannot be written in \.env form .*Use --format json\./);
      const json = await cli(['env', '--connection', 'odd/local', '--format', 'json'], other);
      assert.strictEqual(json.code, 0, json.stderr);
      assert.strictEqual((JSON.parse(json.stdout) as { variables: Array<{ name: string; value: string }> }).variables.find((v) => v.name === 'AGENT_CONNECTION_MODEL')?.value, `${odd} \``);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('help for run and env, listed in the main help', async () => {
    const main = await cli(['--help'], dir);
    assert.match(main.stdout, /^ {2}run {8}start a command/m);
    assert.match(main.stdout, /^ {2}env {8}print those variables/m);
    const run = await cli(['run', '--help'], dir);
    assert.strictEqual(run.code, 0);
    assert.match(run.stdout, /Usage: agent-connections run \(--agent NAME \| --connection MODEL\/CONNECTION\)/);
    assert.match(run.stdout, /128\+N/);
    const env = await cli(['env', '--help'], dir);
    assert.match(env.stdout, /--format FORMAT +dotenv \(default\), shell/);
  });
});
