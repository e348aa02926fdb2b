/** A small, strict command-line parser: known options only, precise messages, `--opt value` and `--opt=value`. */
import { closest } from '../core/yaml/text';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A usage or I/O error: the message is printed and the CLI exits with `code` (2). */
export class CliError extends Error {
  constructor(message: string, readonly code: number = EXIT_USAGE) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * True for a CliError from any copy of this module: the commands loaded on demand are bundled
 * into files of their own (esbuild.mjs), each with its own copy of this class.
 */
export function isCliError(err: unknown): err is CliError {
  return err instanceof Error && err.name === 'CliError' && typeof (err as { code?: unknown }).code === 'number';
}

export type OptionKind = 'string' | 'list' | 'boolean' | 'integer';

export interface OptionSpec {
  kind: OptionKind;
  /** What the value is, for "needs a value" messages: `a file path`, `text, json or junit`. */
  value?: string;
  /** Allowed values (case-sensitive). */
  choices?: readonly string[];
  min?: number;
  max?: number;
}

export interface ParsedArgs {
  options: Record<string, string | string[] | boolean | number | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` (after the command name) against `spec`. `--help`/`-h` is always known.
 * Throws CliError for unknown options, missing or invalid values and repeated single options.
 */
export function parseArgs(command: string, argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const names = Object.keys(spec);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      options.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) throw new CliError(`Unknown option ${JSON.stringify(arg)} for "${command}" (options are written --name). Run "agent-connections ${command} --help".`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const s = spec[name];
    if (!s) {
      const guess = closest(name, names);
      throw new CliError(`Unknown option --${name} for "${command}".${guess ? ` Did you mean --${guess}?` : ''} Run "agent-connections ${command} --help".`);
    }
    if (s.kind === 'boolean') {
      if (eq !== -1) throw new CliError(`--${name} takes no value.`);
      options[name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new CliError(`--${name} needs a value${s.value ? ` (${s.value})` : ''}.`);
      value = next;
      i++;
    }
    if (value === '') throw new CliError(`--${name} needs a non-empty value${s.value ? ` (${s.value})` : ''}.`);
    if (s.choices && !s.choices.includes(value)) throw new CliError(`--${name} must be ${listOr(s.choices)}, not ${JSON.stringify(value)}.`);
    if (s.kind === 'integer') {
      if (!/^\d+$/.test(value)) throw new CliError(`--${name} must be a whole number${rangeText(s)}, not ${JSON.stringify(value)}.`);
      const n = Number(value);
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) throw new CliError(`--${name} must be${rangeText(s)}, not ${value}.`);
      if (options[name] !== undefined) throw new CliError(`--${name} is given twice.`);
      options[name] = n;
    } else if (s.kind === 'list') {
      const list = (options[name] as string[] | undefined) ?? [];
      list.push(value);
      options[name] = list;
    } else {
      if (options[name] !== undefined) throw new CliError(`--${name} is given twice.`);
      options[name] = value;
    }
  }
  return { options, positionals };
}

function rangeText(s: OptionSpec): string {
  if (s.min !== undefined && s.max !== undefined) return ` from ${s.min} to ${s.max}`;
  if (s.min !== undefined) return ` of at least ${s.min}`;
  if (s.max !== undefined) return ` of at most ${s.max}`;
  return '';
}

export function listOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
