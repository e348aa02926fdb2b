/**
 * After the whole unit tier (root hooks run after every file's tests): the canary keys are in no file written
 * during the run — the temp folder and test-results/ — and the suite's figures go to test-results/security/unit.json.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CANARY_NEEDLES, recordSweep, repoRoot, sweep, writeReport } from './report';

const started = Date.now() - 1_000;

after(function () {
  this.timeout(120_000);
  const tmp = os.tmpdir();
  // Only what this run created in the shared temp folder; test-results/ files written since the start.
  const fresh = fs.readdirSync(tmp).map((n) => path.join(tmp, n)).filter((p) => {
    try {
      return fs.lstatSync(p).mtimeMs >= started;
    } catch {
      return false;
    }
  });
  const result = sweep([...fresh, path.join(repoRoot, 'test-results')], CANARY_NEEDLES, () => false, started);
  result.roots = [`${tmp} (${fresh.length} entries created during the run)`, 'test-results/'];
  recordSweep(result);
  writeReport('unit');
  assert.deepStrictEqual(result.hits, [], `a canary key was found in: ${result.hits.join(', ')}`);
});
