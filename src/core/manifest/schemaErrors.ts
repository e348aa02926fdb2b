/**
 * Turns the precompiled validators' errors into problems at the exact node, with
 * messages a person can act on (did-you-mean for unknown keys, the allowed values,
 * where a misplaced setting belongs, and why credentials never go in the file).
 */
import type { Document } from 'yaml';
import { PROVIDER_SETTINGS, isCredentialLikeKey, isProviderId, providerLabel, type ProviderId } from '../providers/catalog';
import { allowedKeys } from '../generated/schemaInfo';
import type { SchemaError } from '../generated/validators';
import { MAX_PROBLEMS } from '../yaml/problems';
import { closest, quote } from '../yaml/text';
import { fromYamlDocument, isTMap, pairOf, type TDoc, type TNode, type TPair } from '../yaml/yamlTree';
import { isYamlDocument } from '../yaml/yamlLib';
import { parsePointer, type PathSegment, type ProblemList } from '../yaml/yamlLoad';

export type FileKind = 'manifest' | 'agents';

/** Which set of allowed keys applies to the object at `path`. */
function objectKind(kind: FileKind, path: readonly PathSegment[], data: unknown): string {
  if (kind === 'agents') {
    if (path.length === 0) return 'agentsRoot';
    return path[0] === 'supervisors' ? 'supervisor' : 'agent';
  }
  if (path.length === 0) return 'root';
  if (path.length === 2) return 'model';
  const provider = modelAt(data, path[1])?.provider;
  return isProviderId(provider) ? `connection-${provider}` : 'connection-common';
}

function modelAt(data: unknown, index: PathSegment): Record<string, unknown> | undefined {
  const models = (data as { models?: unknown })?.models;
  if (!Array.isArray(models) || typeof index !== 'number') return undefined;
  const m = models[index];
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : undefined;
}

function nameOf(value: unknown): string | undefined {
  const n = (value as { name?: unknown })?.name;
  return typeof n === 'string' ? n : undefined;
}

/** "model `gpt-4o`", "connection `k1` of model `gpt-4o`", "supervisor `triage`", "the manifest". */
export function describeObject(kind: FileKind, path: readonly PathSegment[], data: unknown): string {
  if (kind === 'agents') {
    if (path.length < 2) return 'the agents file';
    const list = (data as Record<string, unknown[]>)[String(path[0])];
    const item = Array.isArray(list) ? list[path[1] as number] : undefined;
    const what = path[0] === 'supervisors' ? 'supervisor' : 'agent';
    const n = nameOf(item);
    return n !== undefined ? `${what} ${quote(n)}` : `${what} #${Number(path[1]) + 1}`;
  }
  if (path.length < 2) return 'the manifest';
  const model = modelAt(data, path[1]);
  const modelLabel = nameOf(model) !== undefined ? `model ${quote(nameOf(model))}` : `model #${Number(path[1]) + 1}`;
  if (path.length < 4 || path[2] !== 'connections') return modelLabel;
  const conns = model?.connections;
  const conn = Array.isArray(conns) ? conns[path[3] as number] : undefined;
  const n = nameOf(conn);
  return `${n !== undefined ? `connection ${quote(n)}` : `connection #${Number(path[3]) + 1}`} of ${modelLabel}`;
}

const PATTERN_HINTS: Record<string, string> = {
  name: 'names are 1–100 characters, without `/` (references are written `model/connection`) or control characters',
  addedOn: 'write the date as YYYY-MM-DD, e.g. 2026-11-22',
  region: 'an AWS region such as `us-east-1`',
  apiVersion: 'an API version such as `v1`, `v1beta` or `2024-10-21`',
  endpoint: 'an https URL such as `https://my-resource.openai.azure.com`',
  baseUrl: 'an http(s) URL such as `https://api.groq.com/openai/v1`',
  connection: 'a reference written `model/connection`, e.g. `gpt-4o/prod-key-1`',
  authHeader: 'a header name such as `Authorization` or `api-key`, or `none`',
};

/** The node at a data path (keys of mappings, indexes of sequences), and the pair holding it. */
export function treeNodeAtPath(doc: TDoc, path: readonly PathSegment[]): { node?: TNode; pair?: TPair; parent?: TNode } {
  let node: TNode | null | undefined = doc.contents;
  let pair: TPair | undefined;
  let parent: TNode | undefined;
  for (const seg of path) {
    parent = node ?? parent;
    if (node?.kind === 'map') {
      pair = pairOf(node, String(seg));
      if (!pair) return { parent };
      node = pair.value;
    } else if (node?.kind === 'seq' && typeof seg === 'number') {
      pair = undefined;
      const item: TNode | TPair | null | undefined = node.items[seg];
      node = item?.kind === 'pair' ? undefined : item;
    } else return { parent };
  }
  return { node: node ?? undefined, pair, parent };
}

