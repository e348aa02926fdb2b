/**
 * `agent-connections test`: the editor's Test Connection for CI. Same clients, outcomes,
 * deadlines, redirect and byte limits; credentials come from the environment and are
 * used for this run only, so there is no origin binding — but plain HTTP to another
 * machine is refused unless --allow-insecure-http. Every printed string is redacted
 * with the environment's credential values as known secrets.
 */
import { isProviderId, PROVIDER_IDS, type ProviderId } from '../core/providers/catalog';
import { credentialKindOf, runBounded, targetBase, testConnection } from '../core/providers/connectionTest';
import { credentialFromEnv, credentialVariables, envCollisions, requiredVariables, type CredentialKind } from '../core/import-export/exporters/envNames';
import { entraFromEnv, entraVariable } from '../core/identity/entra';
import { createDispatcher, MAX_DEADLINE_MS } from '../core/net/http';
import { analyzeManifest, connectionReference, DEFAULT_MANIFEST_PATH, type ConnectionInfo, type ModelInfo } from '../core/manifest/manifest';
import { originOf } from '../core/net/origin';
import { checkedBase } from '../core/providers/common';
import type { ConnectionTarget, EndpointOverrides, TestResult } from '../core/providers/types';
import { closest } from '../core/yaml/text';
import { CliError, EXIT_FAILED, EXIT_OK, listOr, parseArgs, type OptionSpec } from './args';
import { displayPath, envRedactor, manifestPathOf, readTextFile, type Io } from './io';
import { junitReport } from './junit';
import type { CliResult } from './types';

/** Built-in providers whose official origin `--endpoint` may replace. */
export const OVERRIDABLE: readonly ProviderId[] = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock'];

export const TEST_OPTIONS: Record<string, OptionSpec> = {
  manifest: { kind: 'string', value: 'a file path' },
  connection: { kind: 'list', value: 'MODEL/CONNECTION' },
  concurrency: { kind: 'integer', value: 'a number from 1 to 32', min: 1, max: 32 },
  'timeout-ms': { kind: 'integer', value: `milliseconds, at most ${MAX_DEADLINE_MS}`, min: 1, max: MAX_DEADLINE_MS },
  endpoint: { kind: 'list', value: 'PROVIDER=URL' },
  format: { kind: 'string', value: 'text, json or junit', choices: ['text', 'json', 'junit'] },
  depth: { kind: 'string', value: 'full or quick', choices: ['full', 'quick'] },
  'allow-insecure-http': { kind: 'boolean' },
  'skip-missing': { kind: 'boolean' },
};

