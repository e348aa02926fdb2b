/**
 * The connection editor's form model, in plain TypeScript: which fields each provider
 * shows (labels as the seeds name them), the draft a form holds, its validation, and
 * the records the edit module writes.
 *
 * Validation uses the file's own checks: the draft is applied to a candidate manifest
 * (the target model with its connections, plus the names of the other models) and run
 * through `analyzeManifest` — the same precompiled schema validator and rules as the
 * Problems panel — and each problem is mapped back to the field whose node it points
 * at. So a form shows exactly the message the file would show.
 */
import { isMap, isNode, isPair, isScalar, isSeq, parseDocument, stringify, type Node, type Pair } from 'yaml';
import {
  BEDROCK_PREFIX_REGIONS, BEDROCK_REGIONS, FORBIDDEN_HEADERS, NATIVE_CATALOGUE, PROVIDER_IDS, PROVIDER_LABELS, PROVIDER_SETTINGS,
  defaultGeminiApiVersion, isProviderId, type ProviderId,
} from '../providers/catalog';
import type { FieldChanges, FieldValue } from '../manifest/edit';
import { secretProblems, type AdvancedRow, type Draft, type FieldId, type FieldOption, type FieldSpec, type FormMode, type SecretDraft, type ValidationReport } from './formProtocol';
import { analyzeManifest, type ConnectionInfo, type ModelInfo } from '../manifest/manifest';
import type { ConnectionTarget, Credential } from '../providers/types';
import { ENTRA_SOURCES, isEntraSource, OPENAI_USER_ROLE, type EntraSource } from '../identity/entra';
import { loadYaml, type PathSegment } from '../yaml/yamlLoad';

// ----------------------------------------------------------------------------------
// Fields

/** Model codes offered besides the seed-004 catalogue (the schema's examples). */
const MODEL_SUGGESTIONS: Partial<Record<ProviderId, string[]>> = {
  openai: ['gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-5', 'gpt-5-mini'],
  anthropic: ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-7-sonnet-latest', 'claude-3-5-haiku-latest'],
  cohere: ['command-a-03-2025', 'command-r-plus-08-2024', 'command-r-08-2024'],
  generic: ['llama-3.1-8b-instant', 'llama3.1:8b', 'qwen2.5-coder:7b'],
};

export function modelOptions(provider: ProviderId): FieldOption[] {
  const native = NATIVE_CATALOGUE.filter((c) => c.provider === provider).map((c) => ({ value: c.model, label: c.model, description: c.label }));
  const extra = (MODEL_SUGGESTIONS[provider] ?? []).filter((m) => !native.some((n) => n.value === m)).map((m) => ({ value: m, label: m }));
  return [...native, ...extra];
}

const MODEL_HELP: Record<ProviderId, string> = {
  openai: 'The OpenAI model code, e.g. gpt-4o. Pick from the list or type any code.',
  anthropic: 'The Anthropic model code, e.g. claude-sonnet-4-5. Pick from the list or type any code.',
  cohere: 'The Cohere model code, e.g. command-a-03-2025. Pick from the list or type any code.',
  'google-gemini': 'Select a value from the list or enter a Gemini model code, e.g. gemini-3.1-pro-preview. An invalid model code makes the connection fail.',
  'amazon-bedrock': 'ID string of the Bedrock foundation model. For cross-region inference add the region prefix, e.g. us.anthropic.claude-opus-4-1-20250805-v1:0.',
  'azure-openai': 'The model behind your deployment, e.g. gpt-4.1 (informational: requests go to the deployment).',
  generic: 'The model name as in an API call, e.g. llama-3.1-8b-instant — not the display name "Llama 3.1 8B".',
};

