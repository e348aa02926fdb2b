/**
 * Microsoft Entra ID for Azure OpenAI, the parts every layer may load: the sources a
 * token can come from, their labels, the scope, the tenant check, and what the
 * extension hands the core for "VS Code account" (the core never imports vscode).
 * Acquiring a token (with @azure/identity) is in entraToken.ts, a bundle of its own
 * (dist/azureIdentity.js) loaded by accessToken.ts on the first Entra ID request.
 */
import type { Credential, EntraSource } from '../providers/types';
import { envBase, type EnvCredential } from '../import-export/exporters/envNames';

export type { EntraSource } from '../providers/types';
export type EntraCredential = Extract<Credential, { kind: 'entraId' }>;

/** The scope of Azure OpenAI (Cognitive Services) tokens. */
export const ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** The role an identity needs to call a deployment. */
export const OPENAI_USER_ROLE = 'Cognitive Services OpenAI User';

export const ENTRA_SOURCES: Readonly<Record<EntraSource, { label: string; description: string }>> = {
  azureCli: { label: 'Azure CLI', description: 'the account `az login` signed in' },
  vscode: { label: 'VS Code account', description: 'the Microsoft account signed in to VS Code (Accounts menu)' },
  environment: { label: 'Environment', description: 'AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a certificate) of the editor process' },
  default: { label: 'DefaultAzureCredential', description: 'environment, workload or managed identity, Azure CLI, Azure Developer CLI, PowerShell: the first that works' },
};

export function isEntraSource(v: unknown): v is EntraSource {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(ENTRA_SOURCES, v);
}

/** Why a tenant (a GUID or a domain such as contoso.onmicrosoft.com) cannot be used, or undefined. */
export function tenantProblem(tenant: string): string | undefined {
  // The Azure CLI is run with `--tenant TENANT`: a leading "-" would read as an option.
  if (!/^[0-9A-Za-z][0-9A-Za-z.-]{0,99}$/.test(tenant)) return 'A tenant is a directory ID (GUID) or a domain such as contoso.onmicrosoft.com: letters, digits, "." and "-" only, starting with a letter or digit.';
  return undefined;
}

/** "Microsoft Entra ID (Azure CLI, tenant …)", for messages and the tree. */
export function entraLabel(credential: Pick<EntraCredential, 'source' | 'tenantId'>): string {
  return `Microsoft Entra ID (${ENTRA_SOURCES[credential.source].label}${credential.tenantId ? `, tenant ${credential.tenantId}` : ''})`;
}

/** "Entra ID: Azure CLI": what a tree row or the form says instead of "key stored". */
export function entraShortLabel(credential: Pick<EntraCredential, 'source'>): string {
  return `Entra ID: ${ENTRA_SOURCES[credential.source].label}`;
}

/**
 * What the core needs from its host to acquire tokens. `vscodeAccount` is the
 * extension's `vscode.authentication.getSession('microsoft', scopes)`; the CLI has none.
 */
export interface IdentityOptions {
  vscodeAccount?(scopes: string[], tenantId: string | undefined): Promise<string>;
}

/** A token could not be acquired: nothing was sent to Azure. The message says why, the hint what to do. */
export class TokenUnavailableError extends Error {
  constructor(message: string, readonly hint: string, readonly outcome: 'missing_credentials' | 'auth_failed' = 'missing_credentials') {
    super(message);
    this.name = 'TokenUnavailableError';
  }
}

/**
 * The AZURE_* variables @azure/identity's DefaultAzureCredential reads, passed on to a
 * process started with an Entra ID connection when they are set (the process acquires
 * its own token; no token is ever handed on). `secret`: never printed.
 */
const PASSED_ON: ReadonlyArray<readonly [string, boolean]> = [
  ['AZURE_TENANT_ID', false], ['AZURE_CLIENT_ID', false], ['AZURE_CLIENT_SECRET', true],
  ['AZURE_CLIENT_CERTIFICATE_PATH', false], ['AZURE_CLIENT_CERTIFICATE_PASSWORD', true], ['AZURE_CLIENT_SEND_CERTIFICATE_CHAIN', false],
  ['AZURE_AUTHORITY_HOST', false], ['AZURE_FEDERATED_TOKEN_FILE', false], ['AZURE_TOKEN_CREDENTIALS', false],
];

export function entraVariables(environment: Readonly<Record<string, string | undefined>>): Array<{ name: string; value: string; secret: boolean }> {
  return PASSED_ON.filter(([name]) => environment[name]).map(([name, secret]) => ({ name, value: environment[name] ?? '', secret }));
}

/** `AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__AZURE_AD`: `1` makes an Azure OpenAI connection use DefaultAzureCredential in the CLI. */
export function entraVariable(model: string, connection: string): string {
  return `${envBase(model, connection)}__AZURE_AD`;
}

/**
 * The CLI's credential of an Azure OpenAI connection: `__AZURE_AD=1` (DefaultAzureCredential)
 * or what `credentialFromEnv` found for the API key, never both. Other providers: unchanged.
 */
export function entraFromEnv(env: Readonly<Record<string, string | undefined>>, model: string, connection: string, provider: string, key: EnvCredential): EnvCredential {
  if (provider !== 'azure-openai') return key;
  const name = entraVariable(model, connection);
  const raw = env[name]?.trim() ?? '';
  if (raw === '' || /^(0|false)$/i.test(raw)) return key.kind === 'missing' ? { ...key, alternative: `${name}=1` } : key;
  if (!/^(1|true)$/i.test(raw)) return { kind: 'invalid', variable: name, problem: 'Set it to 1 to sign in with Microsoft Entra ID (DefaultAzureCredential), or leave it unset.' };
  if (key.kind !== 'missing') return { kind: 'invalid', variable: name, problem: 'Set either the API key or AZURE_AD=1 for this connection, not both.' };
  return { kind: 'found', credential: { kind: 'entraId', source: 'default' }, secrets: [] };
}
