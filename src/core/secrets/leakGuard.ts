/**
 * The leak guard: a key-shaped string anywhere in a manifest or an agents file — a
 * value, a mapping key, a comment — is an error. Both files are committed to git, so a
 * key found here has probably been shared already.
 *
 * Known key shapes (OpenAI, Anthropic, AWS, Google, Groq, GitHub, Slack …) are looked
 * for everywhere; long random-looking tokens only where a secret is likely to be pasted:
 * the values of a generic connection's `advancedProperties` (headers included).
 *
 * Messages never repeat the value: they say what it looks like ("an OpenAI API key
 * (sk-…)") and where keys go. The findings carry what a quick fix needs — the exact
 * range, the enclosing scalar, the connection and the key material (a non-enumerable
 * property, so it does not travel through JSON or structured clone by accident).
 */
import type { Document } from 'yaml';
import { formatScalar, type TextEdit } from '../manifest/edit';
import { MAX_PROBLEMS } from '../yaml/problems';
import type { LineIndex, TextRange } from '../yaml/text';
import { loadTree, MAX_DEPTH, type PathSegment, type ProblemList } from '../yaml/yamlLoad';
import { fromYamlDocument, isTMap, isTSeq, pairOf, type TDoc, type TMap, type TNode, type TPair } from '../yaml/yamlTree';
import { isYamlDocument } from '../yaml/yamlLib';

/** A parsed file as the leak guard takes it: our position tree, or a `yaml` Document (converted). */
export type LeakSource = TDoc | Document.Parsed | undefined;

function asTree(doc: LeakSource): TDoc | undefined {
  return doc === undefined ? undefined : isYamlDocument(doc) ? fromYamlDocument(doc as Document.Parsed) : (doc as TDoc);
}

export type LeakFileKind = 'manifest' | 'agents';

export const LEAKED_KEY_CODE = 'leaked-key';

export interface LeakedKey {
  /** Which shape matched: `openai`, `anthropic`, `aws-access-key`, `google-api-key`, `high-entropy` … */
  kind: string;
  /** What it looks like, for messages: "an OpenAI API key (sk-…)". Never contains the value. */
  label: string;
  /** Offsets of the key material in the text (UTF-16 code units, end exclusive). */
  start: number;
  end: number;
  /** The same range as 0-based line/character positions (the problem's range). */
  range: TextRange;
  /** Where it was found. */
  where: 'value' | 'key' | 'comment';
  /** The scalar holding the key (the whole node, quotes included); absent in a comment. */
  node?: { start: number; end: number; flow: boolean };
  /** Data path of that scalar (for `where: 'key'`, the path of the pair whose key it is). */
  path?: PathSegment[];
  /** Manifest only: the model and connection whose block holds the key, when it is inside one. */
  model?: string;
  connection?: string;
  /**
   * The key material, for "Move to SecretStorage". Non-enumerable: it is not copied by
   * JSON.stringify, structured clone or object spread. Never put it in a message or a log.
   */
  readonly secret: string;
}

interface Shape {
  kind: string;
  /** Label; `$1` is replaced by the first capture (a fixed prefix, never key material). */
  label: string;
  pattern: RegExp;
  /** Extra check on the match, to keep placeholders such as `sk-your-key-here` quiet. */
  accept?: (match: string) => boolean;
}

/** Random enough: has a letter and a digit, and enough distinct characters. */
function randomish(body: string, minDistinct = 8): boolean {
  return /[0-9]/.test(body) && /[A-Za-z]/.test(body) && new Set(body).size >= minDistinct;
}

const NOT_EXAMPLE = (m: string) => !/EXAMPLE$/.test(m);