/** The fields a form shows, in order, for one provider. */
export function formFields(mode: FormMode, provider: ProviderId): FieldSpec[] {
  const fields: FieldSpec[] = [];
  const withModel = mode === 'addModel' || mode === 'editModel';
  const withConnection = mode !== 'editModel';
  if (mode === 'addModel') {
    fields.push({
      id: 'integration', label: 'Integration', section: 'integration', control: 'radio', required: true, defaultValue: 'easy',
      options: [
        { value: 'easy', label: 'Easy Integration', description: 'A natively supported provider' },
        { value: 'api', label: 'API Integration', description: 'A custom OpenAI-compatible API' },
      ],
    });
  }
  if (withModel) {
    fields.push({
      id: 'provider', label: 'Model Provider', section: 'integration', control: 'select', required: true, readOnly: mode === 'editModel',
      help: mode === 'editModel' ? 'The provider decides every connection’s settings; add a new model to use another provider.' : undefined,
      options: PROVIDER_IDS.map((p) => ({ value: p, label: PROVIDER_LABELS[p], group: p === 'generic' ? 'api' : 'easy' })),
    });
    fields.push(
      { id: 'modelName', label: 'Name', section: 'model', control: 'text', required: true, placeholder: 'e.g. gpt-4o', help: 'Unique name of the model. Agents refer to a connection as model/connection, so no “/”.' },
      { id: 'model', label: 'Model', section: 'model', control: 'combo', required: true, options: modelOptions(provider), help: MODEL_HELP[provider] },
      { id: 'modelDescription', label: 'Description', section: 'model', control: 'textarea', placeholder: 'Optional' },
      { id: 'location', label: 'Location', section: 'model', control: 'text', placeholder: 'Default', defaultValue: 'Default', help: 'Project or folder to keep the model in. By default, Default.' },
    );
  }
  if (!withConnection) return fields;
  fields.push(
    {
      id: 'connectionName', label: 'Name', section: 'connection', control: 'text', required: true, readOnly: mode === 'editConnection', placeholder: 'e.g. prod-key-1',
      help: mode === 'editConnection' ? 'Not editable once saved: the stored key is bound to this name.' : 'Unique within the model; not editable once saved.',
    },
    { id: 'connectionDescription', label: 'Description', section: 'connection', control: 'textarea', placeholder: 'Optional' },
    { id: 'enabled', label: 'Enabled for inference', section: 'connection', control: 'checkbox', defaultValue: true, help: 'Toggle for Inference: agents may use this connection.' },
  );
  switch (provider) {
    case 'azure-openai':
      fields.push(
        { id: 'deployment', label: 'Deployment Name', section: 'connection', control: 'text', required: true, placeholder: 'e.g. gpt-4o-prod', help: 'Name of the deployment you configured in Azure OpenAI.' },
        { id: 'endpoint', label: 'Azure Endpoint', section: 'connection', control: 'text', required: true, placeholder: 'https://my-resource.openai.azure.com', help: 'Your Azure OpenAI resource URL. The API key is bound to this origin.' },
        {
          id: 'apiVersion', label: 'OpenAI API Version', section: 'connection', control: 'combo', required: true, placeholder: '2024-10-21', defaultValue: '2024-10-21',
          options: [{ value: '2024-10-21', label: '2024-10-21', description: 'GA' }, { value: '2025-04-01-preview', label: '2025-04-01-preview', description: 'Preview' }, { value: 'v1', label: 'v1', description: 'The v1 API' }],
          help: 'Version of the Azure OpenAI API you intend to use.',
        },
      );
      break;
    case 'google-gemini':
      fields.push({
        id: 'apiVersion', label: 'API Version', section: 'connection', control: 'combo', placeholder: 'v1',
        options: [{ value: 'v1', label: 'v1', description: 'Stable (GA) models' }, { value: 'v1beta', label: 'v1beta', description: 'Preview models' }],
        help: 'Set from the model: v1 for GA models, v1beta for preview models. Type another value when a model is promoted or Google adds a version.',
      });
      break;
    case 'amazon-bedrock':
      fields.push({
        id: 'region', label: 'Region', section: 'connection', control: 'combo', required: true, placeholder: 'us-east-1',
        options: BEDROCK_REGIONS.map((r) => ({ value: r, label: r })), help: 'AWS region where your Amazon Bedrock service is deployed.',
      });
      break;
    case 'generic':
      fields.push(
        { id: 'baseUrl', label: 'Base URL', section: 'connection', control: 'text', required: true, placeholder: 'https://api.groq.com/openai/v1', help: 'Base URL of the model API endpoint. Plain http only for servers on this machine. The API key is bound to this origin.' },
        { id: 'apiFormat', label: 'Model API Format', section: 'connection', control: 'combo', placeholder: 'openai', defaultValue: 'openai', options: [{ value: 'openai', label: 'openai' }], help: 'As in an API call, e.g. openai — not “OpenAI”.' },
        {
          id: 'authMode', label: 'Authentication', section: 'connection', control: 'select', required: true, defaultValue: 'bearer',
          options: [
            { value: 'bearer', label: 'Bearer token in the Authorization header' },
            { value: 'header', label: 'API key in a named header (gateways)' },
            { value: 'none', label: 'None (local server)' },
          ],
        },
        {
          id: 'authHeader', label: 'Header Name', section: 'connection', control: 'combo', required: true, placeholder: 'api-key',
          options: ['api-key', 'x-api-key', 'Ocp-Apim-Subscription-Key'].map((h) => ({ value: h, label: h })), showWhen: { field: 'authMode', values: ['header'] },
          help: 'The header that receives the raw key.',
        },
        { id: 'advanced', label: 'Advanced Properties', section: 'connection', control: 'advanced', help: 'Custom headers and other properties of the endpoint. Host and credential headers are refused: the key lives in SecretStorage.' },
      );
      break;
    default:
      break;
  }
  if (provider === 'amazon-bedrock') {
    fields.push(
      { id: 'accessKeyId', label: 'Access Key', section: 'credentials', control: 'password', placeholder: 'AKIA… or ASIA…', help: 'Access key ID of an IAM user that may use Bedrock.' },
      { id: 'secretAccessKey', label: 'Secret Key', section: 'credentials', control: 'password', help: 'Secret access key of that IAM user.' },
      { id: 'sessionToken', label: 'Session Token', section: 'credentials', control: 'password', placeholder: 'Optional', help: 'Only for temporary credentials (ASIA…).' },
      { id: 'bedrockApiKey', label: 'Bedrock API Key', section: 'credentials', control: 'password', placeholder: 'Or, instead of the access keys', help: 'An Amazon Bedrock API key, sent as a bearer token instead of a signature. Enter either this or the access key pair: which one you use is yours, the manifest is the same for everyone.' },
      { id: 'awsProfile', label: 'AWS Profile', section: 'credentials', control: 'text', placeholder: 'Or, a profile of ~/.aws/config', help: 'A profile of this machine\'s AWS config (SSO, assume-role, credential_process or keys): its credentials are resolved by the AWS SDK on every request and refreshed when they expire. Only the name is stored. For SSO, run aws sso login --profile NAME first.' },
    );
  } else if (provider === 'azure-openai') {
    // An API key, or Microsoft Entra ID: which one is this teammate's choice, the manifest is the same.
    const entra = (Object.keys(ENTRA_SOURCES) as EntraSource[]).map((v) => ({ value: v, label: `Microsoft Entra ID · ${ENTRA_SOURCES[v].label}`, description: ENTRA_SOURCES[v].description }));
    fields.push(
      { id: 'entraSource', label: 'Sign In With', section: 'credentials', control: 'select', defaultValue: '', options: [{ value: '', label: 'API key' }, ...entra], help: `An API key of the resource, or your Microsoft Entra ID identity (no key on this machine; the identity needs the "${OPENAI_USER_ROLE}" role on the resource).` },
      { id: 'apiKey', label: 'API Key', section: 'credentials', control: 'password', help: 'Kept in VS Code SecretStorage on this machine, never in the manifest.', showWhen: { field: 'entraSource', values: [''] } },
      { id: 'entraTenant', label: 'Tenant', section: 'credentials', control: 'text', placeholder: 'Optional: directory ID or domain', help: 'Only when the resource is in another tenant than your default one.', showWhen: { field: 'entraSource', values: ['azureCli', 'vscode', 'default'] } },
    );
  } else {
    fields.push({
      id: 'apiKey', label: 'API Key', section: 'credentials', control: 'password',
      help: 'Kept in VS Code SecretStorage on this machine, never in the manifest.',
      showWhen: provider === 'generic' ? { field: 'authMode', values: ['bearer', 'header'] } : undefined,
    });
  }
  return fields;
}

