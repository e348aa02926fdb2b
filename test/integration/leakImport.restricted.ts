// Restricted Mode: a leaked key is still reported, but the only quick fix is removing it
// from the file (no secret is stored); the Move command and Import refuse and change
// nothing; Export (no secret involved) still works.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, waitFor, discardEditors } from './helpers';

const LEAKED = 'sk-test-leakfix-restricted-5e2a9f3b7c1d4086';
const LITELLM = path.join(path.resolve(__dirname, '../../..'), 'test', 'fixtures', 'import', 'litellm-config.yaml');

describe('leak quick fix and import in Restricted Mode', () => {
  const folder = () => vscode.workspace.workspaceFolders![0];
  const manifest = () => vscode.Uri.joinPath(folder().uri, 'agent-connections.yaml');
  const read = async () => new TextDecoder().decode(await vscode.workspace.fs.readFile(manifest()));
  const write = (text: string) => vscode.workspace.fs.writeFile(manifest(), new TextEncoder().encode(text));
  let original: string;

  before(async () => {
    original = await read();
  });
  after(async () => {
    await discardEditors();
    await write(original);
  });

  it('offers only "Remove the key from the file"; Move and Import refuse and change nothing', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const a = await api();
    const leaky = original.replace('      - name: prod-key-1\n        enabled: true\n', `      - name: prod-key-1\n        enabled: true\n        apiKey: ${LEAKED}\n`);
    await write(leaky);
    const doc = await vscode.workspace.openTextDocument(manifest());
    await vscode.window.showTextDocument(doc);
    // A document left loaded by an earlier test follows the disk a moment later.
    await waitFor('the open document shows the written text', () => doc.getText() === leaky);
    const line = leaky.slice(0, leaky.indexOf(LEAKED)).split('\n').length - 1;
    let diag: vscode.Diagnostic | undefined;
    for (let i = 0; i < 150 && !diag; i++) {
      diag = vscode.languages.getDiagnostics(manifest()).find((d) => d.code === 'leaked-key' && d.range.start.line === line);
      if (!diag) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(diag, 'the leaked key is reported in Restricted Mode too');
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', manifest(), diag.range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const ours = actions.filter((x) => /SecretStorage|the key/.test(x.title));
    assert.deepStrictEqual(ours.map((x) => x.title), ['Remove the key from the file (not stored)']);

    // The command refuses even when called directly with a valid location.
    const start = doc.offsetAt(diag.range.start);
    await vscode.commands.executeCommand('agentConnections.moveLeakedKey', { uri: manifest().toString(), file: 'manifest', start, end: doc.offsetAt(diag.range.end) });
    await vscode.commands.executeCommand('agentConnections.importLiteLLM', vscode.Uri.file(LITELLM));
    assert.strictEqual(await read(), leaky, 'the manifest changed');
    assert.strictEqual(await a.credentials.status(folder().uri, 'gpt-4o', 'prod-key-1'), 'unknown');

    // Removing is a plain edit of the open document, which the user saves (or undoes).
    const remove = ours[0];
    assert.ok(remove.edit);
    assert.ok(await vscode.workspace.applyEdit(remove.edit));
    assert.strictEqual(doc.getText(), original);
  });
});
