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
import { INVISIBLE } from '../../manifest/rules';
import type { Problem } from '../../yaml/problems';
import { quote, type LineIndex } from '../../yaml/text';
import { nodeAtPath, type PathSegment } from '../../yaml/yamlLoad';
import { readSource, type SourceOptions } from './sourceText';

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
  /** How many entries the file lists (models, deployments); none imported out of several means the import failed. */
  entries: number;
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

/**
 * Parses the file to import with the same safe loader as the manifest, after blanking the
 * comments of JSON (Continue's config.json), and expanding YAML anchors, aliases and merge
 * keys as LiteLLM and Continue do (with `laterKeyWins`, a key written twice too, noted);
 * any other YAML error stops the import.
 */
export function loadSource(text: string, what: string, options: SourceOptions = {}): { doc: Document.Parsed; data: Record<string, unknown>; index: LineIndex; notes: ImportWarning[] } {
  const loaded = readSource(text, what, options);
  if (loaded.aliasError) throw new ImportError(`The ${what} cannot be read: ${loaded.aliasError}.`, loaded.errors);
  if (loaded.errors.length > 0 || !loaded.doc || loaded.data === undefined) {
    const first = loaded.errors[0];
    const where = first ? ` (line ${first.range.start.line + 1}: ${first.message})` : '';
    throw new ImportError(`The ${what} cannot be read${where}.`, loaded.errors);
  }
  if (loaded.data === null || typeof loaded.data !== 'object' || Array.isArray(loaded.data)) throw new ImportError(`The ${what} is not a YAML mapping.`);
  return { doc: loaded.doc, data: loaded.data as Record<string, unknown>, index: loaded.index, notes: loaded.notes };
}

/** The value of an inline key listed in `keysToStore`, read from the imported text. Never log it. */
export function inlineKeyValue(text: string, key: KeyToStore): string | undefined {
  if (key.source !== 'inline' || !key.path) return undefined;
  const loaded = readSource(text, 'file', { laterKeyWins: 'its tool' });
  if (!loaded.doc) return undefined;
  const { node } = nodeAtPath(loaded.doc, key.path);
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** What a key field's value is: no key, a reference to an environment variable, a placeholder, or a key. */
export type KeyValueKind =
  | { kind: 'none' }
  | { kind: 'env'; variable: string }
  | { kind: 'placeholder' }
  | { kind: 'key' };

/**
 * `none`: the server takes no key (empty, `none`, vLLM's `EMPTY`, and the values written
 * for servers that ignore the key: `dummy`, `fake`, `no-key`, `lm-studio`, `ollama` …).
 * `env`: `$VAR` or `${VAR}` (a shell-style reference: the key is in that variable).
 * `placeholder`: a key is needed but not written (`<your key>`, `API_KEY`, `YOUR_API_KEY`,
 * `sk-xxx` …). Anything else is a key.
 */
export function classifyKeyValue(raw: string): KeyValueKind {
  const v = raw.trim();
  if (/^(none|null|empty|nil|no[-_ ]?(api[-_ ]?)?key|not[-_ ]?(needed|required|used)|sk-no-key-required|dummy|fake|lm-studio|lmstudio|ollama|anything|unused)?$/i.test(v)) return { kind: 'none' };
  const env = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(v);
  if (env) return { kind: 'env', variable: env[1] ?? env[2] };
  if (/^<[^<>]*>$/.test(v) || /^\[[^[\]]*\]$/.test(v) || /^(your[-_ ]?)?(api[-_ ]?)?(key|token|secret)s?(_here)?$/i.test(v)
    || /^(your|replace|insert|enter|put|add|change|set)[-_ ]/i.test(v) || /^(sk-?)?(x{3,}|\.{3,}|\*{3,})$/i.test(v) || /^(sk-)?\.\.\./.test(v)) return { kind: 'placeholder' };
  return { kind: 'key' };
}

/**
 * The kind of model a model code names when it is not a chat model (embedding, image,
 * speech, moderation, rerank), from the names providers give them; undefined otherwise.
 */
export function nonChatKind(model: string): string | undefined {
  const m = model.toLowerCase().replace(/^.*\//, '');
  if (/embed/.test(m)) return 'an embedding model';
  if (/^(gpt-image|dall-e|imagen|stable-diffusion|sdxl|flux)|image-(generation|preview)|-image$/.test(m)) return 'an image model';
  if (/^(tts|whisper|gpt-4o(-mini)?-(transcribe|tts))|eleven_|speech/.test(m)) return 'a speech model';
  if (/moderation|rerank/.test(m)) return 'a moderation or rerank model';
  if (/^(veo|sora)|video/.test(m)) return 'a video model';
  return undefined;
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
  if (!URL.canParse(url)) return url;
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
  /** A connection name the source gives this entry (LiteLLM `model_info.id`); kept as written, made unique within the model. */
  connectionName?: string;
  /** The source's name of the credential the entry uses (LiteLLM `litellm_credential_name`): it may tell connections apart. */
  credential?: string;
  /** What the entry is used for in the source (Continue roles), kept in the connection's description. */
  roles?: string[];
  /** The source's own description of the entry (LiteLLM `model_info.description`). */
  description?: string;
  /** The key fields and where they come from. */
  keys: Array<Omit<KeyToStore, 'model' | 'connection' | 'cliVariable'>>;
  /** 1-based line in the source, for warnings. */
  line?: number;
}

const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g');

/** A name a manifest accepts: no `/`, no control or invisible characters (an emoji's variation selector), 1–100 characters. */
export function cleanName(name: string, fallback: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are removed
  const s = name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '').replace(INVISIBLE_ALL, '').replace(/\//g, '-').trim().slice(0, 100).trim();
  return s === '' ? fallback : s;
}

/** Lower case, runs of other characters than letters, digits and dots → `-`, at most 60 characters. */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60).replace(/[-.]+$/, '');
}

