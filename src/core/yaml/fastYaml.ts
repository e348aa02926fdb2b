/**
 * A fast parser for the block-style YAML subset manifests and agents files are written
 * in: block mappings and sequences, plain and single-line quoted scalars, single-line
 * flow collections, comments, blank lines, CRLF and a BOM. It yields the position tree
 * of `yamlTree.ts` — with exactly the ranges the `yaml` library gives — and the plain
 * data in one pass, several times faster than building a `yaml` Document.
 *
 * It only accepts what it is certain about. Anything else — anchors, aliases, tags,
 * directives, document markers, block scalars, multi-line scalars or flow collections,
 * complex or quoted keys, tabs, odd indentation, duplicate keys, `__proto__` and `<<`
 * keys, non-string keys, deep nesting, comment lines whose indentation differs from the
 * next line's or that end a compact sequence (`key:` then `- item` at the key's column),
 * a top-level sequence after a BOM (see `root`), anything that would give a
 * problem — makes it give up (`undefined`), and the caller takes the full `yaml` path.
 * So when it answers, the file has no YAML-level problem at all and the answer is what
 * the full path would have built. test/unit/yamlPathsFuzz.test.ts checks this on
 * generated texts.
 */
import { TMap, TPair, TScalar, TSeq, type Range, type TNode } from './yamlTree';

export interface FastParse {
  contents: TNode;
  /** The plain data (null when not asked for: `plainOf(contents)` gives it). */
  data: unknown;
}

/** Deeper files take the full path (which reports nesting beyond MAX_DEPTH). */
const FAST_MAX_DEPTH = 24;
const MAX_KEY_CHARS = 1000;
/** Mappings with more keys check duplicates with a set. */
const SMALL_MAP = 16;

/** Characters the fast path never reads: tabs, controls, NEL, line/paragraph separators, a BOM after the start, a lone CR. */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED = /[\t\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u2028\u2029\ufeff]|\r(?!\n)/;

/** The keys of a large mapping so far (its pairs, or its key strings when pairs are not kept) and `key`, in a set. */
function keySet(items: readonly TPair[] | readonly string[], key: string): Set<string> {
  const keys = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    keys.add(typeof it === 'string' ? it : ((it.key as TScalar).value as string));
  }
  return keys.add(key);
}

class Bail {}
const BAIL = new Bail();

const SPACE = 32;
const CR = 13;
const HASH = 35;
const COLON = 58;
const DASH = 45;

/** Indicators that may not start a plain scalar here (`-`, `?`, `:` are handled separately). */
function isIndicator(c: number): boolean {
  // , [ ] { } # & * ! | > ' " % @ `
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === 35 || c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 39 || c === 34 || c === 37 || c === 64 || c === 96;
}

