/** `agent-connections import litellm|continue FILE` and `agent-connections export litellm`. */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExportError, exportLiteLLM } from '../core/import-export/exporters/litellm';
import { credentialVariables, requiredVariables } from '../core/import-export/exporters/envNames';
import { credentialKindFor, ImportError, isoToday, type ImportResult } from '../core/import-export/importers/common';
import { importContinue } from '../core/import-export/importers/continue';
import { importLiteLLM } from '../core/import-export/importers/litellm';
import { DEFAULT_MANIFEST_PATH } from '../core/manifest/manifest';
import type { ProviderId } from '../core/providers/catalog';
import type { FieldValue } from '../core/manifest/edit';
import { CliError, EXIT_FAILED, EXIT_OK, listOr, parseArgs, type OptionSpec } from './args';
import { displayPath, envRedactor, manifestPathOf, readTextFile, redactLine, writeTextFile, type Io } from './io';

export const IMPORT_OPTIONS: Record<string, OptionSpec> = {
  out: { kind: 'string', value: 'a file path' },
  force: { kind: 'boolean' },
};

export const IMPORT_HELP = `Usage: agent-connections import litellm|continue FILE [--out PATH] [--force]

Builds a manifest from a LiteLLM proxy config.yaml (model_list) or a Continue
config.yaml or config.json (models). Entries sharing a name, provider and model
code (LiteLLM load-balances them) are one model with a connection each, named
by what tells them apart (Azure resource or deployment, region, host, credential).
Keys written in FILE are never copied: they are listed, by
connection, as keys to store. os.environ/X and \${{ secrets.X }} are reported as the
variable or secret that holds the key. What does not map is warned about.

  --out PATH   write the manifest there (default: standard output);
               an existing file is not replaced unless --force
  --force      replace an existing --out file

Continue's config.json may have comments; YAML anchors and merge keys are expanded.
Warnings (every entry not imported, with the reason) and the keys to store go to
standard error.
Exit status: 0 imported, 1 no model could be imported (none listed, or none that maps;
nothing is written), 2 usage or I/O error, or a file that cannot be read.`;

export const EXPORT_OPTIONS: Record<string, OptionSpec> = {
  manifest: { kind: 'string', value: 'a file path' },
  out: { kind: 'string', value: 'a file path' },
  force: { kind: 'boolean' },
};

export const EXPORT_HELP = `Usage: agent-connections export litellm [--manifest PATH] [--out PATH] [--force]

Writes a LiteLLM proxy config.yaml with one model_list entry per enabled connection.
Keys are os.environ/ references to the variables "agent-connections test" reads
(AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY; Bedrock …__ACCESS_KEY_ID and
…__SECRET_ACCESS_KEY), so the same CI secrets serve both.

  --manifest PATH   the manifest (default: ${DEFAULT_MANIFEST_PATH} in the current folder)
  --out PATH        write the config there (default: standard output);
                    an existing file is not replaced unless --force
  --force           replace an existing --out file

Exit status: 0 exported, 2 usage or I/O error.`;