/** The host of a base URL as a short name: `local` for this machine, else its first telling label (`api.groq.com` → `groq`). */
function hostHint(baseUrl: string): string {
  const host = new URL(baseUrl).hostname;
  if (host === 'localhost' || /^127\./.test(host) || host === '[::1]') return 'local';
  if (/^[\d.]+$/.test(host) || host.startsWith('[')) return host.replace(/[[\]]/g, '');
  const parts = host.split('.').filter((p) => !['api', 'www', 'com', 'ai', 'io', 'net', 'org', 'dev', 'inference', 'integrate'].includes(p));
  return parts[0] ?? host;
}

/** A connection name hint from where a connection goes: the Azure resource, the region, the host. */
export function connectionHint(provider: ProviderId, settings: Record<string, FieldValue>): string | undefined {
  if (provider === 'azure-openai' && typeof settings.endpoint === 'string') return new URL(settings.endpoint).hostname.split('.')[0];
  if (provider === 'amazon-bedrock' && typeof settings.region === 'string') return settings.region;
  if (provider === 'generic' && typeof settings.baseUrl === 'string') return hostHint(settings.baseUrl);
  return undefined;
}

/** Suffix of a model split off a shared name (`gpt-4o-azure`). */
const PROVIDER_SUFFIX: Record<ProviderId, string> = {
  openai: 'openai', anthropic: 'anthropic', 'google-gemini': 'gemini', cohere: 'cohere', 'azure-openai': 'azure', 'amazon-bedrock': 'bedrock', generic: 'generic',
};

/** What can tell connections of one model apart, most telling first: [kind, value]. `primary` kinds also name a lone connection. */
function distinguishers(spec: ConnectionSpec): Array<{ kind: string; value: string; primary?: boolean }> {
  const out: Array<{ kind: string; value: string; primary?: boolean }> = [];
  const s = spec.settings;
  const push = (kind: string, raw: string | undefined, primary = false) => {
    const value = raw === undefined ? '' : slug(raw);
    if (value) out.push({ kind, value: /^[\d.-]+$/.test(value) ? `${kind}-${value}` : value, primary });
  };
  if (spec.provider === 'azure-openai') {
    push('resource', connectionHint(spec.provider, s), true);
    push('deployment', typeof s.deployment === 'string' ? s.deployment : undefined);
    push('api', typeof s.apiVersion === 'string' ? s.apiVersion : undefined);
  } else if (spec.provider === 'amazon-bedrock') {
    push('region', typeof s.region === 'string' ? s.region : undefined, true);
  } else if (spec.provider === 'generic' && typeof s.baseUrl === 'string') {
    const u = new URL(s.baseUrl);
    push('host', hostHint(s.baseUrl), true);
    push('host', `${u.hostname.replace(/[[\]]/g, '')}${u.port ? `-${u.port}` : ''}`);
    push('path', u.pathname.replace(/\/v\d+$/, ''));
  }
  push('credential', spec.credential);
  const variable = spec.keys.find((k) => k.variable)?.variable;
  const stripped = variable?.replace(/_(API_KEY|KEY|ACCESS_KEY_ID|TOKEN)$/i, '');
  push('key', stripped || variable);
  return out;
}