/** Most specific first: a later shape never reports a range an earlier one already took. */
const SHAPES: readonly Shape[] = [
  { kind: 'private-key', label: 'a private key (-----BEGIN … PRIVATE KEY-----)', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { kind: 'anthropic', label: 'an Anthropic API key (sk-ant-…)', pattern: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g, accept: (m) => randomish(m.slice(7)) },
  { kind: 'openai-project', label: 'an OpenAI project API key (sk-proj-…)', pattern: /(?<![A-Za-z0-9_-])sk-proj-[A-Za-z0-9_-]{20,}/g, accept: (m) => randomish(m.slice(8)) },
  { kind: 'openrouter', label: 'an OpenRouter API key (sk-or-…)', pattern: /(?<![A-Za-z0-9_-])sk-or-[A-Za-z0-9_-]{20,}/g, accept: (m) => randomish(m.slice(6)) },
  { kind: 'stripe', label: 'a Stripe secret key ($1_live_…)', pattern: /(?<![A-Za-z0-9_])(sk|rk)_live_[A-Za-z0-9]{20,}/g },
  { kind: 'openai', label: 'an OpenAI API key (sk-…)', pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}/g, accept: (m) => randomish(m.slice(3)) },
  // Long-term Amazon Bedrock API key: `ABSK` and base64 (of `BedrockAPIKey-…:…`), 109 characters or more.
  { kind: 'bedrock-api-key', label: 'an Amazon Bedrock API key (ABSK…)', pattern: /(?<![A-Za-z0-9+/])ABSK[A-Za-z0-9+/]{109,}={0,2}(?![A-Za-z0-9+/=])/g, accept: (m) => randomish(m.slice(4), 16) },
  { kind: 'aws-access-key', label: 'an AWS access key ID ($1…)', pattern: /(?<![A-Za-z0-9])(AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g, accept: NOT_EXAMPLE },
  { kind: 'google-api-key', label: 'a Google API key (AIza…)', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g },
  { kind: 'groq', label: 'a Groq API key (gsk_…)', pattern: /(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{20,}/g, accept: (m) => randomish(m.slice(4)) },
  { kind: 'github', label: 'a GitHub token ($1_…)', pattern: /(?<![A-Za-z0-9_])(ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}/g, accept: (m) => randomish(m.slice(m.indexOf('_') + 1)) },
  { kind: 'slack', label: 'a Slack token ($1-…)', pattern: /(?<![A-Za-z0-9_-])(xox[abposr]|xapp)-[A-Za-z0-9-]{10,}/g, accept: (m) => /[0-9]/.test(m.slice(5)) },
  { kind: 'huggingface', label: 'a Hugging Face token (hf_…)', pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/g, accept: (m) => randomish(m.slice(3)) },
  { kind: 'xai', label: 'an xAI API key (xai-…)', pattern: /(?<![A-Za-z0-9_-])xai-[A-Za-z0-9]{30,}/g, accept: (m) => randomish(m.slice(4)) },
  { kind: 'jwt', label: 'a JSON Web Token (eyJ…)', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
];

/** A cheap first test: no known key shape can match a string without one of these. */
const MAYBE_KEY = /sk-|[sr]k_live_|ABSK|AKIA|ASIA|AIza|gsk_|gh[pousr]_|github_pat_|xox[abposr]-|xapp-|hf_|xai-|eyJ|-----BEGIN/;

interface Match {
  kind: string;
  label: string;
  /** Offsets within the searched string. */
  start: number;
  end: number;
}

/**
 * Every known key shape in a string, without overlaps, in order. With `limit`, only the first
 * `limit` of them (by position), and with `before` only those starting before it: each shape
 * stops at the last position that can still be among them. Linear in the string: each shape's matches arrive in order and are merged with the
 * (sorted, disjoint) matches of the shapes before it.
 */
export function findKeyShapes(s: string, limit = Infinity, before = Infinity): Match[] {
  let out: Match[] = [];
  if (s.length < 16 || limit <= 0) return out;
  for (const shape of SHAPES) {
    const bound = out.length >= limit ? Math.min(before, out[limit - 1].start) : before;
    const found: Match[] = [];
    let p = 0;
    shape.pattern.lastIndex = 0;
    for (let m = shape.pattern.exec(s); m && m.index < bound; m = shape.pattern.exec(s)) {
      const start = m.index;
      const end = start + m[0].length;
      while (p < out.length && out[p].end <= start) p++;
      if (p < out.length && out[p].start < end) continue;
      if (shape.accept && !shape.accept(m[0])) continue;
      found.push({ kind: shape.kind, label: shape.label.replace('$1', m[1] ?? ''), start, end });
      if (found.length >= limit) break;
    }
    if (found.length > 0) out = mergeByStart(out, found);
  }
  return out.length > limit ? out.slice(0, limit) : out;
}

/** Two lists sorted by `start`, merged into one. */
function mergeByStart<T extends { start: number }>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i].start <= b[j].start ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Identifiers that look random but are not secrets (OpenAI organisation and project ids …). */
const PUBLIC_ID = /^(org|proj|user|team|project|acct|account|deployment|tenant|asst|thread|run|file|ft|model)[-_]/i;

function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function charClass(c: string): number {
  return c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : c >= '0' && c <= '9' ? 2 : 3;
}

/**
 * A long random-looking token: 20+ characters with no spaces, letters and digits mixed
 * the way random strings mix them (high entropy, frequent switches between lower case,
 * upper case and digits). Slugs, UUIDs, URLs, ARNs and well-known public ids are not.
 */
export function looksLikeSecretToken(value: string): boolean {
  const t = value.trim();
  if (t.length < 20 || t.length > 1000) return false;
  if (!/^[A-Za-z0-9+/=_.~:-]+$/.test(t)) return false;
  if (!/[0-9]/.test(t) || !/[A-Za-z]/.test(t)) return false;
  if (UUID.test(t) || PUBLIC_ID.test(t) || /^arn:/i.test(t) || t.includes('://')) return false;
  // A slug: words and short numbers joined by separators (`my-service-v2-production-eu`).
  const segments = t.split(/[-_.:/]+/).filter(Boolean);
  if (segments.every((seg) => /^[a-z]+$/.test(seg) || /^[A-Z][a-z]+$/.test(seg) || /^v?\d{1,8}$/.test(seg))) return false;
  const core = t.replace(/[^A-Za-z0-9]/g, '');
  if (core.length < 16) return false;
  let switches = 0;
  for (let i = 1; i < core.length; i++) if (charClass(core[i]) !== charClass(core[i - 1])) switches++;
  const switchRatio = switches / (core.length - 1);
  const entropy = shannonEntropy(t);
  const hexOnly = /^[0-9a-f]+$/i.test(core);
  return entropy >= (hexOnly ? 3.0 : 3.5) && switchRatio >= 0.35;
}

const HIGH_ENTROPY_LABEL = 'a long random token that looks like a key or secret';
const BEARER = /^\s*(Bearer|Basic|Token)\s+(\S{8,})\s*$/i;

/** Where the message says keys go. */
function leakMessage(leak: Pick<LeakedKey, 'label' | 'where'>, file: LeakFileKind): string {
  const where = leak.where === 'comment' ? 'This comment contains' : leak.where === 'key' ? 'This key name is' : 'This value contains';
  const which = file === 'manifest' ? 'the manifest' : 'an agents file';
  return `${where} ${leak.label}. Keys never go in ${which}: it is committed to git. Remove it and keep the key in VS Code SecretStorage (quick fix "Move to SecretStorage", or Set Key… on the connection; in CI, an AGENT_CONNECTIONS__… environment variable). If it was ever pushed, revoke it with the provider.`;
}

interface ConnectionBlock {
  start: number;
  end: number;
  model?: string;
  connection?: string;
}

/** The manifest's connection mappings, with their names, to attribute a finding to a connection. */
function connectionBlocks(doc: TDoc): ConnectionBlock[] {
  const out: ConnectionBlock[] = [];
  const models = pairOf(doc.contents, 'models')?.value;
  if (!isTSeq(models)) return out;
  for (const m of models.items) {
    if (!isTMap(m)) continue;
    const mn = pairOf(m, 'name')?.value;
    const modelName = mn?.kind === 'scalar' && typeof mn.value === 'string' ? mn.value : undefined;
    const conns = pairOf(m, 'connections')?.value;
    if (!isTSeq(conns)) continue;
    for (const c of conns.items) {
      if (!isTMap(c)) continue;
      const cn = pairOf(c, 'name')?.value;
      out.push({ start: c.range[0], end: c.range[2], model: modelName, connection: cn?.kind === 'scalar' && typeof cn.value === 'string' ? cn.value : undefined });
    }
  }
  return out;
}

/**
 * The values of every `models[i].connections[j].advancedProperties` pair (all of them where a
 * broken file repeats a key), in document order, with their data paths and whether they are
 * inside a flow collection: the nodes the full walk below marks `adv`, at its depth 5.
 * For a text without a backslash: then such a key is spelled out inside its mapping's range,
 * and only the models and connections whose range holds the word are read.
 */
function advancedPropertiesItems(doc: TDoc, text: string): Array<{ node: TNode; path: PathSegment[]; flow: boolean }> {
  const out: Array<{ node: TNode; path: PathSegment[]; flow: boolean }> = [];
  const root = doc.contents;
  if (!isTMap(root)) return out;
  const word = 'advancedProperties';
  const at: number[] = [];
  for (let i = text.indexOf(word); i !== -1; i = text.indexOf(word, i + word.length)) at.push(i);
  if (at.length === 0) return out;
  /** Whether the word starts inside the mapping's range (or the mapping has no range to tell). */
  const mentions = (map: TMap) => {
    const end = Math.max(map.end, map.nodeEnd);
    if (end <= map.start) return true;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] < map.start) lo = mid + 1;
      else hi = mid;
    }
    return lo < at.length && at[lo] < end;
  };
  // (The walk names a pair by `String(key.value)`: for these names, only a string key can match.)
  const isKey = (p: TPair, name: string) => p.key !== null && p.key.kind === 'scalar' && p.key.value === name;
  for (const top of root.items) {
    const models = top.value;
    if (!isKey(top, 'models') || !isTSeq(models)) continue;
    for (let i = 0; i < models.items.length; i++) {
      const model = models.items[i];
      if (!isTMap(model) || !mentions(model)) continue;
      for (const mp of model.items) {
        const conns = mp.value;
        if (!isKey(mp, 'connections') || !isTSeq(conns)) continue;
        for (let j = 0; j < conns.items.length; j++) {
          const conn = conns.items[j];
          if (!isTMap(conn) || !mentions(conn)) continue;
          const flow = root.flow || models.flow || model.flow || conns.flow || conn.flow;
          for (const cp of conn.items) {
            if (isKey(cp, 'advancedProperties') && cp.value !== null) out.push({ node: cp.value, path: ['models', i, 'connections', j, 'advancedProperties'], flow });
          }
        }
      }
    }
  }
  return out;
}

