/**
 * Cohere: `Authorization: Bearer`. Stage 1 `POST /v1/check-api-key` then
 * `GET /v1/models/{model}`; stage 2 `POST /v2/chat` with `max_tokens: 1`.
 */
import type { HttpResponse } from '../net/http';
import { expectJson, isObject, JSON_HEADERS, mentionsRetirement, outcomeForStatus, parseJson, retryAfterMs, str } from './common';
import type { ProviderClient, ProviderVerdict } from './types';

const ID_HEADERS = ['x-request-id', 'x-trace-id', 'x-debug-trace-id'];

export function classify(res: HttpResponse, stage: ProviderVerdict['stage'], check: (b: Record<string, unknown>) => boolean, expected: string): ProviderVerdict {
  const requestId = ID_HEADERS.map((h) => res.headers[h]).find(Boolean)?.slice(0, 200);
  if (res.status >= 200 && res.status < 300) {
    const bad = expectJson(res, stage, expected, check);
    return bad ? { ...bad, requestId } : { outcome: 'ok', status: res.status, stage, requestId };
  }
  const json = parseJson(res.body);
  const message = isObject(json) ? str(json.message) ?? str(json.error) : undefined;
  let outcome = outcomeForStatus(res.status);
  if (res.status === 402) outcome = 'quota_exceeded';
  // Trial keys hit a monthly call limit with a 429: waiting a minute will not help.
  if (res.status === 429 && /trial key|calls? \/ ?month|per month|monthly/i.test(message ?? '')) outcome = 'quota_exceeded';
  if (outcome === 'not_found' && mentionsRetirement(message)) outcome = 'model_retired';
  if (res.status === 400 && /model .* (not found|does not exist)/i.test(message ?? '')) outcome = 'not_found';
  return { outcome, status: res.status, stage, message, requestId, retryAfterMs: res.status === 429 ? retryAfterMs(res.headers) : undefined };
}

export const cohere: ProviderClient = {
  id: 'cohere',
  async test(target, credential, base, ctx) {
    const headers = { ...JSON_HEADERS, ...(credential.kind === 'apiKey' ? { authorization: `Bearer ${credential.apiKey}` } : {}) };
    let verdict: ProviderVerdict;
    if (ctx.depth === 'quick') {
      const check = await ctx.send({ method: 'POST', url: `${base}/v1/check-api-key`, headers, body: '{}' });
      verdict = classify(check, 'metadata', (b) => typeof b.valid === 'boolean', 'a key check answer');
      if (verdict.outcome === 'ok' && (parseJson(check.body) as { valid?: boolean }).valid === false) {
        return { outcome: 'auth_failed', status: check.status, stage: 'metadata', message: 'Cohere says the key is not valid.' };
      }
      if (verdict.outcome === 'ok') {
        verdict = classify(await ctx.send({ method: 'GET', url: `${base}/v1/models/${encodeURIComponent(target.model)}`, headers }), 'metadata', (b) => typeof b.name === 'string', 'a Cohere model object');
      }
    } else {
      const body = JSON.stringify({ model: target.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false });
      verdict = classify(await ctx.send({ method: 'POST', url: `${base}/v2/chat`, headers, body }), 'completion', (b) => isObject(b.message) || typeof b.id === 'string', 'a Cohere chat answer');
    }
    if (verdict.outcome === 'not_found') verdict.hint = `Cohere does not know the model ${JSON.stringify(target.model)}: check the model name (e.g. command-a-03-2025, command-r-08-2024).`;
    return verdict;
  },
};
