// Files that are not UTF-8 text, in a real extension host: the example manifest with the bytes
// `ff fe fa` inside a connection name gives `not valid UTF-8` at that byte's line and column, the
// tree shows only that error, and Toggle / Disable / Delete (file closed, and open in an editor,
// where VS Code shows U+FFFD) are refused with the file's bytes unchanged on disk. The same for a
// UTF-16 manifest (VS Code decodes it, the disk decides) and an agents file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { UnreadableFileError, applyManifestEdit } from '../../src/manifest/applyEdit';
import { api, discardEditors, extensionLog, waitFor } from './helpers';

const folder = () => vscode.workspace.workspaceFolders![0];
const manifestPath = () => path.join(folder().uri.fsPath, 'agent-connections.yaml');
const manifestUri = () => vscode.Uri.file(manifestPath());
const agentsPath = () => path.join(folder().uri.fsPath, 'agents', 'zz-encoding.agents.yaml');

/** The example with `ff fe fa` after "      - name: prod-" (line 20, character 19 — 0-based 19:19). */
function withBadName(original: Buffer): Buffer {
  const at = original.indexOf('prod-key-2') + 'prod-'.length;
  return Buffer.concat([original.subarray(0, at), Buffer.from([0xff, 0xfe, 0xfa]), original.subarray(at)]);
}

function diagnostic(uri: vscode.Uri, code: string): vscode.Diagnostic | undefined {
  return vscode.languages.getDiagnostics(uri).find((d) => d.code === code);
}

