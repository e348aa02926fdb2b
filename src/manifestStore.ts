/**
 * Keeps, per workspace folder, the manifest's current text and its analysis, and the
 * agents files' problems. Follows open editors (unsaved edits included) and the disk.
 * Publishes every problem to the Problems panel.
 */
import * as vscode from 'vscode';
import type { Analyzer } from './analyzer';
import type { ManifestAnalysis } from './core/manifest';
import { DEFAULT_MANIFEST_PATH } from './core/manifest';
import type { Problem } from './core/problems';

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

export async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  const bytes = await vscode.workspace.fs.readFile(uri);
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
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

  async reloadAll(): Promise<void> {
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

  private async load(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const gen = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, gen);
    const uri = manifestUri(folder);
    const state: FolderManifest = { folder, uri, exists: false };
    let text: string | undefined;
    try {
      text = await readText(uri);
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
        state.analysis = await this.analyzer.manifest(text);
      } catch (e) {
        state.readError = `The manifest could not be analysed: ${e instanceof Error ? e.message : String(e)}`;
      }
      this.log.debug(`analysed ${vscode.workspace.asRelativePath(uri)} in ${Date.now() - t0} ms`);
    }
    if (this.generation.get(key) !== gen) return; // a newer load is under way
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

/** Problems of the agents files (`**\/*.agents.yaml`), kept in the same Problems panel. */
export class AgentsFiles implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly analyzer: Analyzer, private readonly diagnostics: vscode.DiagnosticCollection) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.agents.{yaml,yml}');
    watcher.onDidCreate((u) => this.schedule(u));
    watcher.onDidChange((u) => this.schedule(u));
    watcher.onDidDelete((u) => this.diagnostics.delete(u));
    this.disposables.push(
      watcher,
      vscode.workspace.onDidChangeTextDocument((e) => { if (this.matches(e.document.uri)) this.schedule(e.document.uri); }),
      vscode.workspace.onDidOpenTextDocument((d) => { if (this.matches(d.uri)) this.schedule(d.uri); }),
    );
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

  private schedule(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => void this.check(uri), DEBOUNCE_MS));
  }

  private async check(uri: vscode.Uri): Promise<void> {
    if (!this.matches(uri)) return;
    try {
      const a = await this.analyzer.agents(await readText(uri));
      this.diagnostics.set(uri, a.problems.map((p) => toDiagnostic(p)));
    } catch {
      this.diagnostics.delete(uri);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