/** Bedrock cross-region prefixes for the helper beside the model ID. */
export function bedrockPrefixOptions(): FieldOption[] {
  return [{ value: '', label: 'None (in-region)' }, ...Object.keys(BEDROCK_PREFIX_REGIONS).map((p) => ({ value: p, label: `${p}.` }))];
}

// ----------------------------------------------------------------------------------
// Drafts

function providerOf(draft: Draft, fallback?: string): ProviderId | undefined {
  const p = draft.fields.provider ?? fallback;
  return isProviderId(p) ? p : undefined;
}

function text(draft: Draft, id: FieldId): string {
  const v = draft.fields[id];
  return typeof v === 'string' ? v : '';
}

function advancedRows(settings: Record<string, unknown>): { rows: AdvancedRow[]; editable: boolean } {
  const adv = settings.advancedProperties;
  if (adv === undefined) return { rows: [], editable: true };
  if (adv === null || typeof adv !== 'object' || Array.isArray(adv)) return { rows: [], editable: false };
  const rows: AdvancedRow[] = [];
  let editable = true;
  for (const [k, v] of Object.entries(adv as Record<string, unknown>)) {
    if (k === 'headers' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [h, hv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof hv === 'string') rows.push({ kind: 'header', name: h, value: hv });
        else editable = false;
      }
    } else if (typeof v === 'string') rows.push({ kind: 'property', name: k, value: v });
    else editable = false;
  }
  return { rows, editable };
}

