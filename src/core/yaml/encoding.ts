/**
 * Bytes → text for the manifest and agents files, strictly: a file that is not UTF-8 text
 * is never read as if it were, because any later edit would write U+FFFD (or another
 * encoding's guess) over the user's bytes. UTF-16 gets its own message; a UTF-8 BOM is
 * allowed and kept as a character, as VS Code's documents keep it.
 *
 * Positions follow every other problem: 0-based line and character (UTF-16 code units) in
 * the text as decoded with replacement characters, which is what an editor shows. The
 * line is the number of line feeds before the first bad byte; the character is the length
 * of the valid text before it on that line.
 */
import type { Problem } from './problems';
import { LineIndex } from './text';

/** Problem codes of a file that could not be decoded: nothing is read from it or written to it. */
export const ENCODING_CODES: ReadonlySet<string> = new Set(['invalid-utf8', 'utf16']);

export interface DecodedSource {
  /** The text; when `problem` is set, decoded with U+FFFD for display only. */
  text: string;
  /** Why the bytes are not UTF-8 text (an error). */
  problem?: Problem;
}

export interface Utf8Error {
  /** Byte offset of the first byte of the first ill-formed sequence. */
  offset: number;
  reason: string;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Decodes a manifest or agents file (`what`: `manifest`, `agents file` …). Fast when the
 * bytes are valid (one native decode); otherwise finds the first bad byte.
 */
export function decodeSource(bytes: Uint8Array, what: string): DecodedSource {
  const utf16 = utf16Kind(bytes);
  if (utf16) {
    const text = lossy.decode(bytes);
    return { text, problem: problemAt(text, 0, `The ${what} is ${utf16}, not UTF-8: it is not read, and never changed here. Save the file as UTF-8 (in VS Code: the encoding in the status bar → Save with Encoding → UTF-8).`, 'utf16') };
  }
  try {
    return { text: strict.decode(bytes) };
  } catch {
    // Invalid: fall through to find where.
  }
  const err = firstUtf8Error(bytes);
  const text = lossy.decode(bytes);
  if (!err) return { text }; // not reached: the strict decoder and the scan agree
  const at = lossy.decode(bytes.subarray(0, err.offset)).length;
  return { text, problem: problemAt(text, at, `The ${what} is not valid UTF-8: ${err.reason}. It is not read, and never changed here, so no byte is lost: correct the bytes there, or convert the file to UTF-8 from the encoding it was saved in.`, 'invalid-utf8') };
}

function problemAt(text: string, at: number, message: string, code: string): Problem {
  const index = new LineIndex(text);
  const end = Math.min(text.length, at + 1);
  return { code, severity: 'error', message, start: at, end, range: index.range(at, end) };
}

/**
 * `UTF-16 (little-endian …)` when the bytes are UTF-16: a byte-order mark, or (without one)
 * a NUL in one byte of most pairs and in no other, as ASCII text in UTF-16 is.
 */
export function utf16Kind(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 (little-endian, with a byte-order mark)';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 (big-endian, with a byte-order mark)';
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs / 2 && evenNul <= pairs / 16) return 'UTF-16 (little-endian, without a byte-order mark)';
  if (evenNul >= pairs / 2 && oddNul <= pairs / 16) return 'UTF-16 (big-endian, without a byte-order mark)';
  return undefined;
}

const hex = (b: number) => '0x' + b.toString(16).padStart(2, '0');

/**
 * The first ill-formed sequence (Unicode Table 3-7, as the WHATWG decoder reads it: a bad
 * sequence starts at its lead byte), or undefined when the bytes are valid UTF-8.
 */
export function firstUtf8Error(bytes: Uint8Array): Utf8Error | undefined {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b === 0xe0) { len = 3; lo = 0xa0; }
    else if (b === 0xed) { len = 3; hi = 0x9f; }
    else if (b >= 0xe1 && b <= 0xef) len = 3;
    else if (b === 0xf0) { len = 4; lo = 0x90; }
    else if (b === 0xf4) { len = 4; hi = 0x8f; }
    else if (b >= 0xf1 && b <= 0xf3) len = 4;
    else {
      const reason = b <= 0xbf ? `byte ${hex(b)} continues a character that was never started`
        : b <= 0xc1 ? `byte ${hex(b)} starts an overlong encoding, which UTF-8 forbids`
          : `byte ${hex(b)} never occurs in UTF-8`;
      return { offset: i, reason };
    }
    for (let k = 1; k < len; k++) {
      if (i + k >= n) return { offset: i, reason: `the file ends inside a character: byte ${hex(b)} needs ${len - 1} more byte${len === 2 ? '' : 's'}` };
      const c = bytes[i + k];
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) {
        let reason: string;
        if (k === 1 && c >= 0x80 && c <= 0xbf) {
          reason = b === 0xed ? `bytes ${hex(b)} ${hex(c)} encode a UTF-16 surrogate (U+D800–U+DFFF), which UTF-8 forbids`
            : b === 0xf4 ? `bytes ${hex(b)} ${hex(c)} encode a code point beyond U+10FFFF`
              : `bytes ${hex(b)} ${hex(c)} start an overlong encoding, which UTF-8 forbids`;
        } else {
          reason = `a character is cut short: byte ${hex(b)} needs ${len - 1} continuation byte${len === 2 ? '' : 's'}, but ${hex(c)} follows`;
        }
        return { offset: i, reason };
      }
    }
    i += len;
  }
  return undefined;
}
