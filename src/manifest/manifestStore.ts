/**
 * Keeps, per workspace folder, the manifest's current text and its analysis, and the
 * agents files' problems. Follows open editors (unsaved edits included) and the disk.
 * Publishes every problem to the Problems panel.
 */
import * as vscode from 'vscode';
import type { Analyzer } from './analyzer';
import { linkOutsideWorkspace, readBytes, UnreadableFileError, unreadableMessage } from './applyEdit';
import type { AgentsAnalysis } from '../core/agents/agents';
import { parseReference, resolveAssignments, type KeyState, type Resolution } from '../core/agents/assignments';
import { decodeSource, type DecodedSource } from '../core/yaml/encoding';
import { unreadableAgents, unreadableManifest } from '../core/manifest/unreadable';
import type { ConnectionInfo, ManifestAnalysis, ModelInfo } from '../core/manifest/manifest';
import { DEFAULT_MANIFEST_PATH } from '../core/manifest/names';
import type { Problem } from '../core/yaml/problems';

export interface FolderManifest {
  folder: vscode.WorkspaceFolder;
  uri: vscode.Uri;
  exists: boolean;
  analysis?: ManifestAnalysis;
  /** Why the file could not be read, when it exists but reading failed. */
  readError?: string;
}

const DEBOUNCE_MS = 80;

export function manifestUri(folder: vscode.WorkspaceFolder): vscode.Uri {
  const rel = vscode.workspace.getConfiguration('agentConnections', folder.uri).get<string>('manifestPath') || DEFAULT_MANIFEST_PATH;
  // Stay inside the folder: absolute paths and `..` are not followed.
  const safe = rel.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.' && s !== '..').join('/') || DEFAULT_MANIFEST_PATH;
  return vscode.Uri.joinPath(folder.uri, safe);
}

function agentsGlob(folder: vscode.WorkspaceFolder): string {
  return vscode.workspace.getConfiguration('agentConnections', folder.uri).get<string>('agentsFiles') || '**/*.agents.yaml';
}

export function toDiagnostic(p: Problem, source = 'Agent Connections'): vscode.Diagnostic {
  const range = new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character);
  const severity = p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(range, p.message, severity);
  d.source = source;
  d.code = p.code;
  return d;
}

/**
 * The file's text (an open editor's, unsaved edits included, else the disk's) and, when
 * its bytes on disk are not UTF-8 text, the problem that says so: then nothing is read from
 * it nor written to it. The disk decides even for an open file (VS Code shows such a file
 * with U+FFFD or in a guessed encoding); a file not on disk yet is its editor's text.
 */
export async function readSource(uri: vscode.Uri, what: string): Promise<DecodedSource> {
  const outside = await linkOutsideWorkspace(uri, what);
  if (outside) return { text: '', problem: outside };
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  let bytes: Uint8Array;
  try {
    bytes = await readBytes(uri);
  } catch (e) {
    if (open) return { text: open.getText() };
    throw e;
  }
  const decoded = decodeSource(bytes, what);
  // Unsaved text is what the user sees and edits; a clean document may still lag a write
  // that just reached the disk, so then the disk is the truth.
  return open?.isDirty && !decoded.problem ? { text: open.getText() } : decoded;
}

/** `readSource`'s text, refused (an error saying where) when the bytes are not UTF-8 text. */
export async function readSourceText(uri: vscode.Uri, what: string): Promise<string> {
  const { text, problem } = await readSource(uri, what);
  if (problem) throw new UnreadableFileError(unreadableMessage(problem));
  return text;
}

export class ManifestStore implements vscode.Disposable {
  private readonly states = new Map<string, FolderManifest>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly generation = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private watchers: vscode.Disposable[] = [];

