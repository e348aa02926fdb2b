/**
 * Microsoft Entra ID in the editor: the VS Code account as a token source (VS Code's own
 * `microsoft` authentication provider, which signs in and refreshes; @azure/identity's
 * VisualStudioCodeCredential would need a broker plugin and the Azure Resources
 * extension), and the pickers of Set Key… for an Azure OpenAI connection (choosing the VS Code
 * account signs in right away).
 */
import * as vscode from 'vscode';
import { ENTRA_SCOPE, ENTRA_SOURCES, tenantProblem, TokenUnavailableError, type EntraCredential, type EntraSource, type IdentityOptions } from '../core/identity/entra';

/** Tokens of the Microsoft account signed in to VS Code; asks to sign in when there is none (every caller is a user's action). */
export const vscodeIdentity: IdentityOptions = {
  async vscodeAccount(scopes, tenantId) {
    let session: vscode.AuthenticationSession | undefined;
    try {
      session = await vscode.authentication.getSession('microsoft', [...scopes, ...(tenantId ? [`VSCODE_TENANT:${tenantId}`] : [])], { createIfNone: true });
    } catch (err) {
      throw new TokenUnavailableError(`VS Code could not sign in to a Microsoft account: ${err instanceof Error ? err.message : String(err)}`, 'Sign in with a Microsoft account from the Accounts menu (or choose the Azure CLI with Set Key…), then test again.');
    }
    if (!session) throw new TokenUnavailableError('No Microsoft account is signed in to VS Code.', 'Sign in with a Microsoft account from the Accounts menu, then test again.');
    return session.accessToken;
  },
};

/**
 * Set Key… for Azure OpenAI: an API key (undefined = ask for it as for any key) or a
 * Microsoft Entra ID source and optional tenant. `null` when the user cancelled.
 */
export async function pickAzureCredential(title: string, current: EntraCredential | { kind: string } | undefined): Promise<EntraCredential | 'apiKey' | null> {
  const kinds = [
    { label: 'API key', description: 'KEY 1 or KEY 2 of the resource, sent as api-key', value: 'apiKey' as const },
    { label: 'Microsoft Entra ID', description: 'your identity (Azure CLI, VS Code account, environment): no key on this machine', value: 'entraId' as const },
  ];
  if (current?.kind === 'entraId') kinds.reverse();
  const kind = await vscode.window.showQuickPick(kinds, { title, placeHolder: 'How do you sign in to this Azure OpenAI resource?', ignoreFocusOut: true });
  if (!kind) return null;
  if (kind.value === 'apiKey') return 'apiKey';
  const sources = (Object.keys(ENTRA_SOURCES) as EntraSource[]).map((source) => ({ label: ENTRA_SOURCES[source].label, description: ENTRA_SOURCES[source].description, source }));
  const previous = current?.kind === 'entraId' ? (current as EntraCredential) : undefined;
  if (previous) sources.sort((a, b) => Number(b.source === previous.source) - Number(a.source === previous.source));
  const picked = await vscode.window.showQuickPick(sources, { title, placeHolder: 'Where does the Microsoft Entra ID token come from?', ignoreFocusOut: true });
  if (!picked) return null;
  const tenant = picked.source === 'environment' ? '' : await vscode.window.showInputBox({
    title,
    prompt: 'Tenant (directory ID or domain), only when the resource is in another tenant than your default one. Leave empty otherwise.',
    value: previous?.tenantId ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === '' ? undefined : tenantProblem(v.trim())),
  });
  if (tenant === undefined) return null;
  const chosen: EntraCredential = { kind: 'entraId', source: picked.source, ...(tenant.trim() ? { tenantId: tenant.trim() } : {}) };
  if (chosen.source === 'vscode') {
    // Sign in now, when the user expects it, not on the first request; a cancelled sign-in stores nothing.
    const refused = await signInNow(chosen);
    if (refused) {
      void vscode.window.showWarningMessage(`${refused} Nothing was stored.`);
      return null;
    }
  }
  return chosen;
}

/**
 * Signs in to the VS Code account of a chosen Entra ID credential now (Set Key…, the form's Save), not on
 * the first request: undefined when signed in (or another source), else why not.
 */
export async function signInNow(credential: EntraCredential): Promise<string | undefined> {
  if (credential.source !== 'vscode') return undefined;
  try {
    await vscodeIdentity.vscodeAccount!([ENTRA_SCOPE], credential.tenantId);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
