// After the whole integration tier (a root hook: it runs once every file's tests are
// done): no canary key in any file of this run — the workspace, the extension's
// global and workspace storage, logs, the user-data folder, HOME and the temp folder
// of the isolated run — and the suite's figures go to test-results/security/integration.json.
// The browser profile is left out: it holds VS Code's own (encrypted) SecretStorage.
import * as assert from 'assert';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api } from './helpers';
import { CANARY_NEEDLES, recordSweep, repoRoot, sweep, writeReport } from '../unit/hostile/report';

after(async function () {
  this.timeout(120_000);
  const a = await api();
  // scripts/vscode-test.mjs gives every run its own folder: workspace/, user-data/, home/, tmp/, browser-profile/.
  const base = path.dirname(os.homedir());
  const isolated = path.basename(os.homedir()) === 'home' && vscode.workspace.workspaceFolders![0].uri.fsPath.startsWith(base);
  const roots = [...new Set([
    ...(isolated ? [base] : []),
    ...vscode.workspace.workspaceFolders!.map((f) => f.uri.fsPath),
    ...a.storagePaths,
    os.tmpdir(),
    path.join(repoRoot, 'test-results', 'integration'),
  ])];
  const outer = roots.filter((r) => !roots.some((o) => o !== r && r.startsWith(o + path.sep)));
  const result = sweep(outer, CANARY_NEEDLES, (p) => p === path.join(base, 'browser-profile'));
  recordSweep(result);
  writeReport(process.env.AC_INTEGRATION_SUITE === 'restricted' ? 'integration-restricted' : 'integration');
  assert.deepStrictEqual(result.hits, [], `a canary key was found in: ${result.hits.join(', ')}`);
});
