/** Offsets, line/column positions and small text helpers shared by the core. */

/** A 0-based line/character position, as in the VS Code API and LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface TextRange {
  start: Position;
  end: Position;
}

/**
 * Maps offsets in one text to line/character positions (binary search over line starts).
 * The line starts are found on first use: a file without problems may never need them.
 */
export class LineIndex {
  private lineStarts?: number[];

  constructor(readonly text: string) {}

  private get starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const text = this.text;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offsetAt(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    return Math.min(this.starts[line] + Math.max(0, pos.character), this.text.length);
  }

  range(start: number, end: number): TextRange {
    return { start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
  }

  /** Start of the line holding `offset` (found in the text: the line starts are not needed). */
  lineStart(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    return o === 0 ? 0 : this.text.lastIndexOf('\n', o - 1) + 1;
  }

  /** Offset just after the line break that ends the line holding `offset` (or the text's end). */
  nextLineStart(offset: number): number {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const nl = this.text.indexOf('\n', o);
    return nl === -1 ? this.text.length : nl + 1;
  }
}

/** The line break the text already uses, so inserted lines match it. */
export function detectEol(text: string): '\n' | '\r\n' {
  const i = text.indexOf('\n');
  return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
}

/** Damerau-free Levenshtein distance, for did-you-mean suggestions on short identifiers. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidate within a small distance, compared case-insensitively. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/**
 * Makes text from a file safe to quote in a message: control, bidi and zero-width
 * characters are shown as escapes and long values are cut.
 */
export function quote(value: unknown, max = 60): string {
  let s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (s.length > max) s = s.slice(0, max) + '…';
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return '`' + s + '`';
}
