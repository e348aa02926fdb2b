/**
 * Azure OpenAI ({endpoint}): `api-key` header, or `Authorization: Bearer <entraToken>` (Microsoft Entra ID,
 * option `entraToken`; `entraLacksRole` answers the missing-role 401 PermissionDenied); on the v1 API the key may
 * also come as `Authorization: Bearer <key>` (what the openai SDK's OpenAI() client sends there). No stage 1. Stage 2:
 *   POST /openai/deployments/{deployment}/chat/completions?api-version=YYYY-MM-DD[-preview]
 *   POST /openai/v1/chat/completions with "model": <deployment> (api-version absent, 'preview', 'latest' or 'v1')
 * Deployments whose name looks like gpt-5* / o-series refuse `max_tokens`; API versions before 2024-09-01 do not
 * know `max_completion_tokens`.
 */
import * as crypto from 'node:crypto';
import type { Scenario } from './types';
import { DEFAULT_KEY, MARKUP_MESSAGE, ModelSet, isObject, jsonReply, safeDecode } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { openAiStream, openAiToolNames, openAiToolResult, script } from './streaming';
import { chatCompletionBody, isReasoningModel, openAiErrorBody, tokenLimit, unsupportedParameterError } from './openai';

export const AZURE_DEFAULT_DEPLOYMENTS = [
  'gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-5', 'gpt-5-mini', 'o4-mini', 'gpt-4o-2024-11-20',
] as const;
export const AZURE_DEFAULT_RETIRED = ['gpt-4o-2024-11-20'] as const;

const DATE_VERSION = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;
const V1_VERSIONS = new Set(['preview', 'latest', 'v1']);

const NO_KEY = 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.';
const BAD_KEY = 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
const BAD_TOKEN = 'Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.';

