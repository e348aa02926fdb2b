/**
 * Assign / clear the connection of an agent or supervisor, and reveal its definition.
 * Invoked from the Agents view, the palette (with a picker) and the CodeLens of
 * agents files. The YAML is changed through `core/agents/agentsEdit` (minimal diff).
 */
import * as vscode from 'vscode';
import { registerCommand } from '../commands/commandWrapper';
import { applyManifestEdit, UnreadableFileError, unreadableMessage } from '../manifest/applyEdit';
import { ENCODING_CODES } from '../core/yaml/encoding';
import { orphanedByClearing, parseReference, type AgentKind, type Assignment } from '../core/agents/assignments';
import { providerLabel } from '../core/providers/catalog';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import { connectionReference } from '../core/manifest/names';
import { core } from '../lazyCore';
import type { AgentNode } from '../views/agentsTree';
import { keyLookup, lastTestText } from '../views/agentsTree';
import type { Credentials } from '../credentials/credentials';
import type { AgentsFileState, AgentsFiles, FolderManifest, ManifestStore } from '../manifest/manifestStore';
import type { TestResults } from '../testing/testResults';

export const AGENT_COMMAND_IDS = ['agentConnections.assignConnection', 'agentConnections.clearAssignment', 'agentConnections.revealAgentDefinition'] as const;
export type AgentCommandId = (typeof AGENT_COMMAND_IDS)[number];

/** What the CodeLens passes: plain values, so the command can also be run with arguments (keybindings, tests). */
export interface AgentLocation {
  uri: string;
  kind: AgentKind;
  name: string;
  /** `model/connection` to assign without asking. */
  connection?: string;
}

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  agents: AgentsFiles;
  credentials: Credentials;
  results: TestResults;
  log: vscode.LogOutputChannel;
}

export interface Target {
  file: AgentsFileState;
  assignment: Assignment;
}

