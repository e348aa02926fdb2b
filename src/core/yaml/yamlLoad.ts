/**
 * Safe loading of untrusted YAML (manifests and agents files come from cloned repos).
 * Parses with the `yaml` Document API so every node keeps its source range, then
 * refuses what has no place in these files: aliases, anchors, tags, merge keys,
 * `__proto__`, YAML 1.1 directives, several documents, deep nesting, huge files.
 */
import type { Document, Node, Pair } from 'yaml';
import { fastParse } from './fastYaml';
import { MAX_PROBLEMS, type Problem, type Severity } from './problems';
import { LineIndex, quote } from './text';
import { fromYamlDocument, type TDoc } from './yamlTree';
import { yamlLib } from './yamlLib';

/** Larger files are refused before parsing (the 10,000-connection benchmark file is about 1.5 MB). */
export const MAX_FILE_CHARS = 8 * 1024 * 1024;
/** Our formats nest about eight levels deep; anything far deeper is hostile or a mistake. */
export const MAX_DEPTH = 32;

export type PathSegment = string | number;

export interface LoadedYaml {
  index: LineIndex;
  problems: Problem[];
  /** The parsed document, when the text could be parsed at all. */
  doc?: Document.Parsed;
  /** Plain data, when it could be built safely (no aliases, bounded depth). */
  data?: unknown;
  /** True when the YAML has no syntax errors: only then may the file be edited. */
  syntaxOk: boolean;
}

export class ProblemList {
  readonly items: Problem[] = [];
  private readonly seen = new Set<string>();
  constructor(readonly index: LineIndex) {}

