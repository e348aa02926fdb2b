/** Every command, registered in one place through one wrapper that reports errors clearly. */
import * as vscode from 'vscode';
import { registerCommand } from './commandWrapper';
import { applyManifestEdit, readUtf8 } from '../manifest/applyEdit';
import type { ModelInfo } from '../core/manifest/manifest';
import { connectionReference } from '../core/manifest/names';
import { core } from '../lazyCore';
import { keyMissing, targetOf, type ConnectionRef, type ConnectionTester } from '../testing/connectionTester';
import { credentialKindOf, needsCredential } from '../core/providers/targets';
import { keyOrigin, storeConnectionKey } from '../credentials/keyStore';
import { forgetKeys } from '../credentials/forgetKeys';
import { pickAzureCredential } from '../credentials/entraAccount';
import { entraLabel } from '../core/identity/entra';
import { pickAwsProfile } from '../credentials/awsProfilePick';
import type { TestResult } from '../core/providers';
import { credentialProblem } from '../core/secrets/redact';
import type { Credentials, StoredCredential } from '../credentials/credentials';
import { outcomeLabel } from '../views/modelsTree';
import type { TestResults } from '../testing/testResults';
import type { FolderManifest, ManifestStore } from '../manifest/manifestStore';
import type { ModelsTree, TreeNode } from '../views/modelsTree';
import { STARTER_MANIFEST } from './starter';

export const COMMAND_IDS = [
  'agentConnections.createManifest', 'agentConnections.openExample', 'agentConnections.refresh', 'agentConnections.revealInManifest',
  'agentConnections.toggleEnabled', 'agentConnections.enableConnection', 'agentConnections.disableConnection', 'agentConnections.deleteConnection',
  'agentConnections.deleteModel', 'agentConnections.copyReference', 'agentConnections.groupByLocation', 'agentConnections.ungroup',
  'agentConnections.openProblem', 'agentConnections.showLog',
  'agentConnections.testConnection', 'agentConnections.testModel', 'agentConnections.testAll',
  'agentConnections.setKey', 'agentConnections.replaceKey', 'agentConnections.removeKey',
  'agentConnections.forgetWorkspaceKeys', 'agentConnections.forgetAllKeys',
  // leakFix.ts and importExportCommands.ts
  'agentConnections.moveLeakedKey', 'agentConnections.importLiteLLM', 'agentConnections.importContinue', 'agentConnections.exportLiteLLM',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  tree: ModelsTree;
  credentials: Credentials;
  log: vscode.LogOutputChannel;
  tester: ConnectionTester;
  results: TestResults;
  /** Agents and supervisors using a connection (any of the model's without `connection`), as lines for warnings. */
  agentsUsing?: (folder: vscode.Uri, model: string, connection?: string) => string[];
}

type ConnectionNode = Extract<TreeNode, { kind: 'connection' }>;
type ModelNode = Extract<TreeNode, { kind: 'model' }>;

