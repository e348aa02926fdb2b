// Test Connection inside a real extension host: the key comes from SecretStorage,
// goes to a mock provider on 127.0.0.1 (reached through the user-level
// providerEndpoints setting), the outcome lands in extension storage and the tree,
// and the key is found nowhere on disk afterwards.
import * as assert from 'assert';
import * as os from 'os';
import * as vscode from 'vscode';
import { api, filesContaining } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { startMockProvider, type MockProvider } from '../mocks';

const CANARY = 'sk-test-CANARY-7f3a9c1e5b2d4086';

function connectionNode(a: AgentConnectionsApi, model: string, connection: string) {
  const state = a.store.folders[0];
  const m = state.analysis!.models.find((x) => x.name === model)!;
  const c = m.connections.find((x) => x.name === connection)!;
  return { kind: 'connection' as const, state, model: m, connection: c, key: 'unknown' as const };
}

describe('test connections in a real extension host', () => {
  let mock: MockProvider;
  const folderUri = () => vscode.workspace.workspaceFolders![0].uri;

  before(async () => {
    mock = await startMockProvider('openai', { key: CANARY });
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
    const a = await api();
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: CANARY }, origin: mock.origin });
  });

  after(async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), 'gpt-4o', 'prod-key-1');
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await mock.close();
  });

  it('sends the stored key to the provider and shows ok in the tree', async () => {
    const a = await api();
    mock.reset();
    await vscode.commands.executeCommand('agentConnections.testConnection', connectionNode(a, 'gpt-4o', 'prod-key-1'));
    const last = a.results.get(folderUri(), 'gpt-4o', 'prod-key-1')?.last;
    assert.strictEqual(last?.outcome, 'ok', JSON.stringify(last));
    assert.strictEqual(last?.origin, mock.origin);
    const sent = mock.requests.find((r) => r.path === '/v1/chat/completions');
    assert.ok(sent, `requests: ${mock.requests.map((r) => r.path).join(', ')}`);
    assert.strictEqual(sent.headers.authorization, `Bearer ${CANARY}`);
    assert.strictEqual(JSON.parse(sent.body).model, 'gpt-4o');
    const lines = await a.snapshot();
    assert.ok(lines.some((l) => /^\s+prod-key-1 — enabled · key stored · ok \d+ ms/.test(l)), lines.join('\n'));
  });

  it('reports a refused key as auth_failed, with the key redacted everywhere', async () => {
    const a = await api();
    mock.setScenario('echo_key');
    await vscode.commands.executeCommand('agentConnections.testConnection', connectionNode(a, 'gpt-4o', 'prod-key-1'));
    const results = a.results.get(folderUri(), 'gpt-4o', 'prod-key-1');
    assert.strictEqual(results?.last.outcome, 'auth_failed', JSON.stringify(results?.last));
    assert.ok(!JSON.stringify(results).includes(CANARY), 'the stored result contains the key');
    assert.deepStrictEqual(results?.history.map((h) => h.outcome).slice(-2), ['ok', 'auth_failed']);
    mock.reset();
  });

  it('tests a model: enabled connections with a key are sent, no key is reported, disabled are skipped', async () => {
    const a = await api();
    mock.reset();
    const node = { kind: 'model' as const, state: a.store.folders[0], model: a.store.folders[0].analysis!.models.find((m) => m.name === 'gpt-4o')! };
    await vscode.commands.executeCommand('agentConnections.testModel', node);
    assert.strictEqual(a.results.get(folderUri(), 'gpt-4o', 'prod-key-1')?.last.outcome, 'ok');
    // prod-key-2 has no key on this machine: reported, not recorded, nothing sent for it.
    assert.strictEqual(a.results.get(folderUri(), 'gpt-4o', 'prod-key-2'), undefined);
    assert.strictEqual(a.results.get(folderUri(), 'gpt-4o', 'staging'), undefined);
    assert.strictEqual(mock.requests.length, 1, `requests: ${mock.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  });

  it('a workspace-level providerEndpoints cannot redirect a built-in provider', async () => {
    const a = await api();
    // The user-level override is removed; a workspace value must be ignored, so the
    // test goes to the official origin — where the key is not bound: nothing is sent.
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    const inspected = vscode.workspace.getConfiguration('agentConnections').inspect('providerEndpoints');
    assert.strictEqual(inspected?.workspaceValue, undefined);
    // The setting is application-scoped: VS Code refuses to write it to the workspace.
    await assert.rejects(Promise.resolve(vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: 'http://127.0.0.1:9' }, vscode.ConfigurationTarget.Workspace)));
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
    assert.ok(a);
  });

  it('the key is in no file of the workspace, extension storage, logs or temp folder', async () => {
    const a = await api();
    const roots = [folderUri().fsPath, ...a.storagePaths, os.tmpdir()];
    const hits = roots.flatMap((r) => filesContaining(r, CANARY));
    assert.deepStrictEqual(hits, [], `the canary key was found in: ${hits.join(', ')}`);
  });
});
