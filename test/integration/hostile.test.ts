// The hostile-input suite inside a real extension host: every file of the corpus
// (test/fixtures/hostile/) loaded by the extension as the workspace's manifest or
// agents file gives its problem at its range and keeps its bytes, also after a
// refused edit command; nothing is sent to a trap origin; SecretStorage that throws
// or never answers ends in a clear error within its timeout and nothing is written
// elsewhere; concurrent edits lose nothing; a provider's markup is shown escaped.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { MemoryMemento, api, discardEditors } from './helpers';
import { ConcurrentEditError, applyManifestEdit } from '../../src/manifest/applyEdit';
import { ConnectionTester } from '../../src/testing/connectionTester';
import { Credentials } from '../../src/credentials/credentials';
import { setConnectionEnabled } from '../../src/core/manifest/edit';
import { decodeSource } from '../../src/core/yaml/encoding';
import type { AgentConnectionsApi } from '../../src/extension';
import { TestResults } from '../../src/testing/testResults';
import { MARKUP_MESSAGE, startMockProvider, startTrapServer, type MockProvider, type TrapServer } from '../mocks';
import { CANARY, hostileFixtures, mb, recordCase, recordTrap, sweep } from '../unit/hostile/report';

interface Expected { code: string; range: [number, number, number, number]; message: string; syntaxOk: boolean; threat: string }
const EXPECTED: Record<string, Expected> = JSON.parse(fs.readFileSync(path.join(hostileFixtures, 'expected.json'), 'utf8'));

const folder = () => vscode.workspace.workspaceFolders![0];
const manifestPath = () => path.join(folder().uri.fsPath, 'agent-connections.yaml');
const agentsPath = () => path.join(folder().uri.fsPath, 'agents', 'zz-hostile.agents.yaml');

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Writes the manifest's bytes and reloads the store once VS Code's copy of the file (a
 * document an earlier test opened stays in `textDocuments`, and the store reads it first)
 * has caught up with the disk.
 */
async function setManifest(a: AgentConnectionsApi, bytes: Buffer): Promise<number> {
  fs.writeFileSync(manifestPath(), bytes);
  const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
  // Bytes that are not UTF-8 text are read from the disk whatever the editor made of them (it decodes UTF-16).
  const fromDisk = decodeSource(bytes, 'manifest').problem !== undefined;
  const stale = () => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === manifestPath());
    return !fromDisk && doc !== undefined && doc.getText() !== text;
  };
  if (stale()) await waitFor('the open document to follow the file', () => !stale(), 5_000).catch(() => undefined);
  const t0 = performance.now();
  await a.store.reload(folder());
  return performance.now() - t0;
}

function diagnosticAt(uri: vscode.Uri, want: Expected): vscode.Diagnostic | undefined {
  return vscode.languages.getDiagnostics(uri).find((d) => d.code === want.code && d.range.start.line === want.range[0] && d.range.start.character === want.range[1]
    && d.range.end.line === want.range[2] && d.range.end.character === want.range[3] && new RegExp(want.message).test(d.message));
}

/** A SecretStorage that fails the way VS Code's can on Linux without a keyring. */
class BrokenSecrets implements vscode.SecretStorage {
  calls = 0;
  private readonly emitter = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.emitter.event;
  constructor(private readonly mode: 'throws' | 'hangs') {}
  private fail<T>(): Thenable<T> {
    this.calls++;
    return this.mode === 'throws' ? Promise.reject(new Error('Cannot create an item in a locked collection')) : new Promise<T>(() => undefined);
  }
  get(): Thenable<string | undefined> { return this.fail(); }
  store(): Thenable<void> { return this.fail(); }
  delete(): Thenable<void> { return this.fail(); }
  keys(): Thenable<string[]> { return this.fail(); }
}

function standInContext(secrets: vscode.SecretStorage, globalState = new MemoryMemento()): vscode.ExtensionContext {
  return { secrets, globalState, workspaceState: new MemoryMemento(), subscriptions: [] } as unknown as vscode.ExtensionContext;
}