/**
 * What sets model code `b` apart from `a`, as a name suffix, cut at word boundaries:
 * `eu.anthropic.x` against `anthropic.x` → `eu`, `codestral-latest` against
 * `mistral-small-latest` → `codestral`; all of `b` when they share little.
 */
function difference(a: string, b: string): string {
  const ta = a.split(/([-./:_])/);
  const tb = b.split(/([-./:_])/);
  let start = 0;
  while (start < ta.length && start < tb.length && ta[start] === tb[start]) start++;
  let end = 0;
  while (end < ta.length - start && end < tb.length - start && ta[ta.length - 1 - end] === tb[tb.length - 1 - end]) end++;
  const rest = tb.slice(start, tb.length - end);
  const words = rest.filter((t) => !/^[-./:_]?$/.test(t)).length;
  const part = slug(rest.join(''));
  // A difference of most of the words reads better as the whole code.
  return part.length >= 2 && words * 2 <= tb.filter((t) => !/^[-./:_]?$/.test(t)).length ? part : slug(b);
}

/** Two entries that are the same connection: same provider settings and the same key (variable, secret or place in the file). */
function identity(spec: ConnectionSpec): string {
  const settings = Object.keys(spec.settings).sort().map((k) => [k, spec.settings[k]]);
  return JSON.stringify([settings, spec.keys.map((k) => [k.field, k.source, k.variable ?? '', k.span?.start ?? -1])]);
}

interface Pending {
  spec: ConnectionSpec;
  baseName: string;
}

interface Group {
  baseName: string;
  provider: ProviderId;
  model: string;
  items: Pending[];
  name?: string;
}

/**
 * `base`, else `base-2`, `base-3` … (the first not in `used`), which is then added to `used`.
 * `next` remembers where the count of each base stopped: names are only ever added, so the
 * numbers below it are still taken, and a thousand clashes of one name cost no more than one.
 */
function numbered(base: string, used: Set<string>, next: Map<string, number>): string {
  let name = base;
  for (let k = next.get(base) ?? 2; used.has(name); k++) {
    name = `${base}-${k}`;
    next.set(base, k + 1);
  }
  used.add(name);
  return name;
}

const linesOf = (items: Pending[]) => {
  const lines = items.map((p) => p.spec.line).filter((l): l is number => l !== undefined);
  return lines.length === 0 ? '' : ` (line${lines.length === 1 ? '' : 's'} ${lines.join(', ')})`;
};

/**
 * Collects the entries of the imported file, then builds the models: entries with the
 * same name, provider and model code are one model with one connection each (LiteLLM
 * load-balances over them); the same name with another provider or model code becomes a
 * separate model (`<name>-<provider>`, or `<name>-<model code>` for the same provider),
 * with a warning. Connection names come from what tells a model's entries apart.
 */
export class ModelCollector {
  private readonly pending: Pending[] = [];

  /** `source`: `LiteLLM` or `Continue`, for descriptions. */
  constructor(private readonly warnings: ImportWarning[], private readonly options: ImportOptions, private readonly source = 'the source') {}

  private today(): string {
    return this.options.today ?? isoToday();
  }

  /** How many entries were added. */
  get size(): number {
    return this.pending.length;
  }

  /** How many entries the source lists, imported or not (set by the importer). */
  entries = 0;

  add(spec: ConnectionSpec): void {
    const baseName = cleanName(spec.modelName, `${spec.provider}-model`);
    if (baseName !== spec.modelName) this.warnings.push({ message: `Model name ${quote(spec.modelName)} was changed to ${quote(baseName)}: manifest names cannot contain \`/\`, control or invisible characters.`, line: spec.line });
    this.pending.push({ spec, baseName });
  }

  private warn(message: string, line: number | undefined): void {
    this.warnings.push({ message, line });
  }

