/** The provider clients, one per file, by manifest provider id. */
import type { ProviderId } from './catalog';
import { anthropic } from './anthropic';
import { azureOpenai } from './azure';
import { bedrock } from './bedrock';
import { cohere } from './cohere';
import { gemini } from './gemini';
import { generic } from './generic';
import { openai } from './openai';
import type { ProviderClient } from './types';

export const PROVIDER_CLIENTS: Record<ProviderId, ProviderClient> = {
  openai,
  anthropic,
  'google-gemini': gemini,
  cohere,
  'amazon-bedrock': bedrock,
  'azure-openai': azureOpenai,
  generic,
};

export * from './types';
