/**
 * `agent-connections`: the manifest's checks, connection tests, import and export for CI
 * and the terminal, on the same core as the extension (no VS Code).
 *
 * Exit status: 0 success, 1 problems found (validation errors, a connection not ok),
 * 2 usage or I/O errors.
 */
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { closest } from '../core/yaml/text';
import { CliError, EXIT_OK, EXIT_USAGE, isCliError } from './args';
import { envRedactor, type Io } from './io';
import { runValidate } from './validate';

// `validate` (what CI and pre-commit hooks run most) is in this file; the other commands are
// loaded when called: `test` brings the HTTP client and the provider clients, `import` and
// `export` the yaml library's document model and the importers. esbuild.mjs bundles each of
// them into a file of its own (dist/cli-test.js …), so `validate` neither reads nor runs them.
const loadTest = () => import('./test');
const loadList = () => import('./list');
const loadImportExport = () => import('./importExport');
const loadRun = () => import('./run');

const COMMANDS = ['validate', 'test', 'list', 'run', 'env', 'import', 'export'] as const;

export const HELP = `Usage: agent-connections <command> [options]

Commands:
  validate   check the manifest and the agents files with the editor's rules
  test       test connections against their providers, keys from the environment
  list       list models and connections, with the variables their keys are read from
  run        start a command with an agent's connection in the variables its SDK reads
  env        print those variables, secrets as placeholders (never a key)
  import     build a manifest from a LiteLLM or Continue config
  export     write a LiteLLM config from the manifest

Run "agent-connections <command> --help" for a command's options.

  -h, --help      show this help
  -V, --version   show the version

Exit status: 0 success, 1 problems found, 2 usage or I/O error ("run": the command's own).`;

/** The package version, from the package.json above this file (dist/ or out/src/cli/). */
export function version(): string {
  for (let dir = __dirname, i = 0; i < 6; dir = path.dirname(dir), i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'agent-connections' && pkg.version) return pkg.version;
    } catch {
      // keep looking upwards
    }
  }
  return 'unknown';
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr(HELP + '\n');
      return EXIT_USAGE;
    }
    if (command === '-h' || command === '--help' || command === 'help') {
      io.stdout(HELP + '\n');
      return EXIT_OK;
    }
    if (command === '-V' || command === '--version') {
      io.stdout(`${version()}\n`);
      return EXIT_OK;
    }
    switch (command) {
      case 'validate': return runValidate(rest, io);
      case 'test': return await (await loadTest()).runTest(rest, io);
      case 'list': return (await loadList()).runList(rest, io);
      case 'run': return await (await loadRun()).runRun(rest, io);
      case 'env': return (await loadRun()).runEnv(rest, io);
      case 'import': return (await loadImportExport()).runImport(rest, io);
      case 'export': return (await loadImportExport()).runExport(rest, io);
    }
    const guess = closest(command, COMMANDS);
    throw new CliError(command.startsWith('-')
      ? `Unknown option ${JSON.stringify(command)}: give a command first (${COMMANDS.join(', ')}). Run "agent-connections --help".`
      : `Unknown command ${JSON.stringify(command)}.${guess ? ` Did you mean "${guess}"?` : ''} Commands: ${COMMANDS.join(', ')}.`);
  } catch (err) {
    const redactor = envRedactor(io);
    if (isCliError(err)) {
      io.stderr(`agent-connections: ${redactor.redact(err.message, 4000)}\n`);
      return err.code;
    }
    io.stderr(`agent-connections: unexpected error: ${redactor.redact(err instanceof Error ? err.message : String(err), 2000)}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  // A CLI run is short: on Node 20's V8 (11.x, no Maglev) TurboFan tiers functions up after a
  // small budget and compiles code that the run ends before it pays off — about a fifth of
  // the CPU of "validate" on a 10,000-connection manifest (bench/process.mjs). A larger
  // budget keeps optimizing only the really hot functions. Later V8s have other tiering
  // (and no such flag); they are left alone.
  if (process.versions.v8.startsWith('11.')) v8.setFlagsFromString('--interrupt-budget=1000000');
  // Node 22.1+: cache the compiled code of the command files loaded later (ignored where
  // unsupported or disabled with NODE_DISABLE_COMPILE_CACHE).
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  // A closed pipe (`agent-connections list | head`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const io: Io = {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  };
  void main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