  /** The pending entries grouped into models, named. */
  private groups(): Group[] {
    const groups: Group[] = [];
    // Groups by name, provider and model code; and the groups of each name, in file order.
    const byKey = new Map<string, Group>();
    const byName = new Map<string, Group[]>();
    for (const p of this.pending) {
      const key = JSON.stringify([p.baseName, p.spec.provider, p.spec.model]);
      const g = byKey.get(key);
      if (g) {
        g.items.push(p);
        continue;
      }
      const created: Group = { baseName: p.baseName, provider: p.spec.provider, model: p.spec.model, items: [p] };
      groups.push(created);
      byKey.set(key, created);
      const siblings = byName.get(p.baseName);
      if (siblings) siblings.push(created);
      else byName.set(p.baseName, [created]);
    }
    const taken = new Set(byName.keys());
    const next = new Map<string, number>();
    /** How many groups of each name and provider were named so far (the first of a provider takes the provider's suffix). */
    const perProvider = new Map<string, number>();
    for (const siblings of byName.values()) {
      for (const g of siblings) perProvider.set(`${g.provider}\u0000${g.baseName}`, (perProvider.get(`${g.provider}\u0000${g.baseName}`) ?? 0) + 1);
    }
    for (const g of groups) {
      const siblings = byName.get(g.baseName)!;
      if (siblings[0] === g) {
        g.name = g.baseName;
        continue;
      }
      const suffix = perProvider.get(`${g.provider}\u0000${g.baseName}`)! > 1 ? difference(siblings[0].model, g.model)
        : g.provider === 'generic' ? slug(connectionHint('generic', g.items[0].spec.settings) ?? 'generic') : PROVIDER_SUFFIX[g.provider];
      const base = cleanName(`${g.baseName.slice(0, 100 - suffix.length - 4)}-${suffix || 'model'}`, 'model');
      g.name = numbered(base, taken, next);
    }
    for (const [baseName, siblings] of byName) {
      if (siblings.length < 2) continue;
      const parts = siblings.map((g, i) => `${g.provider} ${quote(g.model)}${linesOf(g.items)} ${i === 0 ? 'kept the name' : `became the model ${quote(g.name!)}`}`);
      this.warn(`${quote(baseName)} names entries with different providers or model codes; a manifest model has one provider and one model code, so they are separate models: ${parts.join('; ')}.`, siblings[1].items[0].spec.line);
    }
    return groups;
  }

  /** Drops entries that repeat an earlier one of the same model (same settings and key), with a warning; merges their roles. */
  private distinct(g: Group): Pending[] {
    const kept: Pending[] = [];
    const seen = new Map<string, Pending>();
    for (const p of g.items) {
      const key = JSON.stringify([identity(p.spec), p.spec.connectionName ?? '']);
      const same = seen.get(key);
      if (!same) {
        kept.push(p);
        seen.set(key, p);
        continue;
      }
      if (p.spec.roles) same.spec.roles = [...new Set([...(same.spec.roles ?? []), ...p.spec.roles])];
      this.warn(`An entry of ${quote(g.name!)}${p.spec.line ? ` (line ${p.spec.line})` : ''} repeats the one${same.spec.line ? ` on line ${same.spec.line}` : ''} (same settings and key); it was imported once.`, p.spec.line);
    }
    return kept;
  }

  /** Connection names, in the order of `items`: the source's own name, else what tells them apart. */
  private connectionNames(g: Group, items: Pending[]): string[] {
    /** The next number to try after a name (see `numbered`). */
    const next = new Map<string, number>();
    const names: Array<string | undefined> = items.map((p) => (p.spec.connectionName ? cleanName(p.spec.connectionName, 'default') : undefined));
    const explicit = new Set(names.filter((n): n is string => n !== undefined));
    const rest = items.map((p, i) => ({ p, i })).filter((x) => names[x.i] === undefined);
    const lone = (p: Pending) => {
      const d = distinguishers(p.spec);
      return (d.find((x) => x.primary) ?? d.find((x) => x.kind === 'credential'))?.value ?? 'default';
    };
    if (rest.length === 1) {
      names[rest[0].i] = lone(rest[0].p);
    } else if (rest.length > 1) {
      const all = rest.map((x) => distinguishers(x.p.spec));
      const kinds = [...new Set(all.flat().map((d) => d.kind))];
      const valueOf = (d: ReturnType<typeof distinguishers>, kind: string) => d.filter((x) => x.kind === kind).map((x) => x.value);
      const tries: string[][] = [];
      // One kind that tells them all apart (e.g. the region), else two together (resource and deployment).
      for (const k of kinds) tries.push([k]);
      for (let a = 0; a < kinds.length; a++) for (let b = a + 1; b < kinds.length; b++) tries.push([kinds[a], kinds[b]]);
      let chosen: string[] | undefined;
      for (const t of tries) {
        // Each candidate: one value per kind (a kind with two values, like `host`, is tried with each).
        for (const pick of [0, 1]) {
          const candidate = all.map((d) => {
            const vs = t.map((k) => valueOf(d, k));
            return vs.every((v) => v.length > 0) ? vs.map((v) => v[Math.min(pick, v.length - 1)]).join('-').slice(0, 100) : undefined;
          });
          if (candidate.every((c) => c !== undefined) && new Set(candidate).size === candidate.length && !candidate.some((c) => explicit.has(c!))) {
            chosen = candidate as string[];
            break;
          }
        }
        if (chosen) break;
      }
      if (chosen) {
        rest.forEach((x, j) => (names[x.i] = chosen![j]));
      } else {
        const used = new Set(explicit);
        for (const x of rest) names[x.i] = numbered(lone(x.p), used, next);
        this.warn(`The entries of ${quote(g.name!)}${linesOf(rest.map((x) => x.p))} differ in nothing that can name a connection (endpoint, deployment, region, host, credential or key variable); they were named ${rest.map((x) => quote(names[x.i]!)).join(', ')} in file order.`, rest[1].p.spec.line);
      }
    }
    // Explicit names that repeat (or clash with a derived one) get a number.
    const seen = new Set<string>();
    const after = new Map<string, number>();
    return names.map((n, i) => {
      const name = numbered(n!, seen, after);
      if (name !== n) this.warn(`The connection name ${quote(n!)} is used twice in ${quote(g.name!)}; the later one became ${quote(name)}.`, items[i].spec.line);
      return name;
    });
  }

