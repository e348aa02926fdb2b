/** Edits of a mapping: rendering new pairs in the file's style, replacing, inserting and removing pairs. */
import { isTMap, isTScalar, isTSeq, pairOf, type TMap, type TPair } from '../../yaml/yamlTree';
import { type Editable, insertLines, layoutOf, mapIndentOf_ } from './document';
import { afterColon, column, keyRange, lineStart, onDashLine, pairEnd, scalarValue, valueEnd } from './positions';
import { formatScalar } from './scalars';
import { EditError, type TextEdit } from './textEdit';
import { isTreeMap, type Tree, type TreeMap } from './values';

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
export function renderItem(e: Editable, item: TreeMap, dashCol: number, gap: number): string[] {
  if (item.entries.length === 0) return [`${' '.repeat(dashCol)}- {}`];
  const lines = item.entries.flatMap(([k, v]) => renderPair(e, k, v, dashCol + gap));
  lines[0] = `${' '.repeat(dashCol)}-${' '.repeat(gap - 1)}${lines[0].slice(dashCol + gap)}`;
  return lines;
}

export function renderFlow(value: Tree): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (isTreeMap(value)) return `{${value.entries.map(([k, v]) => `${formatScalar(k, true)}: ${renderFlow(v)}`).join(', ')}}`;
  return formatScalar(value, true);
}

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
export function changeMap(e: Editable, map: TMap, changes: ReadonlyArray<[string, Tree | undefined]>, order: readonly string[], full: boolean): TextEdit[] {
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
export function replaceValue(e: Editable, map: TMap, pair: KeyedPair, value: Tree): TextEdit[] {
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
