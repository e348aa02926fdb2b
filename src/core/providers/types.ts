/** One interface for every provider client, and the outcome vocabulary shared by the editor and the CLI. */
import type { ProviderId } from './catalog';
import type { HttpRequest, HttpResponse } from '../net/http';

/** Outcomes of `PROVIDERS.md`, plus the three that mean "nothing was sent". */
export const OUTCOMES = [
  'ok', 'auth_failed', 'permission_denied', 'not_found', 'model_retired', 'quota_exceeded', 'rate_limited', 'overloaded',
  'bad_request', 'server_error', 'timeout', 'network_error', 'tls_error', 'redirect_blocked', 'invalid_response',
  'missing_credentials', 'blocked', 'cancelled',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The key material of a connection. A provider may accept several kinds (Bedrock: an
 * access key pair or a Bedrock API key); which one a teammate uses is theirs, the
 * manifest is the same. New kinds are added here and in `credentialKindsOf`.
 */
export type Credential =
  | { kind: 'apiKey'; apiKey: string }
  | { kind: 'aws'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** An Amazon Bedrock API key, sent as `Authorization: Bearer` instead of a SigV4 signature. */
  | { kind: 'bedrockApiKey'; apiKey: string }
  /**
   * A Microsoft Entra ID identity (Azure OpenAI): no secret is stored, only where the token
   * comes from (core/identity/entra.ts). `accessToken` is filled in by the core for one
   * request after the origin check, and is never stored.
   */
  | { kind: 'entraId'; source: EntraSource; tenantId?: string; accessToken?: string }
  /** A named AWS profile of this machine's shared config files; keys are resolved by the AWS SDK when a request is signed. */
  | { kind: 'awsProfile'; profile: string }
  | { kind: 'none' };

/** Where a Microsoft Entra ID token comes from: the Azure CLI's sign-in, VS Code's Microsoft account, AZURE_* variables, or the whole DefaultAzureCredential chain. */
export type EntraSource = 'azureCli' | 'vscode' | 'environment' | 'default';

export type CredentialKindName = Credential['kind'];

/** What a provider needs to know about one connection, read from the manifest. */
export interface ConnectionTarget {
  provider: ProviderId;
  /** The manifest's model and connection names (for messages only). */
  modelName: string;
  connectionName: string;
  /** The provider's model code (Bedrock: model ID, Azure: the model behind the deployment). */
  model: string;
  /** The connection's provider settings as written (endpoint, deployment, apiVersion, region, baseUrl, authHeader, advancedProperties). */
  settings: Readonly<Record<string, unknown>>;
}

/** Replacement bases for the built-in providers' official origins (the `providerEndpoints` setting, the CLI's `--endpoint`). */
export type EndpointOverrides = Partial<Record<ProviderId, string>>;

export type TestDepth = 'full' | 'quick';

/** How a provider reached its verdict, before the shared runner adds hint, latency and redaction. */
export interface ProviderVerdict {
  outcome: Outcome;
  /** The provider's own message, if any (redacted and capped later). */
  message?: string;
  /** Provider error code or type, e.g. `model_not_found`, `ValidationException`. */
  code?: string;
  status?: number;
  requestId?: string;
  retryAfterMs?: number;
  /** A provider-specific hint that beats the generic one for this outcome. */
  hint?: string;
  stage: 'metadata' | 'completion';
}

export interface ProviderContext {
  depth: TestDepth;
  /** Sends one request through the shared HTTP helper; throws `HttpFailure` for transport outcomes. */
  send(request: HttpRequest): Promise<HttpResponse>;
}

export interface ProviderClient {
  readonly id: ProviderId;
  /** `base` comes from targets.ts and was checked against the key's bound origin before this call. */
  test(target: ConnectionTarget, credential: Credential, base: string, ctx: ProviderContext): Promise<ProviderVerdict>;
}

/** A configuration problem found before sending anything (missing endpoint, bad URL …). */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/**
 * Credentials that could not be obtained before anything was sent (an unknown AWS profile,
 * an expired SSO session). Recognised with `CredentialError.is`, not `instanceof`: it is
 * thrown from a bundle of its own (dist/awsProfiles.js) that has its own copy of the class.
 */
export class CredentialError extends Error {
  constructor(readonly outcome: Extract<Outcome, 'auth_failed' | 'missing_credentials'>, message: string, readonly hint: string) {
    super(message);
    this.name = 'CredentialError';
  }

  static is(err: unknown): err is CredentialError {
    return err instanceof Error && err.name === 'CredentialError' && typeof (err as Partial<CredentialError>).hint === 'string'
      && ((err as Partial<CredentialError>).outcome === 'auth_failed' || (err as Partial<CredentialError>).outcome === 'missing_credentials');
  }
}

export interface TestResult {
  outcome: Outcome;
  /** One line: what happened, in the provider's words where useful. Redacted. */
  message: string;
  /** One line: what to do about it. */
  hint: string;
  status?: number;
  latencyMs: number;
  requestId?: string;
  retryAfterMs?: number;
  /** The origin the request went to (or would have gone to). */
  origin?: string;
  /** Where the test stopped: `credential` while getting what to sign with (an Entra ID token, an AWS profile's keys), nothing sent. */
  stage?: 'credential' | 'metadata' | 'completion';
  /** ISO timestamp. */
  at: string;
}
