/**
 * Tests one connection, or many with bounded concurrency. Everything that makes a
 * test safe is decided here, before and around the provider client: the target is
 * computed from the manifest first; plain HTTP to another machine and a key bound
 * to another origin need the caller's confirmation; every request must stay on the
 * target's origin; every string in the result is redacted.
 */
import type { Dispatcher } from 'undici';
import { PROVIDER_LABELS, type ProviderId } from './catalog';
import { HttpFailure, MAX_DEADLINE_MS, send, type HttpRequest } from '../net/http';
import { OriginError } from '../net/origin';
import { withinDeadline } from '../net/deadline';
import { CredentialError, PROVIDER_CLIENTS, TargetError, type ConnectionTarget, type Credential, type Outcome, type ProviderVerdict, type TestDepth, type TestResult } from './';
import { assertSameOrigin, authorizeTarget, secretsInHeaders, secretsOf, type AuthorizeOptions } from './authorize';
import { Redactor } from '../secrets/redact';
import { ENTRA_SOURCES, type IdentityOptions } from '../identity/entra';
import { withAccessToken } from '../identity/accessToken';

export { credentialKindOf, credentialKindsOf, needsCredential, targetBase } from './targets';

export interface TestOptions extends AuthorizeOptions {
  depth: TestDepth;
  /** Overall deadline for one connection's test; capped at 30 s. */
  deadlineMs: number;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  maxBytes?: number;
  /** Where Entra ID tokens come from besides @azure/identity (the editor's VS Code account). */
  identity?: IdentityOptions;
}

const GENERIC_HINTS: Record<Outcome, string> = {
  ok: 'The connection works.',
  auth_failed: 'The key was refused: Replace key with a current key for this provider.',
  permission_denied: 'The key is valid but may not use this model or API (project, organisation, region or IP restrictions).',
  not_found: 'The model or endpoint was not found: check the model code and the connection settings.',
  model_retired: 'The provider has retired this model: choose a current model.',
  quota_exceeded: 'The key works but its account is out of credit or quota: check billing for that account.',
  rate_limited: 'The key works but is rate limited right now: try again later.',
  overloaded: 'The provider is overloaded right now; the key is probably fine. Try again later.',
  bad_request: 'The provider refused the request as sent: check the connection settings.',
  server_error: 'The provider had an internal error; try again later.',
  timeout: 'No complete answer in time: check the network, the proxy (http.proxy) and the endpoint.',
  network_error: 'Could not connect: check the endpoint, the network and the proxy (http.proxy).',
  tls_error: 'The server certificate could not be verified, so nothing was sent. Behind a TLS-inspecting proxy, its CA must be trusted by the system.',
  redirect_blocked: 'The endpoint redirects elsewhere; requests carrying a key never follow redirects. If you trust the new location, use it as the endpoint.',
  invalid_response: 'Something answered, but not this provider\'s API: check the endpoint or base URL.',
  missing_credentials: 'No key is stored on this machine for this connection: Set key.',
  blocked: 'Nothing was sent.',
  cancelled: 'The test was cancelled.',
};

export function hintFor(outcome: Outcome, retryAfterMs?: number): string {
  if (outcome === 'rate_limited' && retryAfterMs !== undefined) return `The key works but is rate limited: try again in ${Math.ceil(retryAfterMs / 1000)} s.`;
  return GENERIC_HINTS[outcome];
}