describe('hostile input in a real extension host', function () {
  this.timeout(120_000);
  let trap: TrapServer;
  let original: Buffer;

  before(async () => {
    trap = await startTrapServer();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    original = fs.readFileSync(manifestPath());
  });

  after(async () => {
    await discardEditors();
    fs.rmSync(agentsPath(), { force: true });
    fs.rmSync(path.join(folder().uri.fsPath, 'concurrent-edit.yaml'), { force: true });
    const a = await api();
    await setManifest(a, original);
    await a.agents.scanAll();
    recordTrap('extension host: hostile manifests, agents files, Test Connection', trap);
    await trap.close();
  });

  describe('the corpus, loaded by the extension', () => {
    const files = Object.keys(EXPECTED).sort();

    it(`${files.filter((f) => f.startsWith('manifests/')).length} manifests: the problem at its range, bytes unchanged after loading and after a refused edit command`, async () => {
      const a = await api();
      const uri = vscode.Uri.file(manifestPath());
      for (const file of files.filter((f) => f.startsWith('manifests/'))) {
        const want = EXPECTED[file];
        const bytes = fs.readFileSync(path.join(hostileFixtures, file));
        // The time of the store's reload: read, analysis in the worker thread, diagnostics published.
        const ms = await setManifest(a, bytes);
        const d = await waitFor(`${file}: ${want.code} at ${want.range.join(':')}`, () => diagnosticAt(uri, want), 5_000).catch((err: Error) => {
          throw new Error(`${err.message}; diagnostics: ${vscode.languages.getDiagnostics(uri).map((x) => `${String(x.code)}@${x.range.start.line}:${x.range.start.character} ${x.message}`).join(' | ')}`);
        });
        assert.ok(d);
        assert.ok(ms < 1_000, `${file}: the reload took ${ms.toFixed(0)} ms`);
        assert.ok(fs.readFileSync(manifestPath()).equals(bytes), `${file}: the extension changed the file when loading it`);
        let commandTried = false;
        if (!want.syntaxOk) {
          // The tree's Disable command on the file's first connection (or a made-up one): refused, bytes unchanged.
          const state = a.store.folders[0];
          const model = state.analysis?.models[0] ?? { name: 'm', connections: [] };
          const connection = model.connections[0] ?? { name: 'c', enabled: true };
          await vscode.commands.executeCommand('agentConnections.disableConnection', { kind: 'connection', state, model, connection, key: 'unknown' });
          assert.ok(fs.readFileSync(manifestPath()).equals(bytes), `${file}: a refused edit changed the file`);
          commandTried = true;
        }
        recordCase('extension host: files', file, ms, true, undefined, { code: want.code, refusedEditCommand: commandTried });
      }
      // Still alive: the example manifest loads again with its eight models.
      await setManifest(a, original);
      assert.strictEqual((await a.snapshot()).filter((l) => !l.startsWith(' ')).length, 8);
    });

    it(`${files.filter((f) => f.startsWith('agents/')).length} agents files: the problem at its range, bytes unchanged`, async () => {
      const a = await api();
      const uri = vscode.Uri.file(agentsPath());
      for (const file of files.filter((f) => f.startsWith('agents/'))) {
        const want = EXPECTED[file];
        const bytes = fs.readFileSync(path.join(hostileFixtures, file));
        fs.writeFileSync(agentsPath(), bytes);
        const t0 = performance.now();
        await a.agents.reload(uri);
        await waitFor(`${file}: ${want.code}`, () => diagnosticAt(uri, want), 5_000).catch((err: Error) => {
          throw new Error(`${err.message}; diagnostics: ${vscode.languages.getDiagnostics(uri).map((x) => `${String(x.code)}@${x.range.start.line}:${x.range.start.character} ${x.message}`).join(' | ')}`);
        });
        const ms = performance.now() - t0;
        assert.ok(ms < 1_000, `${file}: ${ms.toFixed(0)} ms`);
        assert.ok(fs.readFileSync(agentsPath()).equals(bytes), `${file}: the extension changed the file`);
        recordCase('extension host: files', file, ms, true, undefined, { code: want.code });
      }
      fs.rmSync(agentsPath(), { force: true });
      await a.agents.scanAll();
    });

    it('a manifest pointing every connection at the trap: loading, refreshing and revealing send nothing', async () => {
      const a = await api();
      const text = `version: 1\nmodels:\n  - name: trap-generic\n    type: api\n    provider: generic\n    model: m\n    connections:\n      - name: c\n        baseUrl: ${trap.origin}/v1\n  - name: trap-azure\n    type: easy\n    provider: azure-openai\n    model: gpt-4.1\n    connections:\n      - name: c\n        endpoint: ${trap.origin}\n        deployment: d\n        apiVersion: v1\n`;
      await setManifest(a, Buffer.from(text));
      await vscode.commands.executeCommand('agentConnections.refresh');
      const lines = await a.snapshot();
      assert.ok(lines.some((l) => l.startsWith('trap-generic')), lines.join('\n'));
      const state = a.store.folders[0];
      const model = state.analysis!.models[0];
      await vscode.commands.executeCommand('agentConnections.revealInManifest', { kind: 'connection', state, model, connection: model.connections[0], key: 'unknown' });
      await new Promise((r) => setTimeout(r, 500));
      assert.strictEqual(trap.connections, 0);
      assert.strictEqual(trap.bytesReceived, 0);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await setManifest(a, original);
      recordCase('extension host: trap', 'a manifest pointing at the trap, loaded, refreshed, revealed', 0, true);
    });
  });

  describe('secret names (§1: opaque, not derived from manifest text)', () => {
    it('a stored key\'s SecretStorage name is an opaque id: no model, connection, folder or origin text in it, another per connection, folder and entry', async () => {
      const names: string[] = [];
      const values = new Map<string, string>();
      const secrets: vscode.SecretStorage = {
        onDidChange: new vscode.EventEmitter<vscode.SecretStorageChangeEvent>().event,
        get: (k) => Promise.resolve(values.get(k)),
        store: (k, v) => { names.push(k); values.set(k, v); return Promise.resolve(); },
        delete: (k) => { values.delete(k); return Promise.resolve(); },
      };
      const credentials = new Credentials(standInContext(secrets));
      const other = vscode.Uri.file(path.join(os.tmpdir(), 'other-workspace'));
      // Names a hostile manifest could choose to collide with another entry, or to carry text into the name.
      const hostile = ['gpt-4o', 'prod-key-1', '../../agentConnections.secret.x', 'agentConnections.secret.'];
      await credentials.set(folder().uri, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: CANARY }, origin: 'https://api.openai.com' });
      await credentials.set(folder().uri, hostile[2], hostile[3], { credential: { kind: 'apiKey', apiKey: CANARY }, origin: 'https://api.openai.com' });
      await credentials.set(other, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: CANARY }, origin: 'https://api.openai.com' });
      // Besides the entries: the fixed name of the fingerprints' HMAC key, and nothing else.
      const fixed = names.filter((n) => !n.startsWith('agentConnections.secret.'));
      assert.deepStrictEqual([...new Set(fixed)], ['agentConnections.fingerprintKey'], names.join(', '));
      const entries = names.filter((n) => n.startsWith('agentConnections.secret.'));
      assert.strictEqual(entries.length, 3, entries.join(', '));
      assert.strictEqual(new Set(entries).size, 3, `two entries share a name: ${entries.join(', ')}`);
      for (const n of entries) {
        assert.match(n, /^agentConnections\.secret\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, n);
        for (const text of [...hostile, 'openai', folder().name]) assert.ok(!n.slice('agentConnections.secret.'.length).includes(text), `${n} holds ${text}`);
      }
      // Replacing a key keeps its entry (no second name for the same connection).
      await credentials.set(folder().uri, 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: `${CANARY}-2` }, origin: 'https://api.openai.com' });
      const after = names.filter((n) => n.startsWith('agentConnections.secret.'));
      assert.deepStrictEqual(after, [...entries, entries[0]]);
      recordCase('extension host: secret names', 'opaque SecretStorage names', 0, true);
    });
  });

  describe('symbolic links out of the workspace folder', () => {
    it('a manifest or agents file linking out of the folder: link-outside at 1:1, not read, and an edit is refused, writing nothing through the link', async () => {
      const a = await api();
      const uri = vscode.Uri.file(manifestPath());
      const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-outside-'));
      // Valid files: an edit would succeed if it followed the link.
      const target = path.join(outsideDir, 'agent-connections.yaml');
      const agentsTarget = path.join(outsideDir, 'x.agents.yaml');
      const agentsText = 'agents:\n  - name: outside-agent\n    connection: gpt-4o/prod-key-1\n';
      fs.writeFileSync(target, original);
      fs.writeFileSync(agentsTarget, agentsText);
      const t0 = performance.now();
      try {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        fs.rmSync(manifestPath());
        fs.symlinkSync(target, manifestPath());
        await a.store.reload(folder());
        const d = await waitFor('link-outside on the manifest', () => vscode.languages.getDiagnostics(uri).find((x) => x.code === 'link-outside'), 5_000);
        assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.severity], [0, 0, vscode.DiagnosticSeverity.Error]);
        assert.strictEqual(d.message, `The manifest is a symbolic link to ${fs.realpathSync(target)}, outside the workspace folder: it is not read, and never changed here. Replace the link with the file itself.`);
        assert.strictEqual(a.store.folders[0].analysis?.models.length, 0, 'the linked manifest was read');
        await assert.rejects(applyManifestEdit(uri, (text) => setConnectionEnabled(text, { model: 'gpt-4o', connection: 'prod-key-1' }, false)), /symbolic link to .*outside the workspace folder[^]*nothing was written/);
        assert.ok(fs.readFileSync(target).equals(original), 'an edit was written through the link');

        fs.mkdirSync(path.dirname(agentsPath()), { recursive: true });
        fs.symlinkSync(agentsTarget, agentsPath());
        const agentsUri = vscode.Uri.file(agentsPath());
        await a.agents.reload(agentsUri);
        const ad = await waitFor('link-outside on the agents file', () => vscode.languages.getDiagnostics(agentsUri).find((x) => x.code === 'link-outside'), 5_000);
        assert.match(ad.message, /^The agents file is a symbolic link to .*x\.agents\.yaml, outside the workspace folder: it is not read/);
        assert.ok(!vscode.languages.getDiagnostics(agentsUri).some((x) => /outside-agent/.test(x.message)), 'the linked agents file was read');
        assert.strictEqual(fs.readFileSync(agentsTarget, 'utf8'), agentsText);
        recordCase('extension host: links', 'a manifest and an agents file linking out of the workspace folder', performance.now() - t0, true, undefined, { code: 'link-outside' });
      } finally {
        fs.rmSync(manifestPath(), { force: true });
        fs.rmSync(agentsPath(), { force: true });
        await setManifest(a, original);
        await a.agents.scanAll();
        fs.rmSync(outsideDir, { recursive: true, force: true });
      }
    });
  });

  describe('SecretStorage that throws or never answers', () => {
    const uri = () => folder().uri;
    const cases: Array<{ mode: 'throws' | 'hangs'; within: number; message: RegExp }> = [
      { mode: 'throws', within: 1_000, message: /SecretStorage failed while (reading|storing) a key: Cannot create an item in a locked collection\. Nothing was written anywhere else\./ },
      { mode: 'hangs', within: 10_000 + 1_500, message: /SecretStorage did not answer within 10 s while (reading|storing) a key\. On Linux this usually means no keyring .* Nothing was written anywhere else\./ },
    ];
    for (const c of cases) {
      it(`${c.mode}: get, set and status end with a clear message within ${c.within / 1000} s; nothing is written anywhere else`, async () => {
        const secrets = new BrokenSecrets(c.mode);
        const memento = new MemoryMemento();
        const credentials = new Credentials(standInContext(secrets, memento));
        // A first set creates the index entry only after the secret is stored: it fails before that.
        const t0 = performance.now();
        const [setErr, statusNoId] = await Promise.all([
          credentials.set(uri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: CANARY }, origin: 'https://api.openai.com' }).then(() => undefined, (e: Error) => e),
          credentials.status(uri(), 'gpt-4o', 'prod-key-1'),
        ]);
        const setMs = performance.now() - t0;
        assert.ok(setErr, 'set did not fail');
        assert.strictEqual(setErr.name, 'SecretStorageError');
        assert.match(setErr.message, c.message);
        assert.ok(setMs < c.within, `set took ${setMs.toFixed(0)} ms`);
        assert.strictEqual(statusNoId, 'missing', 'no id yet: a missing key is a normal state');
        assert.ok(!JSON.stringify([...memento.data]).includes(CANARY), 'the key went to extension state');
        assert.deepStrictEqual(memento.keys(), [], 'a failed store left state behind');
        // With an id (as if stored before): get rejects clearly, status says unknown, both within the bound.
        memento.data.set('agentConnections.credentialIndex', { [JSON.stringify([uri().toString(), 'gpt-4o', 'prod-key-1'])]: 'stand-in-id' });
        const t1 = performance.now();
        const [getErr, status] = await Promise.all([
          credentials.get(uri(), 'gpt-4o', 'prod-key-1').then(() => undefined, (e: Error) => e),
          credentials.status(uri(), 'gpt-4o', 'prod-key-1'),
        ]);
        const getMs = performance.now() - t1;
        assert.ok(getErr, 'get did not fail');
        assert.match(getErr.message, c.message);
        assert.strictEqual(status, 'unknown');
        assert.ok(getMs < c.within, `get took ${getMs.toFixed(0)} ms`);
        assert.ok(secrets.calls >= 3);
        const hits = sweep([folder().uri.fsPath, ...(await api()).storagePaths], [CANARY]).hits;
        assert.deepStrictEqual(hits, [], 'the key was written to a file');
        credentials.dispose();
        recordCase('extension host: SecretStorage', `${c.mode}: set, get and status`, Math.max(setMs, getMs), true, undefined, { message: getErr.message });
      });
    }

    it('hangs: Test Connection reports the SecretStorage timeout and sends nothing', async () => {
      const a = await api();
      await setManifest(a, original);
      const config = vscode.workspace.getConfiguration('agentConnections');
      await config.update('providerEndpoints', { openai: trap.origin }, vscode.ConfigurationTarget.Global);
      const memento = new MemoryMemento();
      memento.data.set('agentConnections.credentialIndex', { [JSON.stringify([folder().uri.toString(), 'gpt-4o', 'prod-key-1'])]: 'stand-in-id' });
      const context = standInContext(new BrokenSecrets('hangs'), memento);
      const credentials = new Credentials(context);
      const log = vscode.window.createOutputChannel('Agent Connections hostile test', { log: true });
      const tester = new ConnectionTester(context, credentials, new TestResults(new MemoryMemento()), log);
      try {
        const state = a.store.folders[0];
        const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
        const connection = model.connections.find((c) => c.name === 'prod-key-1')!;
        const t0 = performance.now();
        const err = await tester.testOne({ state, model, connection }).then(() => undefined, (e: Error) => e);
        const ms = performance.now() - t0;
        assert.ok(err, 'the test did not fail');
        assert.match(err.message, /did not answer within 10 s/);
        assert.ok(ms < 11_500, `${ms.toFixed(0)} ms`);
        assert.strictEqual(trap.bytesReceived, 0);
        recordCase('extension host: SecretStorage', 'hangs: Test Connection', ms, true, undefined, { message: err.message });
      } finally {
        tester.dispose();
        credentials.dispose();
        log.dispose();
        await config.update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });

  describe('concurrent edits lose nothing', () => {
    const uri = () => vscode.Uri.file(manifestPath());
    afterEach(async () => {
      await discardEditors();
      await setManifest(await api(), original);
    });

    it('the file changes on disk between computing and applying an edit: refused, the other change kept', async () => {
      // A file no editor has opened, so the edit takes the disk path of applyManifestEdit.
      const file = path.join(folder().uri.fsPath, 'concurrent-edit.yaml');
      fs.writeFileSync(file, original);
      const concurrent = original.toString('utf8').replace('description: Production project key', 'description: Changed by a teammate meanwhile');
      assert.notStrictEqual(concurrent, original.toString('utf8'));
      const t0 = performance.now();
      const err = await applyManifestEdit(vscode.Uri.file(file), (text) => {
        const edits = setConnectionEnabled(text, { model: 'gpt-4o', connection: 'prod-key-1' }, false);
        fs.writeFileSync(file, concurrent); // the other writer, after the edit was computed
        return edits;
      }).then(() => undefined, (e: Error) => e);
      assert.ok(err instanceof ConcurrentEditError, String(err));
      assert.match(err.message, /changed on disk while the edit was prepared; nothing was written/);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), concurrent, 'the concurrent change was lost');
      fs.rmSync(file);
      recordCase('extension host: concurrent edits', 'disk changed between computing and applying', performance.now() - t0, true, undefined, { lostUpdates: 0 });
    });

    it('unsaved changes in the open editor survive an edit from the tree, which goes through the document', async () => {
      const a = await api();
      const doc = await vscode.workspace.openTextDocument(uri());
      const editor = await vscode.window.showTextDocument(doc);
      const at = doc.getText().indexOf('description: Production project key');
      await editor.edit((b) => b.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'description: Production project key'.length)), 'description: Typed but not saved'));
      assert.ok(doc.isDirty);
      await a.store.reload(folder());
      const state = a.store.folders[0];
      const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
      const connection = model.connections.find((c) => c.name === 'prod-key-2')!;
      await vscode.commands.executeCommand('agentConnections.disableConnection', { kind: 'connection', state, model, connection, key: 'unknown' });
      const text = doc.getText();
      assert.ok(text.includes('description: Typed but not saved'), 'the unsaved change was lost');
      assert.match(text, /- name: prod-key-2\n {8}enabled: false/);
      assert.ok(doc.isDirty, 'the user\'s unsaved text was saved for them');
      assert.strictEqual(fs.readFileSync(manifestPath()).equals(original), true, 'the file on disk was written behind the editor');
      recordCase('extension host: concurrent edits', 'unsaved editor text + an edit from the tree', 0, true, undefined, { lostUpdates: 0 });
    });

    it('typing races edits from the tree (20 rounds): every keystroke and every accepted edit is in the text', async () => {
      const a = await api();
      const doc = await vscode.workspace.openTextDocument(uri());
      const editor = await vscode.window.showTextDocument(doc);
      let lost = 0;
      let applied = 0;
      let refused = 0;
      for (let i = 0; i < 20; i++) {
        const state = a.store.folders[0];
        const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
        const connection = model.connections.find((c) => c.name === 'prod-key-2')!;
        const marker = `# typed ${i}\n`;
        const wanted = !connection.enabled;
        const command = Promise.resolve(vscode.commands.executeCommand('agentConnections.toggleEnabled', { kind: 'connection', state, model, connection, key: 'unknown' }));
        // A keystroke is never refused for a user; editor.edit is when the document changed under it: retry.
        const type = async (): Promise<void> => {
          for (let tries = 0; tries < 20; tries++) if (await editor.edit((b) => b.insert(new vscode.Position(0, 0), marker))) return;
          throw new Error('the simulated keystroke was refused 20 times');
        };
        const typing = new Promise<void>((resolve, reject) => setTimeout(() => type().then(resolve, reject), i % 5));
        await Promise.all([command, typing]);
        await a.store.reload(folder());
        const text = doc.getText();
        if (!text.includes(marker)) lost++;
        const now = a.store.folders[0].analysis!.models.find((m) => m.name === 'gpt-4o')!.connections.find((c) => c.name === 'prod-key-2')!;
        assert.deepStrictEqual(a.store.folders[0].analysis!.problems.filter((p) => p.severity === 'error'), [], `round ${i}: the text is no longer valid`);
        if (now.enabled === wanted) applied++;
        else refused++;
      }
      assert.strictEqual(lost, 0, `${lost} keystrokes lost`);
      for (let i = 0; i < 20; i++) assert.ok(doc.getText().includes(`# typed ${i}\n`));
      recordCase('extension host: concurrent edits', 'typing races 20 edits from the tree', 0, true, undefined, { lostUpdates: lost, editsApplied: applied, editsRefused: refused });
    });
  });

  describe('a provider\'s hostile answer, as the tree shows it', () => {
    let mock: MockProvider;
    const uri = () => folder().uri;
    before(async () => {
      mock = await startMockProvider('openai', { key: CANARY, redirectTarget: trap.origin });
      await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', { openai: mock.origin }, vscode.ConfigurationTarget.Global);
      await (await api()).credentials.set(uri(), 'gpt-4o', 'prod-key-1', { credential: { kind: 'apiKey', apiKey: CANARY }, origin: mock.origin });
    });
    after(async () => {
      const a = await api();
      await a.credentials.forget(uri(), 'gpt-4o', 'prod-key-1');
      await a.results.forget(uri(), 'gpt-4o', 'prod-key-1');
      await vscode.workspace.getConfiguration('agentConnections').update('providerEndpoints', undefined, vscode.ConfigurationTarget.Global);
      await mock.close();
    });

    async function testAndTooltip(scenario: 'markup' | 'echo_key' | 'redirect_307' | 'gzip_bomb'): Promise<{ outcome: string; tooltip: vscode.MarkdownString; ms: number; memoryMb: number }> {
      const a = await api();
      mock.reset();
      mock.setScenario(scenario);
      const state = a.store.folders[0];
      const model = state.analysis!.models.find((m) => m.name === 'gpt-4o')!;
      const connection = model.connections.find((c) => c.name === 'prod-key-1')!;
      const rss = process.memoryUsage().rss;
      const t0 = performance.now();
      await vscode.commands.executeCommand('agentConnections.testConnection', { kind: 'connection', state, model, connection, key: 'present' });
      const ms = performance.now() - t0;
      const memoryMb = mb(rss, process.memoryUsage().rss);
      const last = a.results.get(uri(), 'gpt-4o', 'prod-key-1')!.last;
      const modelNode = (await a.tree.getChildren()).find((n) => n.kind === 'model' && n.model.name === 'gpt-4o')!;
      const node = (await a.tree.getChildren(modelNode)).find((n) => n.kind === 'connection' && n.connection.name === 'prod-key-1')!;
      const tooltip = a.tree.getTreeItem(node).tooltip as vscode.MarkdownString;
      assert.ok(tooltip instanceof vscode.MarkdownString, 'the tooltip is Markdown');
      assert.ok(!tooltip.value.includes(CANARY) && !JSON.stringify(a.results.get(uri(), 'gpt-4o', 'prod-key-1')).includes(CANARY), `${scenario}: the key is shown`);
      return { outcome: last.outcome, tooltip, ms, memoryMb };
    }

    it('markup in an error body is shown as text: no HTML, no links, no command URIs', async () => {
      const { outcome, tooltip, ms } = await testAndTooltip('markup');
      assert.strictEqual(outcome, 'bad_request');
      assert.notStrictEqual(tooltip.isTrusted, true);
      assert.notStrictEqual(tooltip.supportHtml, true);
      // appendText escapes Markdown syntax: brackets and parentheses cannot form a link.
      assert.ok(tooltip.value.includes('alert\\(1\\)'), tooltip.value);
      assert.ok(!/\]\(javascript:/i.test(tooltip.value) && !/\]\(command:/i.test(tooltip.value), tooltip.value);
      assert.ok(MARKUP_MESSAGE.includes('<script>'));
      recordCase('extension host: provider answers', 'markup in an error body (tooltip)', ms, true);
    });

    it('an error body echoing the key: redacted in the stored result and the tooltip', async () => {
      const { outcome, tooltip, ms } = await testAndTooltip('echo_key');
      assert.strictEqual(outcome, 'auth_failed');
      assert.match(tooltip.value, /\\\[redacted\\\]|\[redacted\]/);
      recordCase('extension host: provider answers', 'an error body echoing the key', ms, true);
    });

    it('a 307 to the trap and a gzip bomb: blocked and cut, the trap gets 0 bytes', async () => {
      const r = await testAndTooltip('redirect_307');
      assert.strictEqual(r.outcome, 'redirect_blocked');
      const g = await testAndTooltip('gzip_bomb');
      assert.strictEqual(g.outcome, 'invalid_response');
      assert.ok(g.ms < 5_000 && g.memoryMb < 150, `${g.ms} ms, ${g.memoryMb} MB`);
      assert.strictEqual(trap.bytesReceived, 0);
      recordCase('extension host: provider answers', 'a 307 redirect to the trap', r.ms, true, r.memoryMb);
      recordCase('extension host: provider answers', 'a gzip bomb', g.ms, true, g.memoryMb);
    });
  });
});
