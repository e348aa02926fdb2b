/**
 * Hostile manifests and agents files (SECURITY.md §6 and §1): the corpus in test/fixtures/hostile/, one case per
 * file, its expected problem in expected.json (code, exact range, the text under it and a message pattern that
 * only a specific message matches), plus a few generated files too large to commit. Each must end in that
 * problem in < 200 ms without throwing; an edit through the edit module is refused (YAML errors) or changes only
 * its own lines and leaves the problem in place; the file's bytes never change.
 */
import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeAgents } from '../../../src/core/agents/agents';
import { clearAgentConnection, setAgentConnection } from '../../../src/core/agents/agentsEdit';
import { decodeSource } from '../../../src/core/yaml/encoding';
import { unreadableAgents, unreadableManifest } from '../../../src/core/manifest/unreadable';
import { addConnection, applyEdits, deleteConnection, EditError, setConnectionEnabled, type TextEdit } from '../../../src/core/manifest/edit';
import { analyzeManifest } from '../../../src/core/manifest/manifest';
import type { Problem } from '../../../src/core/yaml/problems';
import { hostileFixtures, mb, recordCase } from './report';

export interface ExpectedProblem {
  threat: string;
  code: string;
  severity: 'error' | 'warning' | 'information';
  /** 0-based [startLine, startCharacter, endLine, endCharacter], as VS Code shows it. */
  range: [number, number, number, number];
  /** The source text under the range. */
  text: string;
  /** A regular expression the message must match: names the offending thing. */
  message: string;
  /** No YAML errors: the edit module may change the file (only its own lines). */
  syntaxOk: boolean;
}

export const EXPECTED: Record<string, ExpectedProblem> = JSON.parse(fs.readFileSync(path.join(hostileFixtures, 'expected.json'), 'utf8'));
export const TIME_LIMIT_MS = 200;

/** Messages that say nothing about the problem (raw validator or parser texts). */
const VAGUE = /must NOT be valid|property name must be valid|must match "then"|Maximum call stack|^YAML syntax error: undefined|\[object Object\]/;

export function checkProblems(file: string, text: string, problems: Problem[], want: ExpectedProblem): Problem {
  const found = problems.find((p) => p.code === want.code && p.range.start.line === want.range[0] && p.range.start.character === want.range[1]);
  const listing = problems.map((p) => `${p.code}@${p.range.start.line}:${p.range.start.character}-${p.range.end.line}:${p.range.end.character} ${p.message}`).join('\n  ');
  assert.ok(found, `${file}: no ${want.code} at ${want.range[0]}:${want.range[1]}; got\n  ${listing}`);
  assert.deepStrictEqual([found.range.start.line, found.range.start.character, found.range.end.line, found.range.end.character], want.range, `${file}: range`);
  assert.strictEqual(text.slice(found.start, found.end), want.text, `${file}: the text under the range`);
  assert.strictEqual(found.severity, want.severity, `${file}: severity`);
  assert.match(found.message, new RegExp(want.message), `${file}: the message is not the specific one`);
  for (const p of problems) {
    assert.ok(p.message.length > 10 && p.message.length < 600, `${file}: message length ${p.message.length}`);
    assert.ok(!VAGUE.test(p.message), `${file}: vague message ${JSON.stringify(p.message)}`);
    assert.ok(p.start >= 0 && p.start <= p.end && p.end <= text.length, `${file}: range outside the text`);
  }
  return found;
}

