/** The manifest being edited: opened once (shallow when the fast parser read it), its models found by name, and how the file indents. */
import { fastParse } from '../../yaml/fastYaml';
import { detectEol, LineIndex, quote } from '../../yaml/text';
import { loadTree } from '../../yaml/yamlLoad';
import { isTMap, isTSeq, pairOf, type TDoc, type TMap, type TPair, type TSeq } from '../../yaml/yamlTree';
import { column, dashOf, keyRange, lineStart, sameLine, scalarValue } from './positions';
import { EditError, type TextEdit } from './textEdit';

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

export interface Editable {
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

export function open(text: string): Editable {
  const loaded = loadTree(text, 'manifest', { data: false, retainDepth: SHALLOW_DEPTH });
  if (!loaded.doc || !loaded.syntaxOk) {
    throw new EditError('The manifest has YAML errors; fix them (see the Problems panel) before changing it from here. The file was not modified.', 'syntax');
  }
  return { text, doc: loaded.doc, index: loaded.index, fast: loaded.fast, eol: detectEol(text), data: loaded.data, shallow: loaded.fast, full: new Set() };
}

/** The file's plain data (read again in full on first use when the fast parser read it). */
export function dataOf(e: Editable): unknown {
  if (e.data === undefined && e.fast) e.data = loadTree(e.text, 'manifest').data;
  return e.data;
}

/**
 * Model `i` read in full. In a shallow tree, its lines — from its `-` line to the next
 * model's, the next top-level key or the end — are parsed again on their own, with the
 * rules of the whole-file parse (the same ranges, as absolute offsets), and the item is
 * replaced. Should that not work, the whole file is read in full instead.
 */
export function fullModel(e: Editable, i: number): TMap {
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

export function rootMap(e: Editable): TMap {
  const root = e.doc.contents;
  if (!isTMap(root)) throw new EditError('The manifest must be a mapping with `version: 1` and `models:`; fix it by hand first. The file was not modified.', 'shape');
  return root;
}

export function modelSeq(e: Editable): TSeq | undefined {
  const seq = pairOf(e.doc.contents, 'models')?.value;
  return isTSeq(seq) ? seq : undefined;
}

export function named(items: readonly unknown[], name: string): TMap | undefined {
  return items.find((m): m is TMap => isTMap(m) && scalarValue(pairOf(m, 'name')?.value) === name);
}

export function findModel(e: Editable, model: string): TMap {
  const items = modelSeq(e)?.items ?? [];
  const item = named(items, model);
  if (!item) throw new EditError(`No model named ${quote(model)} in the manifest (it may have been renamed or removed).`, 'not-found');
  return fullModel(e, items.indexOf(item));
}

export function findConnection(e: Editable, model: string, connection: string): { seq: TSeq; item: TMap } {
  const m = findModel(e, model);
  const seq = pairOf(m, 'connections')?.value;
  const item = isTSeq(seq) ? named(seq.items, connection) : undefined;
  if (!isTSeq(seq) || !item) throw new EditError(`Model ${quote(model)} has no connection named ${quote(connection)} (it may have been renamed or removed).`, 'not-found');
  return { seq, item };
}

/** The models list of the plain data, which mirrors the node tree item for item. */
export function dataModels(data: unknown): Array<Record<string, unknown>> {
  return (data as { models: Array<Record<string, unknown>> }).models;
}

export function insertLines(e: Editable, at: number, lines: readonly string[]): TextEdit {
  const needsBreak = at === e.text.length && e.text.length > 0 && !e.text.endsWith('\n');
  return { start: at, end: at, newText: (needsBreak ? e.eol : '') + lines.map((l) => l + e.eol).join('') };
}

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
export function layoutOf(e: Editable): Omit<Layout, 'map'> {
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
export function mapIndentOf_(e: Editable): number {
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
