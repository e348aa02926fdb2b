// Restricted Mode: no terminal gets a connection, the CodeLens offers none, and the
// commands refuse when run anyway (scripts/vscode-test.mjs integration --restricted).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, waitFor } from './helpers';

describe('Restricted Mode: no connection in a terminal', () => {
  const folder = () => vscode.workspace.workspaceFolders![0];

  it('refuses to open a terminal with a connection', async () => {
    const a = await api();
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const before = vscode.window.terminals.length;
    const result = await vscode.commands.executeCommand('agentConnections.openTerminal', 'refunds');
    const state = a.store.folders[0];
    const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
    await vscode.commands.executeCommand('agentConnections.openConnectionTerminal', { kind: 'connection', state, model, connection: model.connections[0], key: 'unknown' });
    assert.strictEqual(result, undefined);
    assert.strictEqual(vscode.window.terminals.length, before, 'a terminal was opened');
    const logDir = a.storagePaths[a.storagePaths.length - 1];
    await waitFor('the refusal in the log', () => {
      const logs = fs.readdirSync(logDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('\n');
      return logs.split('Restricted Mode: no key is read and no terminal gets a connection').length - 1 >= 2;
    });
  });

  it('offers no terminal in the CodeLens', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'agents', 'support.agents.yaml');
    await vscode.workspace.openTextDocument(uri); // CodeLens is asked of an open document
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.length > 0, 'no CodeLens at all');
    assert.deepStrictEqual(lenses.filter((l) => l.command?.command === 'agentConnections.openTerminal'), []);
  });
});