function makeLeak(fields: Omit<LeakedKey, 'secret' | 'range'>, secret: string, index: LineIndex): LeakedKey {
  const leak = { ...fields, range: index.range(fields.start, fields.end) } as LeakedKey;
  Object.defineProperty(leak, 'secret', { value: secret, enumerable: false, writable: false });
  return leak;
}

/** True for the data path of a connection mapping: `models[i].connections[j]`. */
function isConnectionPath(path: readonly PathSegment[]): boolean {
  return path.length === 4 && path[0] === 'models' && typeof path[1] === 'number' && path[2] === 'connections' && typeof path[3] === 'number';
}

/**
 * Keys a scalar holds but its source does not spell out (escapes in a double-quoted string),
 * after one that it does: each costs a search of the rest of the scalar, so a scalar stops
 * being read after this many (it already has a finding).
 */
const MISSES_PER_SCALAR = 8;

/**
 * Every key-shaped string in a parsed manifest or agents file. `index` is the file's
 * LineIndex (its `text` is searched for keys in comments and anywhere the nodes do not
 * cover). Works on documents with problems too; nodes deeper than MAX_DEPTH are not read.
 * With `limit`, only the first `limit` findings (by position) are returned, and the scan
 * stops as soon as no later one can be among them.
 *
 * Linear in the text: nodes are visited in document order, findings arrive in order and
 * every overlap check is a forward sweep (a file with 8,000 keys in one value took 5.5 s
 * when each finding was compared with every other).
 */
