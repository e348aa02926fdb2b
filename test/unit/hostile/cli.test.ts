/**
 * The hostile corpus (test/fixtures/hostile/) through the CLI that users and CI run: dist/cli.js as a child process,
 * the canary key in the environment. `validate` must report each file's expected problem at its 1-based line and
 * column with its specific message (text and JSON) and exit 1 on errors; on a file with YAML errors `list`, `test`
 * and `env` stop (exit 2) naming the line and column of the first error; no command changes the file's bytes, writes
 * a file or prints the key. Then URLs and header values that hide where a key goes, tried with `test`, `env` and `run`
 * against a trap server on 127.0.0.1 that must receive nothing.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startTrapServer, type TrapServer } from '../../mocks';
import type { ExpectedProblem } from './files.test';
import { CANARY, hostileFixtures, recordCase, recordTrap, repoRoot } from './report';
import { runNode, type ChildRun } from '../helpers';

const EXPECTED: Record<string, ExpectedProblem> = JSON.parse(fs.readFileSync(path.join(hostileFixtures, 'expected.json'), 'utf8'));

const BUNDLE = path.join(repoRoot, 'dist', 'cli.js');
const EXAMPLE = path.join(repoRoot, 'examples', 'workspace', 'agent-connections.yaml');

type Run = ChildRun;

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return runNode(BUNDLE, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env } });
}

/** Every file of a folder with its bytes, to prove that nothing was written. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir, { recursive: true }).map(String).sort().filter((f) => fs.statSync(path.join(dir, f)).isFile()).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

function assertUnchanged(dir: string, before: Map<string, Buffer>, what: string): void {
  const after = snapshot(dir);
  assert.deepStrictEqual([...after.keys()], [...before.keys()], `${what}: a file was added or removed`);
  for (const [f, bytes] of before) assert.ok(after.get(f)!.equals(bytes), `${what}: ${f} changed`);
}

interface CliProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

/** The variables of every connection of the example and of the corpus's `m`/`c`, set to the canary. */
const CANARY_ENV = {
  AGENT_CONNECTIONS__M__C__API_KEY: CANARY,
  AGENT_CONNECTIONS__GPT_4O__PROD_KEY_1__API_KEY: CANARY,
};

