/** Composition root: builds the services, wires them, and hands disposables to VS Code. */
import * as vscode from 'vscode';
import { registerAgentCommands } from './agentCommands';
import { registerAgentsCodeLens } from './agentsCodeLens';
import { AgentsTree, connectionUsers, describeUsers, keyLookup, type AgentNode } from './agentsTree';
import { Analyzer } from './analyzer';
import { registerCommands } from './commands';
import { ConnectionTester } from './connectionTester';
import { Credentials } from './credentials';
import { registerConnectionEditor } from './editor';
import { AgentsFiles, ManifestStore } from './manifestStore';
import { ModelsTree, type TreeNode } from './modelsTree';
import { TestResults } from './testResults';

export interface AgentConnectionsApi {
  store: ManifestStore;
  tree: ModelsTree;
  results: TestResults;
  credentials: Credentials;
  agents: AgentsFiles;
  agentsTree: AgentsTree;
  /** Labels and descriptions of the expanded Agents tree. */
  agentsSnapshot(): string[];
  /** Where the extension keeps state and logs (for the canary sweep in tests). */
  storagePaths: string[];
  /** Labels and descriptions of the expanded tree, for tests and diagnostics. */
  snapshot(): Promise<string[]>;
}

export async function activate(context: vscode.ExtensionContext): Promise<AgentConnectionsApi> {
  const log = vscode.window.createOutputChannel('Agent Connections', { log: true });
  const diagnostics = vscode.languages.createDiagnosticCollection('agentConnections');
  const analyzer = new Analyzer(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath, (m) => log.warn(m));
  const store = new ManifestStore(analyzer, diagnostics, log);
  const credentials = new Credentials(context);
  const agents = new AgentsFiles(analyzer, diagnostics, store, keyLookup(credentials));
  const results = new TestResults(context.workspaceState);
  const tester = new ConnectionTester(context, credentials, results, log);
  const tree = new ModelsTree(store, credentials, context.workspaceState, results, tester);
  const view = vscode.window.createTreeView('agentConnections.models', { treeDataProvider: tree, showCollapseAll: true });
  const agentsTree = new AgentsTree(agents, store, results);
  const agentsView = vscode.window.createTreeView('agentConnections.agents', { treeDataProvider: agentsTree, showCollapseAll: true });
  context.subscriptions.push(agentsTree, agentsView, credentials.onDidChange(() => void agents.resolveAll()));
  registerAgentCommands({ context, store, agents, credentials, results, log });
  registerAgentsCodeLens({ context, store, agents, results });
  context.subscriptions.push(log, diagnostics, analyzer, store, agents, credentials, results, tester, tree, view,
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()));
  registerCommands({ context, store, tree, credentials, log, tester, results, agentsUsing: (folder, model, connection) => describeUsers(connectionUsers(agents, folder, model, connection)) });
  registerConnectionEditor({ context, store, credentials, tester, results, log });
  context.subscriptions.push(store.onDidChange(() => {
    const errors = store.folders.reduce((n, f) => n + (f.analysis?.errorCount ?? 0), 0);
    view.badge = errors > 0 ? { value: errors, tooltip: `${errors} error${errors === 1 ? '' : 's'} in the manifest` } : undefined;
  }));

  await store.reloadAll();
  void agents.scanAll();

  return {
    store,
    tree,
    results,
    credentials,
    agents,
    agentsTree,
    agentsSnapshot() {
      const lines: string[] = [];
      const walk = (node: AgentNode | undefined, depth: number) => {
        for (const child of agentsTree.getChildren(node)) {
          const item = agentsTree.getTreeItem(child);
          const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
          lines.push(`${'  '.repeat(depth)}${label}${item.description ? ` — ${String(item.description)}` : ''}`);
          walk(child, depth + 1);
        }
      };
      walk(undefined, 0);
      return lines;
    },
    storagePaths: [context.globalStorageUri, context.storageUri, context.logUri].filter((u): u is vscode.Uri => !!u).map((u) => u.fsPath),
    async snapshot() {
      const lines: string[] = [];
      const walk = async (node: TreeNode | undefined, depth: number) => {
        for (const child of await tree.getChildren(node)) {
          const item = tree.getTreeItem(child);
          const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
          lines.push(`${'  '.repeat(depth)}${label}${item.description ? ` — ${String(item.description)}` : ''}`);
          await walk(child, depth + 1);
        }
      };
      await walk(undefined, 0);
      return lines;
    },
  };
}

export function deactivate(): void {}
