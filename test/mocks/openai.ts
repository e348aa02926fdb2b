/**
 * OpenAI (https://api.openai.com/v1): Bearer auth; stage 1 GET /v1/models/{model}; stage 2 POST /v1/chat/completions.
 * gpt-5* and o-series models refuse `max_tokens` (400 unsupported_parameter).
 */
import * as crypto from 'node:crypto';
import type { Scenario } from './types';
import { DEFAULT_KEY, MARKUP_MESSAGE, ModelSet, isObject, jsonReply, requestId, safeDecode, unixNow } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { openAiStream, openAiToolNames, openAiToolResult, script } from './streaming';

export const OPENAI_DEFAULT_MODELS = [
  'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5.1', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o', 'gpt-4o-mini',
  'o1', 'o3', 'o3-mini', 'o4-mini', 'gpt-3.5-turbo', 'gpt-4.5-preview', 'o1-preview', 'o1-mini',
] as const;
export const OPENAI_DEFAULT_RETIRED = ['gpt-4.5-preview', 'o1-preview', 'o1-mini'] as const;

/** Models that refuse `max_tokens` and want `max_completion_tokens` (matched on the name, as for Azure deployments). */
export function isReasoningModel(name: string): boolean {
  return /(^|[^a-z0-9])(gpt-5|o[1-9])/i.test(name);
}

export type TokenField = 'max_tokens' | 'max_completion_tokens';

/** Which token-limit field a chat body carries (`max_tokens` wins when both are present). */
export function tokenLimit(body: unknown): { field?: TokenField; value?: number } {
  if (!isObject(body)) return {};
  if (body.max_tokens !== undefined) return { field: 'max_tokens', value: Number(body.max_tokens) };
  if (body.max_completion_tokens !== undefined) return { field: 'max_completion_tokens', value: Number(body.max_completion_tokens) };
  return {};
}

export function unsupportedParameterError(sent: TokenField | undefined): { message: string; param: TokenField } {
  const bad: TokenField = sent ?? 'max_tokens';
  const other: TokenField = bad === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  return { message: `Unsupported parameter: '${bad}' is not supported with this model. Use '${other}' instead.`, param: bad };
}

/** Keys shorter than 16 characters are echoed in full, longer ones show their first 8 and last 4 characters. */
export function maskOpenAiKey(key: string): string {
  return key.length < 16 ? key : key.slice(0, 8) + '*'.repeat(key.length - 12) + key.slice(-4);
}

function base62(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...crypto.randomBytes(n)].map((b) => alphabet[b % 62]).join('');
}

export function chatCompletionBody(model: string, text: string, limit: number | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `chatcmpl-${base62(29)}`,
    object: 'chat.completion',
    created: unixNow(),
    model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: text, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: limit !== undefined && limit <= 1 ? 'length' : 'stop',
    }],
    usage: {
      prompt_tokens: 8, completion_tokens: 1, total_tokens: 9,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: `fp_${crypto.randomBytes(5).toString('hex')}`,
    ...extra,
  };
}

export function openAiErrorBody(message: string, type: string | null, param: string | null, code: string | null): unknown {
  return { error: { message, type, param, code } };
}

export const OPENAI_NO_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.";

export const OPENAI_BAD_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";

export function bearerToken(req: MockRequest): string | undefined {
  const auth = req.header('authorization');
  const m = auth === undefined ? null : /^Bearer\s+(.*)$/i.exec(auth);
  return m ? m[1].trim() : undefined;
}

