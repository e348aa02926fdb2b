/**
 * What the importers share: the result shape, the manifest builder (through edit.ts, so
 * the output is exactly what the editor would write), connection naming, URL checks
 * and the OpenAI-compatible services that map to `generic` connections.
 *
 * Inline keys are never part of a result: a key found in the imported file is listed
 * in `keysToStore` by connection, with where it sits in the source text, so a caller
 * that must store it (the editor, after the user confirms) reads it there.
 */
import { isScalar, type Document, type Node } from 'yaml';
import { defaultGeminiApiVersion, FORBIDDEN_HEADERS, type ProviderId } from '../../providers/catalog';
import { addModel, applyEdits, type FieldValue } from '../../manifest/edit';
import { credentialVariables, type CredentialKind } from '../exporters/envNames';
import { analyzeManifest } from '../../manifest/manifest';
import type { Problem } from '../../yaml/problems';
import { quote, type LineIndex } from '../../yaml/text';
import { loadYaml, nodeAtPath, type PathSegment } from '../../yaml/yamlLoad';

export type KeySource = 'inline' | 'env' | 'secret';
export type KeyField = 'apiKey' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken';

export interface KeyToStore {
  /** The imported connection, as named in the new manifest. */
  model: string;
  connection: string;
  field: KeyField;
  /** `inline`: the key is written in the imported file; `env`: an environment variable; `secret`: a Continue secret. */
  source: KeySource;
  /** `env`: the variable (`OPENAI_API_KEY`); `secret`: the secret's name. */
  variable?: string;
  /** e.g. "LiteLLM's default when api_key is not set". */
  note?: string;
  /** `inline`: where the value is in the imported text (data path and offsets of the scalar). Read it with `inlineKeyValue`. */
  path?: PathSegment[];
  span?: { start: number; end: number };
  /** The variable the CLI reads this credential from (`AGENT_CONNECTIONS__…`). */
  cliVariable: string;
}

export interface ImportWarning {
  message: string;
  /** 1-based line in the imported file, when the warning is about one place. */
  line?: number;
}

/** One model to add, with its connections, as `edit.addModel` takes them. */
export interface ImportedModel {
  model: Record<string, FieldValue>;
  connections: Array<Record<string, FieldValue>>;
}

export interface ImportResult {
  /** A complete manifest (`version: 1`, the models), which `analyzeManifest` reads with no errors. */
  manifest: string;
  /** The same models, to add to an existing manifest with `edit.addModel`. */
  models: ImportedModel[];
  warnings: ImportWarning[];
  keysToStore: KeyToStore[];
}

