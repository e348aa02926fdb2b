/**
 * Using a connection in the editor: "Open Terminal with Connection…" (Agents view,
 * CodeLens, palette, and a connection of the Models view) starts one integrated
 * terminal whose environment holds the connection; a DebugConfigurationProvider
 * merges the same variables into a launch configuration that says
 * `"agentConnection": "billing"` (an agent or supervisor) or `"model/connection"`.
 * Only that terminal or debug session gets the key; nothing in Restricted Mode.
 */
import * as vscode from 'vscode';
import { registerCommand } from '../commands/commandWrapper';
import { find, isAgentNode, isLocation, pickTarget } from '../agents/agentCommands';
import { replacedVariables, type RuntimeVariable } from '../core/runtime/runtimeEnv';
import type { ProviderId } from '../core/providers/catalog';
import type { Credentials } from '../credentials/credentials';
import type { AgentsFiles, ManifestStore } from '../manifest/manifestStore';
import type { ConnectionTester } from '../testing/connectionTester';
import type { TreeNode } from '../views/modelsTree';
import { targetOf } from '../testing/connectionTester';
import { connectionVariables, RuntimeRefusal, selectAssignment, selectBySpec, selectConnection, type RuntimeSelection } from './connectionEnv';

export const RUNTIME_COMMAND_IDS = ['agentConnections.openTerminal', 'agentConnections.openConnectionTerminal'] as const;

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  agents: AgentsFiles;
  credentials: Credentials;
  tester: ConnectionTester;
  log: vscode.LogOutputChannel;
}

/** The launch configuration property this extension reads. */
export const AGENT_CONNECTION_PROPERTY = 'agentConnection';
/** The prefix of the CLI's credential variables: never passed on to a terminal either. */
const SOURCE_PREFIX = 'AGENT_CONNECTIONS__';
/** Debug types whose `env` removes a variable given as null (js-debug). */
const NULL_REMOVES = new Set(['node', 'pwa-node', 'node-terminal']);

function describe(sel: RuntimeSelection): string {
  return sel.agent ? `${sel.agent.kind} ${sel.agent.name} (${sel.reference}${sel.agent.inheritedFrom !== undefined ? `, inherited from ${sel.agent.inheritedFrom}` : ''})` : sel.reference;
}

/** The variables to remove from an inherited environment: other keys and endpoints, and the CLI's credential variables. */
function removedVariables(provider: ProviderId, vars: readonly RuntimeVariable[]): string[] {
  const set = new Set(vars.map((v) => v.name));
  const fromHost = Object.keys(process.env).filter((n) => n.toUpperCase().startsWith(SOURCE_PREFIX));
  return [...replacedVariables(provider), ...fromHost].filter((n) => !set.has(n));
}

export function registerRuntime(deps: Deps): void {
  const { context, store, agents, credentials, tester, log } = deps;

  const requireTrust = () => {
    if (!vscode.workspace.isTrusted) throw new RuntimeRefusal('This workspace is in Restricted Mode: no key is read and no terminal gets a connection. Trust the workspace first.');
  };

  const openTerminal = async (sel: RuntimeSelection): Promise<vscode.Terminal> => {
    const vars = await connectionVariables(sel, credentials, tester);
    const env: Record<string, string | null> = {};
    for (const name of removedVariables(targetOf(sel.ref).provider, vars)) env[name] = null;
    for (const v of vars) env[v.name] = v.value;
    const name = sel.agent ? `Agent: ${sel.agent.name} (${sel.reference})` : `Connection: ${sel.reference}`;
    const terminal = vscode.window.createTerminal({
      name,
      env,
      cwd: sel.ref.state.folder.uri,
      iconPath: new vscode.ThemeIcon(sel.agent ? 'robot' : 'plug'),
      // Never persisted or revived after a restart: its environment holds a key.
      isTransient: true,
    });
    terminal.show();
    log.info(`opened terminal "${name}" with ${describe(sel)}: ${vars.map((v) => v.name).join(', ')}`);
    return terminal;
  };

  registerCommand(context, log, 'agentConnections.openTerminal', async (arg?: unknown) => {
    requireTrust();
    let sel: RuntimeSelection;
    if (typeof arg === 'string') sel = selectBySpec(store, agents, arg);
    else {
      const target = isAgentNode(arg) ? find(agents, arg.file.uri, arg.assignment.kind, arg.assignment.name)
        : isLocation(arg) ? find(agents, vscode.Uri.parse(arg.uri), arg.kind, arg.name)
          : await pickTarget(agents, 'Open a terminal with the connection of which agent or supervisor?', (a) => a.effective !== undefined);
      if (!target) return undefined;
      sel = selectAssignment(store, target.file, target.assignment);
    }
    return openTerminal(sel);
  });

  registerCommand(context, log, 'agentConnections.openConnectionTerminal', async (arg?: unknown) => {
    requireTrust();
    const node = arg as Partial<Extract<TreeNode, { kind: 'connection' }>> | undefined;
    if (node?.kind !== 'connection' || !node.state || !node.model || !node.connection) {
      throw new Error('Open Terminal with This Connection works on a connection of the Models view.');
    }
    const { state, model, connection } = node;
    return openTerminal(selectConnection(state, model, connection));
  });

  const provider: vscode.DebugConfigurationProvider = {
    async resolveDebugConfigurationWithSubstitutedVariables(folder, config) {
      const spec: unknown = config[AGENT_CONNECTION_PROPERTY];
      // Restricted Mode: the configuration is passed on as it is, without any key.
      if (spec === undefined || !vscode.workspace.isTrusted) return config;
      try {
        if (typeof spec !== 'string' || !spec.trim()) throw new RuntimeRefusal(`"${AGENT_CONNECTION_PROPERTY}" takes an agent's name or model/connection, e.g. "billing" or "gpt-4o/prod".`);
        const sel = selectBySpec(store, agents, spec.trim(), folder?.uri);
        const vars = await connectionVariables(sel, credentials, tester);
        const own = (typeof config.env === 'object' && config.env !== null ? config.env : {}) as Record<string, string | null>;
        const env: Record<string, string | null> = { ...own };
        if (NULL_REMOVES.has(config.type)) {
          for (const name of removedVariables(targetOf(sel.ref).provider, vars)) if (!(name in own)) env[name] = null;
        }
        // The connection's variables win over the configuration's own: an `env` entry
        // must not send the key to another endpoint than the one it is bound to.
        const overridden = vars.filter((v) => v.name in own && own[v.name] !== v.value).map((v) => v.name);
        for (const v of vars) env[v.name] = v.value;
        log.info(`debug "${String(config.name)}" (${String(config.type)}) with ${describe(sel)}: ${vars.map((v) => v.name).join(', ')}${overridden.length ? `; replaced the configuration's own ${overridden.join(', ')}` : ''}`);
        return { ...config, env };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn(`debug "${String(config.name)}": not started: ${message}`);
        void vscode.window.showErrorMessage(`Debug “${String(config.name)}” was not started: ${message}`);
        // undefined cancels the launch.
        return undefined;
      }
    },
  };
  context.subscriptions.push(vscode.debug.registerDebugConfigurationProvider('*', provider));
}