export const openaiFactory: ProviderFactory = (ctx) => {
  const key = ctx.options.key ?? DEFAULT_KEY;
  const models = new ModelSet(ctx.options, OPENAI_DEFAULT_MODELS, OPENAI_DEFAULT_RETIRED);

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'x-request-id': requestId('req_'),
    'openai-version': '2020-10-01',
    'openai-organization': 'user-mockorg',
    'openai-processing-ms': '42',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-tokens': '29999990',
    'x-ratelimit-reset-tokens': '0s',
    ...extra,
  });
  const err = (status: number, message: string, type: string | null, param: string | null, code: string | null, extra: Record<string, string> = {}): Reply =>
    jsonReply(status, openAiErrorBody(message, type, param, code), headers(extra));

  type Route = { kind: 'model'; model: string } | { kind: 'list' } | { kind: 'chat'; model?: string } | { kind: 'unknown' };
  const route = (req: MockRequest): Route => {
    const m = /^\/v1\/models\/([^/]+)$/.exec(req.pathname);
    if (req.method === 'GET' && m) return { kind: 'model', model: safeDecode(m[1]) };
    if (req.method === 'GET' && req.pathname === '/v1/models') return { kind: 'list' };
    if (req.method === 'POST' && req.pathname === '/v1/chat/completions') {
      const model = isObject(req.json) && typeof req.json.model === 'string' ? req.json.model : undefined;
      return { kind: 'chat', model };
    }
    return { kind: 'unknown' };
  };

  const invalidUrl = (req: MockRequest): Reply => err(404, `Invalid URL (${req.method} ${req.pathname})`, 'invalid_request_error', null, null);
  const modelNotFound = (model: string, stage: 'model' | 'chat'): Reply => stage === 'model'
    ? err(404, `The model '${model}' does not exist`, 'invalid_request_error', 'model', 'model_not_found')
    : err(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
  const deprecated = (model: string): Reply =>
    err(404, `The model \`${model}\` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations`, 'invalid_request_error', null, 'model_not_found');
  const modelObject = (id: string): Record<string, unknown> => ({ id, object: 'model', created: 1686935002, owned_by: id.startsWith('gpt-3.5') ? 'openai' : 'system' });

  const authError = (req: MockRequest, echoFull: boolean): Reply => {
    const token = bearerToken(req);
    if (token === undefined || token === '') return err(401, OPENAI_NO_KEY_MESSAGE, 'invalid_request_error', null, null);
    const shown = echoFull ? token : maskOpenAiKey(token);
    return err(401, `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', null, 'invalid_api_key');
  };

  const answer = (req: MockRequest, r: Route, retired: boolean): Reply => {
    if (r.kind === 'unknown') return invalidUrl(req);
    if (r.kind === 'list') return jsonReply(200, { object: 'list', data: models.list().map(modelObject) }, headers());
    if (r.kind === 'model') {
      if (!models.has(r.model) && !retired) return modelNotFound(r.model, 'model');
      return jsonReply(200, modelObject(r.model), headers());
    }
    const body = req.json;
    if (req.jsonError || !isObject(body)) return err(400, OPENAI_BAD_JSON_MESSAGE, 'invalid_request_error', null, null);
    if (typeof body.model !== 'string' || body.model === '') return err(400, 'you must provide a model parameter', 'invalid_request_error', null, null);
    if (body.messages === undefined) return err(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'messages', 'missing_required_parameter');
    if (!Array.isArray(body.messages)) return err(400, "Invalid type for 'messages': expected an array of objects, but got a string instead.", 'invalid_request_error', 'messages', 'invalid_type');
    if (body.messages.length === 0) return err(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'invalid_request_error', 'messages', 'empty_array');
    if (!models.has(body.model)) return modelNotFound(body.model, 'chat');
    if (retired || models.isRetired(body.model)) return deprecated(body.model);
    const limit = tokenLimit(body);
    if (limit.field === 'max_tokens' && isReasoningModel(body.model)) {
      const u = unsupportedParameterError('max_tokens');
      return err(400, u.message, 'invalid_request_error', u.param, 'unsupported_parameter');
    }
    if (body.stream === true) return { status: 200, headers: headers(), stream: openAiStream(body.model, body, script(openAiToolNames(body), openAiToolResult(body), 'call_mockopenai1')) };
    return jsonReply(200, chatCompletionBody(body.model, 'Pong', limit.value), headers());
  };

  return {
    success: (req, text) => jsonReply(200, chatCompletionBody(route(req).kind === 'chat' ? String((req.json as { model?: unknown }).model ?? 'gpt-5-mini') : 'gpt-5-mini', text, undefined), headers()),
    handle(req: MockRequest, scenario: Scenario): Reply {
      const r = route(req);
      const model = r.kind === 'model' || r.kind === 'chat' ? r.model ?? 'gpt-5-mini' : 'gpt-5-mini';
      const secs = ctx.retryAfterSeconds();
      switch (scenario) {
        case 'auth_failed': return authError(req, false);
        case 'echo_key': return authError(req, true);
        case 'permission_denied': return err(403, `Project \`proj_mockproject\` does not have access to model \`${model}\``, 'invalid_request_error', null, 'model_not_found');
        case 'not_found':
        case 'invalid_model_id':
        case 'needs_inference_profile':
          return modelNotFound(model, r.kind === 'model' ? 'model' : 'chat');
        case 'model_retired': return answer(req, r, true);
        case 'quota_exceeded':
        case 'billing':
          return err(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'insufficient_quota', null, 'insufficient_quota');
        case 'rate_limited':
          return err(429, `Rate limit reached for ${model} in organization org-mockorg on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${secs}s. Visit https://platform.openai.com/account/rate-limits to learn more.`, 'requests', null, 'rate_limit_exceeded', {
            'retry-after': String(Math.ceil(secs)),
            'retry-after-ms': String(Math.round(secs * 1000)),
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-reset-requests': `${secs}s`,
          });
        case 'overloaded': return err(503, 'The engine is currently overloaded, please try again later', 'server_error', null, null);
        case 'bad_request': return err(400, "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead.", 'invalid_request_error', 'messages[0].content', 'invalid_type');
        case 'server_error': return err(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null, null);
        case 'unsupported_parameter': {
          const u = unsupportedParameterError(tokenLimit(req.json).field);
          return err(400, u.message, 'invalid_request_error', u.param, 'unsupported_parameter');
        }
        case 'wrong_api_version': return invalidUrl(req);
        case 'markup': return err(400, MARKUP_MESSAGE, 'invalid_request_error', null, null);
        default: break;
      }
      const token = bearerToken(req);
      if (token !== key) return authError(req, false);
      return answer(req, r, false);
    },
  };
};