/** Whether the form can edit a connection's Advanced Properties (only headers and string values). */
export function advancedEditable(connection: ConnectionInfo | undefined): boolean {
  return connection ? advancedRows(connection.settings).editable : true;
}

function connectionFields(provider: ProviderId, model: string, c: ConnectionInfo | undefined): Draft['fields'] {
  const s = c?.settings ?? {};
  const str = (k: string) => (typeof s[k] === 'string' ? (s[k] as string) : typeof s[k] === 'number' ? String(s[k]) : '');
  const fields: Draft['fields'] = { connectionName: c?.name ?? '', connectionDescription: c?.description ?? '', enabled: c?.enabled ?? true };
  switch (provider) {
    case 'azure-openai':
      Object.assign(fields, { deployment: str('deployment'), endpoint: str('endpoint'), apiVersion: c ? str('apiVersion') : '2024-10-21' });
      break;
    case 'google-gemini':
      fields.apiVersion = c ? str('apiVersion') : defaultGeminiApiVersion(model);
      break;
    case 'amazon-bedrock':
      fields.region = str('region');
      break;
    case 'generic': {
      const auth = str('authHeader');
      fields.baseUrl = str('baseUrl');
      fields.apiFormat = c ? str('apiFormat') : 'openai';
      fields.authMode = auth === '' || auth.toLowerCase() === 'authorization' ? 'bearer' : auth.toLowerCase() === 'none' ? 'none' : 'header';
      fields.authHeader = fields.authMode === 'header' ? auth : '';
      break;
    }
    default:
      break;
  }
  return fields;
}

/** The draft a form starts from: the file's values, or defaults for something new. */
export function initialDraft(mode: FormMode, model?: ModelInfo, connection?: ConnectionInfo): Draft {
  if (mode === 'addModel') {
    return { fields: { integration: 'easy', provider: 'openai', modelName: '', model: '', modelDescription: '', location: 'Default', ...connectionFields('openai', '', undefined) }, advanced: [] };
  }
  if (!model) throw new Error('The model of this form is missing.');
  const provider = isProviderId(model.provider) ? model.provider : 'openai';
  const fields: Draft['fields'] = {
    integration: provider === 'generic' ? 'api' : 'easy', provider, modelName: model.name, model: model.model ?? '', modelDescription: model.description ?? '', location: model.location,
  };
  if (mode === 'editModel') return { fields, advanced: [] };
  return { fields: { ...fields, ...connectionFields(provider, model.model ?? '', mode === 'editConnection' ? connection : undefined) }, advanced: mode === 'editConnection' && connection ? advancedRows(connection.settings).rows : [] };
}

/** Fresh connection defaults when the provider of an Add Model form changes. */
export function defaultConnectionFields(provider: ProviderId, model: string): Draft['fields'] {
  return connectionFields(provider, model, undefined);
}

// ----------------------------------------------------------------------------------
// Records for the edit module

export interface RecordMeta {
  /** Workspace git user.name, else the OS user. */
  addedBy: string;
  /** YYYY-MM-DD. */
  today: string;
}

/** Builds a mapping with own properties only (a row named `__proto__` stays a key, for the checks to refuse). */
function record(entries: Array<[string, FieldValue | undefined]>): Record<string, FieldValue> {
  return Object.fromEntries(entries.filter((e): e is [string, FieldValue] => e[1] !== undefined));
}

const optional = (s: string): string | undefined => (s.trim() === '' ? undefined : s);

export function modelRecord(draft: Draft): Record<string, FieldValue> {
  const provider = providerOf(draft);
  return record([
    ['name', text(draft, 'modelName')],
    ['type', provider === 'generic' ? 'api' : 'easy'],
    ['provider', provider ?? text(draft, 'provider')],
    ['model', optional(text(draft, 'model'))],
    ['description', optional(text(draft, 'modelDescription'))],
    ['location', optional(text(draft, 'location'))],
  ]);
}

