/** The check every edit's result goes through before it is returned: the whole result re-read, or only the edited models' lines. */
import { isDeepStrictEqual } from 'util';
import { fastParse, regionSupported } from '../../yaml/fastYaml';
import { loadTree } from '../../yaml/yamlLoad';
import { isTMap, isTScalar, isTSeq, plainOf, type TNode, type TScalar } from '../../yaml/yamlTree';
import { dataOf, type Editable, fullModel, open } from './document';
import { column, dashOf, lineStart, sameLine } from './positions';
import { applyEdits, EditError, type TextEdit } from './textEdit';

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
export function checked(e: Editable, edits: readonly TextEdit[], change: (data: Record<string, unknown>) => void, touched: readonly number[] = []): TextEdit[] {
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