/** `doc` is the file's position tree (a `yaml` Document is converted first). */
export function reportSchemaErrors(kind: FileKind, errors: readonly SchemaError[], source: TDoc | Document.Parsed, data: unknown, problems: ProblemList, skipKeys: ReadonlySet<string>): void {
  const doc: TDoc = isYamlDocument(source) ? fromYamlDocument(source as Document.Parsed) : (source as TDoc);
  for (const err of errors) {
    // Each error looks its node up; once the list is full the rest would only cost time
    // (a mapping with 200,000 unknown keys took minutes).
    if (problems.items.length >= MAX_PROBLEMS) break;
    if (err.keyword === 'if' || err.keyword === 'allOf') continue;
    const path = parsePointer(err.instancePath);
    const { node, pair } = treeNodeAtPath(doc, path);
    const last = path[path.length - 1];
    const prop = typeof last === 'string' ? last : undefined;
    const where = describeObject(kind, path, data);
    const valueSpan = node?.range ? [node.range[0], node.range[1]] : pair?.key?.range ? [pair.key.range[0], pair.key.range[1]] : [0, 0];

    // A property name refused by `propertyNames`: reported at that key, once (the wrapper
    // error `propertyNames` only repeats it), saying why.
    const propertyName = (err as { propertyName?: unknown }).propertyName;
    if (err.keyword === 'propertyNames') continue;
    if (typeof propertyName === 'string') {
      const keyRange = pairOf(node, propertyName)?.key?.range;
      const span = keyRange ? [keyRange[0], keyRange[1]] : valueSpan;
      if (err.keyword === 'not') {
        const what = prop === 'headers' ? `The ${quote(propertyName)} header cannot be set here` : `${quote(propertyName)} cannot be set in \`${prop ?? 'value'}\` of ${where}`;
        problems.add('schema-invalid-value', 'error', `${what}: credentials live in SecretStorage (names containing auth, key, token, secret, passw, cookie, credential, signature or session are refused).`, span[0], span[1]);
        continue;
      }
      // An invalid header name has its own rule (header-name), at the same key.
      if (prop === 'headers' && err.keyword === 'pattern') continue;
      const why = err.keyword === 'maxLength' ? `it is longer than ${err.params.limit} characters`
          : 'start with a letter or `_`, then letters, digits, `_`, `.` or `-`';
      problems.add('schema-invalid-value', 'error', `${quote(propertyName)} cannot be a name in \`${prop ?? 'value'}\` of ${where}: ${why}.`, span[0], span[1]);
      continue;
    }
    if (err.keyword === 'not') {
      problems.add('schema-invalid-value', 'error', `\`${prop ?? 'value'}\` of ${where} looks like a credential (\`Bearer …\` / \`Basic …\`): keys never go in this file, they stay in VS Code SecretStorage.`, valueSpan[0], valueSpan[1]);
      continue;
    }

    switch (err.keyword) {
      case 'additionalProperties': {
        const key = String(err.params.additionalProperty);
        if (skipKeys.has(key)) break;
        const keyPair = pairOf(node, key);
        const span = keyPair?.key?.range ?? [valueSpan[0], valueSpan[0]];
        problems.add('schema-unknown-key', 'error', unknownKeyMessage(kind, key, path, data, where), span[0], span[1]);
        break;
      }
      case 'required': {
        const missing = String(err.params.missingProperty);
        // The first line of the object: short, and where the user will add the key.
        let start = valueSpan[0];
        let end = valueSpan[1];
        if (isTMap(node) && node.items.length > 0) {
          const first = node.items[0];
          start = first.key ? first.key.range[0] : start;
          const fv = first.value;
          end = fv ? fv.range[1] : start;
        } else if (pair?.key && pair.key.kind === 'scalar') {
          [start, end] = pair.key.range;
        }
        problems.add('schema-missing-key', 'error', `${capitalize(where)} is missing \`${missing}\`${missingHint(missing, kind, path, data)}.`, start, end);
        break;
      }
      case 'enum': {
        const allowed = (err.params.allowedValues as unknown[]).map(String);
        const value = (node?.kind === 'scalar' ? node.value : undefined) as unknown;
        const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
        problems.add('schema-invalid-value', 'error', `\`${prop ?? 'value'}\` must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}${guess ? ` — did you mean \`${guess}\`?` : '.'}`, valueSpan[0], valueSpan[1]);
        break;
      }
      case 'const': {
        const expected = err.params.allowedValue as unknown;
        let message = `\`${prop ?? 'value'}\` must be \`${String(expected)}\`.`;
        if (prop === 'type' && kind === 'manifest') {
          const provider = modelAt(data, path[1])?.provider;
          message = provider === 'generic'
            ? '`type` must be `api`: a generic (OpenAI-compatible) model is a custom API integration.'
            : `\`type\` must be \`easy\` for ${providerLabel(provider)}: only \`provider: generic\` is an API integration.`;
        } else if (prop === 'version') {
          message = '`version` must be `1` (the only manifest format version so far).';
        }
        problems.add('schema-invalid-value', 'error', message, valueSpan[0], valueSpan[1]);
        break;
      }
      case 'type': {
        const expected = String(err.params.type);
        const value = node?.kind === 'scalar' ? node.value : undefined;
        let message = `\`${prop ?? describeIndex(path)}\` must be ${article(expected)}.`;
        if (expected === 'boolean' && typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value)) {
          message = `\`${prop}\` must be \`true\` or \`false\` (${quote(value)} is a string in YAML 1.2).`;
        } else if (expected === 'string' && value !== undefined && value !== null && typeof value !== 'object') {
          message = `\`${prop ?? describeIndex(path)}\` must be a string; quote it: "${String(value).slice(0, 40)}".`;
        } else if (node === undefined && pair) {
          message = `\`${prop ?? 'value'}\` is empty; it must be ${article(expected)}.`;
        }
        problems.add('schema-invalid-type', 'error', message, valueSpan[0], valueSpan[1]);
        break;
      }
      case 'pattern':
      case 'format': {
        // URL fields get precise messages from the rules (scheme, user info, query …).
        if (prop === 'endpoint' || prop === 'baseUrl' || (kind === 'agents' && prop === 'connection')) break;
        const hint = prop ? PATTERN_HINTS[prop] : undefined;
        problems.add('schema-invalid-value', 'error', `\`${prop ?? 'value'}\` of ${where} is not valid${hint ? `: ${hint}` : '.'}`, valueSpan[0], valueSpan[1]);
        break;
      }
      case 'maxLength':
      case 'minLength':
        problems.add('schema-invalid-value', 'error', err.keyword === 'minLength' ? `\`${prop ?? 'value'}\` must not be empty.` : `\`${prop ?? 'value'}\` is too long (at most ${err.params.limit} characters).`, valueSpan[0], valueSpan[1]);
        break;
      case 'uniqueItems':
        problems.add('duplicate-name', 'error', `\`${prop ?? 'list'}\` lists the same entry twice (items ${Number(err.params.j) + 1} and ${Number(err.params.i) + 1}).`, valueSpan[0], valueSpan[1]);
        break;
      case 'maxItems':
      case 'minItems':
      case 'maxProperties':
        problems.add('schema-invalid-value', 'error', `\`${prop ?? 'value'}\` ${err.message ?? 'is not valid'}.`, valueSpan[0], valueSpan[1]);
        break;
      default:
        problems.add('schema-invalid-value', 'error', `\`${prop ?? 'value'}\` of ${where} ${err.message ?? 'is not valid'}.`, valueSpan[0], valueSpan[1]);
    }
  }
}

