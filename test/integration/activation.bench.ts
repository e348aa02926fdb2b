// Activation as the extension measured it in this real extension host (code-server), the
// first time it ran here, and one toggle on a 10,000-connection manifest from the command
// to the file written: bench/activation.mjs starts a fresh server per sample and reads
// what this writes to AC_BENCH_OUT.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { core } from '../../src/lazyCore';
import { api, EXTENSION_ID, waitFor } from './helpers';

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

  it('times one form-style edit on a 10,000-connection manifest: from the command to the file written', async function () {
    this.timeout(180_000);
    const out = process.env.AC_BENCH_OUT;
    assert.ok(out, 'AC_BENCH_OUT is not set (run bench/activation.mjs)');
    const a = await api();
    const folder = vscode.workspace.workspaceFolders![0];
    const file = path.join(folder.uri.fsPath, 'agent-connections.yaml');
    const original = fs.readFileSync(file);
    const bigFile = process.env.AC_BENCH_BIG_MANIFEST;
    assert.ok(bigFile, 'AC_BENCH_BIG_MANIFEST is not set (bench/activation.mjs writes the 10,000-connection manifest)');
    const big = fs.readFileSync(bigFile);
    try {
      fs.writeFileSync(file, big);
      // A loaded document follows the disk a moment later; the store re-reads it then.
      await waitFor('the 10,000-connection manifest is read', async () => {
        await a.store.reload(folder);
        return (a.store.folders[0].analysis?.models.length ?? 0) > 900;
      }, 60_000);
      const models = a.store.folders[0].analysis!.models;
      assert.ok(models.length > 900 && a.store.folders[0].analysis!.errorCount === 0, `the 10,000-connection manifest was read (${models.length} models)`);
      const samples: Array<{ writtenMs: number; commandMs: number; coreMs: number; documentLoaded: boolean; changedLines: number }> = [];
      for (let i = 0; i < 8; i++) {
        const state = a.store.folders[0];
        const model = state.analysis!.models[Math.floor(((i + 1) * state.analysis!.models.length) / 10)];
        const connection = model.connections[0];
        const before = fs.readFileSync(file, 'utf8');
        const written = new Promise<number>((resolve) => {
          const w = fs.watch(file, () => {
            if (fs.readFileSync(file, 'utf8') !== before) {
              w.close();
              resolve(performance.now());
            }
          });
        });
        // The same edit computed by the core alone, in this host, for the breakdown.
        const c0 = performance.now();
        core().setConnectionEnabled(before, { model: model.name, connection: connection.name }, !connection.enabled);
        const coreMs = performance.now() - c0;
        const documentLoaded = vscode.workspace.textDocuments.some((d) => d.uri.fsPath === file);
        const t0 = performance.now();
        await vscode.commands.executeCommand('agentConnections.toggleEnabled', { kind: 'connection', state, model, connection, key: 'unknown' });
        const commandMs = performance.now() - t0;
        const writtenMs = (await written) - t0;
        // Lines that differ between the common head and tail of both texts.
        const a1 = before.split('\n');
        const b1 = fs.readFileSync(file, 'utf8').split('\n');
        let head = 0;
        while (head < a1.length && head < b1.length && a1[head] === b1[head]) head++;
        let tail = 0;
        while (tail < a1.length - head && tail < b1.length - head && a1[a1.length - 1 - tail] === b1[b1.length - 1 - tail]) tail++;
        const changedLines = Math.max(a1.length, b1.length) - head - tail;
        samples.push({ writtenMs, commandMs, coreMs, documentLoaded, changedLines });
      }
      const prev = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(out, JSON.stringify({ ...prev, edit10k: { bytes: big.length, models: a.store.folders[0].analysis!.models.length, samples } }, null, 2));
      assert.ok(samples.every((s) => s.changedLines >= 1 && s.changedLines <= 2), JSON.stringify(samples));
    } finally {
      fs.writeFileSync(file, original);
      await a.store.reload(folder);
    }
  });
});
