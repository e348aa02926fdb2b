/** Providers, their labels and the natively supported model catalogue (seed 004). */

export const PROVIDER_IDS = ['openai', 'anthropic', 'google-gemini', 'cohere', 'amazon-bedrock', 'azure-openai', 'generic'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const PROVIDER_LABELS: Record<ProviderId, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  'google-gemini': 'Google Gemini',
  cohere: 'Cohere',
  'amazon-bedrock': 'Amazon Bedrock',
  'azure-openai': 'Azure OpenAI',
  generic: 'Generic (OpenAI-compatible)',
};

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}

export function providerLabel(value: unknown): string {
  return isProviderId(value) ? PROVIDER_LABELS[value] : typeof value === 'string' ? value : 'unknown provider';
}

/** Provider settings a connection may carry, per provider (the schema is the authority; this drives messages). */
export const PROVIDER_SETTINGS: Record<ProviderId, readonly string[]> = {
  openai: [],
  anthropic: [],
  cohere: [],
  'google-gemini': ['apiVersion'],
  'amazon-bedrock': ['region'],
  'azure-openai': ['endpoint', 'deployment', 'apiVersion'],
  generic: ['baseUrl', 'apiFormat', 'authHeader', 'advancedProperties'],
};

export interface CatalogModel {
  label: string;
  provider: ProviderId;
  model: string;
}

