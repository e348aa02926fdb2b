/**
 * Where a connection's key would go, and what kind of key it needs — computed from
 * the manifest and the user's endpoint overrides alone. Kept apart from the clients
 * so the editor can answer these questions (tree, Set Key) without loading undici or
 * the AWS signer, which arrive with the first test.
 */
import { defaultGeminiApiVersion, isProviderId } from './catalog';
import { checkedBase, officialBase, setting } from './common';
import { TargetError, type ConnectionTarget, type CredentialKindName, type EndpointOverrides } from './types';

export const OFFICIAL_BASES = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  'google-gemini': 'https://generativelanguage.googleapis.com',
  cohere: 'https://api.cohere.com',
} as const;

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The connection's AWS region, strictly shaped: it becomes part of a host name. */
export function bedrockRegion(settings: Readonly<Record<string, unknown>>): string {
  const r = setting(settings, 'region');
  if (!r) throw new TargetError('The connection has no Region (e.g. us-east-1).');
  if (!REGION.test(r)) throw new TargetError(`${JSON.stringify(r.slice(0, 40))} is not an AWS region (e.g. us-east-1).`);
  return r;
}

/** A Gemini connection's API version (`apiVersion`, else v1beta for preview models and v1 for the others), checked: it becomes part of a path. */
export function geminiApiVersion(target: ConnectionTarget): string {
  const version = setting(target.settings, 'apiVersion') ?? defaultGeminiApiVersion(target.model);
  if (!/^v\d+((alpha|beta)\d*)?$/.test(version)) throw new TargetError(`${JSON.stringify(version)} is not a Gemini API version (v1, v1beta …).`);
  return version;
}

/** Generic connections: `Authorization` (Bearer, the default), another header name, or `none`. */
export function genericAuthHeader(target: ConnectionTarget): string | undefined {
  const h = setting(target.settings, 'authHeader') ?? 'Authorization';
  return h.toLowerCase() === 'none' ? undefined : h;
}

/** The base URL a test of this connection sends its key to (throws TargetError). */
export function targetBase(target: ConnectionTarget, endpoints: EndpointOverrides = {}): string {
  if (!isProviderId(target.provider)) throw new TargetError(`Unknown provider ${JSON.stringify(target.provider)}.`);
  switch (target.provider) {
    case 'openai': case 'anthropic': case 'google-gemini': case 'cohere':
      return officialBase(OFFICIAL_BASES[target.provider], endpoints[target.provider], target.provider);
    case 'amazon-bedrock': {
      const r = bedrockRegion(target.settings);
      return officialBase(`https://bedrock-runtime.${r}.amazonaws.com`, endpoints['amazon-bedrock']?.replace(/\{region\}/g, r), 'amazon-bedrock');
    }
    case 'azure-openai': {
      const endpoint = setting(target.settings, 'endpoint');
      if (!endpoint) throw new TargetError('The connection has no Azure Endpoint (e.g. https://my-resource.openai.azure.com).');
      return checkedBase(endpoint, 'The Azure Endpoint');
    }
    case 'generic': {
      const base = setting(target.settings, 'baseUrl');
      if (!base) throw new TargetError('The connection has no Base URL (e.g. https://api.groq.com/openai/v1).');
      return checkedBase(base, 'The Base URL');
    }
  }
}

/** Whether the connection needs a stored credential to be tested. */
export function needsCredential(target: ConnectionTarget): boolean {
  return target.provider !== 'generic' || genericAuthHeader(target) !== undefined;
}

/** The connection's default credential kind (Bedrock: the access key pair). */
export function credentialKindOf(target: ConnectionTarget): 'apiKey' | 'aws' | 'none' {
  if (target.provider === 'amazon-bedrock') return 'aws';
  return needsCredential(target) ? 'apiKey' : 'none';
}

/** Every credential kind the connection accepts, the default first. */
export function credentialKindsOf(target: ConnectionTarget): CredentialKindName[] {
  if (target.provider === 'amazon-bedrock') return ['aws', 'bedrockApiKey', 'awsProfile'];
  if (target.provider === 'azure-openai') return ['apiKey', 'entraId'];
  return [credentialKindOf(target)];
}

/** How a credential kind is named in messages. */
export function credentialKindLabel(kind: CredentialKindName): string {
  switch (kind) {
    case 'aws': return 'an AWS access key pair';
    case 'bedrockApiKey': return 'a Bedrock API key';
    case 'entraId': return 'a Microsoft Entra ID identity';
    case 'awsProfile': return 'an AWS profile';
    case 'apiKey': return 'an API key';
    case 'none': return 'no key';
  }
}
