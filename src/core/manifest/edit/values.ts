/** The values an edit writes (checked, since they may come from a webview), canonical key order, and the data they predict. */
import { quote } from '../../yaml/text';
import { EditError } from './textEdit';

/** Field values: string | boolean | number | plain object of those (advancedProperties, incl. nested `headers` map). */
export type FieldValue = string | boolean | number | { [k: string]: FieldValue };

/** A change set: `undefined` removes the key. An object value replaces the whole nested mapping. */
export type FieldChanges = Record<string, FieldValue | undefined>;

/** Canonical key order of new and inserted fields; other keys go after, in the given order. */
export const MODEL_KEYS: readonly string[] = ['name', 'type', 'provider', 'model', 'description', 'location', 'addedOn', 'connections'];

export const CONNECTION_KEYS: readonly string[] = ['name', 'enabled', 'addedBy', 'addedOn', 'description', 'endpoint', 'deployment', 'apiVersion', 'region', 'baseUrl', 'apiFormat', 'authHeader', 'advancedProperties'];

export const ROOT_KEYS: readonly string[] = ['version', 'models'];

/** What gets written: field values, plus lists of mappings (models, connections). Maps keep their entry order. */
export type Tree = string | number | boolean | TreeMap | TreeMap[];

export interface TreeMap {
  entries: Array<[string, Tree]>;
}

export function isTreeMap(v: Tree): v is TreeMap {
  return typeof v === 'object' && !Array.isArray(v);
}

function checkKey(key: string, where: string): void {
  if (key === '' || key === '__proto__' || key === '<<') throw new EditError(`${quote(key)} cannot be used as a key (${where}).`, 'shape');
}

/** Checks a value from the caller (it may come from a webview) and turns it into a tree. */
function toTree(value: unknown, where: string): Tree {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EditError(`${where} must be a finite number.`, 'shape');
    return value === 0 ? 0 : value;
  }
  const proto: unknown = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    const entries: Array<[string, Tree]> = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      checkKey(k, where);
      if (v !== undefined) entries.push([k, toTree(v, `${where}.${k}`)]);
    }
    return { entries };
  }
  throw new EditError(`${where} must be a string, number, boolean or a mapping of those.`, 'shape');
}

/** The fields of a new model or connection in canonical order; `undefined` fields are left out. */
export function orderedEntries(record: Record<string, unknown>, canonical: readonly string[], where: string): Array<[string, Tree]> {
  const rank = (k: string) => {
    const i = canonical.indexOf(k);
    return i === -1 ? canonical.length : i;
  };
  const entries: Array<[string, Tree]> = [];
  for (const [k, v] of Object.entries(record)) {
    checkKey(k, where);
    if (v !== undefined) entries.push([k, toTree(v, `${where}.${k}`)]);
  }
  return entries.sort((a, b) => rank(a[0]) - rank(b[0]));
}

/** Plain data of a tree, to predict the file's data after the edit. */
export function toPlain(v: Tree): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (isTreeMap(v)) return Object.fromEntries(v.entries.map(([k, x]) => [k, toPlain(x)]));
  return v;
}

export function applyChanges(target: Record<string, unknown>, changes: ReadonlyArray<[string, Tree | undefined]>): void {
  for (const [k, v] of changes) {
    if (v === undefined) delete target[k];
    else target[k] = toPlain(v);
  }
}

export function changeList(changes: FieldChanges, where: string): Array<[string, Tree | undefined]> {
  if (changes === null || typeof changes !== 'object') throw new EditError(`${where} must be a mapping of fields.`, 'shape');
  return Object.entries(changes).map(([k, v]) => {
    checkKey(k, where);
    return [k, v === undefined ? undefined : toTree(v, `${where}.${k}`)];
  });
}
