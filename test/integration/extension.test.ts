import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, api, waitFor, discardEditors } from './helpers';

function folder(): vscode.WorkspaceFolder {
  return vscode.workspace.workspaceFolders![0];
}

function manifestUri(): vscode.Uri {
  return vscode.Uri.joinPath(folder().uri, 'agent-connections.yaml');
}

async function readManifest(): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(manifestUri()));
}

describe('extension: manifest, tree and diagnostics in a real extension host', () => {
  let original: string;
  before(async () => {
    original = await readManifest();
  });
  afterEach(async () => {
    // Discard what a test left unsaved, so no save dialog or stale document remains.
    await discardEditors();
    await vscode.workspace.fs.writeFile(manifestUri(), new TextEncoder().encode(original));
    const a = await api();
    await a.store.reload(folder());
  });

  it('shows the example manifest in the tree: models, providers and connections', async () => {
    const a = await api();
    const lines = await a.snapshot();
    assert.ok(lines.includes('gpt-4o — OpenAI · easy'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('  prod-key-1 — enabled · no key on this machine · alice, 2026-11-02')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('  staging — disabled')), lines.join('\n'));
    assert.ok(lines.includes('gpt-4-1-azure — Azure OpenAI · easy'));
    assert.ok(lines.includes('llama-groq — Generic (OpenAI-compatible) · api'));
    assert.strictEqual(lines.filter((l) => !l.startsWith(' ')).length, 8, 'eight models');
  });

  it('groups models by location', async () => {
    const a = await api();
    await vscode.commands.executeCommand('agentConnections.groupByLocation');
    try {
      const top = (await a.snapshot()).filter((l) => !l.startsWith(' '));
      assert.deepStrictEqual(top, ['Billing — 2 models', 'Default — 1 model', 'Research — 3 models', 'Support — 2 models']);
    } finally {
      await vscode.commands.executeCommand('agentConnections.ungroup');
    }
  });

  it('toggling a connection writes only that line of the YAML', async () => {
    const a = await api();
    const model = a.store.folders[0].analysis!.models.find((m) => m.name === 'gpt-4o')!;
    const connection = model.connections.find((c) => c.name === 'prod-key-2')!;
    await vscode.commands.executeCommand('agentConnections.toggleEnabled', { kind: 'connection', state: a.store.folders[0], model, connection, key: 'missing' });
    const after = await readManifest();
    const before = original.split('\n');
    const changed = after.split('\n').map((l, i) => (l === before[i] ? -1 : i)).filter((i) => i >= 0);
    assert.strictEqual(changed.length, 1);
    assert.strictEqual(after.split('\n')[changed[0]], '        enabled: false');
    await waitFor('the tree to follow', async () => (await a.snapshot()).some((l) => l.startsWith('  prod-key-2 — disabled')));
  });

  it('an edit through an open, unsaved editor keeps the user’s text and goes through the document', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(manifestUri());
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), '# my unsaved note\n'));
    await waitFor('the store to see the open document', () => a.store.folders[0].analysis!.models.length === 8);
    await new Promise((r) => setTimeout(r, 200));
    const model = a.store.folders[0].analysis!.models.find((m) => m.name === 'claude')!;
    await vscode.commands.executeCommand('agentConnections.disableConnection', { kind: 'connection', state: a.store.folders[0], model, connection: model.connections[0], key: 'missing' });
    assert.ok(doc.isDirty, 'the user’s unsaved document is not saved behind their back');
    assert.ok(doc.getText().startsWith('# my unsaved note\n'));
    assert.match(doc.getText(), /- name: team-key\n {8}enabled: false/);
    assert.strictEqual(await readManifest(), original, 'the file on disk is unchanged until the user saves');
  });

  it('a hand edit shows in the tree', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(manifestUri());
    const editor = await vscode.window.showTextDocument(doc);
    const text = doc.getText();
    const at = text.indexOf('name: gpt-4o') + 'name: '.length;
    await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'gpt-4o'.length)), 'gpt-4o-renamed'));
    await waitFor('the renamed model in the tree', async () => (await a.snapshot()).includes('gpt-4o-renamed — OpenAI · easy'), 5000);
  });

  it('an invalid manifest gives diagnostics at the exact range and an error row', async () => {
    const a = await api();
    const bad = original.replace('        apiVersion: v1beta        # preview models exist only on v1beta', '        apiVersion: v1\n        endpoint: https://example.openai.azure.com');
    await vscode.workspace.fs.writeFile(manifestUri(), new TextEncoder().encode(bad));
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(manifestUri());
      return d.length >= 2 ? d : undefined;
    });
    const endpoint = diags.find((d) => d.code === 'schema-unknown-key')!;
    assert.ok(endpoint, JSON.stringify(diags.map((d) => d.code)));
    const lines = bad.split('\n');
    const line = lines.findIndex((l) => l.includes('endpoint: https://example.openai.azure.com'));
    assert.deepStrictEqual([endpoint.range.start.line, endpoint.range.start.character, endpoint.range.end.character], [line, 8, 16]);
    assert.ok(diags.some((d) => d.code === 'gemini-api-version'));
    const top = await a.snapshot();
    assert.match(top[0], /^2 errors in the manifest/);
  });

  it('a file with YAML errors is never rewritten', async () => {
    const a = await api();
    const broken = original.replace('provider: openai', 'provider: [openai');
    await vscode.workspace.fs.writeFile(manifestUri(), new TextEncoder().encode(broken));
    await a.store.reload(folder());
    const model = a.store.folders[0].analysis!.models.find((m) => m.name === 'claude');
    assert.ok(model, 'the tree still shows what could be read');
    await vscode.commands.executeCommand('agentConnections.disableConnection', { kind: 'connection', state: a.store.folders[0], model, connection: model.connections[0], key: 'missing' });
    assert.strictEqual(await readManifest(), broken);
  });

  it('agents files get diagnostics too', async () => {
    const uri = vscode.Uri.joinPath(folder().uri, 'agents', 'bad.agents.yaml');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('agents:\n  - name: x\n    connection: not-a-reference\n    model: gpt-4o\n'));
    try {
      const diags = await waitFor('agents diagnostics', () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length >= 2 ? d : undefined;
      });
      assert.deepStrictEqual(diags.map((d) => d.code).sort(), ['reference-syntax', 'schema-unknown-key']);
    } finally {
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('every command in package.json is registered', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const declared = (ext.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepStrictEqual(declared.filter((c) => !registered.has(c)), []);
  });
});
