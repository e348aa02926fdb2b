/** Every command, registered in one place through one wrapper that reports errors clearly. */
import * as vscode from 'vscode';
import { applyManifestEdit } from './applyEdit';
import { deleteConnection, deleteModel, setConnectionEnabled } from './core/edit';
import { connectionReference, type ModelInfo } from './core/manifest';
import type { Credentials } from './credentials';
import type { FolderManifest, ManifestStore } from './manifestStore';
import type { ModelsTree, TreeNode } from './modelsTree';
import { STARTER_MANIFEST } from './starter';

export const COMMAND_IDS = [
  'agentConnections.createManifest', 'agentConnections.openExample', 'agentConnections.refresh', 'agentConnections.revealInManifest',
  'agentConnections.toggleEnabled', 'agentConnections.enableConnection', 'agentConnections.disableConnection', 'agentConnections.deleteConnection',
  'agentConnections.deleteModel', 'agentConnections.copyReference', 'agentConnections.groupByLocation', 'agentConnections.ungroup',
  'agentConnections.openProblem', 'agentConnections.showLog',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  tree: ModelsTree;
  credentials: Credentials;
  log: vscode.LogOutputChannel;
}

type ConnectionNode = Extract<TreeNode, { kind: 'connection' }>;
type ModelNode = Extract<TreeNode, { kind: 'model' }>;

