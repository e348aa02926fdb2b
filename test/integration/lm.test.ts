// Named to run after the suites that edit the manifest through an open document (files run in name order).
// The language-model chat provider in a real extension host: the test runner, like any
// other extension, asks `vscode.lm.selectChatModels({ vendor: 'agent-connections' })`
// and gets a streamed reply from a mock provider through a registered connection; a
// connection without a key, a disabled one, and one whose key is removed are not offered.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, waitFor } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { MOCK_STREAM_TEXT, startMockProvider, type MockProvider } from '../mocks';

const KEY = 'sk-test-chat-5d1e9a7b3c2f4e60';
const VENDOR = 'agent-connections';

const names = async (): Promise<string[]> => (await vscode.lm.selectChatModels({ vendor: VENDOR })).map((m) => m.name).sort();

function connectionNode(a: AgentConnectionsApi, model: string, connection: string) {
  const state = a.store.folders[0];
  const m = state.analysis!.models.find((x) => x.name === model)!;
  const c = m.connections.find((x) => x.name === connection)!;
  return { kind: 'connection' as const, state, model: m, connection: c, key: 'unknown' as const };
}

describe('connections as VS Code chat models', () => {
  let mock: MockProvider;
  let original: Uint8Array;
  const folderUri = () => vscode.workspace.workspaceFolders![0].uri;
  const manifestUri = () => vscode.Uri.joinPath(folderUri(), 'agent-connections.yaml');

  before(async () => {
    original = await vscode.workspace.fs.readFile(manifestUri());
    mock = await startMockProvider('openai', { key: KEY });
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
    const a = await api();
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: KEY }, origin: mock.origin });
  });

  after(async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), 'gpt-4o', 'prod-key-1');
    // Leave the manifest as the next suites expect it: its original bytes, read again, no notification left over.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.workspace.fs.writeFile(manifestUri(), original);
    await a.store.reload(vscode.workspace.workspaceFolders![0]);
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await mock.close();
  });

  it('offers the enabled connection with a key as model/connection, with provider and family; not the one without a key, not the disabled one', async () => {
    await waitFor('gpt-4o/prod-key-1 among the chat models', async () => (await names()).includes('gpt-4o/prod-key-1'));
    const list = await names();
    assert.ok(!list.includes('gpt-4o/prod-key-2'), `no key on this machine: ${list.join(', ')}`);
    assert.ok(!list.includes('gpt-4o/staging'), `disabled: ${list.join(', ')}`);
    const [model] = await vscode.lm.selectChatModels({ vendor: VENDOR, family: 'gpt-4o' });
    assert.ok(model, 'selectable by family');
    assert.strictEqual(model.vendor, VENDOR);
    assert.strictEqual(model.family, 'gpt-4o');
    assert.ok(model.maxInputTokens > 0);
  });

  it('streams a reply from the provider through the connection, with the stored key', async () => {
    const [model] = (await vscode.lm.selectChatModels({ vendor: VENDOR })).filter((m) => m.name === 'gpt-4o/prod-key-1');
    mock.reset();
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
    const pieces: string[] = [];
    for await (const piece of response.text) pieces.push(piece);
    assert.strictEqual(pieces.join(''), MOCK_STREAM_TEXT);
    assert.ok(pieces.length > 1, 'arrived in pieces');
    const sent = mock.requests.find((r) => r.path === '/v1/chat/completions');
    assert.ok(sent);
    assert.strictEqual(sent.headers.authorization, `Bearer ${KEY}`);
    assert.strictEqual(JSON.parse(sent.body).stream, true);
    assert.ok(await model.countTokens('four score and seven') > 0);
  });

  it('disabling the connection removes it at once; enabling brings it back', async () => {
    const a = await api();
    await vscode.commands.executeCommand('agentConnections.disableConnection', connectionNode(a, 'gpt-4o', 'prod-key-1'));
    try {
      await waitFor('gpt-4o/prod-key-1 gone after disabling', async () => !(await names()).includes('gpt-4o/prod-key-1'));
    } finally {
      await vscode.commands.executeCommand('agentConnections.enableConnection', connectionNode(a, 'gpt-4o', 'prod-key-1'));
    }
    await waitFor('gpt-4o/prod-key-1 back after enabling', async () => (await names()).includes('gpt-4o/prod-key-1'));
  });

  it('removing the key removes the model; storing it again brings it back', async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), 'gpt-4o', 'prod-key-1');
    await waitFor('gpt-4o/prod-key-1 gone without its key', async () => !(await names()).includes('gpt-4o/prod-key-1'));
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: KEY }, origin: mock.origin });
    await waitFor('gpt-4o/prod-key-1 back with its key', async () => (await names()).includes('gpt-4o/prod-key-1'));
  });
});