/** The natively supported LLMs of seed 004, with the provider's model code. */
export const NATIVE_CATALOGUE: readonly CatalogModel[] = [
  { label: 'Amazon Nova Premier', provider: 'amazon-bedrock', model: 'us.amazon.nova-premier-v1:0' },
  { label: 'Amazon Nova Pro', provider: 'amazon-bedrock', model: 'amazon.nova-pro-v1:0' },
  { label: 'Anthropic Claude 3.5 Haiku', provider: 'amazon-bedrock', model: 'anthropic.claude-3-5-haiku-20241022-v1:0' },
  { label: 'Anthropic Claude 3.7 Sonnet', provider: 'amazon-bedrock', model: 'anthropic.claude-3-7-sonnet-20250219-v1:0' },
  { label: 'Anthropic Claude 4.5 Haiku', provider: 'amazon-bedrock', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' },
  { label: 'Anthropic Claude 4.5 Sonnet', provider: 'amazon-bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
  { label: 'Anthropic Claude Opus 4.1', provider: 'amazon-bedrock', model: 'us.anthropic.claude-opus-4-1-20250805-v1:0' },
  { label: 'Cohere Command R', provider: 'amazon-bedrock', model: 'cohere.command-r-v1:0' },
  { label: 'Azure OpenAI GPT-4o', provider: 'azure-openai', model: 'gpt-4o' },
  { label: 'Azure OpenAI GPT-4.1', provider: 'azure-openai', model: 'gpt-4.1' },
  { label: 'Azure OpenAI GPT-4.1 nano', provider: 'azure-openai', model: 'gpt-4.1-nano' },
  { label: 'Azure OpenAI GPT-4.1 mini', provider: 'azure-openai', model: 'gpt-4.1-mini' },
  { label: 'Azure OpenAI gpt-5-mini', provider: 'azure-openai', model: 'gpt-5-mini' },
  { label: 'Google Gemini 2.0 Flash', provider: 'google-gemini', model: 'gemini-2.0-flash' },
  { label: 'Google Gemini 2.5 Flash', provider: 'google-gemini', model: 'gemini-2.5-flash' },
  { label: 'Google Gemini 2.5 Pro', provider: 'google-gemini', model: 'gemini-2.5-pro' },
  { label: 'Google Gemini 3 Flash Preview', provider: 'google-gemini', model: 'gemini-3-flash-preview' },
  { label: 'Google Gemini 3.1 Pro Preview', provider: 'google-gemini', model: 'gemini-3.1-pro-preview' },
];

/** Gemini preview and experimental models exist only on v1beta (seed 004, PROVIDERS.md). */
export function isGeminiPreviewModel(model: string): boolean {
  return /(^|[-.])(preview|exp|experimental)([-.]|$)/i.test(model);
}

export function defaultGeminiApiVersion(model: string): 'v1' | 'v1beta' {
  return isGeminiPreviewModel(model) ? 'v1beta' : 'v1';
}

/** Bedrock cross-region inference profile prefixes and the regions each one can be called from. */
export const BEDROCK_PREFIX_REGIONS: Record<string, (region: string) => boolean> = {
  global: () => true,
  us: (r) => /^us-(east|west)-\d$/.test(r),
  'us-gov': (r) => r.startsWith('us-gov-'),
  eu: (r) => r.startsWith('eu-'),
  apac: (r) => r.startsWith('ap-'),
  jp: (r) => r === 'ap-northeast-1' || r === 'ap-northeast-3',
  au: (r) => r === 'ap-southeast-2' || r === 'ap-southeast-4',
  ca: (r) => r.startsWith('ca-'),
};

export const BEDROCK_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-2', 'us-gov-west-1', 'us-gov-east-1', 'ca-central-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-4',
  'sa-east-1',
];

/** Splits a Bedrock model id into its optional inference-profile prefix and the base id. */
export function splitBedrockModelId(id: string): { prefix?: string; base: string } {
  const m = /^(global|us-gov|us|eu|apac|jp|au|ca)\.(.+)$/.exec(id);
  return m ? { prefix: m[1], base: m[2] } : { base: id };
}

/** Bedrock base model ids look like `vendor.name-version[:n]` (e.g. `anthropic.claude-opus-4-1-20250805-v1:0`). */
export function isBedrockModelIdShape(id: string): boolean {
  if (/^arn:aws(-[a-z]+)*:bedrock:[a-z0-9-]+:\d{12}:(inference-profile|application-inference-profile|provisioned-model|custom-model|foundation-model)\/[A-Za-z0-9._:/-]+$/.test(id)) return true;
  const { base } = splitBedrockModelId(id);
  return /^[a-z0-9-]+\.[a-z0-9][a-z0-9._-]*(:\d+(:[0-9a-z]+)?)?$/.test(base);
}

/**
 * Models Bedrock serves only through an inference profile (no on-demand throughput in-region):
 * calling them without a prefix fails with a ValidationException.
 */
export function bedrockNeedsProfile(base: string): boolean {
  return /^anthropic\.claude-(opus-4|sonnet-4|haiku-4|3-7-sonnet|opus-4-1)/.test(base) || /^amazon\.nova-premier/.test(base) || /^meta\.llama(3-[23]|4)/.test(base);
}

/** Headers that carry credentials or routing and must never come from the manifest. */
export const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([
  'host', 'authorization', 'proxy-authorization', 'cookie', 'api-key', 'x-api-key', 'x-goog-api-key',
  'ocp-apim-subscription-key', 'x-amz-security-token', 'x-amz-date', 'x-amz-content-sha256', 'content-length', 'transfer-encoding', 'connection',
]);

/**
 * Why a header value cannot be sent as written, or undefined. Header values are one line of
 * printable ASCII (tabs allowed): the HTTP client refuses other characters with an error
 * that names no header, and a terminal or log shows controls and bidi characters as
 * something else. CR, LF and NUL have their own message (header injection).
 */
export function headerValueProblem(value: string): string | undefined {
  const m = /[^\t\x20-\x7e]/.exec(value);
  if (!m) return undefined;
  const code = `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  // eslint-disable-next-line no-control-regex -- control characters are what is named
  const kind = /[\u0000-\u001f\u007f-\u009f]/.test(m[0]) ? 'a control character' : /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/.test(m[0]) ? 'an invisible or bidirectional-control character' : 'a non-ASCII character';
  return `contains ${kind} (${code}) at character ${m.index + 1}; header values must be printable ASCII. Remove it (or percent-encode it if the server expects that).`;
}

/** Property names that look like a place for a credential: the manifest never holds one. */
export function isCredentialLikeKey(key: string): boolean {
  return /^(api[-_]?key|apikey|key|secret|secret[-_]?(access[-_]?)?key|access[-_]?key([-_]?id)?|session[-_]?token|token|password|passwd|bearer|auth[-_]?token|credentials?)$/i.test(key);
}
