/**
 * The one module that changes manifest text. Every edit is computed as a few text
 * replacements from the parsed document's node ranges, so only the edited lines
 * change: comments, key order, quoting, CRLF and a BOM all survive. New lines follow
 * the file's own indentation. A file with YAML syntax errors is never edited, and
 * every result is re-read before it is returned: it must parse and hold exactly the
 * intended data, or nothing is written.
 */
import { isDeepStrictEqual } from 'util';
import { isMap, isScalar, parseDocument, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';
import { detectEol, LineIndex, quote } from '../../yaml/text';
import { fastParse, regionSupported } from '../../yaml/fastYaml';
import { loadTree } from '../../yaml/yamlLoad';
import { isTMap, isTNode, isTPair, isTScalar, isTSeq, pairOf, plainOf, type TDoc, type TMap, type TNode, type TPair, type TScalar, type TSeq } from '../../yaml/yamlTree';

export interface TextEdit {
  /** Offset of the first replaced character. */
  start: number;
  /** Offset after the last replaced character. */
  end: number;
  newText: string;
}

export class EditError extends Error {
  constructor(message: string, readonly code: 'syntax' | 'not-found' | 'shape') {
    super(message);
    this.name = 'EditError';
  }
}

/** Field values: string | boolean | number | plain object of those (advancedProperties, incl. nested `headers` map). */
export type FieldValue = string | boolean | number | { [k: string]: FieldValue };
/** A change set: `undefined` removes the key. An object value replaces the whole nested mapping. */
export type FieldChanges = Record<string, FieldValue | undefined>;

export interface ConnectionRef {
  model: string;
  connection: string;
}

/** Canonical key order of new and inserted fields; other keys go after, in the given order. */
export const MODEL_KEYS: readonly string[] = ['name', 'type', 'provider', 'model', 'description', 'location', 'addedOn', 'connections'];
export const CONNECTION_KEYS: readonly string[] = ['name', 'enabled', 'addedBy', 'addedOn', 'description', 'endpoint', 'deployment', 'apiVersion', 'region', 'baseUrl', 'apiFormat', 'authHeader', 'advancedProperties'];
const ROOT_KEYS: readonly string[] = ['version', 'models'];

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Scalars

/** Characters written only as escapes: controls, line/paragraph separators, BOM, invisible and bidi controls, lone surrogates. */
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ESCAPED_ALL = new RegExp(ESCAPED.source, 'g');
/** Indicators that may not start a plain scalar (some only in some contexts; quoting is always safe). */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
const FLOW_INDICATOR = /[,[\]{}]/;

const CORE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.2', schema: 'core', uniqueKeys: true };
/** YAML 1.1 readers (PyYAML, older tools) take `yes`, `on`, `0777`, `1:20` … as non-strings. Dates are left alone. */
const YAML11_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.1', customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp') };

/** True when `s` written plain reads back as the same string in YAML 1.2 and YAML 1.1. */
function readsBackPlain(s: string, flow: boolean): boolean {
  const src = flow ? `{k: ${s}}\n` : `k: ${s}\n`;
  for (const options of [CORE_OPTIONS, YAML11_OPTIONS]) {
    const doc = parseDocument(src, options);
    if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents) || doc.contents.items.length !== 1) return false;
    const value = doc.contents.items[0].value;
    if (!isScalar(value) || value.value !== s) return false;
  }
  return true;
}

function canBePlain(s: string, flow: boolean): boolean {
  if (s === '' || s !== s.trim() || ESCAPED.test(s) || INDICATOR_START.test(s)) return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (flow && FLOW_INDICATOR.test(s)) return false;
  return readsBackPlain(s, flow);
}

/**
 * A YAML scalar for a value, quoted only when needed: plain when it reads back as the
 * same string (in YAML 1.2, and in YAML 1.1 so `yes`/`on` stay strings for other
 * tools), single-quoted when it only needs quoting, double-quoted with escapes when it
 * holds line breaks or invisible characters. `flow` is for values inside `{…}`/`[…]`.
 */
