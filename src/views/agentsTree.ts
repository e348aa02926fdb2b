/**
 * The Agents view: supervisors with the agents under them, each with its effective
 * connection and where it comes from (assigned here, or inherited from a supervisor).
 */
import * as vscode from 'vscode';
import { md } from './tooltip';
import { explainAssignment, type Assignment, type KeyState } from '../core/agents/assignments';
import { isProviderId, providerLabel } from '../core/providers/catalog';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import { needsCredential } from '../core/providers/targets';
import type { Credentials } from '../credentials/credentials';
import type { AgentsFileState, AgentsFiles, KeyLookup, ManifestStore } from '../manifest/manifestStore';
import { contextValue, outcomeLabel } from './modelsTree';
import type { TestResults } from '../testing/testResults';
import { connectionUsers, type ConnectionUser } from '../agents/agentUsers';
import { assignmentVariableNames } from '../runtime/connectionEnv';


export type AgentNode =
  | { kind: 'file'; file: AgentsFileState }
  | { kind: 'definition'; file: AgentsFileState; assignment: Assignment; path: readonly string[] };

/** Key status for the resolution: `not-needed` for connections that send no key. */
export function keyLookup(credentials: Credentials): KeyLookup {
  return async (folder: vscode.WorkspaceFolder, model: ModelInfo, connection: ConnectionInfo): Promise<KeyState> => {
    if (isProviderId(model.provider) && !needsCredential({ provider: model.provider, modelName: model.name, connectionName: connection.name, model: model.model ?? '', settings: connection.settings })) return 'not-needed';
    return credentials.status(folder.uri, model.name, connection.name);
  };
}

/** The last test outcome of a connection, worded for a description: `ok 412 ms`, `auth failed`. */
export function lastTestText(results: TestResults, folder: vscode.Uri, model: string, connection: string): string | undefined {
  const last = results.get(folder, model, connection)?.last;
  return last ? `${outcomeLabel(last.outcome)}${last.outcome === 'ok' ? ` ${last.latencyMs} ms` : ''}` : undefined;
}

/** The explain line of an assignment, with the last test of its connection. */
export function explain(results: TestResults, file: AgentsFileState, a: Assignment): string {
  const e = a.effective;
  const last = e?.model && e.connection ? lastTestText(results, file.folder.uri, e.model, e.connection) : undefined;
  return explainAssignment(a, last);
}