  constructor(private readonly analyzer: Analyzer, private readonly diagnostics: vscode.DiagnosticCollection, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocument(e.document.uri)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onDocument(d.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reloadAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('agentConnections')) void this.reloadAll();
      }),
    );
  }

  get folders(): FolderManifest[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => this.states.get(f.uri.toString()) ?? { folder: f, uri: manifestUri(f), exists: false });
  }

  folderFor(uri: vscode.Uri): FolderManifest | undefined {
    return this.folders.find((s) => s.uri.toString() === uri.toString());
  }

  private firstLoad: Promise<void> | undefined;

  /** Settles once every folder's manifest has been read for the first time. */
  get loaded(): Promise<void> {
    return this.firstLoad ?? Promise.resolve();
  }

  reloadAll(): Promise<void> {
    const done = this.readAll();
    this.firstLoad ??= done.catch(() => undefined);
    return done;
  }

  private async readAll(): Promise<void> {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const key of [...this.states.keys()]) {
      if (!folders.some((f) => f.uri.toString() === key)) {
        this.diagnostics.delete(this.states.get(key)!.uri);
        this.states.delete(key);
      }
    }
    for (const folder of folders) {
      const uri = manifestUri(folder);
      const rel = vscode.workspace.asRelativePath(uri, false);
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, rel === uri.fsPath ? uri.path.split('/').pop()! : rel));
      watcher.onDidCreate(() => this.schedule(folder, 0));
      watcher.onDidChange(() => this.schedule(folder, DEBOUNCE_MS));
      watcher.onDidDelete(() => this.schedule(folder, 0));
      this.watchers.push(watcher);
    }
    await Promise.all(folders.map((f) => this.load(f)));
  }

  /** Re-reads one folder's manifest now (after an edit made by a command, for example). */
  reload(folder: vscode.WorkspaceFolder): Promise<void> {
    return this.load(folder);
  }

  private onDocument(uri: vscode.Uri): void {
    const state = this.folderFor(uri);
    if (state) this.schedule(state.folder, DEBOUNCE_MS);
  }

  private schedule(folder: vscode.WorkspaceFolder, delay: number): void {
    const key = folder.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.load(folder), delay));
  }

  /** The newest read of each folder; a read overtaken by a newer one settles with that one. */
  private readonly reading = new Map<string, Promise<void>>();

  private load(folder: vscode.WorkspaceFolder): Promise<void> {
    const read = this.read(folder);
    this.reading.set(folder.uri.toString(), read);
    return read;
  }

  private async read(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const gen = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, gen);
    const uri = manifestUri(folder);
    const state: FolderManifest = { folder, uri, exists: false };
    let text: string | undefined;
    let unreadable: Problem | undefined;
    try {
      ({ text, problem: unreadable } = await readSource(uri, 'manifest'));
      state.exists = true;
    } catch (e) {
      if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) {
        state.exists = (await vscode.workspace.fs.stat(uri).then(() => true, () => false));
        if (state.exists) state.readError = e instanceof Error ? e.message : String(e);
      }
    }
    if (text !== undefined) {
      const t0 = Date.now();
      try {
        state.analysis = unreadable ? unreadableManifest(unreadable) : await this.analyzer.manifest(text);
      } catch (e) {
        state.readError = `The manifest could not be analysed: ${e instanceof Error ? e.message : String(e)}`;
      }
      this.log.debug(`analysed ${vscode.workspace.asRelativePath(uri)} in ${Date.now() - t0} ms`);
    }
    // A newer read is under way (a file watcher, another command): whoever awaits this one
    // (reload after an edit, `loaded`) gets the state that read leaves, not this stale one.
    if (this.generation.get(key) !== gen) return this.reading.get(key);
    this.states.set(key, state);
    if (state.analysis) this.diagnostics.set(uri, state.analysis.problems.map((p) => toDiagnostic(p)));
    else this.diagnostics.delete(uri);
    void vscode.commands.executeCommand('setContext', 'agentConnections.hasManifest', this.folders.some((f) => f.exists));
    this.changed.fire();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of [...this.disposables, ...this.watchers]) d.dispose();
  }
}

/** One agents file: its text, its analysis, and its resolution against the folder's manifest. */
export interface AgentsFileState {
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  text: string;
  analysis: AgentsAnalysis;
  resolution: Resolution;
}

/** Whether this machine has a connection's key (the core never reads secrets). */
export type KeyLookup = (folder: vscode.WorkspaceFolder, model: ModelInfo, connection: ConnectionInfo) => Promise<KeyState>;

/**
 * The agents files (`**\/*.agents.yaml`): analysed in the worker, resolved here against
 * the folder's manifest (cheap), so their problems follow edits of either file and keys
 * stored or removed. Problems go to the same Problems panel.
 */
