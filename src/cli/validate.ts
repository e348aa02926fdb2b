/** `agent-connections validate`: the manifest and the agents files, with exactly the editor's rules. */
import * as path from 'node:path';
import { analyzeAgents } from '../core/agents/agents';
import { resolveAssignments } from '../core/agents/assignments';
import { unreadableAgents, unreadableManifest } from '../core/manifest/unreadable';
import { analyzeManifest, connectionReference, DEFAULT_MANIFEST_PATH, type ModelInfo } from '../core/manifest/manifest';
import { envCollisions } from '../core/import-export/exporters/envNames';
import { LineIndex, quote } from '../core/yaml/text';
import type { Problem } from '../core/yaml/problems';
import { CliError, EXIT_FAILED, EXIT_OK, parseArgs, type OptionSpec } from './args';
import { findFiles, outsideRoot } from './glob';
import { displayPath, envRedactor, manifestPathOf, readSourceFile, type Io } from './io';

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
                    (default: ${DEFAULT_AGENTS_GLOB}; node_modules and .git are skipped;
                    a symbolic link out of the manifest's folder is reported, not read)
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
  const manifestFile = manifestPathOf(io, options.manifest as string | undefined);
  const glob = (options.agents as string | undefined) ?? DEFAULT_AGENTS_GLOB;
  const redactor = envRedactor(io);
  const redact = (s: string) => redactor.redact(s, 4000);

  const problems: CliProblem[] = [];
  const manifestSource = readSourceFile(io, manifestFile, 'manifest');
  const manifestShown = displayPath(io, manifestFile);
  const manifest = manifestSource.problem ? unreadableManifest(manifestSource.problem) : analyzeManifest(manifestSource.text);
  for (const p of manifest.problems) problems.push(toCliProblem(manifestShown, p, redact));
  if (manifest.syntaxOk) for (const p of envCollisionProblems(manifestSource.text, manifest.models)) problems.push(toCliProblem(manifestShown, p, redact));
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
    const shown = displayPath(io, file);
    const outside = outsideRoot(path.dirname(manifestFile), file);
    if (outside !== undefined) {
      problems.push({ file: shown, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'link-outside', message: redact(`The agents file is a symbolic link to ${outside}, outside the manifest's folder: it is not read. Replace the link with the file itself.`) });
      continue;
    }
    const { text, problem } = readSourceFile(io, file, 'agents file');
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

/**
 * Connections whose key variables would be the same in the CLI (`a__b/c` and `a/b__c`, `a/b` and
 * `A/B`): "test", "run" and "env" refuse them, so "validate" says so first, at the later name.
 * The editor keeps keys by opaque ids, so this is the CLI's own check (a warning).
 */
function envCollisionProblems(text: string, models: readonly ModelInfo[]): Problem[] {
  const byReference = new Map<string, { line: number; start: number; end: number }>();
  const index = new LineIndex(text);
  const pairs = models.flatMap((m) => m.connections.map((c) => {
    const reference = connectionReference(m.name, c.name);
    if (!byReference.has(reference)) byReference.set(reference, { line: index.positionAt(c.nameSpan.start).line + 1, start: c.nameSpan.start, end: c.nameSpan.end });
    return { model: m.name, connection: c.name };
  }));
  const out: Problem[] = [];
  for (const collision of envCollisions(pairs)) {
    // The same reference twice is a duplicate name, reported as such.
    const refs = [...new Set(collision.references)];
    const first = byReference.get(refs[0])!;
    for (const ref of refs.slice(1)) {
      const at = byReference.get(ref)!;
      out.push({
        code: 'env-collision',
        severity: 'warning',
        message: `${quote(ref)} reads its key from the same CLI variables as ${quote(refs[0])} (line ${first.line}): ${collision.variable}__…, so "test", "run" and "env" refuse both. Rename one of them.`,
        start: at.start,
        end: at.end,
        range: index.range(at.start, at.end),
      });
    }
  }
  return out;
}