export const TEST_HELP = `Usage: agent-connections test [--manifest PATH] [--connection MODEL/CONNECTION]...
                             [--concurrency N] [--timeout-ms N] [--endpoint PROVIDER=URL]...
                             [--depth full|quick] [--allow-insecure-http] [--skip-missing]
                             [--format text|json|junit]

Tests the enabled connections (or the ones named) with the editor's clients: a minimal real
request to each provider, at most 30 s each, no redirects followed.

Credentials come from the environment, for this run only:
  AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY
  Amazon Bedrock: …__ACCESS_KEY_ID, …__SECRET_ACCESS_KEY and optionally …__SESSION_TOKEN,
  or …__BEDROCK_API_KEY, or …__AWS_PROFILE (a profile of AWS_CONFIG_FILE or ~/.aws/config,
  resolved by the AWS SDK: SSO, assume-role, credential_process)
  Azure OpenAI: …__API_KEY, or …__AZURE_AD=1 for Microsoft Entra ID (DefaultAzureCredential:
  AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, workload or managed identity, az login …)
  (names upper-cased, every character other than A-Z and 0-9 turned into _;
  "agent-connections list" prints each connection's variables). A connection without
  its variables is reported as missing_credentials and not tested: that fails the run
  (the message names the variables to set) unless --skip-missing is given.

  --manifest PATH          the manifest (default: ${DEFAULT_MANIFEST_PATH} in the current folder)
  --connection REF         test only MODEL/CONNECTION (repeatable; disabled ones too)
  --concurrency N          tests at once, 1-32 (default 8; at most 4 per host)
  --timeout-ms N           deadline of one test in ms, at most ${MAX_DEADLINE_MS} (default ${MAX_DEADLINE_MS})
  --endpoint P=URL         replace the official origin of a built-in provider
                           (${OVERRIDABLE.join(', ')}), e.g. a gateway or a mock;
                           Bedrock URLs may contain {region}. Repeatable.
  --depth DEPTH            full (default): a minimal completion; quick: the free metadata call
  --allow-insecure-http    allow sending keys over plain http to another machine
                           (refused by default; loopback is always allowed)
  --skip-missing           do not fail for connections whose variables are not set
                           (they are reported as missing_credentials, not tested)
  --format FORMAT          text (default), json ({"results":[{"model","connection","provider",
                           "outcome","status","latencyMs","message","hint"}],"skipped":[…],
                           "summary":{"tested","ok","notOk","missingCredentials","disabled",
                           "missingVariables","passed"}}) or junit (XML; without --skip-missing
                           a missing_credentials connection is a failure, else a skip)

Exit status:
  0  something was tested and every tested connection is ok
  1  a connection is not ok; or a connection to test (enabled, or named with --connection)
     has no credentials in the environment, unless --skip-missing; or nothing was tested
     at all (no connection to test, or none with its credentials)
  2  usage or I/O error`;

export type { CliResult };

interface Job {
  index: number;
  model: ModelInfo;
  connection: ConnectionInfo;
}

export function parseEndpoints(values: readonly string[]): EndpointOverrides {
  const out: EndpointOverrides = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new CliError(`--endpoint takes PROVIDER=URL (e.g. openai=https://llm-gateway.example.com/openai), not ${JSON.stringify(v)}.`);
    const provider = v.slice(0, eq).trim();
    const url = v.slice(eq + 1).trim();
    if (!isProviderId(provider)) {
      const guess = closest(provider, PROVIDER_IDS);
      throw new CliError(`--endpoint: unknown provider ${JSON.stringify(provider)}${guess ? ` (did you mean ${guess}?)` : ''}; use one of ${listOr(OVERRIDABLE)}.`);
    }
    if (!OVERRIDABLE.includes(provider)) throw new CliError(`--endpoint: ${provider} connections take their URL from the manifest (${provider === 'azure-openai' ? 'endpoint' : 'baseUrl'}); only ${listOr(OVERRIDABLE)} can be redirected.`);
    if (out[provider] !== undefined) throw new CliError(`--endpoint: ${provider} is given twice.`);
    try {
      checkedBase(url.replace(/\{region\}/g, 'us-east-1'), `--endpoint ${provider}`);
    } catch (err) {
      throw new CliError(err instanceof Error ? err.message : String(err));
    }
    out[provider] = url;
  }
  return out;
}

export function targetOf(model: ModelInfo, connection: ConnectionInfo): ConnectionTarget | undefined {
  if (!isProviderId(model.provider)) return undefined;
  return { provider: model.provider, modelName: model.name, connectionName: connection.name, model: model.model ?? '', settings: connection.settings };
}

