/**
 * The one module that changes manifest text. Every edit is computed as a few text
 * replacements from the parsed document's node ranges, so only the edited lines
 * change: comments, key order, quoting, CRLF and a BOM all survive. A file with
 * YAML syntax errors is never edited.
 */
import { isMap, isScalar, isSeq, stringify, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { detectEol, LineIndex, quote } from './text';
import { findPair, loadYaml } from './yamlLoad';

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

interface Editable {
  text: string;
  doc: Document.Parsed;
  index: LineIndex;
  eol: string;
}

function open(text: string): Editable {
  const loaded = loadYaml(text, 'manifest');
  if (!loaded.doc || !loaded.syntaxOk) {
    throw new EditError('The manifest has YAML errors; fix them (see the Problems panel) before changing it from here. The file was not modified.', 'syntax');
  }
  return { text, doc: loaded.doc, index: loaded.index, eol: detectEol(text) };
}

function findModel(e: Editable, model: string): YAMLMap {
  const seq = findPair(e.doc.contents, 'models')?.value;
  const item = isSeq(seq) ? seq.items.find((m) => isMap(m) && scalarValue(findPair(m, 'name')?.value) === model) : undefined;
  if (!isMap(item)) throw new EditError(`No model named ${quote(model)} in the manifest (it may have been renamed or removed).`, 'not-found');
  return item;
}

function findConnection(e: Editable, model: string, connection: string): { seq: YAMLSeq; item: YAMLMap } {
  const m = findModel(e, model);
  const seq = findPair(m, 'connections')?.value;
  const item = isSeq(seq) ? seq.items.find((c) => isMap(c) && scalarValue(findPair(c, 'name')?.value) === connection) : undefined;
  if (!isSeq(seq) || !isMap(item)) throw new EditError(`Model ${quote(model)} has no connection named ${quote(connection)} (it may have been renamed or removed).`, 'not-found');
  return { seq, item };
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** A YAML 1.2 scalar for a plain value, quoted only when needed. */
export function formatScalar(value: string | number | boolean): string {
  if (typeof value === 'string' && /[\r\n]/.test(value)) throw new EditError('Values written to the manifest cannot contain line breaks.', 'shape');
  return stringify(value, { lineWidth: 0 }).replace(/\r?\n$/, '');
}

/** Sets `key: value` in a mapping: replaces the value if present, else adds the pair after `after` (or last). */
function setInMap(e: Editable, map: YAMLMap, key: string, value: string | number | boolean, after?: string): TextEdit {
  const scalar = formatScalar(value);
  const existing = findPair(map, key);
  if (existing) {
    const v = existing.value as Node | null;
    if (v?.range) return { start: v.range[0], end: v.range[1], newText: scalar };
    // `key:` with no value: put it after the colon.
    const keyEnd = (existing.key as Node).range![1];
    const colon = e.text.indexOf(':', keyEnd);
    return { start: colon + 1, end: colon + 1, newText: ` ${scalar}` };
  }
  const anchorPair = (after ? findPair(map, after) : undefined) ?? (map.items[map.items.length - 1] as Pair<Node, Node | null> | undefined);
  if (!anchorPair) throw new EditError('Cannot add a field to an empty mapping.', 'shape');
  const keyNode = anchorPair.key as Node;
  const valueEnd = (anchorPair.value as Node | null)?.range?.[1] ?? keyNode.range![1];
  if (map.flow) return { start: valueEnd, end: valueEnd, newText: `, ${key}: ${scalar}` };
  const indent = e.index.positionAt(keyNode.range![0]).character;
  // Insert on the line after the anchor pair's value (block scalars end after their newline).
  const at = e.text[valueEnd - 1] === '\n' ? valueEnd : e.index.nextLineStart(Math.max(keyNode.range![0], valueEnd - 1));
  const needsBreak = at === e.text.length && !e.text.endsWith('\n');
  return { start: at, end: at, newText: `${needsBreak ? e.eol : ''}${' '.repeat(indent)}${key}: ${scalar}${e.eol}` };
}

/** Removes one item of a sequence with its own lines (and the comment lines right above it). */
function removeFromSeq(e: Editable, seq: YAMLSeq, item: Node, owner: Pair | undefined): TextEdit[] {
  const [start, valueEnd] = item.range!;
  if (seq.flow) {
    const i = seq.items.indexOf(item as never);
    const items = seq.items as Node[];
    if (items.length === 1) return [{ start: seq.range![0], end: seq.range![1], newText: '[]' }];
    if (i < items.length - 1) return [{ start, end: items[i + 1].range![0], newText: '' }];
    return [{ start: items[i - 1].range![1], end: valueEnd, newText: '' }];
  }
  // Block style: from the start of the `- ` line to the end of the item's last line.
  let dash = start - 1;
  while (dash >= 0 && /[ \t\r\n]/.test(e.text[dash])) dash--;
  if (e.text[dash] !== '-') throw new EditError('Unexpected sequence layout; edit this item by hand.', 'shape');
  let from = e.index.lineStart(dash);
  // Leading comment lines that belong to this item (no blank line in between).
  for (;;) {
    const prevLine = e.index.positionAt(from).line - 1;
    if (prevLine < 0) break;
    const ls = e.index.offsetAt({ line: prevLine, character: 0 });
    const lineText = e.text.slice(ls, from).trim();
    if (!lineText.startsWith('#')) break;
    from = ls;
  }
  const to = e.text[valueEnd - 1] === '\n' ? valueEnd : e.index.nextLineStart(Math.max(start, valueEnd - 1));
  if (seq.items.length === 1 && owner) {
    // The list becomes empty: keep the key, write `[]` after its colon.
    const keyEnd = (owner.key as Node).range![1];
    const colon = e.text.indexOf(':', keyEnd);
    return [
      { start: colon + 1, end: colon + 1, newText: ' []' },
      { start: from, end: to, newText: '' },
    ];
  }
  return [{ start: from, end: to, newText: '' }];
}

export interface ConnectionRef {
  model: string;
  connection: string;
}

export function setConnectionEnabled(text: string, ref: ConnectionRef, enabled: boolean): TextEdit[] {
  const e = open(text);
  const { item } = findConnection(e, ref.model, ref.connection);
  return [setInMap(e, item, 'enabled', enabled, 'name')];
}

export function deleteConnection(text: string, ref: ConnectionRef): TextEdit[] {
  const e = open(text);
  const { seq, item } = findConnection(e, ref.model, ref.connection);
  return removeFromSeq(e, seq, item, findPair(findModel(e, ref.model), 'connections'));
}

export function deleteModel(text: string, model: string): TextEdit[] {
  const e = open(text);
  const item = findModel(e, model);
  const seq = findPair(e.doc.contents, 'models')!.value as YAMLSeq;
  return removeFromSeq(e, seq, item, findPair(e.doc.contents, 'models'));
}
