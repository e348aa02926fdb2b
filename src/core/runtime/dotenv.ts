/**
 * `.env` values that the common readers read back exactly as they were: Node's
 * `util.parseEnv` / `process.loadEnvFile` / `--env-file` (20.12+, 24) and the `dotenv`
 * package. What they agree on, and so all this relies on:
 * - an unquoted value is the rest of the line up to a `#`, trimmed;
 * - `'…'` and `` `…` `` hold their text as it is, line breaks included, up to the next
 *   such quote: there is no escape at all;
 * - `"…"` runs to the next `"` (no escape for it) and turns `\n` into a line break (dotenv
 *   also `\r` into a carriage return, Node does not);
 * - a carriage return anywhere is dropped (Node) or read as a line break (dotenv);
 * - dotenv takes a backslash right before a closing quote as escaping it.
 * No reader expands `$` (that is dotenv-expand, another package), so `$` is plain text.
 * A value none of these forms can hold is refused rather than written to read back
 * differently; so is one with a control character other than tab and line feed (no
 * escape exists for it, and printed raw a terminal would act on it).
 */

export class DotenvError extends Error {}

/** Plain enough to write unquoted (kept ASCII: dotenv's trim also removes Unicode spaces). */
const BARE = /^[A-Za-z0-9_./:@%+,=\\-]*$/;

/** The value as `.env` text, or a DotenvError saying why it cannot be one. */
export function dotenvValue(value: string): string {
  if (BARE.test(value)) return value;
  if (value.includes('\r')) throw new DotenvError('it holds a carriage return, which Node drops and dotenv reads as a line break');
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/.exec(value);
  if (control) throw new DotenvError(`it holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which .env has no escape for (and a terminal would act on)`);
  if (value.endsWith('\\')) throw new DotenvError('it ends with a backslash, which dotenv would read as escaping the closing quote');
  const lines = value.includes('\n');
  // "…": one line, line breaks written as \n. Not with a `"`, nor with a `\n` or `\r` of its own (they would be read as line breaks).
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `"${value.replace(/\n/g, '\\n')}"`;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('`')) return `\`${value}\``;
  throw new DotenvError(`it holds ' and \` and ${value.includes('"') ? '"' : 'a \\n or \\r of its own'}${lines ? ' and line breaks' : ''}: no .env quoting keeps all of them`);
}

/** `NAME=value`; the error names the variable and says what to use instead. */
export function dotenvLine(name: string, value: string): string {
  try {
    return `${name}=${dotenvValue(value)}`;
  } catch (err) {
    if (!(err instanceof DotenvError)) throw err;
    throw new DotenvError(`The value of ${name} cannot be written in .env form so that Node's parseEnv and the dotenv package read it back as it is: ${err.message}. Use --format json.`);
  }
}

/** A comment line: `#` and the text on one line (a line break would start a variable line). */
export function dotenvComment(text: string): string {
  return `# ${text.replace(/[\r\n\u2028\u2029]+/g, ' ')}`;
}
