/**
 * `agent-connections run` and `env`: an agent's effective connection (its own, else its
 * supervisor's) as the environment variables the providers' SDKs read (core/runtimeEnv).
 * `run` starts a command with them; `env` prints them with every secret replaced by a
 * placeholder naming where it would come from.
 *
 * Keys come from the same `AGENT_CONNECTIONS__…` variables as `test`, and the same target
 * rules apply before a key is handed to a process: the manifest must say where the key
 * goes, and plain http to another machine needs --allow-insecure-http. The child gets
 * its own connection only: no `AGENT_CONNECTIONS__…` variable, no other provider's key.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeAgents } from '../core/agents/agents';
import { resolveAssignments, type Assignment } from '../core/agents/assignments';
import { credentialKindOf, targetBase } from '../core/providers/connectionTest';
import { credentialFromEnv, credentialVariables, envCollisions, type EnvCredential } from '../core/import-export/exporters/envNames';
import { entraFromEnv } from '../core/identity/entra';
import { analyzeManifest, connectionReference, DEFAULT_MANIFEST_PATH, type ConnectionInfo, type ModelInfo } from '../core/manifest/manifest';
import { isInsecureRemote } from '../core/net/origin';
import type { ConnectionTarget, EndpointOverrides } from '../core/providers/types';
import { dotenvComment, DotenvError } from '../core/runtime/dotenv';
import { selectAgent, selectReference } from '../core/runtime/selection';
import { childEnvironment, placeholderFor, renderVariables, runtimeVariables, withPlaceholders, type RuntimeVariable, type SecretPart } from '../core/runtime/runtimeEnv';
import { CliError, EXIT_FAILED, EXIT_OK, parseArgs, type OptionSpec } from './args';
import { findFiles, outsideRoot } from './glob';
import { displayPath, envRedactor, manifestPathOf, readTextFile, type Io } from './io';
import { parseEndpoints, targetOf } from './test';
import { DEFAULT_AGENTS_GLOB } from './validate';

/** The command could not be started: not executable (126), not found (127), as shells say. */
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_NOT_FOUND = 127;

const SELECT_OPTIONS: Record<string, OptionSpec> = {
  agent: { kind: 'string', value: 'an agent or supervisor name' },
  connection: { kind: 'string', value: 'MODEL/CONNECTION' },
  manifest: { kind: 'string', value: 'a file path' },
  agents: { kind: 'string', value: 'a glob such as **/*.agents.yaml' },
  endpoint: { kind: 'list', value: 'PROVIDER=URL' },
  'allow-insecure-http': { kind: 'boolean' },
};

export const RUN_OPTIONS: Record<string, OptionSpec> = { ...SELECT_OPTIONS, verbose: { kind: 'boolean' } };
export const ENV_OPTIONS: Record<string, OptionSpec> = { ...SELECT_OPTIONS, format: { kind: 'string', value: 'json, dotenv or shell', choices: ['json', 'dotenv', 'shell'] } };

const SELECT_HELP = `  --agent NAME             the agent (or supervisor) whose effective connection to use:
                           its own, else the one inherited from its supervisor
  --connection REF         use MODEL/CONNECTION directly instead of an agent
  --manifest PATH          the manifest (default: ${DEFAULT_MANIFEST_PATH} in the current folder)
  --agents GLOB            agents files, relative to the manifest's folder (default: ${DEFAULT_AGENTS_GLOB})
  --endpoint P=URL         replace a built-in provider's official origin, as for "test"
                           (the SDK's base URL variable is set to it; the cohere-ai
                           TypeScript SDK does not read CO_API_URL). Repeatable.
  --allow-insecure-http    allow a key to go over plain http to another machine
                           (refused by default; loopback is always allowed)`;

