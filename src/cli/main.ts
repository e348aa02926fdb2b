/**
 * `agent-connections`: the manifest's checks, connection tests, import and export for CI
 * and the terminal, on the same core as the extension (no VS Code).
 *
 * Exit status: 0 success, 1 problems found (validation errors, a connection not ok),
 * 2 usage or I/O errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closest } from '../core/yaml/text';
import { CliError, EXIT_OK, EXIT_USAGE } from './args';
import { runExport, runImport } from './importExport';
import { envRedactor, type Io } from './io';
import { runList } from './list';
import { runEnv, runRun } from './run';
import { runTest } from './test';
import { runValidate } from './validate';

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
      case 'test': return await runTest(rest, io);
      case 'list': return runList(rest, io);
      case 'run': return await runRun(rest, io);
      case 'env': return runEnv(rest, io);
      case 'import': return runImport(rest, io);
      case 'export': return runExport(rest, io);
    }
    const guess = closest(command, COMMANDS);
    throw new CliError(command.startsWith('-')
      ? `Unknown option ${JSON.stringify(command)}: give a command first (${COMMANDS.join(', ')}). Run "agent-connections --help".`
      : `Unknown command ${JSON.stringify(command)}.${guess ? ` Did you mean "${guess}"?` : ''} Commands: ${COMMANDS.join(', ')}.`);
  } catch (err) {
    const redactor = envRedactor(io);
    if (err instanceof CliError) {
      io.stderr(`agent-connections: ${redactor.redact(err.message, 4000)}\n`);
      return err.code;
    }
    io.stderr(`agent-connections: unexpected error: ${redactor.redact(err instanceof Error ? err.message : String(err), 2000)}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
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