export function registerCommands(deps: Deps): void {
  const { context, store, tree, credentials, log } = deps;
  const register = (id: CommandId, handler: (...args: never[]) => unknown) => {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(message);
      }
    }));
  };

  const requireTrust = () => {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: the manifest is read-only. Trust the workspace to change it.');
  };

  const afterEdit = async (state: FolderManifest) => store.reload(state.folder);

  register('agentConnections.refresh', async () => {
    await store.reloadAll();
    tree.refresh();
  });

  register('agentConnections.showLog', () => log.show());

  register('agentConnections.groupByLocation', () => tree.setGroupByLocation(true));
  register('agentConnections.ungroup', () => tree.setGroupByLocation(false));

  register('agentConnections.createManifest', async () => {
    requireTrust();
    const folders = store.folders;
    if (folders.length === 0) throw new Error('Open a folder first: the manifest lives at the root of a workspace folder.');
    const state = folders.length === 1 ? folders[0] : (await vscode.window.showQuickPick(folders.map((f) => ({ label: f.folder.name, description: f.exists ? 'has a manifest' : undefined, state: f })), { placeHolder: 'Create the manifest in which folder?' }))?.state;
    if (!state) return;
    const exists = await vscode.workspace.fs.stat(state.uri).then(() => true, () => false);
    if (!exists) {
      await vscode.workspace.fs.writeFile(state.uri, new TextEncoder().encode(STARTER_MANIFEST));
      log.info(`created ${vscode.workspace.asRelativePath(state.uri)}`);
    }
    await vscode.window.showTextDocument(state.uri);
    await store.reload(state.folder);
  });

  register('agentConnections.openExample', async () => {
    const uri = vscode.Uri.joinPath(context.extensionUri, 'examples', 'workspace', 'agent-connections.yaml');
    const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content });
    await vscode.window.showTextDocument(doc, { preview: true });
  });

  register('agentConnections.openProblem', async (node?: TreeNode) => {
    if (!node) return;
    const problem = node.kind === 'problem' ? node.problem : undefined;
    const editor = await vscode.window.showTextDocument(node.state.uri);
    if (problem) {
      const r = new vscode.Range(problem.range.start.line, problem.range.start.character, problem.range.end.line, problem.range.end.character);
      editor.selection = new vscode.Selection(r.start, r.end);
      editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
    await vscode.commands.executeCommand('workbench.actions.view.problems');
  });

  register('agentConnections.revealInManifest', async (node?: TreeNode) => {
    const target = node ?? (await pickConnection(store, 'Reveal which connection?'));
    if (!target || (target.kind !== 'model' && target.kind !== 'connection')) return;
    const span = target.kind === 'connection' ? target.connection.nameSpan : target.model.nameSpan;
    const doc = await vscode.workspace.openTextDocument(target.state.uri);
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    await vscode.window.showTextDocument(doc, { selection: range });
  });

  const setEnabled = async (node: ConnectionNode | undefined, value: boolean | 'toggle') => {
    requireTrust();
    const target = node ?? (await pickConnection(store, value === 'toggle' ? 'Toggle which connection for inference?' : value ? 'Enable which connection?' : 'Disable which connection?'));
    if (!target) return;
    const enabled = value === 'toggle' ? !target.connection.enabled : value;
    await applyManifestEdit(target.state.uri, (text) => setConnectionEnabled(text, { model: target.model.name, connection: target.connection.name }, enabled));
    log.info(`${enabled ? 'enabled' : 'disabled'} ${connectionReference(target.model.name, target.connection.name)} for inference`);
    await afterEdit(target.state);
  };
  register('agentConnections.toggleEnabled', (node?: ConnectionNode) => setEnabled(node, 'toggle'));
  register('agentConnections.enableConnection', (node?: ConnectionNode) => setEnabled(node, true));
  register('agentConnections.disableConnection', (node?: ConnectionNode) => setEnabled(node, false));

  register('agentConnections.deleteConnection', async (node?: ConnectionNode) => {
    requireTrust();
    const target = node ?? (await pickConnection(store, 'Delete which connection?'));
    if (!target) return;
    const ref = connectionReference(target.model.name, target.connection.name);
    const last = target.model.connections.length === 1 ? ' It is the model’s only connection.' : '';
    const ok = await vscode.window.showWarningMessage(`Delete connection “${ref}”?`, { modal: true, detail: `It is removed from ${vscode.workspace.asRelativePath(target.state.uri)} and its key is removed from this machine’s SecretStorage.${last} Agents that reference it will report a problem.` }, 'Delete');
    if (ok !== 'Delete') return;
    await applyManifestEdit(target.state.uri, (text) => deleteConnection(text, { model: target.model.name, connection: target.connection.name }));
    await credentials.forget(target.state.folder.uri, target.model.name, target.connection.name);
    log.info(`deleted connection ${ref}`);
    await afterEdit(target.state);
  });

  register('agentConnections.deleteModel', async (node?: ModelNode) => {
    requireTrust();
    const target = node ?? (await pickModel(store, 'Delete which model?'));
    if (!target) return;
    const n = target.model.connections.length;
    const ok = await vscode.window.showWarningMessage(`Delete model “${target.model.name}” and its ${n} connection${n === 1 ? '' : 's'}?`, { modal: true, detail: `It is removed from ${vscode.workspace.asRelativePath(target.state.uri)}, and the keys of its connections are removed from this machine’s SecretStorage.` }, 'Delete');
    if (ok !== 'Delete') return;
    await applyManifestEdit(target.state.uri, (text) => deleteModel(text, target.model.name));
    for (const c of target.model.connections) await credentials.forget(target.state.folder.uri, target.model.name, c.name);
    log.info(`deleted model ${target.model.name}`);
    await afterEdit(target.state);
  });

  register('agentConnections.copyReference', async (node?: ConnectionNode) => {
    const target = node ?? (await pickConnection(store, 'Copy the reference of which connection?'));
    if (!target) return;
    const ref = connectionReference(target.model.name, target.connection.name);
    await vscode.env.clipboard.writeText(ref);
    void vscode.window.setStatusBarMessage(`Copied ${ref}`, 3000);
  });
}

interface Picked<T> extends vscode.QuickPickItem { node: T }

async function pickModel(store: ManifestStore, placeHolder: string): Promise<ModelNode | undefined> {
  const items: Picked<ModelNode>[] = [];
  for (const state of store.folders) for (const model of state.analysis?.models ?? []) items.push({ label: model.name, description: model.provider, detail: store.folders.length > 1 ? state.folder.name : undefined, node: { kind: 'model', state, model } });
  if (items.length === 0) throw new Error('There are no models in the manifest.');
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.node;
}

async function pickConnection(store: ManifestStore, placeHolder: string): Promise<ConnectionNode | undefined> {
  const items: Picked<ConnectionNode>[] = [];
  for (const state of store.folders) {
    for (const model of state.analysis?.models ?? ([] as ModelInfo[])) {
      for (const connection of model.connections) {
        items.push({ label: connectionReference(model.name, connection.name), description: connection.enabled ? 'enabled' : 'disabled', detail: store.folders.length > 1 ? state.folder.name : undefined, node: { kind: 'connection', state, model, connection, key: 'unknown' } });
      }
    }
  }
  if (items.length === 0) throw new Error('There are no connections in the manifest.');
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.node;
}
