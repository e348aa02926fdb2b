// Microsoft Entra ID for an Azure OpenAI connection in a real extension host: Set Key…
// answered as the keyboard would (Microsoft Entra ID → Azure CLI → no tenant) stores the
// choice, bound to the connection's origin; Test Connection then runs the fake `az` first
// on this process's PATH (test/mocks/azureCli.ts) and the Azure mock receives its token
// as `Authorization: Bearer`, with no api-key. A terminal gets the endpoint, no key and no token.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { answeringPicks, api, waitFor } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { fakeAzureCliCalls, installFakeAzureCli, startMockProvider, type MockProvider } from '../mocks';

const TOKEN = 'test-entra-token-integration-0003';
const MODEL = 'gpt-4-1-azure';
const CONN = 'eastus';
const ENDPOINT = 'endpoint: https://contoso-eastus.openai.azure.com';


function node(a: AgentConnectionsApi) {
  const state = a.store.folders[0];
  const model = state.analysis!.models.find((m) => m.name === MODEL)!;
  const connection = model.connections.find((c) => c.name === CONN)!;
  return { kind: 'connection' as const, state, model, connection, key: 'missing' as const };
}

describe('Microsoft Entra ID in a real extension host', () => {
  let mock: MockProvider;
  let dir: string;
  let savedPath: string | undefined;
  let original: string;
  const folder = () => vscode.workspace.workspaceFolders![0];
  const manifestPath = () => path.join(folder().uri.fsPath, 'agent-connections.yaml');

  before(async () => {
    mock = await startMockProvider('azure-openai', { entraToken: TOKEN, models: ['gpt-41-prod'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-integration-az-'));
    installFakeAzureCli(dir, TOKEN);
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
    const a = await api();
    original = fs.readFileSync(manifestPath(), 'utf8');
    assert.ok(original.includes(ENDPOINT), 'the example manifest changed: update this test');
    fs.writeFileSync(manifestPath(), original.replace(ENDPOINT, `endpoint: ${mock.origin}`));
    await a.store.reload(folder());
    await waitFor('the connection pointing at the mock', () => node(a).connection.settings.endpoint === mock.origin);
  });

  after(async () => {
    const a = await api();
    await a.credentials.forget(folder().uri, MODEL, CONN);
    fs.writeFileSync(manifestPath(), original);
    await a.store.reload(folder());
    process.env.PATH = savedPath;
    fs.rmSync(dir, { recursive: true, force: true });
    await mock.close();
  });

  it('Set Key… → Microsoft Entra ID → Azure CLI stores the choice (no secret) bound to the origin; Test sends the az token as a bearer', async () => {
    const a = await api();
    await answeringPicks(() => vscode.commands.executeCommand('agentConnections.setKey', node(a)), [
      ['workbench.action.quickOpenSelectNext', 'workbench.action.acceptSelectedQuickOpenItem'], // API key → Microsoft Entra ID
      ['workbench.action.acceptSelectedQuickOpenItem'], // Azure CLI
      ['workbench.action.acceptSelectedQuickOpenItem'], // no tenant
    ]);
    const stored = await a.credentials.get(folder().uri, MODEL, CONN);
    assert.deepStrictEqual(stored && { credential: stored.credential, origin: stored.origin }, { credential: { kind: 'entraId', source: 'azureCli' }, origin: mock.origin });

    mock.reset();
    await vscode.commands.executeCommand('agentConnections.testConnection', { ...node(a), key: 'present' });
    const last = a.results.get(folder().uri, MODEL, CONN)?.last;
    assert.strictEqual(last?.outcome, 'ok', JSON.stringify(last));
    assert.strictEqual(mock.requests.length, 1);
    assert.strictEqual(mock.requests[0].path, '/openai/deployments/gpt-41-prod/chat/completions?api-version=2024-10-21');
    assert.strictEqual(mock.requests[0].headers.authorization, `Bearer ${TOKEN}`);
    assert.strictEqual(mock.requests[0].headers['api-key'], undefined);
    assert.deepStrictEqual(fakeAzureCliCalls(dir), ['account get-access-token --output json --resource https://cognitiveservices.azure.com']);
    assert.ok(!JSON.stringify(a.results.get(folder().uri, MODEL, CONN)).includes(TOKEN), 'the token is in a stored result');
  });

  it('a terminal with the connection gets the endpoint and version, no key and no token (the program signs in itself)', async () => {
    const a = await api();
    const terminal = await vscode.commands.executeCommand<vscode.Terminal | undefined>('agentConnections.openConnectionTerminal', { ...node(a), key: 'present' });
    assert.ok(terminal, 'no terminal for a connection with an Entra ID identity');
    try {
      const env = (terminal.creationOptions as vscode.TerminalOptions).env ?? {};
      assert.strictEqual(env.AZURE_OPENAI_ENDPOINT, mock.origin);
      assert.strictEqual(env.OPENAI_API_VERSION, '2024-10-21');
      assert.strictEqual(env.AGENT_CONNECTION, `${MODEL}/${CONN}`);
      // Inherited key variables are removed (null), none is set.
      assert.ok(!env.AZURE_OPENAI_API_KEY && !env.OPENAI_API_KEY, `a key variable: ${Object.keys(env).filter((k) => env[k]).join(', ')}`);
      assert.ok(!Object.values(env).includes(TOKEN), 'the token was handed on');
    } finally {
      terminal.dispose();
    }
  });
});
