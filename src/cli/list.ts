/** `agent-connections list`: the models and connections, with the variables the CLI reads their keys from. */
import { analyzeManifest, connectionReference, DEFAULT_MANIFEST_PATH } from '../core/manifest/manifest';
import { CliError, EXIT_OK, parseArgs, type OptionSpec } from './args';
import { displayPath, envRedactor, manifestPathOf, readTextFile, type Io } from './io';
import { variablesOf } from './test';

export const LIST_OPTIONS: Record<string, OptionSpec> = {
  manifest: { kind: 'string', value: 'a file path' },
  format: { kind: 'string', value: 'text or json', choices: ['text', 'json'] },
};

export const LIST_HELP = `Usage: agent-connections list [--manifest PATH] [--format text|json]

Lists the models and their connections, and for each connection the environment
variables "agent-connections test" reads its credentials from.

  --manifest PATH   the manifest (default: ${DEFAULT_MANIFEST_PATH} in the current folder)
  --format FORMAT   text (default) or json

Exit status: 0, or 2 when the manifest cannot be read.`;

export function runList(argv: readonly string[], io: Io): number {
  const { options, positionals } = parseArgs('list', argv, LIST_OPTIONS);
  if (options.help) {
    io.stdout(LIST_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new CliError(`"list" takes no file arguments (got ${JSON.stringify(positionals[0])}); use --manifest PATH.`);
  const manifestFile = manifestPathOf(io, options.manifest as string | undefined);
  const shown = displayPath(io, manifestFile);
  const analysis = analyzeManifest(readTextFile(io, manifestFile, 'manifest'));
  const redactor = envRedactor(io);
  const red = (s: string | undefined) => (s === undefined ? undefined : redactor.redact(s, 1000));
  if (!analysis.syntaxOk) {
    const first = analysis.problems.find((p) => p.severity === 'error');
    throw new CliError(`${shown} cannot be read${first ? ` (line ${first.range.start.line + 1}, column ${first.range.start.character + 1}: ${red(first.message)})` : ''}. Run "agent-connections validate" for every problem.`);
  }
  if (analysis.errorCount > 0) io.stderr(`warning: ${shown} has ${analysis.errorCount} error${analysis.errorCount === 1 ? '' : 's'} (run "agent-connections validate").\n`);

  const models = analysis.models.map((m) => ({
    name: red(m.name)!,
    type: red(m.type),
    provider: red(m.provider),
    model: red(m.model),
    location: red(m.location),
    ...(m.description !== undefined ? { description: red(m.description) } : {}),
    ...(m.addedOn !== undefined ? { addedOn: red(m.addedOn) } : {}),
    connections: m.connections.map((c) => {
      const vars = variablesOf(m, c);
      return {
        name: red(c.name)!,
        reference: red(connectionReference(m.name, c.name))!,
        enabled: c.enabled,
        ...(c.addedBy !== undefined ? { addedBy: red(c.addedBy) } : {}),
        ...(c.addedOn !== undefined ? { addedOn: red(c.addedOn) } : {}),
        ...(c.description !== undefined ? { description: red(c.description) } : {}),
        settings: JSON.parse(red(JSON.stringify(c.settings)) ?? '{}') as unknown,
        variables: vars.required,
        optionalVariables: vars.optional,
      };
    }),
  }));

  if (options.format === 'json') {
    io.stdout(JSON.stringify({ models }, null, 2) + '\n');
    return EXIT_OK;
  }
  const rows: string[][] = [['CONNECTION', 'PROVIDER', 'MODEL', 'ENABLED', 'CREDENTIAL VARIABLES']];
  for (const m of models) {
    for (const c of m.connections) rows.push([c.reference, m.provider ?? '?', m.model ?? '?', c.enabled ? 'yes' : 'no', c.variables.length ? [...c.variables, ...c.optionalVariables.map((v) => `(${v})`)].join(' ') : '(no credential)']);
    if (m.connections.length === 0) rows.push([`${m.name}/—`, m.provider ?? '?', m.model ?? '?', '-', '(no connections)']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.stdout(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ') + '\n');
  const count = models.reduce((n, m) => n + m.connections.length, 0);
  io.stdout(`${models.length} model${models.length === 1 ? '' : 's'}, ${count} connection${count === 1 ? '' : 's'} in ${shown}.\n`);
  return EXIT_OK;
}
