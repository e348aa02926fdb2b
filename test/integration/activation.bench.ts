// Activation as the extension measured it in this real extension host (code-server), the
// first time it ran here: bench/activation.mjs starts a fresh server per sample and reads
// what this writes to AC_BENCH_OUT.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './helpers';

describe('activation figures', () => {
  it('records how long activation took and which of our files it loaded', async () => {
    const out = process.env.AC_BENCH_OUT;
    assert.ok(out, 'AC_BENCH_OUT is not set (run bench/activation.mjs)');
    const a = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const started = performance.now();
    const models = (await a.snapshot()).length;
    fs.writeFileSync(out, JSON.stringify({
      ...a.activation,
      treeRowsAfterReady: models,
      snapshotMs: performance.now() - started,
      extensionKind: ext.extensionKind,
      uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
      vscodeVersion: vscode.version,
    }, null, 2));
    assert.ok(models > 0, 'the tree is empty after ready');
  });
});
