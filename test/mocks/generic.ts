/**
 * Generic OpenAI-compatible server (Groq, vLLM, Ollama, LM Studio): the base path is whatever prefix the request
 * has (/openai/v1, /v1, …). Stage 1 GET {base}/models (also {base}/models/{id}); stage 2 POST
 * {base}/chat/completions, accepting `max_tokens` and `max_completion_tokens`. Auth: `authHeader` option
 * ('authorization' = Bearer, default; another header name carries the raw key; 'none' = no auth). Error shapes by
 * `flavor`: 'openai' (Groq-like, default), 'vllm', 'ollama'.
 */
import * as crypto from 'node:crypto';
import type { Scenario } from './types';
import { DEFAULT_KEY, MARKUP_MESSAGE, ModelSet, isObject, jsonReply, safeDecode } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { openAiStream, openAiToolNames, openAiToolResult, script } from './streaming';
import { bearerToken, chatCompletionBody, tokenLimit, unsupportedParameterError } from './openai';

export const GENERIC_DEFAULT_MODELS = [
  'llama-3.3-70b-versatile', 'llama-3.1-8b-instant', 'openai/gpt-oss-120b', 'openai/gpt-oss-20b',
  'meta-llama/Llama-3.1-8B-Instruct', 'qwen2.5:7b', 'llama3.2:latest', 'mock-model', 'gemma2-9b-it',
] as const;
export const GENERIC_DEFAULT_RETIRED = ['gemma2-9b-it'] as const;

const VLLM_TYPES: Record<number, string> = { 400: 'BadRequestError', 401: 'UnauthorizedError', 403: 'ForbiddenError', 404: 'NotFoundError', 429: 'TooManyRequestsError', 500: 'InternalServerError', 503: 'ServiceUnavailableError' };

