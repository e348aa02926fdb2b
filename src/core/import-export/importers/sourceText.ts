/**
 * Reads the file to import the way its own tool reads it. Continue's config.json is JSON
 * with comments (and trailing commas): they are blanked out, so every offset and line still
 * points into the original text. LiteLLM and Continue YAML may use anchors, aliases, merge
 * keys (`<<`) and a `%YAML 1.1` directive, which the manifest loader refuses: here they are
 * expanded, with a bound on the number of aliases (a "billion laughs" file is refused).
 * Everything else the safe loader refuses (duplicate keys, `__proto__`, tags, depth, size)
 * is still refused.
 */
import type { Document } from 'yaml';
import type { Problem } from '../../yaml/problems';
import { quote, type LineIndex } from '../../yaml/text';
import { yamlLib } from '../../yaml/yamlLib';
import { loadYaml } from '../../yaml/yamlLoad';

/** What the manifest loader refuses but an imported file may use. */
const EXPANDED = new Set(['yaml-anchor', 'yaml-alias', 'yaml-merge-key', 'yaml-version']);
/** Aliases expanded at most (each expansion copies a subtree). */
const MAX_ALIASES = 200;

export interface SourceOptions {
  /** The tool whose reader keeps the later of two equal keys (PyYAML: LiteLLM): they are then read so, with a note. */
  laterKeyWins?: string;
}

export interface SourceDocument {
  doc?: Document.Parsed;
  data?: unknown;
  index: LineIndex;
  /** Errors that stop the import (empty when the file was read). */
  errors: Problem[];
  /** Set when expanding aliases failed (too many of them). */
  aliasError?: string;
  /** What was read differently from the manifest's rules (a key written twice), with its 1-based line. */
  notes: Array<{ message: string; line: number }>;
}

export function readSource(text: string, what: string, options: SourceOptions = {}): SourceDocument {
  const prepared = blankJsonComments(text);
  const loaded = loadYaml(prepared, what);
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  const tolerated = (code: string) => EXPANDED.has(code) || (code === 'duplicate-key' && options.laterKeyWins !== undefined);
  if (errors.length === 0 || !loaded.doc || !errors.every((p) => tolerated(p.code))) return { doc: loaded.doc, data: loaded.data, index: loaded.index, errors, notes: [] };
  // Anchors, aliases, merge keys, %YAML 1.1 (or keys written twice) and nothing else: parse again as YAML allows it.
  const doc = yamlLib().parseDocument(prepared, { merge: true, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false, strict: true, stringKeys: false });
  if (doc.errors.length > 0) return { doc: loaded.doc, index: loaded.index, errors, notes: [] };
  const notes = errors.filter((p) => p.code === 'duplicate-key').map((p) => {
    const first = /on line (\d+)/.exec(p.message)?.[1];
    return { message: `Duplicate key ${quote(prepared.slice(p.start, p.end))}${first ? ` (also on line ${first})` : ''}: the later one is used, as ${options.laterKeyWins} reads it.`, line: p.range.start.line + 1 };
  });
  try {
    // Later keys overwrite earlier ones, as PyYAML does.
    return { doc, data: doc.toJS({ maxAliasCount: MAX_ALIASES }), index: loaded.index, errors: [], notes };
  } catch {
    return { doc: loaded.doc, index: loaded.index, errors, notes: [], aliasError: `its aliases expand to too much (more than ${MAX_ALIASES} alias uses)` };
  }
}

/**
 * JSON with comments → the same text with `//` and `/* … *\/` comments and trailing commas
 * replaced by spaces (line breaks kept). Text that does not start with `{` or `[` (after
 * comments) is YAML and returned unchanged.
 */
export function blankJsonComments(text: string): string {
  let i = 0;
  const n = text.length;
  // The first significant character decides.
  while (i < n) {
    if (/\s|\ufeff/.test(text[i])) i++;
    else if (text.startsWith('//', i)) i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i + 2) === -1 ? n : text.indexOf('*/', i + 2) + 2;
    else break;
  }
  if (text[i] !== '{' && text[i] !== '[') return text;
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  let comma = -1;
  for (i = 0; i < n; i++) {
    const c = text[i];
    if (c === '"') {
      comma = -1;
      for (i++; i < n && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/' && startsComment(text, i)) {
      const end = lineEnd(text, i);
      blank(i, end);
      i = end - 1;
    } else if (c === '/' && text[i + 1] === '*' && startsComment(text, i)) {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? n : close + 2;
      blank(i, end);
      i = end - 1;
    } else if (c === ',') {
      comma = i;
    } else if (c === '}' || c === ']') {
      if (comma !== -1) out[comma] = ' ';
      comma = -1;
    } else if (!/\s/.test(c)) {
      comma = -1;
    }
  }
  return out.join('');
}

/** A comment starts after whitespace or punctuation, not inside an unquoted YAML flow scalar such as `http://host`. */
function startsComment(text: string, at: number): boolean {
  return at === 0 || /[\s,{[\]}]/.test(text[at - 1]);
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}
