/**
 * Google Gemini: the key in `x-goog-api-key` (never `?key=`, which ends up in logs),
 * on `v1` or `v1beta`. Preview models exist only on v1beta. A bad key is a 400
 * `INVALID_ARGUMENT` whose detail says `API_KEY_INVALID`.
 */
import { isGeminiPreviewModel } from './catalog';
import type { HttpResponse } from '../net/http';
import { expectJson, isObject, JSON_HEADERS, mentionsRetirement, outcomeForStatus, parseJson, retryAfterMs, str } from './common';
import { geminiApiVersion } from './targets';
import type { ProviderClient, ProviderVerdict } from './types';


function retryDelay(details: unknown[]): number | undefined {
  for (const d of details) {
    const delay = isObject(d) ? str(d.retryDelay) : undefined;
    const m = delay && /^(\d+(?:\.\d+)?)s$/.exec(delay);
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  return undefined;
}

/**
 * 429 RESOURCE_EXHAUSTED is both "wait a minute" and "out of quota for the day / no billing";
 * the QuotaFailure detail's quotaId says which (…PerMinute…, …PerDay…). The message alone
 * cannot: the daily one ends with a link to the rate-limits page, the per-minute one says "check quota".
 */
function exhaustion(details: unknown[], message: string | undefined): 'quota_exceeded' | 'rate_limited' {
  const ids: string[] = [];
  for (const d of details) {
    const violations = isObject(d) && Array.isArray(d.violations) ? d.violations : [];
    for (const v of violations) {
      const id = isObject(v) ? str(v.quotaId) ?? str(v.quotaMetric) : undefined;
      if (id) ids.push(id);
    }
  }
  if (ids.some((id) => /per(minute|second)/i.test(id))) return 'rate_limited';
  if (ids.some((id) => /per(day|month)/i.test(id))) return 'quota_exceeded';
  const text = (message ?? '').replace(/https?:\/\/\S+/g, '');
  return /exceeded your current quota|billing/i.test(text) ? 'quota_exceeded' : 'rate_limited';
}

export function classify(res: HttpResponse, stage: ProviderVerdict['stage']): ProviderVerdict {
  if (res.status >= 200 && res.status < 300) {
    const bad = stage === 'completion'
      ? expectJson(res, stage, 'a Gemini generateContent answer', (b) => Array.isArray(b.candidates) || isObject(b.usageMetadata) || isObject(b.promptFeedback))
      : expectJson(res, stage, 'a Gemini model object', (b) => typeof b.name === 'string');
    return bad ?? { outcome: 'ok', status: res.status, stage };
  }
  const json = parseJson(res.body);
  const err = isObject(json) && isObject(json.error) ? json.error : {};
  const status = str(err.status);
  const message = str(err.message);
  const details = Array.isArray(err.details) ? err.details : [];
  const reasons = details.map((d) => (isObject(d) ? str(d.reason) : undefined)).filter(Boolean);
  let outcome = outcomeForStatus(res.status);
  if (reasons.includes('API_KEY_INVALID') || /api key not valid|API_KEY_INVALID/i.test(message ?? '')) outcome = 'auth_failed';
  else if (status === 'PERMISSION_DENIED' || reasons.includes('SERVICE_DISABLED')) outcome = 'permission_denied';
  else if (status === 'RESOURCE_EXHAUSTED' || res.status === 429) outcome = exhaustion(details, message);
  else if (status === 'UNAVAILABLE') outcome = 'overloaded';
  // e.g. "Gemini API free tier is not available in your country. Please enable billing …"
  else if (status === 'FAILED_PRECONDITION' && /billing/i.test(message ?? '')) outcome = 'quota_exceeded';
  else if (status === 'NOT_FOUND' && mentionsRetirement(message)) outcome = 'model_retired';
  return {
    outcome, status: res.status, stage, code: reasons[0] ?? status, message,
    retryAfterMs: res.status === 429 ? retryDelay(details) ?? retryAfterMs(res.headers) : undefined,
  };
}

export const gemini: ProviderClient = {
  id: 'google-gemini',
  async test(target, credential, base, ctx) {
    const version = geminiApiVersion(target);
    const model = target.model.replace(/^models\//, '');
    const headers = { ...JSON_HEADERS, ...(credential.kind === 'apiKey' ? { 'x-goog-api-key': credential.apiKey } : {}) };
    const url = `${base}/${version}/models/${encodeURIComponent(model)}`;
    const verdict = ctx.depth === 'quick'
      ? classify(await ctx.send({ method: 'GET', url, headers }), 'metadata')
      : classify(await ctx.send({
        method: 'POST', url: `${url}:generateContent`, headers,
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'ping' }] }], generationConfig: { maxOutputTokens: 1 } }),
      }), 'completion');
    if (verdict.outcome === 'not_found') {
      verdict.hint = isGeminiPreviewModel(model) && version !== 'v1beta'
        ? `${model} is a preview model, served only on v1beta: set API Version to v1beta.`
        : version === 'v1beta' && !isGeminiPreviewModel(model)
          ? `Not found on v1beta: check the model code; GA models are also on v1. Retired models (e.g. gemini-2.0-flash) answer this way.`
          : `Google does not serve ${model} on ${version}: check the model code, or try v1beta for preview models. Retired models answer this way too.`;
    } else if (verdict.outcome === 'auth_failed') {
      verdict.hint = 'Google refused the API key: create one in Google AI Studio (it starts with AIza) and Replace key.';
    } else if (verdict.outcome === 'permission_denied') {
      verdict.hint = 'The key is valid but the Generative Language API is disabled or restricted for its project: enable it, or check the key\'s API restrictions.';
    }
    return verdict;
  },
};