export function registerCommands(deps: Deps): void {
  const { context, store, tree, credentials, log, tester, results } = deps;
  const register = (id: CommandId, handler: (...args: never[]) => unknown) => registerCommand(context, log, id, handler);

  const requireTrust = () => {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: the manifest is read-only. Trust the workspace to change it.');
  };

  const afterEdit = async (state: FolderManifest) => store.reload(state.folder);
  const usedBy = (state: FolderManifest, model: string, connection?: string) => deps.agentsUsing?.(state.folder.uri, model, connection) ?? [];
  const usedByText = (users: string[]) => (users.length ? `\n\nUsed by:\n${users.map((u) => `• ${u}`).join('\n')}` : '');

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
    await applyManifestEdit(target.state.uri, (text) => core().setConnectionEnabled(text, { model: target.model.name, connection: target.connection.name }, enabled));
    log.info(`${enabled ? 'enabled' : 'disabled'} ${connectionReference(target.model.name, target.connection.name)} for inference`);
    await afterEdit(target.state);
    // Easy to undo, so the warning does not block: it lists the agents and offers to undo.
    const users = enabled ? [] : usedBy(target.state, target.model.name, target.connection.name);
    if (users.length > 0) {
      void vscode.window.showWarningMessage(`${connectionReference(target.model.name, target.connection.name)} is now disabled for inference, and agents use it: ${users.join('; ')}.`, 'Enable Again').then((c) => c && setEnabled(target, true));
    }
  };
  register('agentConnections.toggleEnabled', (node?: ConnectionNode) => setEnabled(node, 'toggle'));
  register('agentConnections.enableConnection', (node?: ConnectionNode) => setEnabled(node, true));
  register('agentConnections.disableConnection', (node?: ConnectionNode) => setEnabled(node, false));

  register('agentConnections.deleteConnection', async (node?: ConnectionNode) => {
    requireTrust();
    const target = node ?? (await pickConnection(store, 'Delete which connection?'));
    if (!target) return;
    await readUtf8(target.state.uri); // a file that cannot be edited is refused before asking
    const ref = connectionReference(target.model.name, target.connection.name);
    const last = target.model.connections.length === 1 ? ' It is the model’s only connection.' : '';
    const users = usedBy(target.state, target.model.name, target.connection.name);
    const ok = await vscode.window.showWarningMessage(`Delete connection “${ref}”?${users.length ? ' Agents use it.' : ''}`, { modal: true, detail: `It is removed from ${vscode.workspace.asRelativePath(target.state.uri)} and its key is removed from this machine’s SecretStorage.${last} Agents that reference it will report a problem.${usedByText(users)}` }, 'Delete');
    if (ok !== 'Delete') return;
    await applyManifestEdit(target.state.uri, (text) => core().deleteConnection(text, { model: target.model.name, connection: target.connection.name }));
    await credentials.forget(target.state.folder.uri, target.model.name, target.connection.name);
    await results.forget(target.state.folder.uri, target.model.name, target.connection.name);
    log.info(`deleted connection ${ref}`);
    await afterEdit(target.state);
  });

  register('agentConnections.deleteModel', async (node?: ModelNode) => {
    requireTrust();
    const target = node ?? (await pickModel(store, 'Delete which model?'));
    if (!target) return;
    await readUtf8(target.state.uri); // a file that cannot be edited is refused before asking
    const n = target.model.connections.length;
    const users = usedBy(target.state, target.model.name);
    const ok = await vscode.window.showWarningMessage(`Delete model “${target.model.name}” and its ${n} connection${n === 1 ? '' : 's'}?${users.length ? ' Agents use it.' : ''}`, { modal: true, detail: `It is removed from ${vscode.workspace.asRelativePath(target.state.uri)}, and the keys of its connections are removed from this machine’s SecretStorage.${usedByText(users)}` }, 'Delete');
    if (ok !== 'Delete') return;
    await applyManifestEdit(target.state.uri, (text) => core().deleteModel(text, target.model.name));
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

  const requireTrustForKeys = () => {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: no key is read and nothing is sent. Trust the workspace to test connections.');
  };

  register('agentConnections.testConnection', async (node?: ConnectionNode) => {
    requireTrustForKeys();
    const target = node ?? (await pickConnection(store, 'Test which connection?', results));
    if (!target) return;
    const result = await tester.testOne(target);
    reportResult(target, result);
    return result;
  });

  const testSeveral = async (refs: ConnectionRef[], title: string) => {
    const enabled = refs.filter((r) => r.connection.enabled);
    const skipped = refs.length - enabled.length;
    if (enabled.length === 0) {
      void vscode.window.showInformationMessage(refs.length === 0 ? 'There are no connections to test.' : `All ${refs.length} connection${refs.length === 1 ? ' is' : 's are'} disabled for inference; enable one to test it.`);
      return;
    }
    const outcome = await tester.testMany(enabled, title);
    const all = [...outcome.values()];
    const ok = all.filter((r) => r.outcome === 'ok').length;
    // A token or profile that gave nothing counts among the failed tests, with its outcome.
    const missing = [...outcome].filter(([, r]) => keyMissing(r)).map(([r]) => r);
    const failed = all.length - ok - missing.length;
    const byOutcome = new Map<string, number>();
    for (const r of all) if (r.outcome !== 'ok' && !keyMissing(r)) byOutcome.set(outcomeLabel(r.outcome), (byOutcome.get(outcomeLabel(r.outcome)) ?? 0) + 1);
    const failedText = `${failed} failed (${[...byOutcome].map(([label, n]) => `${n} ${label}`).join(', ')})`;
    const parts = [`${ok} ok`, failed ? failedText : '', missing.length ? `${missing.length} without a key on this machine` : '', skipped ? `${skipped} disabled, skipped` : '', all.length < enabled.length ? `${enabled.length - all.length} not tested (cancelled)` : ''].filter(Boolean);
    const message = `Tested ${all.length} connection${all.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
    log.info(message);
    const actions = [...(missing.length ? ['Set Key…'] : []), 'Show Log'];
    void (failed || missing.length ? vscode.window.showWarningMessage(message, ...actions) : vscode.window.showInformationMessage(message, 'Show Log')).then(async (choice) => {
      if (choice === 'Show Log') log.show();
      if (choice === 'Set Key…') {
        const pick = await vscode.window.showQuickPick(missing.map((r) => ({ label: connectionReference(r.model.name, r.connection.name), ref: r })), { placeHolder: 'Set the key of which connection?' });
        if (pick) await setKey(pick.ref, false);
      }
    });
    return outcome;
  };

  register('agentConnections.testModel', async (node?: ModelNode) => {
    requireTrustForKeys();
    const target = node ?? (await pickModel(store, 'Test the connections of which model?'));
    if (!target) return;
    return testSeveral(target.model.connections.map((connection) => ({ state: target.state, model: target.model, connection })), `Testing ${target.model.name}`);
  });

  register('agentConnections.testAll', async () => {
    requireTrustForKeys();
    const refs: ConnectionRef[] = [];
    for (const state of store.folders) for (const model of state.analysis?.models ?? []) for (const connection of model.connections) refs.push({ state, model, connection });
    return testSeveral(refs, 'Testing connections');
  });

  /** Notifications are not awaited: the command finishes when the test does, not when the toast is dismissed. */
  const reportResult = (r: ConnectionRef, result: TestResult) => {
    const ref = connectionReference(r.model.name, r.connection.name);
    if (result.outcome === 'ok') {
      void vscode.window.showInformationMessage(`${ref}: connection works (${result.latencyMs} ms).`);
      return;
    }
    if (result.outcome === 'missing_credentials') {
      // An Entra ID identity that gave no token says why (az not signed in …) instead.
      const text = keyMissing(result) ? `No key is stored on this machine for ${ref}.` : `${ref}: ${result.message} ${result.hint}`;
      void vscode.window.showWarningMessage(text, 'Set Key…').then((c) => c && setKey(r, !keyMissing(result)));
      return;
    }
    const keyAction = result.outcome === 'auth_failed' ? ['Replace Key…'] : [];
    void vscode.window.showWarningMessage(`${ref}: ${outcomeLabel(result.outcome)}${result.status ? ` (HTTP ${result.status})` : ''}. ${result.hint}`, ...keyAction, 'Show Log').then((choice) => {
      if (choice === 'Show Log') log.show();
      if (choice === 'Replace Key…') return setKey(r, true);
    });
  };

  const setKey = async (r: ConnectionRef, replacing: boolean) => {
    requireTrustForKeys();
    const target = targetOf(r);
    const ref = connectionReference(r.model.name, r.connection.name);
    if (!needsCredential(target)) {
      void vscode.window.showInformationMessage(`${ref} sends no key (authHeader: none), so there is nothing to store.`);
      return;
    }
    const origin = keyOrigin(r);
    const ask = (prompt: string, opts: { optional?: boolean; password?: boolean; check?: (v: string) => string | undefined } = {}) => vscode.window.showInputBox({
      title: `${replacing ? 'Replace' : 'Set'} key · ${ref}`,
      prompt: `${prompt} It is kept in VS Code SecretStorage on this machine, for ${origin} only.`,
      password: opts.password ?? true,
      ignoreFocusOut: true,
      validateInput: (v) => (opts.optional && v === '' ? undefined : credentialProblem(v) ?? opts.check?.(v)),
    });
    let credential: StoredCredential['credential'];
    let bedrockKind: 'aws' | 'bedrockApiKey' | 'awsProfile' | undefined;
    let currentProfile: string | undefined;
    if (credentialKindOf(target) === 'aws') {
      // Which kind is the teammate's own choice; the manifest is the same for everyone. The current kind comes first.
      const stored = replacing ? (await credentials.get(r.state.folder.uri, r.model.name, r.connection.name))?.credential : undefined;
      const current = stored?.kind;
      if (stored?.kind === 'awsProfile') currentProfile = stored.profile;
      const kinds = [
        { label: 'Access keys', description: 'access key ID and secret key (and a session token), signed with SigV4', credentialKind: 'aws' as const },
        { label: 'Bedrock API key', description: 'sent as a bearer token (what AWS_BEARER_TOKEN_BEDROCK holds)', credentialKind: 'bedrockApiKey' as const },
        { label: 'AWS profile', description: 'a profile of ~/.aws/config (SSO, assume-role, credential_process …), resolved by the AWS SDK on every request', credentialKind: 'awsProfile' as const },
      ];
      const at = kinds.findIndex((k) => k.credentialKind === current);
      if (at > 0) kinds.unshift(...kinds.splice(at, 1));
      const picked = await vscode.window.showQuickPick(kinds, { title: `${replacing ? 'Replace' : 'Set'} key · ${ref}`, placeHolder: 'Which kind of credential do you use for Bedrock?', ignoreFocusOut: true });
      if (!picked) return;
      bedrockKind = picked.credentialKind;
    }
    // Azure OpenAI: an API key or a Microsoft Entra ID identity (entraAccount.ts); the current kind comes first.
    const azure = target.provider === 'azure-openai'
      ? await pickAzureCredential(`${replacing ? 'Replace' : 'Set'} key · ${ref}`, replacing ? (await credentials.get(r.state.folder.uri, r.model.name, r.connection.name))?.credential : undefined)
      : 'apiKey';
    if (azure === null) return;
    if (azure !== 'apiKey') {
      credential = azure;
    } else if (bedrockKind === 'awsProfile') {
      const profile = await pickAwsProfile(`${replacing ? 'Replace' : 'Set'} key · ${ref} · AWS profile (only the name is stored, for ${origin} only)`, currentProfile);
      if (profile === undefined) return;
      credential = { kind: 'awsProfile', profile };
    } else if (bedrockKind === 'bedrockApiKey') {
      const apiKey = await ask('Bedrock API Key: sent as Authorization: Bearer instead of a signature.');
      if (apiKey === undefined) return;
      credential = { kind: 'bedrockApiKey', apiKey };
    } else if (bedrockKind === 'aws') {
      const accessKeyId = await ask('Access Key: the AWS access key ID (AKIA… or ASIA…).', { password: false, check: (v) => (/^[A-Z0-9]{16,128}$/.test(v) ? undefined : 'An access key ID is 16–128 upper-case letters and digits, e.g. AKIA…') });
      if (accessKeyId === undefined) return;
      const secretAccessKey = await ask('Secret Key: the AWS secret access key.');
      if (secretAccessKey === undefined) return;
      const sessionToken = await ask('Session token, only for temporary credentials (ASIA…). Leave empty otherwise.', { optional: true });
      if (sessionToken === undefined) return;
      credential = { kind: 'aws', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    } else {
      const apiKey = await ask('API Key.');
      if (apiKey === undefined) return;
      credential = { kind: 'apiKey', apiKey };
    }
    await storeConnectionKey(credentials, r, credential, log, replacing ? 'replaced' : 'stored');
    const what = credential.kind === 'entraId' ? `${entraLabel(credential)} chosen` : credential.kind === 'awsProfile' ? `AWS profile ${credential.profile} chosen` : 'Key stored';
    void vscode.window.showInformationMessage(`${what} on this machine for ${ref}, for ${origin}.`, 'Test Connection').then((c) => {
      if (c) void vscode.commands.executeCommand('agentConnections.testConnection', { kind: 'connection', ...r, key: 'present' });
    });
  };

  register('agentConnections.setKey', async (node?: ConnectionNode) => {
    const target = node ?? (await pickConnection(store, 'Set the key of which connection?', results));
    if (target) await setKey(target, false);
  });
  register('agentConnections.replaceKey', async (node?: ConnectionNode) => {
    const target = node ?? (await pickConnection(store, 'Replace the key of which connection?', results));
    if (target) await setKey(target, true);
  });
  register('agentConnections.removeKey', async (node?: ConnectionNode) => {
    requireTrustForKeys();
    const target = node ?? (await pickConnection(store, 'Remove the key of which connection?', results));
    if (!target) return;
    const ref = connectionReference(target.model.name, target.connection.name);
    const ok = await vscode.window.showWarningMessage(`Remove the key of ${ref} from this machine?`, { modal: true, detail: 'Only this machine’s SecretStorage changes; the manifest and teammates’ keys are untouched.' }, 'Remove Key');
    if (ok !== 'Remove Key') return;
    await credentials.forget(target.state.folder.uri, target.model.name, target.connection.name);
    log.info(`removed the key of ${ref}`);
  });

  register('agentConnections.forgetWorkspaceKeys', () => forgetKeys(credentials, log, 'workspace'));
  register('agentConnections.forgetAllKeys', () => forgetKeys(credentials, log, 'all'));
}

interface Picked<T> extends vscode.QuickPickItem { node: T }

async function pickModel(store: ManifestStore, placeHolder: string): Promise<ModelNode | undefined> {
  const items: Picked<ModelNode>[] = [];
  for (const state of store.folders) for (const model of state.analysis?.models ?? []) items.push({ label: model.name, description: model.provider, detail: store.folders.length > 1 ? state.folder.name : undefined, node: { kind: 'model', state, model } });
  if (items.length === 0) throw new Error('There are no models in the manifest.');
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.node;
}

async function pickConnection(store: ManifestStore, placeHolder: string, results?: TestResults): Promise<ConnectionNode | undefined> {
  const items: Picked<ConnectionNode>[] = [];
  for (const state of store.folders) {
    for (const model of state.analysis?.models ?? ([] as ModelInfo[])) {
      for (const connection of model.connections) {
        const last = results?.get(state.folder.uri, model.name, connection.name)?.last;
        const lastText = last ? ` · last test ${outcomeLabel(last.outcome)}${last.outcome === 'ok' ? ` ${last.latencyMs} ms` : ''}` : '';
        items.push({ label: connectionReference(model.name, connection.name), description: `${model.provider ?? ''} · ${connection.enabled ? 'enabled' : 'disabled'}${lastText}`, detail: store.folders.length > 1 ? state.folder.name : undefined, node: { kind: 'connection', state, model, connection, key: 'unknown' } });
      }
    }
  }
  if (items.length === 0) throw new Error('There are no connections in the manifest.');
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.node;
}
