/**
 * A connection as the environment variables the providers' own SDKs read, so that an
 * agent started with it (the CLI's `run`, later a terminal or a debug session) uses
 * the connection without a key ever written to a file:
 *
 * | provider      | variables                                                                     |
 * | ------------- | ----------------------------------------------------------------------------- |
 * | openai        | OPENAI_API_KEY                                                                |
 * | anthropic     | ANTHROPIC_API_KEY                                                             |
 * | google-gemini | GEMINI_API_KEY and GOOGLE_API_KEY (same key); GOOGLE_GENAI_API_VERSION:       |
 * |               | the manifest's apiVersion, else v1beta (preview models) or v1, as a test      |
 * | cohere        | CO_API_KEY                                                                    |
 * | amazon-bedrock| AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN when set,         |
 * |               | or for a Bedrock API key AWS_BEARER_TOKEN_BEDROCK, or for an AWS profile      |
 * |               | AWS_PROFILE (a name, not secret); AWS_REGION and AWS_DEFAULT_REGION           |
 * | azure-openai  | AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION; with the v1  |
 * |               | API (apiVersion v1, the default) instead of OPENAI_API_VERSION:               |
 * |               | OPENAI_BASE_URL (…/openai/v1) and OPENAI_API_KEY, what `OpenAI()` reads there  |
 * |               | Microsoft Entra ID: no key; the AZURE_* identity variables that are set      |
 * |               | (AZURE_TENANT_ID, AZURE_CLIENT_ID …) for the process's own credential          |
 * | generic       | OPENAI_BASE_URL, and OPENAI_API_KEY for `Authorization: Bearer` (the default); |
 * |               | no key for `authHeader: none`; for another header name the raw key in         |
 * |               | AGENT_CONNECTION_API_KEY and the name in AGENT_CONNECTION_AUTH_HEADER         |
 *
 * Always: AGENT_CONNECTION (`model/connection`), AGENT_CONNECTION_PROVIDER,
 * AGENT_CONNECTION_MODEL (the provider's model code), and for Azure
 * AGENT_CONNECTION_DEPLOYMENT (what the Azure SDK calls `model`).
 *
 * A built-in provider's endpoint override (a gateway, a mock) becomes the SDK's base URL
 * variable (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GOOGLE_GEMINI_BASE_URL, CO_API_URL,
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME), so the key goes exactly where a test sends it.
 *
 * Plain Node, no VS Code, no I/O: the caller resolves the credential (environment
 * variables, SecretStorage) and checks the target before handing keys to a process.
 */
import { isProviderId, type ProviderId } from '../providers/catalog';
import { connectionReference } from '../manifest/names';
import { setting } from '../providers/common';
import { bedrockRegion, geminiApiVersion, genericAuthHeader, targetBase } from '../providers/targets';
import type { ConnectionTarget, Credential, EndpointOverrides } from '../providers/types';
import { entraVariables } from '../identity/entra';
import { dotenvLine } from './dotenv';

/** The parts of a credential, each of which may come from its own place. */
export type SecretPart = 'apiKey' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'bedrockApiKey' | 'awsProfile';

export interface RuntimeVariable {
  name: string;
  /** The value; for a secret whose credential was not given, the empty string. */
  value: string;
  /** A key (or part of one): never printed, only handed to the process. */
  secret: boolean;
  /** Where the value comes from: a secret's store or variable, or the manifest field. */
  source: string;
}

export interface RuntimeEnvInput {
  target: ConnectionTarget;
  /** The resolved credential, or undefined to list the variables only (their values are then empty). */
  credential?: Credential;
  /** Where each secret part comes from, e.g. `AGENT_CONNECTIONS__GPT_4O__PROD__API_KEY` or `SecretStorage`. */
  secretSource(part: SecretPart): string;
  /** Replacements of built-in providers' official bases (the same as for a test). */
  endpoints?: EndpointOverrides;
  /** The caller's environment: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE go with AWS_PROFILE, and an Entra ID connection's AZURE_* identity variables are passed on from it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** SDK variables that carry a key, an endpoint or an API version of an LLM provider. */
const LLM_VARIABLES = [
  'OPENAI_API_KEY', 'OPENAI_ADMIN_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_BASE', 'OPENAI_API_VERSION', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID',
  'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_AD_TOKEN',
  'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL',
  'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'GOOGLE_GENAI_API_VERSION', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_ENTERPRISE',
  'CO_API_KEY', 'CO_API_URL',
  'AGENT_CONNECTION', 'AGENT_CONNECTION_PROVIDER', 'AGENT_CONNECTION_MODEL', 'AGENT_CONNECTION_DEPLOYMENT',
  'AGENT_CONNECTION_API_KEY', 'AGENT_CONNECTION_AUTH_HEADER',
] as const;

/** AWS variables that pick credentials, region or endpoint: replaced for a Bedrock connection only. */
const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE',
  'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_BEARER_TOKEN_BEDROCK',
] as const;

