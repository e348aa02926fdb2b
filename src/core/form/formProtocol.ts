/**
 * The connection editor's one message protocol, webview ⇄ extension host.
 *
 * The webview sends requests that carry increasing ids; the host answers each with a
 * `reply` of the same id, and pushes notifications (`init`, `keyStatus`, `notice`). The
 * first request is `ready` (the handshake); the host answers it with the form state.
 *
 * Every inbound message is untrusted: `InboundGate` checks it against the exact shape
 * below before anything looks at it. Unknown types, extra or missing fields, wrong
 * types, oversized or too deeply nested messages, replayed ids, anything before `ready`
 * or after dispose is dropped and logged — by reason only, never with its content,
 * since a message may carry a typed key — and no handler runs.
 *
 * Messages carry ids and field values, never URLs or command names; the host never
 * sends a stored key (it only says whether one is stored).
 */
import { profileNameProblem } from '../aws/profileName';
import { credentialProblem } from '../secrets/redact';
import { isEntraSource, tenantProblem } from '../identity/entra';

export const PROTOCOL_VERSION = 1;
/** Serialized-size cap of one inbound message (JSON characters). */
export const MAX_MESSAGE_CHARS = 64 * 1024;
/** Nesting cap of one inbound message (the deepest valid one is 5 levels). */
export const MAX_MESSAGE_DEPTH = 6;
/** Longest value of an ordinary field; key material may be longer (8192, as `credentialProblem` allows). */
export const MAX_FIELD_CHARS = 2048;
export const MAX_SECRET_CHARS = 8192;
/** Advanced Properties rows (the schema allows 100 properties and 50 headers). */
export const MAX_ADVANCED_ROWS = 150;

/** Every field the form can hold. Secrets travel separately (`SecretDraft`). */
export const FIELD_IDS = [
  'modelName', 'integration', 'provider', 'model', 'modelDescription', 'location',
  'connectionName', 'enabled', 'connectionDescription',
  'deployment', 'endpoint', 'apiVersion', 'region',
  'baseUrl', 'apiFormat', 'authMode', 'authHeader',
] as const;
export type FieldId = (typeof FIELD_IDS)[number];
const BOOLEAN_FIELDS: ReadonlySet<FieldId> = new Set(['enabled']);

/** `entraSource`, `entraTenant` and `awsProfile` are no secrets, but like keys they are this machine's (Azure OpenAI: Microsoft Entra ID instead of a key; Bedrock: a profile name). */
export const SECRET_IDS = ['apiKey', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'bedrockApiKey', 'awsProfile', 'entraSource', 'entraTenant'] as const;
export type SecretId = (typeof SECRET_IDS)[number];
export type SecretDraft = Partial<Record<SecretId, string>>;

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

/**
 * Shape checks of typed key material, field id → message (never the value). Shared by
 * the host, which checks before storing, and the webview, which checks as you type
 * without sending anything.
 */
export function secretProblems(provider: string, secret: SecretDraft): Partial<Record<SecretId, string>> {
  const out: Partial<Record<SecretId, string>> = {};
  for (const id of SECRET_IDS) {
    const value = secret[id];
    if (!value) continue;
    const problem = credentialProblem(value);
    if (problem) out[id] = problem;
  }
  if (secret.entraSource) {
    if (provider !== 'azure-openai' || !isEntraSource(secret.entraSource)) out.entraSource = 'Microsoft Entra ID is for Azure OpenAI connections: choose Azure CLI, VS Code account, Environment or DefaultAzureCredential.';
    else if (secret.apiKey) out.apiKey = 'Signing in with Microsoft Entra ID: no API key is needed (choose API key to enter one).';
    if (secret.entraTenant?.trim()) out.entraTenant ??= tenantProblem(secret.entraTenant.trim());
  }
  if (provider === 'amazon-bedrock') {
    const { accessKeyId = '', secretAccessKey = '', sessionToken = '', bedrockApiKey = '' } = secret;
    if (bedrockApiKey && (accessKeyId || secretAccessKey || sessionToken)) out.bedrockApiKey ??= 'Enter either the access key pair or a Bedrock API key, not both.';
    const { awsProfile = '' } = secret;
    if (awsProfile && (accessKeyId || secretAccessKey || sessionToken || bedrockApiKey)) out.awsProfile ??= 'Enter one kind of credential: the access key pair, a Bedrock API key or an AWS profile.';
    const badProfile = awsProfile ? profileNameProblem(awsProfile) : undefined;
    if (badProfile) out.awsProfile ??= badProfile;
    if (accessKeyId && !out.accessKeyId && !ACCESS_KEY_ID.test(accessKeyId)) out.accessKeyId = 'An access key ID is 16–128 upper-case letters and digits, e.g. AKIA…';
    if ((accessKeyId || sessionToken) && !secretAccessKey) out.secretAccessKey ??= 'Enter the secret access key that goes with the access key.';
    if ((secretAccessKey || sessionToken) && !accessKeyId) out.accessKeyId ??= 'Enter the access key ID that goes with the secret key.';
  }
  return out;
}

