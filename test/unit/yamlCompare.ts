/**
 * The comparison of the two read paths on one text, shared by the equivalence test
 * (yamlPaths.test.ts) and the differential fuzzer (yamlPathsFuzz.test.ts): the fast
 * read path and the full `yaml` path must agree exactly — first on whether the file may
 * be edited (`syntaxOk`: the fast path may never allow an edit the full path refuses),
 * then on the analysis (problems with code, severity, message, start, end and range; the
 * tree model with its spans) and, whenever the fast parser answers, on the position tree
 * and the plain data.
 */
import * as assert from 'assert';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { loadTree, setFastPath } from '../../src/core/yaml/yamlLoad';
import { plainOf } from '../../src/core/yaml/yamlTree';

export interface Outcome {
  /** Whether the fast parser read the text. */
  fast: boolean;
}

/** Throws an AssertionError naming `name` when the two paths disagree on `text`. */
export function compare(name: string, text: string): Outcome {
  let full;
  setFastPath(false);
  try {
    full = analyzeManifest(text);
  } finally {
    setFastPath(true);
  }
  const fastTree = loadTree(text, 'manifest');
  // What an edit opens the file with (edit.ts: no data, the top levels only).
  const editTree = loadTree(text, 'manifest', { data: false, retainDepth: 3 });
  for (const [path, ok] of [['read', fastTree.syntaxOk], ['edit', editTree.syntaxOk]] as const) {
    if (ok && !full.syntaxOk) assert.fail(`${name}: the fast ${path} path allows edits the full path refuses (full path: ${full.problems.map((p) => p.message).join('; ')})`);
    assert.strictEqual(ok, full.syntaxOk, `${name}: syntaxOk differs between the fast ${path} path and the full path`);
  }
  if (!fastTree.fast) return { fast: false }; // the full path answered both times: nothing more to compare
  const fast = analyzeManifest(text);
  assert.deepStrictEqual(fast, full, `${name}: analyzeManifest differs between the fast and the full path`);
  setFastPath(false);
  let fullTree;
  try {
    fullTree = loadTree(text, 'manifest');
  } finally {
    setFastPath(true);
  }
  assert.deepStrictEqual(fastTree.doc, fullTree.doc, `${name}: position trees differ`);
  assert.deepStrictEqual(fastTree.data, fullTree.data, `${name}: data differs`);
  assert.deepStrictEqual(plainOf(fastTree.doc!.contents), fastTree.data, `${name}: plainOf(tree) differs from the data`);
  assert.deepStrictEqual(fullTree.problems, [], `${name}: the fast path answered for a file with YAML problems`);
  return { fast: true };
}

/** Compares every text of a corpus (stops at the first disagreement). */
export function compareAll(corpus: Iterable<[string, string]>): { total: number; fast: number } {
  let total = 0;
  let fast = 0;
  for (const [name, text] of corpus) {
    total++;
    if (compare(name, text).fast) fast++;
  }
  return { total, fast };
}
