/** Text positions from the position tree's ranges: columns, line starts, where a pair's value ends … (agentsEdit.ts uses them too). */
import { LineIndex } from '../../yaml/text';
import { isTMap, isTNode, isTPair, isTScalar, isTSeq, type TNode, type TPair } from '../../yaml/yamlTree';
import { EditError } from './textEdit';

/** What the text-position helpers below need (agentsEdit.ts uses them too). */
export interface TextView {
  text: string;
  index: LineIndex;
}

/** Column of an offset; a BOM on the first line does not count. */
export function column(e: TextView, offset: number): number {
  const o = Math.max(0, Math.min(offset, e.text.length));
  const start = e.index.lineStart(o);
  return start === 0 && e.text.charCodeAt(0) === 0xfeff ? o - 1 : o - start;
}

/** True when no line break lies between two offsets. */
export function sameLine(e: TextView, a: number, b: number): boolean {
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
export function pairEnd(e: TextView, pair: TPair): number {
  const end = lineAfter(e, valueEnd(pair));
  const v = pair.value;
  return (isTMap(v) || isTSeq(v)) && !v.flow ? skipCommentLines(e, end, column(e, keyRange(pair)[0]) + 1) : end;
}

/** Skips the comment lines at `at` indented at least `minCol`: they belong to the node above. */
export function skipCommentLines(e: TextView, at: number, minCol: number): number {
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
export function dashOf(e: TextView, item: TNode): number {
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

export function scalarValue(node: unknown): unknown {
  return isTScalar(node) ? node.value : undefined;
}
