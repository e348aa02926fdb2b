/** Edits of a list (models, connections): appending an item, removing one with its lines. */
import { isTScalar, isTSeq, pairOf, type TMap, type TNode, type TPair, type TSeq } from '../../yaml/yamlTree';
import { type Editable, insertLines, layoutOf } from './document';
import { changeMap, renderFlow, renderItem, replaceValue } from './mappings';
import { afterColon, column, contentEnd, dashOf, keyRange, lineAfter, lineStart, sameLine, skipCommentLines } from './positions';
import { EditError, type TextEdit } from './textEdit';
import type { TreeMap } from './values';

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
export function appendItem(e: Editable, owner: TMap, key: 'models' | 'connections', item: TreeMap, order: readonly string[]): TextEdit[] {
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

/** Removes one item of a sequence with its own lines (and the comment lines right above it). */
export function removeFromSeq(e: Editable, seq: TSeq, item: TNode, owner: TPair | undefined): TextEdit[] {
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
