/**
 * The differential fuzzer of the two read paths: a seeded, bounded run of generated YAML
 * texts (yamlGen.ts), each compared on both paths with the equivalence test's comparison
 * (yamlCompare.ts): `syntaxOk` first (the fast path may never allow an edit the full path
 * refuses), then problems, the tree model, the position tree and the data. Every
 * disagreement it ever found is kept in test/fixtures/yaml-paths/disagreements.json and
 * checked on every run; a new one is appended there (and printed, JSON-escaped) and fails
 * the run. Its figures go to test-results/security/yaml-fuzz.json for docs/SECURITY-TESTS.md.
 *
 * Runs after yamlPaths.test.ts (name order), so its texts are not in that file's recorded corpus.
 * A longer run: YAML_FUZZ_COUNT=100000 YAML_FUZZ_SEED=7 npx mocha --config .mocharc.json --grep fuzzer
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addModel, EditError } from '../../src/core/manifest/edit';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { repoRoot } from './helpers';
import { compare } from './yamlCompare';
import { generateYamlTexts } from './yamlGen';

const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'yaml-paths', 'disagreements.json');
const COUNT = Number(process.env.YAML_FUZZ_COUNT ?? 3000);
const SEED = Number(process.env.YAML_FUZZ_SEED ?? 20261205);

interface Found {
  /** The text, byte-exact. */
  text: string;
  /** The first disagreement reported when it was found. */
  found: string;
  /** What was wrong and where it was fixed. */
  cause?: string;
}

function readFixtures(): Found[] {
  return JSON.parse(fs.readFileSync(FIXTURES, 'utf8')) as Found[];
}

/** The disagreement on `text` (the comparison's first message line), or undefined when both paths agree. */
function disagreement(name: string, text: string): { message?: string; fast: boolean } {
  try {
    return compare(name, text);
  } catch (e) {
    if (!(e instanceof assert.AssertionError)) throw e;
    return { message: e.message.split('\n')[0].slice(name.length + 2), fast: false };
  }
}

describe('read path: differential fuzzer (generated YAML texts, fast ≡ full)', function () {
  this.timeout(120_000);

  it('every disagreement the fuzzer found (kept as fixtures) now agrees', () => {
    const found = readFixtures();
    assert.ok(found.length > 0);
    for (const [i, f] of found.entries()) compare(`fixture #${i} ${JSON.stringify(f.text)}`, f.text);
  });

  it('a BOM followed by a top-level sequence: both paths report the syntax error and refuse edits (the first disagreement found)', () => {
    for (const text of ['\ufeff- true', '\ufeff- name: m\n  type: easy\n']) {
      const a = analyzeManifest(text);
      assert.strictEqual(a.syntaxOk, false, JSON.stringify(text));
      assert.ok(a.problems.some((p) => p.code === 'yaml-syntax'), JSON.stringify(text));
      assert.throws(() => addModel(text, { name: 'n', type: 'easy', provider: 'openai', model: 'gpt-4o' }), (e: unknown) => e instanceof EditError && e.code === 'syntax');
    }
    // The same sequence without the BOM, and a BOM before a mapping, are still read by the fast path.
    assert.strictEqual(analyzeManifest('- true\n').syntaxOk, true);
    assert.strictEqual(analyzeManifest('\ufeffversion: 1\nmodels: []\n').syntaxOk, true);
  });

  it(`${COUNT} generated texts (seed ${SEED}): both paths agree on syntaxOk, problems, tree model, ranges and data`, () => {
    const t0 = performance.now();
    const texts = generateYamlTexts(COUNT, SEED);
    const known = new Set(readFixtures().map((f) => f.text));
    const distinct = new Set(texts).size;
    let fast = 0;
    let unsafe = 0;
    const fresh: Found[] = [];
    const seen = new Set<string>();
    for (const [i, text] of texts.entries()) {
      const d = disagreement(`generated #${i}`, text);
      if (d.fast) fast++;
      if (d.message === undefined || seen.has(text)) continue;
      seen.add(text);
      if (/allows edits the full path refuses/.test(d.message)) unsafe++;
      console.log(`      disagreement: ${JSON.stringify(text)}\n        ${d.message}`);
      if (!known.has(text)) fresh.push({ text, found: d.message });
    }
    const ms = performance.now() - t0;
    console.log(`      (${texts.length} texts, ${distinct} distinct, ${fast} read by the fast path, ${seen.size} disagreements, ${(ms / 1000).toFixed(1)} s)`);

    const dir = path.join(repoRoot, 'test-results', 'security');
    fs.mkdirSync(dir, { recursive: true });
    const cpus = os.cpus();
    const figures = { date: new Date().toISOString(), seed: SEED, texts: texts.length, distinct, fast, disagreements: seen.size, unsafe, fixtures: readFixtures().length, ms: Math.round(ms), machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', node: process.version } };
    fs.writeFileSync(path.join(dir, 'yaml-fuzz.json'), JSON.stringify(figures, null, 2) + '\n');
    // New disagreements go beside the figures, not into the tracked fixture: a failing run leaves
    // the checkout clean, and they are added to disagreements.json by hand once explained.
    if (fresh.length > 0) fs.writeFileSync(path.join(dir, 'yaml-fuzz-new.json'), JSON.stringify(fresh, null, 2) + '\n');

    assert.strictEqual(seen.size, 0, `${seen.size} texts on which the paths disagree (${fresh.length} new, written to test-results/security/yaml-fuzz-new.json: explain them and add them to test/fixtures/yaml-paths/disagreements.json)`);
    // Both decisions are exercised: many texts are read fast, many are refused.
    assert.ok(fast > texts.length / 5 && fast < texts.length * 0.9, `fast path taken for ${fast} of ${texts.length} texts`);
  });
});
