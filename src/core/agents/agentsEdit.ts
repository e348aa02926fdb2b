/**
 * Minimal text edits to an agents file: set or remove the `connection:` of one agent
 * or supervisor. Like `edit.ts` for the manifest, the edit is computed from the
 * parsed document's node ranges, so only that line changes: comments, order,
 * quoting, CRLF and a BOM survive. A file with YAML errors is never edited, and the
 * result is re-read: it must parse and hold exactly the intended data.
 */
import { isDeepStrictEqual } from 'util';
import type { AgentKind } from './assignments';
import { parseReference } from './assignments';
import { afterColon, applyEdits, column, EditError, formatScalar, keyRange, lineAfter, lineStart, onDashLine, scalarValue, valueEnd, type TextEdit } from '../manifest/edit';
import { detectEol, LineIndex, quote } from '../yaml/text';
import { loadTree } from '../yaml/yamlLoad';
import { isTMap, isTScalar, isTSeq, pairOf, type TMap, type TPair } from '../yaml/yamlTree';

export interface AgentTarget {
  kind: AgentKind;
  name: string;
}

/** Where `connection:` goes in a definition without one: after the first of these that is there. */
const ANCHOR_KEYS = ['description', 'name'] as const;

interface Editable {
  text: string;
  index: LineIndex;
  eol: string;
  data: unknown;
  map: TMap;
  listKey: 'agents' | 'supervisors';
  position: number;
}

function open(text: string, target: AgentTarget): Editable {
  const loaded = loadTree(text, 'agents file');
  if (!loaded.doc || !loaded.syntaxOk) {
    throw new EditError('The agents file has YAML errors; fix them (see the Problems panel) before changing it from here. The file was not modified.', 'syntax');
  }
  const listKey = target.kind === 'agent' ? 'agents' : 'supervisors';
  const seq = pairOf(loaded.doc.contents, listKey)?.value;
  const found: Array<{ map: TMap; position: number }> = [];
  if (isTSeq(seq)) {
    seq.items.forEach((item, position) => {
      if (isTMap(item) && scalarValue(pairOf(item, 'name')?.value) === target.name) found.push({ map: item, position });
    });
  }
  if (found.length === 0) throw new EditError(`No ${target.kind} named ${quote(target.name)} in this file (it may have been renamed or removed).`, 'not-found');
  if (found.length > 1) throw new EditError(`Several ${target.kind}s are named ${quote(target.name)}; give them unique names first. The file was not modified.`, 'shape');
  return { text, index: loaded.index, eol: detectEol(text), data: loaded.data, map: found[0].map, listKey, position: found[0].position };
}

/** Re-reads the result: it must parse, and its data must be the old data with exactly the intended change. */
function checked(e: Editable, edits: TextEdit[], reference: string | undefined): TextEdit[] {
  if (edits.length === 0) return edits;
  edits.sort((a, b) => a.start - b.start);
  const after = loadTree(applyEdits(e.text, edits), 'agents file');
  let ok = after.syntaxOk && after.doc !== undefined;
  if (ok && e.data !== null && typeof e.data === 'object') {
    const expected = structuredClone(e.data) as Record<string, Array<Record<string, unknown>>>;
    const item = expected[e.listKey][e.position];
    if (reference === undefined) delete item.connection;
    else item.connection = reference;
    ok = isDeepStrictEqual(after.data, expected);
  }
  if (!ok) throw new EditError('This change could not be written without risking the rest of the agents file; make it by hand. The file was not modified.', 'shape');
  return edits;
}

/** Sets `connection: model/connection` on an agent or supervisor: the value in place, or a new line after its description or name. */
export function setAgentConnection(text: string, target: AgentTarget, reference: string): TextEdit[] {
  if (typeof reference !== 'string' || !parseReference(reference)) throw new EditError(`${quote(reference)} is not a connection reference: write \`model/connection\`.`, 'shape');
  const e = open(text, target);
  const map = e.map;
  const scalar = formatScalar(reference, map.flow);
  const pair = pairOf(map, 'connection');
  if (pair) {
    const v = pair.value;
    if (isTScalar(v) && v.value === reference) return [];
    if (v !== null && !isTScalar(v)) throw new EditError('`connection` is not a single value here; edit it by hand. The file was not modified.', 'shape');
    let edit: TextEdit;
    if (v?.range && v.range[1] > v.range[0]) {
      const block = v.style === 'BLOCK_FOLDED' || v.style === 'BLOCK_LITERAL';
      edit = { start: v.range[0], end: v.range[1], newText: scalar + (block && e.text[v.range[1] - 1] === '\n' ? e.eol : '') };
    } else {
      const at = afterColon(e, pair);
      edit = { start: at, end: at, newText: ` ${scalar}` };
    }
    return checked(e, [edit], reference);
  }
  const anchor = ANCHOR_KEYS.map((k) => pairOf(map, k)).find((p) => p !== undefined) ?? (map.items[map.items.length - 1] as TPair | undefined);
  if (!anchor) throw new EditError('This definition is empty; edit it by hand.', 'shape');
  const end = valueEnd(anchor);
  if (map.flow) return checked(e, [{ start: end, end, newText: `, connection: ${scalar}` }], reference);
  const at = lineAfter(e, end);
  const line = `${' '.repeat(column(e, keyRange(anchor)[0]))}connection: ${scalar}`;
  const needsBreak = at === e.text.length && e.text.length > 0 && !e.text.endsWith('\n');
  return checked(e, [{ start: at, end: at, newText: needsBreak ? `${e.eol}${line}` : `${line}${e.eol}` }], reference);
}

/** Removes `connection:` from an agent or supervisor (its line, with a comment on it). No edit when there is none. */
export function clearAgentConnection(text: string, target: AgentTarget): TextEdit[] {
  const e = open(text, target);
  const map = e.map;
  const pairs = map.items as TPair[];
  const pair = pairOf(map, 'connection');
  if (!pair) return [];
  const i = pairs.indexOf(pair as TPair);
  if (pairs.length === 1) throw new EditError('`connection` is the only key of this definition; edit it by hand.', 'shape');
  const [keyStart] = keyRange(pair);
  let edit: TextEdit;
  if (map.flow) {
    edit = i < pairs.length - 1
      ? { start: keyStart, end: keyRange(pairs[i + 1])[0], newText: '' }
      : { start: valueEnd(pairs[i - 1]), end: valueEnd(pair), newText: '' };
  } else if (onDashLine(e, keyStart)) {
    // `- connection: …` — the next key moves up onto the dash line.
    edit = { start: keyStart, end: keyRange(pairs[i + 1])[0], newText: '' };
  } else {
    edit = { start: lineStart(e, keyStart), end: lineAfter(e, valueEnd(pair)), newText: '' };
  }
  return checked(e, [edit], undefined);
}
