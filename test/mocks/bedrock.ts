/**
 * Amazon Bedrock runtime (https://bedrock-runtime.{region}.amazonaws.com): SigV4 (service `bedrock`), verified by
 * re-signing the received request with the known secret through @smithy/signature-v4 and comparing the
 * Authorization header. No stage 1. Stage 2 POST /model/{encodeURIComponent(modelId)}/converse.
 *
 * A Bedrock API key instead of SigV4: `Authorization: Bearer <key>` on the same request, as the AWS docs
 * ("Use an Amazon Bedrock API key") and the SDKs (AWS_BEARER_TOKEN_BEDROCK) send it. A key that is not the
 * configured one gets HTTP 403 `{"Message":"Authentication failed: Please make sure your API Key is valid."}`,
 * the answer users report from Bedrock (the error-type header is an assumption: AccessDeniedException). A
 * bearer request that also carries SigV4 headers (x-amz-date, x-amz-security-token) is recorded as a violation.
 *
 * Region: `aws.region` if configured, else the one in the Host header (bedrock-runtime.{region}.amazonaws.com),
 * else whatever region the client scoped its credential to. Inference-profile ids (us./eu./apac./jp./au./global./
 * us-gov.) must fit that region. Base ids listed in `inferenceProfileOnly` refuse on-demand calls.
 */
import * as crypto from 'node:crypto';
import { SignatureV4, getCanonicalHeaders, getPayloadHash } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import type { MockOptions, Scenario } from './types';
import { MARKUP_MESSAGE, ModelSet, isObject, jsonReply, safeDecode } from './server';
import type { MockRequest, ProviderFactory, Reply } from './server';
import { bedrockStream, bedrockToolNames, bedrockToolResult, script } from './streaming';

export const DEFAULT_BEDROCK_API_KEY = 'bedrock-api-key-test-mock';
const BAD_API_KEY = 'Authentication failed: Please make sure your API Key is valid.';

export const DEFAULT_AWS: Readonly<NonNullable<MockOptions['aws']>> = { accessKeyId: 'AKIDTESTEXAMPLE0000', secretAccessKey: 'test-secret-not-real' };

export const BEDROCK_DEFAULT_MODELS = [
  'amazon.nova-premier-v1:0', 'amazon.nova-pro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-micro-v1:0',
  'anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0',
  'anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0',
  'anthropic.claude-opus-4-1-20250805-v1:0', 'cohere.command-r-v1:0', 'meta.llama3-3-70b-instruct-v1:0',
] as const;
export const BEDROCK_DEFAULT_RETIRED = [
  'anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'amazon.nova-premier-v1:0',
] as const;
export const BEDROCK_DEFAULT_PROFILE_ONLY = [
  'amazon.nova-premier-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0',
  'anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-opus-4-1-20250805-v1:0', 'meta.llama3-3-70b-instruct-v1:0',
] as const;

/** Which regions each inference-profile prefix serves. */
const PROFILE_REGIONS: Record<string, RegExp> = {
  global: /./,
  us: /^us-(east|west)-\d$/,
  'us-gov': /^us-gov-/,
  eu: /^eu-/,
  apac: /^ap-/,
  jp: /^ap-northeast-[13]$/,
  au: /^ap-southeast-[24]$/,
};

const SERVICE_NS = 'com.amazon.coral.service';
const BEDROCK_NS = 'com.amazon.bedrock';
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const BAD_TOKEN = 'The security token included in the request is invalid.';

type SignableRequest = Parameters<SignatureV4['presign']>[0];

/** Exposes the signer's own canonical request and string to sign, for the text of InvalidSignatureException. */
class SigV4Inspector extends SignatureV4 {
  async describe(request: SignableRequest, signed: Set<string>, longDate: string, scope: string): Promise<{ canonical: string; stringToSign: string }> {
    const canonical = this.createCanonicalRequest(request, getCanonicalHeaders(request, undefined, signed), await getPayloadHash(request, this.sha256));
    return { canonical, stringToSign: await this.createStringToSign(longDate, scope, canonical, 'AWS4-HMAC-SHA256') };
  }
}

const sha256 = Hash.bind(null, 'sha256');

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of query) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const amz = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

