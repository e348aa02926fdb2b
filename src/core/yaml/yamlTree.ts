/**
 * Our own small position tree of a YAML file: mappings, sequences, pairs and scalars
 * with the same source ranges the `yaml` library gives its nodes (`[start, valueEnd,
 * nodeEnd]`), and nothing else. Everything that reads a parsed manifest or agents file
 * (schema-error mapping, rules, the tree model, the leak guard, edits) reads this tree.
 *
 * Two producers build it: the fast parser (`fastYaml.ts`, the common block-style subset)
 * and `fromYamlDocument` below, which converts a full `yaml` Document (the fallback for
 * everything the fast parser does not handle with certainty). Plain object literals of a
 * few fixed shapes: cheap to create, small in memory.
 */
import type { Document, Node as YamlNode } from 'yaml';
import { yamlLib } from './yamlLib';

/** `[start, valueEnd, nodeEnd]` as in the `yaml` library: nodeEnd includes trailing space, comment and line break. */
export type Range = [number, number, number];

export type ScalarStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/*
 * Nodes are small classes (not object literals) so that creating a few hundred thousand
 * of them is cheap: the kind lives on the prototype, the range is three numbers and the
 * `range` array is built only when asked for.
 */
abstract class Ranged {
  declare start: number;
  declare end: number;
  declare nodeEnd: number;
  get range(): Range {
    return [this.start, this.end, this.nodeEnd];
  }
}

export class TScalar extends Ranged {
  declare readonly kind: 'scalar';
  /** The typed value (YAML 1.2 core schema): string, number, boolean or null. */
  declare value: unknown;
  declare style: ScalarStyle;
  constructor(value: unknown, style: ScalarStyle, start: number, end: number, nodeEnd: number) {
    super();
    this.value = value;
    this.style = style;
    this.start = start;
    this.end = end;
    this.nodeEnd = nodeEnd;
  }
}

export class TMap extends Ranged {
  declare readonly kind: 'map';
  declare items: TPair[];
  declare flow: boolean;
  constructor(items: TPair[], flow: boolean, start: number, end: number, nodeEnd: number) {
    super();
    this.items = items;
    this.flow = flow;
    this.start = start;
    this.end = end;
    this.nodeEnd = nodeEnd;
  }
}

export class TSeq extends Ranged {
  declare readonly kind: 'seq';
  /** A pair appears only for `[a: 1]` (a single-pair mapping written in a flow sequence). */
  declare items: Array<TNode | TPair | null>;
  declare flow: boolean;
  constructor(items: Array<TNode | TPair | null>, flow: boolean, start: number, end: number, nodeEnd: number) {
    super();
    this.items = items;
    this.flow = flow;
    this.start = start;
    this.end = end;
    this.nodeEnd = nodeEnd;
  }
}

/** An alias (`*name`): only the full path can produce one; it is never read through. */
export class TAlias extends Ranged {
  declare readonly kind: 'alias';
  declare source: string;
  constructor(source: string, start: number, end: number, nodeEnd: number) {
    super();
    this.source = source;
    this.start = start;
    this.end = end;
    this.nodeEnd = nodeEnd;
  }
}

export class TPair {
  declare readonly kind: 'pair';
  declare key: TNode | null;
  declare value: TNode | null;
  constructor(key: TNode | null, value: TNode | null) {
    this.key = key;
    this.value = value;
  }
}

for (const [cls, kind] of [[TScalar, 'scalar'], [TMap, 'map'], [TSeq, 'seq'], [TAlias, 'alias'], [TPair, 'pair']] as const) {
  Object.defineProperty(cls.prototype, 'kind', { value: kind, enumerable: false, writable: false });
}

export type TNode = TScalar | TMap | TSeq | TAlias;

/** A parsed file: its root node (null for an empty document). */
export interface TDoc {
  contents: TNode | null;
}

export function isTMap(n: unknown): n is TMap {
  return (n as TNode | null)?.kind === 'map';
}
export function isTSeq(n: unknown): n is TSeq {
  return (n as TNode | null)?.kind === 'seq';
}
export function isTScalar(n: unknown): n is TScalar {
  return (n as TNode | null)?.kind === 'scalar';
}
export function isTPair(n: unknown): n is TPair {
  return (n as TPair | null)?.kind === 'pair';
}
export function isTNode(n: unknown): n is TNode {
  const k = (n as TNode | null)?.kind;
  return k === 'scalar' || k === 'map' || k === 'seq' || k === 'alias';
}
export function isTCollection(n: unknown): n is TMap | TSeq {
  return isTMap(n) || isTSeq(n);
}

