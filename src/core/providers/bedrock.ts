/**
 * Amazon Bedrock: the Converse API signed with SigV4 (service `bedrock`) by the AWS
 * SDK's own signer; a session token goes in `x-amz-security-token`. No free call
 * proves model access, so both depths send the minimal Converse request. The model
 * ID is URI-encoded in the path (`:` → `%3A`) and encoded again when signing.
 * A Bedrock API key replaces the signature: `Authorization: Bearer <key>` on the same
 * request, no `x-amz-*` headers, as the AWS SDKs send it (AWS_BEARER_TOKEN_BEDROCK).
 * An AWS profile is resolved to keys (../aws/profileCredentials) just before signing.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ssoLoginCommand } from '../aws/profileName';
import { bedrockNeedsProfile, splitBedrockModelId } from './catalog';
import type { HttpResponse } from '../net/http';
import { expectJson, isObject, mentionsRetirement, outcomeForStatus, parseJson, str } from './common';
import { bedrockRegion } from './targets';
import { TargetError, type Credential, type ProviderClient, type ProviderVerdict } from './types';

/**
 * The AWS SDK's credential providers, loaded on the first request with an AWS profile:
 * a bundle of their own (dist/awsProfiles.js, see esbuild.mjs), so a test with keys
 * does not pay for them.
 */
let awsProfiles: Promise<typeof import('../aws/profileCredentials')> | undefined;
export const loadAwsProfiles = () => (awsProfiles ??= import('../aws/profileCredentials'));

class Sha256 extends Hash {
  constructor(secret?: Parameters<typeof Hash.prototype.update>[0]) {
    super('sha256', secret);
  }
}

/** Bedrock's answer to a Bedrock API key it does not accept (HTTP 403, `{"Message": "Authentication failed: …API Key…"}`). */
const BAD_API_KEY = /authentication failed|api key/i;

export function classify(res: HttpResponse, bearer: boolean): ProviderVerdict {
  const stage = 'completion';
  const requestId = (res.headers['x-amzn-requestid'] ?? res.headers['x-amz-request-id'])?.slice(0, 200);
  if (res.status >= 200 && res.status < 300) {
    const bad = expectJson(res, stage, 'a Bedrock Converse answer', (b) => isObject(b.output) || typeof b.stopReason === 'string');
    return bad ? { ...bad, requestId } : { outcome: 'ok', status: res.status, stage, requestId };
  }
  const json = parseJson(res.body);
  const code = (res.headers['x-amzn-errortype'] ?? '').split(':')[0] || (isObject(json) ? str(json.__type)?.split('#').pop() : undefined);
  const message = isObject(json) ? str(json.message) ?? str(json.Message) : undefined;
  let outcome = outcomeForStatus(res.status);
  if (bearer && res.status === 403 && BAD_API_KEY.test(message ?? '')) return { outcome: 'auth_failed', status: res.status, stage, code, message, requestId };
  switch (code) {
    case 'UnrecognizedClientException': case 'InvalidSignatureException': case 'ExpiredTokenException': case 'IncompleteSignatureException': outcome = 'auth_failed'; break;
    case 'AccessDeniedException': outcome = 'permission_denied'; break;
    case 'ThrottlingException': case 'TooManyRequestsException': outcome = 'rate_limited'; break;
    case 'ModelNotReadyException': case 'ServiceUnavailableException': outcome = 'overloaded'; break;
    case 'ServiceQuotaExceededException': outcome = 'quota_exceeded'; break;
    case 'ResourceNotFoundException': outcome = mentionsRetirement(message) || /end of life|legacy/i.test(message ?? '') ? 'model_retired' : 'not_found'; break;
    case 'ValidationException': outcome = /model identifier is invalid/i.test(message ?? '') ? 'not_found' : mentionsRetirement(message) ? 'model_retired' : 'bad_request'; break;
    case 'ModelTimeoutException': outcome = 'timeout'; break;
    case 'InternalServerException': case 'ModelErrorException': outcome = 'server_error'; break;
  }
  return { outcome, status: res.status, stage, code, message, requestId };
}

