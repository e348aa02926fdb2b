/** The Models tree: models → connections, optionally grouped by location; an error row for a broken manifest. */
import * as vscode from 'vscode';
import { appendUsage, md } from './tooltip';
import type { UsageStore } from '../usage/usageStore';
import { isProviderId, providerLabel } from '../core/providers/catalog';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import type { Problem } from '../core/yaml/problems';
import type { ConnectionTester } from '../testing/connectionTester';
import { needsCredential } from '../core/providers/targets';
import type { Outcome, TestResult } from '../core/providers';
import { chosenLabel, type Credentials, type KeyInfo, type KeyStatus } from '../credentials/credentials';
import { entraLabel } from '../core/identity/entra';
import type { AgentsFiles, FolderManifest, ManifestStore } from '../manifest/manifestStore';
import { connectionUsers } from '../agents/agentUsers';
import type { HistoryEntry, TestResults } from '../testing/testResults';
import { keyMarks, type KeyMarks } from '../core/secrets/rotation';

export const KEY_MAX_AGE_SETTING = 'keyMaxAgeDays';

export type TreeNode =
  | { kind: 'folder'; state: FolderManifest }
  | { kind: 'problem'; state: FolderManifest; problem?: Problem; message: string; count: number }
  | { kind: 'location'; state: FolderManifest; location: string; models: ModelInfo[] }
  | { kind: 'model'; state: FolderManifest; model: ModelInfo }
  /** `storedAt`: when the key was stored (ISO), null for an entry older than that record, undefined when unknown. */
  | { kind: 'connection'; state: FolderManifest; model: ModelInfo; connection: ConnectionInfo; key: KeyStatus; storedAt?: string | null; profile?: string; entra?: KeyInfo['entra'] };

/** Context value from tokens, matched in package.json with `viewItem =~ /\bconnection\b/`. */
export function contextValue(...tokens: string[]): string {
  return tokens.join(' ');
}

function nodeId(n: TreeNode): string {
  const f = n.state.folder.uri.toString();
  switch (n.kind) {
    case 'folder': return `f|${f}`;
    case 'problem': return `p|${f}`;
    case 'location': return `l|${f}|${n.location}`;
    case 'model': return `m|${f}|${n.model.name}|${n.model.index}`;
    case 'connection': return `c|${f}|${n.model.name}|${n.model.index}|${n.connection.name}|${n.connection.index}`;
  }
}

