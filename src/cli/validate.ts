/** `agent-connections validate`: the manifest and the agents files, with exactly the editor's rules. */
import * as path from 'node:path';
import { analyzeAgents } from '../core/agents/agents';
import { resolveAssignments } from '../core/agents/assignments';
import { unreadableAgents, unreadableManifest } from '../core/manifest/unreadable';
import { analyzeManifest, DEFAULT_MANIFEST_PATH } from '../core/manifest/manifest';
import type { Problem } from '../core/yaml/problems';
import { CliError, EXIT_FAILED, EXIT_OK, parseArgs, type OptionSpec } from './args';
import { findFiles } from './glob';
import { displayPath, envRedactor, readSourceFile, type Io } from './io';

export const DEFAULT_AGENTS_GLOB = '**/*.agents.yaml';

export const VALIDATE_OPTIONS: Record<string, OptionSpec> = {
  manifest: { kind: 'string', value: 'a file path' },
  agents: { kind: 'string', value: 'a glob such as **/*.agents.yaml' },
  format: { kind: 'string', value: 'text or json', choices: ['text', 'json'] },
};

export const VALIDATE_HELP = `Usage: agent-connections validate [--manifest PATH] [--agents GLOB] [--format text|json]

Checks the manifest and the agents files with the rules the editor uses (schema,
unique names, provider rules, URLs, hostile YAML, bytes that are not UTF-8 text,
keys pasted into the files, agents' connection references against the manifest …).

  --manifest PATH   the manifest (default: ${DEFAULT_MANIFEST_PATH} in the current folder)
  --agents GLOB     agents files, relative to the manifest's folder
                    (default: ${DEFAULT_AGENTS_GLOB}; node_modules and .git are skipped)
  --format FORMAT   text (default) or json:
                    {"problems":[{"file","line","column","endLine","endColumn","severity","code","message"}]}
                    with 1-based lines and columns

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage or I/O error.`;

export interface CliProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Problem['severity'];
  code: string;
  message: string;
}

export function toCliProblem(file: string, p: Problem, redact: (s: string) => string): CliProblem {
  return {
    file,
    line: p.range.start.line + 1,
    column: p.range.start.character + 1,
    endLine: p.range.end.line + 1,
    endColumn: p.range.end.character + 1,
    severity: p.severity,
    code: p.code,
    message: redact(p.message),
  };
}

export function runValidate(argv: readonly string[], io: Io): number {
  const { options, positionals } = parseArgs('validate', argv, VALIDATE_OPTIONS);
  if (options.help) {
    io.stdout(VALIDATE_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new CliError(`"validate" takes no file arguments (got ${JSON.stringify(positionals[0])}); use --manifest PATH and --agents GLOB.`);
  const manifestFile = path.resolve(io.cwd, (options.manifest as string | undefined) ?? DEFAULT_MANIFEST_PATH);
  const glob = (options.agents as string | undefined) ?? DEFAULT_AGENTS_GLOB;
  const redactor = envRedactor(io);
  const redact = (s: string) => redactor.redact(s, 4000);

  const problems: CliProblem[] = [];
  const manifestSource = readSourceFile(io, manifestFile, 'manifest');
  const manifestShown = displayPath(io, manifestFile);
  const manifest = manifestSource.problem ? unreadableManifest(manifestSource.problem) : analyzeManifest(manifestSource.text);
  for (const p of manifest.problems) problems.push(toCliProblem(manifestShown, p, redact));
  // As in the editor: references are checked against the manifest only when it parses.
  const models = manifest.syntaxOk ? manifest.models : undefined;

  let agentFiles: string[];
  try {
    agentFiles = findFiles(path.dirname(manifestFile), glob);
  } catch (err) {
    throw new CliError(`--agents: ${err instanceof Error ? err.message : String(err)}`);
  }
  for (const file of agentFiles) {
    if (path.resolve(file) === manifestFile) continue;
    const { text, problem } = readSourceFile(io, file, 'agents file');
    const shown = displayPath(io, file);
    const analysis = problem ? unreadableAgents(problem) : analyzeAgents(text);
    for (const p of analysis.problems) problems.push(toCliProblem(shown, p, redact));
    for (const p of resolveAssignments(text, analysis, models).problems) problems.push(toCliProblem(shown, p, redact));
  }

  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  if (options.format === 'json') {
    io.stdout(JSON.stringify({ problems }, null, 2) + '\n');
  } else {
    for (const p of problems) io.stdout(`${p.file}:${p.line}:${p.column}: ${p.severity} [${p.code}] ${p.message}\n`);
    const files = 1 + agentFiles.length;
    const summary = errors === 0 && warnings === 0
      ? `No problems in ${files} file${files === 1 ? '' : 's'} (${manifestShown}${agentFiles.length ? ` and ${agentFiles.length} agents file${agentFiles.length === 1 ? '' : 's'}` : ''}).`
      : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}.`;
    io.stdout(summary + '\n');
  }
  return errors > 0 ? EXIT_FAILED : EXIT_OK;
}