function sha(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Tries edits through the edit module: refused on YAML errors; otherwise confined to their own lines. */
function tryEdits(file: string, text: string, isAgents: boolean, want: ExpectedProblem): { refused: number; applied: number } {
  const analyze = isAgents ? analyzeAgents : analyzeManifest;
  let refused = 0;
  let applied = 0;
  const attempts: Array<() => TextEdit[]> = isAgents
    ? [
      () => setAgentConnection(text, { kind: 'agent', name: 'billing' }, 'gpt-4o/prod-key-1'),
      () => clearAgentConnection(text, { kind: 'agent', name: 'billing' }),
    ]
    : (() => {
      const a = analyzeManifest(text);
      const model = a.models[0]?.name ?? 'm';
      const connection = a.models[0]?.connections[0]?.name ?? 'c';
      return [
        () => setConnectionEnabled(text, { model, connection }, false),
        () => deleteConnection(text, { model, connection }),
        () => addConnection(text, model, { name: 'added-by-test', enabled: true }),
      ];
    })();
  for (const attempt of attempts) {
    let edits: TextEdit[];
    try {
      edits = attempt();
    } catch (err) {
      assert.ok(err instanceof EditError, `${file}: the edit module threw ${String(err)}`);
      if (!want.syntaxOk) assert.strictEqual(err.code, 'syntax', `${file}: refused for another reason: ${err.message}`);
      refused++;
      continue;
    }
    assert.ok(want.syntaxOk, `${file}: a file with YAML errors was edited`);
    applied++;
    if (edits.length === 0) continue;
    const next = applyEdits(text, edits);
    const from = Math.min(...edits.map((e) => e.start));
    const to = Math.max(...edits.map((e) => e.end));
    assert.strictEqual(next.slice(0, from), text.slice(0, from), `${file}: text before the edit changed`);
    assert.strictEqual(next.slice(next.length - (text.length - to)), text.slice(to), `${file}: text after the edit changed`);
    // While the hostile text is still there, so is its problem: an edit never hides it.
    const after = analyze(next).problems;
    if (want.text !== '' && next.includes(want.text)) assert.ok(after.some((p) => p.code === want.code), `${file}: after an edit the ${want.code} problem is gone`);
  }
  return { refused, applied };
}

describe('hostile input: manifests and agents files', function () {
  this.timeout(20_000);
  const files = Object.keys(EXPECTED).sort();
  const hashes = new Map<string, string>();

  before(() => {
    // Warm the analysis up once on a valid file, so the first hostile case is not charged for loading code.
    analyzeManifest('version: 1\nmodels:\n  - name: m\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: c\n');
    analyzeAgents('agents:\n  - name: a\n');
    for (const f of files) hashes.set(f, sha(fs.readFileSync(path.join(hostileFixtures, f))));
  });

  it('the corpus has ≥ 25 files, each with an expectation, and every expectation has its file', () => {
    const onDisk = ['manifests', 'agents'].flatMap((d) => fs.readdirSync(path.join(hostileFixtures, d)).map((f) => `${d}/${f}`)).sort();
    assert.deepStrictEqual(onDisk, files);
    assert.ok(files.length >= 25, `${files.length} files`);
    assert.ok(files.some((f) => f.startsWith('agents/')) && files.some((f) => f.startsWith('manifests/')));
  });

  for (const file of files) {
    const want = EXPECTED[file];
    it(`${file}: ${want.code} — ${want.threat}`, () => {
      const isAgents = file.startsWith('agents/');
      const bytes = fs.readFileSync(path.join(hostileFixtures, file));
      const heap = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      // As every read path does: bytes that are not UTF-8 text are that problem only.
      const { text, problem } = decodeSource(bytes, isAgents ? 'agents file' : 'manifest');
      const analysis = problem ? (isAgents ? unreadableAgents : unreadableManifest)(problem) : isAgents ? analyzeAgents(text) : analyzeManifest(text);
      const ms = performance.now() - t0;
      const grown = mb(heap, process.memoryUsage().heapUsed);
      let ok = false;
      try {
        checkProblems(file, text, analysis.problems, want);
        assert.strictEqual(analysis.syntaxOk, want.syntaxOk, `${file}: syntaxOk`);
        assert.ok(ms < TIME_LIMIT_MS, `${file}: ${ms.toFixed(0)} ms`);
        // Such bytes never reach the edit module: the editor's and the CLI's reads refuse them
        // (test/integration/encoding.test.ts, test/unit/cli/encoding.test.ts).
        const edits = problem ? { refused: 0, applied: 0 } : tryEdits(file, text, isAgents, want);
        assert.strictEqual(sha(fs.readFileSync(path.join(hostileFixtures, file))), hashes.get(file), `${file}: the file's bytes changed`);
        ok = true;
        recordCase('files', file, ms, ok, grown, { code: want.code, problems: analysis.problems.length, editsRefused: edits.refused, editsApplied: edits.applied });
      } finally {
        if (!ok) recordCase('files', file, ms, false, grown);
      }
    });
  }

  /**
   * Too large (or too regular) to commit: built here, same checks. Their bound grows with their size (a normal
   * 1.5 MB manifest takes ~0.9 s on the full `yaml` read path today), but it must stay linear: the two mapping
   * cases were quadratic (20,000 keys took 0.5 s, 40,000 took 39 s) before yamlLoad stopped using `uniqueKeys`.
   */
  const GENERATED_LIMIT_MS = 2_000;
  const GENERATED: Array<{ name: string; text: () => string; code: string; message: RegExp; at: (t: string) => number }> = [
    { name: 'a 9 MB file', text: () => 'version: 1\nmodels: []\n#' + 'x'.repeat(9 * 1024 * 1024) + '\n', code: 'file-too-large', message: /is 9\.0 MB; files over 8 MB are not read/, at: () => 0 },
    { name: '2,000 levels of block nesting (4 MB)', text: () => 'version: 1\nmodels:\n' + Array.from({ length: 2000 }, (_, i) => ' '.repeat(i * 2 + 2) + 'k:').join('\n') + ' 1\n', code: 'too-deep', message: /deeper than 32 levels/, at: (t) => t.indexOf('k:', t.indexOf('k:'.padStart(33 * 2 + 2, ' '))) },
    { name: '100,000 nested flow mappings', text: () => 'version: 1\nmodels: ' + '{a: '.repeat(100_000) + '1' + '}'.repeat(100_000) + '\n', code: 'too-deep', message: /deeper than 32 levels/, at: () => 'version: 1\nmodels: '.length + 32 * 4 },
    { name: '20,000 duplicate keys (problems capped)', text: () => 'version: 1\nmodels: []\n' + 'x: 1\n'.repeat(20_000), code: 'duplicate-key', message: /Duplicate key `x`: it is already set on line 3/, at: (t) => t.indexOf('x: 1\n') + 5 },
    { name: '20,000 distinct unknown keys in one mapping', text: () => 'version: 1\nmodels: []\n' + Array.from({ length: 20_000 }, (_, i) => `x${i}: 1\n`).join(''), code: 'schema-unknown-key', message: /Unknown key `x0`/, at: (t) => t.indexOf('x0:') },
    { name: 'a 2 MB single-line name', text: () => 'version: 1\nmodels:\n  - name: "' + 'n'.repeat(2 * 1024 * 1024) + '"\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections: []\n', code: 'schema-invalid-value', message: /`name` .*too long|at most 100/, at: (t) => t.indexOf('"') },
  ];
  for (const g of GENERATED) {
    it(`generated: ${g.name} → ${g.code}`, () => {
      const text = g.text();
      const heap = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const a = analyzeManifest(text);
      const ms = performance.now() - t0;
      const grown = mb(heap, process.memoryUsage().heapUsed);
      const p = a.problems.find((x) => x.code === g.code);
      assert.ok(p, `${g.name}: ${a.problems.slice(0, 5).map((x) => `${x.code} ${x.message}`).join('; ')}`);
      assert.match(p.message, g.message);
      assert.strictEqual(p.start, g.at(text), `${g.name}: position`);
      assert.ok(a.problems.length <= 500, 'problems are capped');
      assert.ok(ms < GENERATED_LIMIT_MS, `${g.name}: ${ms.toFixed(0)} ms`);
      assert.throws(() => setConnectionEnabled(text, { model: 'm', connection: 'c' }, false), EditError);
      recordCase('generated', g.name, ms, true, grown, { code: g.code, problems: a.problems.length, chars: text.length });
    });
  }

  it('__proto__ and constructor keys never reach Object.prototype', () => {
    for (const f of ['manifests/proto-key.yaml', 'manifests/constructor-key.yaml', 'agents/proto-key.agents.yaml']) {
      const text = fs.readFileSync(path.join(hostileFixtures, f), 'utf8');
      (f.startsWith('agents/') ? analyzeAgents : analyzeManifest)(text);
    }
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
    assert.strictEqual(({} as Record<string, unknown>).isAdmin, undefined);
  });
});