/** The pair whose key is the string `name` in a mapping node, if any. */
export function pairOf(map: unknown, name: string): TPair | undefined {
  if (!isTMap(map)) return undefined;
  const items = map.items;
  for (let i = 0; i < items.length; i++) {
    const k = items[i].key;
    if (k !== null && k.kind === 'scalar' && k.value === name) return items[i];
  }
  return undefined;
}

/** The value node of `name` in a mapping node, if any. */
export function valueOf(map: unknown, name: string): TNode | null | undefined {
  return pairOf(map, name)?.value;
}

/** A scalar's string value (numbers as written in the data, e.g. `4` → "4"), else undefined. */
export function stringOf(node: TNode | null | undefined): string | undefined {
  if (node?.kind !== 'scalar') return undefined;
  return typeof node.value === 'string' ? node.value : typeof node.value === 'number' ? String(node.value) : undefined;
}

/** Plain data of a node, as the `yaml` library's `toJSON()` gives it for these files. */
export function plainOf(node: TNode | TPair | null | undefined): unknown {
  if (!node) return null;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'map': {
      const obj: Record<string, unknown> = {};
      for (const p of node.items) {
        const k = p.key === null ? null : p.key.kind === 'scalar' ? p.key.value : plainOf(p.key);
        const name = k === null ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
        if (name === '__proto__') Object.defineProperty(obj, name, { value: plainOf(p.value), writable: true, enumerable: true, configurable: true });
        else obj[name] = plainOf(p.value);
      }
      return obj;
    }
    case 'seq':
      return node.items.map((i) => plainOf(i));
    case 'pair':
      return plainOf(new TMap([node], true, 0, 0, 0));
    default:
      return null;
  }
}

const STYLES: Record<string, ScalarStyle> = { PLAIN: 'PLAIN', QUOTE_SINGLE: 'QUOTE_SINGLE', QUOTE_DOUBLE: 'QUOTE_DOUBLE', BLOCK_LITERAL: 'BLOCK_LITERAL', BLOCK_FOLDED: 'BLOCK_FOLDED' };

function rangeOf(n: { range?: [number, number, number] | null }): [number, number, number] {
  const r = n.range;
  return r ? [r[0], r[1], r[2]] : [0, 0, 0];
}

/** Converts a full `yaml` Document into the tree (iterative: nesting depth is not bounded here). */
export function fromYamlDocument(doc: Document.Parsed): TDoc {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlLib();
  const out: TDoc = { contents: null };
  type Job = { node: unknown; set: (n: TNode | null) => void };
  const stack: Job[] = [{ node: doc.contents, set: (n) => { out.contents = n; } }];
  while (stack.length > 0) {
    const { node, set } = stack.pop()!;
    if (isScalar(node)) {
      const [a, b, c] = rangeOf(node);
      set(new TScalar(node.value, STYLES[node.type ?? 'PLAIN'] ?? 'PLAIN', a, b, c));
    } else if (isMap(node)) {
      const m = new TMap([], Boolean(node.flow), ...rangeOf(node));
      set(m);
      for (const p of node.items) {
        const tp = new TPair(null, null);
        m.items.push(tp);
        stack.push({ node: p.key, set: (n) => { tp.key = n; } }, { node: p.value, set: (n) => { tp.value = n; } });
      }
    } else if (isSeq(node)) {
      const s = new TSeq([], Boolean(node.flow), ...rangeOf(node));
      set(s);
      node.items.forEach((item, i) => {
        s.items.push(null);
        if (isPair(item)) {
          const tp = new TPair(null, null);
          s.items[i] = tp;
          stack.push({ node: item.key, set: (n) => { tp.key = n; } }, { node: item.value, set: (n) => { tp.value = n; } });
        } else stack.push({ node: item, set: (n) => { s.items[i] = n; } });
      });
    } else if (isAlias(node)) {
      set(new TAlias(node.source, ...rangeOf(node as YamlNode)));
    } else set(null);
  }
  return out;
}
