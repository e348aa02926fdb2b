/**
 * The CLI on files that are not UTF-8 text, as child processes (out/src/cli/main.js): `validate` reports
 * `not valid UTF-8` (or UTF-16, or a NUL) at the first bad byte's 1-based line and column and exits 1; the
 * commands that read the manifest for something else stop (exit 2) saying where; no file is ever written.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot, runNode, type ChildRun } from './helpers';

const CLI = path.join(repoRoot, 'out', 'src', 'cli', 'main.js');
const EXAMPLE = fs.readFileSync(path.join(repoRoot, 'examples', 'workspace', 'agent-connections.yaml'));

function cli(args: string[], cwd: string): Promise<ChildRun> {
  return runNode(CLI, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } });
}

/** A folder holding `files` (name → bytes); returns it and a check that every file still has its bytes and nothing was added. */
function folder(files: Record<string, Buffer>): { dir: string; unchanged: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-connections-enc-'));
  for (const [name, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  const list = () => fs.readdirSync(dir, { recursive: true }).map(String).sort();
  const before = list();
  return {
    dir,
    unchanged: () => {
      assert.deepStrictEqual(list(), before, 'no file was added');
      for (const [name, bytes] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(dir, name)).equals(bytes), `${name}: its bytes changed`);
    },
  };
}

/** The example manifest with `ff fe fa` inside the name `prod-key-2` (line 20, after "      - name: prod-"). */
function exampleWithBadName(): Buffer {
  const at = EXAMPLE.indexOf('prod-key-2') + 'prod-'.length;
  return Buffer.concat([EXAMPLE.subarray(0, at), Buffer.from([0xff, 0xfe, 0xfa]), EXAMPLE.subarray(at)]);
}

describe('cli: files that are not UTF-8 text', function () {
  this.timeout(30_000);

  it('validate: `ff fe fa` in a name is "not valid UTF-8" at its line and column, exit 1 (text and JSON); bytes unchanged', async () => {
    const bytes = exampleWithBadName();
    assert.strictEqual(bytes.toString('latin1').split('\n')[19].indexOf('\xff'), 19, 'the fixture: 0xff at the 20th character of line 20');
    const f = folder({ 'agent-connections.yaml': bytes });
    const text = await cli(['validate'], f.dir);
    assert.strictEqual(text.code, 1, text.stdout + text.stderr);
    assert.match(text.stdout, /^agent-connections\.yaml:20:20: error \[invalid-utf8\] The manifest is not valid UTF-8: byte 0xff never occurs in UTF-8\./m);
    assert.match(text.stdout, /^1 error, 0 warnings in 1 file\.$/m, 'that problem only: nothing is read from the rest');
    const json = await cli(['validate', '--format', 'json'], f.dir);
    assert.strictEqual(json.code, 1);
    const { problems } = JSON.parse(json.stdout) as { problems: Array<Record<string, unknown>> };
    assert.deepStrictEqual(problems.map((p) => [p.file, p.line, p.column, p.endLine, p.endColumn, p.severity, p.code]), [['agent-connections.yaml', 20, 20, 20, 21, 'error', 'invalid-utf8']]);
    f.unchanged();
  });

  it('validate: UTF-16 with and without a BOM, a NUL byte, a truncated character at the end: each at its position, exit 1', async () => {
    const utf8 = EXAMPLE.toString('utf8');
    const cases: Array<[string, Buffer, RegExp]> = [
      ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8, 'utf16le')]), /^agent-connections\.yaml:1:1: error \[utf16\] The manifest is UTF-16 \(little-endian, with a byte-order mark\), not UTF-8: .*Save the file as UTF-8/m],
      ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf8, 'utf16le').swap16()]), /^agent-connections\.yaml:1:1: error \[utf16\] The manifest is UTF-16 \(big-endian, with a byte-order mark\)/m],
      ['UTF-16LE without BOM', Buffer.from(utf8, 'utf16le'), /^agent-connections\.yaml:1:1: error \[utf16\] The manifest is UTF-16 \(little-endian, without a byte-order mark\)/m],
      ['NUL', Buffer.from(utf8.replace('Production project key', 'Production\0project key')), /^agent-connections\.yaml:19:32: error \[nul-byte\] The manifest contains a NUL character \(byte 0x00\)/m],
      ['truncated at EOF', Buffer.concat([EXAMPLE, Buffer.from('# caf'), Buffer.from([0xc3])]), new RegExp(`^agent-connections\\.yaml:${utf8.split('\n').length}:6: error \\[invalid-utf8\\] The manifest is not valid UTF-8: the file ends inside a character`, 'm')],
    ];
    for (const [name, bytes, want] of cases) {
      const f = folder({ 'agent-connections.yaml': bytes });
      const r = await cli(['validate'], f.dir);
      assert.strictEqual(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, want, name);
      f.unchanged();
    }
  });

  it('validate: an agents file that is not UTF-8 is reported at its position; a UTF-8 BOM is fine (exit 0)', async () => {
    const f = folder({
      'agent-connections.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), EXAMPLE]),
      'team.agents.yaml': Buffer.concat([Buffer.from('agents:\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n    connection: gpt-4o/prod-key-1\n')]),
    });
    const r = await cli(['validate'], f.dir);
    assert.strictEqual(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^team\.agents\.yaml:2:14: error \[invalid-utf8\] The agents file is not valid UTF-8: a character is cut short: byte 0xe9 needs 2 continuation bytes, but 0x0a follows\./m);
    assert.ok(!/^agent-connections\.yaml:/m.test(r.stdout), `the manifest with a UTF-8 BOM has no problem: ${r.stdout}`);
    f.unchanged();
    const bom = folder({ 'agent-connections.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), EXAMPLE]) });
    const ok = await cli(['validate', '--agents', 'none/*.yaml'], bom.dir);
    assert.strictEqual(ok.code, 0, ok.stdout + ok.stderr);
  });

  it('list, test and export stop saying where (exit 2); import of a LiteLLM config that is not UTF-8 writes nothing', async () => {
    const f = folder({ 'agent-connections.yaml': exampleWithBadName(), 'litellm.yaml': Buffer.concat([Buffer.from('model_list:\n  - model_name: gpt-'), Buffer.from([0xff]), Buffer.from('4o\n    litellm_params:\n      model: openai/gpt-4o\n')]) });
    for (const cmd of [['list'], ['test'], ['export', 'litellm', '--out', 'litellm-out.yaml']]) {
      const r = await cli(cmd, f.dir);
      assert.strictEqual(r.code, 2, `${cmd.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /Cannot read the manifest agent-connections\.yaml:20:20: The manifest is not valid UTF-8: byte 0xff/, cmd.join(' '));
      assert.strictEqual(r.stdout, '', cmd.join(' '));
    }
    const imp = await cli(['import', 'litellm', 'litellm.yaml', '--out', 'imported.yaml'], f.dir);
    assert.strictEqual(imp.code, 2, imp.stdout + imp.stderr);
    assert.match(imp.stderr, /Cannot read the LiteLLM config litellm\.yaml:2:21: The LiteLLM config is not valid UTF-8: byte 0xff never occurs in UTF-8/);
    f.unchanged();
  });
});
