/**
 * In agents files: above every agent and supervisor, "Assign connection…" and a line
 * that explains its effective connection (clicking it reveals the connection in the
 * manifest); the same explanation on hover over its name or connection.
 */
import * as vscode from 'vscode';
import { resolveAssignments, type Assignment } from '../core/agents/assignments';
import { ENCODING_CODES } from '../core/yaml/encoding';
import { core } from '../lazyCore';
import type { AgentLocation } from '../agents/agentCommands';
import { explain } from './agentsTree';
import { assignmentVariableNames } from '../runtime/connectionEnv';
import type { AgentsFileState, AgentsFiles, ManifestStore } from '../manifest/manifestStore';
import type { TestResults } from '../testing/testResults';

/** Larger open documents wait for the worker's analysis instead of being analysed here while typing. */
const IN_PROCESS_LIMIT = 512 * 1024;

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  agents: AgentsFiles;
  results: TestResults;
}

export function registerAgentsCodeLens(deps: Deps): void {
  const provider = new AgentsLenses(deps.store, deps.agents, deps.results);
  const selector: vscode.DocumentSelector = { scheme: 'file', language: 'yaml' };
  deps.context.subscriptions.push(provider, vscode.languages.registerCodeLensProvider(selector, provider), vscode.languages.registerHoverProvider(selector, provider));
}

class AgentsLenses implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly store: ManifestStore, private readonly agents: AgentsFiles, private readonly results: TestResults) {
    this.sub = vscode.Disposable.from(
      agents.onDidChange(() => this.changed.fire()),
      results.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('agentConnections.agentsCodeLens')) this.changed.fire(); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    );
  }

  /** The file's state for exactly the document's text: the stored one, or analysed here while the worker catches up. */
  private current(doc: vscode.TextDocument): AgentsFileState | undefined {
    const stored = this.agents.get(doc.uri);
    if (!stored) return undefined;
    const text = doc.getText();
    // Bytes on disk that are not UTF-8 text: nothing is read from the editor's guess either.
    if (stored.text === text || stored.analysis.problems.some((p) => ENCODING_CODES.has(p.code))) return stored;
    if (text.length > IN_PROCESS_LIMIT) return undefined;
    const analysis = core().analyzeAgents(text);
    const manifest = this.store.folders.find((f) => f.folder.uri.toString() === stored.folder.uri.toString())?.analysis;
    return { ...stored, text, analysis, resolution: resolveAssignments(text, analysis, manifest?.syntaxOk ? manifest.models : undefined) };
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('agentConnections', doc.uri).get<boolean>('agentsCodeLens', true)) return [];
    const file = this.current(doc);
    if (!file) return [];
    const lenses: vscode.CodeLens[] = [];
    const trusted = vscode.workspace.isTrusted;
    for (const a of file.resolution.assignments) {
      if (/^\((agent|supervisor) \d+\)$/.test(a.name)) continue; // no name to write to
      const at = doc.positionAt(a.def.span.start);
      const range = new vscode.Range(at, at);
      const location: AgentLocation = { uri: doc.uri.toString(), kind: a.kind, name: a.name };
      // In Restricted Mode the file is read-only: only the explanation is shown.
      if (trusted) {
        lenses.push(new vscode.CodeLens(range, {
          title: `$(plug) ${a.own !== undefined ? 'Change' : 'Assign'} connection…`,
          tooltip: `Choose a model, then one of its connections, for ${a.kind} “${a.name}”`,
          command: 'agentConnections.assignConnection',
          arguments: [location],
        }));
      }
      if (trusted && a.own !== undefined) {
        lenses.push(new vscode.CodeLens(range, {
          title: 'Clear',
          tooltip: a.supervisor ? `Remove this connection: “${a.name}” inherits from ${a.supervisor} again` : 'Remove this connection',
          command: 'agentConnections.clearAssignment',
          arguments: [location],
        }));
      }
      lenses.push(new vscode.CodeLens(range, this.explainCommand(file, a)));
      const names = trusted && a.effective?.status === 'ok' ? assignmentVariableNames(this.store, file, a) : undefined;
      if (names) {
        lenses.push(new vscode.CodeLens(range, {
          title: '$(terminal) Terminal',
          tooltip: `Open a terminal with ${a.effective!.reference}: sets ${names.join(', ')}`,
          command: 'agentConnections.openTerminal',
          arguments: [location],
        }));
      }
    }
    return lenses;
  }

  private explainCommand(file: AgentsFileState, a: Assignment): vscode.Command {
    const e = a.effective;
    const icon = !e ? (a.kind === 'agent' ? 'warning' : 'circle-large-outline') : e.status === 'ok' ? 'link' : e.status === 'disabled' || e.status === 'unchecked' ? 'warning' : 'error';
    const title = `$(${icon}) ${explain(this.results, file, a)}`;
    const state = this.store.folders.find((f) => f.folder.uri.toString() === file.folder.uri.toString());
    const model = e?.model ? state?.analysis?.models.find((m) => m.name === e.model) : undefined;
    const connection = model?.connections.find((c) => c.name === e?.connection);
    if (state && model && connection) {
      return { title, tooltip: `Reveal ${e!.reference} in the manifest`, command: 'agentConnections.revealInManifest', arguments: [{ kind: 'connection', state, model, connection, key: 'unknown' }] };
    }
    return { title, tooltip: e ? 'This reference is not in the manifest: see the Problems panel' : 'Assign a connection here or on a supervisor', command: '' };
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const file = this.current(doc);
    if (!file) return undefined;
    const offset = doc.offsetAt(position);
    const inside = (s?: { start: number; end: number }) => s !== undefined && offset >= s.start && offset <= s.end;
    const a = file.resolution.assignments.find((x) => inside(x.def.nameSpan) || inside(x.def.connectionSpan));
    if (!a) return undefined;
    const m = new vscode.MarkdownString(undefined, true);
    m.isTrusted = false;
    m.supportHtml = false;
    m.appendMarkdown(`$(${a.kind === 'supervisor' ? 'organization' : 'robot'}) **`).appendText(a.name).appendMarkdown('** ').appendText(a.kind + (a.supervisor ? ` under ${a.supervisor}` : '')).appendMarkdown('\n\n');
    m.appendText(explain(this.results, file, a));
    if (a.effective && a.effective.chain.length > 1) m.appendMarkdown('\n\n').appendText(`Chain: ${[a.name, ...a.effective.chain].join(' → ')}`);
    const names = assignmentVariableNames(this.store, file, a);
    if (names) m.appendMarkdown('\n\n').appendText(`A terminal or debug session with this connection gets ${names.join(', ')}.`);
    const span = inside(a.def.nameSpan) ? a.def.nameSpan : a.def.connectionSpan!;
    return new vscode.Hover(m, new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end)));
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
