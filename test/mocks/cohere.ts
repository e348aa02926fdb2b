/**
 * Cohere (https://api.cohere.com): Bearer auth. Stage 1 POST /v1/check-api-key (200 {"valid": false} for a wrong
 * key — check the body, not just the status) and GET /v1/models/{model}; stage 2 POST /v2/chat (unknown fields such
 * as max_completion_tokens are refused with 400).
 */
import * as crypto from 'node:crypto';
import type { Scenario } from './types';
import { DEFAULT_KEY, MARKUP_MESSAGE, ModelSet, isObject, jsonReply, safeDecode } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { cohereStream, cohereToolResult, openAiToolNames, script } from './streaming';
import { bearerToken } from './openai';

export const COHERE_DEFAULT_MODELS = [
  'command-a-03-2025', 'command-a-reasoning-08-2025', 'command-a-vision-07-2025', 'command-a-translate-08-2025',
  'command-r-plus-08-2024', 'command-r-08-2024', 'command-r7b-12-2024', 'command-r-plus', 'command-r',
  'command', 'command-light', 'command-nightly',
] as const;
export const COHERE_DEFAULT_RETIRED = ['command', 'command-light', 'command-nightly'] as const;

const CHAT_FIELDS = new Set([
  'model', 'messages', 'stream', 'max_tokens', 'temperature', 'p', 'k', 'seed', 'stop_sequences', 'frequency_penalty',
  'presence_penalty', 'tools', 'documents', 'citation_options', 'response_format', 'safety_mode', 'tool_choice',
  'strict_tools', 'logprobs', 'thinking', 'priority',
]);

