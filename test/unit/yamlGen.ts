/**
 * A grammar-based generator of small YAML texts for the differential fuzzer of the two read
 * paths (yamlPathsFuzz.test.ts). Half the texts are manifest-shaped (`version`, `models:`,
 * models with `connections:`), half arbitrary block mappings and sequences; keys and values
 * are drawn from tokens that sit on the edge of the fast parser's subset (`a:b`, `-a`,
 * `? a`, `a #c`, quoted scalars with escapes, flow collections, `__proto__` …), and the
 * layout is disturbed the same way: varying indentation, comments in odd places, document
 * markers, directives, tabs, CRLF/LF mixes, a BOM at the start or elsewhere, non-breaking
 * spaces, trailing spaces, empty values and multi-line scalars. Seeded: the same seed gives
 * the same texts.
 */
import { rng } from './corpus';

const PLAIN_KEYS = ['a', 'b', 'name', 'type', 'supervisors', 'agents', 'connection', 'k1', 'x-y', 'a.b', 'a b', 'é', 'constructor', 'toString', 'hasOwnProperty', 'apiKey', 'description'];
const TRICKY_KEYS = ['a:b', '-a', '? a', 'a #c', 'a#c', '__proto__', '<<', '"q"', "'q'", '"a:b"', '"__proto__"', '"\\u0061"', '1', 'true', 'null', '~', '[a]', '{a: 1}', '&x a', '!!str a', '*x', '- a', ':a', 'a ', ' a', 'a\u00a0', '\u00a0a', 'a\tb', '%a', '@a', '`a`', '|', '>', '-', '?', 'a\ufeff', '---', '...', '--- a', '... a', '---a', '%YAML'];
const PLAIN_VALUES = ['x', 'openai', 'gpt-4o', 'easy', 'medium', 'https://x.example/v1?q=1#f', 'sk-test-abcdefgh1234', 'hello world', 'it\'s', 'a-b', '2026-11-22', '1.2.3', 'v1'];
const TRICKY_VALUES = [
  'a:b', 'a: b', '-a', '- a', '? a', ': a', 'a #c', 'a#c', '#c', '__proto__', 'constructor', 'true', 'False', 'null', '~', '0', '-0', '0x1F', '0o17', '1e3', '.5', '.inf', '.NaN', '1_000', '007',
  '"x\\ty\\n\\\\ \\" \\u00e9 \\x41 \\U0001F600"', '"\\q"', '"\\u12"', '"a""b"', "'it''s'", "'a'b'", '""', "''", '"a" #c', '"a"#c', '"a" b', '"unterminated', "'unterminated", '"a\\', '"\\/"', '"\\N\\_\\L\\P"', '"\\x7f\\u0085"',
  '[]', '{}', '[a, b]', '[a,b]', '[ a , b ]', '[a,]', '[,a]', '[a: 1]', '[a, [b, [c]]]', '{a: 1}', '{a:1}', '{a: 1,}', '{a}', '{a: }', '{a: 1, a: 2}', '{"a": 1}', "{'a': 'b'}", '{a: [1, {b: c}]}', '[a #c]', '{__proto__: 1}', '{<<: 1}', '[1, 2.5, true, null, ~, 0x10]', '[a', 'a]', '{a: 1', '[a] b', '[a] #c', '{a: 1}x',
  '&x a', '*x', '!!str a', '!x a', '|', '|-', '>', '>-', '%YAML 1.2', '---', '...', '--- a', '... a', '@a', '`a`', '%a', 'a\u00a0b', '\u00a0', 'a\u00a0', '\u00a0a', 'a\tb', 'a\ufeffb', '\ufeff', 'a\u2028b', 'a\u0085b', 'a\u0007b', '\u200b',
  ' ', '', 'a ', 'a  #c  ', 'a\\b', 'a"b', "a'b", 'a,b', 'a[b]', 'a{b}', 'a: b: c', ':a', '?a', '!', '&', '*', 'a:  b', '"a"  ', '[a]  ', '"\\t"', 'a\u3000b', '\u3000', 'a\u2003', '\ud83d\ude00', 'a\ud800b', '-1', '+1', '- ', '-\u00a0a', '0x', 'a\\', '"a\\"', "'a\\'",
];
const COMMENTS = ['# c', '#c', '# - a', '# a: b', '# ---', '#', '# sk-test-abcdefgh12345678', '# \u00a0'];
const MANIFEST_KEYS = ['version', 'models', 'name', 'type', 'provider', 'model', 'connections', 'enabled', 'addedOn', 'addedBy', 'description', 'location', 'advancedProperties', 'baseUrl', 'region'];
const MANIFEST_VALUES = ['1', 'easy', 'openai', 'anthropic', 'gpt-4o', 'c', 'm', 'true', 'no', '2026-02-30', 'Alice', 'https://api.example.test/v1', '{headers: {Host: x}}', '[]', 'sk-proj-abcdefghijklmnopqrstuvwx1234567890ABCD'];