function selectJobs(models: ModelInfo[], refs: readonly string[], manifestShown: string): { jobs: Job[]; disabled: Job[] } {
  const all: Job[] = [];
  for (const model of models) for (const connection of model.connections) all.push({ index: all.length, model, connection });
  if (refs.length === 0) return { jobs: all.filter((j) => j.connection.enabled), disabled: all.filter((j) => !j.connection.enabled) };
  const jobs: Job[] = [];
  for (const ref of refs) {
    const slash = ref.indexOf('/');
    if (slash <= 0 || slash === ref.length - 1 || ref.indexOf('/', slash + 1) !== -1) throw new CliError(`--connection takes MODEL/CONNECTION (e.g. gpt-4o/prod-key-1), not ${JSON.stringify(ref)}.`);
    const job = all.find((j) => connectionReference(j.model.name, j.connection.name) === ref);
    if (!job) {
      const guess = closest(ref, all.map((j) => connectionReference(j.model.name, j.connection.name)));
      throw new CliError(`--connection: ${manifestShown} has no connection ${JSON.stringify(ref)}${guess ? ` (did you mean ${guess}?)` : ''}.`);
    }
    if (!jobs.includes(job)) jobs.push(job);
  }
  return { jobs: jobs.sort((a, b) => a.index - b.index), disabled: [] };
}

