/**
 * Anthropic (https://api.anthropic.com): either `x-api-key` + `anthropic-version`, or `Authorization: Bearer` +
 * `anthropic-version` — never both credentials. Stage 1 GET /v1/models/{id} (aliases resolve to the dated id);
 * stage 2 POST /v1/messages (max_tokens required).
 */
import * as crypto from 'node:crypto';
import type { Scenario } from './types';
import { DEFAULT_KEY, MARKUP_MESSAGE, ModelSet, isObject, jsonReply, safeDecode } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { mockTokenCount, anthropicStream, anthropicToolNames, anthropicToolResult, script } from './streaming';
import { bearerToken } from './openai';

export const ANTHROPIC_DEFAULT_MODELS = [
  'claude-opus-4-1-20250805', 'claude-opus-4-20250514', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-20250514',
  'claude-haiku-4-5-20251001', 'claude-3-7-sonnet-20250219', 'claude-3-5-haiku-20241022', 'claude-3-haiku-20240307',
  'claude-3-5-sonnet-20241022', 'claude-3-5-sonnet-20240620',
] as const;
export const ANTHROPIC_DEFAULT_RETIRED = ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet-20240620'] as const;
/** Versions the mock accepts in `anthropic-version`. */
export const ANTHROPIC_VERSIONS = ['2023-06-01', '2023-01-01', '2026-10-21'] as const;

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function anthropicId(prefix: string): string {
  return prefix + '011C' + [...crypto.randomBytes(20)].map((b) => B58[b % 58]).join('');
}

function displayName(id: string): string {
  const m = /^claude-(?:(\d)(?:-(\d))?-)?([a-z]+)(?:-(\d)(?:-(\d))?)?-\d{8}$/.exec(id);
  if (!m) return id;
  const family = m[3][0].toUpperCase() + m[3].slice(1);
  const version = m[1] ? `${m[1]}${m[2] ? '.' + m[2] : ''}` : `${m[4]}${m[5] ? '.' + m[5] : ''}`;
  return m[1] ? `Claude ${version} ${family}` : `Claude ${family} ${version}`;
}