type Rand = () => number;

class Gen {
  private readonly lines: string[] = [];
  /** How often tricky tokens and layout noise appear: rarely in about half the texts (so the fast parser reads many of them), often in the rest. */
  private readonly noise: number;
  constructor(private readonly r: Rand, private readonly manifest: boolean) {
    this.noise = r() < 0.5 ? 0.08 : 1;
  }

  /** A chance scaled by the text's noise level. */
  private odd(p: number): boolean {
    return this.r() < p * this.noise;
  }

  private chance(p: number): boolean {
    return this.r() < p;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }

  private key(): string {
    if (this.manifest && this.chance(0.7)) return this.pick(MANIFEST_KEYS);
    return this.odd(0.3) ? this.pick(TRICKY_KEYS) : this.pick(PLAIN_KEYS);
  }

  private scalar(): string {
    if (this.manifest && this.chance(0.5)) return this.pick(MANIFEST_VALUES);
    return this.odd(0.45) ? this.pick(TRICKY_VALUES) : this.pick(PLAIN_VALUES);
  }

  /** Spaces of an indentation, now and then with a tab, an NBSP or one space off. */
  private pad(n: number): string {
    if (!this.odd(1)) return ' '.repeat(n);
    const x = this.r();
    if (x < 0.015) return ' '.repeat(Math.max(0, n - 1)) + '\t';
    if (x < 0.025) return ' '.repeat(Math.max(0, n - 1)) + '\u00a0';
    if (x < 0.045) return ' '.repeat(n + 1);
    if (x < 0.06 && n > 0) return ' '.repeat(n - 1);
    return ' '.repeat(n);
  }

  /** The gap after `:` or `-`: one space, or more, or a tab, or none. */
  private gap(): string {
    if (!this.odd(1)) return ' ';
    const x = this.r();
    if (x < 0.86) return ' ';
    if (x < 0.93) return '  ';
    if (x < 0.97) return '\t';
    return '';
  }

  private tail(): string {
    if (!this.odd(1)) return '';
    const x = this.r();
    if (x < 0.88) return '';
    if (x < 0.94) return ' ' + this.pick(COMMENTS);
    if (x < 0.97) return '  ';
    return this.pick(['\t', '\u00a0', ' \t', '#c']);
  }

  private maybeComment(indent: number): void {
    if (this.chance(0.06)) this.lines.push(this.pad(this.odd(0.3) ? this.pick([0, indent + 2, Math.max(0, indent - 2)]) : indent) + this.pick(COMMENTS));
    if (this.chance(0.04)) this.lines.push(this.odd(0.5) ? this.pick([' ', '  ', '\t']) : '');
  }

  /** A value after `key:` (or `- `) on the line `head`; pushes its lines. */
  private value(head: string, indent: number, depth: number): void {
    const x = this.r();
    if (depth < 5 && x < (this.manifest ? 0.32 : 0.25)) {
      // A nested block on the next lines.
      this.lines.push(head + this.tail());
      this.maybeComment(indent + 2);
      const inner = indent + (this.odd(0.5) ? this.pick([4, 1, 0]) : 2);
      if (this.chance(0.45)) this.seq(inner, depth + 1);
      else this.map(Math.max(inner, indent + 1), depth + 1);
      return;
    }
    if (x < 0.36) {
      this.lines.push(head + this.tail()); // an empty value
      return;
    }
    if (x < 0.36 + 0.04 * this.noise) {
      // A multi-line scalar: plain, quoted or a block scalar.
      const kind = this.pick(['plain', 'dq', 'sq', 'literal', 'folded']);
      const more = this.pad(indent + 2) + this.pick(['b', 'c d', '"', "'", '# c', '- e', 'f: g']);
      if (kind === 'plain') this.lines.push(head + this.gap() + 'a', more);
      else if (kind === 'dq') this.lines.push(head + this.gap() + '"a', more + '"');
      else if (kind === 'sq') this.lines.push(head + this.gap() + "'a", more + "'");
      else this.lines.push(head + this.gap() + (kind === 'literal' ? '|' : '>-'), more, this.pad(indent + 2) + 'z');
      return;
    }
    this.lines.push(head + this.gap() + this.scalar() + this.tail());
  }

