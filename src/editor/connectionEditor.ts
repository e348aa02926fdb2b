/**
 * The connection editor: one webview panel per model or connection (revealed when
 * already open). The host owns the state: it reads the manifest, validates each draft
 * with the file's own checks, runs tests, writes through the edit module and stores
 * keys in SecretStorage. The webview only renders and reports what was typed; it never
 * receives a stored key.
 */
import * as vscode from 'vscode';
import { applyManifestEdit, unreadableMessage } from '../manifest/applyEdit';
import type { DecodedSource } from '../core/yaml/encoding';
import { isProviderId, PROVIDER_LABELS, type ProviderId } from '../core/providers/catalog';
import { needsCredential, targetBase } from '../core/providers/targets';
import type { TextEdit } from '../core/manifest/edit';
import type { ManifestSnapshot, SavePlan } from '../core/form/form';
import {
  dispatchInbound, InboundGate, parseRestoreNote, type Draft, type FieldSpec, type FormAction, type FormMode, type FormState, type HostMessage, type KeyState,
  type ReplyResult, type SecretDraft, type ValidationReport, type WebviewMessage,
} from '../core/form/formProtocol';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import { connectionReference } from '../core/manifest/names';
import { core } from '../lazyCore';
import { originOf } from '../core/net/origin';
import { redactKeyShapes } from '../core/secrets/redact';
import { endpointOverrides, type ConnectionTester } from '../testing/connectionTester';
import { chosenLabel, type Credentials } from '../credentials/credentials';
import { signInNow } from '../credentials/entraAccount';
import { readSource, type FolderManifest, type ManifestStore } from '../manifest/manifestStore';
import { outcomeLabel } from '../views/modelsTree';
import type { TestResults } from '../testing/testResults';
import { editorHtml, localResourceRoots } from './html';
import { describeUsers, type ConnectionUser } from '../agents/agentUsers';
import { addedBy } from './workspaceInfo';

/** The form logic lives in the lazily loaded core (it reads the manifest with `yaml`). */
const form = () => core().form;

export interface EditorDeps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  credentials: Credentials;
  tester: ConnectionTester;
  results: TestResults;
  log: vscode.LogOutputChannel;
  /** The agents and supervisors whose effective connection is `model/connection` (any of `model`'s without one). */
  agentUsers: (folder: vscode.Uri, model: string, connection?: string) => ConnectionUser[];
}

/** What a panel edits: the names are those in the file (for add forms, the model added to). */
export interface EditorTarget {
  mode: FormMode;
  folder: vscode.WorkspaceFolder;
  model?: string;
  connection?: string;
}

/** The manifest a new model goes into when the folder has none yet. */
const NEW_MANIFEST = `# Agent Connections manifest: the LLM model connections your agents use.
# Commit this file. It names models, providers and endpoints — never keys:
# each person stores their own keys in VS Code SecretStorage on their machine.
version: 1
models: []
`;

function panelKey(t: EditorTarget): string {
  const f = t.folder.uri.toString();
  switch (t.mode) {
    case 'addModel': return JSON.stringify(['addModel', f]);
    case 'addConnection': return JSON.stringify(['addConnection', f, t.model]);
    case 'editModel': return JSON.stringify(['model', f, t.model]);
    case 'editConnection': return JSON.stringify(['connection', f, t.model, t.connection]);
  }
}

function titleOf(t: EditorTarget): string {
  switch (t.mode) {
    case 'addModel': return 'Add Model';
    case 'addConnection': return `Add Connection · ${t.model}`;
    case 'editModel': return `Model · ${t.model}`;
    case 'editConnection': return connectionReference(t.model ?? '', t.connection ?? '');
  }
}

export const EDITOR_VIEW_TYPE = 'agentConnections.editor';

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, enableForms: false, localResourceRoots: localResourceRoots(extensionUri) };
}

