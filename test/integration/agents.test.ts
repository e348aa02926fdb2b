// Agents and their connections in a real extension host: the Agents tree shows the
// effective connection and where it comes from, assigning and clearing write minimal
// YAML, and the agents file's problems follow edits of either file and of the keys.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, waitFor, discardEditors } from './helpers';

const folder = () => vscode.workspace.workspaceFolders![0];
const agentsUri = () => vscode.Uri.joinPath(folder().uri, 'agents', 'support.agents.yaml');
const manifestUri = () => vscode.Uri.joinPath(folder().uri, 'agent-connections.yaml');

async function read(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

async function write(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

/** The agents file's diagnostics as `code severity "text at the range"`. */
async function problems(): Promise<string[]> {
  const text = await read(agentsUri());
  const lines = text.split('\n');
  return vscode.languages.getDiagnostics(agentsUri()).map((d) => {
    const at = d.range.isSingleLine ? lines[d.range.start.line].slice(d.range.start.character, d.range.end.character) : '…';
    return `${String(d.code)} ${vscode.DiagnosticSeverity[d.severity]} "${at}"`;
  }).sort();
}

/** Lines of `after` that are not in `before`, and the other way round. */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  return { added: b.filter((l) => !a.includes(l)), removed: a.filter((l) => !b.includes(l)) };
}

describe('agents: assignments in a real extension host', () => {
  let originalAgents: string;
  let originalManifest: string;

  before(async () => {
    originalAgents = await read(agentsUri());
    originalManifest = await read(manifestUri());
    const a = await api();
    await waitFor('the agents file to be read', () => a.agents.get(agentsUri()));
  });

  afterEach(async () => {
    await discardEditors();
    await write(agentsUri(), originalAgents);
    await write(manifestUri(), originalManifest);
    // A closed editor's document can linger; it must hold the file's text again before the next edit goes through it.
    for (const [uri, text] of [[agentsUri(), originalAgents], [manifestUri(), originalManifest]] as const) {
      await waitFor(`${uri.path} in memory to match the disk`, () => vscode.workspace.textDocuments.every((d) => d.uri.toString() !== uri.toString() || d.getText() === text));
    }
    const a = await api();
    await a.store.reload(folder());
    await a.agents.reload(agentsUri());
  });

  it('shows supervisors with their agents, each with its effective connection and whether it is inherited', async () => {
    const a = await api();
    assert.deepStrictEqual(a.agentsSnapshot(), [
      'triage — gpt-4o/prod-key-1',
      '  billing — claude-bedrock/us-east',
      '  refunds — gpt-4o/prod-key-1 · inherited from triage',
      '  research — gemini-pro/research',
      'classifier — llama-groq/groq',
    ]);
    const users = a.agentsTree.usage(folder().uri, 'gpt-4o', 'prod-key-1').map((u) => `${u.kind} ${u.name}${u.inheritedFrom ? ` < ${u.inheritedFrom}` : ''}`);
    assert.deepStrictEqual(users, ['supervisor triage', 'agent refunds < triage']);
  });

  it('assigning writes one line of YAML and the tree follows', async () => {
    const a = await api();
    const result = await vscode.commands.executeCommand('agentConnections.assignConnection', { uri: agentsUri().toString(), kind: 'agent', name: 'refunds', connection: 'claude/team-key' });
    assert.strictEqual(result, 'claude/team-key');
    const after = await read(agentsUri());
    assert.deepStrictEqual(lineDiff(originalAgents, after), { added: ['    connection: claude/team-key'], removed: [] });
    assert.ok(after.includes('    description: Handles refund requests (inherits the connection of triage)\n    connection: claude/team-key\n'), after);
    await waitFor('the tree to follow', () => a.agentsSnapshot().includes('  refunds — claude/team-key'));

    // At supervisor level: the value is replaced in place, its comment kept.
    await vscode.commands.executeCommand('agentConnections.assignConnection', { uri: agentsUri().toString(), kind: 'supervisor', name: 'triage', connection: 'gpt-4o/prod-key-2' });
    const again = await read(agentsUri());
    assert.deepStrictEqual(lineDiff(after, again), { added: ['    connection: gpt-4o/prod-key-2       # agents below inherit this'], removed: ['    connection: gpt-4o/prod-key-1       # agents below inherit this'] });
  });

  it('assigning through an open editor goes through the document (undo works)', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(agentsUri());
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('agentConnections.assignConnection', { uri: agentsUri().toString(), kind: 'agent', name: 'classifier', connection: 'gpt-4o/prod-key-2' });
    assert.match(doc.getText(), /- name: classifier\n {4}description: Labels tickets by topic\n {4}connection: gpt-4o\/prod-key-2\n/);
    assert.ok(!doc.isDirty, 'the document was saved, as it was clean before');
    await waitFor('the tree to follow', () => a.agentsSnapshot().includes('classifier — gpt-4o/prod-key-2'));
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(doc.getText(), originalAgents);
  });

  it('clearing an agent’s own connection falls back to its supervisor', async () => {
    const a = await api();
    await vscode.commands.executeCommand('agentConnections.clearAssignment', { uri: agentsUri().toString(), kind: 'agent', name: 'billing' });
    const after = await read(agentsUri());
    assert.deepStrictEqual(lineDiff(originalAgents, after), { added: [], removed: ['    connection: claude-bedrock/us-east  # overrides the supervisor\'s'] });
    await waitFor('the tree to follow', () => a.agentsSnapshot().includes('  billing — gpt-4o/prod-key-1 · inherited from triage'));
  });

  it('problems follow edits of the manifest: disabled and unknown connections', async () => {
    assert.deepStrictEqual((await problems()).filter((p) => !p.startsWith('no-key')), []);
    await write(manifestUri(), originalManifest.replace('      - name: prod-key-1\n        enabled: true', '      - name: prod-key-1\n        enabled: false'));
    await waitFor('a disabled-connection warning', async () => (await problems()).includes('connection-disabled Warning "gpt-4o/prod-key-1"'));
    await write(manifestUri(), originalManifest.replace('  - name: gemini-pro\n', '  - name: gemini-pro-2\n'));
    const p = await waitFor('an unknown-model error', async () => {
      const all = await problems();
      return all.includes('unknown-model Error "gemini-pro"') && !all.some((x) => x.startsWith('connection-disabled')) ? all : undefined;
    });
    const unknown = vscode.languages.getDiagnostics(agentsUri()).find((d) => d.code === 'unknown-model')!;
    assert.match(unknown.message, /Did you mean `gemini-pro-2\/research`\?/);
    assert.ok(p.every((x) => !x.startsWith('connection-disabled')));
    await write(manifestUri(), originalManifest);
    await waitFor('the problems to go', async () => (await problems()).every((x) => x.startsWith('no-key')));
  });

  it('problems follow edits of the agents file, unsaved ones included', async () => {
    const doc = await vscode.workspace.openTextDocument(agentsUri());
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf('  - name: classifier');
    await editor.edit((b) => b.insert(doc.positionAt(at), '  - name: lonely\n  - name: typo\n    connection: gpt-4o/prod-key-9\n'));
    const diags = await waitFor('diagnostics of the unsaved text', () => {
      const d = vscode.languages.getDiagnostics(agentsUri());
      return d.some((x) => x.code === 'no-connection') && d.some((x) => x.code === 'unknown-connection') ? d : undefined;
    });
    const text = doc.getText();
    const of = (code: string) => diags.find((d) => d.code === code)!;
    assert.strictEqual(doc.getText(of('no-connection').range), 'lonely');
    assert.strictEqual(of('no-connection').severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(doc.getText(of('unknown-connection').range), 'prod-key-9');
    assert.match(of('unknown-connection').message, /Did you mean `gpt-4o\/prod-key-1`\?/);
    assert.ok(text.includes('lonely'));
    // A supervisor naming an unknown agent, and an agent under two supervisors.
    const sup = doc.getText().indexOf('agents: [billing, refunds, research]');
    await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(sup), doc.positionAt(sup + 'agents: [billing, refunds, research]'.length)), 'agents: [billing, refund, research]\n  - name: second\n    agents: [billing]'));
    const codes = await waitFor('structure problems', () => {
      const c = vscode.languages.getDiagnostics(agentsUri()).map((d) => d.code);
      return c.includes('unknown-agent') && c.includes('several-supervisors') ? c : undefined;
    });
    assert.ok(codes.includes('unknown-agent'));
  });

  it('a connection without a key is information only while the file is open; storing the key removes it', async () => {
    const a = await api();
    if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === agentsUri().toString())) {
      assert.ok(!(await problems()).some((p) => p.startsWith('no-key')), 'not in the Problems panel for a closed file');
    }
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(agentsUri()));
    await waitFor('the information in the open file', async () => (await problems()).includes('no-key Information "gpt-4o/prod-key-1"'));
    await a.credentials.set(folder().uri, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: 'sk-test-agents-0000000000' }, origin: 'https://api.openai.com' });
    try {
      await waitFor('the information to go', async () => !(await problems()).includes('no-key Information "gpt-4o/prod-key-1"'));
      assert.ok((await problems()).includes('no-key Information "llama-groq/groq"'));
    } finally {
      await a.credentials.forget(folder().uri, 'gpt-4o', 'prod-key-1');
    }
  });

  it('CodeLens and hover explain the chain on every agent', async () => {
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', agentsUri(), 100);
      return l && l.length > 0 ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('$(plug) Assign connection…'), titles.join('\n'));
    assert.ok(titles.includes('$(plug) Change connection…'));
    assert.ok(titles.includes('$(link) gpt-4o/prod-key-1 · inherited from triage · enabled · key missing · not tested'), titles.join('\n'));
    assert.strictEqual(titles.filter((t) => t.includes('connection…')).length, 5, 'one Assign/Change lens per agent and supervisor');
    const doc = await vscode.workspace.openTextDocument(agentsUri());
    const refunds = doc.positionAt(doc.getText().indexOf('name: refunds') + 'name: r'.length);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', agentsUri(), refunds);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/&nbsp;/g, ' ');
    assert.match(text, /inherited from triage/);
  });

  it('the protection lookup lists the agents that use a connection', async () => {
    const a = await api();
    const users = a.agentsTree.usage(folder().uri, 'claude-bedrock', 'us-east');
    assert.deepStrictEqual(users.map((u) => u.name), ['billing']);
    assert.deepStrictEqual(a.agentsTree.usage(folder().uri, 'gpt-4o').map((u) => u.name), ['triage', 'refunds']);
  });

  it('a connection row’s tooltip in the Models tree says who uses it', async () => {
    const a = await api();
    const tooltipOf = (model: string, connection: string): string => {
      const state = a.store.folders[0];
      const m = state.analysis!.models.find((x) => x.name === model)!;
      const c = m.connections.find((x) => x.name === connection)!;
      const item = a.tree.getTreeItem({ kind: 'connection', state, model: m, connection: c, key: 'unknown' });
      // appendText escapes spaces and punctuation; read it back as text.
      return (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([()[\]*_])/g, '$1');
    };
    await waitFor('the agents files are read', () => a.agentsTree.usage(folder().uri, 'gpt-4o', 'prod-key-1').length > 0);
    const used = tooltipOf('gpt-4o', 'prod-key-1');
    assert.ok(used.includes('**Used by:** supervisor triage, agent refunds (inherited from triage)'), used);
    assert.doesNotMatch(tooltipOf('gpt-4o', 'staging'), /Used by/);
  });
});