export class AgentsTree implements vscode.TreeDataProvider<AgentNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AgentNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly agents: AgentsFiles, private readonly store: ManifestStore, private readonly results: TestResults) {
    this.sub = vscode.Disposable.from(agents.onDidChange(() => this.refresh()), results.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /**
   * Agents and supervisors whose effective connection is `model/connection`; the
   * Models tree can show `users.filter((u) => u.kind === 'agent').length` on a
   * connection row (refresh it on `onDidChangeTreeData`).
   */
  usage(folder: vscode.Uri, model: string, connection?: string): ConnectionUser[] {
    return connectionUsers(this.agents, folder, model, connection);
  }

  getChildren(node?: AgentNode): AgentNode[] {
    if (!node) {
      const files = this.agents.all.filter((f) => f.analysis.supervisors.length + f.analysis.agents.length > 0 || f.analysis.problems.length > 0);
      if (files.length === 1) return this.roots(files[0]);
      return files.map((file) => ({ kind: 'file', file }));
    }
    if (node.kind === 'file') return this.roots(node.file);
    const all = node.file.resolution.assignments;
    return node.assignment.children
      .filter((name) => !node.path.includes(name))
      .map((name) => all.find((a) => a.name === name))
      .filter((a): a is Assignment => a !== undefined)
      .map((assignment) => ({ kind: 'definition', file: node.file, assignment, path: [...node.path, assignment.name] }));
  }

  /** Definitions no supervisor lists, then (for a cycle) the first of what is left, and so on. */
  private roots(file: AgentsFileState): AgentNode[] {
    const all = file.resolution.assignments;
    const byName = (name: string) => all.find((a) => a.name === name);
    const reached = new Set<Assignment>();
    const reach = (a: Assignment) => {
      if (reached.has(a)) return;
      reached.add(a);
      for (const c of a.children) {
        const child = byName(c);
        if (child) reach(child);
      }
    };
    const roots = all.filter((a) => a.supervisor === undefined);
    roots.forEach(reach);
    for (const a of all) {
      if (reached.has(a)) continue;
      roots.push(a);
      reach(a);
    }
    // Supervisors first (in file order), then agents without one.
    roots.sort((x, y) => (x.kind === y.kind ? x.def.span.start - y.def.span.start : x.kind === 'supervisor' ? -1 : 1));
    return roots.map((assignment) => ({ kind: 'definition', file, assignment, path: [assignment.name] }));
  }

  getTreeItem(n: AgentNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    if (n.kind === 'file') {
      const item = new vscode.TreeItem(n.file.uri.path.split('/').pop() ?? n.file.uri.path, C.Expanded);
      const relative = vscode.workspace.asRelativePath(n.file.uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
      const dir = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : undefined;
      const errors = n.file.analysis.problems.filter((p) => p.severity === 'error').length;
      item.description = [dir, errors ? `${errors} error${errors === 1 ? '' : 's'}` : undefined].filter(Boolean).join(' · ');
      item.resourceUri = n.file.uri;
      item.iconPath = errors ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')) : vscode.ThemeIcon.File;
      item.tooltip = relative;
      item.contextValue = contextValue('agentsFile');
      item.command = { command: 'vscode.open', title: 'Open', arguments: [n.file.uri] };
      item.id = `af|${n.file.uri.toString()}`;
      return item;
    }
    const a = n.assignment;
    const e = a.effective;
    // Open by default near the top only: a hostile file may nest thousands of supervisors.
    const open = n.path.length < 3 ? C.Expanded : C.Collapsed;
    const item = new vscode.TreeItem(a.name, a.children.some((c) => !n.path.includes(c)) ? open : C.None);
    const flag = !e ? undefined : e.status === 'disabled' ? 'disabled' : e.status === 'unknown-model' || e.status === 'unknown-connection' ? 'not in the manifest' : undefined;
    item.description = e
      ? [e.reference, e.inheritedFrom !== undefined ? `inherited from ${e.inheritedFrom}` : undefined, flag].filter(Boolean).join(' · ')
      : a.kind === 'agent' ? 'no connection' : undefined;
    const broken = e && (e.status === 'unknown-model' || e.status === 'unknown-connection' || e.status === 'invalid');
    const weak = (!e && a.kind === 'agent') || e?.status === 'disabled';
    const color = broken ? new vscode.ThemeColor('problemsErrorIcon.foreground') : weak ? new vscode.ThemeColor('list.warningForeground') : undefined;
    item.iconPath = new vscode.ThemeIcon(a.kind === 'supervisor' ? 'organization' : 'robot', color);
    item.tooltip = this.tooltip(n.file, a);
    item.contextValue = contextValue(a.kind, a.own !== undefined ? 'assigned' : 'unassigned', e ? 'hasConnection' : 'noConnection');
    item.command = { command: 'agentConnections.revealAgentDefinition', title: 'Reveal Agent Definition', arguments: [n] };
    item.id = `ad|${n.file.uri.toString()}|${JSON.stringify(n.path)}`;
    return item;
  }

  private tooltip(file: AgentsFileState, a: Assignment): vscode.MarkdownString {
    const e = a.effective;
    const state = this.store.folders.find((f) => f.folder.uri.toString() === file.folder.uri.toString());
    const model = e?.model ? state?.analysis?.models.find((m) => m.name === e.model) : undefined;
    const lastTest = e?.model && e.connection ? this.results.get(file.folder.uri, e.model, e.connection)?.last : undefined;
    const source = !e ? undefined : e.inheritedFrom === undefined ? `assigned on this ${a.kind}` : `inherited from supervisor ${e.inheritedFrom}${e.chain.length > 1 ? ` (through ${e.chain.slice(0, -1).join(' → ')})` : ''}`;
    const m = md([
      [a.kind === 'agent' ? 'Agent' : 'Supervisor', a.name],
      ['Description', a.def.description],
      ['Supervisor', a.supervisor],
      ['Connection', e ? e.reference : 'none'],
      ['From', source],
      ['Provider', model ? providerLabel(model.provider) : undefined],
      ['Model code', model?.model],
      ['Sets', assignmentVariableNames(this.store, file, a)?.join(', ')],
    ]);
    m.appendMarkdown('\n---\n\n').appendText(explain(this.results, file, a));
    if (lastTest && lastTest.outcome !== 'ok') m.appendMarkdown('  \n').appendText(lastTest.hint);
    m.appendMarkdown('\n\n').appendText(vscode.workspace.asRelativePath(file.uri, false));
    return m;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