export interface ImportOptions {
  /** `addedOn` of the new models and connections (YYYY-MM-DD); default today (UTC). */
  today?: string;
  /** `addedBy` of the new connections; left out when not given. */
  addedBy?: string;
  /** File name for the header comment. */
  sourceName?: string;
  /**
   * Environment used only to resolve *settings* written as references (a region or a base
   * URL from `os.environ/X`); keys are never read from it.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The imported file cannot be read at all (missing section, invalid YAML …). */
export class ImportError extends Error {
  constructor(message: string, readonly problems: Problem[] = []) {
    super(message);
    this.name = 'ImportError';
  }
}

export function isoToday(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Parses the file to import with the same safe loader as the manifest; any YAML error stops the import. */
export function loadSource(text: string, what: string): { doc: Document.Parsed; data: Record<string, unknown>; index: LineIndex } {
  const loaded = loadYaml(text, what);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !loaded.doc || loaded.data === undefined) {
    const first = errors[0];
    const where = first ? ` (line ${first.range.start.line + 1}: ${first.message})` : '';
    throw new ImportError(`The ${what} cannot be read${where}.`, errors);
  }
  if (loaded.data === null || typeof loaded.data !== 'object' || Array.isArray(loaded.data)) throw new ImportError(`The ${what} is not a YAML mapping.`);
  return { doc: loaded.doc, data: loaded.data as Record<string, unknown>, index: loaded.index };
}

/** The value of an inline key listed in `keysToStore`, read from the imported text. Never log it. */
export function inlineKeyValue(text: string, key: KeyToStore): string | undefined {
  if (key.source !== 'inline' || !key.path) return undefined;
  const loaded = loadYaml(text, 'file');
  if (!loaded.doc) return undefined;
  const { node } = nodeAtPath(loaded.doc, key.path);
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Reads one scalar-ish field of the imported data; numbers become strings (`api_version: 2024-10-21` may be read as a string anyway). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 1-based line of the node at a data path of the imported file. */
export function lineOf(doc: Document.Parsed, index: LineIndex, path: readonly PathSegment[]): number | undefined {
  const { node, pair } = nodeAtPath(doc, path);
  const n = (node ?? (pair?.key as Node | undefined));
  return n?.range ? index.positionAt(n.range[0]).line + 1 : undefined;
}

/** Offsets of the scalar at a data path (for inline keys). */
export function spanOf(doc: Document.Parsed, path: readonly PathSegment[]): { start: number; end: number } | undefined {
  const { node } = nodeAtPath(doc, path);
  return node?.range ? { start: node.range[0], end: node.range[1] } : undefined;
}

// ---------------------------------------------------------------------------------------
// URLs

/** A base URL a generic connection can use: http(s), no user info, query or fragment; trailing slashes dropped. */
export function cleanBaseUrl(url: string): { url?: string; problem?: string } {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return { problem: `${quote(url)} is not a URL` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { problem: `${quote(u.protocol)} is not http or https` };
  if (u.username || u.password) return { problem: 'the URL contains a user name or password (credentials never go in the manifest)' };
  if (u.search || u.hash) return { problem: 'the URL has a query string or fragment' };
  return { url: `${u.origin}${u.pathname.replace(/\/+$/, '')}` };
}

/** Ollama and similar servers are given as their root URL; their OpenAI-compatible API is under `/v1`. */
export function withV1(url: string): string {
  const u = new URL(url);
  return u.pathname === '/' || u.pathname === '' ? `${u.origin}/v1` : url;
}

/** An Azure endpoint is the resource URL: https, origin only. */
export function azureEndpoint(url: string): { url?: string; problem?: string; droppedPath?: string } {
  const c = cleanBaseUrl(url);
  if (!c.url) return c;
  const u = new URL(c.url);
  if (u.protocol !== 'https:') return { problem: 'an Azure endpoint must use https' };
  const path = u.pathname.replace(/\/+$/, '');
  return { url: u.origin, droppedPath: path && path !== '/openai' ? path : undefined };
}

// ---------------------------------------------------------------------------------------
// OpenAI-compatible services → generic connections

export interface CompatibleService {
  label: string;
  /** Default base URL of its OpenAI-compatible API; absent when the file must give one. */
  baseUrl?: string;
  /** A local server that usually needs no key (`authHeader: none` unless a key is given). */
  local?: boolean;
  /** The server is given by its root URL and serves the OpenAI API under /v1. */
  rootUrl?: boolean;
}

export const COMPATIBLE_SERVICES: Record<string, CompatibleService> = {
  groq: { label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1' },
  mistral: { label: 'Mistral', baseUrl: 'https://api.mistral.ai/v1' },
  codestral: { label: 'Mistral Codestral', baseUrl: 'https://codestral.mistral.ai/v1' },
  deepseek: { label: 'DeepSeek', baseUrl: 'https://api.deepseek.com/v1' },
  openrouter: { label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1' },
  together: { label: 'Together AI', baseUrl: 'https://api.together.xyz/v1' },
  fireworks: { label: 'Fireworks AI', baseUrl: 'https://api.fireworks.ai/inference/v1' },
  xai: { label: 'xAI', baseUrl: 'https://api.x.ai/v1' },
  perplexity: { label: 'Perplexity', baseUrl: 'https://api.perplexity.ai' },
  deepinfra: { label: 'DeepInfra', baseUrl: 'https://api.deepinfra.com/v1/openai' },
  cerebras: { label: 'Cerebras', baseUrl: 'https://api.cerebras.ai/v1' },
  nvidia: { label: 'NVIDIA NIM', baseUrl: 'https://integrate.api.nvidia.com/v1' },
  ollama: { label: 'Ollama', baseUrl: 'http://localhost:11434/v1', local: true, rootUrl: true },
  lmstudio: { label: 'LM Studio', baseUrl: 'http://localhost:1234/v1', local: true },
  vllm: { label: 'vLLM', local: true },
  llamacpp: { label: 'llama.cpp', baseUrl: 'http://localhost:8080/v1', local: true },
  litellm: { label: 'a LiteLLM proxy' },
};

// ---------------------------------------------------------------------------------------
// Building the models

export interface ConnectionSpec {
  /** The name in the source (LiteLLM model_name, Continue name). */
  modelName: string;
  provider: ProviderId;
  /** The provider's model code. */
  model: string;
  /** Provider settings of the connection (endpoint, region, baseUrl …). */
  settings: Record<string, FieldValue>;
  /** Preferred connection name; made unique within the model. */
  connectionName?: string;
  /** The key fields and where they come from. */
  keys: Array<Omit<KeyToStore, 'model' | 'connection' | 'cliVariable'>>;
  /** 1-based line in the source, for warnings. */
  line?: number;
}

/** A name a manifest accepts: no `/`, no control characters, 1–100 characters. */
export function cleanName(name: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are removed
  const s = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '').replace(/\//g, '-').trim().slice(0, 100).trim();
  return s === '' ? fallback : s;
}

/** A connection name hint from where a connection goes: the Azure resource, the region, the host. */
export function connectionHint(provider: ProviderId, settings: Record<string, FieldValue>): string | undefined {
  if (provider === 'azure-openai' && typeof settings.endpoint === 'string') return new URL(settings.endpoint).hostname.split('.')[0];
  if (provider === 'amazon-bedrock' && typeof settings.region === 'string') return settings.region;
  if (provider === 'generic' && typeof settings.baseUrl === 'string') {
    const host = new URL(settings.baseUrl).hostname;
    if (host === 'localhost' || /^127\./.test(host) || host === '[::1]') return 'local';
    const parts = host.split('.').filter((p) => !['api', 'www', 'com', 'ai', 'io', 'net', 'org', 'dev', 'inference', 'integrate'].includes(p));
    return parts[0] ?? host;
  }
  return undefined;
}

export class ModelCollector {
  readonly models: Array<ImportedModel & { key: string }> = [];
  readonly keysToStore: KeyToStore[] = [];

  constructor(private readonly warnings: ImportWarning[], private readonly options: ImportOptions) {}

  private today(): string {
    return this.options.today ?? isoToday();
  }

  /** Adds a connection, grouping it with earlier ones of the same name, provider and model code. */
  add(spec: ConnectionSpec): { model: string; connection: string } {
    const baseName = cleanName(spec.modelName, `${spec.provider}-model`);
    if (baseName !== spec.modelName) this.warnings.push({ message: `Model name ${quote(spec.modelName)} was changed to ${quote(baseName)}: manifest names cannot contain \`/\` or control characters.`, line: spec.line });
    const groupKey = JSON.stringify([baseName, spec.provider, spec.model]);
    let target = this.models.find((m) => m.key === groupKey);
    if (!target) {
      let name = baseName;
      if (this.models.some((m) => m.model.name === name)) {
        name = this.freeModelName(`${baseName}-${spec.provider}`);
        this.warnings.push({ message: `${quote(spec.modelName)} is used for more than one provider or model code; the ${spec.provider} entry became the model ${quote(name)} (a manifest model has one provider and model code).`, line: spec.line });
      }
      target = {
        key: groupKey,
        model: { name, type: spec.provider === 'generic' ? 'api' : 'easy', provider: spec.provider, model: spec.model, addedOn: this.today() },
        connections: [],
      };
      this.models.push(target);
    }
    const taken = new Set(target.connections.map((c) => String(c.name)));
    const hint = cleanName(spec.connectionName ?? connectionHint(spec.provider, spec.settings) ?? 'default', 'default');
    let connection = hint;
    for (let i = 2; taken.has(connection); i++) connection = `${hint}-${i}`;
    const conn: Record<string, FieldValue> = { name: connection, enabled: true };
    if (this.options.addedBy) conn.addedBy = this.options.addedBy.slice(0, 200);
    conn.addedOn = this.today();
    Object.assign(conn, spec.settings);
    if (spec.provider === 'google-gemini' && conn.apiVersion === undefined) conn.apiVersion = defaultGeminiApiVersion(spec.model);
    target.connections.push(conn);
    const modelName = String(target.model.name);
    const vars = credentialVariables(modelName, connection, credentialKindFor(spec.provider, spec.settings));
    for (const k of spec.keys) {
      const cliVariable = vars[k.field] ?? vars.apiKey ?? '';
      this.keysToStore.push({ model: modelName, connection, cliVariable, ...k });
    }
    return { model: modelName, connection };
  }

  private freeModelName(base: string): string {
    let name = base;
    for (let i = 2; this.models.some((m) => m.model.name === name); i++) name = `${base}-${i}`;
    return name;
  }

  /** The manifest text: a header comment, `version: 1` and the models, written by `edit.addModel`. */
  build(header: string[]): ImportResult {
    // eslint-disable-next-line no-control-regex -- a header line must stay one comment line
    const clean = (l: string) => `# ${l.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')}`.trimEnd();
    let text = [...header.map(clean), 'version: 1', 'models: []', ''].join('\n');
    for (const m of this.models) text = applyEdits(text, addModel(text, m.model, m.connections));
    const check = analyzeManifest(text);
    if (check.errorCount > 0) {
      // Should not happen: every value was checked on the way in. Say which rule refused it rather than writing a broken file.
      const first = check.problems.find((p) => p.severity === 'error')!;
      throw new ImportError(`The imported manifest would not be valid (line ${first.range.start.line + 1}: ${first.message}).`, check.problems);
    }
    // Warnings in file order; those about the whole file last.
    const warnings = [...this.warnings].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    return { manifest: text, models: this.models.map(({ model, connections }) => ({ model, connections })), warnings, keysToStore: this.keysToStore };
  }
}

export function credentialKindFor(provider: ProviderId, settings: Record<string, FieldValue>): CredentialKind {
  if (provider === 'amazon-bedrock') return 'aws';
  if (provider === 'generic' && typeof settings.authHeader === 'string' && settings.authHeader.toLowerCase() === 'none') return 'none';
  return 'apiKey';
}

/** Headers a generic connection can keep (valid names, not credential headers, values without line breaks). */
export function keepHeaders(headers: unknown, warn: (message: string) => void): Record<string, FieldValue> | undefined {
  if (!isRecord(headers)) return undefined;
  const out: Record<string, FieldValue> = {};
  const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
  const CREDENTIAL_NAME = /auth|key|token|secret|passw|cookie|credential|signature|session/i;
  for (const [name, raw] of Object.entries(headers)) {
    const value = str(raw);
    if (value === undefined) {
      warn(`Header ${quote(name)} is not a plain string and was not imported.`);
    } else if (!HEADER_NAME.test(name) || name.length > 100) {
      warn(`${quote(name)} is not a valid header name and was not imported.`);
    } else if (FORBIDDEN_HEADERS.has(name.toLowerCase()) || CREDENTIAL_NAME.test(name)) {
      warn(`Header \`${name}\` carries credentials and was not imported: the key is sent from SecretStorage as \`authHeader\` says.`);
    } else if (/[\r\n\0]/.test(value) || value.length > 1000 || /^\s*(bearer|basic)\s/i.test(value) || /\$\{\{|os\.environ\//.test(value)) {
      warn(`The value of header \`${name}\` is a credential, a reference or not a single line, and was not imported.`);
    } else {
      out[name] = value;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A map's keys that the importer does not use, for one "not imported" warning. */
export function unusedKeys(map: Record<string, unknown>, used: ReadonlySet<string>): string[] {
  return Object.keys(map).filter((k) => !used.has(k));
}