/** The prefix of the CLI's credential variables (`AGENT_CONNECTIONS__…`), never passed on to a process. */
const SOURCE_PREFIX = 'AGENT_CONNECTIONS__';

/**
 * The inherited variables a process started with a connection must not see: every LLM
 * provider's key, endpoint and version variables (so that, say, an OPENAI_API_KEY of the
 * shell does not go to a generic connection's base URL), and for Bedrock the AWS
 * credential, profile, region and endpoint variables. `AGENT_CONNECTIONS__…` variables
 * are removed by `childEnvironment` as well.
 */
export function replacedVariables(provider: ProviderId): string[] {
  return provider === 'amazon-bedrock' ? [...LLM_VARIABLES, ...AWS_VARIABLES] : [...LLM_VARIABLES];
}

/** Base URL variables of the built-in providers' SDKs, set when the official origin is replaced. */
const BASE_URL_VARIABLE: Partial<Record<ProviderId, string>> = {
  openai: 'OPENAI_BASE_URL',
  anthropic: 'ANTHROPIC_BASE_URL',
  'google-gemini': 'GOOGLE_GEMINI_BASE_URL',
  cohere: 'CO_API_URL',
  'amazon-bedrock': 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
};

/**
 * The variables of one connection, in a stable order (identity first, then endpoint and
 * version, then secrets). Throws TargetError when the manifest does not say where the
 * key would go (no endpoint, bad region …), exactly as a test would.
 */