export function findLeakedKeys(source: LeakSource, index: LineIndex, file: LeakFileKind, limit = Infinity): LeakedKey[] {
  const doc = asTree(source);
  const text = index.text;
  const leaks: LeakedKey[] = [];
  if (limit <= 0) return leaks;
  /** Ranges of the string scalars read above, in document order (they never overlap). */
  const scalars: Array<{ start: number; end: number }> = [];
  // A value holds a known key shape only where the text spells it out, unless an escape
  // (`\x2d` …) writes it: folding, quote doubling and indentation never join characters
  // that are apart in the text, and no shape holds a space, a line break or a quote. So
  // without a shape and a backslash in the text, only the long tokens looked for in a
  // manifest connection's `advancedProperties` can be found: the walk reads just those.
  const textMayHoldShape = MAYBE_KEY.test(text);
  const valuesMayHoldShape = textMayHoldShape || text.includes('\\');
  if (!valuesMayHoldShape && file !== 'manifest') return leaks;

  if (doc) {
    // Paths are built only for findings: each stack item links to its parent.
    type Item = { node: TNode | null; parent: Item | undefined; seg: PathSegment[]; depth: number; flow: boolean; asKey: boolean; adv: boolean };
    const pathOf = (item: Item): PathSegment[] => {
      const segs: PathSegment[][] = [];
      for (let it: Item | undefined = item; it; it = it.parent) segs.push(it.seg);
      return segs.reverse().flat();
    };
    /** Scalars too short to hold any key shape or suspicious token are not visited. */
    const short = (n: TNode | null) => n === null || (n.kind === 'scalar' && (typeof n.value !== 'string' || n.value.length < 16));
    const stack: Item[] = valuesMayHoldShape
      ? [{ node: doc.contents, parent: undefined, seg: [], depth: 0, flow: false, asKey: false, adv: false }]
      : advancedPropertiesItems(doc, text).reverse().map(({ node, path, flow }) => ({ node, parent: undefined, seg: path, depth: 5, flow, asKey: false, adv: true }));
    while (stack.length > 0 && leaks.length < limit) {
      const item = stack.pop()!;
      const { node, depth, flow, asKey, adv } = item;
      if (node === null || node.kind === 'alias' || depth > MAX_DEPTH + 1) continue;
      if (node.kind === 'map' || node.kind === 'seq') {
        const inFlow = flow || node.flow;
        const seq = node.kind === 'seq';
        const items = node.items as Array<TNode | TPair | null>;
        // Pushed last to first (value before key), so they are popped in document order.
        for (let i = items.length - 1; i >= 0; i--) {
          const child = items[i];
          if (child !== null && child.kind === 'pair') {
            const shortKey = short(child.key);
            const shortValue = short(child.value);
            if (shortKey && shortValue) continue;
            const key = child.key?.kind === 'scalar' ? String(child.key.value) : String(i);
            const seg = seq ? [i, key] : [key];
            // models[i].connections[j].advancedProperties: the connection mapping is at depth 4.
            const childAdv = adv || (depth === 4 && key === 'advancedProperties' && isConnectionPath(pathOf(item)));
            if (!shortValue) stack.push({ node: child.value, parent: item, seg, depth: depth + 1, flow: inFlow, asKey: false, adv: childAdv });
            if (!shortKey) stack.push({ node: child.key, parent: item, seg, depth: depth + 1, flow: inFlow, asKey: true, adv: childAdv });
          } else if (!short(child)) {
            stack.push({ node: child, parent: item, seg: [i], depth: depth + 1, flow: inFlow, asKey: false, adv });
          }
        }
        continue;
      }
      if (node.kind !== 'scalar' || typeof node.value !== 'string') continue;
      const value = node.value;
      if (value.length < 16) continue;
      const [s, e] = node.range;
      scalars.push({ start: s, end: e });
      const shapes = MAYBE_KEY.test(value) ? findKeyShapes(value, limit - leaks.length + MISSES_PER_SCALAR) : [];
      const suspicious = file === 'manifest' && adv && !asKey && value.length >= 20 && shapes.length === 0;
      if (shapes.length === 0 && !suspicious) continue;
      const path = pathOf(item);
      const source = text.slice(s, e);
      const nodeInfo = { start: s, end: e, flow };
      // Scalars never overlap, so a finding can only collide with one of its own scalar: the
      // exact ranges follow each other (`from`); one not spelled out takes the whole scalar,
      // unless an exact one came before it (then it is left out, the scalar being flagged).
      let from = 0;
      let misses = 0;
      for (const m of shapes) {
        const secret = value.slice(m.start, m.end);
        // The exact range when the source spells the key out (plain or simply quoted), else the whole scalar.
        const at = source.indexOf(secret, from);
        if (at >= 0) {
          from = at + secret.length;
          leaks.push(makeLeak({ kind: m.kind, label: m.label, start: s + at, end: from + s, where: asKey ? 'key' : 'value', node: nodeInfo, path }, secret, index));
        } else if (from === 0) {
          leaks.push(makeLeak({ kind: m.kind, label: m.label, start: s, end: e, where: asKey ? 'key' : 'value', node: nodeInfo, path }, secret, index));
          break; // the whole scalar is taken: every later key overlaps it
        } else if (++misses >= MISSES_PER_SCALAR) {
          break; // each miss searched the rest of the scalar: bounded, to stay linear
        }
      }
      if (suspicious) {
        const bearer = BEARER.exec(value);
        const token = bearer ? bearer[2] : value.trim();
        if (bearer || looksLikeSecretToken(token)) {
          const at = source.indexOf(token);
          const start = at >= 0 ? s + at : s;
          const end = at >= 0 ? start + token.length : e;
          const label = bearer ? `a ${bearer[1][0].toUpperCase()}${bearer[1].slice(1).toLowerCase()} credential (${bearer[1]} …)` : HIGH_ENTROPY_LABEL;
          leaks.push(makeLeak({ kind: bearer ? 'bearer' : 'high-entropy', label, start, end, where: 'value', node: nodeInfo, path }, token, index));
        }
      }
    }
  }

  // Keys anywhere else: comments, and text the nodes do not cover (e.g. after a syntax error).
  // Past the `limit`-th finding of the nodes, nothing can still be among the first `limit`.
  const byNode = leaks.slice().sort((a, b) => a.start - b.start);
  const before = byNode.length >= limit ? byNode[limit - 1].start : Infinity;
  if (textMayHoldShape) {
    scalars.sort((a, b) => a.start - b.start);
    let taken = 0; // sweeps byNode
    let inside = 0; // sweeps scalars
    let lineStart = 0;
    let nextBreak = text.indexOf('\n');
    let hash = text.indexOf('#');
    let found = 0;
    for (const m of findKeyShapes(text, Infinity, before)) {
      while (taken < byNode.length && byNode[taken].end <= m.start) taken++;
      if (found + taken >= limit) break; // `limit` findings lie before this one
      if (taken < byNode.length && byNode[taken].start < m.end) continue;
      while (inside + 1 < scalars.length && scalars[inside + 1].start <= m.start) inside++;
      const sc = scalars[inside];
      if (sc && m.start >= sc.start && m.end <= sc.end) continue; // read as a value above (e.g. a placeholder the checks accepted)
      while (nextBreak !== -1 && nextBreak < m.start) {
        lineStart = nextBreak + 1;
        nextBreak = text.indexOf('\n', lineStart);
      }
      if (hash !== -1 && hash < lineStart) hash = text.indexOf('#', lineStart);
      const where = hash !== -1 && hash < m.start ? 'comment' : 'value';
      leaks.push(makeLeak({ kind: m.kind, label: m.label, start: m.start, end: m.end, where }, text.slice(m.start, m.end), index));
      found++;
    }
  }

  leaks.sort((a, b) => a.start - b.start);
  if (leaks.length > limit) leaks.length = limit;
  if (file === 'manifest' && doc && leaks.length > 0) {
    const blocks = connectionBlocks(doc);
    let b = 0;
    for (const leak of leaks) {
      while (b < blocks.length && blocks[b].end < leak.end) b++;
      if (b < blocks.length && leak.start >= blocks[b].start) {
        leak.model = blocks[b].model;
        leak.connection = blocks[b].connection;
      }
    }
  }
  return leaks;
}