export const bedrockFactory: ProviderFactory = (ctx) => {
  const aws: NonNullable<MockOptions['aws']> = ctx.options.aws ?? { ...DEFAULT_AWS };
  const models = new ModelSet(ctx.options, BEDROCK_DEFAULT_MODELS, BEDROCK_DEFAULT_RETIRED);
  const profileOnly = new Set(ctx.options.inferenceProfileOnly ?? BEDROCK_DEFAULT_PROFILE_ONLY);

  const awsErr = (status: number, type: string, message: string | null, ns = BEDROCK_NS, field: 'message' | 'Message' = 'message'): Reply =>
    jsonReply(status, { [field]: message }, { 'x-amzn-RequestId': crypto.randomUUID(), 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/${ns}/` });
  const invalidSignature = (message: string): Reply => awsErr(403, 'InvalidSignatureException', message, SERVICE_NS);
  const unrecognized = (): Reply => awsErr(403, 'UnrecognizedClientException', BAD_TOKEN, SERVICE_NS);
  const incomplete = (message: string): Reply => awsErr(403, 'IncompleteSignatureException', message, SERVICE_NS);
  const invalidId = (): Reply => awsErr(400, 'ValidationException', 'The provided model identifier is invalid.');
  const needsProfile = (id: string): Reply => awsErr(400, 'ValidationException', `Invocation of model ID ${id} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`);
  const endOfLife = (): Reply => awsErr(404, 'ResourceNotFoundException', 'This model version has reached the end of its life. Please refer to the AWS documentation for more details.');

  const hostRegion = (req: MockRequest): string | undefined =>
    /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?::\d+)?$/.exec(req.header('host') ?? '')?.[1];

  const parseAuthorization = (auth: string): Map<string, string> | undefined => {
    const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(auth);
    if (!m) return undefined;
    const params = new Map<string, string>();
    for (const part of m[1].split(',')) {
      const i = part.indexOf('=');
      if (i > 0) params.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
    }
    return params;
  };

  /** The request as the signer sees it: only the headers the client says it signed. */
  const signable = (req: MockRequest, signed: string[]): SignableRequest => {
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const v = headerValue(req.headers[name]);
      if (v !== undefined) headers[name] = v;
    }
    return { method: req.method, protocol: 'http:', hostname: '127.0.0.1', path: req.pathname, query: queryObject(req.query), headers, body: req.body };
  };

  const describe = async (req: MockRequest, signed: string[], amzDate: string, scope: string[]): Promise<{ canonical: string; stringToSign: string }> => {
    const inspector = new SigV4Inspector({ service: scope[3] ?? 'bedrock', region: scope[2] ?? 'us-east-1', credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey }, sha256, applyChecksum: false });
    return inspector.describe(signable(req, signed), new Set(signed), amzDate, scope.slice(1).join('/'));
  };
  const mismatchMessage = (d: { canonical: string; stringToSign: string }): string =>
    `${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${d.canonical}'\n\nThe String-to-Sign should have been\n'${d.stringToSign}'\n`;

  /** Checks the SigV4 signature; the region the credential is scoped to when it is good. */
  const verify = async (req: MockRequest): Promise<Reply | { region: string }> => {
    const auth = req.header('authorization');
    if (auth === undefined || auth === '') return awsErr(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token', SERVICE_NS);
    const bearer = /^Bearer (.*)$/s.exec(auth);
    if (bearer) {
      if (req.header('x-amz-date') !== undefined || req.header('x-amz-security-token') !== undefined) ctx.violations.push('amazon-bedrock: SigV4 headers sent with a Bedrock API key');
      const expected = Buffer.from(ctx.options.bedrockApiKey ?? DEFAULT_BEDROCK_API_KEY);
      const got = Buffer.from(bearer[1]);
      if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) return awsErr(403, 'AccessDeniedException', BAD_API_KEY, BEDROCK_NS, 'Message');
      return { region: aws.region ?? hostRegion(req) ?? 'us-east-1' };
    }
    const params = parseAuthorization(auth);
    const required = ['Credential', 'Signature', 'SignedHeaders'];
    const missing = params ? required.filter((n) => !params.get(n)) : required;
    if (!params || missing.length > 0) {
      return incomplete(`${missing.map((n) => `Authorization header requires '${n}' parameter.`).join(' ')} Authorization=${auth}`);
    }
    const credential = params.get('Credential') as string;
    const scope = credential.split('/');
    if (scope.length !== 5 || scope[4] !== 'aws4_request') {
      return incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
    }
    const [accessKeyId, shortDate, region, service] = scope;
    const amzDate = req.header('x-amz-date');
    if (amzDate === undefined) return incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${auth}`);
    const date = parseAmzDate(amzDate);
    if (!date) return incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);

    if (accessKeyId !== aws.accessKeyId) return unrecognized();
    const token = req.header('x-amz-security-token');
    if ((aws.sessionToken ?? undefined) !== token) return unrecognized();

    if (shortDate !== amzDate.slice(0, 8)) {
      return invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${shortDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
    }
    const now = Date.now();
    const skew = 5 * 60_000;
    if (date.getTime() < now - skew) return invalidSignature(`Signature expired: ${amzDate} is now earlier than ${amz(new Date(now - skew))} (${amz(new Date(now))} - 5 min.)`);
    if (date.getTime() > now + skew) return invalidSignature(`Signature not yet current: ${amzDate} is still later than ${amz(new Date(now + skew))} (${amz(new Date(now))} + 5 min.)`);
    if (service !== 'bedrock') return invalidSignature("Credential should be scoped to correct service: 'bedrock'. ");
    const expectedRegion = aws.region ?? hostRegion(req);
    if (expectedRegion !== undefined && region !== expectedRegion) return invalidSignature('Credential should be scoped to a valid region. ');

    const signed = (params.get('SignedHeaders') as string).split(';');
    // Over HTTP/2 the AWS SDK signs `:authority` in place of `host`; the service takes either.
    if (!signed.includes('host') && !signed.includes(':authority')) return invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    const contentSha = req.header('x-amz-content-sha256');
    if (contentSha !== undefined && contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== crypto.createHash('sha256').update(req.body, 'utf8').digest('hex')) {
      return invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }

    const signer = new SignatureV4({ service, region, credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey }, sha256, applyChecksum: false });
    const resigned = await signer.sign(signable(req, signed), { signingDate: date, signableHeaders: new Set(signed) });
    const expected = parseAuthorization(headerValue(resigned.headers.authorization) ?? '') ?? new Map<string, string>();
    const same = required.every((n) => {
      const a = Buffer.from(expected.get(n) ?? '');
      const b = Buffer.from(params.get(n) ?? '');
      return a.length === b.length && crypto.timingSafeEqual(a, b);
    });
    if (!same) {
      return invalidSignature(mismatchMessage(await describe(req, signed, amzDate, scope)));
    }
    return { region };
  };

  type Resolution = { ok: string } | { reply: Reply };
  const resolveModel = (id: string, region: string, retired: boolean): Resolution => {
    let name = id;
    let fromArn: string | undefined;
    const arn = /^arn:aws(?:-[a-z-]+)?:bedrock:([a-z0-9-]+):\d*:(foundation-model|inference-profile|application-inference-profile)\/(.+)$/.exec(id);
    if (arn) {
      if (arn[1] !== region) return { reply: invalidId() };
      if (arn[2] === 'application-inference-profile') return { ok: arn[3] };
      fromArn = arn[2];
      name = arn[3];
    }
    let base = name;
    let prefix: string | undefined;
    const p = /^(global|us-gov|us|eu|apac|jp|au)\.(.+)$/.exec(name);
    if (p && !models.has(name)) {
      prefix = p[1];
      base = p[2];
    }
    if ((fromArn === 'foundation-model' && prefix !== undefined) || (fromArn === 'inference-profile' && prefix === undefined)) return { reply: invalidId() };
    if (!models.has(base) && !models.has(name)) return { reply: invalidId() };
    if (prefix !== undefined && !PROFILE_REGIONS[prefix].test(region)) return { reply: invalidId() };
    if (retired || models.isRetired(base)) return { reply: endOfLife() };
    if (prefix === undefined && profileOnly.has(base)) return { reply: needsProfile(name) };
    return { ok: name };
  };

  const converseBody = (text: string, maxTokens: number | undefined): Record<string, unknown> => ({
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: maxTokens !== undefined && maxTokens <= 1 ? 'max_tokens' : 'end_turn',
    usage: { inputTokens: 8, outputTokens: 1, totalTokens: 9, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    metrics: { latencyMs: 212 },
  });

  const routeModel = (req: MockRequest): string | undefined => {
    const m = /^\/model\/([^/]+)\/converse(-stream)?$/.exec(req.pathname);
    return req.method === 'POST' && m ? safeDecode(m[1]) : undefined;
  };

  const answer = (req: MockRequest, region: string, retired: boolean): Reply => {
    const id = routeModel(req);
    if (id === undefined) return awsErr(404, 'UnknownOperationException', null, SERVICE_NS);
    const resolved = resolveModel(id, region, retired);
    if ('reply' in resolved) return resolved.reply;
    const body = req.json;
    if (req.jsonError || !isObject(body)) return awsErr(400, 'SerializationException', 'Unexpected token while parsing the request body.', SERVICE_NS);
    if (!Array.isArray(body.messages)) {
      return awsErr(400, 'ValidationException', "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");
    }
    const first: unknown = body.messages[0];
    if (!isObject(first) || first.role !== 'user') {
      return awsErr(400, 'ValidationException', 'A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    }
    const config = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
    if (req.pathname.endsWith('/converse-stream')) {
      return { status: 200, headers: { 'x-amzn-RequestId': crypto.randomUUID() }, stream: bedrockStream(script(bedrockToolNames(body), bedrockToolResult(body), 'tooluse_mockbedrock1')) };
    }
    return jsonReply(200, converseBody('Pong', config.maxTokens === undefined ? undefined : Number(config.maxTokens)), { 'x-amzn-RequestId': crypto.randomUUID() });
  };

  const echo = async (req: MockRequest): Promise<Reply> => {
    const auth = req.header('authorization') ?? '';
    const params = parseAuthorization(auth);
    const scope = (params?.get('Credential') ?? `${aws.accessKeyId}/00000000/us-east-1/bedrock/aws4_request`).split('/');
    const signed = params?.get('SignedHeaders')?.split(';') ?? Object.keys(req.headers);
    const d = await describe(req, signed, req.header('x-amz-date') ?? '', scope);
    // A hostile server may also echo the session token and the access key ID bare, where no key shape gives them away.
    const token = req.header('x-amz-security-token');
    return invalidSignature(`${token ? `The security token ${token} of ${scope[0]} is not valid here. ` : ''}${mismatchMessage(d)}\nAuthorization=${auth}`);
  };

  return {
    success: () => jsonReply(200, converseBody('Pong', undefined), { 'x-amzn-RequestId': crypto.randomUUID() }),
    async handle(req: MockRequest, scenario: Scenario): Promise<Reply> {
      const id = routeModel(req) ?? 'anthropic.claude-sonnet-4-5-20250929-v1:0';
      const region = aws.region ?? hostRegion(req) ?? 'us-east-1';
      switch (scenario) {
        case 'auth_failed': return /^Bearer /.test(req.header('authorization') ?? '') ? awsErr(403, 'AccessDeniedException', BAD_API_KEY, BEDROCK_NS, 'Message') : unrecognized();
        case 'echo_key': return echo(req);
        case 'permission_denied':
          return awsErr(403, 'AccessDeniedException', `User: arn:aws:iam::123456789012:user/mock-user is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:${region}::foundation-model/${id} because no identity-based policy allows the bedrock:InvokeModel action`, BEDROCK_NS, 'Message');
        case 'not_found':
        case 'invalid_model_id':
          return invalidId();
        case 'needs_inference_profile': return needsProfile(id);
        case 'model_retired': return endOfLife();
        case 'quota_exceeded':
          return awsErr(400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account. You can view your quotas at https://console.aws.amazon.com/servicequotas. You can resubmit your request later.');
        case 'billing':
          return awsErr(403, 'AccessDeniedException', 'Model access is denied due to INVALID_PAYMENT_INSTRUMENT:A valid payment instrument must be provided.. Your AWS Marketplace subscription for this model cannot be completed at this time. If you recently fixed this issue, try again after 15 minutes.');
        case 'rate_limited': return awsErr(429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
        case 'overloaded': return awsErr(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.');
        case 'bad_request': return awsErr(400, 'ValidationException', 'A conversation must start with a user message. Try again with a conversation that starts with a user message.');
        case 'server_error': return awsErr(500, 'InternalServerException', 'The system encountered an unexpected error during processing. Try your request again.');
        case 'unsupported_parameter':
          return awsErr(400, 'ValidationException', 'The model returned the following errors: Malformed input request: #: extraneous key [max_tokens] is not permitted, please reformat your input and try again.');
        case 'wrong_api_version': return awsErr(404, 'UnknownOperationException', null, SERVICE_NS);
        case 'markup': return awsErr(400, 'ValidationException', MARKUP_MESSAGE);
        default: break;
      }
      const verified = await verify(req);
      if ('status' in verified) return verified;
      return answer(req, aws.region ?? hostRegion(req) ?? verified.region, false);
    },
  };
};
