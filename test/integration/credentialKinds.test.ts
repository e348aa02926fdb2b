// What the user chose instead of a key, in a real extension host: the Models tree row and
// tooltip and the form say "AWS profile: NAME" / "Entra ID: Azure CLI", not "key stored";
// Test of a model counts an identity that gave no token among the failed tests (with its
// outcome), not among those without a key; and Set Key… → Entra ID → VS Code account asks
// VS Code for the Microsoft session right away (a cancelled sign-in stores nothing).
// VS Code's own sign-in (vscode.authentication.getSession, the Microsoft provider that
// would open a browser) is replaced for the last test and restored after it.
import * as fs from 'fs';
import * as path from 'path';
import * as assert from 'assert';
import * as vscode from 'vscode';
import { EXTENSION_ID, MemoryMemento, answeringPicks, api, extensionLog, waitFor } from './helpers';
import type { AgentConnectionsApi } from '../../src/extension';
import { ConnectionTester } from '../../src/testing/connectionTester';
import { Credentials } from '../../src/credentials/credentials';
import { ConnectionEditorPanel } from '../../src/editor/connectionEditor';
import { PROTOCOL_VERSION } from '../../src/core/form/formProtocol';
import { TestResults } from '../../src/testing/testResults';

const AZURE = { model: 'gpt-4-1-azure', connection: 'eastus', origin: 'https://contoso-eastus.openai.azure.com' };
const BEDROCK = { model: 'claude-bedrock', connection: 'us-east' };
const SCOPE = 'https://cognitiveservices.azure.com/.default';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function node(a: AgentConnectionsApi, model: string, connection: string) {
  const state = a.store.folders[0];
  const m = state.analysis!.models.find((x) => x.name === model)!;
  return { kind: 'connection' as const, state, model: m, connection: m.connections.find((c) => c.name === connection)!, key: 'present' as const };
}

