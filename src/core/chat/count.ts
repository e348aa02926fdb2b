/**
 * Token counts: from the provider where it has a counting endpoint (Anthropic
 * `POST /v1/messages/count_tokens`, Gemini `models/{model}:countTokens`), else an
 * estimate. Counting goes through the same origin gate as a chat request but never
 * asks: when the key's origin would need a confirmation, or anything fails, the
 * estimate is returned and nothing is sent.
 */
import type { Dispatcher } from 'undici';
import { send } from '../net/http';
import { assertSameOrigin, authorizeTarget, type AuthorizeOptions } from '../providers/authorize';
import { isObject, JSON_HEADERS, parseJson } from '../providers/common';
import type { ConnectionTarget, Credential } from '../providers/types';
import { geminiModelUrl } from './geminiStream';
import { estimateTokens, providerCountsTokens } from './types';

export interface CountOptions {
  endpoints?: AuthorizeOptions['endpoints'];
  /** The key's bound origin; a different target origin means: estimate, send nothing. */
  boundOrigin?: string;
  deadlineMs?: number;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface TokenCount {
  tokens: number;
  source: 'provider' | 'estimate';
}

export async function countTokens(target: ConnectionTarget, credential: Credential | undefined, text: string, options: CountOptions = {}): Promise<TokenCount> {
  const estimate: TokenCount = { tokens: estimateTokens(text), source: 'estimate' };
  if (!providerCountsTokens(target.provider)) return estimate;
  if (!credential || credential.kind !== 'apiKey' || !text) return estimate;
  const auth = await authorizeTarget(target, credential, {
    endpoints: options.endpoints,
    binding: { boundOrigin: options.boundOrigin, confirm: async () => false },
  });
  if (!auth.ok) return estimate;
  try {
    const req = target.provider === 'anthropic'
      ? {
        method: 'POST' as const,
        url: `${auth.base}/v1/messages/count_tokens`,
        headers: { ...JSON_HEADERS, 'anthropic-version': '2023-06-01', 'x-api-key': credential.apiKey },
        body: JSON.stringify({ model: target.model, messages: [{ role: 'user', content: text }] }),
      }
      : {
        method: 'POST' as const,
        url: `${geminiModelUrl(target, auth.base)}:countTokens`,
        headers: { ...JSON_HEADERS, 'x-goog-api-key': credential.apiKey },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text }] }] }),
      };
    assertSameOrigin(req.url, auth.origin);
    const res = await send(req, { deadlineMs: options.deadlineMs ?? 5_000, signal: options.signal, dispatcher: options.dispatcher, maxBytes: 64 * 1024 });
    const json = res.status === 200 ? parseJson(res.body) : undefined;
    const n = isObject(json) ? (target.provider === 'anthropic' ? json.input_tokens : json.totalTokens) : undefined;
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? { tokens: n, source: 'provider' } : estimate;
  } catch {
    return estimate;
  }
}
