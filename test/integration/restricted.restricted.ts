// Restricted Mode (run by `scripts/vscode-test.mjs integration --restricted`: workspace
// trust on, the folder untrusted): the manifest is shown, but no secret is read or
// written, nothing is sent, and the file is not changed.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api } from './helpers';
import { startMockProvider, type MockProvider } from '../mocks';

describe('Restricted Mode in a real extension host', () => {
  let mock: MockProvider;
  const folder = () => vscode.workspace.workspaceFolders![0];
  const manifest = () => vscode.Uri.joinPath(folder().uri, 'agent-connections.yaml');
  const read = async () => new TextDecoder().decode(await vscode.workspace.fs.readFile(manifest()));

  before(async () => {
    mock = await startMockProvider('openai');
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await mock.close();
  });

  it('runs untrusted', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
  });

  it('shows the manifest with the key status unknown: no secret is read', async () => {
    const a = await api();
    const lines = await a.snapshot();
    assert.ok(lines.some((l) => /prod-key-1 — enabled · key status unknown \(Restricted Mode\)/.test(l)), lines.join('\n'));
    assert.strictEqual(await a.credentials.status(folder().uri, 'gpt-4o', 'prod-key-1'), 'unknown');
    await assert.rejects(a.credentials.get(folder().uri, 'gpt-4o', 'prod-key-1'), /Restricted Mode/);
  });

  it('offers no connection as a chat model', async () => {
    await api();
    assert.deepStrictEqual((await vscode.lm.selectChatModels({ vendor: 'agent-connections' })).map((m) => m.name), []);
  });

  it('stores no key', async () => {
    const a = await api();
    await assert.rejects(a.credentials.set(folder().uri, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: 'sk-test-restricted-0000' }, origin: mock.origin }), /Restricted Mode/);
  });

  it('sends nothing and changes nothing when commands are run anyway', async () => {
    const a = await api();
    const before = await read();
    const state = a.store.folders[0];
    const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
    const node = { kind: 'connection' as const, state, model, connection: model.connections[0], key: 'unknown' as const };
    await vscode.commands.executeCommand('agentConnections.testConnection', node);
    await vscode.commands.executeCommand('agentConnections.testModel', { kind: 'model', state, model });
    await vscode.commands.executeCommand('agentConnections.testAll');
    await vscode.commands.executeCommand('agentConnections.toggleEnabled', node);
    assert.strictEqual(mock.requests.length, 0, 'a request reached the provider');
    assert.strictEqual(a.results.get(folder().uri, 'gpt-4o', 'prod-key-1'), undefined);
    assert.strictEqual(await read(), before, 'the manifest changed');
  });

  it('shows connection usage read-only: the panel opens without Reset, and Reset Connection Usage… refuses', async () => {
    const a = await api();
    await a.usage.record({ folder: folder().uri.toString(), model: 'gpt-4o', connection: 'prod-key-1', provider: 'openai', outcome: 'ok', inputTokens: 4, inputSource: 'provider', outputTokens: 2, outputSource: 'provider', firstMs: 3, totalMs: 8 });
    try {
      await vscode.commands.executeCommand('agentConnections.showUsage');
      const deadline = Date.now() + 15_000;
      while (!a.usagePanelData() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const view = a.usagePanelData();
      assert.ok(view, 'the panel opened');
      assert.strictEqual(view.readOnly, true);
      assert.deepStrictEqual(view.rows.map((r) => [r.reference, r.requests]), [['gpt-4o/prod-key-1', 1]]);
      await vscode.commands.executeCommand('agentConnections.resetUsage');
      assert.strictEqual(Object.keys(a.usage.state.connections).length, 1, 'usage was reset in Restricted Mode');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('notifications.clearAll');
      await a.usage.reset();
    }
  });
});
