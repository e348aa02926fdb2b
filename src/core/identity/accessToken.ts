/**
 * The credential to send for one request. Only a Microsoft Entra ID identity needs
 * anything here: its token, acquired after the origin check and before the client builds
 * its request. entraToken.ts (with @azure/identity and MSAL) is a bundle of its own
 * (dist/azureIdentity.js, see esbuild.mjs), required on the first Entra ID request only.
 */
import type { Credential } from '../providers/types';
import type { IdentityOptions, TokenUnavailableError } from './entra';

let entraToken: Promise<typeof import('./entraToken')> | undefined;
// The path names the room so that esbuild.mjs's lazy-chunk rule recognises it.
const loadEntraToken = () => (entraToken ??= import('../identity/entraToken'));

export async function withAccessToken(credential: Credential | undefined, options: IdentityOptions = {}): Promise<{ ok: true; credential: Credential | undefined } | { ok: false; error: TokenUnavailableError }> {
  if (credential?.kind !== 'entraId') return { ok: true, credential };
  return (await loadEntraToken()).withAccessToken(credential, options);
}
