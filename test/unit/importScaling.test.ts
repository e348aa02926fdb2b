/**
 * Import is linear in the entries of the imported file: the model builder (ModelCollector in
 * importers/common.ts) groups, names, deduplicates and writes thousands of entries without
 * comparing each with every other or re-reading the growing manifest per model. Timed as
 * test/unit/hostile/scaling.test.ts does: CPU time, sizes n and 4n interleaved round by
 * round, medians; linear gives ×4 from n to 4n (less, with fixed costs), quadratic ×16.
 */
import * as assert from 'assert';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { importLiteLLM } from '../../src/core/import-export/importers/litellm';
import { cpuMs } from './helpers';

/** Largest allowed ratio of the median time at 4n to the one at n (×2.45 per doubling). */
const MAX_RATIO = 6;
const ROUNDS = 3;

const entry = (name: string, model: string, extra = '') => `  - model_name: ${name}\n    litellm_params:\n      model: ${model}\n${extra}`;
const list = (n: number, f: (i: number) => string) => `model_list:\n${Array.from({ length: n }, (_, i) => f(i)).join('')}`;

interface Family {
  input: string;
  n: number;
  make: (n: number) => string;
  /** What the import of n entries must give: models, and connections of the first model. */
  expect: (n: number) => { models: number; firstConnections: number };
}

const FAMILIES: Family[] = [
  {
    input: 'one model_name, an entry per key variable: one model with n connections named by the variable',
    n: 500,
    make: (n) => list(n, (i) => entry('gpt-4o', 'openai/gpt-4o', `      api_key: os.environ/TEAM_${i}_API_KEY\n`)),
    expect: (n) => ({ models: 1, firstConnections: n }),
  },
  {
    input: 'one model_name over n model codes: n models, renamed apart, one warning',
    n: 300,
    make: (n) => list(n, (i) => entry('shared', `openai/gpt-${i}`)),
    expect: (n) => ({ models: n, firstConnections: 1 }),
  },
  {
    input: 'n model_names: n models written into one manifest',
    n: 300,
    make: (n) => list(n, (i) => entry(`model-${i}`, 'anthropic/claude-sonnet-4-5', '      api_key: os.environ/ANTHROPIC_API_KEY\n')),
    expect: (n) => ({ models: n, firstConnections: 1 }),
  },
  {
    input: 'n entries repeating one deployment: imported once, a warning each',
    n: 1000,
    make: (n) => list(n, () => entry('gpt-4o', 'openai/gpt-4o', '      api_key: os.environ/OPENAI_API_KEY\n')),
    expect: () => ({ models: 1, firstConnections: 1 }),
  },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

describe('import scales linearly with the entries of the imported file', function () {
  this.timeout(120_000);
  const run = (text: string) => importLiteLLM(text, { today: '2026-01-01', env: {} });

  for (const f of FAMILIES) {
    it(`${f.input} (${f.n} and ${4 * f.n} entries)`, () => {
      const texts = [f.make(f.n), f.make(4 * f.n)];
      const big = run(texts[1]);
      assert.deepStrictEqual({ models: big.models.length, firstConnections: big.models[0].connections.length }, f.expect(4 * f.n));
      assert.strictEqual(analyzeManifest(big.manifest).errorCount, 0);
      const measure = (rounds: number) => {
        const samples: number[][] = [[], []];
        for (let r = 0; r < rounds; r++) texts.forEach((t, i) => samples[i].push(cpuMs(() => run(t))));
        const ms = samples.map(median);
        return { ms, ratio: ms[1] / ms[0] };
      };
      let m = measure(ROUNDS);
      // A burst of load can hit one size: measure once more before calling it super-linear.
      if (m.ratio > MAX_RATIO) m = measure(ROUNDS);
      console.log(`      ${f.n}/${4 * f.n}: ${m.ms.map((x) => x.toFixed(0)).join(' / ')} ms, ×${m.ratio.toFixed(2)}`);
      assert.ok(m.ratio <= MAX_RATIO, `×${m.ratio.toFixed(2)} from ${f.n} to ${4 * f.n} entries (at most ×${MAX_RATIO}; quadratic is ×16): ${m.ms.map((x) => x.toFixed(0)).join(' / ')} ms`);
    });
  }
});