  add(code: string, severity: Severity, message: string, start: number, end: number): void {
    if (this.items.length >= MAX_PROBLEMS) return;
    const s = Math.max(0, Math.min(start, this.index.text.length));
    const e = Math.max(s, Math.min(end, this.index.text.length));
    const key = `${code}|${s}|${e}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ code, severity, message, start: s, end: e, range: this.index.range(s, e) });
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }
}

const YAML_ERROR_MESSAGES: Record<string, string> = {
  DUPLICATE_KEY: 'Duplicate key: each key may appear only once in a mapping (the later one would silently win).',
  MULTIPLE_DOCS: 'Only one YAML document is allowed here; remove the `---` and what follows, or merge it into the first document.',
  RESOURCE_EXHAUSTION: 'The YAML is nested too deeply to be read safely.',
  BAD_INDENT: 'Bad indentation.',
};

function yamlErrorMessage(code: string, message: string): string {
  const known = YAML_ERROR_MESSAGES[code] ?? (/call stack/i.test(message) ? YAML_ERROR_MESSAGES.RESOURCE_EXHAUSTION : undefined);
  // The library's messages can quote source text; keep the first line only and cap it.
  const first = message.split('\n')[0].slice(0, 200);
  return known ?? `YAML syntax error: ${first}`;
}

export function loadYaml(text: string, what: string): LoadedYaml {
  observer?.(text);
  const index = new LineIndex(text.length > MAX_FILE_CHARS ? '' : text);
  const problems = new ProblemList(index);
  if (text.length > MAX_FILE_CHARS) {
    problems.add('file-too-large', 'error', `The ${what} is ${(text.length / 1048576).toFixed(1)} MB; files over ${MAX_FILE_CHARS / 1048576} MB are not read.`, 0, 0);
    return { index, problems: problems.items, syntaxOk: false };
  }
  if (text.trim() === '' || text.replace(/^\ufeff/, '').trim() === '') {
    problems.add('empty-file', 'error', `The ${what} is empty.`, 0, text.length);
    return { index, problems: problems.items, syntaxOk: true };
  }

  // YAML forbids NUL, but the parser lets it through in strings and comments; a NUL
  // usually means a binary file, or UTF-16 read as UTF-8. Refused like bad encoding.
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    problems.add('nul-byte', 'error', `The ${what} contains a NUL character (byte 0x00), which YAML does not allow: the file is probably binary, or not saved as UTF-8. It is not read, and never changed here, until the NUL is removed.`, nul, nul + 1);
    return { index, problems: problems.items, syntaxOk: false };
  }

  // A carriage return alone (old Mac line endings) or a Unicode line or paragraph separator:
  // editors show a new line there, YAML does not, so the rest is read as part of the line
  // before it. After `# reviewed` + CR, an `enabled: false` the editor shows on its own line
  // is inside the comment, and the connection stays enabled. Refused like a NUL, at the first.
  const lone = /\r(?!\n)|[\u2028\u2029]/.exec(text);
  if (lone) {
    const line = index.positionAt(lone.index).line + 1;
    const kind = lone[0] === '\r' ? 'a carriage return (CR) that no line feed follows (old Mac line endings)' : `a Unicode ${lone[0] === '\u2028' ? 'line' : 'paragraph'} separator (U+${lone[0].charCodeAt(0).toString(16).toUpperCase()})`;
    problems.add('line-ending', 'error', `Line ${line} has ${kind}: editors show a new line there, but YAML reads what follows as part of line ${line} (after a \`#\` it is a comment). The ${what} is not read, and never changed here, until it is saved with LF or CRLF line endings only (in VS Code: the LF/CRLF item in the status bar).`, lone.index, lone.index + 1);
    return { index, problems: problems.items, syntaxOk: false };
  }

  // Thousands of nested `[`/`{` make the parser recurse until the stack overflows, which is
  // slow; a linear scan refuses them first (a file nested that deep is never legitimate).
  const deepAt = flowNestingBeyond(text, FLOW_SCAN_DEPTH);
  if (deepAt !== undefined) {
    problems.add('too-deep', 'error', `Nesting deeper than ${MAX_DEPTH} levels is not allowed.`, deepAt, deepAt + 1);
    return { index, problems: problems.items, syntaxOk: false };
  }

  let doc: Document.Parsed;
  try {
    doc = yamlLib().parseDocument(text, { version: '1.2', schema: 'core', merge: false, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false, strict: true, stringKeys: false });
  } catch (e) {
    const message = e instanceof RangeError ? YAML_ERROR_MESSAGES.RESOURCE_EXHAUSTION : `The ${what} could not be parsed.`;
    problems.add('yaml-syntax', 'error', message, 0, Math.min(text.length, 1));
    return { index, problems: problems.items, syntaxOk: false };
  }

  // Duplicate keys are found by the walk below (the library's `uniqueKeys` check compares
  // every key with every other: quadratic, 40,000 keys took 39 s), reported at the whole key.
  const walkProblems = new ProblemList(index);
  const walked = walkNodes(doc, walkProblems);
  let exhausted = false;
  for (const err of doc.errors) {
    if (err.code === 'RESOURCE_EXHAUSTION') {
      if (exhausted) continue;
      exhausted = true;
    }
    problems.add(err.code === 'DUPLICATE_KEY' ? 'duplicate-key' : err.code === 'MULTIPLE_DOCS' ? 'multiple-documents' : 'yaml-syntax', 'error', yamlErrorMessage(err.code, err.message), err.pos[0], err.pos[1]);
  }
  const syntaxOk = doc.errors.length === 0 && !walked.duplicateKeys;

  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    const at = text.indexOf('%YAML');
    problems.add('yaml-version', 'error', `The %YAML ${doc.directives.yaml.version} directive is not supported: these files are YAML 1.2 (in YAML 1.1, \`no\`, \`off\` and \`y\` silently become booleans). Remove the directive.`, Math.max(0, at), at >= 0 ? at + 9 : 0);
  }

  for (const p of walkProblems.items) problems.add(p.code, p.severity, p.message, p.start, p.end);
  const { safe, data: built } = walked;
  const data = safe && !exhausted ? built : undefined;
  if (doc.contents === null && syntaxOk) problems.add('empty-file', 'error', `The ${what} has no content.`, 0, text.length);
  return { index, problems: problems.items, doc, data, syntaxOk: syntaxOk && problems.items.every((p) => p.code !== 'yaml-version') };
}

/** Flow nesting at which the text is refused before parsing. */
const FLOW_SCAN_DEPTH = 4 * MAX_DEPTH;

/**
 * The offset of the bracket that first went deeper than MAX_DEPTH, when `[`/`{` nest more
 * than `limit` deep outside quotes and comments; otherwise undefined. Approximate (plain
 * scalars may hold brackets), but a legitimate file never comes near the limit.
 */
function flowNestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let firstTooDeep = -1;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (quote === '"' && c === 0x5c) i++;
      else if (c === quote.charCodeAt(0)) quote = '';
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth === MAX_DEPTH + 1) firstTooDeep = i;
      if (depth > limit) return firstTooDeep;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    } else if (c === 0x22 || c === 0x27) {
      quote = text[i];
    } else if (c === 0x23 && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    }
  }
  return undefined;
}

