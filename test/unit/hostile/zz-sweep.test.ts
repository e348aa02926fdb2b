/**
 * The unit tier's own temp folder and, after the whole tier (root hooks run after every file's tests), a canary
 * sweep of it and of test-results/; the suite's figures go to test-results/security/unit.json. Mocha loads every
 * test file before it runs any test, so setting TMPDIR here gives every test, and every process a test starts,
 * this folder: the sweep then covers all temp files of the run and nothing of other jobs on the machine.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CANARY_NEEDLES, recordSweep, repoRoot, sweep, writeReport } from './report';

const started = Date.now() - 1_000;
const saved = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP };
const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-unit-tmp-'));
process.env.TMPDIR = process.env.TMP = process.env.TEMP = runTmp;

after(function () {
  this.timeout(120_000);
  const result = sweep([runTmp, path.join(repoRoot, 'test-results')], CANARY_NEEDLES, () => false, started);
  result.roots = ['the unit tier\'s temp folder (TMPDIR)', 'test-results/ (files written during the run)'];
  recordSweep(result);
  writeReport('unit');
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(runTmp, { recursive: true, force: true });
  assert.deepStrictEqual(result.hits, [], `a canary key was found in: ${result.hits.join(', ')}`);
});
