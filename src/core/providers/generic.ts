/**
 * Generic OpenAI-compatible servers (Groq, vLLM, Ollama, LM Studio, gateways): the
 * user's base URL, the key as `Authorization: Bearer`, in a named header, or none;
 * the connection's extra headers on every request, GETs included.
 */
import { FORBIDDEN_HEADERS, headerValueProblem } from './catalog';
import { isObject, JSON_HEADERS, setting } from './common';
import { genericAuthHeader } from './targets';
import { chatBody, classifyOpenAiStyle } from './openaiShape';
import { TargetError, type ConnectionTarget, type Credential, type ProviderClient } from './types';

const IDS = ['x-request-id', 'request-id', 'x-groq-id'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function extraHeaders(target: ConnectionTarget): Record<string, string> {
  const adv = target.settings.advancedProperties;
  const headers = isObject(adv) && isObject(adv.headers) ? adv.headers : {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    if (!HEADER_NAME.test(name) || FORBIDDEN_HEADERS.has(name.toLowerCase())) throw new TargetError(`The header ${JSON.stringify(name)} in Advanced Properties cannot be sent (credential or routing header).`);
    if (/[\r\n\0]/.test(value)) throw new TargetError(`The value of header ${name} contains a line break.`);
    const bad = headerValueProblem(value);
    if (bad) throw new TargetError(`The value of header ${name} in Advanced Properties ${bad}`);
    out[name] = value;
  }
  return out;
}

export function authHeaders(target: ConnectionTarget, credential: Credential): Record<string, string> {
  const header = genericAuthHeader(target);
  if (!header || credential.kind !== 'apiKey') return {};
  if (!HEADER_NAME.test(header)) throw new TargetError(`Auth header ${JSON.stringify(header)} is not a valid header name.`);
  return header.toLowerCase() === 'authorization' ? { authorization: `Bearer ${credential.apiKey}` } : { [header]: credential.apiKey };
}

export const generic: ProviderClient = {
  id: 'generic',
  async test(target, credential, base, ctx) {
    const format = setting(target.settings, 'apiFormat') ?? 'openai';
    if (format.toLowerCase() !== 'openai') throw new TargetError(`Testing supports the openai API format; this connection uses ${JSON.stringify(format)}.`);
    const headers = { ...JSON_HEADERS, ...extraHeaders(target), ...authHeaders(target, credential) };
    if (ctx.depth === 'quick') {
      const res = await ctx.send({ method: 'GET', url: `${base}/models`, headers });
      return classifyOpenAiStyle(res, 'metadata', IDS);
    }
    // max_tokens: Ollama and older servers ignore max_completion_tokens.
    const res = await ctx.send({ method: 'POST', url: `${base}/chat/completions`, headers, body: chatBody(target.model, { field: 'max_tokens', value: 1 }) });
    const verdict = classifyOpenAiStyle(res, 'completion', IDS);
    if (verdict.outcome === 'not_found' && /model/i.test(verdict.message ?? '')) {
      verdict.hint = `The server does not know the model ${JSON.stringify(target.model)}: check the model name${/ollama|pull/i.test(verdict.message ?? '') ? ' (Ollama: `ollama pull` it first)' : ''}.`;
    } else if (verdict.outcome === 'not_found') {
      verdict.hint = 'Nothing answers at this path: the Base URL usually ends in /v1 (e.g. https://api.groq.com/openai/v1, http://localhost:11434/v1).';
    } else if (verdict.outcome === 'invalid_response') {
      verdict.hint = 'Something answered, but not an OpenAI-compatible API: the Base URL may point at a web page instead of the API (it usually ends in /v1).';
    }
    return verdict;
  },
};