async function row(a: AgentConnectionsApi, model: string, connection: string): Promise<{ description: string; tooltip: string }> {
  const n = node(a, model, connection);
  const children = await a.tree.getChildren({ kind: 'model', state: n.state, model: n.model });
  const item = a.tree.getTreeItem(children.find((c) => c.kind === 'connection' && c.connection.name === connection)!);
  return { description: String(item.description), tooltip: (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([()[\]*_.#+:-])/g, '$1') };
}

class MemorySecrets implements vscode.SecretStorage {
  private readonly values = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.emitter.event;
  get(key: string): Thenable<string | undefined> { return Promise.resolve(this.values.get(key)); }
  store(key: string, value: string): Thenable<void> { this.values.set(key, value); return Promise.resolve(); }
  delete(key: string): Thenable<void> { this.values.delete(key); return Promise.resolve(); }
  keys(): Thenable<string[]> { return Promise.resolve([...this.values.keys()]); }
}

describe('credential kinds as the user sees them (tree, form, Test of a model, Set Key… sign-in)', function () {
  this.timeout(60_000);
  const folderUri = () => vscode.workspace.workspaceFolders![0].uri;

  after(async () => {
    const a = await api();
    await a.credentials.forget(folderUri(), AZURE.model, AZURE.connection);
    await a.credentials.forget(folderUri(), BEDROCK.model, BEDROCK.connection);
  });

  it('tree rows and tooltips name the AWS profile and the Entra ID source, not "key stored"', async () => {
    const a = await api();
    await a.credentials.set(folderUri(), AZURE.model, AZURE.connection, { credential: { kind: 'entraId', source: 'azureCli', tenantId: 'contoso.onmicrosoft.com' }, origin: AZURE.origin });
    await a.credentials.set(folderUri(), BEDROCK.model, BEDROCK.connection, { credential: { kind: 'awsProfile', profile: 'team-dev' }, origin: 'https://bedrock-runtime.us-east-1.amazonaws.com' });
    const azure = await row(a, AZURE.model, AZURE.connection);
    assert.match(azure.description, /· Entra ID: Azure CLI( ·|$)/);
    assert.doesNotMatch(azure.description, /key stored/);
    assert.match(azure.tooltip, /\*\*Credential:\*\* Microsoft Entra ID \(Azure CLI, tenant contoso\.onmicrosoft\.com\) \(a token is asked for on each request/);
    assert.doesNotMatch(azure.tooltip, /Key stored|\*\*Key:\*\*/);
    const bedrock = await row(a, BEDROCK.model, BEDROCK.connection);
    assert.match(bedrock.description, /· AWS profile: team-dev( ·|$)/);
    assert.match(bedrock.tooltip, /\*\*Credential:\*\* AWS profile team-dev \(its keys are resolved by the AWS SDK on each request; never marked old, chosen /);
    // A key is still a key.
    await a.credentials.set(folderUri(), AZURE.model, AZURE.connection, { credential: { kind: 'apiKey', apiKey: 'sk-test-kinds-azure-key-0001' }, origin: AZURE.origin });
    const keyed = await row(a, AZURE.model, AZURE.connection);
    assert.match(keyed.description, /· key stored/);
    assert.match(keyed.tooltip, /\*\*Key:\*\* stored on this machine/);
  });

  it('the form of a connection with an Entra ID identity says what was chosen, not "Key stored"', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const folder = vscode.workspace.workspaceFolders![0];
    const context = { extensionUri: ext.extensionUri, secrets: new MemorySecrets(), globalState: new MemoryMemento(), workspaceState: new MemoryMemento(), subscriptions: [] } as unknown as vscode.ExtensionContext;
    const log = vscode.window.createOutputChannel('credential kinds test', { log: true });
    const credentials = new Credentials(context);
    await credentials.set(folder.uri, AZURE.model, AZURE.connection, { credential: { kind: 'entraId', source: 'azureCli' }, origin: AZURE.origin });
    const results = new TestResults(new MemoryMemento());
    const tester = new ConnectionTester(context, credentials, results, log);
    const editor = ConnectionEditorPanel.createOrShow({ context, store: a.store, credentials, tester, results, log, agentUsers: (f, m, c) => a.agentsTree.usage(f, m, c) }, { mode: 'editConnection', folder, model: AZURE.model, connection: AZURE.connection });
    const posted: Array<{ type?: string; state?: { keyStatus?: string; keyLabel?: string } }> = [];
    const webview = editor.panel.webview;
    const realPost = webview.postMessage.bind(webview);
    webview.postMessage = (m: unknown) => { posted.push(m as (typeof posted)[number]); return realPost(m); };
    try {
      await sleep(1_000);
      (editor as unknown as { receive(raw: unknown): void }).receive({ type: 'ready', id: 1, protocol: PROTOCOL_VERSION });
      await waitFor('the form\'s init after the handshake', () => posted.some((m) => m.type === 'init'));
      const init = posted.find((m) => m.type === 'init');
      assert.deepStrictEqual(init && [init.state?.keyStatus, init.state?.keyLabel], ['present', 'Entra ID: Azure CLI']);
      // An API key has no label: the form says "Key stored on this machine" as before. (Ids above any the panel's
      // own script uses: it sends `ready` and `validate` messages of its own, and a used id is dropped as a replay.)
      await credentials.set(folder.uri, AZURE.model, AZURE.connection, { credential: { kind: 'apiKey', apiKey: 'sk-test-kinds-azure-key-0002' }, origin: AZURE.origin });
      posted.length = 0;
      (editor as unknown as { receive(raw: unknown): void }).receive({ type: 'ready', id: 100_001, protocol: PROTOCOL_VERSION });
      await waitFor(`the form's init after the second handshake (posted: ${JSON.stringify(posted).slice(0, 200)})`, () => posted.some((m) => m.type === 'init'));
      const again = posted.find((m) => m.type === 'init');
      assert.ok(again, `no init after the second handshake: ${JSON.stringify(posted).slice(0, 200)}`);
      assert.deepStrictEqual([again.state?.keyStatus, again.state?.keyLabel], ['present', undefined]);
    } finally {
      editor.dispose();
      log.dispose();
    }
  });

  it('Test of a model: an identity that gives no token is counted as failed with its outcome, not as "without a key"', async () => {
    const a = await api();
    const saved = Object.fromEntries(['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_USERNAME'].map((n) => [n, process.env[n]]));
    for (const n of Object.keys(saved)) delete process.env[n];
    try {
      // eastus: Entra ID from the environment, which has no AZURE_* variables; swedencentral: nothing stored.
      await a.credentials.set(folderUri(), AZURE.model, AZURE.connection, { credential: { kind: 'entraId', source: 'environment' }, origin: AZURE.origin });
      await a.credentials.forget(folderUri(), AZURE.model, 'swedencentral');
      const n = node(a, AZURE.model, AZURE.connection);
      const outcome = await vscode.commands.executeCommand<Map<unknown, { outcome: string; stage?: string; message: string }>>('agentConnections.testModel', { kind: 'model', state: n.state, model: n.model });
      const byConnection = [...outcome!].map(([r, result]) => [(r as { connection: { name: string } }).connection.name, result.outcome, result.stage ?? null]).sort();
      assert.deepStrictEqual(byConnection, [['eastus', 'missing_credentials', 'credential'], ['swedencentral', 'missing_credentials', null]]);
      await waitFor('the summary in the log', () => /Tested 2 connections: 0 ok, 1 failed \(1 missing credentials\), 1 without a key on this machine\./.test(extensionLog(a)));
      // The failed test is recorded like any other (the tree shows it); "no key" is not.
      assert.match(a.results.get(folderUri(), AZURE.model, AZURE.connection)?.last?.message ?? '', /No Entra ID credentials in the environment/);
      assert.strictEqual(a.results.get(folderUri(), AZURE.model, 'swedencentral')?.last, undefined);
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  });

  describe('Set Key… → Microsoft Entra ID → VS Code account', () => {
    const auth = vscode.authentication as { getSession: typeof vscode.authentication.getSession };
    const real = auth.getSession;
    const calls: unknown[][] = [];
    let answer: () => Promise<vscode.AuthenticationSession | undefined>;
    before(() => {
      auth.getSession = ((...args: unknown[]) => { calls.push(args); return answer(); }) as typeof vscode.authentication.getSession;
    });
    after(() => { auth.getSession = real; });

    const setKeyChoosingVsCodeAccount = (a: AgentConnectionsApi) => answeringPicks(() => vscode.commands.executeCommand('agentConnections.setKey', { ...node(a, AZURE.model, 'swedencentral'), key: 'missing' }), [
      ['workbench.action.quickOpenSelectNext', 'workbench.action.acceptSelectedQuickOpenItem'], // API key → Microsoft Entra ID
      ['workbench.action.quickOpenSelectNext', 'workbench.action.acceptSelectedQuickOpenItem'], // Azure CLI → VS Code account
      ['workbench.action.acceptSelectedQuickOpenItem'], // no tenant
    ]);

    it('a cancelled sign-in stores nothing; a completed one is asked for at choice time and stores the choice', async () => {
      const a = await api();
      await a.credentials.forget(folderUri(), AZURE.model, 'swedencentral');
      calls.length = 0;
      answer = () => Promise.reject(new Error('User did not consent to login.'));
      await setKeyChoosingVsCodeAccount(a);
      assert.deepStrictEqual(calls, [['microsoft', [SCOPE], { createIfNone: true }]]);
      assert.strictEqual(await a.credentials.get(folderUri(), AZURE.model, 'swedencentral'), undefined, 'a cancelled sign-in stored something');

      calls.length = 0;
      answer = async () => ({ id: 'session-1', accessToken: 'test-entra-token-signin-0005', account: { id: 'a', label: 'someone@example.com' }, scopes: [SCOPE] });
      await setKeyChoosingVsCodeAccount(a);
      assert.deepStrictEqual(calls, [['microsoft', [SCOPE], { createIfNone: true }]], 'the session was not asked for at choice time');
      const stored = await a.credentials.get(folderUri(), AZURE.model, 'swedencentral');
      assert.deepStrictEqual(stored?.credential, { kind: 'entraId', source: 'vscode' });
      assert.ok(!JSON.stringify(stored).includes('test-entra-token'), 'the token was stored');
      await a.credentials.forget(folderUri(), AZURE.model, 'swedencentral');
    });

    it('the form\'s Save with "VS Code account" signs in at once: a cancelled sign-in saves nothing and says so at the field', async () => {
      const a = await api();
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const folder = vscode.workspace.workspaceFolders![0];
      const context = { extensionUri: ext.extensionUri, secrets: new MemorySecrets(), globalState: new MemoryMemento(), workspaceState: new MemoryMemento(), subscriptions: [] } as unknown as vscode.ExtensionContext;
      const log = vscode.window.createOutputChannel('credential kinds form sign-in test', { log: true });
      const credentials = new Credentials(context);
      const results = new TestResults(new MemoryMemento());
      const editor = ConnectionEditorPanel.createOrShow({ context, store: a.store, credentials, tester: new ConnectionTester(context, credentials, results, log), results, log, agentUsers: (f, m, c) => a.agentsTree.usage(f, m, c) }, { mode: 'editConnection', folder, model: AZURE.model, connection: 'swedencentral' });
      type Posted = { type?: string; id?: number; ok?: boolean; result?: { kind?: string; message?: string; report?: { errors?: Record<string, string> } }; state?: { draft?: Record<string, unknown> } };
      const posted: Posted[] = [];
      const webview = editor.panel.webview;
      const realPost = webview.postMessage.bind(webview);
      webview.postMessage = (m: unknown) => { posted.push(m as Posted); return realPost(m); };
      const receive = (raw: unknown) => (editor as unknown as { receive(raw: unknown): void }).receive(raw);
      const manifest = path.join(folder.uri.fsPath, 'agent-connections.yaml');
      const before = fs.readFileSync(manifest, 'utf8');
      try {
        await sleep(1_000);
        receive({ type: 'ready', id: 1, protocol: PROTOCOL_VERSION });
        await waitFor('the form\'s init', () => posted.some((m) => m.type === 'init'));
        const draft = posted.find((m) => m.type === 'init')!.state!.draft!;
        const save = async (id: number) => {
          receive({ type: 'save', id, draft: { ...draft, fields: { ...(draft.fields as object), connectionDescription: 'Signed in from the form' } }, secret: { entraSource: 'vscode' } });
          await waitFor(`the reply to save ${id}`, () => posted.some((m) => m.type === 'reply' && m.id === id));
          return posted.find((m) => m.type === 'reply' && m.id === id)!;
        };

        calls.length = 0;
        answer = () => Promise.reject(new Error('User did not consent to login.'));
        const refused = await save(100_010);
        assert.deepStrictEqual(calls, [['microsoft', [SCOPE], { createIfNone: true }]], 'no sign-in was asked for at save time');
        assert.strictEqual(refused.result?.kind, 'cancelled', JSON.stringify(refused));
        assert.match(refused.result?.report?.errors?.entraSource ?? '', /VS Code could not sign in to a Microsoft account: User did not consent to login\. Nothing was saved\./);
        assert.strictEqual(fs.readFileSync(manifest, 'utf8'), before, 'the manifest was written');
        assert.strictEqual(await credentials.get(folder.uri, AZURE.model, 'swedencentral'), undefined, 'something was stored');

        calls.length = 0;
        answer = async () => ({ id: 'session-2', accessToken: 'test-entra-token-form-0006', account: { id: 'a', label: 'someone@example.com' }, scopes: [SCOPE] });
        const saved = await save(100_011);
        assert.strictEqual(saved.result?.kind, 'saved', JSON.stringify(saved));
        assert.match(saved.result?.message ?? '', /Entra ID: VS Code account, chosen on this machine/);
        assert.strictEqual(calls.length, 1);
        assert.deepStrictEqual((await credentials.get(folder.uri, AZURE.model, 'swedencentral'))?.credential, { kind: 'entraId', source: 'vscode' });
        assert.match(fs.readFileSync(manifest, 'utf8'), /description: Signed in from the form/);
      } finally {
        editor.dispose();
        log.dispose();
        fs.writeFileSync(manifest, before);
        await a.store.reload(folder);
      }
    });
  });
});