export const genericFactory: ProviderFactory = (ctx) => {
  const key = ctx.options.key ?? DEFAULT_KEY;
  const authHeader = (ctx.options.authHeader ?? 'authorization').toLowerCase();
  const flavor = ctx.options.flavor ?? 'openai';
  const models = new ModelSet(ctx.options, GENERIC_DEFAULT_MODELS, GENERIC_DEFAULT_RETIRED);

  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    flavor === 'openai' ? { 'x-request-id': `req_${crypto.randomBytes(13).toString('hex')}`, ...extra } : { ...extra };
  const err = (status: number, message: string, type: string, code: string | null, extra: Record<string, string> = {}): Reply => {
    if (flavor === 'vllm') return jsonReply(status, { object: 'error', message, type: VLLM_TYPES[status] ?? 'BadRequestError', param: null, code: status }, headers(extra));
    if (flavor === 'ollama') return jsonReply(status, { error: { message, type } }, headers(extra));
    return jsonReply(status, { error: { message, type, code } }, headers(extra));
  };

  type Route = { kind: 'list'; base: string } | { kind: 'model'; model: string } | { kind: 'chat'; model?: string } | { kind: 'unknown' };
  const route = (req: MockRequest): Route => {
    if (req.method === 'GET' && /\/models$/.test(req.pathname)) return { kind: 'list', base: req.pathname.slice(0, -'/models'.length) };
    const m = /^(.*?)\/models\/(.+)$/.exec(req.pathname);
    if (req.method === 'GET' && m) return { kind: 'model', model: safeDecode(m[2]) };
    if (req.method === 'POST' && /\/chat\/completions$/.test(req.pathname)) {
      return { kind: 'chat', model: isObject(req.json) && typeof req.json.model === 'string' ? req.json.model : undefined };
    }
    return { kind: 'unknown' };
  };

  const unknownRoute = (req: MockRequest): Reply => {
    if (flavor === 'ollama') return { status: 404, body: '404 page not found', contentType: 'text/plain' };
    if (flavor === 'vllm') return jsonReply(404, { detail: 'Not Found' });
    return err(404, `Unknown request URL: ${req.method} ${req.pathname}. Please check the URL for typos, or see the docs at https://console.groq.com/docs/`, 'invalid_request_error', 'unknown_url');
  };
  const notFound = (model: string): Reply => {
    if (flavor === 'vllm') return err(404, `The model \`${model}\` does not exist.`, 'NotFoundError', null);
    if (flavor === 'ollama') return err(404, `model "${model}" not found, try pulling it first`, 'not_found_error', null);
    return err(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  };
  const decommissioned = (model: string): Reply => flavor === 'openai'
    ? err(400, `The model \`${model}\` has been decommissioned and is no longer supported. Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.`, 'invalid_request_error', 'model_decommissioned')
    : notFound(model);
  const received = (req: MockRequest): string | undefined =>
    authHeader === 'authorization' ? bearerToken(req) ?? req.header('authorization') : req.header(authHeader);
  const authError = (req: MockRequest, echo: boolean): Reply => {
    if (echo) return err(401, `Incorrect API key provided: ${received(req) ?? ''}`, 'invalid_request_error', 'invalid_api_key');
    if (flavor === 'vllm') return jsonReply(401, { error: 'Unauthorized' }, headers());
    if (flavor === 'ollama') return jsonReply(401, { error: 'unauthorized' }, headers());
    return err(401, 'Invalid API Key', 'invalid_request_error', 'invalid_api_key');
  };
  const modelObject = (id: string): Record<string, unknown> => ({ id, object: 'model', created: 1735689600, owned_by: id.includes('/') ? id.split('/')[0] : 'library', active: true, context_window: 131072 });

  const answer = (req: MockRequest, r: Route, retired: boolean): Reply => {
    switch (r.kind) {
      case 'unknown': return unknownRoute(req);
      case 'list': return jsonReply(200, { object: 'list', data: models.list().map(modelObject) }, headers());
      case 'model':
        if (!models.has(r.model) && !retired) return notFound(r.model);
        return jsonReply(200, modelObject(r.model), headers());
      case 'chat': {
        const body = req.json;
        if (req.jsonError || !isObject(body)) return err(400, 'Invalid JSON in request body', 'invalid_request_error', null);
        if (typeof body.model !== 'string') return err(400, "'model' : property 'model' is missing", 'invalid_request_error', null);
        if (!Array.isArray(body.messages) || body.messages.length === 0) return err(400, "'messages' : minimum number of items is 1", 'invalid_request_error', null);
        if (!models.has(body.model)) return notFound(body.model);
        if (retired || models.isRetired(body.model)) return decommissioned(body.model);
        const extra = flavor === 'ollama' ? { system_fingerprint: 'fp_ollama' } : {};
        if (body.stream === true) return { status: 200, headers: headers(), stream: openAiStream(body.model, body, script(openAiToolNames(body), openAiToolResult(body), 'call_mockgeneric1')) };
        return jsonReply(200, chatCompletionBody(body.model, 'Pong', tokenLimit(body).value, extra), headers());
      }
    }
  };

  return {
    success: (req, text) => {
      const r = route(req);
      return jsonReply(200, chatCompletionBody(r.kind === 'chat' && r.model ? r.model : 'mock-model', text, undefined), headers());
    },
    handle(req: MockRequest, scenario: Scenario): Reply {
      const r = route(req);
      const model = (r.kind === 'model' || r.kind === 'chat') && r.model ? r.model : 'mock-model';
      const secs = ctx.retryAfterSeconds();
      switch (scenario) {
        case 'auth_failed': return authError(req, false);
        case 'echo_key': return authError(req, true);
        case 'permission_denied': return err(403, `The model \`${model}\` is blocked at the organization level. Please have the org admin enable this model in the org settings.`, 'permissions_error', 'model_permission_blocked_org');
        case 'not_found':
        case 'invalid_model_id':
        case 'needs_inference_profile':
          return notFound(model);
        case 'model_retired': return answer(req, r, true);
        case 'quota_exceeded':
        case 'billing':
          return err(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota');
        case 'rate_limited':
          return err(429, `Rate limit reached for model \`${model}\` in organization \`org_mock\` service tier \`on_demand\` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try again in ${secs}s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing`, 'requests', 'rate_limit_exceeded', {
            'retry-after': String(Math.ceil(secs)),
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': `${secs}s`,
          });
        case 'overloaded': return err(503, `${model} is currently over capacity. Please try again and back off exponentially.`, 'internal_server_error', 'service_unavailable');
        case 'bad_request': return err(400, "'messages.0' : for 'role:user' the following must be satisfied[('messages.0.content' : value must be a string)]", 'invalid_request_error', null);
        case 'server_error': return err(500, 'Internal Server Error', 'internal_server_error', null);
        case 'unsupported_parameter': {
          const u = unsupportedParameterError(tokenLimit(req.json).field);
          return err(400, u.message, 'invalid_request_error', 'unsupported_parameter');
        }
        case 'wrong_api_version': return unknownRoute(req);
        case 'markup': return err(400, MARKUP_MESSAGE, 'invalid_request_error', null);
        default: break;
      }
      if (authHeader !== 'none' && (authHeader === 'authorization' ? bearerToken(req) : req.header(authHeader)) !== key) return authError(req, false);
      return answer(req, r, false);
    },
  };
};