describe('hostile input: the corpus through the CLI (dist/cli.js, child processes)', function () {
  this.timeout(60_000);
  const files = Object.keys(EXPECTED).sort();

  before(() => {
    assert.ok(fs.existsSync(BUNDLE), 'run "npm run build" first');
  });

  for (const file of files) {
    const want = EXPECTED[file];
    it(`${file}: validate → ${want.code} at ${want.range[0] + 1}:${want.range[1] + 1}${want.syntaxOk || file.startsWith('agents/') ? '' : '; list, test and env stop there'}`, async () => {
      const isAgents = file.startsWith('agents/');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-hostile-cli-'));
      // An agents file sits beside a valid manifest (the example's), as the default glob finds it.
      const shown = isAgents ? 'team.agents.yaml' : 'agent-connections.yaml';
      fs.copyFileSync(path.join(hostileFixtures, file), path.join(dir, shown));
      if (isAgents) fs.copyFileSync(EXAMPLE, path.join(dir, 'agent-connections.yaml'));
      const before = snapshot(dir);
      const t0 = performance.now();
      let ok = false;
      try {
        const [json, text] = await Promise.all([cli(['validate', '--format', 'json'], dir, CANARY_ENV), cli(['validate'], dir, CANARY_ENV)]);
        const { problems } = JSON.parse(json.stdout) as { problems: CliProblem[] };
        const listing = problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.code} ${p.message}`).join('\n  ');
        const found = problems.find((p) => p.file === shown && p.code === want.code && p.line === want.range[0] + 1 && p.column === want.range[1] + 1);
        assert.ok(found, `${file}: no ${want.code} at ${want.range[0] + 1}:${want.range[1] + 1}; got\n  ${listing}`);
        assert.deepStrictEqual([found.endLine, found.endColumn, found.severity], [want.range[2] + 1, want.range[3] + 1, want.severity], `${file}: end and severity`);
        assert.match(found.message, new RegExp(want.message), `${file}: the message is not the specific one`);
        const errors = problems.filter((p) => p.severity === 'error');
        assert.strictEqual(json.code, errors.length > 0 ? 1 : 0, `${file}: exit code of validate\n${json.stderr}`);
        assert.strictEqual(text.code, json.code, `${file}: text and JSON exit codes differ`);
        assert.ok(text.stdout.includes(`${shown}:${found.line}:${found.column}: ${found.severity} [${found.code}] `), `${file}: text output\n${text.stdout}`);
        for (const r of [json, text]) assert.ok(!(r.stdout + r.stderr).includes(CANARY), `${file}: the key was printed`);

        if (!isAgents && !want.syntaxOk) {
          // The first error names where reading stopped; every command that needs the models stops there (exit 2).
          const first = errors[0];
          const runs = await Promise.all([['list'], ['test', '--timeout-ms', '1000'], ['env', '--connection', 'm/c']].map(async (args) => ({ args, r: await cli(args, dir, CANARY_ENV) })));
          for (const { args, r } of runs) {
            assert.strictEqual(r.code, 2, `${file}: ${args[0]} exit code\n${r.stdout}${r.stderr}`);
            assert.strictEqual(r.stdout, '', `${file}: ${args[0]} printed output`);
            const at = [`:${first.line}:${first.column}: `, `(line ${first.line}, column ${first.column}: `];
            assert.ok(at.some((s) => r.stderr.includes(s)), `${file}: ${args[0]} does not name line ${first.line}, column ${first.column}:\n${r.stderr}`);
            assert.ok(!r.stderr.includes(CANARY), `${file}: ${args[0]} printed the key`);
          }
        }
        assertUnchanged(dir, before, file);
        ok = true;
      } finally {
        recordCase('cli', file, performance.now() - t0, ok, undefined, { code: want.code });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('hostile input: URLs and header values that hide where a key goes, through the CLI', function () {
  this.timeout(60_000);
  let trap: TrapServer;
  let host: string;

  before(async () => {
    trap = await startTrapServer();
    host = trap.origin.replace('http://', '');
  });
  after(async () => {
    recordTrap('unit: CLI test, env and run on hidden URLs and header values', trap);
    await trap.close();
  });

  const manifest = (connection: string) => `version: 1\nmodels:\n  - name: m\n    type: api\n    provider: generic\n    model: mock-model\n    connections:\n      - name: c\n${connection}`;

  /** Each reads as one URL and parses to the trap's (loopback) origin: before the fix the key went there. */
  const URLS: Array<{ title: string; baseUrl: (port: string) => string; message: RegExp }> = [
    { title: 'a line break in the host (a block scalar)', baseUrl: (port) => `        baseUrl: |-\n          http://127.0.0.\n          1:${port}/v1\n`, message: /contains a line break \(U\+000A\) at character 16, which URL parsers drop or change without a word: it would go to 127\.0\.0\.1:\d+\./ },
    { title: 'a carriage return before the port (double-quoted escape)', baseUrl: (port) => `        baseUrl: "http://127.0.0.1\\r:${port}/v1"\n`, message: /contains a carriage return \(U\+000D\) at character 17/ },
    { title: 'a tab in the host', baseUrl: (port) => `        baseUrl: "http://127.0\\t.0.1:${port}/v1"\n`, message: /contains a tab \(U\+0009\) at character 13/ },
    { title: 'a zero-width space in the host', baseUrl: (port) => `        baseUrl: "http://local\\u200bhost:${port}/v1"\n`, message: /contains a zero-width space \(U\+200B\) at character 13, which URL parsers drop or change without a word: it would go to localhost:\d+\./ },
    { title: 'a percent-encoded host', baseUrl: (port) => `        baseUrl: http://127.0.0.%31:${port}/v1\n`, message: /has a percent-encoded host, which URL parsers decode to another text: it would go to 127\.0\.0\.1:\d+\./ },
  ];

  for (const u of URLS) {
    it(`${u.title}: validate reports it, test is blocked, env and run refuse; nothing reaches the trap`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-hidden-url-'));
      const port = host.split(':')[1];
      fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), manifest(u.baseUrl(port)));
      const before = snapshot(dir);
      const t0 = performance.now();
      const connectionsBefore = trap.connections;
      let ok = false;
      try {
        const v = await cli(['validate', '--format', 'json'], dir, CANARY_ENV);
        assert.strictEqual(v.code, 1, v.stdout);
        const [p] = (JSON.parse(v.stdout) as { problems: CliProblem[] }).problems;
        assert.deepStrictEqual([p.code, p.severity, p.line, p.column], ['url-hidden-characters', 'error', 9, 18], v.stdout);
        assert.match(p.message, new RegExp('^`baseUrl` ' + u.message.source));
        assert.match(p.message, /Write the URL on one line, without spaces, invisible characters or % in the host\.$/);

        const t = await cli(['test', '--format', 'json', '--timeout-ms', '2000'], dir, CANARY_ENV);
        assert.strictEqual(t.code, 1, t.stdout + t.stderr);
        const [res] = (JSON.parse(t.stdout) as { results: Array<{ outcome: string; message: string; hint: string }> }).results;
        assert.strictEqual(res.outcome, 'blocked', JSON.stringify(res));
        assert.match(res.message, u.message);
        assert.match(res.hint, /nothing was sent/);

        const e = await cli(['env', '--connection', 'm/c', '--format', 'json'], dir, CANARY_ENV);
        assert.strictEqual(e.code, 1, e.stdout + e.stderr);
        assert.strictEqual(e.stdout, '');
        assert.match(e.stderr, u.message);

        const marker = path.join(os.tmpdir(), `ac-started-${process.pid}-${Date.now()}`);
        const r = await cli(['run', '--connection', 'm/c', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.OPENAI_API_KEY ?? '')`], dir, CANARY_ENV);
        assert.strictEqual(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /nothing was started/);
        assert.ok(!fs.existsSync(marker), 'run started the command with the key');

        for (const x of [v, t, e, r]) assert.ok(!(x.stdout + x.stderr).includes(CANARY), 'the key was printed');
        assert.strictEqual(trap.connections, connectionsBefore, 'a request reached the origin the URL hides');
        assertUnchanged(dir, before, u.title);
        ok = true;
      } finally {
        recordCase('cli', `hidden URL: ${u.title}`, performance.now() - t0, ok);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  const HEADERS: Array<{ title: string; value: string; message: RegExp }> = [
    { title: 'a terminal escape sequence', value: '"agents\\u001b[2J"', message: /header X-Title in Advanced Properties contains a control character \(U\+001B\) at character 7; header values must be printable ASCII\./ },
    { title: 'a C1 control (NEL), which the HTTP client sends as it is', value: '"a\\u0085b"', message: /contains a control character \(U\+0085\) at character 2/ },
    { title: 'a character outside Latin-1, which the HTTP client refuses naming no header', value: '"Agents \\u2014 billing"', message: /contains a non-ASCII character \(U\+2014\) at character 8/ },
    { title: 'a right-to-left override', value: '"\\u202egnillib"', message: /contains an invisible or bidirectional-control character \(U\+202E\) at character 1/ },
  ];

  for (const h of HEADERS) {
    it(`a header value with ${h.title}: validate names the header and the character, test is blocked before sending`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-header-'));
      fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), manifest(`        baseUrl: ${trap.origin}/v1\n        advancedProperties:\n          headers:\n            X-Title: ${h.value}\n`));
      const before = snapshot(dir);
      const connectionsBefore = trap.connections;
      const t0 = performance.now();
      let ok = false;
      try {
        const v = await cli(['validate', '--format', 'json'], dir, CANARY_ENV);
        assert.strictEqual(v.code, 1, v.stdout);
        const [p] = (JSON.parse(v.stdout) as { problems: CliProblem[] }).problems;
        assert.deepStrictEqual([p.code, p.line, p.column], ['header-value', 12, 22], v.stdout);
        assert.match(p.message, new RegExp(h.message.source.replace('header X-Title in Advanced Properties', 'header `X-Title`')));
        const t = await cli(['test', '--format', 'json', '--timeout-ms', '2000'], dir, CANARY_ENV);
        const [res] = (JSON.parse(t.stdout) as { results: Array<{ outcome: string; message: string }> }).results;
        assert.strictEqual(res.outcome, 'blocked', JSON.stringify(res));
        assert.match(res.message, h.message);
        assert.strictEqual(trap.connections, connectionsBefore, 'the request was sent');
        assert.ok(!(v.stdout + t.stdout + t.stderr).includes(CANARY));
        assertUnchanged(dir, before, h.title);
        ok = true;
      } finally {
        recordCase('cli', `header value: ${h.title}`, performance.now() - t0, ok);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('hostile input: connections whose CLI variables collide', function () {
  this.timeout(30_000);

  it('validate warns at the later name (a__b/c and a/b__c, x/y and X/Y); test, env and run refuse both; nothing is sent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-env-collision-'));
    const model = (name: string, connection: string) => `  - name: ${name}\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: ${connection}\n`;
    fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), `version: 1\nmodels:\n${model('a__b', 'c')}${model('a', 'b__c')}${model('x', 'y')}${model('X', 'Y')}`);
    const before = snapshot(dir);
    const env = { AGENT_CONNECTIONS__A__B__C__API_KEY: CANARY, AGENT_CONNECTIONS__X__Y__API_KEY: CANARY };
    const t0 = performance.now();
    let ok = false;
    try {
      const v = await cli(['validate', '--format', 'json'], dir, env);
      assert.strictEqual(v.code, 0, 'warnings only');
      const problems = (JSON.parse(v.stdout) as { problems: CliProblem[] }).problems;
      assert.deepStrictEqual(problems.map((p) => [p.code, p.severity, p.line, p.column]), [['env-collision', 'warning', 14, 15], ['env-collision', 'warning', 26, 15]]);
      assert.strictEqual(problems[0].message, '`a/b__c` reads its key from the same CLI variables as `a__b/c` (line 8): AGENT_CONNECTIONS__A__B__C__…, so "test", "run" and "env" refuse both. Rename one of them.');
      assert.match(problems[1].message, /^`X\/Y` reads its key from the same CLI variables as `x\/y` \(line 20\): AGENT_CONNECTIONS__X__Y__…/);
      for (const args of [['test', '--endpoint', 'openai=http://127.0.0.1:9'], ['env', '--connection', 'X/Y'], ['run', '--connection', 'a/b__c', '--', process.execPath, '-e', '']]) {
        const r = await cli(args, dir, env);
        assert.strictEqual(r.code, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /map to the same environment variables/, args[0]);
        assert.ok(!(r.stdout + r.stderr).includes(CANARY));
      }
      assertUnchanged(dir, before, 'env collision');
      ok = true;
    } finally {
      recordCase('cli', 'connections whose CLI variables collide', performance.now() - t0, ok);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hostile input: symbolic links out of the workspace, through the CLI', function () {
  this.timeout(30_000);

  it('an agents file linking out of the manifest\'s folder is reported and not read; a link inside is read; the default manifest may not link out', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-links-'));
    const ws = path.join(root, 'ws');
    const outside = path.join(root, 'outside');
    fs.mkdirSync(path.join(ws, 'agents'), { recursive: true });
    fs.mkdirSync(outside);
    fs.copyFileSync(EXAMPLE, path.join(ws, 'agent-connections.yaml'));
    // What a cloned repository could point at: a file of this machine, whose key names must not reach a CI log.
    fs.writeFileSync(path.join(outside, 'secrets.yaml'), 'db_password_SENTINEL: hunter2-SENTINEL\nagents:\n  - name: SENTINEL-agent\n    connection: SENTINEL/ref\n');
    fs.symlinkSync(path.join('..', '..', 'outside', 'secrets.yaml'), path.join(ws, 'agents', 'team.agents.yaml'));
    fs.writeFileSync(path.join(ws, 'agents', 'real.yaml'), 'agents:\n  - name: billing\n    connection: gpt-4o/prod-key-1\n');
    fs.symlinkSync('real.yaml', path.join(ws, 'agents', 'inside.agents.yaml'));
    const t0 = performance.now();
    let ok = false;
    try {
      const v = await cli(['validate', '--format', 'json'], ws, CANARY_ENV);
      assert.strictEqual(v.code, 1, v.stdout + v.stderr);
      const problems = (JSON.parse(v.stdout) as { problems: CliProblem[] }).problems;
      assert.deepStrictEqual(problems.map((p) => [p.file, p.code, p.line, p.column]), [['agents/team.agents.yaml', 'link-outside', 1, 1]], v.stdout);
      assert.strictEqual(problems[0].message, `The agents file is a symbolic link to ${fs.realpathSync(path.join(outside, 'secrets.yaml'))}, outside the manifest's folder: it is not read. Replace the link with the file itself.`);
      assert.ok(!v.stdout.includes('SENTINEL_') && !v.stdout.includes('SENTINEL-') && !v.stdout.includes('SENTINEL/'), 'the linked file was read');

      const r = await cli(['env', '--agent', 'SENTINEL-agent'], ws, CANARY_ENV);
      assert.strictEqual(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^warning: agents\/team\.agents\.yaml is a symbolic link to .*secrets\.yaml, outside the manifest's folder: not read\.$/m);
      assert.match(r.stderr, /No agent or supervisor named "SENTINEL-agent"/);
      const inside = await cli(['env', '--agent', 'billing'], ws, CANARY_ENV);
      assert.strictEqual(inside.code, 0, `a link inside the folder is read: ${inside.stderr}`);
      assert.match(inside.stdout, /^# billing → gpt-4o\/prod-key-1: secrets are placeholders, never keys$/m);

      // The default manifest linking out of the current folder: not read by any command; named with --manifest, it is.
      fs.rmSync(path.join(ws, 'agents'), { recursive: true });
      fs.renameSync(path.join(ws, 'agent-connections.yaml'), path.join(outside, 'agent-connections.yaml'));
      fs.symlinkSync(path.join('..', 'outside', 'agent-connections.yaml'), path.join(ws, 'agent-connections.yaml'));
      for (const args of [['validate'], ['list'], ['test'], ['env', '--connection', 'gpt-4o/prod-key-1'], ['export', 'litellm']]) {
        const m = await cli(args, ws, CANARY_ENV);
        assert.strictEqual(m.code, 2, `${args[0]}: ${m.stdout}${m.stderr}`);
        assert.strictEqual(m.stdout, '', args[0]);
        assert.match(m.stderr, /^agent-connections: agent-connections\.yaml is a symbolic link to .*outside\/agent-connections\.yaml, outside the current folder: it is not read\. Pass --manifest with that path to read it anyway\.\n$/, args[0]);
      }
      const named = await cli(['list', '--manifest', path.join(outside, 'agent-connections.yaml')], ws, CANARY_ENV);
      assert.strictEqual(named.code, 0, named.stderr);
      assert.ok(!JSON.stringify([v, r, inside, named]).includes(CANARY));
      ok = true;
    } finally {
      recordCase('cli', 'symbolic links out of the workspace', performance.now() - t0, ok);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('hostile input: names that read as something else, printed by the CLI', function () {
  this.timeout(30_000);

  it('list, test and env write bidi controls and zero-width characters out as \\uXXXX (text and JSON), never raw (env\'s variable values stay exact)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-bidi-out-'));
    fs.writeFileSync(path.join(dir, 'agent-connections.yaml'), 'version: 1\nmodels:\n  - name: "gpt\\u202e4o"\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: "c\\u200bx"\n');
    const t0 = performance.now();
    let ok = false;
    try {
      const runs = await Promise.all([['list'], ['list', '--format', 'json'], ['test', '--endpoint', 'openai=http://127.0.0.1:9', '--format', 'json'], ['env', '--connection', 'gpt\u202e4o/c\u200bx', '--format', 'json']].map((args) => cli(args, dir, CANARY_ENV)));
      // env's variable values stay exact (they are what the command would get, read back by dotenv and shells).
      const envShown = JSON.stringify({ ...(JSON.parse(runs[3].stdout) as Record<string, unknown>), variables: undefined });
      for (const text of [...runs.slice(0, 3).map((r) => r.stdout + r.stderr), runs[3].stderr, envShown]) {
        assert.ok(!/[\u200b\u202e]/.test(text), `a raw bidi or zero-width character was printed:\n${text}`);
      }
      assert.match(runs[0].stdout, /^gpt\\u202e4o\/c\\u200bx {2}openai/m);
      assert.strictEqual((JSON.parse(runs[1].stdout) as { models: Array<{ name: string }> }).models[0].name, 'gpt\\u202e4o');
      assert.match(runs[3].stdout, /"connection": "gpt\\\\u202e4o\/c\\\\u200bx"/);
      ok = true;
    } finally {
      recordCase('cli', 'names with bidi and zero-width characters, printed', performance.now() - t0, ok);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