function isFlowIndicator(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value in the YAML 1.2 core schema, tested in the `yaml` library's order. */
export function resolvePlain(s: string): unknown {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  // Most values start with a letter that no null, boolean or number can start with.
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
    // Only a null or a boolean starts with a letter.
    if (c !== 110 && c !== 78 && c !== 116 && c !== 84 && c !== 102 && c !== 70) return s;
    if (NULL_RE.test(s)) return null;
    if (BOOL_RE.test(s)) return c === 116 || c === 84;
    return s;
  }
  // A number has a `-` only first or right after the exponent's `e` (dates, versions: strings).
  const dash = s.indexOf('-', 1);
  if (dash > 0 && s[dash - 1] !== 'e' && s[dash - 1] !== 'E') return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (OCT_RE.test(s)) return parseInt(s.substring(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.substring(2), 16);
  if (NAN_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (EXP_RE.test(s)) return parseFloat(s);
  if (FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};

/**
 * Parses `text` (or fails: undefined). `text` is the whole file; the result's ranges are
 * offsets into it. `from`/`to` restrict parsing to whole lines of the text (an edit's
 * check re-reads only the lines it changed): the region must hold exactly one block
 * sequence starting at `from`.
 */
export function fastParse(text: string, options: FastOptions = {}): FastParse | undefined {
  const from = options.from ?? 0;
  const to = options.to ?? text.length;
  const region = options.region ?? from > 0;
  if (!region && to === text.length && UNSUPPORTED.test(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)) return undefined;
  try {
    return new Parser(text, from, to, region, options.tail ?? { indent: 0, depth: 1 }, options.data !== false, options.retainDepth ?? Infinity).root();
  } catch (e) {
    if (e === BAIL) return undefined;
    if (e instanceof RangeError) return undefined; // call stack: let the full path report it
    throw e;
  }
}

export interface FastOptions {
  /** Parse only the whole lines from `from` to `to` (an edit's check, a model on demand): they must hold one block sequence. */
  from?: number;
  to?: number;
  /** Read as a region (one block sequence, the `tail` rules) even from offset 0: a region copied into its own string. */
  region?: boolean;
  tail?: RegionTail;
  /** Build the plain data (default true). */
  data?: boolean;
  /**
   * Block collections nested deeper than this are read and checked in full but keep no
   * items (their ranges are right): edits read the whole file this way and parse the few
   * models they need again on their own.
   */
  retainDepth?: number;
}

/**
 * For a region parse: the indentation of the line right after the region (comment lines at
 * the region's end must have it, as they would need in the whole file), and the nesting
 * depth of the region's sequence in the whole file.
 */
export interface RegionTail {
  indent: number;
  depth: number;
}

/** Checks a region (an edit's changed lines) for what `fastParse` would refuse outright. */
export function regionSupported(text: string, from: number, to: number): boolean {
  return !UNSUPPORTED.test(text.slice(from, to));
}

class Parser {
  /** The current content line (not blank, not a comment line). */
  private lineStart = 0;
  private indent = 0;
  private cStart = 0;
  private lineEnd = 0;
  private nextLine = 0;
  private eof = false;
  /** Whether the last advance skipped comment lines. */
  private sawComment = false;
  /** Plain data of the node the last parse call returned. */
  private data: unknown = null;
  private readonly bomEnd: number;

  /** Stands in for the scalars of levels a shallow read does not keep (read once, then dropped). */
  private readonly scratch = new TScalar(null, 'PLAIN', 0, 0, 0);

  /** A block-context scalar at `depth`: a new node, or the scratch one where nothing is kept. */
  private scalar(value: unknown, start: number, end: number, nodeEnd: number, depth: number): TScalar {
    if (depth <= this.retainDepth + 1) return new TScalar(value, 'PLAIN', start, end, nodeEnd);
    const s = this.scratch;
    s.value = value;
    s.start = start;
    s.end = end;
    s.nodeEnd = nodeEnd;
    return s;
  }

  /** Whether `key` is already a key of a mapping (its pairs, or its key strings when pairs are not kept). */
  private isDuplicate(items: readonly TPair[] | readonly string[], key: string, keys: Set<string> | undefined): boolean {
    if (keys) return keys.has(key);
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if ((typeof it === 'string' ? it : (it.key as TScalar).value) === key) return true;
    }
    return false;
  }

  /** Keys seen so far, by length: a repeated key reuses its string and skips the checks it passed. */
  private readonly keys: string[][] = [];

  constructor(private readonly text: string, private readonly from: number, private readonly to: number, private readonly region: boolean, private readonly tail: RegionTail, private readonly buildData: boolean, private readonly retainDepth: number) {
    this.bomEnd = !region && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** The key written from `kp` to `colon`, already checked: its string, else undefined. */
  private knownKey(kp: number, colon: number): string | undefined {
    const bucket = this.keys[colon - kp];
    if (bucket === undefined) return undefined;
    for (let i = 0; i < bucket.length; i++) if (this.text.startsWith(bucket[i], kp)) return bucket[i];
    return undefined;
  }

  private rememberKey(key: string): void {
    const bucket = (this.keys[key.length] ??= []);
    if (bucket.length < 16) bucket.push(key);
  }

  private bail(): never {
    throw BAIL;
  }

  /** Moves to the next content line at or after `pos`, checking the comment lines skipped on the way. */
  private advance(pos: number): void {
    const text = this.text;
    const to = this.to;
    let commentIndent = -1;
    while (pos < to) {
      let ls = pos;
      if (ls === 0 && this.bomEnd) ls = 1;
      let i = ls;
      while (i < to && text.charCodeAt(i) === SPACE) i++;
      let nl = text.indexOf('\n', i);
      if (nl === -1 || nl >= to) nl = to;
      const next = nl < to ? nl + 1 : to;
      let end = nl;
      if (end > i && text.charCodeAt(end - 1) === CR) end--;
      if (i >= end) {
        pos = next; // blank line
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === HASH) {
        const ind = i - ls;
        if (commentIndent === -1) commentIndent = ind;
        else if (commentIndent !== ind) this.bail();
        pos = next;
        continue;
      }
      // A content line.
      this.sawComment = commentIndent !== -1;
      const ind = i - ls;
      if (commentIndent !== -1 && commentIndent !== ind) this.bail();
      if (ind === 0 && (c === 37 /* % */ || ((c === DASH || c === 46) && text.startsWith(c === DASH ? '---' : '...', i)))) this.bail();
      this.lineStart = ls;
      this.indent = ind;
      this.cStart = i;
      this.lineEnd = end;
      this.nextLine = next;
      this.eof = false;
      return;
    }
    // Comment lines after the last content line stay outside every node only at column 0
    // (in a region: at the indentation of the line after it).
    if (commentIndent !== -1 && commentIndent !== this.tail.indent) this.bail();
    this.sawComment = commentIndent !== -1;
    this.eof = true;
    this.indent = -1;
  }

  root(): FastParse {
    this.advance(this.from);
    if (this.eof) this.bail();
    let node: TNode;
    if (!this.region) {
      if (this.indent !== 0) this.bail();
      // After a BOM, the `yaml` library (2.9) misreads a top-level block sequence on the BOM's
      // line (`\uFEFF- a`: "Unexpected scalar at node end") and refuses the file: the full path
      // decides every BOM file with a top-level sequence (never a valid manifest or agents file).
      if (this.bomEnd && this.isDashLine(this.cStart)) this.bail();
      node = this.isDashLine(this.cStart) ? this.seq(0, this.tail.depth) : this.map(0, this.cStart, this.tail.depth);
    } else {
      if (!this.isDashLine(this.cStart)) this.bail();
      node = this.seq(this.indent, this.tail.depth);
    }
    if (!this.eof) this.bail();
    return { contents: node, data: this.data };
  }

  private isDashLine(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const n = p + 1;
    return n >= this.lineEnd || this.text.charCodeAt(n) === SPACE;
  }

  /** A block sequence whose dashes are at column `indent`; the current line is its first item. */
  private seq(indent: number, depth: number): TSeq {
    if (depth > FAST_MAX_DEPTH) this.bail();
    const text = this.text;
    const keep = depth <= this.retainDepth;
    const items: TNode[] = [];
    const data: unknown[] | null = this.buildData && keep ? [] : null;
    const start = this.cStart;
    let end = start;
    for (;;) {
      const dash = this.cStart;
      let p = dash + 1;
      while (p < this.lineEnd && text.charCodeAt(p) === SPACE) p++;
      if (p >= this.lineEnd || p === dash + 1) this.bail(); // `-` alone, or `-x`
      const c = text.charCodeAt(p);
      if (c === HASH || this.isDashLine(p)) this.bail();
      let node: TNode;
      if (this.keyColon(p) !== -1) {
        node = this.map(p - this.lineStart, p, depth + 1);
      } else {
        node = this.inlineValue(p, depth + 1);
        this.advance(this.nextLine);
        if (!this.eof && this.indent > indent) this.bail();
      }
      if (keep) items.push(node);
      if (data) data.push(this.data);
      end = node.nodeEnd;
      if (this.eof || this.indent < indent) break;
      if (this.indent > indent) this.bail();
      if (!this.isDashLine(this.cStart)) {
        // A compact sequence ends at its parent's next key. Comment lines before that key
        // belong to the sequence's range in the `yaml` library (nested: to the key's
        // start): left to the full path.
        if (this.sawComment) this.bail();
        break;
      }
    }
    this.data = data;
    return new TSeq(items, false, start, end, end);
  }

  /**
   * The offset of the `:` that ends a plain key starting at `p` on the current line, or
   * -1 when the line is not a `key: …` line. Fails on what a plain key here never holds.
   */
  private keyColon(p: number): number {
    const text = this.text;
    const end = this.lineEnd;
    const c = text.charCodeAt(p);
    if (c === 34 || c === 39 || c === 91 || c === 123) {
      // A quoted or flow value, unless it is a key: then it is not ours to read.
      return -1;
    }
    for (let j = p; j < end; j++) {
      const ch = text.charCodeAt(j);
      if (ch === COLON) {
        if (j + 1 === end || text.charCodeAt(j + 1) === SPACE) return j;
      } else if (ch === HASH && j > p && text.charCodeAt(j - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** A key not seen before, written from `kp` to `colon`: checked, remembered, returned (kept out of `map`, whose code stays small). */
  private newKey(kp: number, colon: number): string {
    const text = this.text;
    const c = text.charCodeAt(kp);
    if (isIndicator(c) || ((c === DASH || c === 63 || c === COLON) && (kp + 1 === colon || text.charCodeAt(kp + 1) === SPACE))) this.bail();
    if (text.charCodeAt(colon - 1) === SPACE) this.bail();
    const keyText = text.slice(kp, colon);
    for (let j = 0; j < keyText.length; j++) if (isIndicator(keyText.charCodeAt(j)) && keyText.charCodeAt(j) !== 35) this.bail();
    const resolved = resolvePlain(keyText);
    if (typeof resolved !== 'string' || resolved === '<<' || resolved === '__proto__') this.bail();
    this.rememberKey(resolved);
    return resolved;
  }

  /** A block mapping whose keys are at column `indent`; its first key is at `first` on the current line. */
  private map(indent: number, first: number, depth: number): TMap {
    if (depth > FAST_MAX_DEPTH) this.bail();
    const keep = depth <= this.retainDepth;
    const items: TPair[] = [];
    /** The keys, for duplicates, when the pairs are not kept. */
    const seen: string[] | null = keep ? null : [];
    /** For large mappings: the keys in a set (a linear search stays quadratic on hostile files). */
    let keys: Set<string> | undefined;
    const data: Record<string, unknown> | null = this.buildData && keep ? {} : null;
    let end = first;
    let kp = first;
    for (;;) {
      const colon = this.keyColon(kp);
      if (colon === -1 || colon === kp || colon - kp > MAX_KEY_CHARS) this.bail();
      const keyValue = this.knownKey(kp, colon) ?? this.newKey(kp, colon);
      if (this.isDuplicate(keep ? items : seen!, keyValue, keys)) this.bail();
      if (seen) seen.push(keyValue);
      if (keys) keys.add(keyValue);
      else if ((keep ? items.length : seen!.length) >= SMALL_MAP) keys = keySet(keep ? items : seen!, keyValue);
      const value = this.valueAfterColon(indent, colon + 1, depth + 1);
      if (keep) items.push(new TPair(new TScalar(keyValue, 'PLAIN', kp, colon, colon), value));
      if (data) data[keyValue] = this.data;
      end = value.nodeEnd;
      // Now at the line after the value.
      if (this.eof || this.indent < indent) break;
      if (this.indent > indent) this.bail();
      kp = this.cStart;
    }
    this.data = data;
    return new TMap(items, false, first, end, end);
  }

  /** The value of a block pair whose `:` ends at `p`; on return, the current line is the one after it. */
  private valueAfterColon(mapIndent: number, p: number, depth: number): TNode {
    const text = this.text;
    const lineEnd = this.lineEnd;
    while (p < lineEnd && text.charCodeAt(p) === SPACE) p++;
    if (p >= lineEnd) {
      // `key:` — a nested block on the next lines, or an empty value.
      this.advance(this.nextLine);
      if (!this.eof && (this.indent > mapIndent || (this.indent === mapIndent && this.isDashLine(this.cStart)))) {
        if (this.isDashLine(this.cStart)) return this.seq(this.indent, depth);
        return this.map(this.indent, this.cStart, depth);
      }
      // An empty value's range runs on over the comment lines after it: left to the full path.
      if (this.sawComment) this.bail();
      this.data = null;
      return this.scalar(null, lineEnd, lineEnd, lineEnd, depth);
    }
    if (text.charCodeAt(p) === HASH) {
      // `key: # comment` — an empty value (a nested block after it is left to the full path).
      // Its range runs on to the next line's content; blank or comment lines in between are left to the full path.
      const next = this.nextLine;
      this.advance(next);
      if (this.eof || this.sawComment || this.lineStart !== next || this.indent > mapIndent || (this.indent === mapIndent && this.isDashLine(this.cStart))) this.bail();
      const node = this.scalar(null, p, p, this.cStart, depth);
      this.data = null;
      return node;
    }
    const node = this.inlineValue(p, depth);
    const data = this.data;
    this.advance(this.nextLine);
    if (!this.eof && this.indent > mapIndent) this.bail(); // a continuation line, or an error
    this.data = data;
    return node;
  }

  /** A value that fits on the current line from `p`: plain, quoted or a flow collection. Its range runs to the next line. */
  private inlineValue(p: number, depth: number): TNode {
    const text = this.text;
    const c = text.charCodeAt(p);
    let node: TNode;
    let after: number;
    if (c === 34 || c === 39) {
      node = this.quoted(p);
      after = node.end;
    } else if (c === 91 || c === 123) {
      node = this.flow(p, depth);
      after = node.end;
    } else {
      if (isIndicator(c)) this.bail();
      if ((c === DASH || c === 63 || c === COLON) && (p + 1 >= this.lineEnd || text.charCodeAt(p + 1) === SPACE)) this.bail();
      let end = this.lineEnd;
      for (let j = p; j < this.lineEnd; j++) {
        const ch = text.charCodeAt(j);
        if (ch === HASH && text.charCodeAt(j - 1) === SPACE) {
          end = j;
          break;
        }
        if (ch === COLON && (j + 1 === this.lineEnd || text.charCodeAt(j + 1) === SPACE)) this.bail();
      }
      while (end > p && text.charCodeAt(end - 1) === SPACE) end--;
      // Where nothing is kept (a shallow read), the value is not needed: any plain scalar is valid.
      const value = depth > this.retainDepth + 1 ? null : resolvePlain(text.slice(p, end));
      this.data = value;
      return this.scalar(value, p, end, this.nextLine, depth);
    }
    // After a quoted scalar or a flow collection: only spaces and a comment.
    const data = this.data;
    let q = after;
    while (q < this.lineEnd && text.charCodeAt(q) === SPACE) q++;
    if (q < this.lineEnd && (text.charCodeAt(q) !== HASH || q === after)) this.bail();
    node.nodeEnd = this.nextLine;
    this.data = data;
    return node;
  }

  /** A single-line quoted scalar at `p`; range[2] is set to its end (the caller widens it). */
  private quoted(p: number): TScalar {
    const text = this.text;
    const end = this.lineEnd;
    const q = text.charCodeAt(p);
    let out = '';
    let j = p + 1;
    let chunk = j;
    for (;;) {
      if (j >= end) this.bail(); // runs onto the next line
      const ch = text.charCodeAt(j);
      if (q === 39) {
        if (ch === 39) {
          if (j + 1 < end && text.charCodeAt(j + 1) === 39) {
            out += text.slice(chunk, j + 1);
            j += 2;
            chunk = j;
            continue;
          }
          out += text.slice(chunk, j);
          break;
        }
      } else if (ch === 34) {
        out += text.slice(chunk, j);
        break;
      } else if (ch === 92) {
        out += text.slice(chunk, j);
        const e = text[j + 1];
        if (e === undefined || j + 1 >= end) this.bail();
        if (e === 'x' || e === 'u' || e === 'U') {
          const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = text.slice(j + 2, j + 2 + n);
          if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex) || j + 2 + n > end) this.bail();
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff) this.bail();
          out += String.fromCodePoint(cp);
          j += 2 + n;
        } else {
          const r = ESCAPES[e];
          if (r === undefined) this.bail();
          out += r;
          j += 2;
        }
        chunk = j;
        continue;
      }
      j++;
    }
    const close = j + 1;
    this.data = out;
    return new TScalar(out, q === 39 ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE', p, close, close);
  }

  private skipSpaces(p: number): number {
    while (p < this.lineEnd && this.text.charCodeAt(p) === SPACE) p++;
    return p;
  }

  /** A plain or quoted scalar inside a flow collection; `asKey` ends it at `:`. range[2] includes trailing spaces. */
  private flowScalar(p: number, asKey: boolean): TScalar {
    const text = this.text;
    const c = text.charCodeAt(p);
    if (c === 34 || c === 39) {
      const node = this.quoted(p);
      const q = this.skipSpaces(node.end);
      node.nodeEnd = asKey ? node.end : q;
      return node;
    }
    if (isIndicator(c) || c === DASH || c === 63 || c === COLON) this.bail();
    let j = p;
    for (; j < this.lineEnd; j++) {
      const ch = text.charCodeAt(j);
      if (isFlowIndicator(ch)) break;
      if (ch === COLON) {
        const n = text.charCodeAt(j + 1);
        if (j + 1 >= this.lineEnd || n === SPACE || isFlowIndicator(n)) break;
      }
      if (ch === HASH && text.charCodeAt(j - 1) === SPACE) this.bail();
    }
    if (j >= this.lineEnd) this.bail();
    let end = j;
    while (end > p && text.charCodeAt(end - 1) === SPACE) end--;
    if (end === p) this.bail();
    const source = text.slice(p, end);
    const value = resolvePlain(source);
    this.data = value;
    return new TScalar(value, 'PLAIN', p, end, asKey ? end : j);
  }

  /** A flow collection that opens and closes on the current line. range[2] includes trailing spaces. */
  private flow(p: number, depth: number): TMap | TSeq {
    if (depth > FAST_MAX_DEPTH) this.bail();
    const text = this.text;
    const isMapOpen = text.charCodeAt(p) === 123;
    const close = isMapOpen ? 125 : 93;
    let j = this.skipSpaces(p + 1);
    if (j >= this.lineEnd) this.bail();
    if (isMapOpen) {
      const items: TPair[] = [];
      const data: Record<string, unknown> | null = this.buildData ? {} : null;
      let flowKeys: Set<string> | undefined;
      if (text.charCodeAt(j) !== close) {
        for (;;) {
          const key = this.flowScalar(j, true);
          if (typeof key.value !== 'string' || key.value === '<<' || key.value === '__proto__') this.bail();
          if (items.length >= SMALL_MAP) {
            flowKeys ??= new Set(items.map((x) => (x.key as TScalar).value as string));
            if (flowKeys.has(key.value)) this.bail();
            flowKeys.add(key.value);
          } else if (this.isDuplicate(items, key.value, undefined)) this.bail();
          let k = key.end;
          if (text.charCodeAt(k) !== COLON || text.charCodeAt(k + 1) !== SPACE) this.bail();
          k = this.skipSpaces(k + 1);
          if (k >= this.lineEnd) this.bail();
          const vc = text.charCodeAt(k);
          if (vc === 44 || vc === close) this.bail(); // an empty value
          const value = vc === 91 || vc === 123 ? this.flow(k, depth + 1) : this.flowScalar(k, false);
          items.push(new TPair(key, value));
          if (data) data[key.value] = this.data;
          j = value.nodeEnd;
          const sep = text.charCodeAt(j);
          if (sep === close) break;
          if (sep !== 44) this.bail();
          j = this.skipSpaces(j + 1);
          if (j >= this.lineEnd || text.charCodeAt(j) === close || text.charCodeAt(j) === 44) this.bail();
        }
      }
      const after = j + 1;
      this.data = data;
      return new TMap(items, true, p, after, this.skipSpaces(after));
    }
    const items: TNode[] = [];
    const data: unknown[] | null = this.buildData ? [] : null;
    if (text.charCodeAt(j) !== close) {
      for (;;) {
        const vc = text.charCodeAt(j);
        const value = vc === 91 || vc === 123 ? this.flow(j, depth + 1) : this.flowScalar(j, false);
        items.push(value);
        if (data) data.push(this.data);
        j = value.nodeEnd;
        const sep = text.charCodeAt(j);
        if (sep === close) break;
        if (sep !== 44) this.bail(); // `[a: 1]` and anything else
        j = this.skipSpaces(j + 1);
        if (j >= this.lineEnd || text.charCodeAt(j) === close || text.charCodeAt(j) === 44) this.bail();
      }
    }
    const after = j + 1;
    this.data = data;
    return new TSeq(items, true, p, after, this.skipSpaces(after));
  }
}

export type { Range };
