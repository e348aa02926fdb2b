/**
 * Anthropic: `x-api-key` with `anthropic-version: 2023-06-01` — one documented scheme,
 * whole, never mixed with a Bearer header. Stage 1 `GET /v1/models/{id}`, stage 2
 * `POST /v1/messages` with `max_tokens: 1`.
 */
import type { HttpResponse } from '../net/http';
import { expectJson, isObject, JSON_HEADERS, mentionsRetirement, outcomeForStatus, parseJson, retryAfterMs, str } from './common';
import type { ProviderClient, ProviderVerdict } from './types';

export const ERROR_OUTCOMES: Record<string, ProviderVerdict['outcome']> = {
  authentication_error: 'auth_failed',
  permission_error: 'permission_denied',
  not_found_error: 'not_found',
  billing_error: 'quota_exceeded',
  rate_limit_error: 'rate_limited',
  overloaded_error: 'overloaded',
  api_error: 'server_error',
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
};

export function classify(res: HttpResponse, stage: ProviderVerdict['stage']): ProviderVerdict {
  const requestId = (res.headers['request-id'] ?? res.headers['x-request-id'])?.slice(0, 200);
  if (res.status >= 200 && res.status < 300) {
    const bad = stage === 'completion'
      ? expectJson(res, stage, 'an Anthropic message', (b) => b.type === 'message' || Array.isArray(b.content))
      : expectJson(res, stage, 'an Anthropic model object', (b) => typeof b.id === 'string');
    return bad ? { ...bad, requestId } : { outcome: 'ok', status: res.status, stage, requestId };
  }
  const json = parseJson(res.body);
  const err = isObject(json) && isObject(json.error) ? json.error : {};
  const type = str(err.type);
  const message = str(err.message);
  let outcome = (type ? ERROR_OUTCOMES[type] : undefined) ?? outcomeForStatus(res.status);
  if (outcome === 'not_found' && mentionsRetirement(message)) outcome = 'model_retired';
  if (outcome === 'bad_request' && /credit balance|billing|usage limits/i.test(message ?? '')) outcome = 'quota_exceeded';
  return {
    outcome, status: res.status, stage, code: type, message,
    requestId: requestId ?? (isObject(json) ? str(json.request_id) : undefined),
    retryAfterMs: res.status === 429 || res.status === 529 ? retryAfterMs(res.headers) : undefined,
  };
}

export const anthropic: ProviderClient = {
  id: 'anthropic',
  async test(target, credential, base, ctx) {
    const headers = { ...JSON_HEADERS, 'anthropic-version': '2023-06-01', ...(credential.kind === 'apiKey' ? { 'x-api-key': credential.apiKey } : {}) };
    if (ctx.depth === 'quick') {
      return classify(await ctx.send({ method: 'GET', url: `${base}/v1/models/${encodeURIComponent(target.model)}`, headers }), 'metadata');
    }
    const body = JSON.stringify({ model: target.model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] });
    const verdict = classify(await ctx.send({ method: 'POST', url: `${base}/v1/messages`, headers, body }), 'completion');
    if (verdict.outcome === 'not_found') {
      verdict.hint = `Anthropic does not know the model ${JSON.stringify(target.model)}: check the model ID (e.g. claude-sonnet-4-5, claude-opus-4-1-20250805); retired models answer this way too.`;
    }
    return verdict;
  },
};