export function formatScalar(value: string | number | boolean, flow = false): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EditError(`${value} cannot be written to the manifest.`, 'shape');
    return String(value);
  }
  if (canBePlain(value, flow)) return value;
  if (!ESCAPED.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value).replace(ESCAPED_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// ---------------------------------------------------------------------------------------
// Values to write

/** What gets written: field values, plus lists of mappings (models, connections). Maps keep their entry order. */
type Tree = string | number | boolean | TreeMap | TreeMap[];
interface TreeMap {
  entries: Array<[string, Tree]>;
}

function isTreeMap(v: Tree): v is TreeMap {
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
function orderedEntries(record: Record<string, unknown>, canonical: readonly string[], where: string): Array<[string, Tree]> {
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
function toPlain(v: Tree): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (isTreeMap(v)) return Object.fromEntries(v.entries.map(([k, x]) => [k, toPlain(x)]));
  return v;
}

// ---------------------------------------------------------------------------------------
// The document being edited

interface SeqStyle {
  /** Columns from the owning key to the `-`. */
  indent: number;
  /** Columns from the `-` to the item's keys. */
  gap: number;
}

interface Layout {
  models: SeqStyle;
  connections: SeqStyle;
  /** Columns a nested block mapping is indented by. */
  map: number;
}

/** What the text-position helpers below need (agentsEdit.ts uses them too). */
export interface TextView {
  text: string;
  index: LineIndex;
}

interface Editable {
  text: string;
  doc: TDoc;
  index: LineIndex;
  /** Read by the fast parser: then the result may be checked region by region. */
  fast: boolean;
  eol: string;
  /**
   * The file's plain data, when it could be built (no aliases): the result is checked
   * against it. Read by the fast parser, it is built only when asked for (`dataOf`).
   */
  data: unknown;
  /**
   * Read by the fast parser with only the top three levels kept (root, `models:`, each
   * model's own fields; every level checked): a model's connections and nested mappings are
   * read on first use (`fullModel`). Most edits need one or two models of thousands.
   */
  shallow: boolean;
  /** Models already read in full. */
  full: Set<number>;
  layout?: Layout;
  mapIndent?: number;
}

/** Keeps root → models → model fields; deeper blocks are read per model when needed. */
const SHALLOW_DEPTH = 3;

function open(text: string): Editable {
  const loaded = loadTree(text, 'manifest', { data: false, retainDepth: SHALLOW_DEPTH });
  if (!loaded.doc || !loaded.syntaxOk) {
    throw new EditError('The manifest has YAML errors; fix them (see the Problems panel) before changing it from here. The file was not modified.', 'syntax');
  }
  return { text, doc: loaded.doc, index: loaded.index, fast: loaded.fast, eol: detectEol(text), data: loaded.data, shallow: loaded.fast, full: new Set() };
}

/** The file's plain data (read again in full on first use when the fast parser read it). */
function dataOf(e: Editable): unknown {
  if (e.data === undefined && e.fast) e.data = loadTree(e.text, 'manifest').data;
  return e.data;
}

/**
 * Model `i` read in full. In a shallow tree, its lines — from its `-` line to the next
 * model's, the next top-level key or the end — are parsed again on their own, with the
 * rules of the whole-file parse (the same ranges, as absolute offsets), and the item is
 * replaced. Should that not work, the whole file is read in full instead.
 */
function fullModel(e: Editable, i: number): TMap {
  const seq = modelSeq(e);
  const item = seq?.items[i];
  if (!seq || !isTMap(item)) throw new Error(`no model #${i}`);
  if (!e.shallow || e.full.has(i)) return item;
  const region = modelRegion(e, seq, i);
  const parsed = region && fastParse(e.text, { from: region.from, to: region.to, tail: { indent: region.tailIndent, depth: 2 }, data: false });
  const got = parsed && isTSeq(parsed.contents) && parsed.contents.items.length === 1 ? parsed.contents.items[0] : undefined;
  if (isTMap(got) && got.start === item.start && got.end === item.end) {
    seq.items[i] = got;
    e.full.add(i);
    return got;
  }
  const loaded = loadTree(e.text, 'manifest', { data: false });
  e.doc = loaded.doc!;
  e.shallow = false;
  const again = modelSeq(e)?.items[i];
  if (!isTMap(again)) throw new Error(`no model #${i}`);
  return again;
}

/** The lines of model `i` in a block `models:` list, and the indentation of the line after them. */
function modelRegion(e: Editable, seq: TSeq, i: number): { from: number; to: number; tailIndent: number } | undefined {
  if (seq.flow) return undefined;
  const startOf = (n: unknown) => {
    if (!isTMap(n) || n.flow) return -1;
    const dash = dashOf(e, n);
    return dash >= 0 && sameLine(e, dash, n.start) ? lineStart(e, dash) : -1;
  };
  const from = startOf(seq.items[i]);
  if (from < 0) return undefined;
  let to: number;
  if (i + 1 < seq.items.length) {
    to = startOf(seq.items[i + 1]);
    if (to < 0) return undefined;
  } else {
    const root = e.doc.contents as TMap;
    const at = root.items.findIndex((p) => p.value === seq);
    const next = root.items[at + 1];
    to = next?.key ? lineStart(e, next.key.start) : e.text.length;
  }
  let tailIndent = 0;
  if (to < e.text.length) while (e.text.charCodeAt(to + tailIndent) === 32) tailIndent++;
  return { from, to, tailIndent };
}

function rootMap(e: Editable): TMap {
  const root = e.doc.contents;
  if (!isTMap(root)) throw new EditError('The manifest must be a mapping with `version: 1` and `models:`; fix it by hand first. The file was not modified.', 'shape');
  return root;
}

function modelSeq(e: Editable): TSeq | undefined {
  const seq = pairOf(e.doc.contents, 'models')?.value;
  return isTSeq(seq) ? seq : undefined;
}

export function scalarValue(node: unknown): unknown {
  return isTScalar(node) ? node.value : undefined;
}

function named(items: readonly unknown[], name: string): TMap | undefined {
  return items.find((m): m is TMap => isTMap(m) && scalarValue(pairOf(m, 'name')?.value) === name);
}

function findModel(e: Editable, model: string): TMap {
  const items = modelSeq(e)?.items ?? [];
  const item = named(items, model);
  if (!item) throw new EditError(`No model named ${quote(model)} in the manifest (it may have been renamed or removed).`, 'not-found');
  return fullModel(e, items.indexOf(item));
}

function findConnection(e: Editable, model: string, connection: string): { seq: TSeq; item: TMap } {
  const m = findModel(e, model);
  const seq = pairOf(m, 'connections')?.value;
  const item = isTSeq(seq) ? named(seq.items, connection) : undefined;
  if (!isTSeq(seq) || !item) throw new EditError(`Model ${quote(model)} has no connection named ${quote(connection)} (it may have been renamed or removed).`, 'not-found');
  return { seq, item };
}

/** The models list of the plain data, which mirrors the node tree item for item. */
function dataModels(data: unknown): Array<Record<string, unknown>> {
  return (data as { models: Array<Record<string, unknown>> }).models;
}

// ---------------------------------------------------------------------------------------
// Positions

/** Column of an offset; a BOM on the first line does not count. */
export function column(e: TextView, offset: number): number {
  const o = Math.max(0, Math.min(offset, e.text.length));
  const start = e.index.lineStart(o);
  return start === 0 && e.text.charCodeAt(0) === 0xfeff ? o - 1 : o - start;
}

/** True when no line break lies between two offsets. */
function sameLine(e: TextView, a: number, b: number): boolean {
  const nl = e.text.indexOf('\n', Math.min(a, b));
  return nl === -1 || nl >= Math.max(a, b);
}

/** Start of the line holding an offset, after a BOM. */
export function lineStart(e: TextView, offset: number): number {
  const s = e.index.lineStart(offset);
  return s === 0 && e.text.charCodeAt(0) === 0xfeff ? 1 : s;
}

/** Start of the line after the one where a node ends (block nodes already end after their line break). */
export function lineAfter(e: TextView, end: number): number {
  return end > 0 && e.text[end - 1] === '\n' ? end : e.index.nextLineStart(end);
}

export function keyRange(pair: TPair): [number, number] {
  const r = pair.key!.range;
  return [r[0], r[1]];
}

/**
 * Where a node's last content ends. A block collection's own range runs on over trailing
 * comments, blank lines and even the next line's indentation, so it is not used.
 */
export function contentEnd(node: unknown, fallback: number): number {
  if ((isTMap(node) || isTSeq(node)) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    return isTPair(last) ? contentEnd(last.value, last.key!.range[1]) : contentEnd(last, fallback);
  }
  const range = isTNode(node) ? node.range : undefined;
  return range && range[1] > range[0] ? range[1] : fallback;
}

/** Where a pair's value ends (its key's end for `key:` with nothing after it). */
export function valueEnd(pair: TPair): number {
  return contentEnd(pair.value, keyRange(pair)[1]);
}

/** Start of the line after a block pair, its nested block and the comments indented inside it included. */
function pairEnd(e: Editable, pair: TPair): number {
  const end = lineAfter(e, valueEnd(pair));
  const v = pair.value;
  return (isTMap(v) || isTSeq(v)) && !v.flow ? skipCommentLines(e, end, column(e, keyRange(pair)[0]) + 1) : end;
}

/** Skips the comment lines at `at` indented at least `minCol`: they belong to the node above. */
function skipCommentLines(e: Editable, at: number, minCol: number): number {
  let pos = at;
  while (pos < e.text.length) {
    const next = e.index.nextLineStart(pos);
    const line = e.text.slice(pos, next);
    const body = line.trimStart();
    if (!body.startsWith('#') || line.length - body.length < minCol) break;
    pos = next;
  }
  return pos;
}

/** True when a key is the first thing after `- ` on its line. */
export function onDashLine(e: TextView, keyStart: number): boolean {
  return e.text.slice(lineStart(e, keyStart), keyStart).trim() !== '';
}

/** Offset of the `-` of a block sequence item on the item's first line, or -1. */
function dashOf(e: Editable, item: TNode): number {
  let i = item.range![0] - 1;
  while (i >= 0 && e.text[i] === ' ') i--;
  return e.text[i] === '-' ? i : -1;
}

/** Offset after the colon of a pair whose value is missing or about to be replaced. */
export function afterColon(e: TextView, pair: TPair): number {
  const colon = e.text.indexOf(':', keyRange(pair)[1]);
  if (colon === -1) throw new EditError('Unexpected mapping layout; edit this value by hand.', 'shape');
  return colon + 1;
}

function insertLines(e: Editable, at: number, lines: readonly string[]): TextEdit {
  const needsBreak = at === e.text.length && e.text.length > 0 && !e.text.endsWith('\n');
  return { start: at, end: at, newText: (needsBreak ? e.eol : '') + lines.map((l) => l + e.eol).join('') };
}

// ---------------------------------------------------------------------------------------
// Layout: how this file indents

function seqStyleOf(e: Editable, pair: TPair | undefined): SeqStyle | undefined {
  const seq = pair?.value;
  if (!pair || !isTSeq(seq) || seq.flow) return undefined;
  for (const item of seq.items) {
    if (!isTMap(item) || item.flow || !item.range) continue;
    const dash = dashOf(e, item);
    if (dash < 0) continue;
    const indent = column(e, dash) - column(e, keyRange(pair)[0]);
    const gap = column(e, item.range[0]) - column(e, dash);
    if (indent >= 0 && gap >= 1) return { indent, gap };
  }
  return undefined;
}

/** Indentation of the first nested block mapping under a mapping's pairs. */
function mapIndentOf(e: Editable, map: TMap): number | undefined {
  for (const pair of map.items) {
    const v = pair.value;
    if (isTMap(v) && !v.flow && v.items.length > 0) {
      const d = column(e, keyRange(v.items[0])[0]) - column(e, keyRange(pair)[0]);
      if (d > 0) return d;
    }
  }
  return undefined;
}

/** How the list styles are written: the first model with a block connections list decides. */
function layoutOf(e: Editable): Omit<Layout, 'map'> {
  if (e.layout) return e.layout;
  const modelsPair = pairOf(e.doc.contents, 'models');
  let models = seqStyleOf(e, modelsPair);
  let connections: SeqStyle | undefined;
  const items = modelSeq(e)?.items ?? [];
  for (let i = 0; i < items.length && connections === undefined; i++) {
    if (isTMap(items[i])) connections = seqStyleOf(e, pairOf(fullModel(e, i), 'connections'));
  }
  models ??= connections ?? { indent: 2, gap: 2 };
  connections ??= models;
  e.layout = { models, connections, map: 0 };
  return e.layout;
}

/** Columns a nested block mapping is indented by: the first one in a model or connection decides. */
function mapIndentOf_(e: Editable): number {
  if (e.mapIndent !== undefined) return e.mapIndent;
  let map: number | undefined;
  const items = modelSeq(e)?.items ?? [];
  for (let i = 0; i < items.length && map === undefined; i++) {
    if (!isTMap(items[i])) continue;
    const m = fullModel(e, i);
    map = mapIndentOf(e, m);
    const cs = pairOf(m, 'connections')?.value;
    if (isTSeq(cs)) for (const c of cs.items) if (isTMap(c)) map ??= mapIndentOf(e, c);
  }
  const models = layoutOf(e).models;
  e.mapIndent = map ?? (models.indent > 0 ? models.indent : models.gap);
  return e.mapIndent;
}

// ---------------------------------------------------------------------------------------
// Rendering new text

/** Block lines of `key: value` at a column (no line ends). */
function renderPair(e: Editable, key: string, value: Tree, col: number, keyText = formatScalar(key)): string[] {
  const pad = ' '.repeat(col);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}${keyText}: []`];
    const style = key === 'models' ? layoutOf(e).models : layoutOf(e).connections;
    return [`${pad}${keyText}:`, ...value.flatMap((item) => renderItem(e, item, col + style.indent, style.gap))];
  }
  if (isTreeMap(value)) {
    if (value.entries.length === 0) return [`${pad}${keyText}: {}`];
    return [`${pad}${keyText}:`, ...value.entries.flatMap(([k, v]) => renderPair(e, k, v, col + mapIndentOf_(e)))];
  }
  return [`${pad}${keyText}: ${formatScalar(value)}`];
}

/** Block lines of a sequence item `- key: …` with its dash at a column. */
function renderItem(e: Editable, item: TreeMap, dashCol: number, gap: number): string[] {
  if (item.entries.length === 0) return [`${' '.repeat(dashCol)}- {}`];
  const lines = item.entries.flatMap(([k, v]) => renderPair(e, k, v, dashCol + gap));
  lines[0] = `${' '.repeat(dashCol)}-${' '.repeat(gap - 1)}${lines[0].slice(dashCol + gap)}`;
  return lines;
}

function renderFlow(value: Tree): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (isTreeMap(value)) return `{${value.entries.map(([k, v]) => `${formatScalar(k, true)}: ${renderFlow(v)}`).join(', ')}}`;
  return formatScalar(value, true);
}

// ---------------------------------------------------------------------------------------
// Mapping edits

type KeyedPair = TPair;

function keyOf(pair: TPair): string | undefined {
  const k = scalarValue(pair.key);
  return typeof k === 'string' ? k : undefined;
}

/**
 * Changes a mapping: replaces values of existing keys, removes keys set to `undefined`
 * (with `full`, also every key not in `changes`), and inserts missing keys after the
 * nearest preceding key of `order` that stays (keys not in `order` go last).
 */
function changeMap(e: Editable, map: TMap, changes: ReadonlyArray<[string, Tree | undefined]>, order: readonly string[], full: boolean): TextEdit[] {
  const pairs = map.items as KeyedPair[];
  const edits: TextEdit[] = [];
  const removed = new Set<KeyedPair>();
  const inserts: Array<[string, Tree]> = [];
  const given = new Set(changes.map(([k]) => k));
  for (const [key, value] of changes) {
    const pair = pairOf(map, key);
    if (value === undefined) {
      if (pair) removed.add(pair);
    } else if (!pair) inserts.push([key, value]);
    else edits.push(...replaceValue(e, map, pair, value));
  }
  if (full) for (const p of pairs) if (!given.has(keyOf(p) ?? '')) removed.add(p);
  const kept = pairs.filter((p) => !removed.has(p));
  if (kept.length === 0) throw new EditError('This change would leave an empty mapping; edit it by hand.', 'shape');
  edits.push(...removePairs(e, map, removed));

  // Group insertions by the pair they follow (or precede, at the start).
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i === -1 ? order.length : i;
  };
  inserts.sort((a, b) => rank(a[0]) - rank(b[0]));
  const groups = new Map<string, { pair: KeyedPair; before: boolean; entries: Array<[string, Tree]> }>();
  for (const [key, value] of inserts) {
    const i = order.indexOf(key);
    let anchor: { pair: KeyedPair; before: boolean } = { pair: kept[kept.length - 1], before: false };
    if (i !== -1) {
      anchor = { pair: kept[0], before: true };
      for (let j = i - 1; j >= 0; j--) {
        const p = pairOf(map, order[j]);
        if (p && !removed.has(p)) {
          anchor = { pair: p, before: false };
          break;
        }
      }
    }
    const id = `${pairs.indexOf(anchor.pair)}:${anchor.before}`;
    const group = groups.get(id) ?? { ...anchor, entries: [] };
    group.entries.push([key, value]);
    groups.set(id, group);
  }
  for (const g of groups.values()) edits.push(insertPairs(e, map, g.pair, g.before, g.entries));
  return edits;
}

function insertPairs(e: Editable, map: TMap, anchor: KeyedPair, before: boolean, entries: Array<[string, Tree]>): TextEdit {
  const [keyStart] = keyRange(anchor);
  if (map.flow) {
    const parts = entries.map(([k, v]) => `${formatScalar(k, true)}: ${renderFlow(v)}`);
    if (before) return { start: keyStart, end: keyStart, newText: parts.map((p) => `${p}, `).join('') };
    const at = valueEnd(anchor);
    return { start: at, end: at, newText: parts.map((p) => `, ${p}`).join('') };
  }
  const col = column(e, keyStart);
  const lines = entries.flatMap(([k, v]) => renderPair(e, k, v, col));
  if (before) {
    // Before the first key, which may sit right after `- `: the anchor moves to the next line.
    const text = lines.map((l, i) => (i === 0 ? l.slice(col) : l)).join(e.eol);
    return { start: keyStart, end: keyStart, newText: `${text}${e.eol}${' '.repeat(col)}` };
  }
  return insertLines(e, pairEnd(e, anchor), lines);
}

/** Removes pairs with their lines (block) or their entry and comma (flow). */
function removePairs(e: Editable, map: TMap, removed: ReadonlySet<KeyedPair>): TextEdit[] {
  const pairs = map.items as KeyedPair[];
  const edits: TextEdit[] = [];
  if (map.flow) {
    const lastKept = pairs.reduce((acc, p, i) => (removed.has(p) ? acc : i), -1);
    pairs.forEach((p, i) => {
      if (!removed.has(p)) return;
      if (i < lastKept) edits.push({ start: keyRange(p)[0], end: keyRange(pairs[i + 1])[0], newText: '' });
      else if (i === lastKept + 1) edits.push({ start: valueEnd(pairs[lastKept]), end: valueEnd(pairs[pairs.length - 1]), newText: '' });
    });
    return edits;
  }
  let skipUntil = -1;
  pairs.forEach((p, i) => {
    if (!removed.has(p) || i < skipUntil) return;
    const [keyStart] = keyRange(p);
    if (onDashLine(e, keyStart)) {
      // `- key: …` — the next kept key moves up onto the dash line.
      const next = pairs.findIndex((q, j) => j > i && !removed.has(q));
      skipUntil = next;
      edits.push({ start: keyStart, end: keyRange(pairs[next])[0], newText: '' });
    } else edits.push({ start: lineStart(e, keyStart), end: pairEnd(e, p), newText: '' });
  });
  return edits;
}

/** Sets an existing pair's value: the scalar only when possible, else the value's block. */
function replaceValue(e: Editable, map: TMap, pair: KeyedPair, value: Tree): TextEdit[] {
  const v = pair.value;
  if (!isTreeMap(value) && !Array.isArray(value)) {
    if (isTScalar(v) && v.value === value) return [];
    if (v === null || isTScalar(v)) return [replaceScalar(e, pair, formatScalar(value, map.flow))];
  } else if (isTreeMap(value) && isTMap(v)) {
    if (value.entries.length > 0 && value.entries.some(([k]) => pairOf(v, k))) {
      return changeMap(e, v, value.entries, value.entries.map(([k]) => k), true);
    }
    if (value.entries.length === 0 && v.items.length === 0) return [];
  }
  // The value changes shape: rewrite it whole, in the style around it.
  if (map.flow || (v !== null && (isTMap(v) || isTSeq(v)) && v.flow)) {
    const text = renderFlow(value);
    return [v?.range && v.range[1] > v.range[0] ? { start: v.range[0], end: v.range[1], newText: text } : { start: afterColon(e, pair), end: afterColon(e, pair), newText: ` ${text}` }];
  }
  return [rewritePair(e, pair, value)];
}

function replaceScalar(e: Editable, pair: KeyedPair, text: string): TextEdit {
  const v = pair.value;
  if (v?.range && v.range[1] > v.range[0]) {
    const block = isTScalar(v) && (v.style === 'BLOCK_FOLDED' || v.style === 'BLOCK_LITERAL');
    // A block scalar's range ends after its last line break: keep one.
    const eol = block && e.text[v.range[1] - 1] === '\n' ? e.eol : '';
    return { start: v.range[0], end: v.range[1], newText: text + eol };
  }
  // `key:` with no value (maybe a comment after it): write after the colon.
  const at = afterColon(e, pair);
  return { start: at, end: at, newText: ` ${text}` };
}

/** Rewrites a block pair's lines, keeping the key as written. */
function rewritePair(e: Editable, pair: KeyedPair, value: Tree): TextEdit {
  const [keyStart, keyEnd] = keyRange(pair);
  const dash = onDashLine(e, keyStart);
  const start = dash ? keyStart : lineStart(e, keyStart);
  const end = pairEnd(e, pair);
  const col = column(e, keyStart);
  const lines = renderPair(e, keyOf(pair) ?? '', value, col, e.text.slice(keyStart, keyEnd));
  if (dash) lines[0] = lines[0].slice(col);
  let newText = lines.join(e.eol) + e.eol;
  if (end === e.text.length && !e.text.endsWith('\n')) newText = newText.slice(0, -e.eol.length);
  return { start, end, newText };
}

// ---------------------------------------------------------------------------------------
// Sequence edits

/** True when a blank line comes before an item (above the comment lines that lead it). */
function blankLineBefore(e: Editable, item: TNode): boolean {
  const dash = dashOf(e, item);
  let line = e.index.positionAt(dash >= 0 ? dash : item.range![0]).line - 1;
  for (; line >= 0; line--) {
    const start = e.index.offsetAt({ line, character: 0 });
    const body = e.text.slice(start, e.index.nextLineStart(start)).trim();
    if (body === '') return true;
    if (!body.startsWith('#')) return false;
  }
  return false;
}

/** Appends an item to the list under `owner[key]`, creating or converting the list as needed. */
function appendItem(e: Editable, owner: TMap, key: 'models' | 'connections', item: TreeMap, order: readonly string[]): TextEdit[] {
  const pair = pairOf(owner, key);
  if (!pair) return changeMap(e, owner, [[key, [item]]], order, false);
  const v = pair.value;
  if (isTSeq(v) && v.items.length > 0) {
    const last = v.items[v.items.length - 1] as TNode;
    if (v.flow) {
      const end = contentEnd(last, last.range![1]);
      const close = v.range![1] - 1;
      if (e.index.positionAt(close).line === e.index.positionAt(end).line) return [{ start: end, end, newText: `, ${renderFlow(item)}` }];
      // A list written one item per line: the new item gets its own line before the `]`.
      const lineBegin = lineStart(e, end);
      const indent = e.text.slice(lineBegin, end).match(/^ */)![0];
      return [{ start: end, end, newText: ',' }, insertLines(e, lineAfter(e, end), [`${indent}${renderFlow(item)}`])];
    }
    const dash = dashOf(e, last);
    let dashCol: number;
    let gap: number;
    if (dash >= 0 && sameLine(e, dash, last.start)) {
      dashCol = column(e, dash);
      gap = column(e, last.range![0]) - dashCol;
    } else {
      const style = layoutOf(e)[key];
      dashCol = column(e, keyRange(pair)[0]) + style.indent;
      gap = style.gap;
    }
    const lines = renderItem(e, item, dashCol, gap);
    const blank = v.items.length > 1 && blankLineBefore(e, last);
    const at = skipCommentLines(e, lineAfter(e, contentEnd(last, last.range![1])), dashCol + gap);
    return [insertLines(e, at, blank ? ['', ...lines] : lines)];
  }
  const empty = (isTSeq(v) && v.items.length === 0) || v === null || (isTScalar(v) && v.value === null);
  if (!empty) throw new EditError(`\`${key}\` is not a list; fix it by hand first. The file was not modified.`, 'shape');
  if (owner.flow) return replaceValue(e, owner, pair, [item]);
  // `key: []`, `key: ~` or `key:` — drop the empty value and write a block list under the key.
  const edits: TextEdit[] = [];
  const colon = afterColon(e, pair);
  let end = colon;
  if (v?.range && v.range[1] > v.range[0]) {
    edits.push({ start: colon, end: v.range[1], newText: '' });
    end = v.range[1];
  }
  const style = layoutOf(e)[key];
  const lines = renderItem(e, item, column(e, keyRange(pair)[0]) + style.indent, style.gap);
  edits.push(insertLines(e, lineAfter(e, end), lines));
  return edits;
}

