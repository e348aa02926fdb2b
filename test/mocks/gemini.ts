/**
 * Gemini (https://generativelanguage.googleapis.com/{v1|v1beta}): `x-goog-api-key` only — a `?key=` query
 * parameter is refused and recorded in `violations`. Stage 1 GET /{v}/models/{model}; stage 2
 * POST /{v}/models/{model}:generateContent. Preview models exist only on v1beta. Thinking models (2.5 / 3.x) given
 * a tiny maxOutputTokens answer like the real service: finishReason MAX_TOKENS and a candidate without parts.
 */
import * as crypto from 'node:crypto';
import type { Scenario } from './types';
import { DEFAULT_KEY, MARKUP_MESSAGE, ModelSet, isObject, safeDecode } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { mockTokenCount, geminiStream, geminiToolNames, geminiToolResult, script } from './streaming';

export const GEMINI_DEFAULT_MODELS = [
  'gemini-2.5-flash-lite', 'gemini-flash-latest', 'gemini-flash-lite-latest', 'gemini-3-flash-preview',
  'gemini-3-pro-preview', 'gemini-3.1-pro-preview', 'gemini-2.0-flash', 'gemini-2.0-flash-lite', 'gemini-2.5-flash',
  'gemini-2.5-pro',
] as const;
export const GEMINI_DEFAULT_RETIRED = ['gemini-2.0-flash', 'gemini-2.0-flash-lite', 'gemini-2.5-flash', 'gemini-2.5-pro'] as const;

const TOP_LEVEL_FIELDS = new Set(['contents', 'generationConfig', 'safetySettings', 'systemInstruction', 'tools', 'toolConfig', 'cachedContent', 'labels', 'model']);
const GENERATION_FIELDS = new Set([
  'maxOutputTokens', 'temperature', 'topP', 'topK', 'candidateCount', 'stopSequences', 'responseMimeType', 'responseSchema',
  'responseJsonSchema', 'thinkingConfig', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseModalities',
  'responseLogprobs', 'logprobs', 'mediaResolution', 'speechConfig', 'enableEnhancedCivicAnswers',
]);
const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

function isThinkingModel(model: string): boolean {
  return /gemini-(2\.5|3)/.test(model) && !/lite/.test(model);
}