const VARIABLES_HELP = `Variables (the ones the providers' SDKs read):
  openai          OPENAI_API_KEY
  anthropic       ANTHROPIC_API_KEY
  google-gemini   GEMINI_API_KEY, GOOGLE_API_KEY, GOOGLE_GENAI_API_VERSION (apiVersion, else
                  v1beta for preview models and v1)
  cohere          CO_API_KEY
  amazon-bedrock  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (when set),
                  AWS_REGION, AWS_DEFAULT_REGION; with a Bedrock API key
                  (…__BEDROCK_API_KEY): AWS_BEARER_TOKEN_BEDROCK instead of the access keys;
                  with an AWS profile (…__AWS_PROFILE): AWS_PROFILE (a name, shown by "env";
                  AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE pass through)
  azure-openai    AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION, or with
                  apiVersion v1: OPENAI_BASE_URL (…/openai/v1) and OPENAI_API_KEY as well;
                  with …__AZURE_AD=1 (Microsoft Entra ID) no key: the command signs in with
                  its own DefaultAzureCredential, AZURE_TENANT_ID, AZURE_CLIENT_ID … passed on
  generic         OPENAI_BASE_URL and OPENAI_API_KEY (none with authHeader: none; another
                  header: AGENT_CONNECTION_API_KEY and AGENT_CONNECTION_AUTH_HEADER)
  always          AGENT_CONNECTION (model/connection), AGENT_CONNECTION_PROVIDER,
                  AGENT_CONNECTION_MODEL (Azure: AGENT_CONNECTION_DEPLOYMENT too)
Keys are read from AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY (Bedrock: …__ACCESS_KEY_ID,
…__SECRET_ACCESS_KEY, optional …__SESSION_TOKEN), as for "test".`;

export const RUN_HELP = `Usage: agent-connections run (--agent NAME | --connection MODEL/CONNECTION)
                            [--manifest PATH] [--agents GLOB] [--endpoint PROVIDER=URL]...
                            [--allow-insecure-http] [--verbose] -- COMMAND [ARGS...]

Starts COMMAND (no shell; arguments as given) with the connection in its environment.
The command gets its own connection only: the AGENT_CONNECTIONS__… variables and any
other provider's key variables of this environment are removed. SIGINT, SIGTERM and
SIGHUP are forwarded to it.

${SELECT_HELP}
  --verbose                print the connection and the variables' names to stderr

${VARIABLES_HELP}

Exit status: the command's own; 128+N when it is killed by signal N; 126 not executable,
127 not found; refused without starting anything: 2 usage error or unknown agent or
connection, 1 no effective connection, a disabled connection, missing key variables or
an unsafe target.`;

export const ENV_HELP = `Usage: agent-connections env (--agent NAME | --connection MODEL/CONNECTION)
                            [--manifest PATH] [--agents GLOB] [--endpoint PROVIDER=URL]...
                            [--format dotenv|shell|json]

Prints the variables "run" would set, every secret replaced by a placeholder saying where
it would come from (<secret from AGENT_CONNECTIONS__…>): never a key.

${SELECT_HELP}
  --format FORMAT          dotenv (default), shell (export NAME='value') or json
                           ({"connection","agent","inheritedFrom","provider","variables":
                           [{"name","value","secret","source"}],"warnings"})

${VARIABLES_HELP}

Exit status: 0 (a warning on stderr when "run" would refuse for want of keys or an unsafe
target); 1 no effective connection, a disabled connection, or a value that dotenv form
cannot hold as it is (json can); 2 usage error or unknown agent or connection.`;

interface Selected {
  model: ModelInfo;
  connection: ConnectionInfo;
  target: ConnectionTarget;
  /** The agent asked for, and the supervisor it inherits from. */
  agent?: { name: string; file: string; inheritedFrom?: string };
}

interface Prepared extends Selected {
  vars: RuntimeVariable[];
  /** Why `run` would refuse to hand the keys over (missing variables, an unsafe target). */
  refusal?: string;
  secrets: string[];
}

/** Splits `run`'s arguments at the first `--` that is not an option's value. */
function splitCommand(argv: readonly string[], spec: Record<string, OptionSpec>): { own: string[]; command: string[] | undefined } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return { own: argv.slice(0, i), command: argv.slice(i + 1) };
    if (arg.startsWith('--') && !arg.includes('=')) {
      const s = spec[arg.slice(2)];
      if (s && s.kind !== 'boolean') i++;
    }
  }
  return { own: [...argv], command: undefined };
}

function who(a: Pick<Assignment, 'kind' | 'name'>): string {
  return `${a.kind === 'agent' ? 'Agent' : 'Supervisor'} ${JSON.stringify(a.name)}`;
}

