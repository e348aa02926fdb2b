/**
 * Which connection each agent ends up with, and why. An agent's effective connection
 * is its own `connection`, else the one of the supervisor that lists it (walking up
 * through supervisors listed by other supervisors), else none.
 *
 * Agents and supervisors share one namespace per agents file: a supervisor's
 * `agents:` list names agents or other supervisors of the same file. The checks that
 * need only the file (several supervisors, unknown names, cycles, duplicates) run in
 * `analyzeAgents`; the ones that need the manifest (unknown or disabled connections,
 * agents left without one, keys missing on this machine) run in `resolveAssignments`,
 * which is cheap enough to run again whenever the manifest or a key changes.
 * Plain Node: no VS Code, no secrets (key status comes in as a callback).
 */
import type { AgentRef, AgentsAnalysis, SupervisorInfo } from './types';
import type { ConnectionInfo, ModelInfo, Span } from '../manifest/manifest';
import { MAX_PROBLEMS, type Problem } from '../yaml/problems';
import { closest, LineIndex, quote } from '../yaml/text';
import type { ProblemList } from '../yaml/yamlLoad';

export type AgentKind = 'agent' | 'supervisor';

/** Supervisors named in an explanation at most (a hostile file may nest thousands). */
const MAX_CHAIN = 32;

/** `model/connection`: exactly one slash, both parts non-empty. */
export function parseReference(ref: string): { model: string; connection: string } | undefined {
  const m = /^([^/]+)\/([^/]+)$/.exec(ref);
  return m ? { model: m[1], connection: m[2] } : undefined;
}

/** One definition in an agents file, in file order. */
export interface AgentEntry {
  kind: AgentKind;
  def: AgentRef;
  /** The supervisors listing it, in file order (more than one is a problem; the first wins). */
  supervisors: SupervisorInfo[];
}

/** Names read from the file without a `name:` are shown as `(agent 2)`: not real names. */
/**
 * "Did you mean" hints per file: each compares a name with every name of the file (or the
 * manifest), so a file with thousands of unknown names would take quadratic time.
 */
const MAX_HINTS = 20;

function isPlaceholder(name: string): boolean {
  return /^\((agent|supervisor) \d+\)$/.test(name);
}

interface Structure {
  entries: AgentEntry[];
  byName: Map<string, AgentEntry>;
}

function structureOf(supervisors: readonly SupervisorInfo[], agents: readonly AgentRef[]): Structure {
  const entries: AgentEntry[] = [
    ...supervisors.map((def) => ({ kind: 'supervisor' as const, def, supervisors: [] as SupervisorInfo[] })),
    ...agents.map((def) => ({ kind: 'agent' as const, def, supervisors: [] as SupervisorInfo[] })),
  ].sort((a, b) => a.def.span.start - b.def.span.start);
  const byName = new Map<string, AgentEntry>();
  for (const e of entries) if (!byName.has(e.def.name)) byName.set(e.def.name, e);
  for (const s of supervisors) {
    for (const name of new Set(s.agents)) {
      const child = byName.get(name);
      // Each supervisor comes once and its names are deduplicated: no need to search the list.
      if (child) child.supervisors.push(s);
    }
  }
  return { entries, byName };
}

/**
 * Problems of an agents file's structure, at the exact list entry or name:
 * duplicate names (agents and supervisors share names), a supervisor listing an
 * unknown name, an agent under two supervisors, and supervisors that list each other.
 */
