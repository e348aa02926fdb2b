/**
 * Acquires Microsoft Entra ID tokens for Azure OpenAI with @azure/identity (Azure CLI,
 * environment, DefaultAzureCredential) or the host's VS Code account. A bundle of its own
 * (dist/azureIdentity.js), required by accessToken.ts on the first Entra ID request:
 * @azure/identity and MSAL never reach activation, `validate`, or a test with a key.
 *
 * A token is asked for after the origin check, for one request, and kept by the library's
 * own token cycler (getBearerTokenProvider: reused until two minutes before it expires).
 * Failures become TokenUnavailableError with a precise message: nothing was sent.
 */
import { AzureCliCredential, DefaultAzureCredential, EnvironmentCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import type { Credential } from '../providers/types';
import { ENTRA_SCOPE, tenantProblem, TokenUnavailableError, type EntraCredential, type IdentityOptions } from './entra';

const CLI_TIMEOUT_MS = 15_000;

/** One cached token provider per source and tenant, for the life of the process. */
const providers = new Map<string, () => Promise<string>>();

function credentialFor(c: EntraCredential): TokenCredential {
  const tenantId = c.tenantId || undefined;
  switch (c.source) {
    case 'azureCli': return new AzureCliCredential({ tenantId, processTimeoutInMs: CLI_TIMEOUT_MS });
    case 'environment': return new EnvironmentCredential();
    case 'default': return new DefaultAzureCredential({ tenantId, processTimeoutInMs: CLI_TIMEOUT_MS });
    case 'vscode': throw new Error('unreachable: the VS Code account is the host\'s');
  }
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).find(Boolean)?.slice(0, 300) ?? 'unknown error';

/** The library's error → what the user reads and does. */
function explain(c: EntraCredential, err: unknown): TokenUnavailableError {
  if (err instanceof TokenUnavailableError) return err;
  // The editor's VS Code account getter throws its own bundle's copy of the class.
  const hint = err instanceof Error && err.name === 'TokenUnavailableError' ? (err as Error & { hint?: unknown }).hint : undefined;
  if (err instanceof Error && typeof hint === 'string') return new TokenUnavailableError(err.message, hint);
  const name = err instanceof Error ? err.name : '';
  const text = err instanceof Error ? err.message : String(err);
  const tenant = c.tenantId ? ` --tenant ${c.tenantId}` : '';
  if (name === 'AuthenticationError') {
    // The library's first line is generic; the OAuth error and its description say what was refused.
    const response = (err as { errorResponse?: { error?: unknown; errorDescription?: unknown } }).errorResponse;
    const detail = typeof response?.error === 'string' ? `${response.error}${typeof response.errorDescription === 'string' ? `: ${firstLine(response.errorDescription)}` : ''}` : firstLine(err);
    return new TokenUnavailableError(`Microsoft Entra ID refused the sign-in: ${detail}`, 'Check the tenant, client ID and client secret or certificate of the identity (or sign in again), then test again.', 'auth_failed');
  }
  switch (c.source) {
    case 'azureCli':
      if (/could not be found|not found|is not recognized/i.test(text)) return new TokenUnavailableError('The Azure CLI (az) was not found on this machine\'s PATH.', `Install the Azure CLI and run \`az login${tenant}\`, or choose another Entra ID source with Set Key….`);
      if (/az login/i.test(text)) return new TokenUnavailableError('The Azure CLI is not signed in, or its sign-in has expired.', `Run \`az login${tenant}\`, then test again.`);
      return new TokenUnavailableError(`The Azure CLI gave no token: ${firstLine(err)}`, `Run \`az login${tenant}\`, then test again.`);
    case 'environment':
      return new TokenUnavailableError(`No Entra ID credentials in the environment: ${firstLine(err)}`, 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) where the editor or the CLI starts, or choose another Entra ID source.');
    case 'default':
      return new TokenUnavailableError('DefaultAzureCredential found no identity (environment, workload or managed identity, Azure CLI, Azure Developer CLI, Azure PowerShell).', `Run \`az login${tenant}\`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, then test again.`);
    case 'vscode':
      return new TokenUnavailableError(`The VS Code account gave no token: ${firstLine(err)}`, 'Sign in with a Microsoft account from the Accounts menu, then test again.');
  }
}

/** A token for the credential's source (cached by the library), or TokenUnavailableError. */
export async function entraToken(c: EntraCredential, options: IdentityOptions = {}): Promise<string> {
  // Checked at entry (Set Key…, the form); again here, before the tenant reaches `az --tenant` or the VS Code account.
  const badTenant = c.tenantId ? tenantProblem(c.tenantId) : undefined;
  if (badTenant) throw new TokenUnavailableError(`The stored tenant cannot be used: ${badTenant}`, 'Choose the Entra ID identity again with Set Key…; nothing was sent.');
  try {
    if (c.source === 'vscode') {
      if (!options.vscodeAccount) throw new TokenUnavailableError('The VS Code account is only available inside VS Code.', 'Outside the editor choose the Azure CLI, the environment or DefaultAzureCredential (the CLI: AGENT_CONNECTIONS__M__C__AZURE_AD=1).');
      return await options.vscodeAccount([ENTRA_SCOPE], c.tenantId);
    }
    const key = `${c.source}\n${c.tenantId ?? ''}`;
    let provider = providers.get(key);
    if (!provider) {
      provider = getBearerTokenProvider(credentialFor(c), ENTRA_SCOPE);
      providers.set(key, provider);
    }
    return await provider();
  } catch (err) {
    throw explain(c, err);
  }
}

/**
 * The credential to send for one request: an Entra ID identity gets its token here (after
 * the origin check, before the client builds its request); other kinds pass unchanged.
 */
export async function withAccessToken(credential: Credential | undefined, options: IdentityOptions = {}): Promise<{ ok: true; credential: Credential | undefined } | { ok: false; error: TokenUnavailableError }> {
  if (credential?.kind !== 'entraId') return { ok: true, credential };
  try {
    return { ok: true, credential: { ...credential, accessToken: await entraToken(credential, options) } };
  } catch (err) {
    return { ok: false, error: err instanceof TokenUnavailableError ? err : explain(credential, err) };
  }
}