export const bedrock: ProviderClient = {
  id: 'amazon-bedrock',
  async test(target, credential, base, ctx) {
    if (!isBedrockCredential(credential)) throw new TargetError(BEDROCK_KINDS);
    const r = bedrockRegion(target.settings);
    const { url, body, headers } = await bedrockRequest(base, target.model, r, credential);
    const bearer = credential.kind === 'bedrockApiKey';
    const verdict = classify(await ctx.send({ method: 'POST', url: url.toString(), headers, body }), bearer);
    const { prefix, base: baseId } = splitBedrockModelId(target.model);
    const msg = verdict.message ?? '';
    if (/on-demand throughput|inference profile/i.test(msg) && !prefix) {
      verdict.hint = `${baseId} is served only through a cross-region inference profile: prefix the model ID, e.g. us.${baseId} (or eu., apac., global.).`;
    } else if (verdict.outcome === 'not_found' && !prefix && bedrockNeedsProfile(baseId)) {
      verdict.hint = `Try the inference profile: us.${baseId} (or eu., apac., global. for your region).`;
    } else if (verdict.outcome === 'not_found') {
      verdict.hint = `Bedrock does not know ${target.model} in ${r}: check the model ID and that the model is offered in this region.`;
    } else if (verdict.outcome === 'model_retired') {
      verdict.hint = 'This model reached end of life on Bedrock (Legacy): choose a current model ID.';
    } else if (verdict.outcome === 'permission_denied') {
      verdict.hint = `The credentials work but have no access to ${target.model} in ${r}: request model access in the Bedrock console and check the IAM policy allows bedrock:InvokeModel${bearer ? ' and bedrock:CallWithBearerToken' : ''}.`;
    } else if (credential.kind === 'awsProfile' && verdict.outcome === 'auth_failed') {
      profileRefused(verdict, credential.profile);
    } else if (bearer && verdict.outcome === 'auth_failed') {
      verdict.hint = `Bedrock does not accept this Bedrock API key (revoked, expired, mistyped, or a short-term key from another region than ${r}): Replace key.`;
    } else if (verdict.code === 'UnrecognizedClientException') {
      verdict.hint = 'AWS does not know this access key ID (deleted, mistyped, or from another partition such as GovCloud or China).';
    } else if (verdict.code === 'InvalidSignatureException') {
      verdict.hint = 'The secret access key does not match the access key ID: Replace key with the pair as AWS issued it.';
    } else if (verdict.code === 'ExpiredTokenException') {
      verdict.hint = 'The session token expired: get fresh temporary credentials and Replace key.';
    }
    return verdict;
  },
};

/** A verdict on an AWS profile's keys: refused keys are forgotten (the next request resolves the profile anew) and the hint names the profile. */
export function profileRefused(verdict: ProviderVerdict, profile: string): ProviderVerdict {
  if (verdict.outcome !== 'auth_failed') return verdict;
  void loadAwsProfiles().then((m) => m.forgetAwsProfileKeys(profile));
  verdict.hint = `AWS refused the credentials of profile ${profile}${verdict.code ? ` (${verdict.code})` : ''}: check the profile; for an SSO profile run \`${ssoLoginCommand(profile)}\`.`;
  return verdict;
}

type BedrockCredential = Extract<Credential, { kind: 'aws' | 'bedrockApiKey' | 'awsProfile' }>;

export const BEDROCK_KINDS = 'Amazon Bedrock needs an access key pair, a Bedrock API key or an AWS profile.';

export function isBedrockCredential(credential: Credential): credential is BedrockCredential {
  return credential.kind === 'aws' || credential.kind === 'bedrockApiKey' || credential.kind === 'awsProfile';
}

/**
 * The Converse request of a test: SigV4-signed for an access key pair, or with
 * `Authorization: Bearer` for a Bedrock API key (no signature, no `x-amz-*` headers).
 */
export async function bedrockRequest(base: string, model: string, r: string, credential: BedrockCredential): Promise<{ url: URL; body: string; headers: Record<string, string> }> {
  const url = new URL(`${base}/model/${encodeURIComponent(model)}/converse`);
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'ping' }] }], inferenceConfig: { maxTokens: 1 } });
  return { url, body, headers: await bedrockHeaders(url, body, credential, r) };
}

/**
 * Headers of a JSON POST to Bedrock `url` (Converse and ConverseStream alike): SigV4 (service `bedrock`) for a key pair or
 * an AWS profile's current keys, Bearer for a Bedrock API key; `host` left to the HTTP client.
 */
export async function bedrockHeaders(url: URL, body: string, credential: BedrockCredential, r: string): Promise<Record<string, string>> {
  // The headers the AWS SDK's BedrockRuntimeClient sends and signs (no Accept, content-length signed); parity is a unit test.
  const sent = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body, 'utf8')) };
  if (credential.kind === 'bedrockApiKey') return { ...sent, authorization: `Bearer ${credential.apiKey}` };
  const keys = credential.kind === 'awsProfile' ? await (await loadAwsProfiles()).awsProfileKeys(credential.profile) : credential;
  const signer = new SignatureV4({
    service: 'bedrock',
    region: r,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken },
    sha256: Sha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...sent },
    body,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') headers[k] = String(v);
  return headers;
}