export const azureFactory: ProviderFactory = (ctx) => {
  const key = ctx.options.key ?? DEFAULT_KEY;
  const deployments = new ModelSet(ctx.options, AZURE_DEFAULT_DEPLOYMENTS, AZURE_DEFAULT_RETIRED);

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'apim-request-id': crypto.randomUUID(),
    'x-request-id': crypto.randomUUID(),
    'x-ms-region': 'East US',
    'x-ms-rai-invoked': 'true',
    'azureml-model-session': 'd089-20261101000000',
    'x-ratelimit-remaining-requests': '99',
    'x-ratelimit-limit-requests': '100',
    'x-ratelimit-remaining-tokens': '99990',
    'x-ratelimit-limit-tokens': '100000',
    ...extra,
  });
  const azErr = (status: number, code: string, message: string, extra: Record<string, string> = {}): Reply =>
    jsonReply(status, { error: { code, message } }, headers(extra));
  const oaErr = (status: number, message: string, type: string | null, param: string | null, code: string | null): Reply =>
    jsonReply(status, openAiErrorBody(message, type, param, code), headers());
  const resourceNotFound = (): Reply => azErr(404, '404', 'Resource not found');
  const versionNotSupported = (): Reply => azErr(400, 'BadRequest', 'API version not supported');
  const deploymentNotFound = (): Reply => azErr(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.');

  type Route = { kind: 'deployment'; deployment: string } | { kind: 'v1'; deployment?: string } | { kind: 'unknown' };
  const route = (req: MockRequest): Route => {
    if (req.method !== 'POST') return { kind: 'unknown' };
    const m = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(req.pathname);
    if (m) return { kind: 'deployment', deployment: safeDecode(m[1]) };
    if (req.pathname === '/openai/v1/chat/completions') {
      return { kind: 'v1', deployment: isObject(req.json) && typeof req.json.model === 'string' ? req.json.model : undefined };
    }
    return { kind: 'unknown' };
  };

  /** undefined when the api-version is acceptable for the route. */
  const checkVersion = (req: MockRequest, r: Route): Reply | undefined => {
    const version = req.query.get('api-version');
    if (r.kind === 'deployment') {
      if (version === null || version === '') return resourceNotFound();
      const m = DATE_VERSION.exec(version);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) return versionNotSupported();
      return undefined;
    }
    if (version === null || V1_VERSIONS.has(version)) return undefined;
    return versionNotSupported();
  };

  const authError = (req: MockRequest, echo: boolean): Reply => {
    const apiKey = req.header('api-key');
    // A bearer token (Entra ID) is echoed bare, without its `Bearer ` scheme: redaction must not lean on the scheme.
    if (echo) return azErr(401, '401', `Access denied due to invalid subscription key '${apiKey ?? /^Bearer (.*)$/i.exec(req.header('authorization') ?? '')?.[1] ?? ''}' or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.`);
    if (apiKey === undefined && req.header('authorization') !== undefined) return azErr(401, '401', BAD_TOKEN);
    if (apiKey === undefined || apiKey === '') return azErr(401, '401', NO_KEY);
    return azErr(401, '401', BAD_KEY);
  };

  const completion = (req: MockRequest, deployment: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    chatCompletionBody(deployment, 'Pong', tokenLimit(req.json).value, {
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } } }],
      ...extra,
    });

  const answer = (req: MockRequest, r: Route, retired: boolean): Reply => {
    if (r.kind === 'unknown') return resourceNotFound();
    const body = req.json;
    if (req.jsonError || !isObject(body)) return oaErr(400, "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", 'invalid_request_error', null, null);
    const deployment = r.deployment;
    if (deployment === undefined) return azErr(400, 'BadRequest', "Missing required parameter: 'model'.");
    if (!deployments.has(deployment)) return deploymentNotFound();
    if (retired || deployments.isRetired(deployment)) return resourceNotFound();
    if (body.messages === undefined) return oaErr(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'messages', 'missing_required_parameter');
    const limit = tokenLimit(body);
    if (limit.field === 'max_tokens' && isReasoningModel(deployment)) {
      const u = unsupportedParameterError('max_tokens');
      return oaErr(400, u.message, 'invalid_request_error', u.param, 'unsupported_parameter');
    }
    const version = req.query.get('api-version') ?? '';
    if (r.kind === 'deployment' && body.max_completion_tokens !== undefined && version < '2024-09-01') {
      return oaErr(400, 'Unrecognized request argument supplied: max_completion_tokens', 'invalid_request_error', null, null);
    }
    const content = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };
    if (body.stream === true) return { status: 200, headers: headers(), stream: openAiStream(deployment, body, script(openAiToolNames(body), openAiToolResult(body), 'call_mockazure1')) };
    const reply = completion(req, deployment);
    (reply.choices as Array<Record<string, unknown>>)[0].content_filter_results = content;
    return jsonReply(200, reply, headers());
  };

  return {
    success: (req, text) => {
      const r = route(req);
      const deployment = r.kind === 'unknown' ? 'gpt-4o' : r.deployment ?? 'gpt-4o';
      return jsonReply(200, chatCompletionBody(deployment, text, undefined), headers());
    },
    handle(req: MockRequest, scenario: Scenario): Reply {
      const r = route(req);
      const secs = ctx.retryAfterSeconds();
      switch (scenario) {
        case 'auth_failed': return authError(req, false);
        case 'echo_key': return authError(req, true);
        case 'permission_denied': return azErr(403, '403', 'Access denied due to Virtual Network/Firewall rules.');
        case 'not_found':
        case 'invalid_model_id':
        case 'needs_inference_profile':
          return deploymentNotFound();
        case 'model_retired': return resourceNotFound();
        case 'quota_exceeded':
        case 'billing':
          return azErr(403, '403', 'Out of call volume quota for OpenAI API. Quota will be replenished in 00:12:00.');
        case 'rate_limited':
          return azErr(429, '429', `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${req.query.get('api-version') ?? 'v1'} have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after ${Math.ceil(secs)} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`, {
            'retry-after': String(Math.ceil(secs)),
            'retry-after-ms': String(Math.round(secs * 1000)),
            'x-ratelimit-remaining-requests': '0',
            'x-ratelimit-remaining-tokens': '0',
          });
        case 'overloaded': return azErr(503, 'ServiceUnavailable', 'The service is temporarily unable to process your request. Please try again later.');
        case 'bad_request':
          return jsonReply(400, { error: { message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766", type: null, param: 'prompt', code: 'content_filter', status: 400 } }, headers());
        case 'server_error':
          return oaErr(500, 'The server had an error processing your request. Sorry about that! You can retry your request, or contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 if you keep seeing this error.', 'server_error', null, null);
        case 'unsupported_parameter': {
          const u = unsupportedParameterError(tokenLimit(req.json).field);
          return oaErr(400, u.message, 'invalid_request_error', u.param, 'unsupported_parameter');
        }
        case 'wrong_api_version': return r.kind === 'deployment' ? versionNotSupported() : resourceNotFound();
        case 'markup': return azErr(400, 'BadRequest', MARKUP_MESSAGE);
        default: break;
      }
      if (r.kind === 'unknown') return resourceNotFound();
      const versionProblem = checkVersion(req, r);
      if (versionProblem) return versionProblem;
      // Microsoft Entra ID: a bearer token instead of the api-key header (the openai SDK's azureADTokenProvider).
      const entra = ctx.options.entraToken;
      if (entra !== undefined && req.header('api-key') === undefined && req.header('authorization') === `Bearer ${entra}`) {
        if (ctx.options.entraLacksRole) {
          const action = r.kind === 'deployment' ? 'Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action' : 'Microsoft.CognitiveServices/accounts/OpenAI/chat/completions/action';
          return azErr(401, 'PermissionDenied', `The principal \`00000000-0000-0000-0000-00000000test\` lacks the required data action \`${action}\` to perform \`POST ${req.pathname}\` operation.`);
        }
        return answer(req, r, false);
      }
      // The v1 API also takes the key as `Authorization: Bearer`, the way the openai SDK's OpenAI() client sends it.
      const v1Bearer = r.kind === 'v1' && req.header('api-key') === undefined && req.header('authorization') === `Bearer ${key}`;
      if (req.header('api-key') !== key && !v1Bearer) return authError(req, false);
      return answer(req, r, false);
    },
  };
};
