/**
 * Bytes → text (src/core/encoding.ts): strict UTF-8, the first bad byte at its exact line and
 * column (0-based, UTF-16 code units of the valid text before it on its line, as every
 * problem's range), UTF-16 recognised, a UTF-8 BOM kept, NUL refused by the YAML reader.
 */
import * as assert from 'assert';
import { decodeSource, firstUtf8Error, utf16Kind } from '../../src/core/yaml/encoding';
import { analyzeAgents } from '../../src/core/agents/agents';
import { EditError, setConnectionEnabled } from '../../src/core/manifest/edit';
import { analyzeManifest } from '../../src/core/manifest/manifest';

const enc = (s: string) => Buffer.from(s, 'utf8');
const cat = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc(p) : Buffer.from(p))));

const MANIFEST = 'version: 1\nmodels:\n  - name: gpt-4o\n    type: easy\n    provider: openai\n    model: gpt-4o\n    connections:\n      - name: prod\n';

/** [line, character] of the decode problem, and the problem. */
function at(bytes: Uint8Array) {
  const d = decodeSource(bytes, 'manifest');
  assert.ok(d.problem, 'expected a problem');
  return { pos: [d.problem.range.start.line, d.problem.range.start.character], p: d.problem, text: d.text };
}

describe('encoding: strict UTF-8 with the first bad byte located', () => {
  it('valid UTF-8 decodes unchanged, a UTF-8 BOM kept as a character (as VS Code documents keep it)', () => {
    const text = '\ufeffversion: 1\n# Zoë 🙂 日本\n';
    const d = decodeSource(enc(text), 'manifest');
    assert.strictEqual(d.problem, undefined);
    assert.strictEqual(d.text, text);
    assert.strictEqual(firstUtf8Error(enc(text)), undefined);
    assert.strictEqual(decodeSource(new Uint8Array(0), 'manifest').text, '');
  });

  it('bytes ff fe fa inside a name: the line and column of 0xff, an error, a specific message', () => {
    const bytes = cat(MANIFEST, '      - name: team-', [0xff, 0xfe, 0xfa], '-east\n');
    const { pos, p, text } = at(bytes);
    assert.deepStrictEqual(pos, [8, 19]);
    assert.strictEqual(p.code, 'invalid-utf8');
    assert.strictEqual(p.severity, 'error');
    assert.match(p.message, /^The manifest is not valid UTF-8: byte 0xff never occurs in UTF-8\./);
    assert.strictEqual(text.slice(p.start, p.end), '\ufffd');
    assert.deepStrictEqual([p.range.end.line, p.range.end.character], [8, 20]);
  });

  it('a lone continuation byte', () => {
    const { pos, p } = at(cat('a: 1\nb: x', [0x80], 'y\n'));
    assert.deepStrictEqual(pos, [1, 4]);
    assert.match(p.message, /byte 0x80 continues a character that was never started/);
  });

  it('a multi-byte character truncated at the end of the file', () => {
    for (const [tail, needs] of [[[0xe2, 0x82], '2 more bytes'], [[0xf0, 0x9f, 0x99], '3 more bytes'], [[0xc3], '1 more byte']] as const) {
      const { pos, p } = at(cat('a: 1\nb: x', [...tail]));
      assert.deepStrictEqual(pos, [1, 4], tail.join(' '));
      assert.match(p.message, new RegExp(`the file ends inside a character: byte 0x${tail[0].toString(16)} needs ${needs}`));
    }
  });

  it('a character cut short by a byte that does not continue it', () => {
    const { pos, p } = at(cat('k: "', [0xe2, 0x28, 0xa1], '"\n'));
    assert.deepStrictEqual(pos, [0, 4]);
    assert.match(p.message, /a character is cut short: byte 0xe2 needs 2 continuation bytes, but 0x28 follows/);
  });

  it('overlong encodings: c0/c1 leads, e0 80–9f, f0 80–8f', () => {
    assert.match(at(cat('k: ', [0xc0, 0xaf])).p.message, /byte 0xc0 starts an overlong encoding/);
    assert.match(at(cat('k: ', [0xc1, 0xbf])).p.message, /byte 0xc1 starts an overlong encoding/);
    assert.match(at(cat('k: ', [0xe0, 0x80, 0xaf])).p.message, /bytes 0xe0 0x80 start an overlong encoding/);
    assert.match(at(cat('k: ', [0xf0, 0x80, 0x80, 0xaf])).p.message, /bytes 0xf0 0x80 start an overlong encoding/);
    assert.deepStrictEqual(at(cat('k: ', [0xe0, 0x80, 0xaf])).pos, [0, 3]);
  });

  it('encoded surrogates (CESU-8) and code points beyond U+10FFFF; bytes f5–ff', () => {
    assert.match(at(cat('k: ', [0xed, 0xa0, 0x80])).p.message, /bytes 0xed 0xa0 encode a UTF-16 surrogate/);
    assert.match(at(cat('k: ', [0xed, 0xbf, 0xbf])).p.message, /UTF-16 surrogate/);
    assert.match(at(cat('k: ', [0xf4, 0x90, 0x80, 0x80])).p.message, /bytes 0xf4 0x90 encode a code point beyond U\+10FFFF/);
    assert.match(at(cat('k: ', [0xf5, 0x80, 0x80, 0x80])).p.message, /byte 0xf5 never occurs in UTF-8/);
    // The largest valid code points on either side are fine.
    assert.strictEqual(firstUtf8Error(Buffer.from([0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf])), undefined);
  });

  it('the column counts UTF-16 code units of the valid text before the bad byte on its line (as VS Code)', () => {
    // "é" is 1 unit, "🙂" 2: the bad byte after "é🙂 " is at character 4 of its line; the line is the LF count.
    const { pos } = at(cat('one\r\ntwo\n', 'é🙂 ', [0xff]));
    assert.deepStrictEqual(pos, [2, 4]);
    // A BOM is a character of the first line, as in the document.
    assert.deepStrictEqual(at(cat('\ufeffk: ', [0xff])).pos, [0, 4]);
  });

  it('agrees with the strict WHATWG decoder on every sequence of one to three bytes from a mixed set', () => {
    const alphabet = [0x41, 0x0a, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const strict = new TextDecoder('utf-8', { fatal: true });
    const lossy = new TextDecoder('utf-8');
    let checked = 0;
    const visit = (prefix: number[]) => {
      if (prefix.length > 0) {
        const bytes = Uint8Array.from([...prefix, 0x41, ...prefix.slice().reverse()]);
        let valid = true;
        try { strict.decode(bytes); } catch { valid = false; }
        const err = firstUtf8Error(bytes);
        assert.strictEqual(err === undefined, valid, `validity of ${Buffer.from(bytes).toString('hex')}`);
        // Where it says: the replacement decoder's first U+FFFD stands exactly there.
        if (err) assert.strictEqual(lossy.decode(bytes.subarray(0, err.offset)).length, lossy.decode(bytes).indexOf('\ufffd'), Buffer.from(bytes).toString('hex'));
        checked++;
      }
      if (prefix.length < 3) for (const b of alphabet) visit([...prefix, b]);
    };
    visit([]);
    assert.ok(checked > 5000, `${checked}`);
  });
});

describe('encoding: UTF-16 and NUL', () => {
  it('UTF-16 with a byte-order mark, little- and big-endian: its own message at the start', () => {
    for (const [bom, body, kind] of [[[0xff, 0xfe], Buffer.from(MANIFEST, 'utf16le'), 'little-endian, with a byte-order mark'], [[0xfe, 0xff], Buffer.from(MANIFEST, 'utf16le').swap16(), 'big-endian, with a byte-order mark']] as const) {
      const { pos, p } = at(Buffer.concat([Buffer.from(bom), body]));
      assert.deepStrictEqual(pos, [0, 0]);
      assert.strictEqual(p.code, 'utf16');
      assert.strictEqual(p.message, `The manifest is UTF-16 (${kind}), not UTF-8: it is not read, and never changed here. Save the file as UTF-8 (in VS Code: the encoding in the status bar → Save with Encoding → UTF-8).`);
    }
  });

  it('UTF-16 without a byte-order mark (valid UTF-8 full of NULs) is recognised; text with a few NULs is not UTF-16', () => {
    assert.match(at(Buffer.from(MANIFEST, 'utf16le')).p.message, /UTF-16 \(little-endian, without a byte-order mark\)/);
    assert.match(at(Buffer.from(MANIFEST, 'utf16le').swap16()).p.message, /UTF-16 \(big-endian, without a byte-order mark\)/);
    assert.strictEqual(utf16Kind(enc('version: 1\n# a\0b\0c\n')), undefined);
    assert.strictEqual(utf16Kind(enc('ab')), undefined);
  });

  it('a NUL byte is an error at its position in both files; the file is not editable', () => {
    const text = MANIFEST.replace('model: gpt-4o', 'model: gpt\0-4o');
    const d = decodeSource(enc(text), 'manifest');
    assert.strictEqual(d.problem, undefined, 'NUL is valid UTF-8: the YAML reader refuses it');
    const a = analyzeManifest(d.text);
    assert.strictEqual(a.syntaxOk, false);
    const p = a.problems.find((x) => x.code === 'nul-byte');
    assert.ok(p, JSON.stringify(a.problems));
    assert.deepStrictEqual([p.range.start.line, p.range.start.character, p.range.end.character], [5, 14, 15]);
    assert.strictEqual(p.severity, 'error');
    assert.match(p.message, /The manifest contains a NUL character \(byte 0x00\)/);
    assert.throws(() => setConnectionEnabled(d.text, { model: 'gpt-4o', connection: 'prod' }, false), (e: unknown) => e instanceof EditError && e.code === 'syntax');
    const g = analyzeAgents('agents:\n  - name: a\0\n');
    assert.deepStrictEqual(g.problems.map((x) => [x.code, x.range.start.line, x.range.start.character]), [['nul-byte', 1, 11]]);
    assert.strictEqual(g.syntaxOk, false);
  });
});