export const anthropicFactory: ProviderFactory = (ctx) => {
  const key = ctx.options.key ?? DEFAULT_KEY;
  const models = new ModelSet(ctx.options, ANTHROPIC_DEFAULT_MODELS, ANTHROPIC_DEFAULT_RETIRED);

  /** Alias (id without the date) → newest dated id. */
  const resolve = (id: string): string | undefined => {
    if (models.has(id)) return id;
    const dated = models.list().filter((m) => m.replace(/-\d{8}$/, '') === id).sort();
    return dated.length > 0 ? dated[dated.length - 1] : undefined;
  };

  const headers = (requestId: string, extra: Record<string, string> = {}): Record<string, string> => ({
    'request-id': requestId,
    'anthropic-organization-id': '00000000-0000-4000-8000-0000000000aa',
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': new Date(Date.now() + 15_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'anthropic-ratelimit-tokens-limit': '2000000',
    'anthropic-ratelimit-tokens-remaining': '2000000',
    ...extra,
  });
  const err = (status: number, type: string, message: string, extra: Record<string, string> = {}): Reply => {
    const id = anthropicId('req_');
    return jsonReply(status, { type: 'error', error: { type, message }, request_id: id }, headers(id, extra));
  };
  const ok = (body: unknown): Reply => jsonReply(200, body, headers(anthropicId('req_')));

  type Route = { kind: 'model'; model: string } | { kind: 'list' } | { kind: 'messages'; model?: string } | { kind: 'count' } | { kind: 'unknown' };
  const route = (req: MockRequest): Route => {
    const m = /^\/v1\/models\/([^/]+)$/.exec(req.pathname);
    if (req.method === 'GET' && m) return { kind: 'model', model: safeDecode(m[1]) };
    if (req.method === 'GET' && req.pathname === '/v1/models') return { kind: 'list' };
    if (req.method === 'POST' && req.pathname === '/v1/messages') {
      return { kind: 'messages', model: isObject(req.json) && typeof req.json.model === 'string' ? req.json.model : undefined };
    }
    if (req.method === 'POST' && req.pathname === '/v1/messages/count_tokens') return { kind: 'count' };
    return { kind: 'unknown' };
  };

  const modelObject = (id: string): Record<string, unknown> => {
    const date = /(\d{4})(\d{2})(\d{2})$/.exec(id);
    return { type: 'model', id, display_name: displayName(id), created_at: date ? `${date[1]}-${date[2]}-${date[3]}T00:00:00Z` : '2025-01-01T00:00:00Z' };
  };
  const message = (model: string, text: string, maxTokens: number | undefined): Record<string, unknown> => ({
    id: anthropicId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: maxTokens !== undefined && maxTokens <= 1 ? 'max_tokens' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' },
  });

  /** The credential problem of a request, or undefined when its auth is acceptable. */
  const authProblem = (req: MockRequest): Reply | undefined => {
    const apiKey = req.header('x-api-key');
    const authorization = req.header('authorization');
    if (apiKey !== undefined && authorization !== undefined) {
      ctx.violations.push('anthropic: both x-api-key and Authorization sent');
      return err(401, 'authentication_error', 'Only one of x-api-key or Authorization may be provided, not both.');
    }
    if (apiKey === undefined && authorization === undefined) return err(401, 'authentication_error', 'x-api-key header is required');
    const version = req.header('anthropic-version');
    if (version === undefined || version === '') return err(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!(ANTHROPIC_VERSIONS as readonly string[]).includes(version)) return err(400, 'invalid_request_error', `anthropic-version: "${version}" is not a valid version`);
    if (apiKey !== undefined) return apiKey === key ? undefined : err(401, 'authentication_error', 'invalid x-api-key');
    return bearerToken(req) === key ? undefined : err(401, 'authentication_error', 'Invalid bearer token');
  };

  const answer = (req: MockRequest, r: Route, retired: boolean): Reply => {
    if (r.kind === 'unknown') return err(404, 'not_found_error', 'Not Found');
    if (r.kind === 'count') return ok({ input_tokens: mockTokenCount(req.json) });
    if (r.kind === 'list') {
      return ok({ data: models.list().map(modelObject), has_more: false, first_id: models.list()[0] ?? null, last_id: models.list().at(-1) ?? null });
    }
    if (r.kind === 'model') {
      const id = resolve(r.model) ?? (retired ? r.model : undefined);
      return id === undefined ? err(404, 'not_found_error', `model: ${r.model}`) : ok(modelObject(id));
    }
    const body = req.json;
    if (req.jsonError || !isObject(body)) return err(400, 'invalid_request_error', 'There was an issue with your request body: the body is not valid JSON.');
    if (typeof body.model !== 'string') return err(400, 'invalid_request_error', 'model: Field required');
    if (body.max_tokens === undefined) return err(400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(body.messages)) return err(400, 'invalid_request_error', 'messages: Field required');
    for (const extra of ['max_completion_tokens', 'maxTokens', 'max_output_tokens']) {
      if (body[extra] !== undefined) return err(400, 'invalid_request_error', `${extra}: Extra inputs are not permitted`);
    }
    const id = resolve(body.model);
    if (id === undefined) return err(404, 'not_found_error', `model: ${body.model}`);
    if (retired || models.isRetired(id)) return err(404, 'not_found_error', `model: ${body.model}`);
    if (body.stream === true) return { ...ok({}), body: undefined, stream: anthropicStream(id, script(anthropicToolNames(body), anthropicToolResult(body), 'toolu_mockanthropic1')) };
    return ok(message(id, 'Pong', Number(body.max_tokens)));
  };

  return {
    success: (req, text) => {
      const r = route(req);
      return ok(message(r.kind === 'messages' && r.model ? r.model : 'claude-sonnet-4-5-20250929', text, undefined));
    },
    handle(req: MockRequest, scenario: Scenario): Reply {
      const r = route(req);
      const model = (r.kind === 'model' || r.kind === 'messages') && r.model ? r.model : 'claude-sonnet-4-5-20250929';
      const secs = ctx.retryAfterSeconds();
      switch (scenario) {
        case 'auth_failed': return err(401, 'authentication_error', req.header('authorization') !== undefined && req.header('x-api-key') === undefined ? 'Invalid bearer token' : 'invalid x-api-key');
        case 'echo_key': return err(401, 'authentication_error', `invalid x-api-key: ${req.header('x-api-key') ?? bearerToken(req) ?? ''}`);
        case 'permission_denied': return err(403, 'permission_error', 'Your API key does not have permission to use the specified resource.');
        case 'not_found':
        case 'invalid_model_id':
        case 'needs_inference_profile':
          return err(404, 'not_found_error', `model: ${model}`);
        case 'model_retired': return answer(req, r, true);
        case 'quota_exceeded': return err(400, 'invalid_request_error', 'You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.');
        case 'billing': return err(402, 'billing_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
        case 'rate_limited':
          return err(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization (00000000-0000-4000-8000-0000000000aa) of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.', {
            'retry-after': String(Math.ceil(secs)),
            'anthropic-ratelimit-requests-remaining': '0',
          });
        case 'overloaded': return err(529, 'overloaded_error', 'Overloaded');
        case 'bad_request': return err(400, 'invalid_request_error', 'messages: at least one message is required');
        case 'server_error': return err(500, 'api_error', 'Internal server error');
        case 'unsupported_parameter': {
          const b = isObject(req.json) ? req.json : {};
          const field = b.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
          return err(400, 'invalid_request_error', field === 'max_tokens' ? 'max_tokens: Input should be a valid integer' : `${field}: Extra inputs are not permitted`);
        }
        case 'wrong_api_version': return err(400, 'invalid_request_error', `anthropic-version: "${req.header('anthropic-version') ?? ''}" is not a valid version`);
        case 'markup': return err(400, 'invalid_request_error', MARKUP_MESSAGE);
        default: break;
      }
      return authProblem(req) ?? answer(req, r, false);
    },
  };
};