export interface AdvancedRow {
  /** `header`: goes under `advancedProperties.headers`; `property`: a top-level string property. */
  kind: 'header' | 'property';
  name: string;
  value: string;
}

export interface Draft {
  fields: Partial<Record<FieldId, string | boolean>>;
  advanced: AdvancedRow[];
}

/** Actions the form can ask for besides validate/test/save; names of actions, not commands. */
export const FORM_ACTIONS = ['removeKey', 'delete', 'revealInManifest', 'addConnection', 'editModel', 'reload'] as const;
export type FormAction = (typeof FORM_ACTIONS)[number];

export type WebviewMessage =
  | { type: 'ready'; id: number; protocol: number }
  | { type: 'validate'; id: number; draft: Draft }
  | { type: 'test'; id: number; draft: Draft; secret: SecretDraft }
  | { type: 'save'; id: number; draft: Draft; secret: SecretDraft }
  | { type: 'action'; id: number; action: FormAction };
export type WebviewMessageType = WebviewMessage['type'];

// ----------------------------------------------------------------------------------
// Host → webview

export type FormMode = 'addModel' | 'editModel' | 'addConnection' | 'editConnection';
export type FieldControl = 'text' | 'combo' | 'select' | 'radio' | 'checkbox' | 'textarea' | 'password' | 'advanced';
export type FieldSection = 'integration' | 'model' | 'connection' | 'credentials';

export interface FieldOption {
  value: string;
  label: string;
  description?: string;
  /** Model Provider options: `easy` or `api`, the integration they belong to. */
  group?: string;
}

export interface FieldSpec {
  id: FieldId | SecretId | 'advanced';
  label: string;
  section: FieldSection;
  control: FieldControl;
  required?: boolean;
  readOnly?: boolean;
  placeholder?: string;
  help?: string;
  options?: FieldOption[];
  /** The value of a new item (Add forms, and after a provider change). */
  defaultValue?: string | boolean;
  /** Only shown when another field has one of these values, e.g. the header name when `authMode` is `header`. */
  showWhen?: { field: FieldId | SecretId; values: string[] };
}

export type KeyState = 'present' | 'missing' | 'unknown' | 'notNeeded';

export interface FormState {
  mode: FormMode;
  title: string;
  subtitle: string;
  /** Field specs per provider (add model: every provider; otherwise the model's one). */
  specs: Partial<Record<string, FieldSpec[]>>;
  draft: Draft;
  /** Restricted Mode, a file that cannot be edited …: nothing can be saved, tested or changed. */
  readOnly: boolean;
  readOnlyReason?: string;
  keyStatus: KeyState;
  /** Shown next to the key: where it is sent (the origin it is bound to). */
  keyOrigin?: string;
  /** What is stored when it is not a key ("AWS profile: dev", "Entra ID: Azure CLI"). */
  keyLabel?: string;
  /** Gemini API version presets and Bedrock helpers, computed by the host from the catalogue. */
  helpers: { bedrockPrefixes: FieldOption[] };
  canDelete: boolean;
  /** Kept by the webview (`setState`) so the form comes back after a window reload. */
  restore: RestoreNote;
}

/**
 * What a form is for, by name: the only thing the webview persists. No draft and no key,
 * so a reload loses typed text, as a reloaded form would. The host checks it again
 * (`parseRestoreNote`) before reopening anything.
 */
export interface RestoreNote {
  mode: FormMode;
  /** The workspace folder's URI, as `Uri.toString()` gives it. */
  folder: string;
  model?: string;
  connection?: string;
}

const FORM_MODES: readonly FormMode[] = ['addModel', 'editModel', 'addConnection', 'editConnection'];

/** A persisted webview state → the note in it, or undefined when anything is off. */
export function parseRestoreNote(state: unknown): RestoreNote | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const note = (state as { restore?: unknown }).restore;
  if (typeof note !== 'object' || note === null || Array.isArray(note)) return undefined;
  const { mode, folder, model, connection, ...rest } = note as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return undefined;
  if (typeof mode !== 'string' || !(FORM_MODES as readonly string[]).includes(mode)) return undefined;
  const name = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD_CHARS;
  if (!name(folder)) return undefined;
  const needsModel = mode !== 'addModel';
  const needsConnection = mode === 'editConnection';
  if (needsModel ? !name(model) : model !== undefined) return undefined;
  if (needsConnection ? !name(connection) : connection !== undefined) return undefined;
  return { mode: mode as FormMode, folder: folder as string, ...(needsModel ? { model: model as string } : {}), ...(needsConnection ? { connection: connection as string } : {}) };
}

