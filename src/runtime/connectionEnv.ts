/**
 * An agent's effective connection (or a `model/connection`) as the environment
 * variables of core/runtime/runtimeEnv, for a terminal or a debug session: the key is
 * read from SecretStorage at that moment, and handed on only after the decision a test
 * takes (plain HTTP, origin binding; ConnectionTester.keyMayGo). Only the names are
 * ever shown or logged.
 */
import * as vscode from 'vscode';
import type { Assignment } from '../core/agents/assignments';
import type { ConnectionInfo, ModelInfo } from '../core/manifest/manifest';
import { connectionReference } from '../core/manifest/names';
import { isProviderId } from '../core/providers/catalog';
import { credentialKindsOf, needsCredential, targetBase } from '../core/providers/targets';
import { runtimeVariables, type RuntimeVariable } from '../core/runtime/runtimeEnv';
import { assignmentConnection, selectAgent, selectReference, type AssignmentOutcome } from '../core/runtime/selection';
import type { Credentials } from '../credentials/credentials';
import type { AgentsFileState, AgentsFiles, FolderManifest, ManifestStore } from '../manifest/manifestStore';
import { endpointOverrides, targetOf, type ConnectionRef, type ConnectionTester } from '../testing/connectionTester';

/** A refusal: the message says why and what to do, names no key, and nothing was handed on. */
export class RuntimeRefusal extends Error {}

export interface RuntimeSelection {
  ref: ConnectionRef;
  /** `model/connection`. */
  reference: string;
  /** The agent or supervisor asked for, and the supervisor it inherits from. */
  agent?: { kind: Assignment['kind']; name: string; inheritedFrom?: string };
}

function stateOf(store: ManifestStore, folder: vscode.Uri): FolderManifest | undefined {
  return store.folders.find((f) => f.folder.uri.toString() === folder.toString());
}

function who(a: Assignment): string {
  return `${a.kind === 'agent' ? 'Agent' : 'Supervisor'} “${a.name}”`;
}

/** The outcome of core/runtime/selection for a definition, worded for the editor. */
function selectionOf(store: ManifestStore, file: AgentsFileState, a: Assignment, out: AssignmentOutcome): RuntimeSelection {
  if (!out.ok && out.problem === 'no-connection') {
    throw new RuntimeRefusal(`${who(a)} has no connection: ${a.inCycle ? 'its supervisors list each other in a cycle' : 'neither it nor a supervisor sets connection:'}. Assign one first.`);
  }
  const from = out.inheritedFrom !== undefined ? ` (inherited from supervisor ${out.inheritedFrom})` : '';
  const state = stateOf(store, file.folder.uri);
  if (!out.ok && out.problem === 'not-in-manifest') throw new RuntimeRefusal(`${who(a)} uses ${out.reference}${from}, which is not a connection in the manifest.`);
  // Without the folder's manifest there are no models, so the outcome above was not-in-manifest.
  if (!state) throw new RuntimeRefusal(`${who(a)} uses ${out.reference}${from}, which is not a connection in the manifest.`);
  if (!out.ok) throw new RuntimeRefusal(`${who(a)} uses ${out.reference}${from}, which is disabled for inference in the manifest; enable it or assign another connection.`);
  return { ref: { state, model: out.model, connection: out.connection }, reference: out.reference, agent: { kind: a.kind, name: a.name, inheritedFrom: out.inheritedFrom } };
}

/** The effective connection of a definition, or a refusal saying why there is none to use. */
export function selectAssignment(store: ManifestStore, file: AgentsFileState, a: Assignment): RuntimeSelection {
  return selectionOf(store, file, a, assignmentConnection(a, stateOf(store, file.folder.uri)?.analysis?.models));
}

/** A connection of the manifest by reference, enabled. */
export function selectConnection(state: FolderManifest, model: ModelInfo, connection: ConnectionInfo): RuntimeSelection {
  const reference = connectionReference(model.name, connection.name);
  if (!connection.enabled) throw new RuntimeRefusal(`${reference} is disabled for inference in the manifest; enable it to use it.`);
  return { ref: { state, model, connection }, reference };
}

/**
 * `billing` (an agent or supervisor) or `gpt-4o/prod` (a connection), as a launch
 * configuration's `agentConnection` says it; `folder` narrows the search to its workspace folder.
 */