export function registerAgentCommands(deps: Deps): void {
  const { context, store, agents, credentials, results, log } = deps;
  const register = (id: AgentCommandId, handler: (arg?: unknown) => unknown) => registerCommand(context, log, id, handler);

  const requireTrust = () => {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: agents files are read-only. Trust the workspace to change them.');
  };

  /** The current definition for a tree node, a CodeLens location or a palette pick. */
  const targetOf = async (arg: unknown, placeHolder: string, filter?: (a: Assignment) => boolean): Promise<Target | undefined> => {
    if (isAgentNode(arg)) return find(agents, arg.file.uri, arg.assignment.kind, arg.assignment.name);
    if (isLocation(arg)) return find(agents, vscode.Uri.parse(arg.uri), arg.kind, arg.name);
    return pickTarget(agents, placeHolder, filter);
  };

  register('agentConnections.assignConnection', async (arg) => {
    requireTrust();
    const target = await targetOf(arg, 'Assign a connection to which agent or supervisor?');
    if (!target) return;
    const { file, assignment: a } = target;
    const state = store.folders.find((f) => f.folder.uri.toString() === file.folder.uri.toString());
    const models = state?.analysis?.models ?? [];
    if (!state?.exists) throw new Error(`There is no manifest in ${file.folder.name} yet: create it (Agent Connections: Create Manifest) and add a model first.`);
    if (!models.some((m) => m.connections.length > 0)) throw new Error('The manifest has no connections yet: add a model and a connection first.');
    const current = a.own ?? a.effective?.reference;
    const given = isLocation(arg) && typeof arg.connection === 'string' ? arg.connection : undefined;
    const picked = given !== undefined ? lookUp(models, given) : await pickModelConnection({ state, credentials, results, title: `Assign Connection · ${a.kind} ${a.name}`, current });
    if (!picked) return;
    const reference = connectionReference(picked.model.name, picked.connection.name);
    if (!picked.connection.enabled) {
      const ok = await vscode.window.showWarningMessage(`${reference} is disabled for inference.`, { modal: true, detail: `Assign it to ${a.kind} “${a.name}” anyway? The agents file will report a warning until the connection is enabled.` }, 'Assign Anyway');
      if (ok !== 'Assign Anyway') return;
    }
    await applyManifestEdit(file.uri, (text) => core().setAgentConnection(text, { kind: a.kind, name: a.name }, reference));
    log.info(`assigned ${reference} to ${a.kind} ${a.name} in ${vscode.workspace.asRelativePath(file.uri)}`);
    await agents.reload(file.uri);
    const inheriting = a.kind === 'supervisor' ? countInheriting(agents.get(file.uri) ?? file, a.name) : 0;
    void vscode.window.setStatusBarMessage(`$(check) ${a.name} → ${reference}${inheriting ? ` (and ${inheriting} agent${inheriting === 1 ? '' : 's'} inheriting it)` : ''}`, 4000);
    return reference;
  });

  register('agentConnections.clearAssignment', async (arg) => {
    requireTrust();
    const target = await targetOf(arg, 'Clear the connection of which agent or supervisor?', (a) => a.own !== undefined);
    if (!target) return;
    const { file, assignment: a } = target;
    if (a.own === undefined) {
      void vscode.window.showInformationMessage(`${capital(a.kind)} “${a.name}” has no connection of its own${a.effective ? ` (it inherits ${a.effective.reference} from ${a.effective.inheritedFrom})` : ''}.`);
      return;
    }
    const orphans = orphanedByClearing(file.resolution.assignments, { kind: a.kind, name: a.name });
    if (orphans.length > 0) {
      const names = orphans.map((o) => o.name);
      const shown = names.slice(0, 8).map((n) => `• agent ${n}`).concat(names.length > 8 ? [`… and ${names.length - 8} more`] : []);
      const ok = await vscode.window.showWarningMessage(
        `Clearing the connection of ${a.kind} “${a.name}” leaves ${orphans.length === 1 ? '1 agent' : `${orphans.length} agents`} without a connection.`,
        { modal: true, detail: `${shown.join('\n')}\n\nNo supervisor above passes a connection down to ${orphans.length === 1 ? 'it' : 'them'}.` },
        'Clear Anyway',
      );
      if (ok !== 'Clear Anyway') return;
    }
    await applyManifestEdit(file.uri, (text) => core().clearAgentConnection(text, { kind: a.kind, name: a.name }));
    log.info(`cleared the connection of ${a.kind} ${a.name} (was ${a.own}) in ${vscode.workspace.asRelativePath(file.uri)}`);
    await agents.reload(file.uri);
    const now = find(agents, file.uri, a.kind, a.name)?.assignment.effective;
    void vscode.window.setStatusBarMessage(`$(check) ${a.name}: ${now ? `now inherits ${now.reference} from ${now.inheritedFrom}` : 'no connection'}`, 4000);
  });

  register('agentConnections.revealAgentDefinition', async (arg) => {
    const target = await targetOf(arg, 'Reveal which agent or supervisor?');
    if (!target) return;
    const doc = await vscode.workspace.openTextDocument(target.file.uri);
    const span = target.assignment.def.nameSpan;
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    await vscode.window.showTextDocument(doc, { selection: range, preserveFocus: false });
  });
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function isAgentNode(arg: unknown): arg is Extract<AgentNode, { kind: 'definition' }> {
  return typeof arg === 'object' && arg !== null && (arg as AgentNode).kind === 'definition' && 'assignment' in arg;
}

export function isLocation(arg: unknown): arg is AgentLocation {
  const l = arg as AgentLocation;
  return typeof arg === 'object' && arg !== null && typeof l.uri === 'string' && (l.kind === 'agent' || l.kind === 'supervisor') && typeof l.name === 'string';
}

/** The definition as it is now (the node or lens may be older than the last edit). */
export function find(agents: AgentsFiles, uri: vscode.Uri, kind: AgentKind, name: string): Target {
  const file = agents.get(uri);
  const unreadable = file?.analysis.problems.find((p) => ENCODING_CODES.has(p.code));
  if (unreadable) throw new UnreadableFileError(unreadableMessage(unreadable));
  const assignment = file?.resolution.assignments.find((a) => a.kind === kind && a.name === name);
  if (!file || !assignment) throw new Error(`No ${kind} named “${name}” in ${vscode.workspace.asRelativePath(uri)} any more.`);
  return { file, assignment };
}

function lookUp(models: readonly ModelInfo[], reference: string): ModelConnectionPick {
  const ref = parseReference(reference);
  const model = ref && models.find((m) => m.name === ref.model);
  const connection = model?.connections.find((c) => c.name === ref!.connection);
  if (!model || !connection) throw new Error(`${reference} is not a connection in the manifest.`);
  return { model, connection };
}

function countInheriting(file: AgentsFileState, supervisor: string): number {
  return file.resolution.assignments.filter((a) => a.kind === 'agent' && a.effective?.inheritedFrom === supervisor).length;
}

interface Picked<T> extends vscode.QuickPickItem {
  value: T;
}

export async function pickTarget(agents: AgentsFiles, placeHolder: string, filter: (a: Assignment) => boolean = () => true): Promise<Target | undefined> {
  const items: Array<Picked<Target | undefined>> = [];
  const several = agents.all.length > 1;
  for (const kind of ['supervisor', 'agent'] as const) {
    const group: Array<Picked<Target | undefined>> = [];
    for (const file of agents.all) {
      for (const assignment of file.resolution.assignments) {
        if (assignment.kind !== kind || !filter(assignment)) continue;
        const e = assignment.effective;
        group.push({
          label: `$(${kind === 'supervisor' ? 'organization' : 'robot'}) ${assignment.name}`,
          description: e ? `${e.reference}${e.inheritedFrom !== undefined ? ` · inherited from ${e.inheritedFrom}` : ''}` : 'no connection',
          detail: several ? vscode.workspace.asRelativePath(file.uri) : undefined,
          value: { file, assignment },
        });
      }
    }
    if (group.length > 0) items.push({ label: kind === 'supervisor' ? 'Supervisors' : 'Agents', kind: vscode.QuickPickItemKind.Separator, value: undefined }, ...group);
  }
  if (items.length === 0) throw new Error('No agent or supervisor found: define them in a *.agents.yaml file (see the README for the format).');
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.value;
}

export interface ModelConnectionPick {
  model: ModelInfo;
  connection: ConnectionInfo;
}

export interface PickOptions {
  state: FolderManifest;
  credentials: Credentials;
  results: TestResults;
  title: string;
  /** `model/connection` chosen now, marked in both steps. */
  current?: string;
}

/**
 * Two steps in one QuickPick: a model, then one of its connections (enabled, key on
 * this machine, last test). Back returns to the models. Usable wherever a model is chosen.
 */
export async function pickModelConnection(options: PickOptions): Promise<ModelConnectionPick | undefined> {
  const { state, credentials, results, title, current } = options;
  const models = (state.analysis?.models ?? []).filter((m) => m.connections.length > 0);
  const [currentModel, currentConnection] = current?.split('/') ?? [];
  const qp = vscode.window.createQuickPick<Picked<ModelInfo | ConnectionInfo>>();
  qp.title = title;
  qp.totalSteps = 2;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.ignoreFocusOut = false;
  try {
    return await new Promise<ModelConnectionPick | undefined>((resolve) => {
      let model: ModelInfo | undefined;
      const showModels = () => {
        model = undefined;
        qp.step = 1;
        qp.value = '';
        qp.placeholder = 'Choose a model';
        qp.buttons = [];
        qp.busy = false;
        qp.items = models.map((m) => {
          const enabled = m.connections.filter((c) => c.enabled).length;
          return {
            label: m.name,
            iconPath: new vscode.ThemeIcon(m.type === 'api' ? 'plug' : 'hubot'),
            description: [providerLabel(m.provider), m.model, m.name === currentModel ? 'current' : undefined].filter(Boolean).join(' · '),
            detail: `${m.connections.length} connection${m.connections.length === 1 ? '' : 's'}, ${enabled} enabled${m.description ? ` — ${m.description}` : ''}`,
            value: m,
          };
        });
        const active = qp.items.find((i) => i.label === currentModel);
        if (active) qp.activeItems = [active];
      };
      const showConnections = async (m: ModelInfo) => {
        model = m;
        qp.step = 2;
        qp.value = '';
        qp.placeholder = `Choose a connection of ${m.name}`;
        qp.buttons = [vscode.QuickInputButtons.Back];
        qp.items = [];
        qp.busy = true;
        const folder = state.folder.uri;
        const keys = await Promise.all(m.connections.map((c) => keyText(credentials, state.folder, m, c)));
        if (model !== m) return; // went back meanwhile
        qp.items = m.connections.map((c, i) => {
          const last = lastTestText(results, folder, m.name, c.name);
          const isCurrent = m.name === currentModel && c.name === currentConnection;
          return {
            label: c.name,
            iconPath: new vscode.ThemeIcon(!c.enabled ? 'circle-slash' : isCurrent ? 'check' : 'circle-large-outline'),
            description: [c.enabled ? 'enabled' : 'disabled', keys[i], last ? `last test ${last}` : 'not tested', isCurrent ? 'current' : undefined].filter(Boolean).join(' · '),
            detail: c.description,
            value: c,
          };
        });
        const active = qp.items.find((i) => i.label === currentConnection && m.name === currentModel) ?? qp.items.find((i) => (i.value as ConnectionInfo).enabled);
        if (active) qp.activeItems = [active];
        qp.busy = false;
      };
      qp.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) showModels();
      });
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (!item) return;
        if (!model) void showConnections(item.value as ModelInfo);
        else resolve({ model, connection: item.value as ConnectionInfo });
      });
      qp.onDidHide(() => resolve(undefined));
      showModels();
      qp.show();
    });
  } finally {
    qp.dispose();
  }
}

async function keyText(credentials: Credentials, folder: vscode.WorkspaceFolder, model: ModelInfo, connection: ConnectionInfo): Promise<string> {
  const status = await keyLookup(credentials)(folder, model, connection);
  return status === 'not-needed' ? 'no key needed' : status === 'present' ? 'key present' : status === 'missing' ? 'no key on this machine' : 'key status unknown';
}