  private assemble(): { models: ImportedModel[]; keysToStore: KeyToStore[] } {
    const models: ImportedModel[] = [];
    const keysToStore: KeyToStore[] = [];
    for (const g of this.groups()) {
      const modelName = g.name!;
      const items = this.distinct(g);
      const names = this.connectionNames(g, items);
      const connections = items.map((p, i) => {
        const conn: Record<string, FieldValue> = { name: names[i], enabled: true };
        if (this.options.addedBy) conn.addedBy = this.options.addedBy.slice(0, 200);
        conn.addedOn = this.today();
        const roles = p.spec.roles && p.spec.roles.length > 0 ? `${this.source} roles: ${p.spec.roles.join(', ')}` : undefined;
        // eslint-disable-next-line no-control-regex -- one line without control characters
        const own = p.spec.description?.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
        const description = own ? (roles ? `${own} (${roles})` : own) : roles;
        if (description) conn.description = description.slice(0, 1000);
        Object.assign(conn, p.spec.settings);
        if (g.provider === 'google-gemini' && conn.apiVersion === undefined) conn.apiVersion = defaultGeminiApiVersion(g.model);
        const vars = credentialVariables(modelName, names[i], credentialKindFor(g.provider, p.spec.settings));
        for (const k of p.spec.keys) keysToStore.push({ model: modelName, connection: names[i], cliVariable: vars[k.field] ?? vars.apiKey ?? '', ...k });
        return conn;
      });
      models.push({ model: { name: modelName, type: g.provider === 'generic' ? 'api' : 'easy', provider: g.provider, model: g.model, addedOn: this.today() }, connections });
    }
    return { models, keysToStore };
  }

  /** The manifest text: a header comment, `version: 1` and the models, written by `edit.addModel`. */
  build(header: string[]): ImportResult {
    const { models, keysToStore } = this.assemble();
    // eslint-disable-next-line no-control-regex -- a header line must stay one comment line
    const clean = (l: string) => `# ${l.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')}`.trimEnd();
    // Each model is written by edit.addModel on its own, as it appends a model to a block
    // list: adding them one by one to the growing text would re-read it each time (quadratic).
    // The whole text is read once below.
    const empty = 'version: 1\nmodels: []\n';
    const list = 'version: 1\nmodels:\n';
    const blocks = models.map((m) => {
      const one = applyEdits(empty, addModel(empty, m.model, m.connections));
      if (!one.startsWith(list)) throw new ImportError(`The imported model ${quote(String(m.model.name))} could not be written as a list item.`);
      return one.slice(list.length);
    });
    const text = header.map((l) => `${clean(l)}\n`).join('') + (blocks.length > 0 ? list + blocks.join('') : empty);
    const check = analyzeManifest(text);
    if (check.errorCount > 0) {
      // Should not happen: every value was checked on the way in. Say which rule refused it rather than writing a broken file.
      const first = check.problems.find((p) => p.severity === 'error')!;
      throw new ImportError(`The imported manifest would not be valid (line ${first.range.start.line + 1}: ${first.message}).`, check.problems);
    }
    // Warnings in file order; those about the whole file last.
    const warnings = [...this.warnings].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    return { manifest: text, models, warnings, keysToStore, entries: this.entries };
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