export interface ValidationReport {
  /** Field id (or `advanced.<row>.name|value`) → message, exactly as the Problems panel says it. */
  errors: Record<string, string>;
  warnings: Record<string, string>;
  /** Problems that belong to no field of this form. */
  general: Array<{ level: 'error' | 'warning'; text: string }>;
  canSave: boolean;
}

export interface TestReport {
  outcome: string;
  ok: boolean;
  label: string;
  message: string;
  hint: string;
  latencyMs: number;
  status?: number;
}

export type ReplyResult =
  | { kind: 'validation'; report: ValidationReport }
  | { kind: 'test'; report: TestReport }
  | { kind: 'saved'; message: string }
  | { kind: 'done'; message?: string }
  | { kind: 'ready' }
  /** Nothing happened (the user cancelled a dialog, or validation failed). */
  | { kind: 'cancelled'; message?: string; report?: ValidationReport };

export type HostMessage =
  | { type: 'reply'; id: number; ok: true; result: ReplyResult }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'init'; state: FormState }
  | { type: 'keyStatus'; keyStatus: KeyState; keyOrigin?: string; keyLabel?: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; text: string };

// ----------------------------------------------------------------------------------
// Inbound validation

export type Verdict = { ok: true; message: WebviewMessage } | { ok: false; reason: string };

const fail = (reason: string): Verdict => ({ ok: false, reason });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Own keys must be exactly `allowed` (optional ones may be missing). */
function exactKeys(v: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): string | undefined {
  const keys = Reflect.ownKeys(v);
  for (const k of keys) {
    if (typeof k !== 'string') return 'symbol key';
    if (!required.includes(k) && !optional.includes(k)) return `unexpected field ${JSON.stringify(k.slice(0, 40))}`;
  }
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(v, k)) return `missing field ${k}`;
  return undefined;
}

/**
 * Size and depth of a value, walked iteratively with early exit, so a huge or cyclic
 * message costs at most the caps. Returns a reason, or undefined when within bounds.
 */
export function measure(value: unknown, maxChars = MAX_MESSAGE_CHARS, maxDepth = MAX_MESSAGE_DEPTH): string | undefined {
  let chars = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (typeof v === 'string') chars += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) chars += 5;
    else if (typeof v === 'object') {
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return 'binary data';
      const keys = Object.keys(v as object);
      chars += 2 + keys.length;
      for (const k of keys) {
        chars += k.length + 3;
        if (chars > maxChars) break;
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    } else return `a value of type ${typeof v}`;
    if (chars > maxChars) return `larger than ${maxChars} characters`;
  }
  return undefined;
}

function checkId(id: unknown): string | undefined {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return 'id is not a positive integer';
  return undefined;
}

function checkDraft(v: unknown): string | undefined {
  if (!isPlainObject(v)) return 'draft is not an object';
  const k = exactKeys(v, ['fields', 'advanced']);
  if (k) return `draft: ${k}`;
  const fields = v.fields;
  if (!isPlainObject(fields)) return 'draft.fields is not an object';
  for (const key of Reflect.ownKeys(fields)) {
    if (typeof key !== 'string' || !(FIELD_IDS as readonly string[]).includes(key)) return `unknown field ${JSON.stringify(String(key).slice(0, 40))}`;
    const value = fields[key];
    if (BOOLEAN_FIELDS.has(key as FieldId)) {
      if (typeof value !== 'boolean') return `field ${key} is not a boolean`;
    } else {
      if (typeof value !== 'string') return `field ${key} is not a string`;
      if (value.length > MAX_FIELD_CHARS) return `field ${key} is longer than ${MAX_FIELD_CHARS} characters`;
    }
  }
  const rows = v.advanced;
  if (!Array.isArray(rows)) return 'draft.advanced is not a list';
  if (rows.length > MAX_ADVANCED_ROWS) return `more than ${MAX_ADVANCED_ROWS} advanced properties`;
  for (const row of rows) {
    if (!isPlainObject(row)) return 'an advanced property is not an object';
    const rk = exactKeys(row, ['kind', 'name', 'value']);
    if (rk) return `advanced property: ${rk}`;
    if (row.kind !== 'header' && row.kind !== 'property') return 'advanced property kind is neither header nor property';
    if (typeof row.name !== 'string' || typeof row.value !== 'string') return 'advanced property name or value is not a string';
    if (row.name.length > MAX_FIELD_CHARS || row.value.length > MAX_FIELD_CHARS) return 'advanced property too long';
  }
  return undefined;
}