// ---------------------------------------------------------------------------------------
// Checking and returning edits

/** Sorted, with edits that touch or share a start merged, so any client can apply them. */
function normalize(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = edits
    .map((edit, i) => ({ edit, i }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - a.edit.start - (b.edit.end - b.edit.start) || a.i - b.i)
    .map((x) => x.edit);
  const out: TextEdit[] = [];
  for (const edit of sorted) {
    const prev = out[out.length - 1];
    if (prev && edit.start < prev.end) throw new Error('overlapping edits');
    if (prev && edit.start === prev.end) out[out.length - 1] = { start: prev.start, end: edit.end, newText: prev.newText + edit.newText };
    else out.push({ ...edit });
  }
  return out;
}

/**
 * Re-reads the result: it must parse, and its data must be the old data with exactly
 * the intended change. Otherwise nothing is written. `touched` lists the models (by index,
 * after the change) that the change may alter: when only their lines changed, only those
 * lines are re-read (see `checkModelRegions`); otherwise the whole result is.
 */
function checked(e: Editable, edits: readonly TextEdit[], change: (data: Record<string, unknown>) => void, touched: readonly number[] = []): TextEdit[] {
  const result = normalize(edits);
  if (result.length === 0) return result;
  let ok = touched.length > 0 ? checkModelRegions(e, result, change, touched) : undefined;
  if (ok === undefined) {
    const loaded = loadTree(applyEdits(e.text, result), 'manifest');
    ok = loaded.syntaxOk && loaded.doc !== undefined;
    const data = dataOf(e);
    if (ok && data !== undefined && data !== null && typeof data === 'object') {
      const expected = structuredClone(data) as Record<string, unknown>;
      change(expected);
      ok = isDeepStrictEqual(loaded.data, expected);
    }
  }
  if (!ok) throw new EditError('This change could not be written without risking the rest of the manifest; make it by hand. The file was not modified.', 'shape');
  return result;
}

/**
 * The cheap check of an edit's result, when the file was read by the fast parser and
 * every edit falls inside the lines of a few consecutive items of the block `models:`
 * list. Those lines of the result (from the first item's `-` line to the next item's, or
 * to the next top-level key, or the end) are re-read on their own by the fast parser, with
 * the same rules it applies to the whole file; they must hold a block sequence at the same
 * column whose items are exactly the expected models. Everything outside them is
 * byte-identical by construction, the rest of the file was read without a problem, and
 * lines indented deeper than the `-` cannot change how the surrounding lines are read — so
 * the whole result reads as the old data with exactly the intended change.
 *
 * Returns true or false when it could decide, undefined when the whole result must be
 * re-read (the file was read by the full path, an edit is elsewhere, a region cannot be
 * read fast …).
 */
function checkModelRegions(e: Editable, edits: readonly TextEdit[], change: (data: Record<string, unknown>) => void, touched: readonly number[]): boolean | undefined {
  if (!e.fast) return undefined;
  const root = e.doc.contents;
  if (!isTMap(root) || root.flow) return undefined;
  const modelsAt = root.items.findIndex((p) => isTScalar(p.key) && p.key.value === 'models');
  const seq = modelsAt >= 0 ? root.items[modelsAt].value : undefined;
  if (!isTSeq(seq) || seq.flow || seq.items.length === 0) return undefined;

  // Each model's region starts at the line of its `-`.
  const starts: number[] = [];
  for (const item of seq.items) {
    if (!isTMap(item) || item.flow) return undefined;
    const dash = dashOf(e, item);
    if (dash < 0 || !sameLine(e, dash, item.start)) return undefined;
    starts.push(lineStart(e, dash));
  }
  const next = root.items[modelsAt + 1];
  const endAll = next?.key ? lineStart(e, next.key.start) : e.text.length;
  const regionEnd = (i: number) => (i + 1 < starts.length ? starts[i + 1] : endAll);
  const lo = edits[0].start;
  const hi = edits[edits.length - 1].end;
  if (lo < starts[0] || hi > endAll) return undefined;
  // An insertion right at the start of an item's line belongs to the item above it.
  let a = 0;
  while (a + 1 < starts.length && starts[a + 1] < lo) a++;
  let b = a;
  while (b + 1 < starts.length && starts[b + 1] < hi) b++;
  const from = starts[a];
  const toOld = regionEnd(b);
  // The region of the result, built from the old text's region (the whole result is never built or flattened here).
  const region = applyEdits(e.text.slice(from, toOld), edits.map((x) => ({ start: x.start - from, end: x.end - from, newText: x.newText })));
  if (region.length === 0 || !regionSupported(region, 0, region.length)) return undefined;

  let tailIndent = 0;
  while (toOld + tailIndent < e.text.length && e.text.charCodeAt(toOld + tailIndent) === 32) tailIndent++;
  // The models list is the value of a top-level key: depth 2, as in a whole-file parse.
  const parsed = fastParse(region, { region: true, tail: { indent: toOld === e.text.length ? 0 : tailIndent, depth: 2 } });
  if (!parsed || !isTSeq(parsed.contents)) return undefined;
  if (column(e, dashOf(e, seq.items[a] as TNode)) !== parsed.contents.start) return undefined;

  // The expected data: the old data of the region's models with the change applied. The
  // other models stand in as frozen placeholders: a change that touched one could not be
  // checked here (the whole result is re-read then).
  const data: Record<string, unknown> = {};
  for (const p of root.items) data[String((p.key as TScalar).value)] = p.value === seq ? undefined : plainOf(p.value);
  const expectedModels: unknown[] = seq.items.map((_item, i) => (i >= a && i <= b ? plainOf(fullModel(e, i)) : Object.freeze({})));
  const others = expectedModels.slice();
  data.models = expectedModels;
  const expected: Record<string, unknown> = { ...data };
  try {
    change(expected);
  } catch {
    return undefined;
  }
  if (expected.models !== expectedModels || Object.keys(expected).length !== Object.keys(data).length) return undefined;
  for (const key of Object.keys(data)) if (key !== 'models' && expected[key] !== data[key]) return undefined;
  const got = parsed.data as unknown[];
  const k = got.length;
  const shift = k - (b - a + 1);
  if (expectedModels.length - others.length !== shift) return false;
  if (touched.some((t) => t < a || t >= a + k)) return undefined;
  // The models outside the region are untouched (the same placeholders, in the same order).
  for (let i = 0; i < a; i++) if (expectedModels[i] !== others[i]) return undefined;
  for (let i = a + k; i < expectedModels.length; i++) if (expectedModels[i] !== others[i - shift]) return undefined;
  return isDeepStrictEqual(got, expectedModels.slice(a, a + k));
}

/**
 * The check every edit goes through, for tests: `edits` on `text` must read as the old data
 * changed by `change`; `touched` as for `checked`. Returns the normalized edits or throws.
 */
export function verifyEdits(text: string, edits: readonly TextEdit[], change: (data: Record<string, unknown>) => void, touched: readonly number[] = []): TextEdit[] {
  return checked(open(text), edits, change, touched);
}

function applyChanges(target: Record<string, unknown>, changes: ReadonlyArray<[string, Tree | undefined]>): void {
  for (const [k, v] of changes) {
    if (v === undefined) delete target[k];
    else target[k] = toPlain(v);
  }
}

function changeList(changes: FieldChanges, where: string): Array<[string, Tree | undefined]> {
  if (changes === null || typeof changes !== 'object') throw new EditError(`${where} must be a mapping of fields.`, 'shape');
  return Object.entries(changes).map(([k, v]) => {
    checkKey(k, where);
    return [k, v === undefined ? undefined : toTree(v, `${where}.${k}`)];
  });
}

// ---------------------------------------------------------------------------------------
// Sequence item removal (delete model / connection)

/** Removes one item of a sequence with its own lines (and the comment lines right above it). */
function removeFromSeq(e: Editable, seq: TSeq, item: TNode, owner: TPair | undefined): TextEdit[] {
  const [start, end] = item.range!;
  if (seq.flow) {
    const i = seq.items.indexOf(item as never);
    const items = seq.items as TNode[];
    if (items.length === 1) return [{ start: seq.range![0], end: seq.range![1], newText: '[]' }];
    if (i < items.length - 1) return [{ start, end: items[i + 1].range![0], newText: '' }];
    return [{ start: items[i - 1].range![1], end, newText: '' }];
  }
  // Block style: from the start of the `- ` line to the end of the item's last line.
  let dash = start - 1;
  while (dash >= 0 && /[ \t\r\n]/.test(e.text[dash])) dash--;
  if (e.text[dash] !== '-') throw new EditError('Unexpected sequence layout; edit this item by hand.', 'shape');
  let from = lineStart(e, dash);
  // Leading comment lines that belong to this item (no blank line in between).
  for (;;) {
    const prevLine = e.index.positionAt(from).line - 1;
    if (prevLine < 0) break;
    const ls = lineStart(e, e.index.offsetAt({ line: prevLine, character: 0 }));
    const lineText = e.text.slice(ls, from).trim();
    if (!lineText.startsWith('#')) break;
    from = ls;
  }
  const to = skipCommentLines(e, lineAfter(e, contentEnd(item, end)), column(e, start));
  if (seq.items.length === 1 && owner) {
    // The list becomes empty: keep the key, write `[]` after its colon.
    const colon = afterColon(e, owner);
    return [
      { start: colon, end: colon, newText: ' []' },
      { start: from, end: to, newText: '' },
    ];
  }
  return [{ start: from, end: to, newText: '' }];
}

// ---------------------------------------------------------------------------------------
// Public edits

export function setConnectionEnabled(text: string, ref: ConnectionRef, enabled: boolean): TextEdit[] {
  return updateConnection(text, ref, { enabled });
}

export function deleteConnection(text: string, ref: ConnectionRef): TextEdit[] {
  const e = open(text);
  const { seq, item } = findConnection(e, ref.model, ref.connection);
  const mi = modelSeq(e)!.items.indexOf(findModel(e, ref.model));
  const ci = seq.items.indexOf(item);
  const edits = removeFromSeq(e, seq, item, pairOf(findModel(e, ref.model), 'connections'));
  return checked(e, edits, (d) => void (dataModels(d)[mi].connections as unknown[]).splice(ci, 1), [mi]);
}

export function deleteModel(text: string, model: string): TextEdit[] {
  const e = open(text);
  const item = findModel(e, model);
  const seq = modelSeq(e)!;
  const mi = seq.items.indexOf(item);
  return checked(e, removeFromSeq(e, seq, item, pairOf(e.doc.contents, 'models')), (d) => void dataModels(d).splice(mi, 1));
}

function newConnection(connection: Record<string, FieldValue>, existing: readonly unknown[], model: string): TreeMap {
  if (connection === null || typeof connection !== 'object') throw new EditError('A connection must be a mapping of fields.', 'shape');
  const name = connection.name;
  if (typeof name !== 'string' || name === '') throw new EditError('A new connection needs a name.', 'shape');
  if (named(existing, name)) throw new EditError(`Model ${quote(model)} already has a connection named ${quote(name)}; connection names must be unique within a model.`, 'shape');
  return { entries: orderedEntries(connection, CONNECTION_KEYS, 'connection') };
}

/** Adds a model after the last one, with its connections (`connections: []` when none are given). */
export function addModel(text: string, model: Record<string, FieldValue>, connections: Array<Record<string, FieldValue>> = []): TextEdit[] {
  const e = open(text);
  const root = rootMap(e);
  if (model === null || typeof model !== 'object') throw new EditError('A model must be a mapping of fields.', 'shape');
  const name = model.name;
  if (typeof name !== 'string' || name === '') throw new EditError('A new model needs a name.', 'shape');
  if ('connections' in model) throw new EditError('Pass the connections of a new model separately from its fields.', 'shape');
  if (named(modelSeq(e)?.items ?? [], name)) throw new EditError(`A model named ${quote(name)} already exists; model names must be unique.`, 'shape');
  if (!Array.isArray(connections)) throw new EditError('The connections of a new model must be a list.', 'shape');
  const conns: TreeMap[] = [];
  for (const c of connections) {
    const conn = newConnection(c, [], name);
    if (conns.some((x) => x.entries.find(([k]) => k === 'name')?.[1] === c.name)) {
      throw new EditError(`Model ${quote(name)} already has a connection named ${quote(c.name)}; connection names must be unique within a model.`, 'shape');
    }
    conns.push(conn);
  }
  const item: TreeMap = { entries: [...orderedEntries(model, MODEL_KEYS, 'model'), ['connections', conns]] };
  const count = modelSeq(e)?.items.length ?? 0;
  if (count > 0 && isTMap(modelSeq(e)!.items[count - 1])) fullModel(e, count - 1); // the new model goes after its last line
  const edits = appendItem(e, root, 'models', item, ROOT_KEYS);
  return checked(e, edits, (d) => {
    if (!Array.isArray(d.models)) d.models = [];
    (d.models as unknown[]).push(toPlain(item));
  }, [modelSeq(e)?.items.length ?? 0]);
}

/** Adds a connection after the model's last one. */
export function addConnection(text: string, model: string, connection: Record<string, FieldValue>): TextEdit[] {
  const e = open(text);
  const m = findModel(e, model);
  const seq = pairOf(m, 'connections')?.value;
  const item = newConnection(connection, isTSeq(seq) ? seq.items : [], model);
  const mi = modelSeq(e)!.items.indexOf(m);
  const edits = appendItem(e, m, 'connections', item, MODEL_KEYS);
  return checked(e, edits, (d) => {
    const target = dataModels(d)[mi];
    if (!Array.isArray(target.connections)) target.connections = [];
    (target.connections as unknown[]).push(toPlain(item));
  }, [mi]);
}

/** Changes a model's fields (not its connections). Renaming is allowed; the new name must be free. */
export function updateModel(text: string, model: string, changes: FieldChanges): TextEdit[] {
  const e = open(text);
  const m = findModel(e, model);
  const list = changeList(changes, 'model');
  for (const [k, v] of list) {
    if (k === 'connections') throw new EditError('Change connections with the connection edits, not as a model field.', 'shape');
    if (k !== 'name') continue;
    if (typeof v !== 'string' || v === '') throw new EditError('A model needs a name.', 'shape');
    const other = named(modelSeq(e)!.items, v);
    if (other && other !== m) throw new EditError(`A model named ${quote(v)} already exists; model names must be unique.`, 'shape');
  }
  const mi = modelSeq(e)!.items.indexOf(m);
  return checked(e, changeMap(e, m, list, MODEL_KEYS, false), (d) => applyChanges(dataModels(d)[mi], list), [mi]);
}

/** Changes a connection's fields. Its name is immutable (the stored key is bound to it). */
export function updateConnection(text: string, ref: ConnectionRef, changes: FieldChanges): TextEdit[] {
  const e = open(text);
  const { seq, item } = findConnection(e, ref.model, ref.connection);
  const list = changeList(changes, 'connection');
  if (list.some(([k, v]) => k === 'name' && v !== ref.connection)) {
    throw new EditError('Connection names are immutable once saved (the stored key is bound to the name); add a new connection instead.', 'shape');
  }
  const mi = modelSeq(e)!.items.indexOf(findModel(e, ref.model));
  const ci = seq.items.indexOf(item);
  return checked(e, changeMap(e, item, list, CONNECTION_KEYS, false), (d) => applyChanges((dataModels(d)[mi].connections as Array<Record<string, unknown>>)[ci], list), [mi]);
}