describe('files that are not UTF-8 text, in a real extension host', function () {
  this.timeout(90_000);
  let original: Buffer;

  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    original = fs.readFileSync(manifestPath());
  });

  after(async () => {
    await discardEditors();
    fs.writeFileSync(manifestPath(), original);
    fs.rmSync(agentsPath(), { force: true });
    const a = await api();
    await a.store.reload(folder());
    await a.agents.scanAll();
  });

  /**
   * Toggle, Disable, Delete connection and Delete model on a target read from the valid file:
   * each refused with the file's message (in the log, as the notification shows it), the
   * Delete confirmations never asked, the bytes unchanged.
   */
  async function tryEditCommands(bytes: Buffer, target: { model: { name: string; connections: Array<{ name: string; enabled: boolean }> } }): Promise<Error> {
    const a = await api();
    const state = a.store.folders[0];
    const model = target.model;
    const connection = model.connections[0];
    const node = { kind: 'connection', state, model, connection, key: 'missing' };
    // What the commands get, seen directly: the refusal says what and where.
    let refused: unknown;
    await applyManifestEdit(state.uri, () => [{ start: 0, end: 0, newText: '# x\n' }]).catch((e: unknown) => { refused = e; });
    assert.ok(refused instanceof UnreadableFileError, `not refused: ${String(refused)}`);
    assert.ok(fs.readFileSync(manifestPath()).equals(bytes), 'applyManifestEdit changed the file');
    const message = (refused as Error).message;
    const count = (log: string, needle: string) => log.split(needle).length - 1;
    const calls: Array<[string, unknown]> = [
      ['agentConnections.toggleEnabled', node],
      ['agentConnections.disableConnection', node],
      ['agentConnections.deleteConnection', node],
      ['agentConnections.deleteModel', { kind: 'model', state, model }],
    ];
    for (const [command, arg] of calls) {
      const before = count(extensionLog(a), `${command}: ${message}`);
      // Refused before anything is asked: a Delete confirmation would be a modal, which the test host refuses to
      // show (logged as "DialogService: refused …") — without the check first, nothing would be written either.
      await vscode.commands.executeCommand(command, arg);
      assert.ok(fs.readFileSync(manifestPath()).equals(bytes), `${command} changed the file`);
      await waitFor(`${command}'s refusal in the log`, () => count(extensionLog(a), `${command}: ${message}`) === before + 1, 10_000);
      assert.strictEqual(count(extensionLog(a), `${command}: DialogService`), 0, `${command} asked before refusing`);
    }
    return refused as Error;
  }

  it('`ff fe fa` in a name: the error at its line and column, nothing else read; every edit refused, closed or open; bytes unchanged', async () => {
    const a = await api();
    await a.store.reload(folder());
    const gpt = a.store.folders[0].analysis!.models.find((m) => m.name === 'gpt-4o')!;
    assert.ok(gpt, 'the example is read first');
    const bytes = withBadName(original);
    fs.writeFileSync(manifestPath(), bytes);
    await a.store.reload(folder());
    const d = await waitFor('the not-UTF-8 diagnostic', () => diagnostic(manifestUri(), 'invalid-utf8'), 10_000);
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [19, 19, 19, 20]);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.match(d.message, /^The manifest is not valid UTF-8: byte 0xff never occurs in UTF-8\./);
    assert.strictEqual(vscode.languages.getDiagnostics(manifestUri()).length, 1, 'that problem only');
    const tree = await a.snapshot();
    assert.ok(tree.some((l) => /^Error in the manifest — The manifest is not valid UTF-8/.test(l)), tree.join('\n'));
    assert.ok(!tree.some((l) => l.startsWith('gpt-4o')), 'no model is shown from a file that was not read');
    assert.ok(fs.readFileSync(manifestPath()).equals(bytes), 'loading changed the file');

    // Closed: the disk path.
    const closed = await tryEditCommands(bytes, { model: gpt });
    assert.match(closed.message, /not valid UTF-8: byte 0xff .*\(line 20, column 20; nothing was written\.\)/);

    // Open in an editor: VS Code shows U+FFFD there; saving would write it over the bytes. Refused just the same.
    const doc = await vscode.workspace.openTextDocument(manifestUri());
    await vscode.window.showTextDocument(doc);
    assert.ok(doc.getText().includes('prod-\ufffd'), 'VS Code decoded the bytes with U+FFFD');
    await a.store.reload(folder());
    const still = await waitFor('the diagnostic with the document open', () => diagnostic(manifestUri(), 'invalid-utf8'), 10_000);
    assert.deepStrictEqual([still.range.start.line, still.range.start.character], [19, 19]);
    await tryEditCommands(bytes, { model: gpt });
    assert.ok(!doc.isDirty, 'the open document was not edited');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // Fixed on disk: read again, editable again.
    fs.writeFileSync(manifestPath(), original);
    await a.store.reload(folder());
    await waitFor('the example back', () => a.store.folders[0].analysis?.models.length === 8 && !diagnostic(manifestUri(), 'invalid-utf8'), 10_000);
  });

  it('a UTF-16 manifest (VS Code can decode it): the utf16 error at 1:1, edits refused, bytes unchanged', async () => {
    const a = await api();
    await a.store.reload(folder());
    const gpt = a.store.folders[0].analysis!.models.find((m) => m.name === 'gpt-4o')!;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(original.toString('utf8'), 'utf16le')]);
    fs.writeFileSync(manifestPath(), bytes);
    await a.store.reload(folder());
    const d = await waitFor('the UTF-16 diagnostic', () => diagnostic(manifestUri(), 'utf16'), 10_000);
    assert.deepStrictEqual([d.range.start.line, d.range.start.character], [0, 0]);
    assert.match(d.message, /The manifest is UTF-16 \(little-endian, with a byte-order mark\), not UTF-8: .*Save the file as UTF-8/);
    const doc = await vscode.workspace.openTextDocument(manifestUri());
    await vscode.window.showTextDocument(doc);
    await a.store.reload(folder());
    assert.ok(diagnostic(manifestUri(), 'utf16'), 'the disk decides, whatever the editor decoded');
    await tryEditCommands(bytes, { model: gpt });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.writeFileSync(manifestPath(), original);
    await a.store.reload(folder());
    await waitFor('the example back', () => a.store.folders[0].analysis?.models.length === 8, 10_000);
  });

  it('an agents file that is not UTF-8: its error at its position; assigning a connection is refused, bytes unchanged', async () => {
    const a = await api();
    const uri = vscode.Uri.file(agentsPath());
    const bytes = Buffer.concat([Buffer.from('agents:\n  - name: billing\n    connection: gpt-4o/prod-key-1\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    fs.writeFileSync(agentsPath(), bytes);
    await a.agents.reload(uri);
    const d = await waitFor('the agents file diagnostic', () => diagnostic(uri, 'invalid-utf8'), 10_000);
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [3, 13, 3, 14]);
    assert.match(d.message, /^The agents file is not valid UTF-8: a character is cut short: byte 0xe9/);
    await vscode.commands.executeCommand('agentConnections.assignConnection', { uri: uri.toString(), kind: 'agent', name: 'billing', connection: 'gpt-4o/prod-key-2' });
    let refused: unknown;
    await applyManifestEdit(uri, () => [{ start: 0, end: 0, newText: '# x\n' }]).catch((e: unknown) => { refused = e; });
    assert.ok(refused instanceof UnreadableFileError, String(refused));
    assert.match((refused as Error).message, /\(line 4, column 14; nothing was written\.\)/);
    assert.ok(fs.readFileSync(agentsPath()).equals(bytes), 'the agents file changed');
  });
});