export async function testConnection(target: ConnectionTarget, credential: Credential | undefined, options: TestOptions): Promise<TestResult> {
  let redactor = new Redactor(secretsOf(credential));
  const started = performance.now();
  const at = new Date().toISOString();
  const finish = (v: Omit<ProviderVerdict, 'stage'> & { stage?: TestResult['stage'] }, origin?: string): TestResult => ({
    outcome: v.outcome,
    message: redactor.redact(v.message ?? defaultMessage(v.outcome, v.status, target.provider)),
    hint: redactor.redact(v.hint ?? hintFor(v.outcome, v.retryAfterMs)),
    ...(v.status !== undefined ? { status: v.status } : {}),
    latencyMs: Math.round(performance.now() - started),
    ...(v.requestId ? { requestId: redactor.redact(v.requestId, 200) } : {}),
    ...(v.retryAfterMs !== undefined ? { retryAfterMs: Math.min(v.retryAfterMs, 24 * 3600_000) } : {}),
    ...(origin ? { origin } : {}),
    ...(v.stage ? { stage: v.stage } : {}),
    at,
  });

  const auth = await authorizeTarget(target, credential, options);
  if (!auth.ok) return finish({ outcome: auth.outcome, message: auth.message, hint: auth.hint }, auth.origin);
  const { base, origin } = auth;
  const client = PROVIDER_CLIENTS[target.provider];
  if (options.signal?.aborted) return finish({ outcome: 'cancelled' }, origin);
  // The deadline starts after the questions of authorizeTarget and covers the token and the request.
  const deadline = Math.min(Math.max(1, options.deadlineMs), MAX_DEADLINE_MS);
  const endAt = Date.now() + deadline;
  // Outcome of work cut short by the deadline or the signal before any request was sent.
  const cut = (outcome: 'timeout' | 'cancelled', message: string, hint?: string): Omit<ProviderVerdict, 'stage'> & { stage: 'credential' } => (outcome === 'cancelled'
    ? { outcome, message: 'The test was cancelled.', stage: 'credential' }
    : { outcome, message: `${message} within ${deadline / 1000} s: nothing was sent.`, ...(hint ? { hint } : {}), stage: 'credential' });
  const token = await withinDeadline(withAccessToken(credential, options.identity), endAt, options.signal);
  if (!token.ok) {
    const source = credential?.kind === 'entraId' ? ENTRA_SOURCES[credential.source].label : 'the identity';
    return finish(cut(token.outcome, `No Microsoft Entra ID token from ${source}`, 'Check that the identity gives a token (for the Azure CLI: `az account get-access-token`; for the VS Code account: finish the sign-in), then test again.'), origin);
  }
  if (!token.value.ok) return finish({ outcome: token.value.error.outcome, message: token.value.error.message, hint: token.value.error.hint, stage: 'credential' }, origin);
  credential = token.value.credential;
  redactor = new Redactor(secretsOf(credential));

  let lastStage: ProviderVerdict['stage'] | undefined;
  let inFlight = 0;
  let over = false;
  const ctx = {
    depth: options.depth,
    send: async (req: HttpRequest) => {
      // Work that outlived the deadline (an AWS profile resolved late) sends nothing.
      if (over) throw new HttpFailure(options.signal?.aborted ? 'cancelled' : 'timeout', 'The test was over before this request.');
      assertSameOrigin(req.url, origin);
      redactor.learn(secretsInHeaders(req.headers));
      lastStage = req.method === 'GET' || req.url.includes('check-api-key') ? 'metadata' : 'completion';
      inFlight++;
      try {
        return await send(req, { deadlineMs: Math.max(1, endAt - Date.now()), signal: options.signal, dispatcher: options.dispatcher, maxBytes: options.maxBytes });
      } finally {
        inFlight--;
      }
    },
  };
  try {
    // Requests are bounded by send; what a client does before them (an AWS profile's keys) by this.
    const verdict = await withinDeadline(client.test(target, credential ?? { kind: 'none' }, base, ctx), endAt, options.signal, () => inFlight > 0);
    if (!verdict.ok) {
      over = true;
      if (lastStage) return finish({ outcome: verdict.outcome, message: verdict.outcome === 'cancelled' ? 'The test was cancelled.' : `No complete answer from ${origin} within ${deadline / 1000} s.`, stage: lastStage }, origin);
      return finish(credential?.kind === 'awsProfile'
        ? cut(verdict.outcome, `No credentials from AWS profile ${credential.profile}`, `Check the profile with \`aws configure list --profile ${credential.profile}\` (an SSO or credential_process profile may be waiting for a sign-in), then test again.`)
        : cut(verdict.outcome, 'No request was ready'), origin);
    }
    return finish(verdict.value, origin);
  } catch (err) {
    if (err instanceof HttpFailure) return finish({ outcome: err.outcome, message: err.message, status: err.details.status, stage: lastStage }, origin);
    if (err instanceof TargetError || err instanceof OriginError) return finish({ outcome: 'blocked', message: err.message, hint: 'Fix the connection in the manifest; nothing was sent.' }, origin);
    if (CredentialError.is(err)) return finish({ outcome: err.outcome, message: err.message, hint: err.hint, ...(lastStage ? {} : { stage: 'credential' as const }) }, origin);
    return finish({ outcome: 'network_error', message: `Unexpected error: ${err instanceof Error ? err.message : String(err)}`, stage: lastStage }, origin);
  }
}

function defaultMessage(outcome: Outcome, status: number | undefined, provider: ProviderId): string {
  const who = PROVIDER_LABELS[provider] ?? provider;
  if (outcome === 'ok') return `${who} answered${status ? ` ${status}` : ''}.`;
  if (status !== undefined) return `${who} answered ${status} (${outcome.replace(/_/g, ' ')}).`;
  return outcome.replace(/_/g, ' ');
}

export interface Limits {
  /** Tests in flight overall. */
  concurrency: number;
  /** Tests in flight per origin (one provider's rate limits apply per host). */
  perHost: number;
}

/**
 * Runs jobs with at most `concurrency` in flight overall and `perHost` per key; jobs
 * not started when the signal aborts are skipped. Results arrive in completion order.
 */
export async function runBounded<J, R>(jobs: readonly J[], hostOf: (job: J) => string, limits: Limits, run: (job: J) => Promise<R>, onResult: (job: J, result: R) => void, signal?: AbortSignal): Promise<void> {
  const pending = [...jobs];
  // A limit below 1 (or NaN) would start nothing and never resolve.
  const concurrency = Math.max(1, Math.floor(limits.concurrency) || 1);
  const perHost = Math.max(1, Math.floor(limits.perHost) || 1);
  const inFlight = new Map<string, number>();
  let running = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      if (signal?.aborted) pending.length = 0;
      if (pending.length === 0 && running === 0) return resolve();
      for (let i = 0; i < pending.length && running < concurrency;) {
        const job = pending[i];
        const host = hostOf(job);
        if ((inFlight.get(host) ?? 0) >= perHost) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running++;
        inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
        run(job).then((r) => onResult(job, r)).catch(reject).finally(() => {
          running--;
          inFlight.set(host, (inFlight.get(host) ?? 1) - 1);
          pump();
        });
      }
    };
    pump();
  });
}
