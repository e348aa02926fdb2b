/**
 * Which connection `run`, `env`, a terminal or a debug launch uses: an agent's (or
 * supervisor's) effective connection, or a `model/connection` reference. One pure
 * decision for the CLI and the extension; each words the outcome in its own way
 * (the CLI names files and exit codes, the editor the agents files of the workspace).
 * No I/O, no VS Code, no YAML: the callers read the files and resolve the assignments.
 */
import type { Assignment } from '../agents/assignments';
import { connectionReference } from '../manifest/names';
import type { ConnectionInfo, ModelInfo } from '../manifest/types';
import { closest } from '../yaml/text';

/** One agents file, resolved; `models` is its manifest's, undefined when there is none to read. */
export interface AgentsSource<F> {
  file: F;
  assignments: readonly Assignment[];
  models: readonly ModelInfo[] | undefined;
}

/** One manifest's models; `manifest` is the caller's handle on it (a path, a folder's state). */
export interface ManifestSource<M> {
  manifest: M;
  models: readonly ModelInfo[];
}

/** A connection that may be used (enabled, in the manifest). */
export interface Selected {
  model: ModelInfo;
  connection: ConnectionInfo;
  /** `model/connection`. */
  reference: string;
}

/** The outcome for one definition: its effective connection, or why there is none to use. */
export type AssignmentOutcome =
  | ({ ok: true; inheritedFrom?: string } & Selected)
  /** No connection of its own and none inherited (`assignment.inCycle`, `.chain` say why). */
  | { ok: false; problem: 'no-connection' }
  /**
   * The reference it uses is not a connection of the manifest: not `model/connection`
   * (`invalid`), an unknown model or connection, or no manifest (`no-manifest`).
   * `model` is set when the model exists; `guess` is the nearest reference.
   */
  | { ok: false; problem: 'not-in-manifest'; reference: string; inheritedFrom?: string; why: 'invalid' | 'unknown-model' | 'unknown-connection' | 'no-manifest'; model?: ModelInfo; guess?: string }
  /** In the manifest, but disabled for inference. */
  | ({ ok: false; problem: 'disabled'; inheritedFrom?: string } & Selected);

export type AgentOutcome<F> =
  | ({ file: F; assignment: Assignment } & AssignmentOutcome)
  /** No definition has that name; `guess` is the nearest name. */
  | { ok: false; problem: 'unknown-agent'; guess?: string }
  /** Defined in more than one agents file: `files` in search order, each once. */
  | { ok: false; problem: 'ambiguous'; files: F[] };

export type ReferenceOutcome<M> =
  | ({ ok: true; manifest: M } & Selected)
  /** Not `model/connection` with both parts non-empty; `guess` is the nearest reference. */
  | { ok: false; problem: 'invalid-reference'; guess?: string }
  /** No such connection in any of the manifests; `guess` is the nearest reference. */
  | { ok: false; problem: 'unknown-reference'; guess?: string }
  | ({ ok: false; problem: 'disabled'; manifest: M } & Selected);

/** Definitions read without a `name:` are shown as `(agent 2)`: not names to select by. */
function isPlaceholder(name: string): boolean {
  return /^\((agent|supervisor) \d+\)$/.test(name);
}

/** `model/connection`: exactly one slash, both parts non-empty. */
export function isReference(spec: string): boolean {
  return /^[^/]+\/[^/]+$/.test(spec);
}

function references(models: readonly ModelInfo[]): string[] {
  return models.flatMap((m) => m.connections.map((c) => connectionReference(m.name, c.name)));
}

/** The effective connection of a definition against its manifest's models. */
export function assignmentConnection(a: Assignment, models: readonly ModelInfo[] | undefined): AssignmentOutcome {
  const e = a.effective;
  if (!e) return { ok: false, problem: 'no-connection' };
  const inheritedFrom = e.inheritedFrom;
  const model = models?.find((m) => m.name === e.model);
  const connection = model?.connections.find((c) => c.name === e.connection);
  if (!models || e.status === 'invalid' || !model || !connection) {
    const why = !models ? 'no-manifest' : e.status === 'invalid' ? 'invalid' : model ? 'unknown-connection' : 'unknown-model';
    const guess = models ? closest(e.reference, references(models)) : undefined;
    return { ok: false, problem: 'not-in-manifest', reference: e.reference, inheritedFrom, why, model, guess };
  }
  const selected = { model, connection, reference: connectionReference(model.name, connection.name) };
  return connection.enabled ? { ok: true, inheritedFrom, ...selected } : { ok: false, problem: 'disabled', inheritedFrom, ...selected };
}

/**
 * The agent or supervisor named `name` in the sources, and its effective connection.
 * A name defined twice in one file is that file's error (reported there); the first
 * definition is the one its supervisors resolve to, so it is the one used here too.
 */
export function selectAgent<F>(name: string, sources: Iterable<AgentsSource<F>>): AgentOutcome<F> {
  const names = new Set<string>();
  const found: Array<{ source: AgentsSource<F>; assignment: Assignment }> = [];
  for (const source of sources) {
    let inThisFile = false;
    for (const a of source.assignments) {
      if (isPlaceholder(a.name)) continue;
      names.add(a.name);
      if (a.name === name && !inThisFile) {
        found.push({ source, assignment: a });
        inThisFile = true;
      }
    }
  }
  if (found.length === 0) return { ok: false, problem: 'unknown-agent', guess: closest(name, [...names]) };
  if (found.length > 1) return { ok: false, problem: 'ambiguous', files: found.map((f) => f.source.file) };
  const { source, assignment } = found[0];
  return { file: source.file, assignment, ...assignmentConnection(assignment, source.models) };
}

/** The connection `model/connection` in the first manifest that has it. */
export function selectReference<M>(reference: string, sources: Iterable<ManifestSource<M>>): ReferenceOutcome<M> {
  const valid = isReference(reference);
  const all: string[] = [];
  for (const { manifest, models } of sources) {
    for (const model of models) {
      for (const connection of model.connections) {
        const ref = connectionReference(model.name, connection.name);
        if (!valid || ref !== reference) {
          all.push(ref);
          continue;
        }
        const selected = { manifest, model, connection, reference: ref };
        return connection.enabled ? { ok: true, ...selected } : { ok: false, problem: 'disabled', ...selected };
      }
    }
  }
  return { ok: false, problem: valid ? 'unknown-reference' : 'invalid-reference', guess: closest(reference, all) };
}
