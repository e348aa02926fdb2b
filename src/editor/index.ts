/** The connection editor's commands: Add Model, Add Connection, Edit Model…, Edit Connection…. */
import * as vscode from 'vscode';
import { registerCommand } from '../commands/commandWrapper';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import { connectionReference } from '../core/manifest/names';
import type { FolderManifest } from '../manifest/manifestStore';
import { ConnectionEditorPanel, EDITOR_VIEW_TYPE, type EditorDeps } from './connectionEditor';

export { ConnectionEditorPanel, type EditorDeps, type EditorTarget } from './connectionEditor';

export const EDITOR_COMMAND_IDS = [
  'agentConnections.addModel', 'agentConnections.addConnection', 'agentConnections.editModel', 'agentConnections.editConnection',
] as const;
export type EditorCommandId = (typeof EDITOR_COMMAND_IDS)[number];

/** Tree nodes as the Models view passes them (only the fields used here). */
interface ModelArg { kind: 'model'; state: FolderManifest; model: ModelInfo }
interface ConnectionArg { kind: 'connection'; state: FolderManifest; model: ModelInfo; connection: ConnectionInfo }
interface FolderArg { kind: 'folder'; state: FolderManifest }

function isNode<K extends string>(v: unknown, kind: K): v is { kind: K; state: FolderManifest } {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === kind && typeof (v as { state?: unknown }).state === 'object';
}

export function registerConnectionEditor(deps: EditorDeps): void {
  const { context, store, log } = deps;
  const register = (id: EditorCommandId, handler: (...args: never[]) => unknown) => registerCommand(context, log, id, handler);
  context.subscriptions.push(
    { dispose: () => ConnectionEditorPanel.open.forEach((p) => p.dispose()) },
    vscode.window.registerWebviewPanelSerializer(EDITOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => ConnectionEditorPanel.revive(deps, panel, state),
    }),
  );

  const pickFolder = async (): Promise<vscode.WorkspaceFolder | undefined> => {
    const folders = store.folders;
    if (folders.length === 0) throw new Error('Open a folder first: the manifest lives at the root of a workspace folder.');
    if (folders.length === 1) return folders[0].folder;
    return (await vscode.window.showQuickPick(folders.map((f) => ({ label: f.folder.name, description: f.exists ? undefined : 'no manifest yet', folder: f.folder })), { placeHolder: 'Add the model to which folder?' }))?.folder;
  };

  const pickModel = async (placeHolder: string): Promise<ModelArg | undefined> => {
    const items: Array<vscode.QuickPickItem & { node: ModelArg }> = [];
    for (const state of store.folders) for (const model of state.analysis?.models ?? []) items.push({ label: model.name, description: model.provider, detail: store.folders.length > 1 ? state.folder.name : undefined, node: { kind: 'model', state, model } });
    if (items.length === 0) throw new Error('There are no models in the manifest yet: Add Model first.');
    return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.node;
  };

  const pickConnection = async (): Promise<ConnectionArg | undefined> => {
    const items: Array<vscode.QuickPickItem & { node: ConnectionArg }> = [];
    for (const state of store.folders) {
      for (const model of state.analysis?.models ?? []) {
        for (const connection of model.connections) items.push({ label: connectionReference(model.name, connection.name), description: model.provider, detail: store.folders.length > 1 ? state.folder.name : undefined, node: { kind: 'connection', state, model, connection } });
      }
    }
    if (items.length === 0) throw new Error('There are no connections in the manifest yet.');
    return (await vscode.window.showQuickPick(items, { placeHolder: 'Edit which connection?', matchOnDescription: true }))?.node;
  };

  register('agentConnections.addModel', async (arg?: unknown) => {
    const folder = isNode<'folder'>(arg, 'folder') ? (arg as FolderArg).state.folder : await pickFolder();
    if (folder) ConnectionEditorPanel.createOrShow(deps, { mode: 'addModel', folder });
  });
  register('agentConnections.addConnection', async (arg?: unknown) => {
    const node = isNode<'model'>(arg, 'model') ? (arg as ModelArg) : await pickModel('Add a connection to which model?');
    if (node) ConnectionEditorPanel.createOrShow(deps, { mode: 'addConnection', folder: node.state.folder, model: node.model.name });
  });
  register('agentConnections.editModel', async (arg?: unknown) => {
    const node = isNode<'model'>(arg, 'model') ? (arg as ModelArg) : await pickModel('Edit which model?');
    if (node) ConnectionEditorPanel.createOrShow(deps, { mode: 'editModel', folder: node.state.folder, model: node.model.name });
  });
  register('agentConnections.editConnection', async (arg?: unknown) => {
    const node = isNode<'connection'>(arg, 'connection') ? (arg as ConnectionArg) : await pickConnection();
    if (node) ConnectionEditorPanel.createOrShow(deps, { mode: 'editConnection', folder: node.state.folder, model: node.model.name, connection: node.connection.name });
  });
}