function selectByAgent(io: Io, name: string, manifestFile: string, glob: string, models: ModelInfo[]): { model: ModelInfo; connection: ConnectionInfo; agent: NonNullable<Selected['agent']> } {
  let files: string[];
  try {
    files = findFiles(path.dirname(manifestFile), glob);
  } catch (err) {
    throw new CliError(`--agents: ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = path.dirname(manifestFile);
  const sources = files.filter((file) => path.resolve(file) !== manifestFile).filter((file) => {
    const outside = outsideRoot(root, file);
    if (outside !== undefined) io.stderr(`warning: ${envRedactor(io).redact(`${displayPath(io, file)} is a symbolic link to ${outside}, outside the manifest's folder: not read.`, 1000)}\n`);
    return outside === undefined;
  }).map((file) => {
    const text = readTextFile(io, file, 'agents file');
    return { file: displayPath(io, file), assignments: resolveAssignments(text, analyzeAgents(text), models).assignments, models };
  });
  const out = selectAgent(name, sources);
  if (!('assignment' in out)) {
    if (out.problem === 'ambiguous') throw new CliError(`${JSON.stringify(name)} is defined in ${out.files.join(' and ')}; choose the file with --agents PATH.`);
    const where = files.length === 0 ? `no agents files match ${glob}` : `${files.length} agents file${files.length === 1 ? '' : 's'} searched (${glob})`;
    throw new CliError(`No agent or supervisor named ${JSON.stringify(name)}: ${where}.${out.guess ? ` Did you mean "${out.guess}"?` : ''}`);
  }
  const { assignment: a, file } = out;
  if (!out.ok && out.problem === 'no-connection') {
    const why = a.inCycle
      ? 'its supervisors list each other in a cycle, so nothing is inherited'
      : a.chain.length > 0
        ? `neither it nor supervisor ${a.chain.map((n) => JSON.stringify(n)).join(' → ')} sets connection:`
        : 'it sets no connection: and no supervisor lists it';
    throw new CliError(`${who(a)} (${file}) has no connection: ${why}. Assign one (model/connection) there or on a supervisor.`, EXIT_FAILED);
  }
  const from = out.inheritedFrom !== undefined ? ` (inherited from supervisor ${JSON.stringify(out.inheritedFrom)})` : '';
  if (!out.ok && out.problem === 'not-in-manifest') {
    const what = out.why === 'invalid' ? 'is not a model/connection reference' : out.model ? `names a connection model ${JSON.stringify(out.model.name)} does not have` : 'names a model the manifest does not have';
    throw new CliError(`${who(a)} (${file}) uses ${JSON.stringify(out.reference)}${from}, which ${what}.${out.guess ? ` Did you mean "${out.guess}"?` : ''}`, EXIT_FAILED);
  }
  if (!out.ok) {
    throw new CliError(`${who(a)} uses ${out.reference}${from}, which is disabled for inference in the manifest; enable it or assign another connection. Nothing was started.`, EXIT_FAILED);
  }
  return { model: out.model, connection: out.connection, agent: { name: a.name, file, inheritedFrom: out.inheritedFrom } };
}

function selectByReference(ref: string, models: ModelInfo[], manifestShown: string): { model: ModelInfo; connection: ConnectionInfo } {
  const out = selectReference(ref, [{ manifest: manifestShown, models }]);
  if (out.ok) return { model: out.model, connection: out.connection };
  if (out.problem === 'invalid-reference') throw new CliError(`--connection takes MODEL/CONNECTION (e.g. gpt-4o/prod-key-1), not ${JSON.stringify(ref)}.`);
  if (out.problem === 'disabled') throw new CliError(`${ref} is disabled for inference in the manifest; enable it to use it. Nothing was started.`, EXIT_FAILED);
  throw new CliError(`${manifestShown} has no connection ${JSON.stringify(ref)}${out.guess ? ` (did you mean ${out.guess}?)` : ''}.`);
}

/** Everything `run` and `env` share: the selection, the credential from the environment, the checks, the variables. */
function prepare(command: 'run' | 'env', options: Record<string, unknown>, io: Io): Prepared {
  const agentName = options.agent as string | undefined;
  const ref = options.connection as string | undefined;
  if ((agentName === undefined) === (ref === undefined)) throw new CliError(`"${command}" needs --agent NAME or --connection MODEL/CONNECTION (one of them). Run "agent-connections ${command} --help".`);
  const endpoints: EndpointOverrides = parseEndpoints((options.endpoint as string[] | undefined) ?? []);
  const allowInsecure = options['allow-insecure-http'] === true;

  const manifestFile = manifestPathOf(io, options.manifest as string | undefined);
  const manifestShown = displayPath(io, manifestFile);
  const analysis = analyzeManifest(readTextFile(io, manifestFile, 'manifest'));
  if (!analysis.syntaxOk || (analysis.models.length === 0 && analysis.errorCount > 0)) {
    const first = analysis.problems.find((p) => p.severity === 'error');
    throw new CliError(`${manifestShown} cannot be read${first ? ` (line ${first.range.start.line + 1}, column ${first.range.start.character + 1}: ${first.message})` : ''}. Run "agent-connections validate" for every problem.`);
  }

  const chosen = agentName !== undefined
    ? selectByAgent(io, agentName, manifestFile, (options.agents as string | undefined) ?? DEFAULT_AGENTS_GLOB, analysis.models)
    : selectByReference(ref!, analysis.models, manifestShown);
  const { model, connection } = chosen;
  const reference = connectionReference(model.name, connection.name);
  const target = targetOf(model, connection);
  if (!target) throw new CliError(`Model ${JSON.stringify(model.name)} has no known provider, so ${reference} cannot be used. Run "agent-connections validate".`, EXIT_FAILED);

  const collision = envCollisions(analysis.models.flatMap((m) => m.connections.map((c) => ({ model: m.name, connection: c.name }))))
    .find((c) => c.references.includes(reference));
  if (collision) throw new CliError(`${collision.references.join(' and ')} map to the same environment variables (${collision.variable}__…), so a key set for one would be used for the other. Rename one of them in the manifest.`);

  const kind = credentialKindOf(target);
  const names = credentialVariables(model.name, connection.name, kind);
  const found: EnvCredential = entraFromEnv(io.env, model.name, connection.name, target.provider, credentialFromEnv(io.env, model.name, connection.name, kind));
  if (found.kind === 'invalid') throw new CliError(`${found.variable}: ${found.problem} Nothing was started.`, EXIT_FAILED);
  const sources: Record<SecretPart, string | undefined> = { apiKey: names.apiKey, accessKeyId: names.accessKeyId, secretAccessKey: names.secretAccessKey, sessionToken: names.sessionToken, bedrockApiKey: names.bedrockApiKey, awsProfile: names.awsProfile };

  let vars: RuntimeVariable[];
  let base: string;
  try {
    base = targetBase(target, endpoints);
    vars = runtimeVariables({ target, credential: found.kind === 'found' ? found.credential : undefined, secretSource: (part) => sources[part] ?? 'the connection', endpoints, env: io.env });
  } catch (err) {
    throw new CliError(`${reference}: ${err instanceof Error ? err.message : String(err)} Fix the connection in the manifest; nothing was started.`, EXIT_FAILED);
  }

  let refusal: string | undefined;
  if (found.kind === 'missing') {
    refusal = `No key for ${reference} in the environment: ${found.variables.join(' and ')} ${found.variables.length === 1 ? 'is' : 'are'} not set${found.alternative ? ` (or ${found.alternative})` : ''}.`;
  } else if (kind !== 'none' && isInsecureRemote(base) && !allowInsecure) {
    refusal = `${reference} sends its key over plain http to another machine (${new URL(base).host}); use https, or pass --allow-insecure-http to allow it.`;
  }
  return { ...chosen, target, vars, refusal, secrets: found.kind === 'found' ? found.secrets : [] };
}

function describe(p: Prepared): string {
  const ref = connectionReference(p.model.name, p.connection.name);
  if (!p.agent) return ref;
  return `${p.agent.name} → ${ref}${p.agent.inheritedFrom !== undefined ? ` (inherited from ${p.agent.inheritedFrom})` : ''}`;
}

export function runEnv(argv: readonly string[], io: Io): number {
  const { options, positionals } = parseArgs('env', argv, ENV_OPTIONS);
  if (options.help) {
    io.stdout(ENV_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new CliError(`"env" takes no arguments (got ${JSON.stringify(positionals[0])}); use --agent NAME or --connection MODEL/CONNECTION.`);
  const p = prepare('env', options, io);
  const redactor = envRedactor(io, p.secrets);
  const red = (s: string) => redactor.redact(s, 4000);
  const format = (options.format as string | undefined) ?? 'dotenv';
  // Placeholders first, then redaction of everything printed: no key can come out. Values
  // are printed as they are in json and dotenv (quoted forms that read back exactly, see
  // core/runtime/dotenv.ts), only masked; shell output flattens them as before.
  const value = (s: string) => (format === 'shell' ? red(s) : redactor.mask(s));
  const shown = withPlaceholders(p.vars).map((v) => ({ ...v, name: red(v.name), value: value(v.value), source: red(v.source) }));
  const warnings = p.refusal ? [red(`"run" would refuse: ${p.refusal}`)] : [];
  if (format === 'json') {
    io.stdout(JSON.stringify({
      connection: red(connectionReference(p.model.name, p.connection.name)),
      agent: p.agent ? red(p.agent.name) : null,
      inheritedFrom: p.agent?.inheritedFrom !== undefined ? red(p.agent.inheritedFrom) : null,
      provider: p.target.provider,
      variables: shown.map(({ name, value, secret, source }) => ({ name, value, secret, source })),
      warnings,
    }, null, 2) + '\n');
  } else {
    let lines: string;
    try {
      lines = renderVariables(shown, format as 'dotenv' | 'shell');
    } catch (err) {
      if (err instanceof DotenvError) throw new CliError(err.message, EXIT_FAILED);
      throw err;
    }
    io.stdout(`${dotenvComment(`${red(describe(p))}: secrets are placeholders, never keys`)}\n`);
    io.stdout(lines);
  }
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
  return EXIT_OK;
}

export async function runRun(argv: readonly string[], io: Io): Promise<number> {
  const { own, command } = splitCommand(argv, RUN_OPTIONS);
  const { options, positionals } = parseArgs('run', own, RUN_OPTIONS);
  if (options.help) {
    io.stdout(RUN_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length > 0 || command === undefined) {
    throw new CliError(`"run" takes the command after "--", e.g. agent-connections run --agent billing -- node agent.js${positionals.length ? ` (got ${JSON.stringify(positionals[0])} before it)` : ''}.`);
  }
  if (command.length === 0 || command[0] === '') throw new CliError('"run" needs a command after "--", e.g. agent-connections run --agent billing -- node agent.js.');
  const p = prepare('run', options, io);
  if (p.refusal) throw new CliError(`${p.refusal} Nothing was started.`, EXIT_FAILED);

  const redactor = envRedactor(io, p.secrets);
  if (options.verbose === true) {
    const list = p.vars.map((v) => (v.secret ? `${v.name}=${placeholderFor(v)}` : `${v.name}=${v.value}`)).join(' ');
    io.stderr(`agent-connections: ${redactor.redact(`running ${command[0]} with ${describe(p)}: ${list}`, 8000)}\n`);
  }
  const env = childEnvironment(io.env, p.target.provider, p.vars);
  return startChild(command[0], command.slice(1), env, io, (s) => redactor.redact(s, 1000));
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Starts the command with inherited stdio; resolves with its exit code (128+N for signal N). */
function startChild(file: string, args: string[], env: Record<string, string>, io: Io, red: (s: string) => string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: io.cwd, env, stdio: 'inherit', shell: false });
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    const handlers = FORWARDED.map((s) => [s, () => forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    let settled = false;
    const done = (code: number) => {
      if (settled) return;
      settled = true;
      for (const [s, h] of handlers) process.removeListener(s, h);
      resolve(code);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        io.stderr(`agent-connections: ${red(`${file}: command not found.`)}\n`);
        done(EXIT_NOT_FOUND);
      } else if (err.code === 'EACCES' || err.code === 'EISDIR' || err.code === 'ENOEXEC') {
        io.stderr(`agent-connections: ${red(`${file}: cannot be executed (${err.code === 'EACCES' ? 'permission denied' : err.code}).`)}\n`);
        done(EXIT_NOT_EXECUTABLE);
      } else {
        io.stderr(`agent-connections: ${red(`${file} could not be started: ${err.code ?? err.message}.`)}\n`);
        done(EXIT_NOT_EXECUTABLE);
      }
    });
    child.once('exit', (code, signal) => {
      if (code !== null) done(code);
      else done(128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
    });
  });
}
