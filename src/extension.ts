/** Composition root: builds the services, wires them, and hands disposables to VS Code. */
import { moduleLoadStartedAt } from './activationClock';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { registerAgentCommands } from './agents/agentCommands';
import { registerAgentsCodeLens } from './views/agentsCodeLens';
import { AgentsTree, keyLookup, type AgentNode } from './views/agentsTree';
import { connectionUsers, describeUsers } from './agents/agentUsers';
import { Analyzer } from './manifest/analyzer';
import { registerCommands } from './commands/commands';
import { ConnectionTester } from './testing/connectionTester';
import { Credentials } from './credentials/credentials';
import { registerConnectionEditor } from './editor';
import { registerImportExportCommands } from './commands/importExportCommands';
import { registerLeakFix } from './credentials/leakFix';
import { forgetKeys, type Confirm, type ForgetScope } from './credentials/forgetKeys';
import { AgentsFiles, ManifestStore } from './manifest/manifestStore';
import { ModelsTree, type TreeNode } from './views/modelsTree';
import { TestResults } from './testing/testResults';
import { registerRuntime } from './runtime/runtimeCommands';
import { registerChatModels } from './chat/chatModels';
import { UsageStore } from './usage/usageStore';
import { openPanelData, registerUsageView } from './usage/usageCommands';

/** Every module of the bundle has been evaluated once this line runs. */
const modulesEvaluatedAt = performance.now();

export interface AgentConnectionsApi {
  store: ManifestStore;
  tree: ModelsTree;
  results: TestResults;
  /** Usage of the connections as chat models (workspace storage). */
  usage: UsageStore;
  /** What the open Connection Usage panel shows, or undefined when none is open. */
  usagePanelData: typeof openPanelData;
  credentials: Credentials;
  agents: AgentsFiles;
  agentsTree: AgentsTree;
  /** Labels and descriptions of the expanded Agents tree. */
  agentsSnapshot(): string[];
  /** Where the extension keeps state and logs (for the canary sweep in tests). */
  storagePaths: string[];
  /** Labels and descriptions of the expanded tree, for tests and diagnostics. */
  snapshot(): Promise<string[]>;
  /** What Forget Keys of This Workspace / Forget All Keys run, with the user's answer to the confirmation given (tests: the modal cannot be clicked). */
  forgetKeys(scope: ForgetScope, confirm: Confirm): Promise<number>;
  /** Settles when every folder's manifest has been read once (activation does not wait for it). */
  ready: Promise<void>;
  /** How activation went, measured by the extension itself (for `npm run bench`). */
  activation: ActivationFigures;
}

export interface ActivationFigures {
  /** Evaluating the modules of dist/extension.js (from the first to the last). */
  moduleEvalMs: number;
  /** What the extension host did between loading the file and calling `activate` (not ours). */
  hostWaitMs: number;
  /** The `activate` call itself, until it returned. */
  activateMs: number;
  /** Our own files in the module cache when `activate` returned, with their sizes. */
  loadedFiles: Array<{ file: string; bytes: number }>;
}

/** Our dist files that Node has loaded so far in this thread. */
function loadedDistFiles(distDir: string): ActivationFigures['loadedFiles'] {
  return Object.keys(require.cache)
    .filter((f) => f.startsWith(distDir + path.sep))
    .map((f) => ({ file: path.relative(distDir, f), bytes: fs.statSync(f).size }));
}

export function activate(context: vscode.ExtensionContext): AgentConnectionsApi {
  const activateStartedAt = performance.now();
  const log = vscode.window.createOutputChannel('Agent Connections', { log: true });
  const diagnostics = vscode.languages.createDiagnosticCollection('agentConnections');
  const analyzer = new Analyzer(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath, (m) => log.warn(m));
  const store = new ManifestStore(analyzer, diagnostics, log);
  const credentials = new Credentials(context);
  const agents = new AgentsFiles(analyzer, diagnostics, store, keyLookup(credentials));
  const results = new TestResults(context.workspaceState);
  const tester = new ConnectionTester(context, credentials, results, log);
  const usage = new UsageStore(context.workspaceState, log);
  const tree = new ModelsTree(store, credentials, context.workspaceState, results, tester, agents, usage);
  const view = vscode.window.createTreeView('agentConnections.models', { treeDataProvider: tree, showCollapseAll: true });
  const agentsTree = new AgentsTree(agents, store, results);
  const agentsView = vscode.window.createTreeView('agentConnections.agents', { treeDataProvider: agentsTree, showCollapseAll: true });
  context.subscriptions.push(agentsTree, agentsView, credentials.onDidChange(() => void agents.resolveAll()));
  registerAgentCommands({ context, store, agents, credentials, results, log });
  registerAgentsCodeLens({ context, store, agents, results });
  context.subscriptions.push(log, diagnostics, analyzer, store, agents, credentials, results, usage, tester, tree, view,
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()));
  registerCommands({ context, store, tree, credentials, log, tester, results, agentsUsing: (folder, model, connection) => describeUsers(connectionUsers(agents, folder, model, connection)) });
  registerConnectionEditor({ context, store, credentials, tester, results, log, agentUsers: (folder, model, connection) => connectionUsers(agents, folder, model, connection) });
  registerLeakFix({ context, store, agents, credentials, log });
  registerImportExportCommands({ context, store, credentials, log });
  registerRuntime({ context, store, agents, credentials, tester, log });
  registerChatModels(context, store, credentials, tester, log, usage);
  registerUsageView({ context, store, usage, log });
  context.subscriptions.push(store.onDidChange(() => {
    const errors = store.folders.reduce((n, f) => n + (f.analysis?.errorCount ?? 0), 0);
    view.badge = errors > 0 ? { value: errors, tooltip: `${errors} error${errors === 1 ? '' : 's'} in the manifest` } : undefined;
  }));

  // The first read runs in the worker; the tree waits for it (VS Code shows the view's
  // progress bar), activation does not.
  const ready = store.reloadAll();
  void ready.then(() => agents.scanAll(), (e: unknown) => log.error(`could not read the manifests: ${e instanceof Error ? e.message : String(e)}`));
  const activation: ActivationFigures = {
    moduleEvalMs: modulesEvaluatedAt - moduleLoadStartedAt,
    hostWaitMs: activateStartedAt - modulesEvaluatedAt,
    activateMs: 0,
    loadedFiles: loadedDistFiles(vscode.Uri.joinPath(context.extensionUri, 'dist').fsPath),
  };

  const api: AgentConnectionsApi = {
    ready,
    activation,
    store,
    tree,
    results,
    usage,
    usagePanelData: openPanelData,
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
    forgetKeys: (scope, confirm) => forgetKeys(credentials, log, scope, confirm),
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
  activation.activateMs = performance.now() - activateStartedAt;
  return api;
}

export function deactivate(): void {}
