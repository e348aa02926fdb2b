/** What a command touches outside itself, so tests and the entry point can pass their own. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource, type DecodedSource } from '../core/yaml/encoding';
import { credentialValuesInEnv } from '../core/import-export/exporters/envNames';
import { Redactor } from '../core/secrets/redact';
import { CliError } from './args';
import { outsideRoot } from './glob';
import { DEFAULT_MANIFEST_PATH } from '../core/manifest/names';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Files larger than this are not read (the analyzers refuse anything over 8 MB of text anyway). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** A path for messages: relative to the working directory when inside it, `/`-separated. */
export function displayPath(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  const shown = rel === '' ? path.basename(file) : rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  return shown.split(path.sep).join('/');
}

/**
 * Reads a UTF-8 text file, or throws CliError (exit 2) with a clear reason: also when its
 * bytes are not UTF-8 text (the line and column of the first bad byte).
 */
export function readTextFile(io: Io, file: string, what: string): string {
  const { text, problem } = readSourceFile(io, file, what);
  if (problem) throw new CliError(`Cannot read the ${what} ${displayPath(io, file)}:${problem.range.start.line + 1}:${problem.range.start.character + 1}: ${problem.message}`);
  return text;
}

/** Reads a file as `readTextFile` does, but returns bytes that are not UTF-8 text as a problem (validate reports it). */
export function readSourceFile(io: Io, file: string, what: string): DecodedSource {
  const shown = displayPath(io, file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new CliError(`Cannot read the ${what} ${shown}: ${describeFsError(err)}.`);
  }
  if (stat.isDirectory()) throw new CliError(`Cannot read the ${what} ${shown}: it is a directory.`);
  if (stat.size > MAX_READ_BYTES) throw new CliError(`Cannot read the ${what} ${shown}: it is ${(stat.size / 1048576).toFixed(0)} MB, far larger than such a file can be.`);
  try {
    return decodeSource(fs.readFileSync(file), what);
  } catch (err) {
    throw new CliError(`Cannot read the ${what} ${shown}: ${describeFsError(err)}.`);
  }
}

/** Writes `text` to `file`; refuses to replace an existing file unless `force`. */
export function writeTextFile(io: Io, file: string, text: string, force: boolean, what: string): void {
  const shown = displayPath(io, file);
  try {
    fs.writeFileSync(file, text, { encoding: 'utf8', flag: force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${shown} already exists; pass --force to overwrite it with the ${what}.`);
    throw new CliError(`Cannot write ${shown}: ${describeFsError(err)}.`);
  }
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ELOOP': return 'too many symbolic links';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    default: return code ?? (err instanceof Error ? err.message : String(err));
  }
}

/** The redactor every printed string goes through: it knows the credential values in the environment. */
export function envRedactor(io: Io, extra: readonly string[] = []): Redactor {
  return new Redactor([...credentialValuesInEnv(io.env), ...extra]);
}

/** Redacts one line of output, keeping its indentation (the redactor flattens whitespace). */
export function redactLine(redactor: Redactor, line: string, max = 2000): string {
  const indent = /^\s*/.exec(line)![0];
  return indent + redactor.redact(line.slice(indent.length), max);
}

/**
 * The manifest's path: `--manifest`'s, else the default in the current folder, which must not be
 * a symbolic link out of that folder (a cloned repository chose it, not the user).
 */
export function manifestPathOf(io: Io, option: string | undefined): string {
  const file = path.resolve(io.cwd, option ?? DEFAULT_MANIFEST_PATH);
  const outside = option === undefined ? outsideRoot(io.cwd, file) : undefined;
  if (outside !== undefined) throw new CliError(`${DEFAULT_MANIFEST_PATH} is a symbolic link to ${outside}, outside the current folder: it is not read. Pass --manifest with that path to read it anyway.`);
  return file;
}
