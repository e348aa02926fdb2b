/**
 * Azure OpenAI: the `api-key` header on the resource's own endpoint, or, for a
 * Microsoft Entra ID identity, `Authorization: Bearer <token>` and no `api-key` (as the
 * openai SDK's AzureOpenAI sends it with an azureADTokenProvider). A deployment
 * URL with `?api-version=`, or the v1 API (`/openai/v1/chat/completions` with the
 * deployment as `model`) when apiVersion is `v1`. There is no free call that proves
 * a deployment, so both depths send the minimal completion.
 */
import type { HttpResponse } from '../net/http';
import { OPENAI_USER_ROLE } from '../identity/entra';
import { JSON_HEADERS, setting } from './common';
import { chatBody, classifyOpenAiStyle, isTokenParamError } from './openaiShape';
import { TargetError, type Credential, type ProviderClient, type ProviderVerdict } from './types';

const IDS = ['apim-request-id', 'x-request-id', 'x-ms-request-id'];

/** The one credential header of an Azure request: `api-key`, or the Entra ID token as a bearer. */
export function azureAuthHeaders(credential: Credential): Record<string, string> {
  if (credential.kind === 'apiKey') return { 'api-key': credential.apiKey };
  if (credential.kind === 'entraId') {
    if (!credential.accessToken) throw new TargetError('No Microsoft Entra ID token was acquired for this request.');
    return { authorization: `Bearer ${credential.accessToken}` };
  }
  return {};
}

/**
 * Hints that depend on how the caller signed in: an identity without the data-plane role
 * (Azure answers 401 `PermissionDenied` "The principal … lacks the required data action
 * Microsoft.CognitiveServices/accounts/OpenAI/…") is a permission problem, not a bad key.
 */
export function refineAzureAuth(verdict: ProviderVerdict, credential: Credential, host?: string): ProviderVerdict {
  const msg = verdict.message ?? '';
  if ((verdict.status === 401 || verdict.status === 403) && (verdict.code === 'PermissionDenied' || /lacks the required data action/i.test(msg))) {
    verdict.outcome = 'permission_denied';
    verdict.hint = `The identity signed in but may not use this resource: assign it the "${OPENAI_USER_ROLE}" role on ${host ?? 'the Azure OpenAI resource'} (Access control (IAM) in the Azure portal); a new assignment can take a few minutes.`;
  } else if (verdict.outcome === 'auth_failed' && credential.kind === 'entraId') {
    verdict.hint = 'Azure refused the Entra ID token: the endpoint must be the resource\'s own (https://<resource>.openai.azure.com) and the identity must belong to the resource\'s tenant (set the tenant with Set Key…).';
  }
  return verdict;
}

export const azureOpenai: ProviderClient = {
  id: 'azure-openai',
  async test(target, credential, base, ctx) {
    const deployment = setting(target.settings, 'deployment');
    if (!deployment) throw new TargetError('The connection has no Deployment Name.');
    const apiVersion = setting(target.settings, 'apiVersion') ?? 'v1';
    const headers = { ...JSON_HEADERS, ...azureAuthHeaders(credential) };
    const v1 = apiVersion === 'v1';
    const url = v1
      ? `${base}/openai/v1/chat/completions`
      : `${base}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(apiVersion)}`;
    // Older deployments want max_tokens, reasoning models max_completion_tokens: on that 400, retry once with the other.
    const post = (field: 'max_tokens' | 'max_completion_tokens'): Promise<HttpResponse> =>
      ctx.send({ method: 'POST', url, headers, body: chatBody(deployment, { field, value: field === 'max_tokens' ? 1 : 16 }) });
    let res = await post('max_tokens');
    if (isTokenParamError(res, 'max_tokens')) res = await post('max_completion_tokens');
    const verdict: ProviderVerdict = classifyOpenAiStyle(res, 'completion', IDS);
    const msg = verdict.message ?? '';
    if (verdict.outcome === 'not_found') {
      verdict.hint = verdict.code === 'DeploymentNotFound'
        ? `No deployment named "${deployment}" on this resource. Deployment Name is the name you gave the deployment in Azure AI Foundry, not the model name (${target.model}).`
        : v1
          ? 'The v1 API was not found at this endpoint: check the Azure Endpoint, or set an API version such as 2024-10-21.'
          : `Resource not found: check the Azure Endpoint and the API version ${apiVersion}; a retired model version also answers this way.`;
    } else if (verdict.outcome === 'bad_request' && /api[- ]version/i.test(msg)) {
      verdict.hint = `The API version ${apiVersion} is not supported here: use a GA version such as 2024-10-21, a current preview, or v1.`;
    } else if (verdict.outcome === 'auth_failed' && credential.kind === 'apiKey') {
      verdict.hint = `The key was refused. Azure keys belong to one resource: use KEY 1 or KEY 2 of ${new URL(base).host} (Keys and Endpoint in the Azure portal).`;
    }
    return refineAzureAuth(verdict, credential, new URL(base).host);
  },
};
