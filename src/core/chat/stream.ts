/**
 * Streams one chat request through a connection. The same gate as a connection test
 * comes first (authorizeTarget: missing key, plain HTTP, the key's bound origin), the
 * request may only go to the checked origin, and every error string is redacted. The
 * reply arrives as neutral events; an error is always the last event, never a throw.
 */
import type { Dispatcher } from 'undici';
import type { ProviderId } from '../providers/catalog';
import { hintFor } from '../providers/connectionTest';
import { assertSameOrigin, authorizeTarget, secretsInHeaders, secretsOf, type AuthorizeOptions } from '../providers/authorize';
import { HttpFailure, MAX_DEADLINE_MS, sendStream } from '../net/http';
import { withinDeadline } from '../net/deadline';
import { OriginError } from '../net/origin';
import { Redactor } from '../secrets/redact';
import type { IdentityOptions } from '../identity/entra';
import { withAccessToken } from '../identity/accessToken';
import { CredentialError, TargetError, type ConnectionTarget, type Credential } from '../providers/types';
import { anthropicStream } from './anthropicStream';
import { bedrockStream } from './bedrockStream';
import { cohereStream } from './cohereStream';
import { geminiStream } from './geminiStream';
import { azureStream, genericStream, openaiStream } from './openaiStream';
import type { ChatEvent, ChatRequest, StreamAdapter } from './types';

export { estimateTokens } from './types';

export const STREAM_ADAPTERS: Record<ProviderId, StreamAdapter> = {
  openai: openaiStream,
  anthropic: anthropicStream,
  'google-gemini': geminiStream,
  cohere: cohereStream,
  'amazon-bedrock': bedrockStream,
  'azure-openai': azureStream,
  generic: genericStream,
};

export interface ChatOptions extends AuthorizeOptions {
  /** Deadline for the first byte of the answer (default and cap 30 s). */
  firstByteMs?: number;
  /** Longest silence between two chunks of the answer (default 60 s). */
  idleMs?: number;
  /** Largest streamed answer (default 32 MB). */
  maxBytes?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /** Where Entra ID tokens come from besides @azure/identity (the editor's VS Code account). */
  identity?: IdentityOptions;
}

export const DEFAULT_FIRST_BYTE_MS = 30_000;
export const DEFAULT_IDLE_MS = 60_000;

export async function* streamChat(target: ConnectionTarget, credential: Credential | undefined, chat: ChatRequest, options: ChatOptions = {}): AsyncGenerator<ChatEvent> {
  let redactor = new Redactor(secretsOf(credential));
  const fail = (outcome: Extract<ChatEvent, { type: 'error' }>['outcome'], message: string, extra: { hint?: string; status?: number } = {}): ChatEvent => ({
    type: 'error', outcome, message: redactor.redact(message), hint: redactor.redact(extra.hint ?? hintFor(outcome)), ...(extra.status !== undefined ? { status: extra.status } : {}),
  });
  const auth = await authorizeTarget(target, credential, options);
  if (!auth.ok) {
    yield fail(auth.outcome, auth.message, { hint: auth.hint });
    return;
  }
  if (options.signal?.aborted) {
    yield fail('cancelled', 'The request was cancelled.');
    return;
  }
  // Getting the token and preparing the request (an AWS profile's keys) count toward the first byte.
  const firstByteMs = options.firstByteMs ?? DEFAULT_FIRST_BYTE_MS;
  const boundMs = Math.min(Math.max(1, firstByteMs), MAX_DEADLINE_MS);
  const endAt = Date.now() + boundMs;
  const cut = (outcome: 'timeout' | 'cancelled', what: string): ChatEvent => (outcome === 'cancelled'
    ? fail('cancelled', 'The request was cancelled.')
    : fail('timeout', `${what} within ${boundMs / 1000} s: nothing was sent.`));
  const token = await withinDeadline(withAccessToken(credential, options.identity), endAt, options.signal);
  if (!token.ok) {
    yield cut(token.outcome, 'No Microsoft Entra ID token');
    return;
  }
  if (!token.value.ok) {
    yield fail(token.value.error.outcome, token.value.error.message, { hint: token.value.error.hint });
    return;
  }
  credential = token.value.credential;
  redactor = new Redactor(secretsOf(credential));
  const adapter = STREAM_ADAPTERS[target.provider];
  try {
    const prepared = await withinDeadline(adapter.request(target, credential ?? { kind: 'none' }, auth.base, chat), endAt, options.signal);
    if (!prepared.ok) {
      yield cut(prepared.outcome, credential?.kind === 'awsProfile' ? `No credentials from AWS profile ${credential.profile}` : 'No request was ready');
      return;
    }
    const req = prepared.value;
    assertSameOrigin(req.url, auth.origin);
    redactor.learn(secretsInHeaders(req.headers));
    const res = await sendStream(req, {
      firstByteMs,
      idleMs: options.idleMs ?? DEFAULT_IDLE_MS,
      maxBytes: options.maxBytes,
      signal: options.signal,
      dispatcher: options.dispatcher,
    });
    if (!res.ok) {
      const v = adapter.classify(res.response, credential ?? { kind: 'none' });
      const outcome = v.outcome === 'ok' ? 'invalid_response' : v.outcome;
      yield fail(outcome, v.message ?? `HTTP ${res.status} (${outcome.replace(/_/g, ' ')}).`, { hint: v.hint ?? hintFor(outcome, v.retryAfterMs), status: res.status });
      return;
    }
    for await (const ev of adapter.events(res.chunks)) {
      if (ev.type === 'error') {
        yield fail(ev.outcome, ev.message, { hint: ev.hint, status: ev.status });
        return;
      }
      yield ev;
    }
  } catch (err) {
    if (err instanceof HttpFailure) yield fail(err.outcome, err.message, { status: err.details.status });
    else if (err instanceof TargetError || err instanceof OriginError) yield fail('blocked', err.message, { hint: 'Fix the connection in the manifest; nothing was sent.' });
    else if (CredentialError.is(err)) yield fail(err.outcome, err.message, { hint: err.hint });
    else yield fail('network_error', `Unexpected error: ${err instanceof Error ? err.message : String(err)}`);
  }
}