export function runtimeVariables(input: RuntimeEnvInput): RuntimeVariable[] {
  const { target, credential } = input;
  if (!isProviderId(target.provider)) throw new Error(`Unknown provider ${JSON.stringify(target.provider)}.`);
  const out: RuntimeVariable[] = [];
  const plain = (name: string, value: string, source: string) => out.push({ name, value, secret: false, source });
  const secret = (name: string, part: SecretPart) => {
    let value = '';
    if (credential?.kind === 'apiKey' && part === 'apiKey') value = credential.apiKey;
    else if (credential?.kind === 'aws' && (part === 'accessKeyId' || part === 'secretAccessKey' || part === 'sessionToken')) value = credential[part] ?? '';
    else if (credential?.kind === 'bedrockApiKey' && part === 'bedrockApiKey') value = credential.apiKey;
    out.push({ name, value, secret: true, source: input.secretSource(part) });
  };
  const base = targetBase(target, input.endpoints);

  plain('AGENT_CONNECTION', connectionReference(target.modelName, target.connectionName), 'manifest: model/connection');
  plain('AGENT_CONNECTION_PROVIDER', target.provider, 'manifest: provider');
  plain('AGENT_CONNECTION_MODEL', target.model, 'manifest: model');

  const overridden = BASE_URL_VARIABLE[target.provider];
  if (overridden && input.endpoints?.[target.provider]) plain(overridden, base, 'endpoint override');

  switch (target.provider) {
    case 'openai':
      secret('OPENAI_API_KEY', 'apiKey');
      break;
    case 'anthropic':
      secret('ANTHROPIC_API_KEY', 'apiKey');
      break;
    case 'google-gemini':
      // @google/genai 3.x calls v1 unless told otherwise (2.x: v1beta); preview models exist only on v1beta.
      plain('GOOGLE_GENAI_API_VERSION', geminiApiVersion(target), setting(target.settings, 'apiVersion') ? 'manifest: apiVersion' : 'default for the model');
      secret('GEMINI_API_KEY', 'apiKey');
      secret('GOOGLE_API_KEY', 'apiKey');
      break;
    case 'cohere':
      secret('CO_API_KEY', 'apiKey');
      break;
    case 'amazon-bedrock': {
      const region = bedrockRegion(target.settings);
      plain('AWS_REGION', region, 'manifest: region');
      plain('AWS_DEFAULT_REGION', region, 'manifest: region');
      if (credential?.kind === 'awsProfile') {
        // The child's AWS SDK resolves the profile itself (SSO, assume-role, credential_process), from
        // AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE when the parent has them (they are passed on).
        plain('AWS_PROFILE', credential.profile, input.secretSource('awsProfile'));
        for (const name of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) if (input.env?.[name]) plain(name, input.env[name], 'environment');
        break;
      }
      if (credential?.kind === 'bedrockApiKey') {
        // What the AWS SDKs read for a Bedrock API key: they then send it as a bearer token, unsigned.
        secret('AWS_BEARER_TOKEN_BEDROCK', 'bedrockApiKey');
        break;
      }
      secret('AWS_ACCESS_KEY_ID', 'accessKeyId');
      secret('AWS_SECRET_ACCESS_KEY', 'secretAccessKey');
      if (credential?.kind === 'aws' && credential.sessionToken) secret('AWS_SESSION_TOKEN', 'sessionToken');
      break;
    }
    case 'azure-openai': {
      const deployment = setting(target.settings, 'deployment');
      if (deployment) plain('AGENT_CONNECTION_DEPLOYMENT', deployment, 'manifest: deployment');
      plain('AZURE_OPENAI_ENDPOINT', base, 'manifest: endpoint');
      const apiVersion = setting(target.settings, 'apiVersion') ?? 'v1';
      if (apiVersion === 'v1') {
        plain('OPENAI_BASE_URL', `${base}/openai/v1`, 'manifest: endpoint (v1 API)');
      } else {
        plain('OPENAI_API_VERSION', apiVersion, 'manifest: apiVersion');
      }
      if (credential?.kind === 'entraId') {
        // The process signs in itself (DefaultAzureCredential); no key and no token is handed on.
        for (const v of entraVariables(input.env ?? {})) out.push({ ...v, source: `environment: ${v.name}` });
        break;
      }
      secret('AZURE_OPENAI_API_KEY', 'apiKey');
      if (apiVersion === 'v1') secret('OPENAI_API_KEY', 'apiKey');
      break;
    }
    case 'generic': {
      plain('OPENAI_BASE_URL', base, 'manifest: baseUrl');
      const header = genericAuthHeader(target);
      if (header === undefined) break;
      if (header.toLowerCase() === 'authorization') {
        secret('OPENAI_API_KEY', 'apiKey');
      } else {
        plain('AGENT_CONNECTION_AUTH_HEADER', header, 'manifest: authHeader');
        secret('AGENT_CONNECTION_API_KEY', 'apiKey');
      }
      break;
    }
  }
  return out;
}

/** What `env` prints instead of a secret: where it would come from, never the value. */
export function placeholderFor(v: RuntimeVariable): string {
  return v.secret ? `<secret from ${v.source}>` : v.value;
}

/** The variables with every secret value replaced by its placeholder. */
export function withPlaceholders(vars: readonly RuntimeVariable[]): RuntimeVariable[] {
  return vars.map((v) => ({ ...v, value: placeholderFor(v) }));
}

/**
 * The environment of a process started with a connection: the parent's, without any
 * `AGENT_CONNECTIONS__…` credential variable (a process gets its own connection only,
 * in the SDK variables) and without the variables the connection replaces, plus the
 * connection's variables.
 */
export function childEnvironment(parent: Readonly<Record<string, string | undefined>>, provider: ProviderId, vars: readonly RuntimeVariable[]): Record<string, string> {
  const drop = new Set(replacedVariables(provider));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || drop.has(name) || name.toUpperCase().startsWith(SOURCE_PREFIX)) continue;
    out[name] = value;
  }
  for (const v of vars) out[v.name] = v.value;
  return out;
}

/**
 * Renders variables as `.env` lines (a DotenvError for a value `.env` cannot hold, see
 * dotenv.ts) or POSIX shell `export` lines (values single-quoted).
 */
export function renderVariables(vars: readonly RuntimeVariable[], format: 'dotenv' | 'shell'): string {
  return vars.map((v) => (format === 'shell' ? `export ${v.name}=${shellQuote(v.value)}` : dotenvLine(v.name, v.value))).join('\n') + (vars.length ? '\n' : '');
}

/** One shell word, whatever the value: single quotes, with `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
