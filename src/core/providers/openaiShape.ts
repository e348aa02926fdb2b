/** The OpenAI chat-completions wire shape, shared by OpenAI, Azure OpenAI and generic OpenAI-compatible servers. */
import type { HttpResponse } from '../net/http';
import { expectJson, isObject, mentionsRetirement, outcomeForStatus, parseJson, retryAfterMs, str } from './common';
import type { ProviderVerdict } from './types';

export interface OpenAiError {
  message?: string;
  code?: string;
  type?: string;
  param?: string;
}

/** `{"error":{message,type,param,code}}` (OpenAI, Azure, Groq, Ollama), `{"object":"error","message",...}` (vLLM), `{"error":"text"}`, `{"message"}`. */
export function parseOpenAiError(body: string): OpenAiError {
  const json = parseJson(body);
  if (!isObject(json)) return {};
  const err = json.error;
  if (isObject(err)) return { message: str(err.message), code: str(err.code), type: str(err.type), param: str(err.param) };
  if (typeof err === 'string') return { message: err };
  return { message: str(json.message) ?? str(json.detail), code: str(json.code), type: str(json.type) };
}

export function chatBody(model: string | undefined, tokens: { field: 'max_tokens' | 'max_completion_tokens'; value: number }): string {
  return JSON.stringify({ ...(model !== undefined ? { model } : {}), messages: [{ role: 'user', content: 'ping' }], [tokens.field]: tokens.value });
}

/** A 400 that says the token-limit parameter we sent is not accepted: retry once with the other one. */
export function isTokenParamError(res: HttpResponse, sent: string): boolean {
  if (res.status !== 400) return false;
  const e = parseOpenAiError(res.body);
  const text = `${e.code ?? ''} ${e.param ?? ''} ${e.message ?? ''}`;
  return (e.code === 'unsupported_parameter' || /unsupported|not supported|use '?max_/i.test(text)) && text.includes(sent);
}

export function classifyOpenAiStyle(res: HttpResponse, stage: ProviderVerdict['stage'], requestIdHeaders: string[]): ProviderVerdict {
  const requestId = requestIdHeaders.map((h) => res.headers[h]).find(Boolean)?.slice(0, 200);
  if (res.status >= 200 && res.status < 300) {
    const bad = stage === 'completion'
      ? expectJson(res, stage, 'a chat completion', (b) => Array.isArray(b.choices) || b.object === 'chat.completion')
      : expectJson(res, stage, 'a model list or model object', (b) => typeof b.id === 'string' || Array.isArray(b.data));
    return bad ? { ...bad, requestId } : { outcome: 'ok', status: res.status, stage, requestId };
  }
  const e = parseOpenAiError(res.body);
  let outcome = outcomeForStatus(res.status);
  const code = e.code ?? e.type;
  const text = `${code ?? ''} ${e.message ?? ''}`;
  if (code === 'invalid_api_key' || code === 'invalid_authentication' || /incorrect api key|invalid api key|invalid subscription key/i.test(text)) outcome = 'auth_failed';
  else if (code === 'insufficient_quota' || code === 'billing_hard_limit_reached' || /exceeded your current quota|insufficient[_ ]quota|out of (call volume )?quota/i.test(text)) outcome = 'quota_exceeded';
  else if (res.status === 429) outcome = 'rate_limited';
  else if ((res.status === 404 || res.status === 410 || res.status === 400) && mentionsRetirement(e.message)) outcome = 'model_retired';
  // OpenAI answers 403 with code model_not_found when the project may not use the model: that is access, not absence.
  else if (res.status === 403) outcome = 'permission_denied';
  else if (code === 'model_not_found' || code === 'DeploymentNotFound') outcome = 'not_found';
  return {
    outcome,
    status: res.status,
    stage,
    code,
    message: e.message ?? (res.body ? undefined : `HTTP ${res.status} with an empty body.`),
    requestId,
    retryAfterMs: res.status === 429 || res.status === 503 ? retryAfterMs(res.headers) : undefined,
  };
}