export interface LoadedTree {
  index: LineIndex;
  problems: Problem[];
  /** The file's position tree, when the text could be parsed at all. */
  doc?: TDoc;
  /** Plain data, when it could be built safely (no aliases, bounded depth). */
  data?: unknown;
  /** True when the YAML has no syntax errors: only then may the file be edited. */
  syntaxOk: boolean;
  /** True when the fast parser read the file (then there is no YAML-level problem). */
  fast: boolean;
}

let fastPathEnabled = true;
let observer: ((text: string) => void) | undefined;

/** Calls `fn` with every text loaded from now on (the equivalence tests collect their corpus with it); undefined stops. */
export function observeLoadedTexts(fn: ((text: string) => void) | undefined): void {
  observer = fn;
}

/**
 * Turns the fast parser on or off (on by default). Off, every file takes the full `yaml`
 * path: the equivalence tests compare both paths with it.
 */
export function setFastPath(enabled: boolean): void {
  fastPathEnabled = enabled;
}

/**
 * The read path: the fast parser when it is certain, else `loadYaml` (the full `yaml`
 * Document, with every hostile-input check) converted to the same position tree. Both give
 * the same tree, data and problems; the fast one only answers for files without YAML-level
 * problems.
 */
export function loadTree(text: string, what: string, options: { data?: boolean; retainDepth?: number } = {}): LoadedTree {
  observer?.(text);
  if (fastPathEnabled && text.length <= MAX_FILE_CHARS && !text.includes('\0')) {
    // Edits ask for less: no data (`plainOf(doc.contents)` gives it), and only the top
    // levels of the tree kept (see FastOptions.retainDepth); the full path ignores both.
    const fast = fastParse(text, { data: options.data !== false, retainDepth: options.retainDepth });
    if (fast) return { index: new LineIndex(text), problems: [], doc: { contents: fast.contents }, data: options.data === false ? undefined : fast.data, syntaxOk: true, fast: true };
  }
  const loaded = loadYaml(text, what);
  return { index: loaded.index, problems: loaded.problems, doc: loaded.doc ? fromYamlDocument(loaded.doc) : undefined, data: loaded.data, syntaxOk: loaded.syntaxOk, fast: false };
}

/**
 * One iterative walk over every node: reports aliases, anchors, tags, merge keys,
 * `__proto__` keys, non-scalar keys and excessive depth, and builds the plain data at
 * the same time (cheaper than a second pass with `toJS`). `safe` is false when the
 * data must not be used (aliases or depth).
 */
function walkNodes(doc: Document.Parsed, problems: ProblemList): { safe: boolean; data: unknown; duplicateKeys: boolean } {
  const { isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq } = yamlLib();
  let safe = true;
  let duplicateKeys = false;
  const root: { value: unknown } = { value: null };
  type Slot = (v: unknown) => void;
  const stack: Array<{ node: unknown; depth: number; set: Slot }> = [{ node: doc.contents, depth: 0, set: (v) => { root.value = v; } }];
  while (stack.length > 0) {
    const { node, depth, set } = stack.pop()!;
    if (!isNode(node)) {
      set(null);
      continue;
    }
    const [start, end] = node.range ?? [0, 0];
    if (isAlias(node)) {
      problems.add('yaml-alias', 'error', `Aliases (${quote('*' + node.source)}) are not allowed: write the value out in full.`, start, end);
      safe = false;
      continue;
    }
    if (node.anchor) {
      const at = propertyBefore(problems.index.text, start, '&');
      problems.add('yaml-anchor', 'error', `Anchors (${quote('&' + node.anchor)}) are not allowed: write each value out in full.`, at ?? start, at !== undefined ? at + 1 + node.anchor.length : Math.min(end, start + 1 + node.anchor.length));
    }
    if (node.tag) problems.add('yaml-tag', 'error', `Tags (${quote(node.tag.replace('tag:yaml.org,2002:', '!!'))}) are not allowed: plain values only.`, propertyBefore(problems.index.text, start, '!') ?? start, end);
    if (depth > MAX_DEPTH) {
      problems.add('too-deep', 'error', `Nesting deeper than ${MAX_DEPTH} levels is not allowed.`, start, Math.min(end, start + 1));
      safe = false;
      continue;
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      set(obj);
      const firstAt = new Map<string, number>();
      for (const pair of node.items as Pair[]) {
        const key = checkKey(pair, problems);
        if (key !== undefined && isScalar(pair.key) && pair.key.range) {
          const [ks, ke] = pair.key.range;
          const first = firstAt.get(key);
          if (first === undefined) firstAt.set(key, ks);
          else {
            duplicateKeys = true;
            problems.add('duplicate-key', 'error', `Duplicate key ${quote(key)}: it is already set on line ${problems.index.positionAt(first).line + 1} of this mapping, and each key may appear only once (the later one would silently win).`, ks, ke);
          }
        }
        if (key !== undefined) {
          obj[key] = null; // keeps the source order of keys
          stack.push({ node: pair.value, depth: depth + 1, set: (v) => { obj[key] = v; } });
        }
        if (isCollection(pair.key)) stack.push({ node: pair.key, depth: depth + 1, set: () => undefined });
      }
    } else if (isSeq(node)) {
      const arr: unknown[] = new Array(node.items.length).fill(null);
      set(arr);
      node.items.forEach((item, i) => {
        if (isPair(item)) {
          // `[a: 1]` — a single-pair mapping written inside a flow sequence.
          const obj: Record<string, unknown> = {};
          arr[i] = obj;
          const key = checkKey(item, problems);
          if (key !== undefined) stack.push({ node: item.value, depth: depth + 1, set: (v) => { obj[key] = v; } });
        } else stack.push({ node: item, depth: depth + 1, set: (v) => { arr[i] = v; } });
      });
    } else if (isScalar(node)) {
      set(node.value);
    }
  }
  return { safe, data: root.value, duplicateKeys };
}