function advancedValue(rows: readonly AdvancedRow[]): FieldValue | undefined {
  const used = rows.filter((r) => r.name !== '' || r.value !== '');
  if (used.length === 0) return undefined;
  const headers = used.filter((r) => r.kind === 'header').map((r): [string, FieldValue] => [r.name, r.value]);
  const props = used.filter((r) => r.kind === 'property').map((r): [string, FieldValue] => [r.name, r.value]);
  return record([...(headers.length ? [['headers', record(headers)] as [string, FieldValue]] : []), ...props]);
}

/** The connection's fields as written to the manifest (no addedBy/addedOn). */
export function connectionRecord(provider: ProviderId, draft: Draft): Record<string, FieldValue> {
  const settings: Array<[string, FieldValue | undefined]> = [];
  const allowed = PROVIDER_SETTINGS[provider];
  for (const key of allowed) {
    if (key === 'authHeader') {
      const mode = text(draft, 'authMode');
      settings.push(['authHeader', mode === 'none' ? 'none' : mode === 'header' ? optional(text(draft, 'authHeader')) ?? '' : undefined]);
    } else if (key === 'advancedProperties') {
      settings.push(['advancedProperties', advancedValue(draft.advanced)]);
    } else {
      settings.push([key, optional(text(draft, key as FieldId))]);
    }
  }
  return record([
    ['name', text(draft, 'connectionName')],
    ['enabled', draft.fields.enabled !== false],
    ['description', optional(text(draft, 'connectionDescription'))],
    ...settings,
  ]);
}

export type SavePlan =
  | { kind: 'addModel'; model: Record<string, FieldValue>; connection: Record<string, FieldValue> }
  | { kind: 'addConnection'; model: string; connection: Record<string, FieldValue> }
  | { kind: 'updateModel'; model: string; changes: FieldChanges }
  | { kind: 'updateConnection'; model: string; connection: string; changes: FieldChanges };

function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Only the keys whose value differs: untouched keys keep their exact text in the file. */
function diff(before: Record<string, FieldValue>, after: Record<string, FieldValue>): FieldChanges {
  const changes: FieldChanges = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!sameValue(before[k], after[k])) Object.defineProperty(changes, k, { value: after[k], enumerable: true, writable: true, configurable: true });
  }
  return changes;
}

/**
 * What Save writes. New items get `addedBy`/`addedOn`; editing a model moves its
 * `addedOn` ("date the model was last added or updated", seed 000); a connection's
 * `addedOn` stays the day it was created. `target` names the item as the form loaded it.
 */
export function planSave(mode: FormMode, draft: Draft, initial: Draft, target: { model?: string; connection?: string }, meta: RecordMeta, keepAdvanced = true): SavePlan {
  const provider = providerOf(draft) ?? providerOf(initial) ?? 'openai';
  switch (mode) {
    case 'addModel':
      return {
        kind: 'addModel',
        model: { ...modelRecord(draft), addedOn: meta.today },
        connection: { ...connectionRecord(provider, draft), addedBy: meta.addedBy, addedOn: meta.today },
      };
    case 'addConnection':
      return { kind: 'addConnection', model: target.model ?? '', connection: { ...connectionRecord(provider, draft), addedBy: meta.addedBy, addedOn: meta.today } };
    case 'editModel': {
      const changes = diff(modelRecord(initial), modelRecord(draft));
      if (Object.keys(changes).length > 0) changes.addedOn = meta.today;
      return { kind: 'updateModel', model: target.model ?? '', changes };
    }
    case 'editConnection': {
      const changes = diff(connectionRecord(provider, initial), connectionRecord(provider, draft));
      delete changes.name;
      if (!keepAdvanced) delete changes.advancedProperties;
      return { kind: 'updateConnection', model: target.model ?? '', connection: target.connection ?? '', changes };
    }
  }
}

/** The connection as a provider test sees it, from the draft (possibly unsaved). */
export function targetFromDraft(draft: Draft): ConnectionTarget {
  const provider = providerOf(draft);
  if (!provider) throw new Error('Choose a model provider first.');
  const { name: _name, enabled: _enabled, description: _description, ...settings } = connectionRecord(provider, draft);
  return { provider, modelName: text(draft, 'modelName'), connectionName: text(draft, 'connectionName'), model: text(draft, 'model'), settings };
}