  map(indent: number, depth: number, first?: string): void {
    const n = 1 + Math.floor(this.r() * (this.manifest ? 4 : 3));
    for (let i = 0; i < n; i++) {
      if (i > 0 || first === undefined) this.maybeComment(indent);
      const head = i === 0 && first !== undefined ? first : this.pad(indent);
      const k = this.odd(0.03) ? '? ' + this.key() : this.key();
      this.value(head + k + (this.odd(0.04) ? ' :' : ':'), indent, depth);
    }
  }

  seq(indent: number, depth: number): void {
    const n = 1 + Math.floor(this.r() * 3);
    for (let i = 0; i < n; i++) {
      this.maybeComment(indent);
      const dash = this.pad(indent) + '-';
      const x = this.r();
      if (depth < 5 && x < (this.manifest ? 0.6 : 0.35)) {
        // A compact mapping on the dash line: `- key: value` and its next keys under it.
        const g = this.gap();
        this.map(indent + 1 + g.length, depth + 1, dash + g);
      } else if (depth < 5 && x < 0.45) {
        this.value(dash, indent, depth); // `-` then a nested block, or `- value`
      } else {
        this.lines.push(dash + this.gap() + this.scalar() + this.tail());
      }
    }
  }

  /** A manifest: `version: 1`, `models:` with models and connections, now and then an extra key. */
  manifestBody(): void {
    const mi = this.pick([2, 2, 2, 0, 4]);
    this.lines.push('version:' + this.gap() + (this.chance(0.9) ? '1' : this.scalar()) + this.tail());
    this.maybeComment(0);
    this.lines.push('models:' + this.tail());
    const models = 1 + Math.floor(this.r() * 2);
    for (let m = 0; m < models; m++) {
      this.maybeComment(mi);
      const fi = mi + 2;
      this.lines.push(this.pad(mi) + '- name:' + this.gap() + (this.odd(0.5) ? this.pick(['a:b', '"m"', '-a', 'a #c']) : this.pick(['m', 'm2'])) + this.tail());
      for (const k of ['type', 'provider', 'model']) if (this.chance(0.85)) this.value(this.pad(fi) + k + ':', fi, 4);
      if (this.chance(0.3)) this.value(this.pad(fi) + this.key() + ':', fi, 4);
      this.maybeComment(fi);
      this.lines.push(this.pad(fi) + 'connections:' + this.tail());
      const ci = fi + (this.odd(0.5) ? this.pick([0, 4]) : 2);
      const conns = 1 + Math.floor(this.r() * 2);
      for (let c = 0; c < conns; c++) {
        this.maybeComment(ci);
        this.lines.push(this.pad(ci) + '- name:' + this.gap() + (this.odd(0.5) ? this.pick(['"c"', 'c #x', '__proto__']) : this.pick(['c', 'c2'])) + this.tail());
        if (this.chance(0.5)) this.map(ci + 2, 5);
      }
    }
    if (this.odd(0.25)) this.map(0, 1);
  }

  text(): string {
    if (this.manifest) this.manifestBody();
    else if (this.chance(0.35)) this.seq(this.chance(0.9) ? 0 : 1, 1);
    else this.map(this.chance(0.95) ? 0 : 2, 1);
    if (this.odd(0.04)) this.lines.unshift('---');
    if (this.odd(0.03)) this.lines.unshift('%YAML 1.2', '---');
    if (this.odd(0.02)) this.lines.unshift(this.pick(['%YAML 1.1', '%TAG ! tag:x,2026:', '--- # c', '--- a', '--- a: 1', '--- - a']));
    if (this.odd(0.03)) this.lines.push(this.pick(['...', '---', '--- b', '--- b: 1', '... # c', '...\n---\nb: 1']));
    const lf = this.chance(0.8);
    let out = '';
    for (let i = 0; i < this.lines.length; i++) {
      out += this.lines[i];
      if (i < this.lines.length - 1 || this.chance(0.9)) out += lf ? (this.odd(0.03) ? '\r\n' : '\n') : this.odd(0.05) ? this.pick(['\n', '\r']) : '\r\n';
    }
    if (this.odd(0.12) || this.chance(0.03)) out = '\ufeff' + out;
    if (this.odd(0.02)) {
      const at = Math.floor(this.r() * out.length);
      out = out.slice(0, at) + '\ufeff' + out.slice(at);
    }
    return out;
  }
}

/** `count` texts from `seed`: manifest-shaped and arbitrary in turn. */
export function generateYamlTexts(count: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(new Gen(r, i % 2 === 0).text());
  return out;
}
