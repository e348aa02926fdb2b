// Bedrock API keys and key hygiene inside a real extension host: a Bedrock API key goes to
// the Bedrock mock as `Authorization: Bearer` (no SigV4); the tree marks a key older than
// agentConnections.keyMaxAgeDays and a key refused twice in a row; Forget Keys of This
// Workspace / Forget All Keys name the count and remove exactly their entries.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { api, waitFor } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { startMockProvider, type MockProvider } from '../mocks';

const BEARER = 'bedrock-api-key-test-hygiene-0009';
const OPENAI = 'sk-test-hygiene-openai-0010';
const MODEL = 'claude-bedrock';
const CONN = 'us-east';

const folderUri = () => vscode.workspace.workspaceFolders![0].uri;
const config = () => vscode.workspace.getConfiguration('agentConnections');

function node(a: AgentConnectionsApi, model: string, connection: string) {
  const state = a.store.folders[0];
  const m = state.analysis!.models.find((x) => x.name === model)!;
  const c = m.connections.find((x) => x.name === connection)!;
  return { kind: 'connection' as const, state, model: m, connection: c, key: 'unknown' as const };
}

/** The tree row of a connection as the Models view builds it (key status and storedAt read from SecretStorage). */
async function row(a: AgentConnectionsApi, model: string, connection: string): Promise<{ description: string; tooltip: string; contextValue: string; icon: string }> {
  const state = a.store.folders[0];
  const m = state.analysis!.models.find((x) => x.name === model)!;
  const children = await a.tree.getChildren({ kind: 'model', state, model: m });
  const child = children.find((n) => n.kind === 'connection' && n.connection.name === connection)!;
  const item = a.tree.getTreeItem(child);
  return {
    description: String(item.description ?? ''),
    tooltip: (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([()[\]*_.#+-])/g, '$1'),
    contextValue: item.contextValue ?? '',
    icon: (item.iconPath as vscode.ThemeIcon).id,
  };
}

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

describe('Bedrock API keys and key hygiene in a real extension host', function () {
  this.timeout(60_000);
  let mock: MockProvider;

  before(async () => {
    mock = await startMockProvider('amazon-bedrock', { bedrockApiKey: BEARER });
    await config().update('providerEndpoints', { 'amazon-bedrock': mock.origin }, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), MODEL, CONN);
    await a.credentials.forget(folderUri(), 'gpt-4o', 'prod-key-2');
    await a.results.forget(folderUri(), MODEL, CONN);
    await config().update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    await config().update('keyMaxAgeDays', undefined, vscode.ConfigurationTarget.Workspace);
    await mock.close();
  });

  it('a stored Bedrock API key: Test sends the Converse request with Authorization: Bearer and no SigV4; the tree shows ok', async () => {
    const a = await api();
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'bedrockApiKey', apiKey: BEARER }, origin: mock.origin });
    const stored = await a.credentials.get(folderUri(), MODEL, CONN);
    assert.strictEqual(stored?.credential.kind, 'bedrockApiKey');
    assert.ok(stored?.storedAt && Math.abs(Date.parse(stored.storedAt) - Date.now()) < 60_000, `storedAt: ${String(stored?.storedAt)}`);
    mock.reset();
    await vscode.commands.executeCommand('agentConnections.testConnection', node(a, MODEL, CONN));
    const last = a.results.get(folderUri(), MODEL, CONN)?.last;
    assert.strictEqual(last?.outcome, 'ok', JSON.stringify(last));
    assert.strictEqual(mock.requests.length, 1);
    const sent = mock.requests[0];
    assert.strictEqual(sent.path, '/model/us.anthropic.claude-opus-4-1-20250805-v1%3A0/converse');
    assert.strictEqual(sent.headers.authorization, `Bearer ${BEARER}`);
    for (const h of ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']) assert.strictEqual(sent.headers[h], undefined, h);
    assert.deepStrictEqual(mock.violations, []);
    const r = await row(a, MODEL, CONN);
    assert.match(r.description, /^enabled · key stored · ok \d+ ms/);
    assert.doesNotMatch(r.contextValue, /\breplaceKey\b/);
  });

  // The setting is written to the workspace, not the user settings: with user-level writes here, an
  // earlier test of this tier (extension.test.ts, toggling through a stale open document) failed
  // reproducibly (9 of 9 runs), for a reason not found; workspace-level writes do not.
  it('keyMaxAgeDays marks an older key (description, tooltip, icon, inline Replace Key…); off by default; an unknown age is never marked', async () => {
    const a = await api();
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'bedrockApiKey', apiKey: BEARER }, origin: mock.origin, storedAt: daysAgo(100) });
    assert.strictEqual(config().get('keyMaxAgeDays'), 0, 'off by default');
    assert.doesNotMatch((await row(a, MODEL, CONN)).contextValue, /\breplaceKey\b/);
    await config().update('keyMaxAgeDays', 30, vscode.ConfigurationTarget.Workspace);
    const marked = await row(a, MODEL, CONN);
    assert.match(marked.description, /key 100 days old — Replace Key…/);
    assert.match(marked.contextValue, /\breplaceKey\b.*\bkeyOld\b/);
    assert.strictEqual(marked.icon, 'key');
    assert.match(marked.tooltip, /stored 100 days ago, more than agentConnections\.keyMaxAgeDays \(30\) allows/);
    await config().update('keyMaxAgeDays', 365, vscode.ConfigurationTarget.Workspace);
    assert.doesNotMatch((await row(a, MODEL, CONN)).contextValue, /\breplaceKey\b/);
    // An entry stored before storedAt existed: unknown age, said so, never marked.
    await config().update('keyMaxAgeDays', 1, vscode.ConfigurationTarget.Workspace);
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'bedrockApiKey', apiKey: BEARER }, origin: mock.origin, storedAt: '' });
    assert.strictEqual((await a.credentials.get(folderUri(), MODEL, CONN))?.storedAt, undefined);
    const unknown = await row(a, MODEL, CONN);
    assert.doesNotMatch(unknown.contextValue, /\breplaceKey\b/);
    assert.match(unknown.tooltip, /age unknown, never marked old/);
    await config().update('keyMaxAgeDays', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('a key refused twice in a row is marked "Replace Key…"; once is not; replacing the key clears the mark', async () => {
    const a = await api();
    await a.results.forget(folderUri(), MODEL, CONN);
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'bedrockApiKey', apiKey: 'bedrock-api-key-test-WRONG-0011' }, origin: mock.origin });
    await vscode.commands.executeCommand('agentConnections.testConnection', node(a, MODEL, CONN));
    assert.strictEqual(a.results.get(folderUri(), MODEL, CONN)?.last.outcome, 'auth_failed');
    assert.doesNotMatch((await row(a, MODEL, CONN)).contextValue, /\breplaceKey\b/, 'one failure is not marked');
    await vscode.commands.executeCommand('agentConnections.testConnection', node(a, MODEL, CONN));
    const marked = await row(a, MODEL, CONN);
    assert.match(marked.description, /key refused 2× in a row — Replace Key…/);
    assert.match(marked.contextValue, /\breplaceKey\b.*\bkeyRefused\b/);
    assert.match(marked.tooltip, /refused the key \(auth failed\) in the last 2 tests in a row/);
    // A replaced key starts again: the failures were for the old one.
    await new Promise((r) => setTimeout(r, 20));
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'bedrockApiKey', apiKey: BEARER }, origin: mock.origin });
    assert.doesNotMatch((await row(a, MODEL, CONN)).contextValue, /\breplaceKey\b/);
  });

  it('Forget Keys of This Workspace / Forget All Keys: the confirmation names the count the Models view shows; exactly those entries go, nothing else', async () => {
    const a = await api();
    const other = vscode.Uri.file('/tmp/agent-connections-other-project');
    // A known start: no key from an earlier test file; then two keys here and one of another workspace.
    await a.credentials.forgetMany();
    await a.credentials.set(folderUri(), MODEL, CONN, { credential: { kind: 'bedrockApiKey', apiKey: BEARER }, origin: mock.origin });
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-2', { credential: { kind: 'apiKey', apiKey: OPENAI }, origin: 'https://api.openai.com' });
    await a.credentials.set(other, 'elsewhere', 'main', { credential: { kind: 'apiKey', apiKey: 'sk-test-hygiene-other-0012' }, origin: 'https://api.openai.com' });
    const resultsBefore = a.results.get(folderUri(), MODEL, CONN);
    /** The rows of the Models view that show a stored key, as `model/connection`. */
    const shown = async () => {
      const state = a.store.folders[0];
      const out: string[] = [];
      for (const model of state.analysis!.models) {
        for (const child of await a.tree.getChildren({ kind: 'model', state, model })) {
          if (child.kind === 'connection' && /key stored|Replace Key…/.test(String(a.tree.getTreeItem(child).description ?? ''))) out.push(`${model.name}/${child.connection.name}`);
        }
      }
      return out;
    };
    assert.deepStrictEqual(await shown(), ['gpt-4o/prod-key-2', `${MODEL}/${CONN}`], 'the Models view shows the two keys stored here');

    // The real command asks with a modal; the test host refuses to show it: nothing is deleted.
    await vscode.commands.executeCommand('agentConnections.forgetWorkspaceKeys');
    assert.strictEqual((await shown()).length, 2);
    assert.strictEqual(await a.credentials.status(other, 'elsewhere', 'main'), 'present');

    const asked: string[] = [];
    const answer = (ok: boolean) => (message: string) => { asked.push(message); return Promise.resolve(ok); };
    assert.strictEqual(await a.forgetKeys('workspace', answer(false)), 0);
    assert.strictEqual((await shown()).length, 2, 'declined: nothing forgotten');
    assert.strictEqual(await a.forgetKeys('workspace', answer(true)), 2);
    assert.deepStrictEqual(asked, ['Forget the 2 keys of this workspace on this machine?', 'Forget the 2 keys of this workspace on this machine?']);
    assert.deepStrictEqual(await shown(), [], 'a row still shows a key');
    assert.strictEqual(await a.credentials.status(folderUri(), MODEL, CONN), 'missing');
    assert.strictEqual(await a.credentials.status(folderUri(), 'gpt-4o', 'prod-key-2'), 'missing');
    assert.strictEqual(await a.credentials.status(other, 'elsewhere', 'main'), 'present', 'another workspace’s key stays');
    assert.deepStrictEqual(a.results.get(folderUri(), MODEL, CONN), resultsBefore, 'test results stay');
    await waitFor('the tree shows the forgotten key', async () => (await row(a, MODEL, CONN)).description.includes('no key on this machine'));

    // Left: the other workspace's key, which this window shows nowhere; the modal counts it.
    asked.length = 0;
    assert.strictEqual(await a.forgetKeys('all', answer(true)), 1);
    assert.deepStrictEqual(asked, ['Forget all 1 key Agent Connections stored on this machine?']);
    assert.strictEqual(await a.credentials.status(other, 'elsewhere', 'main'), 'missing');
    // A key stored afterwards works as before (the fingerprint secret was not deleted with the keys).
    await a.credentials.set(folderUri(), 'gpt-4o', 'prod-key-2', { credential: { kind: 'apiKey', apiKey: OPENAI }, origin: 'https://api.openai.com' });
    assert.strictEqual(await a.credentials.duplicateOf(folderUri(), 'gpt-4o', 'prod-key-1', { kind: 'apiKey', apiKey: OPENAI }), 'prod-key-2');
  });
});
