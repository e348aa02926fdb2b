/**
 * The fast read path and the full `yaml` path must agree exactly: same problems (code,
 * severity, message, start, end, range), same tree model (models, connections, spans),
 * and — whenever the fast parser answers — the same position tree and plain data.
 */
import * as assert from 'assert';
import { fastParse, resolvePlain } from '../../src/core/yaml/fastYaml';
import { loadTree, loadYaml } from '../../src/core/yaml/yamlLoad';
import { benchCorpus, EDGE_CASES, fileCorpus, mutations, recordedTexts } from './corpus';
import { cpuMs } from './helpers';
import { compareAll } from './yamlCompare';

describe('read path: fast parser ≡ full yaml path', function () {
  this.timeout(120_000);
  let recorded: string[] = [];
  before(() => {
    recorded = recordedTexts();
  });

  it('scalar typing matches the yaml core schema', () => {
    for (const text of EDGE_CASES.slice(0, 120)) {
      const y = loadYaml(text, 'manifest');
      const f = fastParse(text);
      if (f) assert.deepStrictEqual(f.data, y.data, JSON.stringify(text));
    }
    assert.strictEqual(resolvePlain('0o17'), 15);
    assert.strictEqual(resolvePlain('0x1F'), 31);
    assert.ok(Number.isNaN(resolvePlain('.NaN')));
    assert.strictEqual(resolvePlain('-.inf'), Number.NEGATIVE_INFINITY);
    assert.strictEqual(resolvePlain('True'), true);
    assert.strictEqual(resolvePlain('yes'), 'yes');
    assert.strictEqual(resolvePlain('2026-11-22'), '2026-11-22');
  });

  it('stays linear on mappings with very many keys (duplicates are found with a set)', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => `k${i}: ${i}`).join('\n') + '\n';
    const flow = `a: {${Array.from({ length: 50_000 }, (_, i) => `k${i}: ${i}`).join(', ')}}\n`;
    const ms = cpuMs(() => {
      assert.ok(fastParse(many));
      assert.strictEqual(fastParse(many + 'k7: again\n'), undefined);
      assert.ok(fastParse(flow));
      assert.strictEqual(fastParse(flow.replace('}\n', ', k9: 1}\n')), undefined);
      assert.ok(fastParse(many, { retainDepth: 0, data: false }));
      assert.strictEqual(fastParse(many + 'k7: again\n', { retainDepth: 0, data: false }), undefined);
    });
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms of CPU`);
  });

  it('edge cases', () => {
    const r = compareAll(EDGE_CASES.map((t, i) => [`edge case #${i} ${JSON.stringify(t.slice(0, 40))}`, t]));
    assert.ok(r.fast > 50, `the fast path reads the plain cases (${r.fast} of ${r.total})`);
  });

  it('every fixture and example file', () => {
    const files = fileCorpus();
    compareAll(files);
    for (const [name, text] of files) if (name.startsWith('examples')) assert.ok(loadTree(text, 'manifest').fast, `${name} takes the fast path`);
  });

  it('the benchmark manifests take the fast path and agree', async () => {
    const bench = await benchCorpus();
    const r = compareAll(bench);
    assert.strictEqual(r.fast, r.total);
  });

  it('mutations of the example, the fixtures and a benchmark manifest', async () => {
    const seeds = [...fileCorpus()].filter(([n]) => /agent-connections\.yaml|base\.input|flow\.input|indent4\.input|support\.agents/.test(n));
    seeds.push(...(await benchCorpus([100])));
    let total = 0;
    let fast = 0;
    seeds.forEach(([name, text], si) => {
      const r = compareAll(mutations(text, name.startsWith('bench') ? 60 : 150, 1000 + si).map((t, i) => [`${name} mutation #${i}`, t]));
      total += r.total;
      fast += r.fast;
    });
    // Both decisions are exercised: many mutations are read fast, many are refused.
    console.log(`      (${total} mutations, ${fast} read by the fast path)`);
    assert.ok(fast > total / 10 && fast < total, `fast path taken for ${fast} of ${total} mutations`);
  });

  // Runs last in the file, after the other test files have loaded their texts.
  it('every text the other unit tests loaded', () => {
    const r = compareAll(recorded.map((t, i) => [`recorded #${i} ${JSON.stringify(t.slice(0, 60))}`, t]));
    console.log(`      (${r.total} recorded texts, ${r.fast} read by the fast path)`);
  });
});