/** "Added by": git's user.name, else the OS user, as the editor does. */
function addedBy(cwd: string): string | undefined {
  try {
    // eslint-disable-next-line no-control-regex -- one line without control characters
    const name = execFileSync('git', ['config', 'user.name'], { cwd, timeout: 3000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true }).split('\n')[0].replace(/[\u0000-\u001f\u007f]/g, '').trim();
    if (name) return name.slice(0, 200);
  } catch {
    // not a git repository, or no git
  }
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

export function runImport(argv: readonly string[], io: Io): number {
  const { options, positionals } = parseArgs('import', argv, IMPORT_OPTIONS);
  if (options.help) {
    io.stdout(IMPORT_HELP + '\n');
    return EXIT_OK;
  }
  const [kind, file, ...extra] = positionals;
  if (!kind) throw new CliError('"import" needs the kind of file and the file: agent-connections import litellm|continue FILE.');
  if (kind !== 'litellm' && kind !== 'continue') throw new CliError(`"import" reads litellm or continue files, not ${JSON.stringify(kind)}.`);
  if (!file) throw new CliError(`"import ${kind}" needs the file to read, e.g. agent-connections import ${kind} config.yaml.`);
  if (extra.length > 0) throw new CliError(`"import" takes one file (got also ${JSON.stringify(extra[0])}).`);
  const source = path.resolve(io.cwd, file);
  const text = readTextFile(io, source, kind === 'litellm' ? 'LiteLLM config' : 'Continue config');
  const redactor = envRedactor(io);
  const red = (s: string) => redactor.redact(s, 2000);

  let result: ImportResult;
  try {
    const opts = { today: isoToday(), addedBy: addedBy(io.cwd), sourceName: path.basename(source), env: io.env };
    result = kind === 'litellm' ? importLiteLLM(text, opts) : importContinue(text, opts);
  } catch (err) {
    if (err instanceof ImportError) throw new CliError(`${displayPath(io, source)}: ${red(err.message)}`);
    throw err;
  }

  const out = options.out as string | undefined;
  const shown = displayPath(io, source);
  // No model to import (none listed, or none that maps): nothing is written, and that is a failure.
  if (result.models.length === 0) {
    for (const w of result.warnings) io.stderr(`warning: ${w.line ? `${shown}:${w.line}: ` : ''}${red(w.message)}\n`);
    io.stderr(`Nothing imported: ${shown} ${result.entries > 0 ? 'has no model that could be imported' : 'lists no models'}${out ? `; ${displayPath(io, path.resolve(io.cwd, out))} was not written` : ''}.\n`);
    return EXIT_FAILED;
  }
  if (out) writeTextFile(io, path.resolve(io.cwd, out), result.manifest, options.force === true, 'imported manifest');
  else io.stdout(result.manifest);

  for (const w of result.warnings) io.stderr(`warning: ${w.line ? `${shown}:${w.line}: ` : ''}${red(w.message)}\n`);
  const count = result.models.reduce((n, m) => n + m.connections.length, 0);
  io.stderr(`Imported ${result.models.length} model${result.models.length === 1 ? '' : 's'} with ${count} connection${count === 1 ? '' : 's'}${out ? ` into ${displayPath(io, path.resolve(io.cwd, out))}` : ''}.\n`);

  // Keys: what the file says, and where each one goes now.
  const lines: string[] = [];
  for (const m of result.models) {
    const modelName = String(m.model.name);
    for (const c of m.connections) {
      const connName = String(c.name);
      const keys = result.keysToStore.filter((k) => k.model === modelName && k.connection === connName);
      const vars = requiredVariables(credentialVariables(modelName, connName, credentialKindFor(m.model.provider as ProviderId, c as Record<string, FieldValue>)));
      if (vars.length === 0) continue;
      lines.push(`  ${modelName}/${connName}`);
      for (const k of keys) {
        const from = k.source === 'inline' ? `written inline in ${shown}${k.span ? ` (line ${lineAt(text, k.span.start)})` : ''}: not copied; store it, then delete it from ${shown} and revoke it if that file was shared`
          : k.source === 'env' ? `from the environment variable ${k.variable}${k.note ? ` (${k.note})` : ''}`
            : `from the Continue secret ${k.variable}${k.note ? ` (${k.note})` : ''}`;
        lines.push(`    ${k.field}: ${from}; CI: set ${k.cliVariable}`);
      }
      if (keys.length === 0) lines.push(`    no key in ${shown}; store one with Set Key… (CI: set ${vars.join(' and ')})`);
    }
  }
  if (lines.length > 0) io.stderr(`Keys to store (in VS Code: Set Key… on each connection; never in the manifest):\n${lines.map((l) => redactLine(redactor, l)).join('\n')}\n`);
  return EXIT_OK;
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function runExport(argv: readonly string[], io: Io): number {
  const { options, positionals } = parseArgs('export', argv, EXPORT_OPTIONS);
  if (options.help) {
    io.stdout(EXPORT_HELP + '\n');
    return EXIT_OK;
  }
  const [kind, ...extra] = positionals;
  if (!kind) throw new CliError('"export" needs the format: agent-connections export litellm.');
  if (kind !== 'litellm') throw new CliError(`"export" writes ${listOr(['litellm'])} configs, not ${JSON.stringify(kind)}.`);
  if (extra.length > 0) throw new CliError(`"export litellm" takes no file arguments (got ${JSON.stringify(extra[0])}); use --manifest PATH and --out PATH.`);
  const manifestFile = manifestPathOf(io, options.manifest as string | undefined);
  const text = readTextFile(io, manifestFile, 'manifest');
  const redactor = envRedactor(io);
  const red = (s: string) => redactor.redact(s, 2000);
  let result: ReturnType<typeof exportLiteLLM>;
  try {
    result = exportLiteLLM(text, { sourceName: path.basename(manifestFile) });
  } catch (err) {
    if (err instanceof ExportError) throw new CliError(`${displayPath(io, manifestFile)}: ${red(err.message)}`);
    throw err;
  }
  const out = options.out as string | undefined;
  if (out) writeTextFile(io, path.resolve(io.cwd, out), result.text, options.force === true, 'LiteLLM config');
  else io.stdout(result.text);
  for (const w of result.warnings) io.stderr(`warning: ${red(w)}\n`);
  io.stderr(`Exported ${result.connections.length} connection${result.connections.length === 1 ? '' : 's'}${out ? ` to ${displayPath(io, path.resolve(io.cwd, out))}` : ''}.\n`);
  const vars = result.connections.flatMap((c) => c.variables);
  if (vars.length > 0) io.stderr(`Set these variables where LiteLLM runs:\n${vars.map((v) => redactLine(redactor, `  ${v}`)).join('\n')}\n`);
  return EXIT_OK;
}