function unknownKeyMessage(kind: FileKind, key: string, path: readonly PathSegment[], data: unknown, where: string): string {
  const objKind = objectKind(kind, path, data);
  const allowed = allowedKeys[objKind] ?? [];
  if (isCredentialLikeKey(key)) {
    return `\`${key}\` cannot be set in ${where}: keys and secrets never go in this file. They are stored in VS Code SecretStorage on each machine (set them from the connection form or tree).`;
  }
  if (kind === 'manifest' && objKind.startsWith('connection-')) {
    const provider = objKind.slice('connection-'.length);
    const owner = (Object.keys(PROVIDER_SETTINGS) as ProviderId[]).find((p) => p !== provider && PROVIDER_SETTINGS[p].includes(key));
    if (owner) {
      const own = isProviderId(provider) ? PROVIDER_SETTINGS[provider] : [];
      return `\`${key}\` is a setting of ${providerLabel(owner)} connections; ${where} (${providerLabel(provider)}) ${own.length ? `takes ${own.map((k) => `\`${k}\``).join(', ')}` : 'takes no provider settings'}.`;
    }
  }
  if (kind === 'manifest' && objKind === 'model' && Object.values(PROVIDER_SETTINGS).some((s) => s.includes(key))) {
    return `\`${key}\` belongs to each connection, not to the model: move it under \`connections:\`.`;
  }
  const guess = closest(key, allowed);
  return `Unknown key ${quote(key)} in ${where}${guess ? ` — did you mean \`${guess}\`?` : `. Allowed: ${allowed.map((k) => `\`${k}\``).join(', ')}.`}`;
}

function missingHint(missing: string, kind: FileKind, path: readonly PathSegment[], data: unknown): string {
  if (kind !== 'manifest') return '';
  if (path.length === 4) {
    const provider = modelAt(data, path[1])?.provider;
    if (isProviderId(provider) && PROVIDER_SETTINGS[provider].includes(missing)) return ` (required for ${providerLabel(provider)} connections)`;
  }
  return '';
}

function describeIndex(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  return typeof last === 'number' ? `item ${last + 1}` : 'value';
}

function article(type: string): string {
  return { object: 'a mapping', array: 'a list', string: 'a string', boolean: '`true` or `false`', integer: 'a whole number', number: 'a number', null: 'empty' }[type] ?? `a ${type}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