export function checkAgentsStructure(supervisors: readonly SupervisorInfo[], agents: readonly AgentRef[], problems: ProblemList): void {
  const { entries, byName } = structureOf(supervisors, agents);
  const line = (span: Span) => problems.index.positionAt(span.start).line + 1;

  for (const e of entries) {
    const first = byName.get(e.def.name)!;
    if (first === e || isPlaceholder(e.def.name)) continue;
    const message = first.kind === e.kind
      ? `Another ${e.kind} is already named ${quote(e.def.name)} (line ${line(first.def.nameSpan)}); names must be unique.`
      : `A ${first.kind} is already named ${quote(e.def.name)} (line ${line(first.def.nameSpan)}); agents and supervisors share names, because a supervisor's \`agents:\` list can name either.`;
    problems.add('duplicate-name', 'error', message, e.def.nameSpan.start, e.def.nameSpan.end);
  }

  const names = [...byName.keys()].filter((n) => !isPlaceholder(n));
  let hints = 0;
  for (const s of supervisors) {
    const listed = new Set<string>();
    s.agents.forEach((name, i) => {
      const at = s.agentSpans[i] ?? s.nameSpan;
      if (listed.has(name)) return; // the schema reports a name listed twice
      listed.add(name);
      const child = byName.get(name);
      if (!child) {
        if (problems.items.length >= MAX_PROBLEMS) return;
        const hint = hints++ < MAX_HINTS ? closest(name, names) : undefined;
        problems.add('unknown-agent', 'error', `Supervisor ${quote(s.name)} lists ${quote(name)}, but no agent or supervisor in this file has that name.${hint ? ` Did you mean ${quote(hint)}?` : ''}`, at.start, at.end);
        return;
      }
      const owner = child.supervisors[0];
      if (owner && owner !== s) {
        problems.add('several-supervisors', 'error', `${quote(name)} is already under supervisor ${quote(owner.name)} (line ${line(owner.nameSpan)}); an agent can have only one supervisor, or the connection it inherits would be ambiguous.`, at.start, at.end);
      }
    });
  }

  // Supervisors listing each other: report each edge that closes a cycle, once.
  // Iterative depth-first search: a hostile file may nest thousands of supervisors.
  const state = new Map<SupervisorInfo, 'open' | 'done'>();
  /** Where each open supervisor is on the stack (a cycle's members are read from there). */
  const depthOf = new Map<SupervisorInfo, number>();
  const supervisorAt = (s: SupervisorInfo, i: number) => {
    const child = byName.get(s.agents[i]);
    return child?.kind === 'supervisor' ? (child.def as SupervisorInfo) : undefined;
  };
  for (const root of supervisors) {
    if (state.has(root) || byName.get(root.name)?.def !== root) continue;
    const stack: Array<{ s: SupervisorInfo; i: number }> = [{ s: root, i: 0 }];
    state.set(root, 'open');
    depthOf.set(root, 0);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i >= top.s.agents.length) {
        state.set(top.s, 'done');
        depthOf.delete(top.s);
        stack.pop();
        continue;
      }
      const i = top.i++;
      const next = supervisorAt(top.s, i);
      if (!next) continue;
      if (state.get(next) === 'open') {
        if (problems.items.length >= MAX_PROBLEMS) continue;
        // The stack from `next` up, then `next` again; a long cycle is named by its ends only.
        const from = depthOf.get(next)!;
        const count = stack.length - from + 1;
        const member = (k: number) => quote((k < count - 1 ? stack[from + k].s : next).name);
        const cycle = count > 8
          ? [member(0), member(1), member(2), member(3), '…', member(count - 3), member(count - 2), member(count - 1)].join(' → ')
          : Array.from({ length: count }, (_, k) => member(k)).join(' → ');
        const at = top.s.agentSpans[i] ?? top.s.nameSpan;
        problems.add('supervisor-cycle', 'error', `Supervisors list each other in a cycle: ${cycle}. A supervisor cannot be under itself; remove one of these entries.`, at.start, at.end);
      } else if (!state.has(next)) {
        state.set(next, 'open');
        depthOf.set(next, stack.length);
        stack.push({ s: next, i: 0 });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Resolution against the manifest

/** Whether this machine has the key of a connection (`not-needed`: it sends none). */
export type KeyState = 'present' | 'missing' | 'unknown' | 'not-needed';

export type ReferenceStatus =
  /** The connection exists and is enabled for inference. */
  | 'ok'
  | 'disabled'
  | 'unknown-model'
  | 'unknown-connection'
  /** Not `model/connection` (reported by the file's own analysis). */
  | 'invalid'
  /** No manifest to check against (missing, or with YAML errors). */
  | 'unchecked';

export interface EffectiveConnection {
  /** `model/connection` as written where it comes from. */
  reference: string;
  model?: string;
  connection?: string;
  /** The supervisor it is inherited from; undefined when the definition sets its own. */
  inheritedFrom?: string;
  /** Every supervisor walked through, nearest first (the last one set the connection). */
  chain: string[];
  status: ReferenceStatus;
  /** Only for `ok` and `disabled` references, when a key lookup was given. */
  key?: KeyState;
}

export interface Assignment {
  kind: AgentKind;
  name: string;
  def: AgentRef;
  /** The supervisor it inherits from (the first that lists it). */
  supervisor?: string;
  /** Names listed under it (supervisors only). */
  children: string[];
  /** Its own `connection`, as written. */
  own?: string;
  effective?: EffectiveConnection;
  /** The supervisors walked through to find the connection, nearest first. */
  chain: string[];
  /** Its supervisors list each other in a cycle: nothing is inherited through it. */
  inCycle: boolean;
}

export interface Resolution {
  assignments: Assignment[];
  /** Problems that need the manifest (the file's own problems are in its analysis). */
  problems: Problem[];
}

export interface ResolveOptions {
  /** Key status of a connection on this machine; the `no-key` information is reported only with it. */
  keyStatus?: (model: string, connection: string) => KeyState | undefined;
}

/** Models by name, and each model's connections by name (the first of a name, as a search would find). */
type ModelLookup = Map<string, { model: ModelInfo; connections?: Map<string, ConnectionInfo> }>;

function modelLookup(models: readonly ModelInfo[]): ModelLookup {
  const byName: ModelLookup = new Map();
  for (const m of models) if (!byName.has(m.name)) byName.set(m.name, { model: m });
  return byName;
}

function referenceStatus(reference: string, models: readonly ModelInfo[] | undefined, lookup?: ModelLookup): { status: ReferenceStatus; model?: ModelInfo; connection?: ConnectionInfo } {
  const ref = parseReference(reference);
  if (!ref) return { status: 'invalid' };
  if (!models) return { status: 'unchecked' };
  const entry = (lookup ?? modelLookup(models)).get(ref.model);
  if (!entry) return { status: 'unknown-model' };
  const model = entry.model;
  if (!entry.connections) {
    entry.connections = new Map();
    for (const c of model.connections) if (!entry.connections.has(c.name)) entry.connections.set(c.name, c);
  }
  const connection = entry.connections.get(ref.connection);
  if (!connection) return { status: 'unknown-connection', model };
  return { status: connection.enabled ? 'ok' : 'disabled', model, connection };
}

/**
 * Where the model and connection parts of a reference sit in the text. Exact for plain
 * and simply quoted scalars; for anything with escapes, the whole scalar.
 */
function referenceParts(text: string, span: Span, reference: string): { model: Span; connection: Span } {
  const raw = text.slice(span.start, span.end);
  const offset = raw === reference ? 0 : (raw[0] === '"' || raw[0] === "'") && raw.slice(1, 1 + reference.length) === reference && !reference.includes(raw[0]) && !reference.includes('\\') ? 1 : -1;
  const slash = reference.indexOf('/');
  if (offset < 0 || slash < 0) return { model: span, connection: span };
  const start = span.start + offset;
  return { model: { start, end: start + slash }, connection: { start: start + slash + 1, end: start + reference.length } };
}

function list(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map((n) => quote(n)).join(', ');
  return names.length > max ? `${shown} …` : shown;
}

/**
 * Resolves every agent's and supervisor's effective connection and reports what the
 * manifest says about the references: `models` undefined means there is no manifest
 * to check against (references are then `unchecked`, and only `no-connection` is reported).
 */
export function resolveAssignments(text: string, analysis: Pick<AgentsAnalysis, 'supervisors' | 'agents'>, models?: readonly ModelInfo[], options: ResolveOptions = {}): Resolution {
  const index = new LineIndex(text);
  const problems: Problem[] = [];
  const add = (code: string, severity: Problem['severity'], message: string, span: Span) => {
    if (problems.length >= MAX_PROBLEMS) return;
    problems.push({ code, severity, message, start: span.start, end: span.end, range: index.range(span.start, span.end) });
  };
  const { entries, byName } = structureOf(analysis.supervisors, analysis.agents);
  const lookup = models && modelLookup(models);
  let hints = 0;

  // Each written reference is checked once, where it is written.
  const checked = new Map<AgentRef, ReturnType<typeof referenceStatus>>();
  for (const e of entries) {
    const reference = e.def.connection;
    if (reference === undefined) continue;
    const result = referenceStatus(reference, models, lookup);
    checked.set(e.def, result);
    const span = e.def.connectionSpan ?? e.def.nameSpan;
    const parts = referenceParts(text, span, reference);
    const ref = parseReference(reference);
    if (!ref || !models) continue;
    const who = `${e.kind === 'agent' ? 'Agent' : 'Supervisor'} ${quote(e.def.name)}`;
    if (problems.length >= MAX_PROBLEMS) continue;
    if (result.status === 'unknown-model') {
      const hint = hints++ < MAX_HINTS ? closest(ref.model, models.map((m) => m.name)) : undefined;
      const full = hint && lookup!.get(hint)?.model.connections.some((c) => c.name === ref.connection) ? `${hint}/${ref.connection}` : hint;
      add('unknown-model', 'error', `${who} uses ${quote(reference)}, but the manifest has no model named ${quote(ref.model)}.${full ? ` Did you mean ${quote(full)}?` : ''}`, parts.model);
    } else if (result.status === 'unknown-connection') {
      const names = result.model!.connections.map((c) => c.name);
      const hint = hints++ < MAX_HINTS ? closest(ref.connection, names) : undefined;
      const has = names.length === 0 ? 'it has no connections yet' : `its connections are ${list(names)}`;
      add('unknown-connection', 'error', `Model ${quote(ref.model)} has no connection named ${quote(ref.connection)} (${has}).${hint ? ` Did you mean ${quote(`${ref.model}/${hint}`)}?` : ''}`, parts.connection);
    } else if (result.status === 'disabled') {
      add('connection-disabled', 'warning', `${quote(reference)} is disabled for inference in the manifest; enable it or assign another connection.`, span);
    } else if (result.status === 'ok' && options.keyStatus?.(ref.model, ref.connection) === 'missing') {
      add('no-key', 'information', `No key for ${quote(reference)} on this machine: set one from the Agent Connections view (Set Key…) to test or run this agent here.`, span);
    }
  }

  // Each definition inherits from the first supervisor listing it. Every definition is
  // walked once (results are reused), so deep or hostile nesting stays linear.
  interface Walk {
    effective?: EffectiveConnection;
    chain: string[];
    inCycle: boolean;
  }
  const parentOf = (x: AgentEntry): AgentEntry | undefined => {
    const p = x.supervisors[0];
    const n = p ? byName.get(p.name) : undefined;
    return n && n.def === p ? n : undefined;
  };
  const own = (x: AgentEntry): EffectiveConnection => {
    const reference = x.def.connection!;
    const c = checked.get(x.def)!;
    const ref = parseReference(reference);
    const key = ref && (c.status === 'ok' || c.status === 'disabled') ? options.keyStatus?.(ref.model, ref.connection) : undefined;
    return { reference, model: ref?.model, connection: ref?.connection, chain: [], status: c.status, key };
  };
  const below = (parent: AgentEntry, above: Walk): Walk => {
    const chain = [parent.def.name, ...above.chain].slice(0, MAX_CHAIN);
    const effective = above.effective ? { ...above.effective, inheritedFrom: above.effective.inheritedFrom ?? parent.def.name, chain } : undefined;
    return { effective, chain, inCycle: above.inCycle };
  };
  const walks = new Map<AgentEntry, Walk>();
  for (const e of entries) {
    const path: AgentEntry[] = [];
    const onPath = new Set<AgentEntry>();
    let at: AgentEntry | undefined = e;
    let top: Walk | undefined;
    while (at && !walks.has(at) && !onPath.has(at)) {
      path.push(at);
      onPath.add(at);
      if (at.def.connection !== undefined) {
        top = { effective: own(at), chain: [], inCycle: false };
        break;
      }
      at = parentOf(at);
    }
    if (at && onPath.has(at) && !top) {
      for (const x of path) walks.set(x, { chain: [], inCycle: true });
      continue;
    }
    // Down from the top of the path: the first entry was resolved above (own, known or none).
    let i = path.length - 1;
    if (top) walks.set(path[i--], top);
    else if (!at) walks.set(path[i--], { chain: [], inCycle: false });
    for (; i >= 0; i--) {
      const parent = parentOf(path[i])!;
      walks.set(path[i], below(parent, walks.get(parent)!));
    }
  }

  const assignments: Assignment[] = entries.map((e) => {
    const w = walks.get(e)!;
    return {
      kind: e.kind,
      name: e.def.name,
      def: e.def,
      supervisor: e.supervisors[0]?.name,
      children: e.kind === 'supervisor' ? [...new Set((e.def as SupervisorInfo).agents)] : [],
      own: e.def.connection,
      effective: w.effective,
      chain: w.chain,
      inCycle: w.inCycle,
    };
  });

  for (const a of assignments) {
    if (a.kind !== 'agent' || a.effective || isPlaceholder(a.name)) continue;
    const why = a.inCycle
      ? 'its supervisors list each other in a cycle, so nothing is inherited'
      : a.chain.length > 0
        ? `neither it nor supervisor ${a.chain.map((n) => quote(n)).join(' → ')} sets \`connection:\``
        : 'it sets no `connection:` and no supervisor lists it';
    add('no-connection', 'warning', `Agent ${quote(a.name)} has no connection: ${why}. Assign one (model/connection), here or on a supervisor.`, a.def.nameSpan);
  }
  return { assignments, problems };
}

/** The definitions whose effective connection is `model/connection`. */
export function usersOf(assignments: readonly Assignment[], model: string, connection: string): Assignment[] {
  return assignments.filter((a) => a.effective?.model === model && a.effective.connection === connection);
}

/**
 * The agents that would be left without a connection if `target` lost its own
 * `connection:` (itself included, when it is an agent).
 */
export function orphanedByClearing(assignments: readonly Assignment[], target: { kind: AgentKind; name: string }): Assignment[] {
  const self = assignments.find((a) => a.kind === target.kind && a.name === target.name);
  if (!self || self.own === undefined) return [];
  // What the target would inherit once its own connection is gone.
  const inherited = self.supervisor ? assignments.find((a) => a.kind === 'supervisor' && a.name === self.supervisor)?.effective : undefined;
  if (inherited && inherited.inheritedFrom !== self.name) return [];
  return assignments.filter((a) => a.kind === 'agent' && (a === self || (a.effective?.inheritedFrom === self.name && a.effective.reference === self.own)));
}

const STATUS_TEXT: Record<ReferenceStatus, string> = {
  ok: 'enabled',
  disabled: 'disabled',
  'unknown-model': 'unknown model',
  'unknown-connection': 'unknown connection',
  invalid: 'not model/connection',
  unchecked: 'not checked (no readable manifest)',
};

const KEY_TEXT: Record<KeyState, string | undefined> = {
  present: 'key present',
  missing: 'key missing',
  'not-needed': 'no key needed',
  unknown: undefined,
};

/**
 * One line that explains an effective connection, e.g.
 * `gpt-4o/prod-key-1 · inherited from triage · enabled · key present · last test ok 412 ms`.
 * `lastTest` is the outcome already worded (`ok 412 ms`, `auth failed`).
 */
export function explainAssignment(a: Assignment, lastTest?: string): string {
  const e = a.effective;
  if (!e) return a.inCycle ? 'no connection · supervisors in a cycle' : a.kind === 'agent' ? 'no connection' : 'no connection of its own';
  const reachable = e.status === 'ok' || e.status === 'disabled';
  return [
    e.reference,
    e.inheritedFrom === undefined ? 'assigned here' : `inherited from ${e.inheritedFrom}`,
    STATUS_TEXT[e.status],
    reachable && e.key ? KEY_TEXT[e.key] : undefined,
    reachable ? (lastTest ? `last test ${lastTest}` : 'not tested') : undefined,
  ].filter(Boolean).join(' · ');
}