export class ConnectionEditorPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, ConnectionEditorPanel>();

  /** Opens the form for `target`, or reveals it when it is already open. */
  static createOrShow(deps: EditorDeps, target: EditorTarget): ConnectionEditorPanel {
    const existing = ConnectionEditorPanel.panels.get(panelKey(target));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(EDITOR_VIEW_TYPE, titleOf(target), vscode.ViewColumn.Active, {
      ...webviewOptions(deps.context.extensionUri),
      retainContextWhenHidden: true,
    });
    return new ConnectionEditorPanel(panel, deps, target);
  }

  /**
   * A form VS Code brings back after a window reload: reopened from the note the webview
   * kept, if it names a folder of this workspace and that form is not open already;
   * otherwise the panel is closed.
   */
  static revive(deps: EditorDeps, panel: vscode.WebviewPanel, state: unknown): void {
    const note = parseRestoreNote(state);
    const folder = note && vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === note.folder);
    if (!note || !folder) {
      deps.log.info('connection editor: a form from before the reload could not be restored (its folder or target is gone)');
      panel.dispose();
      return;
    }
    const target: EditorTarget = { mode: note.mode, folder, model: note.model, connection: note.connection };
    if (ConnectionEditorPanel.panels.has(panelKey(target))) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(deps.context.extensionUri);
    panel.title = titleOf(target);
    new ConnectionEditorPanel(panel, deps, target);
  }

  /** Every open panel, for tests and for disposing on deactivate. */
  static get open(): ConnectionEditorPanel[] {
    return [...ConnectionEditorPanel.panels.values()];
  }

  private readonly disposables: vscode.Disposable[] = [];
  private readonly gate: InboundGate;
  private target: EditorTarget;
  private key: string;
  private disposed = false;
  /** The manifest text the form loaded (undefined: no manifest yet) and what was read from it. */
  private baseText: string | undefined;
  /** Why the manifest cannot be read (not UTF-8 text), when so. */
  private unreadable: string | undefined;
  private snapshot: ManifestSnapshot = { syntaxOk: true, models: [] };
  private model: ModelInfo | undefined;
  private connection: ConnectionInfo | undefined;
  private initial: Draft = { fields: {}, advanced: [] };
  private latest: Draft | undefined;
  private addedByName: string | undefined;
  private changedNoticeShown = false;
  private busy = false;

  private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: EditorDeps, target: EditorTarget) {
    this.target = target;
    this.key = panelKey(target);
    ConnectionEditorPanel.panels.set(this.key, this);
    this.gate = new InboundGate((reason) => deps.log.warn(reason));
    panel.iconPath = vscode.Uri.joinPath(deps.context.extensionUri, 'media', 'agent-connections.svg');
    panel.webview.html = editorHtml(panel.webview, deps.context.extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      deps.store.onDidChange(() => void this.onManifestChanged()),
      deps.credentials.onDidChange(() => void this.pushKeyStatus()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
    );
  }

  get editorTarget(): EditorTarget {
    return this.target;
  }

  // ------------------------------------------------------------------------------
  // Messages

  private post(message: HostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private reply(id: number, result: ReplyResult): void {
    this.post({ type: 'reply', id, ok: true, result });
  }

  private receive(raw: unknown): void {
    const run = async (id: number, work: () => Promise<ReplyResult>) => {
      try {
        this.reply(id, await work());
      } catch (err) {
        const message = redactKeyShapes(err instanceof Error ? err.message : String(err), 1000);
        this.deps.log.error(`connection editor: ${message}`);
        this.post({ type: 'reply', id, ok: false, error: message });
      }
    };
    dispatchInbound(this.gate, raw, {
      ready: (m) => run(m.id, async () => {
        await this.load();
        this.post({ type: 'init', state: await this.state() });
        return { kind: 'ready' };
      }),
      validate: (m) => run(m.id, async () => {
        this.latest = m.draft;
        return { kind: 'validation', report: this.validate(m.draft) };
      }),
      test: (m) => run(m.id, () => this.exclusive(() => this.test(m))),
      save: (m) => run(m.id, () => this.exclusive(() => this.save(m))),
      action: (m) => run(m.id, () => this.exclusive(() => this.action(m.action))),
    });
  }

  /** One dialog-bearing request at a time: a second Save while the first asks is refused, not queued. */
  private async exclusive(work: () => Promise<ReplyResult>): Promise<ReplyResult> {
    if (this.busy) return { kind: 'cancelled', message: 'Another action of this form is still running.' };
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
    }
  }

  // ------------------------------------------------------------------------------
  // State

  private get state0(): FolderManifest | undefined {
    return this.deps.store.folders.find((f) => f.folder.uri.toString() === this.target.folder.uri.toString());
  }

  private get uri(): vscode.Uri {
    return this.state0?.uri ?? vscode.Uri.joinPath(this.target.folder.uri, 'agent-connections.yaml');
  }

  private async readCurrent(): Promise<string | undefined> {
    return (await this.readManifest())?.text;
  }

  private async readManifest(): Promise<DecodedSource | undefined> {
    try {
      return await readSource(this.uri, 'manifest');
    } catch (err) {
      if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
      if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Reads the manifest and the target's values: the form's new starting point. */
  private async load(): Promise<void> {
    const source = await this.readManifest();
    const text = source?.text;
    this.baseText = text;
    // Bytes that are not UTF-8 text: read-only, nothing shown from them (see readSource).
    this.unreadable = source?.problem ? unreadableMessage(source.problem) : undefined;
    this.snapshot = this.unreadable ? { syntaxOk: false, models: [] } : form().snapshotManifest(text);
    const models = text === undefined || this.unreadable ? [] : core().analyzeManifest(text).models;
    this.model = this.target.model !== undefined ? models.find((m) => m.name === this.target.model) : undefined;
    this.connection = this.target.connection !== undefined ? this.model?.connections.find((c) => c.name === this.target.connection) : undefined;
    const missing = (this.target.mode !== 'addModel' && !this.model) || (this.target.mode === 'editConnection' && !this.connection);
    this.initial = missing ? { fields: {}, advanced: [] } : form().initialDraft(this.target.mode, this.model, this.connection);
    this.latest = undefined;
    this.changedNoticeShown = false;
    this.addedByName ??= await addedBy(this.target.folder);
  }

  private provider(): ProviderId {
    return isProviderId(this.model?.provider) ? this.model.provider : 'openai';
  }

  private readOnlyReason(): string | undefined {
    if (!vscode.workspace.isTrusted) return 'Restricted Mode: this form is read-only, no key is read and nothing is sent. Trust the workspace to edit.';
    if (this.unreadable) return this.unreadable;
    if (!this.snapshot.syntaxOk) return 'The manifest has YAML errors: fix them (see the Problems panel) before changing it from here.';
    if (this.target.mode !== 'addModel' && !this.model) return `Model “${this.target.model}” is not in the manifest (renamed or removed).`;
    if (this.target.mode === 'editConnection' && !this.connection) return `Connection “${this.target.connection}” is not in model “${this.target.model}” (renamed or removed).`;
    if (this.target.mode !== 'addModel' && !isProviderId(this.model?.provider)) return `Model “${this.target.model}” has no known provider; fix it in the manifest first.`;
    return undefined;
  }

  private async state(): Promise<FormState> {
    const { mode } = this.target;
    const specs: Partial<Record<string, FieldSpec[]>> = {};
    if (mode === 'addModel') for (const p of Object.keys(PROVIDER_LABELS) as ProviderId[]) specs[p] = form().formFields(mode, p);
    else specs[this.provider()] = form().formFields(mode, this.provider());
    const readOnlyReason = this.readOnlyReason();
    if (mode === 'editConnection' && !form().advancedEditable(this.connection)) {
      for (const list of Object.values(specs)) {
        const adv = list?.find((f) => f.id === 'advanced');
        if (adv) Object.assign(adv, { readOnly: true, help: 'These Advanced Properties hold values the form cannot show; edit them in the manifest.' });
      }
    }
    const key = await this.keyStatus();
    const where = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 1 ? ` · ${this.target.folder.name}` : '';
    const subtitle = mode === 'addModel'
      ? `A new model and its first connection${where}`
      : mode === 'editModel'
        ? `${PROVIDER_LABELS[this.provider()]} model${where}`
        : `${PROVIDER_LABELS[this.provider()]} connection of model ${this.target.model}${where}`;
    return {
      mode,
      title: mode === 'editConnection' ? `Connection ${this.target.connection}` : titleOf(this.target),
      subtitle,
      specs,
      draft: this.initial,
      readOnly: readOnlyReason !== undefined,
      readOnlyReason,
      keyStatus: key.status,
      keyOrigin: key.origin,
      ...(key.label ? { keyLabel: key.label } : {}),
      helpers: { bedrockPrefixes: form().bedrockPrefixOptions() },
      canDelete: (mode === 'editConnection' || mode === 'editModel') && readOnlyReason === undefined,
      restore: {
        mode,
        folder: this.target.folder.uri.toString(),
        ...(mode !== 'addModel' ? { model: this.target.model } : {}),
        ...(mode === 'editConnection' ? { connection: this.target.connection } : {}),
      },
    };
  }

  /** Whether a key is stored (never the key). In Restricted Mode nothing is read. */
  private async keyStatus(): Promise<{ status: KeyState; origin?: string; label?: string }> {
    if (this.target.mode !== 'editConnection' || !this.model || !this.connection || !isProviderId(this.model.provider)) return { status: 'missing' };
    let origin: string | undefined;
    try {
      const target = form().targetFromDraft(this.initial);
      if (!needsCredential(target)) return { status: 'notNeeded' };
      origin = originOf(targetBase(target, endpointOverrides()));
    } catch {
      origin = undefined;
    }
    if (!vscode.workspace.isTrusted) return { status: 'unknown', origin };
    const info = await this.deps.credentials.info(this.target.folder.uri, this.model.name, this.connection.name);
    const label = info.status === 'present' ? chosenLabel(info) : undefined;
    return { status: info.status, origin, ...(label ? { label } : {}) };
  }

  private async pushKeyStatus(): Promise<void> {
    if (this.disposed || this.target.mode !== 'editConnection') return;
    const k = await this.keyStatus();
    this.post({ type: 'keyStatus', keyStatus: k.status, keyOrigin: k.origin, ...(k.label ? { keyLabel: k.label } : {}) });
  }

  private async reload(): Promise<void> {
    if (this.disposed) return;
    await this.load();
    this.post({ type: 'init', state: await this.state() });
  }

  private isDirty(): boolean {
    return this.latest !== undefined && JSON.stringify(this.latest) !== JSON.stringify(this.initial);
  }

  /** The file changed: a clean form follows it; a form with changes keeps them and Save will ask. */
  private async onManifestChanged(): Promise<void> {
    if (this.disposed || this.busy) return;
    let now: string | undefined;
    try {
      now = await this.readCurrent();
    } catch {
      return;
    }
    if (now === this.baseText) return;
    if (!this.isDirty()) {
      await this.reload();
      return;
    }
    if (!this.changedNoticeShown) {
      this.changedNoticeShown = true;
      this.post({ type: 'notice', level: 'warning', text: 'The manifest changed since this form was loaded. Save will ask before writing; Reload shows the file’s current values.' });
    }
  }

  // ------------------------------------------------------------------------------
  // Validate, test, save

  private meta() {
    return { addedBy: this.addedByName ?? 'unknown', today: form().isoDate() };
  }

  private validate(draft: Draft, secret?: SecretDraft): ValidationReport {
    const reason = this.readOnlyReason();
    if (reason && vscode.workspace.isTrusted) return { errors: {}, warnings: {}, general: [{ level: 'error', text: reason }], canSave: false };
    return form().validateDraft({ mode: this.target.mode, manifest: this.snapshot, target: this.target, draft: this.fixed(draft), initial: this.initial, meta: this.meta(), secret });
  }

  /** Fields the form may not change are taken from the file, whatever the webview sent. */
  private fixed(draft: Draft): Draft {
    const fields = { ...draft.fields };
    if (this.target.mode !== 'addModel') {
      fields.provider = this.initial.fields.provider;
      fields.integration = this.initial.fields.integration;
    }
    if (this.target.mode === 'addConnection' || this.target.mode === 'editConnection') {
      for (const k of ['modelName', 'model', 'modelDescription', 'location'] as const) fields[k] = this.initial.fields[k];
    }
    if (this.target.mode === 'editConnection') fields.connectionName = this.initial.fields.connectionName;
    const advanced = this.target.mode === 'editConnection' && !form().advancedEditable(this.connection) ? this.initial.advanced : draft.advanced;
    return { fields, advanced };
  }

  private requireWritable(): void {
    const reason = this.readOnlyReason();
    if (reason) throw new Error(reason);
  }

  private async test(m: Extract<WebviewMessage, { type: 'test' }>): Promise<ReplyResult> {
    if (!vscode.workspace.isTrusted) throw new Error('Restricted Mode: no key is read and nothing is sent. Trust the workspace to test.');
    if (this.target.mode === 'editModel') throw new Error('Test a connection from its own form.');
    const draft = this.fixed(m.draft);
    const report = this.validate(draft, m.secret);
    const blocking = Object.keys(report.errors).filter((k) => k !== 'modelName' && k !== 'location' && k !== 'modelDescription');
    if (blocking.length > 0) return { kind: 'cancelled', message: 'Fix the highlighted fields before testing.', report };
    const target = form().targetFromDraft(draft);
    const typed = form().typedCredential(target.provider, m.secret);
    const stored = this.target.mode === 'editConnection' && this.model && this.connection ? { model: this.model.name, connection: this.connection.name } : undefined;
    const result = await this.deps.tester.testDraft({ folder: this.target.folder.uri, target, typedCredential: typed, stored });
    return {
      kind: 'test',
      report: { outcome: result.outcome, ok: result.outcome === 'ok', label: outcomeLabel(result.outcome), message: result.message, hint: result.hint, latencyMs: result.latencyMs, status: result.status },
    };
  }

  private async save(m: Extract<WebviewMessage, { type: 'save' }>): Promise<ReplyResult> {
    this.requireWritable();
    const { folder } = this.target;
    const draft = this.fixed(m.draft);

    // Never overwrite a change made since the form loaded: ask.
    const current = await this.readCurrent();
    if (current !== this.baseText) {
      const choice = await vscode.window.showWarningMessage('The manifest changed since this form was loaded.', {
        modal: true,
        detail: 'Nothing was saved. Reload the form to see the file’s current values (the changes in this form are discarded), or cancel and copy what you need first.',
      }, 'Reload Form');
      if (choice === 'Reload Form') await this.reload();
      return { kind: 'cancelled', message: 'Nothing was saved: the manifest changed since the form was loaded.' };
    }

    const report = this.validate(draft, m.secret);
    if (!report.canSave) return { kind: 'cancelled', message: 'Fix the highlighted fields first.', report };

    // The key: bound to the origin it is entered for, unique among the model's connections.
    const provider = isProviderId(draft.fields.provider) ? draft.fields.provider : this.provider();
    const credential = this.target.mode === 'editModel' ? undefined : form().typedCredential(provider, m.secret);
    const modelName = String(draft.fields.modelName ?? '');
    const connectionName = String(draft.fields.connectionName ?? '');
    let origin: string | undefined;
    if (credential) {
      const target = form().targetFromDraft(draft);
      if (needsCredential(target)) {
        origin = originOf(targetBase(target, endpointOverrides()));
        const duplicate = await this.deps.credentials.duplicateOf(folder.uri, modelName, connectionName, credential);
        if (duplicate) {
          const field = credential.kind === 'aws' ? 'accessKeyId' : credential.kind === 'bedrockApiKey' || credential.kind === 'awsProfile' ? credential.kind : 'apiKey';
          const message = `This key is already stored for ${connectionReference(modelName, duplicate)}: each connection of a model needs its own key.`;
          return { kind: 'cancelled', message: 'Nothing was saved.', report: { ...report, errors: { ...report.errors, [field]: message }, canSave: false } };
        }
      }
    }

    // The VS Code account signs in now, when the user expects it (as with Set Key…), not on the first request; a
    // sign-in that does not finish saves nothing, and says so at the field.
    const refused = credential?.kind === 'entraId' ? await signInNow(credential) : undefined;
    if (refused) {
      const why = `${refused} Nothing was saved.`;
      return { kind: 'cancelled', message: why, report: { ...report, errors: { ...report.errors, entraSource: why }, canSave: false } };
    }

    const plan = form().planSave(this.target.mode, draft, this.initial, this.target, this.meta(), form().advancedEditable(this.connection));
    if (plan.kind === 'updateModel' && plan.changes.name !== undefined && plan.changes.name !== plan.model) {
      if (!(await this.confirmRename(plan.model, String(plan.changes.name)))) return { kind: 'cancelled', message: 'Nothing was saved.' };
    }
    const noChange = (plan.kind === 'updateModel' || plan.kind === 'updateConnection') && Object.keys(plan.changes).length === 0;
    if (!noChange) await this.write(plan);

    if (plan.kind === 'updateModel' && typeof plan.changes.name === 'string' && plan.changes.name !== plan.model) {
      await this.moveKeys(plan.model, plan.changes.name);
    }
    if (credential) await this.deps.credentials.set(folder.uri, modelName, connectionName, { credential, origin });

    const what = this.target.mode === 'editModel' ? `model ${modelName}` : connectionReference(modelName, connectionName);
    this.deps.log.info(`connection editor: ${noChange ? 'nothing to write for' : plan.kind === 'addModel' || plan.kind === 'addConnection' ? 'added' : 'updated'} ${what}${credential ? ` · key stored on this machine for ${origin}` : ''}`);

    // The form now edits what it saved.
    const next: EditorTarget = this.target.mode === 'editModel'
      ? { mode: 'editModel', folder, model: modelName }
      : { mode: 'editConnection', folder, model: modelName, connection: connectionName };
    this.retarget(next);
    await this.deps.store.reload(folder);
    await this.reload();
    const file = vscode.workspace.asRelativePath(this.uri, false);
    const saved = noChange ? 'No change to write.' : `Saved to ${file}.`;
    const chosen = credential?.kind === 'awsProfile' ? chosenLabel({ profile: credential.profile }) : credential?.kind === 'entraId' ? chosenLabel({ entra: credential }) : undefined;
    return { kind: 'saved', message: credential ? `${saved} ${chosen ? `${chosen}, chosen` : 'Key stored'} on this machine${origin ? ` for ${origin}` : ''}.` : saved };
  }

  private async write(plan: SavePlan): Promise<void> {
    const compute = (text: string): TextEdit[] => {
      switch (plan.kind) {
        case 'addModel': return core().addModel(text, plan.model, [plan.connection]);
        case 'addConnection': return core().addConnection(text, plan.model, plan.connection);
        case 'updateModel': return core().updateModel(text, plan.model, plan.changes);
        case 'updateConnection': return core().updateConnection(text, { model: plan.model, connection: plan.connection }, plan.changes);
      }
    };
    if (this.baseText === undefined) {
      // No manifest yet: create it with this model (the folder's root, or the configured path).
      const text = NEW_MANIFEST;
      const edits = compute(text);
      const exists = await vscode.workspace.fs.stat(this.uri).then(() => true, () => false);
      if (exists) throw new (core().EditError)('The manifest was created meanwhile; reload the form.', 'shape');
      await vscode.workspace.fs.writeFile(this.uri, new TextEncoder().encode(core().applyEdits(text, edits)));
      return;
    }
    await applyManifestEdit(this.uri, compute);
  }

  private async confirmRename(from: string, to: string): Promise<boolean> {
    const users = this.deps.agentUsers(this.target.folder.uri, from);
    const detail = `The keys stored on this machine for its connections move with it. Teammates’ keys are bound to the old name: each of them sets their keys again.${users.length ? `\n\n${users.length} agent${users.length === 1 ? '' : 's'} use “${from}/…” and will need updating:\n${describeUsers(users).join('\n')}` : ''}`;
    return (await vscode.window.showWarningMessage(`Rename model “${from}” to “${to}”?`, { modal: true, detail }, 'Rename')) === 'Rename';
  }

  /** Keys are indexed by model and connection name: a renamed model takes its keys along. */
  private async moveKeys(from: string, to: string): Promise<void> {
    const model = this.model;
    if (!model) return;
    const folder = this.target.folder.uri;
    for (const c of model.connections) {
      const stored = await this.deps.credentials.get(folder, from, c.name);
      if (!stored) continue;
      await this.deps.credentials.set(folder, to, c.name, { ...stored, storedAt: stored.storedAt ?? '' }); // the key keeps its age
      await this.deps.credentials.forget(folder, from, c.name);
      await this.deps.results.forget(folder, from, c.name);
    }
  }

  private retarget(next: EditorTarget): void {
    ConnectionEditorPanel.panels.delete(this.key);
    this.target = next;
    this.key = panelKey(next);
    const other = ConnectionEditorPanel.panels.get(this.key);
    if (other && other !== this) other.panel.dispose();
    ConnectionEditorPanel.panels.set(this.key, this);
    this.panel.title = titleOf(next);
  }

  // ------------------------------------------------------------------------------
  // Actions

  private treeNode(): { state: FolderManifest; model: ModelInfo; connection?: ConnectionInfo } {
    const state = this.state0;
    const model = state?.analysis?.models.find((m) => m.name === this.target.model);
    if (!state || !model) throw new Error(`Model “${this.target.model}” is not in the manifest any more.`);
    const connection = this.target.connection !== undefined ? model.connections.find((c) => c.name === this.target.connection) : undefined;
    if (this.target.connection !== undefined && !connection) throw new Error(`Connection “${this.target.connection}” is not in the manifest any more.`);
    return { state, model, connection };
  }

  private async action(action: FormAction): Promise<ReplyResult> {
    switch (action) {
      case 'reload':
        await this.reload();
        return { kind: 'done' };
      case 'revealInManifest': {
        const { state, model, connection } = this.treeNode();
        await vscode.commands.executeCommand('agentConnections.revealInManifest', connection ? { kind: 'connection', state, model, connection, key: 'unknown' } : { kind: 'model', state, model });
        return { kind: 'done' };
      }
      case 'addConnection':
        if (!this.target.model) throw new Error('Save the model first.');
        ConnectionEditorPanel.createOrShow(this.deps, { mode: 'addConnection', folder: this.target.folder, model: this.target.model });
        return { kind: 'done' };
      case 'editModel':
        if (!this.target.model) throw new Error('Save the model first.');
        ConnectionEditorPanel.createOrShow(this.deps, { mode: 'editModel', folder: this.target.folder, model: this.target.model });
        return { kind: 'done' };
      case 'removeKey': {
        this.requireWritable();
        const { state, model, connection } = this.treeNode();
        if (!connection) throw new Error('Only a connection has a key.');
        // The tree's command: the same confirmation, the same log line.
        await vscode.commands.executeCommand('agentConnections.removeKey', { kind: 'connection', state, model, connection, key: 'present' });
        await this.pushKeyStatus();
        return { kind: 'done' };
      }
      case 'delete':
        return this.delete();
    }
  }

  /** Delete Connection… / Delete Model…, warning about the agents that reference it. */
  private async delete(): Promise<ReplyResult> {
    this.requireWritable();
    const { state, model, connection } = this.treeNode();
    const folder = this.target.folder;
    const users = this.deps.agentUsers(folder.uri, model.name, connection?.name);
    const file = vscode.workspace.asRelativePath(state.uri, false);
    const uses = users.length ? `\n\n${users.length} agent${users.length === 1 ? '' : 's'} still use${users.length === 1 ? 's' : ''} it and will report a problem:\n${describeUsers(users).join('\n')}` : '';
    if (connection) {
      const ref = connectionReference(model.name, connection.name);
      const last = model.connections.length === 1 ? ' It is the model’s only connection.' : '';
      const ok = await vscode.window.showWarningMessage(`Delete connection “${ref}”?`, { modal: true, detail: `It is removed from ${file} and its key is removed from this machine’s SecretStorage.${last}${uses}` }, 'Delete');
      if (ok !== 'Delete') return { kind: 'cancelled' };
      await applyManifestEdit(state.uri, (text) => core().deleteConnection(text, { model: model.name, connection: connection.name }));
      await this.deps.credentials.forget(folder.uri, model.name, connection.name);
      await this.deps.results.forget(folder.uri, model.name, connection.name);
      this.deps.log.info(`connection editor: deleted connection ${ref}`);
    } else {
      const n = model.connections.length;
      const ok = await vscode.window.showWarningMessage(`Delete model “${model.name}” and its ${n} connection${n === 1 ? '' : 's'}?`, { modal: true, detail: `It is removed from ${file}, and the keys of its connections are removed from this machine’s SecretStorage.${uses}` }, 'Delete');
      if (ok !== 'Delete') return { kind: 'cancelled' };
      await applyManifestEdit(state.uri, (text) => core().deleteModel(text, model.name));
      for (const c of model.connections) {
        await this.deps.credentials.forget(folder.uri, model.name, c.name);
        await this.deps.results.forget(folder.uri, model.name, c.name);
      }
      this.deps.log.info(`connection editor: deleted model ${model.name}`);
    }
    await this.deps.store.reload(folder);
    // The form has nothing left to edit.
    setTimeout(() => this.panel.dispose(), 0);
    return { kind: 'done', message: 'Deleted.' };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.gate.dispose();
    if (ConnectionEditorPanel.panels.get(this.key) === this) ConnectionEditorPanel.panels.delete(this.key);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