export const cohereFactory: ProviderFactory = (ctx) => {
  const key = ctx.options.key ?? DEFAULT_KEY;
  const models = new ModelSet(ctx.options, COHERE_DEFAULT_MODELS, COHERE_DEFAULT_RETIRED);

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'x-debug-trace-id': crypto.randomBytes(16).toString('hex'),
    'x-endpoint-monthly-call-limit': '1000',
    'x-trial-endpoint-call-limit': '20',
    'x-trial-endpoint-call-remaining': '19',
    via: '1.1 google',
    ...extra,
  });
  const err = (status: number, message: string, extra: Record<string, string> = {}): Reply =>
    jsonReply(status, { id: crypto.randomUUID(), message }, headers(extra));
  const ok = (body: unknown): Reply => jsonReply(200, body, headers());

  type Route = { kind: 'check' } | { kind: 'model'; model: string } | { kind: 'list' } | { kind: 'chat'; model?: string } | { kind: 'unknown' };
  const route = (req: MockRequest): Route => {
    if (req.method === 'POST' && req.pathname === '/v1/check-api-key') return { kind: 'check' };
    const m = /^\/v1\/models\/([^/]+)$/.exec(req.pathname);
    if (req.method === 'GET' && m) return { kind: 'model', model: safeDecode(m[1]) };
    if (req.method === 'GET' && req.pathname === '/v1/models') return { kind: 'list' };
    if (req.method === 'POST' && req.pathname === '/v2/chat') {
      return { kind: 'chat', model: isObject(req.json) && typeof req.json.model === 'string' ? req.json.model : undefined };
    }
    return { kind: 'unknown' };
  };

  const modelObject = (name: string): Record<string, unknown> => ({
    name,
    endpoints: ['chat', 'generate'],
    finetuned: false,
    context_length: name.startsWith('command-a') ? 256000 : 128000,
    tokenizer_url: `https://storage.googleapis.com/cohere-public/tokenizers/${name}.json`,
    default_endpoints: [],
    features: ['tools', 'strict_tools', 'json_mode', 'json_schema'],
  });
  const chatBody = (text: string, maxTokens: number | undefined): Record<string, unknown> => ({
    id: crypto.randomUUID(),
    message: { role: 'assistant', content: [{ type: 'text', text }] },
    finish_reason: maxTokens !== undefined && maxTokens <= 1 ? 'MAX_TOKENS' : 'COMPLETE',
    usage: { billed_units: { input_tokens: 1, output_tokens: 1 }, tokens: { input_tokens: 67, output_tokens: 1 }, cached_tokens: 0 },
  });
  const notFound = (model: string): Reply => err(404, `model '${model}' not found, make sure the correct model ID was used and that you have access to the model.`);
  const removed = (model: string): Reply => err(404, `model '${model}' was removed on September 15, 2025. See https://docs.cohere.com/docs/deprecations for more information.`);

  const authProblem = (req: MockRequest, r: Route): Reply | undefined => {
    const token = bearerToken(req);
    if (token === undefined || token === '') return err(401, 'no api key supplied');
    if (token === key) return undefined;
    if (r.kind === 'check') return ok({ valid: false });
    return err(401, 'invalid api token');
  };

  const answer = (req: MockRequest, r: Route, retired: boolean): Reply => {
    switch (r.kind) {
      case 'unknown': return err(404, `404 page not found: ${req.method} ${req.pathname}`);
      case 'check': return ok({ valid: true, organization_id: '00000000-0000-4000-8000-00000000c0ee', owner_id: '00000000-0000-4000-8000-00000000beef' });
      case 'list': return ok({ models: models.list().map(modelObject) });
      case 'model':
        if (!models.has(r.model) && !retired) return notFound(r.model);
        return ok(modelObject(r.model));
      case 'chat': {
        const body = req.json;
        if (req.jsonError || !isObject(body)) return err(400, 'invalid request: failed to parse request body as JSON.');
        for (const name of Object.keys(body)) {
          if (!CHAT_FIELDS.has(name)) return err(400, `invalid request: unknown field: parameter '${name}' is not a valid field`);
        }
        if (typeof body.model !== 'string') return err(400, 'invalid request: model must be specified.');
        if (!Array.isArray(body.messages) || body.messages.length === 0) return err(400, 'invalid request: messages must contain at least one message.');
        if (!models.has(body.model)) return notFound(body.model);
        if (retired || models.isRetired(body.model)) return removed(body.model);
        if (body.stream === true) return { ...ok({}), body: undefined, stream: cohereStream(script(openAiToolNames(body), cohereToolResult(body), 'mockcohere1')) };
        return ok(chatBody('Pong', body.max_tokens === undefined ? undefined : Number(body.max_tokens)));
      }
    }
  };

  return {
    success: (_req, text) => ok(chatBody(text, undefined)),
    handle(req: MockRequest, scenario: Scenario): Reply {
      const r = route(req);
      const model = (r.kind === 'model' || r.kind === 'chat') && r.model ? r.model : 'command-a-03-2025';
      switch (scenario) {
        case 'auth_failed': return err(401, 'invalid api token');
        case 'echo_key': return err(401, `invalid api token: ${bearerToken(req) ?? req.header('authorization') ?? ''}`);
        case 'permission_denied': return err(403, `You do not have access to the model '${model}'. Please contact support@cohere.com to request access.`);
        case 'not_found':
        case 'invalid_model_id':
        case 'needs_inference_profile':
          return notFound(model);
        case 'model_retired': return answer(req, r, true);
        case 'quota_exceeded':
          return err(429, "You are using a Trial key, which is limited to 1000 API calls / month. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'. Contact us on 'https://discord.gg/XW44jPfYJu' or email us at support@cohere.com with any questions");
        case 'billing': return err(402, 'Please add or update your payment method at https://dashboard.cohere.com/billing?tab=payment to continue');
        case 'rate_limited': return err(429, "You are past the per minute request limit, please wait and try again later.");
        case 'overloaded': return err(503, 'service unavailable: the model is overloaded, please try again later.');
        case 'bad_request': return err(400, 'invalid request: message must be at least 1 token long or tool results must be specified.');
        case 'server_error': return err(500, `internal server error, this has been reported to our developers. id ${crypto.randomUUID()}`);
        case 'unsupported_parameter': {
          const field = isObject(req.json) && req.json.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
          return err(400, `invalid request: unknown field: parameter '${field}' is not a valid field`);
        }
        case 'wrong_api_version': return err(404, `404 page not found: ${req.method} ${req.pathname}`);
        case 'markup': return err(400, MARKUP_MESSAGE);
        default: break;
      }
      return authProblem(req, r) ?? answer(req, r, false);
    },
  };
};