/**
 * Where the node property (`&anchor` or `!tag`) written just before a node starts: one of
 * the (at most two) tokens before `start`. The parser's node range leaves properties out.
 */
function propertyBefore(text: string, start: number, sigil: '&' | '!'): number | undefined {
  let i = start;
  for (let token = 0; token < 2; token++) {
    while (i > 0 && /\s/.test(text[i - 1])) i--;
    const end = i;
    while (i > 0 && !/\s/.test(text[i - 1])) i--;
    if (i === end) return undefined;
    if (text[i] === sigil) return i;
    if (text[i] !== '&' && text[i] !== '!') return undefined;
  }
  return undefined;
}

/** Checks a mapping key; returns the property name to use in the data, or undefined to leave it out. */
function checkKey(pair: Pair, problems: ProblemList): string | undefined {
  const { isNode, isScalar } = yamlLib();
  const key = pair.key;
  if (isScalar(key)) {
    if (typeof key.value === 'string' && key.value !== '<<' && key.value !== '__proto__') return key.value;
    const [s, e] = key.range ?? [0, 0];
    if (key.value === '<<') problems.add('yaml-merge-key', 'error', 'Merge keys (`<<`) are not allowed: write each field out in full.', s, e);
    else if (key.value === '__proto__') problems.add('forbidden-key', 'error', '`__proto__` is not allowed as a key.', s, e);
    else problems.add('non-string-key', 'error', `Keys must be plain strings, not ${key.value === null ? 'null' : typeof key.value} ${quote(String(key.source ?? key.value))}.`, s, e);
    return key.value === '<<' || key.value === '__proto__' ? undefined : String(key.value);
  }
  if (isNode(key)) {
    const [s, e] = key.range ?? [0, 0];
    problems.add('non-string-key', 'error', 'Keys must be plain strings, not collections.', s, e);
  } else if (key === null || key === undefined) {
    return '';
  }
  return undefined;
}

/** The pair whose key is `name` in a mapping node, if any. */
export function findPair(map: unknown, name: string): Pair<Node, Node | null> | undefined {
  const { isMap, isScalar } = yamlLib();
  if (!isMap(map)) return undefined;
  for (const pair of map.items as Pair<Node, Node | null>[]) {
    if (isScalar(pair.key) && pair.key.value === name) return pair;
  }
  return undefined;
}

/** The node at a data path (keys of mappings, indexes of sequences), and the pair holding it. */
export function nodeAtPath(doc: Document.Parsed, path: readonly PathSegment[]): { node?: Node; pair?: Pair<Node, Node | null>; parent?: Node } {
  const { isMap, isNode, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let pair: Pair<Node, Node | null> | undefined;
  let parent: Node | undefined;
  for (const seg of path) {
    parent = isNode(node) ? node : parent;
    if (isMap(node)) {
      pair = findPair(node, String(seg));
      if (!pair) return { parent };
      node = pair.value ?? undefined;
    } else if (isSeq(node) && typeof seg === 'number') {
      pair = undefined;
      node = node.items[seg];
    } else return { parent };
  }
  return { node: isNode(node) ? node : undefined, pair, parent };
}

/** Parses an `/a/0/b` JSON pointer (ajv's instancePath) into segments; numeric parts stay numbers. */
export function parsePointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}