export const geminiFactory: ProviderFactory = (ctx) => {
  const key = ctx.options.key ?? DEFAULT_KEY;
  const models = new ModelSet(ctx.options, GEMINI_DEFAULT_MODELS, GEMINI_DEFAULT_RETIRED);

  const headers = (): Record<string, string> => ({
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    'x-xss-protection': '0',
    'x-frame-options': 'SAMEORIGIN',
    'x-content-type-options': 'nosniff',
    'server-timing': 'gfet4t7; dur=312',
  });
  const reply = (status: number, body: unknown): Reply => ({ status, body, headers: headers(), contentType: 'application/json; charset=UTF-8' });
  const gErr = (code: number, status: string, message: string, details?: unknown[]): Reply =>
    reply(code, { error: details ? { code, message, status, details } : { code, message, status } });
  const errorInfo = (reason: string, metadata: Record<string, string> = { service: 'generativelanguage.googleapis.com' }): Record<string, unknown> =>
    ({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata });
  const localized = (message: string): Record<string, unknown> => ({ '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message });

  type Route =
    | { kind: 'model'; version: string; model: string }
    | { kind: 'list'; version: string }
    | { kind: 'generate'; version: string; model: string; method: string }
    | { kind: 'unknown' };
  const route = (req: MockRequest): Route => {
    const m = /^\/(v1|v1beta)\/models(?:\/([^/]+))?$/.exec(req.pathname);
    if (!m) return { kind: 'unknown' };
    const version = m[1];
    if (m[2] === undefined) return req.method === 'GET' ? { kind: 'list', version } : { kind: 'unknown' };
    const segment = safeDecode(m[2]);
    const colon = segment.indexOf(':');
    if (colon < 0) return req.method === 'GET' ? { kind: 'model', version, model: segment } : { kind: 'unknown' };
    const method = segment.slice(colon + 1);
    if (req.method !== 'POST' || !['generateContent', 'countTokens', 'streamGenerateContent'].includes(method)) return { kind: 'unknown' };
    return { kind: 'generate', version, model: segment.slice(0, colon), method };
  };

  const htmlNotFound = (req: MockRequest): Reply => ({
    status: 404,
    contentType: 'text/html; charset=UTF-8',
    headers: headers(),
    body: `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1</title>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL <code>${req.pathname.replace(/[<>&"]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`,
  });
  const notFound = (model: string, version: string, method: string): Reply =>
    gErr(404, 'NOT_FOUND', `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);
  const keyInvalid = (message = 'API key not valid. Please pass a valid API key.'): Reply =>
    gErr(400, 'INVALID_ARGUMENT', message, [errorInfo('API_KEY_INVALID'), localized(message)]);

  const available = (model: string, version: string): boolean => models.has(model) && !(version === 'v1' && model.includes('preview'));

  const modelObject = (id: string): Record<string, unknown> => {
    const pretty = id.replace(/^gemini-/, 'Gemini ').replace(/-/g, ' ').replace(/\b([a-z])/g, (c) => c.toUpperCase());
    return {
      name: `models/${id}`, version: '001', displayName: pretty, description: `${pretty} (mock)`,
      inputTokenLimit: 1048576, outputTokenLimit: 65536,
      supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
      temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: isThinkingModel(id),
    };
  };
  const generateBody = (model: string, text: string, maxOutputTokens: number | undefined): Record<string, unknown> => {
    const starved = maxOutputTokens !== undefined && maxOutputTokens < 16 && isThinkingModel(model);
    return {
      candidates: [{
        content: starved ? { role: 'model' } : { parts: [{ text }], role: 'model' },
        finishReason: maxOutputTokens !== undefined && maxOutputTokens <= 1 ? 'MAX_TOKENS' : starved ? 'MAX_TOKENS' : 'STOP',
        index: 0,
      }],
      usageMetadata: starved
        ? { promptTokenCount: 1, totalTokenCount: 1 + (maxOutputTokens ?? 0), promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1 }], thoughtsTokenCount: maxOutputTokens }
        : { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1 }] },
      modelVersion: model,
      responseId: crypto.randomBytes(12).toString('base64url'),
    };
  };

  const validateGenerate = (req: MockRequest): Reply | { maxOutputTokens?: number } => {
    const body = req.json;
    if (req.jsonError || !isObject(body)) {
      return gErr(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.', [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description: 'Invalid JSON payload received. Unexpected token.' }] }]);
    }
    for (const name of Object.keys(body)) {
      if (!TOP_LEVEL_FIELDS.has(camel(name))) {
        const description = `Invalid JSON payload received. Unknown name "${name}": Cannot find field.`;
        return gErr(400, 'INVALID_ARGUMENT', description, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description }] }]);
      }
    }
    const config = body.generationConfig ?? body.generation_config;
    if (config !== undefined && isObject(config)) {
      for (const name of Object.keys(config)) {
        if (!GENERATION_FIELDS.has(camel(name))) {
          const description = `Invalid JSON payload received. Unknown name "${name}" at 'generation_config': Cannot find field.`;
          return gErr(400, 'INVALID_ARGUMENT', description, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'generation_config', description }] }]);
        }
      }
    }
    const contents = body.contents;
    if (!Array.isArray(contents) || contents.length === 0) return gErr(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n');
    const max = isObject(config) ? config.maxOutputTokens ?? config[snake('maxOutputTokens')] : undefined;
    return { maxOutputTokens: max === undefined ? undefined : Number(max) };
  };

  const answer = (req: MockRequest, r: Route, retired: boolean): Reply => {
    if (r.kind === 'unknown') return htmlNotFound(req);
    if (r.kind === 'list') {
      return reply(200, { models: models.list().filter((m) => available(m, r.version)).map(modelObject), nextPageToken: undefined });
    }
    if (r.kind === 'model') {
      if (!available(r.model, r.version) && !(retired && !(r.version === 'v1' && r.model.includes('preview')))) return notFound(r.model, r.version, 'get');
      return reply(200, modelObject(r.model));
    }
    if (!available(r.model, r.version)) return notFound(r.model, r.version, r.method);
    if (retired || models.isRetired(r.model)) {
      return gErr(404, 'NOT_FOUND', `This model models/${r.model} is no longer available. Please update your code to use a newer model for the latest features and improvements.`);
    }
    const checked = validateGenerate(req);
    if ('status' in checked) return checked;
    if (r.method === 'countTokens') {
      const n = mockTokenCount(req.json);
      return reply(200, { totalTokens: n, promptTokensDetails: [{ modality: 'TEXT', tokenCount: n }] });
    }
    if (r.method === 'streamGenerateContent') {
      const body = req.json as Record<string, unknown>;
      return { ...reply(200, {}), body: undefined, stream: geminiStream(r.model, script(geminiToolNames(body), geminiToolResult(body), 'unused')) };
    }
    return reply(200, generateBody(r.model, 'Pong', checked.maxOutputTokens));
  };

  return {
    success: (req, text) => {
      const r = route(req);
      return reply(200, generateBody(r.kind === 'generate' ? r.model : 'gemini-2.5-flash-lite', text, undefined));
    },
    handle(req: MockRequest, scenario: Scenario): Reply {
      const r = route(req);
      const version = r.kind === 'unknown' ? 'v1beta' : r.version;
      const model = r.kind === 'model' || r.kind === 'generate' ? r.model : 'gemini-2.5-flash-lite';
      const method = r.kind === 'generate' ? r.method : 'generateContent';
      if (req.query.has('key')) ctx.violations.push(`google-gemini: API key sent as ?key= query parameter (${req.method} ${req.pathname})`);
      const secs = ctx.retryAfterSeconds();
      switch (scenario) {
        case 'auth_failed': return keyInvalid();
        case 'echo_key': return keyInvalid(`API key not valid: '${req.header('x-goog-api-key') ?? req.query.get('key') ?? ''}'. Please pass a valid API key.`);
        case 'permission_denied': {
          const message = 'Generative Language API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123456789012 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.';
          return gErr(403, 'PERMISSION_DENIED', message, [
            errorInfo('SERVICE_DISABLED', { service: 'generativelanguage.googleapis.com', consumer: 'projects/123456789012', activationUrl: 'https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123456789012' }),
            localized(message),
          ]);
        }
        case 'not_found':
        case 'invalid_model_id':
        case 'needs_inference_profile':
        case 'wrong_api_version':
          return notFound(model, version, r.kind === 'model' ? 'get' : method);
        case 'model_retired': return answer(req, r, true);
        case 'quota_exceeded':
          return gErr(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.', [
            { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model }, quotaValue: '250' }] },
            { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '47s' },
          ]);
        case 'billing': return gErr(400, 'FAILED_PRECONDITION', 'Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.');
        case 'rate_limited':
          return gErr(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [
            { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaDimensions: { location: 'global', model }, quotaValue: '10' }] },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${secs}s` },
          ]);
        case 'overloaded': return gErr(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
        case 'bad_request': {
          const description = 'Invalid JSON payload received. Unknown name "foo": Cannot find field.';
          return gErr(400, 'INVALID_ARGUMENT', description, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ description }] }]);
        }
        case 'server_error': return gErr(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
        case 'unsupported_parameter': {
          const description = 'Invalid JSON payload received. Unknown name "max_tokens" at \'generation_config\': Cannot find field.';
          return gErr(400, 'INVALID_ARGUMENT', description, [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'generation_config', description }] }]);
        }
        case 'markup': return gErr(400, 'INVALID_ARGUMENT', MARKUP_MESSAGE);
        default: break;
      }
      if (req.query.has('key')) {
        return gErr(400, 'INVALID_ARGUMENT', 'Mock: the API key was sent in the ?key= query parameter; send it in the x-goog-api-key header.', [errorInfo('API_KEY_IN_QUERY')]);
      }
      const apiKey = req.header('x-goog-api-key');
      if (apiKey === undefined) {
        if (req.header('authorization') !== undefined) {
          const message = 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
          return gErr(401, 'UNAUTHENTICATED', message, [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED', { service: 'generativelanguage.googleapis.com', method: 'google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent' })]);
        }
        return gErr(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
      }
      if (apiKey !== key) return keyInvalid();
      return answer(req, r, false);
    },
  };
};