/** The credential typed in the form, if any (checked by `validateDraft` first). */
export function typedCredential(provider: ProviderId, secret: SecretDraft): Exclude<Credential, { kind: 'none' }> | undefined {
  if (provider === 'amazon-bedrock') {
    if (secret.bedrockApiKey) return { kind: 'bedrockApiKey', apiKey: secret.bedrockApiKey };
    if (secret.awsProfile) return { kind: 'awsProfile', profile: secret.awsProfile };
    if (!secret.accessKeyId || !secret.secretAccessKey) return undefined;
    return { kind: 'aws', accessKeyId: secret.accessKeyId, secretAccessKey: secret.secretAccessKey, ...(secret.sessionToken ? { sessionToken: secret.sessionToken } : {}) };
  }
  if (provider === 'azure-openai' && isEntraSource(secret.entraSource)) {
    const tenantId = secret.entraTenant?.trim();
    return { kind: 'entraId', source: secret.entraSource, ...(tenantId && secret.entraSource !== 'environment' ? { tenantId } : {}) };
  }
  return secret.apiKey ? { kind: 'apiKey', apiKey: secret.apiKey } : undefined;
}

// ----------------------------------------------------------------------------------
// Validation

/** The manifest as a form loaded it, read once (validation runs on every keystroke). */
export interface ManifestSnapshot {
  /** No YAML syntax errors (the edit module refuses to touch a file with them). */
  syntaxOk: boolean;
  /** The plain `models` list (empty when there is no manifest yet). */
  models: unknown[];
}

export function snapshotManifest(text: string | undefined): ManifestSnapshot {
  if (text === undefined || text.trim() === '') return { syntaxOk: true, models: [] };
  const loaded = loadYaml(text, 'manifest');
  if (!loaded.syntaxOk || !loaded.doc) return { syntaxOk: false, models: [] };
  const data = loaded.data;
  return { syntaxOk: true, models: isPlain(data) && Array.isArray(data.models) ? data.models : [] };
}

export interface ValidationInput {
  mode: FormMode;
  manifest: ManifestSnapshot;
  /** The model / connection as named in the file when the form loaded. */
  target: { model?: string; connection?: string };
  draft: Draft;
  /** The draft the form started from (for edits: what the file holds). */
  initial: Draft;
  meta: RecordMeta;
  /** Typed key material; checked for shape only, never echoed. */
  secret?: SecretDraft;
}

type Plain = Record<string, unknown>;

const MODEL_FIELD: Record<string, FieldId | undefined> = {
  name: 'modelName', type: 'provider', provider: 'provider', model: 'model', description: 'modelDescription', location: 'location',
};
const CONNECTION_FIELD: Record<string, FieldId | undefined> = {
  name: 'connectionName', enabled: 'enabled', description: 'connectionDescription', endpoint: 'endpoint', deployment: 'deployment',
  apiVersion: 'apiVersion', region: 'region', baseUrl: 'baseUrl', apiFormat: 'apiFormat',
};