export async function runTest(argv: readonly string[], io: Io): Promise<number> {
  const { options, positionals } = parseArgs('test', argv, TEST_OPTIONS);
  if (options.help) {
    io.stdout(TEST_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new CliError(`"test" takes no file arguments (got ${JSON.stringify(positionals[0])}); use --manifest PATH and --connection MODEL/CONNECTION.`);
  const endpoints = parseEndpoints((options.endpoint as string[] | undefined) ?? []);
  const format = (options.format as string | undefined) ?? 'text';
  const depth = (options.depth as 'full' | 'quick' | undefined) ?? 'full';
  const deadlineMs = (options['timeout-ms'] as number | undefined) ?? MAX_DEADLINE_MS;
  const concurrency = (options.concurrency as number | undefined) ?? 8;
  const allowInsecure = options['allow-insecure-http'] === true;
  const skipMissing = options['skip-missing'] === true;

  const manifestFile = manifestPathOf(io, options.manifest as string | undefined);
  const manifestShown = displayPath(io, manifestFile);
  const analysis = analyzeManifest(readTextFile(io, manifestFile, 'manifest'));
  const baseRedactor = envRedactor(io);
  if (!analysis.syntaxOk || (analysis.models.length === 0 && analysis.errorCount > 0)) {
    const first = analysis.problems.find((p) => p.severity === 'error');
    throw new CliError(`${manifestShown} cannot be read${first ? ` (line ${first.range.start.line + 1}, column ${first.range.start.character + 1}: ${baseRedactor.redact(first.message, 1000)})` : ''}. Run "agent-connections validate" for every problem.`);
  }
  if (analysis.errorCount > 0) io.stderr(`warning: ${manifestShown} has ${analysis.errorCount} error${analysis.errorCount === 1 ? '' : 's'} (run "agent-connections validate"); testing what can be read.\n`);

  const collisions = envCollisions(analysis.models.flatMap((m) => m.connections.map((c) => ({ model: m.name, connection: c.name }))));
  if (collisions.length > 0) {
    throw new CliError(`These connections map to the same environment variables, so a key set for one would be sent for the other: ${collisions.map((c) => `${c.references.join(' and ')} (${c.variable}__…)`).join('; ')}. Rename one of them in the manifest.`);
  }

  const { jobs, disabled } = selectJobs(analysis.models, (options.connection as string[] | undefined) ?? [], manifestShown);

  // Every credential of every job, so that no output can show any of them.
  const secrets: string[] = [];
  const creds = new Map<Job, ReturnType<typeof credentialFromEnv> | undefined>();
  const kinds = new Map<Job, CredentialKind>();
  for (const job of jobs) {
    const target = targetOf(job.model, job.connection);
    if (!target) continue;
    const kind = credentialKindOf(target);
    kinds.set(job, kind);
    const c = entraFromEnv(io.env, job.model.name, job.connection.name, target.provider, credentialFromEnv(io.env, job.model.name, job.connection.name, kind));
    creds.set(job, c);
    if (c.kind === 'found') secrets.push(...c.secrets);
  }
  const redactor = envRedactor(io, secrets);
  const red = (s: string) => redactor.redact(s, 1000);

  const dispatcher = createDispatcher({});
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const results = new Map<Job, CliResult>();
  const insecureRefused = new Set<Job>();
  try {
    await runBounded(jobs, (job) => {
      const t = targetOf(job.model, job.connection);
      try {
        return t ? originOf(targetBase(t, endpoints)) : 'invalid';
      } catch {
        return 'invalid';
      }
    }, { concurrency, perHost: 4 }, async (job): Promise<CliResult> => {
      const base = { model: job.model.name, connection: job.connection.name, provider: job.model.provider ?? '' };
      const target = targetOf(job.model, job.connection);
      if (!target) {
        return { ...base, outcome: 'blocked', status: null, latencyMs: null, tested: true, message: `Model ${JSON.stringify(job.model.name)} has no known provider (${listOr(PROVIDER_IDS)}).`, hint: 'Fix the model in the manifest; nothing was sent.' };
      }
      const c = creds.get(job)!;
      if (c.kind === 'invalid') {
        return { ...base, outcome: 'blocked', status: null, latencyMs: null, tested: true, message: `${c.variable}: ${c.problem}`, hint: 'Fix the value of the variable; nothing was sent.' };
      }
      const r: TestResult = await testConnection(target, c.kind === 'found' ? c.credential : undefined, {
        depth,
        deadlineMs,
        endpoints,
        dispatcher,
        signal: abort.signal,
        confirmInsecure: () => {
          if (!allowInsecure) insecureRefused.add(job);
          return Promise.resolve(allowInsecure);
        },
      });
      let { message, hint } = r;
      let variables: string[] | undefined;
      if (r.outcome === 'missing_credentials' && c.kind === 'missing') {
        variables = c.variables;
        const or = c.alternative ? ` (or ${c.alternative})` : '';
        message = `No credential in the environment: ${c.variables.join(' and ')} ${c.variables.length === 1 ? 'is' : 'are'} not set${or}.`;
        hint = `Set ${c.variables.join(' and ')}${or} (e.g. from your CI's secrets) to test this connection.`;
      } else if (r.outcome === 'blocked' && insecureRefused.has(job)) {
        hint = 'Use https, or pass --allow-insecure-http to send the key over plain http anyway.';
      } else {
        // The editor's wording, told the CLI way.
        const vars = requiredVariables(credentialVariables(job.model.name, job.connection.name, kinds.get(job) ?? 'apiKey'));
        hint = hint.replace('the proxy (http.proxy)', 'the proxy (HTTPS_PROXY, NO_PROXY)').replace(/Replace key with a current key/, `Set a current key in ${vars.join(' and ') || 'the variable'}`);
      }
      return { ...base, outcome: r.outcome, status: r.status ?? null, latencyMs: r.outcome === 'missing_credentials' ? null : r.latencyMs, tested: r.outcome !== 'missing_credentials', message, hint, ...(variables ? { variables } : {}) };
    }, (job, result) => {
      results.set(job, {
        ...result,
        model: red(result.model),
        connection: red(result.connection),
        provider: red(result.provider),
        message: red(result.message),
        hint: red(result.hint),
      });
    }, abort.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await dispatcher.close().catch(() => undefined);
  }

  const ordered = jobs.map((j) => results.get(j) ?? {
    model: red(j.model.name), connection: red(j.connection.name), provider: red(j.model.provider ?? ''), outcome: 'cancelled' as const,
    status: null, latencyMs: null, tested: true, message: 'The test was cancelled.', hint: 'Run the test again.',
  });
  const skipped = disabled.map((j) => ({ model: red(j.model.name), connection: red(j.connection.name), provider: red(j.model.provider ?? ''), reason: 'disabled' }));
  const tested = ordered.filter((r) => r.tested);
  const failed = tested.filter((r) => r.outcome !== 'ok');
  const missing = ordered.filter((r) => !r.tested);
  const missingVariables = missing.flatMap((r) => r.variables ?? []);
  // Green only when something was proved: a connection left untested for want of its
  // variables fails the run unless --skip-missing, and a run that tested nothing fails.
  const missingFails = missing.length > 0 && !skipMissing;
  const nothingTested = tested.length === 0
    ? jobs.length === 0
      ? `nothing was tested: ${manifestShown} has no ${skipped.length ? 'enabled ' : ''}connection${skipped.length ? ` (${skipped.length} disabled; name one with --connection to test it)` : ''}.`
      : `nothing was tested: none of the ${jobs.length === 1 ? 'connection' : `${jobs.length} connections`} has its credentials in the environment.`
    : undefined;
  const passed = failed.length === 0 && !missingFails && nothingTested === undefined;

  if (format === 'json') {
    io.stdout(JSON.stringify({
      results: ordered.map(({ tested: _tested, variables: _variables, ...r }) => r),
      skipped,
      summary: { tested: tested.length, ok: tested.length - failed.length, notOk: failed.length, missingCredentials: missing.length, disabled: skipped.length, missingVariables, passed },
    }, null, 2) + '\n');
  } else if (format === 'junit') {
    io.stdout(junitReport(ordered, skipped, manifestShown, { missingFails, nothingTested }));
  } else {
    const refs = ordered.map((r) => `${r.model}/${r.connection}`);
    const w = Math.max(10, ...refs.map((r) => r.length));
    const ow = Math.max(2, ...ordered.map((r) => r.outcome.length));
    ordered.forEach((r, i) => {
      const status = r.status !== null ? String(r.status) : '-';
      const ms = r.latencyMs !== null ? `${r.latencyMs} ms` : '-';
      const detail = r.outcome === 'ok' || !r.tested ? r.message : `${r.message} — ${r.hint}`;
      io.stdout(`${r.outcome.padEnd(ow)}  ${refs[i].padEnd(w)}  ${r.provider.padEnd(14)} ${status.padStart(3)} ${ms.padStart(8)}  ${detail}\n`);
    });
    for (const s of skipped) io.stdout(`${'skipped'.padEnd(ow)}  ${`${s.model}/${s.connection}`.padEnd(w)}  disabled for inference (name it with --connection to test it)\n`);
    const parts = [`${tested.length} tested: ${tested.length - failed.length} ok, ${failed.length} not ok`];
    if (missing.length) parts.push(`${missing.length} not tested (no credentials in the environment)`);
    if (skipped.length) parts.push(`${skipped.length} disabled, skipped`);
    io.stdout(jobs.length === 0 && skipped.length === 0 ? 'No connections to test.\n' : `${parts.join('; ')}.\n`);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).map((r) => `  ${(r.variables ?? []).join(' and ')}  (${r.model}/${r.connection})\n`).join('');
    const more = missing.length > 20 ? `  … and ${missing.length - 20} more (see "agent-connections list")\n` : '';
    const what = `${missing.length} connection${missing.length === 1 ? ' was' : 's were'} not tested: no credentials in the environment. Set (e.g. from your CI's secrets):\n${shown}${more}`;
    io.stderr(missingFails
      ? `error: ${what}or pass --skip-missing to test only the connections that have their credentials.\n`
      : `warning: ${what}`);
  }
  if (nothingTested) io.stderr(`error: ${nothingTested}\n`);
  return passed ? EXIT_OK : EXIT_FAILED;
}

/** The variables of a connection, for `list` and messages. */
export function variablesOf(model: ModelInfo, connection: ConnectionInfo): { required: string[]; optional: string[] } {
  const target = targetOf(model, connection);
  if (!target) return { required: [], optional: [] };
  const vars = credentialVariables(model.name, connection.name, credentialKindOf(target));
  const azureAd = target.provider === 'azure-openai' ? entraVariable(model.name, connection.name) : undefined;
  return { required: requiredVariables(vars), optional: [vars.sessionToken, vars.bedrockApiKey, vars.awsProfile, azureAd].filter((v): v is string => v !== undefined) };
}