/**
 * The leak guard as the analyzers call it: finds the keys and adds one `leaked-key`
 * error per key to `problems` (whose index holds the text). Returns the findings.
 *
 *     checkLeakedKeys(loaded.doc, problems, 'agents');
 */
export function checkLeakedKeys(doc: LeakSource, problems: ProblemList, file: LeakFileKind): LeakedKey[] {
  // Only the findings the capped problem list can still take are looked for.
  const leaks = findLeakedKeys(doc, problems.index, file, MAX_PROBLEMS - problems.items.length);
  for (const leak of leaks) problems.add(LEAKED_KEY_CODE, 'error', leakMessage(leak, file), leak.start, leak.end);
  return leaks;
}

/** For a quick fix that has only the text: parses it (safely) and returns the findings. */
export function findLeakedKeysInText(text: string, file: LeakFileKind): LeakedKey[] {
  const loaded = loadTree(text, file === 'manifest' ? 'manifest' : 'agents file');
  return findLeakedKeys(loaded.doc, loaded.index, file);
}

/** The finding whose key range is exactly `start`–`end` (a diagnostic's range), if any. */
export function leakAt(text: string, file: LeakFileKind, start: number, end: number): LeakedKey | undefined {
  return findLeakedKeysInText(text, file).find((l) => l.start === start && l.end === end);
}