export function selectBySpec(store: ManifestStore, agents: AgentsFiles, spec: string, folder?: vscode.Uri): RuntimeSelection {
  const inFolder = (uri: vscode.Uri) => !folder || uri.toString() === folder.toString();
  if (spec.includes('/')) {
    const manifests = store.folders.filter((f) => inFolder(f.folder.uri)).map((state) => ({ manifest: state, models: state.analysis?.models ?? [] }));
    const out = selectReference(spec, manifests);
    if (out.ok || out.problem === 'disabled') return selectConnection(out.manifest, out.model, out.connection);
    throw new RuntimeRefusal(`No connection “${spec}” in the manifest${out.guess ? ` (did you mean ${out.guess}?)` : ''}.`);
  }
  const files = agents.all.filter((f) => inFolder(f.folder.uri))
    .map((file) => ({ file, assignments: file.resolution.assignments, models: stateOf(store, file.folder.uri)?.analysis?.models }));
  const out = selectAgent(spec, files);
  if (!('assignment' in out)) {
    if (out.problem === 'ambiguous') throw new RuntimeRefusal(`“${spec}” is defined ${out.files.length} times (${out.files.map((f) => vscode.workspace.asRelativePath(f.uri)).join(', ')}); use model/connection instead.`);
    throw new RuntimeRefusal(`No agent or supervisor named “${spec}” in the agents files${out.guess ? ` (did you mean ${out.guess}?)` : ''}. Use an agent's name or model/connection.`);
  }
  return selectionOf(store, out.file, out.assignment, out);
}

/**
 * The variables of the selection with their values, the key read now. Refuses in
 * Restricted Mode, without a key, with a key of the wrong kind, or when the user does
 * not confirm where the key would go (the same modals as Test Connection).
 */
export async function connectionVariables(sel: RuntimeSelection, credentials: Credentials, tester: ConnectionTester): Promise<RuntimeVariable[]> {
  if (!vscode.workspace.isTrusted) throw new RuntimeRefusal('This workspace is in Restricted Mode: no key is read and no connection is handed on.');
  const { ref, reference } = sel;
  const target = targetOf(ref);
  const endpoints = endpointOverrides();
  let base: string;
  try {
    base = targetBase(target, endpoints);
  } catch (err) {
    throw new RuntimeRefusal(`${reference}: ${err instanceof Error ? err.message : String(err)} Fix the connection in the manifest.`);
  }
  let credential;
  if (needsCredential(target)) {
    const stored = await credentials.get(ref.state.folder.uri, ref.model.name, ref.connection.name);
    if (!stored) throw new RuntimeRefusal(`No key on this machine for ${reference}: Set Key… on it in the Models view first.`);
    if (!credentialKindsOf(target).includes(stored.credential.kind)) throw new RuntimeRefusal(`The key stored for ${reference} is of another kind than ${target.provider} needs: Replace Key….`);
    const refused = await tester.keyMayGo(ref, stored, base);
    if (refused) throw new RuntimeRefusal(`${refused} The key of ${reference} was not handed on.`);
    credential = stored.credential;
  }
  return runtimeVariables({ target, credential, secretSource: () => 'SecretStorage', endpoints, env: process.env });
}

/** The names of the variables a connection would set (no key is read), or undefined when it has no valid target. */
export function variableNames(model: ModelInfo, connection: ConnectionInfo): string[] | undefined {
  if (!isProviderId(model.provider)) return undefined;
  const target = { provider: model.provider, modelName: model.name, connectionName: connection.name, model: model.model ?? '', settings: connection.settings };
  try {
    return runtimeVariables({ target, secretSource: () => 'SecretStorage', endpoints: endpointOverrides() }).map((v) => v.name);
  } catch {
    return undefined;
  }
}

/** The variable names of an assignment's effective connection, for the Agents view and the CodeLens. */
export function assignmentVariableNames(store: ManifestStore, file: AgentsFileState, a: Assignment): string[] | undefined {
  const e = a.effective;
  if (!e || (e.status !== 'ok' && e.status !== 'disabled')) return undefined;
  const model = stateOf(store, file.folder.uri)?.analysis?.models.find((m) => m.name === e.model);
  const connection = model?.connections.find((c) => c.name === e.connection);
  return model && connection ? variableNames(model, connection) : undefined;
}