function checkSecret(v: unknown): string | undefined {
  if (!isPlainObject(v)) return 'secret is not an object';
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key !== 'string' || !(SECRET_IDS as readonly string[]).includes(key)) return 'unknown secret field';
    const value = v[key];
    if (typeof value !== 'string') return `secret ${key} is not a string`;
    if (value.length > MAX_SECRET_CHARS) return `secret ${key} is longer than ${MAX_SECRET_CHARS} characters`;
  }
  return undefined;
}

/** Checks one raw message's shape; stateless (ids, readiness and dispose are the gate's job). */
export function parseWebviewMessage(raw: unknown): Verdict {
  if (!isPlainObject(raw)) return fail('not a plain object');
  const size = measure(raw);
  if (size) return fail(size);
  const type = raw.type;
  if (typeof type !== 'string') return fail('no type');
  const idProblem = checkId(raw.id);
  switch (type) {
    case 'ready': {
      const k = exactKeys(raw, ['type', 'id', 'protocol']);
      if (k) return fail(`ready: ${k}`);
      if (idProblem) return fail(`ready: ${idProblem}`);
      if (raw.protocol !== PROTOCOL_VERSION) return fail(`ready: protocol ${String(raw.protocol).slice(0, 20)} is not ${PROTOCOL_VERSION}`);
      return { ok: true, message: { type, id: raw.id as number, protocol: PROTOCOL_VERSION } };
    }
    case 'validate': {
      const k = exactKeys(raw, ['type', 'id', 'draft']);
      if (k) return fail(`validate: ${k}`);
      if (idProblem) return fail(`validate: ${idProblem}`);
      const d = checkDraft(raw.draft);
      if (d) return fail(`validate: ${d}`);
      return { ok: true, message: { type, id: raw.id as number, draft: raw.draft as Draft } };
    }
    case 'test':
    case 'save': {
      const k = exactKeys(raw, ['type', 'id', 'draft', 'secret']);
      if (k) return fail(`${type}: ${k}`);
      if (idProblem) return fail(`${type}: ${idProblem}`);
      const d = checkDraft(raw.draft) ?? checkSecret(raw.secret);
      if (d) return fail(`${type}: ${d}`);
      return { ok: true, message: { type, id: raw.id as number, draft: raw.draft as Draft, secret: raw.secret as SecretDraft } };
    }
    case 'action': {
      const k = exactKeys(raw, ['type', 'id', 'action']);
      if (k) return fail(`action: ${k}`);
      if (idProblem) return fail(`action: ${idProblem}`);
      if (typeof raw.action !== 'string' || !(FORM_ACTIONS as readonly string[]).includes(raw.action)) return fail('action: unknown action');
      return { ok: true, message: { type, id: raw.id as number, action: raw.action as FormAction } };
    }
    default:
      return fail('unknown type');
  }
}

/**
 * The stateful door every inbound message goes through: shape (above), then the ready
 * handshake, strictly increasing ids (a replayed or reordered id is dropped), and
 * nothing after dispose. Only what passes reaches the handlers.
 */
export class InboundGate {
  private lastId = 0;
  private ready = false;
  private disposed = false;
  dropped = 0;

  constructor(private readonly log: (reason: string) => void) {}

  accept(raw: unknown): WebviewMessage | undefined {
    if (this.disposed) return this.drop('the form is closed');
    const verdict = parseWebviewMessage(raw);
    if (!verdict.ok) return this.drop(verdict.reason);
    const m = verdict.message;
    if (m.id <= this.lastId) return this.drop(`${m.type}: id ${m.id} was already used (replayed or out of order)`);
    if (!this.ready && m.type !== 'ready') return this.drop(`${m.type} before the ready handshake`);
    this.lastId = m.id;
    if (m.type === 'ready') this.ready = true;
    return m;
  }

  dispose(): void {
    this.disposed = true;
  }

  private drop(reason: string): undefined {
    this.dropped++;
    this.log(`connection editor: dropped a webview message (${reason})`);
    return undefined;
  }
}

export type InboundHandlers = { [T in WebviewMessageType]: (message: Extract<WebviewMessage, { type: T }>) => unknown };

/** Passes a raw message through the gate and, only if it is accepted, to its handler. */
export function dispatchInbound(gate: InboundGate, raw: unknown, handlers: InboundHandlers): unknown {
  const message = gate.accept(raw);
  if (!message) return undefined;
  const handler = handlers[message.type] as (m: WebviewMessage) => unknown;
  return handler(message);
}
