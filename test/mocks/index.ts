/**
 * Mock LLM provider servers on 127.0.0.1 for tests and benchmarks. Each mock reproduces the routes, auth checks,
 * status codes, headers and bodies of the real service as described in /work/shared/PROVIDERS.md.
 */
import type { MockOptions, MockProvider, MockProviderId } from './types';
import { createMock } from './server';
import type { ProviderFactory } from './server';
import { openaiFactory } from './openai';
import { anthropicFactory } from './anthropic';
import { geminiFactory } from './gemini';
import { cohereFactory } from './cohere';
import { bedrockFactory } from './bedrock';
import { azureFactory } from './azure';
import { genericFactory } from './generic';

export type { MockOptions, MockProvider, MockProviderId, ProxyServer, RecordedRequest, Scenario, TrapServer } from './types';
export { ALL_SCENARIOS } from './types';
export { startTrapServer } from './trap';
export { startProxyServer } from './proxy';
export { startAwsCredentialSources, type AwsCredentialSources, type AwsCredentialSourcesOptions } from './awsCredentialSources';
export { DEFAULT_KEY, MARKUP_MESSAGE } from './server';
export { fakeAzureCliCalls, installFakeAzureCli } from './azureCli';
export { startEntraAuthority, type EntraAuthority } from './entraAuthority';
export { DEFAULT_AWS, DEFAULT_BEDROCK_API_KEY, BEDROCK_DEFAULT_MODELS, BEDROCK_DEFAULT_RETIRED, BEDROCK_DEFAULT_PROFILE_ONLY } from './bedrock';
export { MOCK_STREAM_DELTAS, MOCK_STREAM_TEXT, MOCK_TOOL_INPUT, MOCK_USAGE } from './streaming';
export { OPENAI_DEFAULT_MODELS, OPENAI_DEFAULT_RETIRED } from './openai';
export { ANTHROPIC_DEFAULT_MODELS, ANTHROPIC_DEFAULT_RETIRED, ANTHROPIC_VERSIONS } from './anthropic';
export { GEMINI_DEFAULT_MODELS, GEMINI_DEFAULT_RETIRED } from './gemini';
export { COHERE_DEFAULT_MODELS, COHERE_DEFAULT_RETIRED } from './cohere';
export { AZURE_DEFAULT_DEPLOYMENTS, AZURE_DEFAULT_RETIRED } from './azure';
export { GENERIC_DEFAULT_MODELS, GENERIC_DEFAULT_RETIRED } from './generic';

const FACTORIES: Record<MockProviderId, ProviderFactory> = {
  openai: openaiFactory,
  anthropic: anthropicFactory,
  'google-gemini': geminiFactory,
  cohere: cohereFactory,
  'amazon-bedrock': bedrockFactory,
  'azure-openai': azureFactory,
  generic: genericFactory,
};

/** Starts a mock of `provider` on 127.0.0.1 (port 0). Close it with `close()`. */
export function startMockProvider(provider: MockProviderId, options: MockOptions = {}): Promise<MockProvider> {
  const factory = FACTORIES[provider];
  if (!factory) return Promise.reject(new Error(`unknown mock provider '${String(provider)}'`));
  return createMock(provider, factory, options);
}