/**
 * The text edit that takes the key out of the file: a comment loses the key; a value is
 * rewritten without it (`''` when nothing else is left, e.g. `X-Token: <key>` becomes
 * `X-Token: ''`). The caller stores `leak.secret` first, then applies the edit.
 */
export function leakRemovalEdit(text: string, leak: LeakedKey): TextEdit {
  if (leak.where === 'comment' || !leak.node) return { start: leak.start, end: leak.end, newText: '' };
  const loaded = loadTree(text, 'file');
  let value: string | undefined;
  if (loaded.doc) {
    const stack: Array<TNode | TPair | null> = [loaded.doc.contents];
    while (stack.length > 0 && value === undefined) {
      const n = stack.pop();
      if (!n) continue;
      if (n.kind === 'pair') {
        stack.push(n.key, n.value);
      } else if (n.kind === 'map' || n.kind === 'seq') {
        stack.push(...n.items);
      } else if (n.kind === 'scalar' && n.range[0] === leak.node.start && typeof n.value === 'string') {
        value = n.value;
      }
    }
  }
  const rest = (value ?? '')
    .split(leak.secret).join('')
    .replace(/^\s*(Bearer|Basic|Token)\s*$/i, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { start: leak.node.start, end: leak.node.end, newText: rest === '' ? "''" : formatScalar(rest, leak.node.flow) };
}