export class AgentsFiles implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly files = new Map<string, AgentsFileState>();
  private readonly generation = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly analyzer: Analyzer, private readonly diagnostics: vscode.DiagnosticCollection, private readonly store?: ManifestStore, private readonly keyStatus?: KeyLookup) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.agents.{yaml,yml}');
    watcher.onDidCreate((u) => this.schedule(u));
    watcher.onDidChange((u) => this.schedule(u));
    watcher.onDidDelete((u) => this.forget(u));
    this.disposables.push(
      watcher,
      this.changed,
      vscode.workspace.onDidChangeTextDocument((e) => { if (this.matches(e.document.uri)) this.schedule(e.document.uri); }),
      vscode.workspace.onDidOpenTextDocument((d) => { if (this.matches(d.uri)) this.schedule(d.uri); }),
      vscode.workspace.onDidCloseTextDocument((d) => { const f = this.get(d.uri); if (f) this.publish(f); }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('agentConnections.agentsFiles')) void this.rescan(); }),
    );
    if (store) this.disposables.push(store.onDidChange(() => void this.resolveAll()));
  }

  /** Every agents file read so far, in path order. */
  get all(): AgentsFileState[] {
    return [...this.files.values()].sort((a, b) => a.uri.path.localeCompare(b.uri.path));
  }

  get(uri: vscode.Uri): AgentsFileState | undefined {
    return this.files.get(uri.toString());
  }

  private matches(uri: vscode.Uri): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || uri.scheme !== 'file') return false;
    return vscode.languages.match({ pattern: new vscode.RelativePattern(folder, agentsGlob(folder)) }, { uri, languageId: 'yaml' } as vscode.TextDocument) > 0;
  }

  async scanAll(): Promise<void> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const files = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, agentsGlob(folder)), '**/node_modules/**', 2000);
      await Promise.all(files.map((u) => this.check(u)));
    }
  }

  /** The glob changed: forget every file and read the ones it matches now. */
  private async rescan(): Promise<void> {
    for (const f of this.files.values()) this.diagnostics.delete(f.uri);
    this.files.clear();
    this.changed.fire();
    await this.scanAll();
  }

  /** Reads one agents file again now (after an edit made by a command, for example). */
  reload(uri: vscode.Uri): Promise<void> {
    return this.check(uri);
  }

  /** Resolves every file again against the current manifests and keys. */
  async resolveAll(): Promise<void> {
    await Promise.all(this.all.map(async (f) => {
      const resolution = await this.resolve(f.folder, f.text, f.analysis);
      if (this.files.get(f.uri.toString()) !== f) return; // re-read meanwhile
      this.publish({ ...f, resolution });
    }));
    this.changed.fire();
  }

  private schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.check(uri), DEBOUNCE_MS));
  }

  private forget(uri: vscode.Uri): void {
    this.files.delete(uri.toString());
    this.diagnostics.delete(uri);
    this.changed.fire();
  }

  private async check(uri: vscode.Uri): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder || !this.matches(uri)) return;
    const key = uri.toString();
    const gen = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, gen);
    try {
      const { text, problem } = await readSource(uri, 'agents file');
      const analysis = problem ? unreadableAgents(problem) : await this.analyzer.agents(text);
      const resolution = await this.resolve(folder, text, analysis);
      if (this.generation.get(key) !== gen) return; // a newer read is under way
      this.publish({ uri, folder, text, analysis, resolution });
    } catch {
      if (this.generation.get(key) !== gen) return;
      this.files.delete(key);
      this.diagnostics.delete(uri);
    }
    this.changed.fire();
  }

  /** A key missing on this machine is information for the open editor only, not a Problems-panel entry for every file. */
  private publish(file: AgentsFileState): void {
    this.files.set(file.uri.toString(), file);
    const open = vscode.workspace.textDocuments.some((d) => d.uri.toString() === file.uri.toString());
    const problems = [...file.analysis.problems, ...file.resolution.problems.filter((p) => open || p.code !== 'no-key')];
    this.diagnostics.set(file.uri, problems.map((p) => toDiagnostic(p)));
  }

  /** Against the folder's manifest; references stay unchecked while it is missing or has YAML errors. */
  private async resolve(folder: vscode.WorkspaceFolder, text: string, analysis: AgentsAnalysis): Promise<Resolution> {
    const manifest = this.store?.folders.find((f) => f.folder.uri.toString() === folder.uri.toString())?.analysis;
    const models = manifest?.syntaxOk ? manifest.models : undefined;
    const keys = new Map<string, KeyState>();
    if (models && this.keyStatus) {
      const wanted = new Set([...analysis.supervisors, ...analysis.agents].map((d) => d.connection).filter((c): c is string => c !== undefined));
      await Promise.all([...wanted].map(async (reference) => {
        const ref = parseReference(reference);
        const model = ref && models.find((m) => m.name === ref.model);
        const connection = model?.connections.find((c) => c.name === ref!.connection);
        if (model && connection) keys.set(reference, await this.keyStatus!(folder, model, connection).catch((): KeyState => 'unknown'));
      }));
    }
    return resolveAssignments(text, analysis, models, { keyStatus: this.keyStatus ? (m, c) => keys.get(`${m}/${c}`) : undefined });
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