export class ModelsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private grouped: boolean;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly store: ManifestStore,
    private readonly credentials: Credentials,
    private readonly memento: vscode.Memento,
    private readonly results: TestResults,
    private readonly tester: ConnectionTester,
    private readonly agents?: AgentsFiles,
    private readonly usage?: UsageStore,
  ) {
    this.grouped = memento.get('agentConnections.groupByLocation', false);
    void vscode.commands.executeCommand('setContext', 'agentConnections.groupByLocation', this.grouped);
    this.sub = vscode.Disposable.from(
      store.onDidChange(() => this.refresh()),
      credentials.onDidChange(() => this.refresh()),
      results.onDidChange(() => this.refresh()),
      tester.onDidChange(() => this.refresh()),
      ...(agents ? [agents.onDidChange(() => this.refresh())] : []),
      ...(usage ? [usage.onDidChange(() => this.refresh())] : []),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`agentConnections.${KEY_MAX_AGE_SETTING}`)) this.refresh();
      }),
    );
  }

  get groupByLocation(): boolean {
    return this.grouped;
  }

  async setGroupByLocation(value: boolean): Promise<void> {
    this.grouped = value;
    await this.memento.update('agentConnections.groupByLocation', value);
    await vscode.commands.executeCommand('setContext', 'agentConnections.groupByLocation', value);
    this.refresh();
  }

  private refreshQueued = false;

  /**
   * Redraws the tree once for a burst of changes (a manifest edit also re-resolves the
   * agents and the keys): fewer re-renders, fewer rows whose inline actions go stale.
   */
  refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setTimeout(() => {
      this.refreshQueued = false;
      this.changed.fire(undefined);
    }, 0);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      await this.store.loaded;
      const folders = this.store.folders;
      if (folders.length === 1) return this.folderChildren(folders[0]);
      if (!folders.some((f) => f.exists)) return []; // the welcome view explains what to do
      return folders.map((state) => ({ kind: 'folder', state }) as TreeNode);
    }
    switch (node.kind) {
      case 'folder': return this.folderChildren(node.state);
      case 'location': return node.models.map((model) => ({ kind: 'model', state: node.state, model }) as TreeNode);
      case 'model': {
        const folder = node.state.folder.uri;
        const keys = await Promise.all(node.model.connections.map((c) => this.credentials.info(folder, node.model.name, c.name)));
        return node.model.connections.map((connection, i) => ({ kind: 'connection', state: node.state, model: node.model, connection, key: keys[i].status, storedAt: keys[i].storedAt, profile: keys[i].profile, entra: keys[i].entra }) as TreeNode);
      }
      default: return [];
    }
  }

  private folderChildren(state: FolderManifest): TreeNode[] {
    if (!state.exists) return [];
    const out: TreeNode[] = [];
    const a = state.analysis;
    if (state.readError || !a) {
      out.push({ kind: 'problem', state, message: state.readError ?? 'Reading the manifest…', count: state.readError ? 1 : 0 });
      return out;
    }
    const errors = a.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) out.push({ kind: 'problem', state, problem: errors[0], message: errors[0].message, count: errors.length });
    if (this.grouped) {
      const byLocation = new Map<string, ModelInfo[]>();
      for (const m of a.models) byLocation.set(m.location, [...(byLocation.get(m.location) ?? []), m]);
      for (const [location, models] of [...byLocation].sort(([x], [y]) => x.localeCompare(y))) out.push({ kind: 'location', state, location, models });
    } else {
      for (const model of a.models) out.push({ kind: 'model', state, model });
    }
    return out;
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    let item: vscode.TreeItem;
    switch (n.kind) {
      case 'folder': {
        item = new vscode.TreeItem(n.state.folder.name, n.state.exists ? C.Expanded : C.None);
        item.description = n.state.exists ? vscode.workspace.asRelativePath(n.state.uri, false) : 'no manifest';
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = contextValue('folder', n.state.exists ? 'hasManifest' : 'noManifest');
        break;
      }
      case 'problem': {
        const label = n.count > 1 ? `${n.count} errors in the manifest` : n.count === 1 ? 'Error in the manifest' : n.message;
        item = new vscode.TreeItem(label, C.None);
        item.description = n.count > 0 ? n.message : undefined;
        item.tooltip = n.count > 0 ? `${n.message}\n\nClick to open the problem.` : n.message;
        item.iconPath = new vscode.ThemeIcon(n.count > 0 ? 'error' : 'loading~spin', n.count > 0 ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
        item.contextValue = contextValue('problem');
        item.command = { command: 'agentConnections.openProblem', title: 'Open Problem', arguments: [n] };
        break;
      }
      case 'location': {
        item = new vscode.TreeItem(n.location, C.Expanded);
        item.description = `${n.models.length} model${n.models.length === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('folder-library');
        item.contextValue = contextValue('location');
        break;
      }
      case 'model': {
        const m = n.model;
        item = new vscode.TreeItem(m.name, m.connections.length > 0 ? C.Collapsed : C.None);
        item.description = `${providerLabel(m.provider)} · ${m.type ?? '?'}`;
        item.tooltip = md([
          ['Model', m.name], ['Type', m.type === 'api' ? 'API integration (api)' : m.type === 'easy' ? 'Easy integration (easy)' : m.type],
          ['Provider', providerLabel(m.provider)], ['Model code', m.model], ['Description', m.description], ['Location', m.location],
          ['Added on', m.addedOn], ['Connections', String(m.connections.length)],
        ]);
        item.iconPath = new vscode.ThemeIcon(m.type === 'api' ? 'plug' : 'hubot');
        item.contextValue = contextValue('model', m.provider ?? 'unknown');
        break;
      }
      case 'connection': {
        const c = n.connection;
        item = new vscode.TreeItem(c.name, C.None);
        const keyless = !this.needsKey(n);
        const results = this.results.get(n.state.folder.uri, n.model.name, c.name);
        const marks: KeyMarks = !keyless && n.key === 'present' ? keyMarks({ storedAt: n.storedAt, history: results?.history, maxAgeDays: n.profile === undefined ? maxKeyAgeDays() : undefined }) : {};
        const marked = marks.olderThanLimit !== undefined || marks.authFailedInARow !== undefined;
        // An AWS profile or an Entra ID identity is named as chosen, not as a stored key.
        const chosen = chosenLabel(n);
        const refused = n.profile !== undefined ? `AWS profile ${n.profile}` : n.entra ? 'Entra ID token' : 'key';
        const markText = [
          marks.olderThanLimit ? `key ${marks.olderThanLimit.ageDays} days old` : '',
          marks.authFailedInARow ? `${refused} refused ${marks.authFailedInARow}× in a row` : '',
        ].filter(Boolean).join(', ');
        const keyText = keyless ? 'no key needed' : n.key === 'present' ? (marked ? `${markText} — Replace Key…` : chosen ?? 'key stored') : n.key === 'missing' ? 'no key on this machine' : 'key status unknown (Restricted Mode)';
        const last = results?.last;
        const running = this.tester.isRunning(n);
        const added = [c.addedBy, c.addedOn].filter(Boolean).join(', ');
        const testText = running ? 'testing…' : last ? `${outcomeLabel(last.outcome)}${last.outcome === 'ok' ? ` ${last.latencyMs} ms` : ''}` : undefined;
        item.description = [c.enabled ? 'enabled' : 'disabled', keyText, testText, added].filter(Boolean).join(' · ');
        const tooltip = md([
          ['Connection', `${n.model.name}/${c.name}`], ['Enabled for inference', c.enabled ? 'yes' : 'no'], ...credentialLine(n, keyless, keyText),
          ['Key stored', keyless || n.key !== 'present' || chosen !== undefined ? undefined : n.storedAt ? new Date(n.storedAt).toLocaleString() : n.storedAt === null ? 'before Agent Connections recorded it (age unknown, never marked old)' : undefined],
          ['Replace Key…', [
            marks.olderThanLimit ? `the key was stored ${marks.olderThanLimit.ageDays} days ago, more than agentConnections.${KEY_MAX_AGE_SETTING} (${marks.olderThanLimit.maxAgeDays}) allows` : '',
            marks.authFailedInARow ? `the provider refused the ${n.profile !== undefined ? `credentials of AWS profile ${n.profile}` : n.entra ? `token of ${entraLabel(n.entra)}` : 'key'} (auth failed) in the last ${marks.authFailedInARow} tests in a row${n.profile !== undefined ? ` (an SSO profile may need \`aws sso login --profile ${n.profile}\`)` : ''}` : '',
          ].filter(Boolean).join('; ') || undefined],
          ['Added by', c.addedBy], ['Added on', c.addedOn], ['Description', c.description],
          ...Object.entries(c.settings).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, v as string] as [string, string]),
        ]);
        const users = this.agents ? connectionUsers(this.agents, n.state.folder.uri, n.model.name, c.name) : [];
        if (users.length > 0) {
          tooltip.appendMarkdown('**Used by:** ').appendText(users.slice(0, 8).map((u) => `${u.kind} ${u.name}${u.inheritedFrom ? ` (inherited from ${u.inheritedFrom})` : ''}`).join(', ') + (users.length > 8 ? ` and ${users.length - 8} more` : '')).appendMarkdown('  \n');
        }
        appendUsage(tooltip, this.usage?.line(n.state.folder.uri, n.model.name, c.name));
        if (last) appendResult(tooltip, last, results.history);
        item.tooltip = tooltip;
        item.iconPath = running
          ? new vscode.ThemeIcon('loading~spin')
          : !c.enabled
            ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'))
            : (n.key === 'missing' && !keyless) || marked
              ? new vscode.ThemeIcon('key', new vscode.ThemeColor('list.warningForeground'))
              : last
                ? outcomeIcon(last.outcome)
                : new vscode.ThemeIcon('circle-large-outline');
        item.contextValue = contextValue('connection', c.enabled ? 'enabled' : 'disabled', n.key === 'present' ? 'hasKey' : 'noKey', keyless ? 'keyless' : 'needsKey', last ? `tested-${last.outcome}` : 'untested', ...(marked ? ['replaceKey', ...(marks.olderThanLimit ? ['keyOld'] : []), ...(marks.authFailedInARow ? ['keyRefused'] : [])] : []));
        item.command = { command: 'agentConnections.revealInManifest', title: 'Reveal in Manifest', arguments: [n] };
        break;
      }
    }
    item.id = nodeId(n);
    return item;
  }

  private needsKey(n: Extract<TreeNode, { kind: 'connection' }>): boolean {
    if (!isProviderId(n.model.provider)) return true;
    return needsCredential({ provider: n.model.provider, modelName: n.model.name, connectionName: n.connection.name, model: n.model.model ?? '', settings: n.connection.settings });
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

/** The tooltip's credential line: "Key: stored on this machine", or what was chosen instead of a key. */
function credentialLine(n: Extract<TreeNode, { kind: 'connection' }>, keyless: boolean, keyText: string): Array<[string, string | undefined]> {
  if (keyless || n.key !== 'present') return [['Key', keyText]];
  const chosenOn = n.storedAt ? `, chosen ${new Date(n.storedAt).toLocaleString()}` : '';
  if (n.profile !== undefined) return [['Credential', `AWS profile ${n.profile} (its keys are resolved by the AWS SDK on each request; never marked old${chosenOn})`]];
  if (n.entra) return [['Credential', `${entraLabel(n.entra)} (a token is asked for on each request; nothing secret is stored)`]];
  return [['Key', 'stored on this machine']];
}

/** `agentConnections.keyMaxAgeDays`, or undefined when off (unset, 0 or not a positive number). */
export function maxKeyAgeDays(): number | undefined {
  const v = vscode.workspace.getConfiguration('agentConnections').get<number | null>(KEY_MAX_AGE_SETTING);
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

export function outcomeLabel(outcome: Outcome): string {
  return outcome === 'ok' ? 'ok' : outcome.replace(/_/g, ' ');
}

const WARNING_OUTCOMES: ReadonlySet<Outcome> = new Set(['rate_limited', 'overloaded', 'timeout', 'server_error', 'blocked', 'cancelled']);

function outcomeIcon(outcome: Outcome): vscode.ThemeIcon {
  if (outcome === 'ok') return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (WARNING_OUTCOMES.has(outcome)) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
}

function appendResult(m: vscode.MarkdownString, last: TestResult, history: HistoryEntry[]): void {
  m.appendMarkdown('\n---\n\n');
  m.appendMarkdown('**Last test:** ').appendText(`${outcomeLabel(last.outcome)}${last.status ? ` (HTTP ${last.status})` : ''} · ${last.latencyMs} ms · ${new Date(last.at).toLocaleString()}`).appendMarkdown('  \n');
  if (last.outcome !== 'ok') m.appendText(last.message).appendMarkdown('  \n');
  m.appendMarkdown('**Hint:** ').appendText(last.hint).appendMarkdown('  \n');
  if (last.requestId) m.appendMarkdown('**Request ID:** ').appendText(last.requestId).appendMarkdown('  \n');
  if (history.length > 1) {
    m.appendMarkdown('**History:** ').appendText(history.slice().reverse().map((h) => (h.outcome === 'ok' ? `${h.latencyMs} ms` : outcomeLabel(h.outcome))).join(' · ')).appendMarkdown('  \n');
  }
}