/** Same credential-name test as the schema's `headerName`/`propertyNames` `not` pattern. */
const CREDENTIAL_NAME = /(auth|key|token|secret|passw|cookie|credential|signature|session)/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function isPlain(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Where an offset sits in a document: the data path, and whether it is on a mapping key. */
function pathAt(contents: unknown, offset: number): { path: PathSegment[]; onKey: boolean; node?: Node } {
  const path: PathSegment[] = [];
  let node: unknown = contents;
  let onKey = false;
  for (let guard = 0; guard < 64; guard++) {
    if (isMap(node)) {
      // The last pair starting at or before the offset: a block value's range runs on into the next line.
      const pair = (node.items as Array<Pair<Node, Node | null>>).filter((p) => (p.key?.range?.[0] ?? Infinity) <= offset).pop();
      const end = pair ? (pair.value?.range?.[1] ?? pair.key?.range?.[1] ?? -1) : -1;
      if (!pair || !isScalar(pair.key) || offset > end) break;
      path.push(String(pair.key.value));
      if (pair.key.range && offset < pair.key.range[1]) {
        onKey = true;
        node = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node)) {
      let i = -1;
      node.items.forEach((it, j) => {
        if (isNode(it) && it.range && it.range[0] <= offset) i = j;
      });
      const item = node.items[i];
      if (i < 0 || !isNode(item) || !item.range || offset > item.range[1]) break;
      path.push(i);
      node = node.items[i];
    } else break;
  }
  return { path, onKey, node: isNode(node) && !isPair(node) ? node : undefined };
}

function stripLines(message: string): string {
  return message.replace(/\s*\(line \d+\)/g, '');
}

function findByName(list: unknown, name: string | undefined): number {
  if (!Array.isArray(list) || name === undefined) return -1;
  return list.findIndex((m) => isPlain(m) && m.name === name);
}

/** Checks the draft with the file's schema and rules, and the form's own few checks (keys, rows). */
export function validateDraft(input: ValidationInput): ValidationReport {
  const errors: Record<string, string> = {};
  const warnings: Record<string, string> = {};
  const general: ValidationReport['general'] = [];
  const setError = (field: string, message: string) => {
    if (!(field in errors)) errors[field] = message;
  };
  const { mode, draft, target } = input;
  const provider = providerOf(draft, input.initial.fields.provider as string | undefined);

  // The manifest as it is: names of the other models, the target model in full.
  if (!input.manifest.syntaxOk) {
    general.push({ level: 'error', text: 'The manifest has YAML errors; fix them (see the Problems panel) before changing it from here.' });
    return { errors, warnings, general, canSave: false };
  }
  const models = input.manifest.models;
  const mi = mode === 'addModel' ? -1 : findByName(models, target.model);
  if (mode !== 'addModel' && mi < 0) {
    general.push({ level: 'error', text: `Model “${target.model}” is no longer in the manifest (renamed or removed).` });
    return { errors, warnings, general, canSave: false };
  }
  if (!provider) {
    setError('provider', 'Choose a model provider.');
    return { errors, warnings, general, canSave: false };
  }

  // The candidate: other models by name only, the target model last (so a duplicate name is reported on it).
  const plan = planSave(mode, draft, input.initial, target, input.meta);
  const stubs = models.filter((_, i) => i !== mi).map((m) => (isPlain(m) && 'name' in m ? { name: m.name } : {}));
  let candidate: Plain;
  let ci = -1;
  if (plan.kind === 'addModel') {
    candidate = { ...plan.model, connections: [plan.connection] };
    ci = 0;
  } else {
    const existing = structuredClone(models[mi]) as Plain;
    candidate = existing;
    const connections = Array.isArray(existing.connections) ? (existing.connections as unknown[]) : [];
    if (plan.kind === 'updateModel') {
      for (const [k, v] of Object.entries(plan.changes)) {
        if (v === undefined) delete candidate[k];
        else candidate[k] = v;
      }
    } else if (plan.kind === 'addConnection') {
      candidate.connections = [...connections, plan.connection];
      ci = connections.length;
    } else {
      const at = findByName(connections, target.connection);
      if (at < 0) {
        general.push({ level: 'error', text: `Connection “${target.connection}” is no longer in model “${target.model}” (renamed or removed).` });
        return { errors, warnings, general, canSave: false };
      }
      const conn = { ...(connections[at] as Plain) };
      for (const [k, v] of Object.entries(plan.changes)) {
        if (v === undefined) delete conn[k];
        else conn[k] = v;
      }
      candidate.connections = [...connections.filter((_, i) => i !== at), conn];
      ci = connections.length - 1;
    }
  }
  const modelIndex = stubs.length;
  const candidateText = stringify({ version: 1, models: [...stubs, candidate] }, { lineWidth: 0, minContentWidth: 0 });
  const analysis = analyzeManifest(candidateText);
  const doc = parseDocument(candidateText);
  const connectionName = (i: number): string => {
    const list = candidate.connections;
    const c = Array.isArray(list) ? (list[i] as Plain | undefined) : undefined;
    return typeof c?.name === 'string' ? c.name : `#${i + 1}`;
  };

  for (const p of analysis.problems) {
    const at = pathAt(doc.contents, p.start);
    const { path } = at;
    if (path[0] !== 'models' || path[1] !== modelIndex) continue;
    const message = stripLines(p.message);
    const put = (field: string) => {
      if (p.severity === 'error') setError(field, message);
      else if (!(field in warnings)) warnings[field] = message;
    };
    const missing = p.code === 'schema-missing-key' ? /is missing `([^`]+)`/.exec(p.message)?.[1] : undefined;
    const inConnection = path[2] === 'connections' && typeof path[3] === 'number';
    if (!inConnection) {
      if (mode === 'addConnection' || mode === 'editConnection') continue; // the model's own problems are not this form's
      const key = missing ?? (typeof path[2] === 'string' ? path[2] : undefined);
      const field = key ? MODEL_FIELD[key] : undefined;
      if (field) put(field);
      else if (p.code !== 'no-connections') general.push({ level: p.severity === 'error' ? 'error' : 'warning', text: message });
      continue;
    }
    if (path[3] !== ci) {
      // Another connection of the model: only an edited model can cause it (e.g. a Gemini model now in preview).
      if (mode === 'editModel') general.push({ level: p.severity === 'error' ? 'error' : 'warning', text: `Connection “${connectionName(path[3] as number)}”: ${message}` });
      continue;
    }
    const key = missing ?? (typeof path[4] === 'string' ? path[4] : undefined);
    if (key === 'authHeader') put(text(draft, 'authMode') === 'header' ? 'authHeader' : 'authMode');
    else if (key === 'advancedProperties') {
      // A problem spanning the whole mapping (ajv reports `propertyNames` there) belongs to no single row.
      const whole = [path.slice(0, 5), [...path.slice(0, 5), 'headers']].some((p2) => {
        const node = doc.getIn(p2, true) as Node | undefined;
        const range = isNode(node) ? node.range : undefined;
        return !!range && p.start <= range[0] && p.end >= range[1] - 1;
      });
      put((whole ? undefined : advancedRowOf(draft.advanced, path.slice(5), at.onKey)) ?? 'advanced');
    } else {
      const field = key ? CONNECTION_FIELD[key] : undefined;
      if (field) put(field);
      else general.push({ level: p.severity === 'error' ? 'error' : 'warning', text: message });
    }
  }

  // The form's own checks: what a file cannot show (rows, the auth choice) and typed keys.
  if (mode !== 'editModel') {
    if (provider === 'generic' && text(draft, 'authMode') === 'header' && text(draft, 'authHeader').trim() === '') setError('authHeader', 'Enter the header that carries the key, e.g. api-key.');
    if (provider === 'generic') checkRows(draft.advanced, setError);
    if (input.secret) for (const [id, message] of Object.entries(secretProblems(provider, input.secret))) setError(id, message);
  }
  // A whole-map message next to a row message says the same thing less precisely.
  if ('advanced' in errors && Object.keys(errors).some((k) => k.startsWith('advanced.'))) delete errors.advanced;

  const canSave = Object.keys(errors).length === 0 && !general.some((g) => g.level === 'error');
  return { errors, warnings, general, canSave };
}

/** `advanced.<row>.name|value` for a path under `advancedProperties`. */
function advancedRowOf(rows: readonly AdvancedRow[], rest: PathSegment[], onKey: boolean): string | undefined {
  if (rest.length === 0) return undefined;
  let i = -1;
  let part: 'name' | 'value' = 'value';
  if (rest[0] === 'headers') {
    if (rest.length < 2) return undefined;
    i = rows.findIndex((r) => r.kind === 'header' && r.name === String(rest[1]));
    part = onKey && rest.length === 2 ? 'name' : 'value';
  } else {
    i = rows.findIndex((r) => r.kind === 'property' && r.name === String(rest[0]));
    part = onKey && rest.length === 1 ? 'name' : 'value';
  }
  return i < 0 ? undefined : `advanced.${i}.${part}`;
}

function checkRows(rows: readonly AdvancedRow[], setError: (field: string, message: string) => void): void {
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (r.name === '' && r.value === '') return;
    const at = `advanced.${i}.name`;
    if (r.name.trim() === '') {
      setError(at, 'Enter a name.');
      return;
    }
    const id = `${r.kind}:${r.kind === 'header' ? r.name.toLowerCase() : r.name}`;
    if (seen.has(id)) setError(at, `${r.kind === 'header' ? 'Header' : 'Property'} “${r.name}” is listed twice.`);
    seen.add(id);
    if (r.kind === 'header') {
      if (!HEADER_NAME.test(r.name)) setError(at, `“${r.name}” is not a valid HTTP header name.`);
      else if (FORBIDDEN_HEADERS.has(r.name.toLowerCase())) setError(at, r.name.toLowerCase() === 'host' ? 'The Host header cannot be set: the host comes from the Base URL.' : `The ${r.name} header cannot be set here: credentials live in SecretStorage, and the key is sent as Authentication says.`);
      else if (CREDENTIAL_NAME.test(r.name)) setError(at, `“${r.name}” looks like a credential header; keys never go in the manifest: they live in SecretStorage and are sent as Authentication says.`);
    } else {
      if (r.name === 'headers') setError(at, '“headers” is reserved: add headers as Header rows.');
      else if (CREDENTIAL_NAME.test(r.name)) setError(at, `“${r.name}” looks like a credential property; keys never go in the manifest: they live in SecretStorage.`);
    }
  });
}

/** Today as YYYY-MM-DD in local time (the user's "added on"). */
export function isoDate(d = new Date()): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
