/**
 * The one path that stores a connection's key, shared by Set Key…, the leak guard's
 * "Move to SecretStorage" quick fix and Import: the key is bound to the origin the
 * connection sends it to (computed as a test would), must be unique among the model's
 * connections (HMAC fingerprints in credentials.ts), and is stored only in a trusted
 * workspace. Nothing here ever puts key material in a message or a log line.
 */
import * as vscode from 'vscode';
import { endpointOverrides, targetOf, type ConnectionRef } from '../testing/connectionTester';
import { connectionReference } from '../core/manifest/names';
import { originOf } from '../core/net/origin';
import { credentialKindLabel, credentialKindOf, credentialKindsOf, needsCredential, targetBase } from '../core/providers/targets';
import type { CredentialKindName } from '../core/providers/types';
import { profileNameProblem } from '../core/aws/profileName';
import { credentialProblem } from '../core/secrets/redact';
import type { Credentials, StoredCredential } from './credentials';
import { tenantProblem } from '../core/identity/entra';

export type CredentialValue = StoredCredential['credential'];

/** Why a key cannot be stored for this connection (no key needed, an invalid target), or undefined. */
export function keyTargetProblem(r: ConnectionRef): string | undefined {
  let target;
  try {
    target = targetOf(r);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (!needsCredential(target)) return `${connectionReference(r.model.name, r.connection.name)} sends no key (authHeader: none), so there is nothing to store.`;
  try {
    keyOrigin(r);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  return undefined;
}

/** What the connection's key is: an API key, or an AWS access key pair (Bedrock). */
export function keyKindOf(r: ConnectionRef): 'apiKey' | 'aws' | 'none' {
  try {
    return credentialKindOf(targetOf(r));
  } catch {
    return 'apiKey';
  }
}

/** Every kind of key the connection accepts, the default first (Bedrock: access key pair, Bedrock API key). */
export function keyKindsOf(r: ConnectionRef): CredentialKindName[] {
  try {
    return credentialKindsOf(targetOf(r));
  } catch {
    return ['apiKey'];
  }
}

/** The origin (scheme://host[:port]) the connection's key would be sent to; throws a clear error when there is none. */
export function keyOrigin(r: ConnectionRef): string {
  const target = targetOf(r);
  try {
    return originOf(targetBase(target, endpointOverrides()));
  } catch (err) {
    throw new Error(`Fix the connection first: ${err instanceof Error ? err.message : String(err)} The key is bound to the origin it is entered for.`);
  }
}

/** Thrown when the key is not stored; the message says why and names no key. */
export class KeyNotStoredError extends Error {}

/**
 * Stores `credential` for the connection, bound to its origin, after the checks Set Key…
 * makes (trust, entry checks, kind, unique within the model). Returns the origin.
 */
export async function storeConnectionKey(credentials: Credentials, r: ConnectionRef, credential: CredentialValue, log: vscode.LogOutputChannel, verb = 'stored'): Promise<string> {
  const ref = connectionReference(r.model.name, r.connection.name);
  if (!vscode.workspace.isTrusted) throw new KeyNotStoredError('This workspace is in Restricted Mode: no key is stored. Trust the workspace first.');
  const problem = keyTargetProblem(r);
  if (problem) throw new KeyNotStoredError(problem);
  const kinds = keyKindsOf(r);
  if (!kinds.includes(credential.kind)) throw new KeyNotStoredError(`${ref} needs ${kinds.map(credentialKindLabel).join(' or ')}; this is ${credentialKindLabel(credential.kind)}. Nothing was stored.`);
  const parts = credential.kind === 'aws' ? [credential.accessKeyId, credential.secretAccessKey, ...(credential.sessionToken ? [credential.sessionToken] : [])] : credential.kind === 'entraId' || credential.kind === 'awsProfile' ? [] : [credential.apiKey];
  for (const p of parts) {
    const bad = credentialProblem(p);
    if (bad) throw new KeyNotStoredError(`${bad} Nothing was stored for ${ref}.`);
  }
  if (credential.kind === 'entraId') {
    // An identity stores where its token comes from, never a token.
    const tenantId = credential.tenantId?.trim() || undefined;
    const bad = tenantId ? tenantProblem(tenantId) : undefined;
    if (bad) throw new KeyNotStoredError(`${bad} Nothing was stored for ${ref}.`);
    credential = { kind: 'entraId', source: credential.source, ...(tenantId ? { tenantId } : {}) };
  }
  const badProfile = credential.kind === 'awsProfile' ? profileNameProblem(credential.profile) : undefined;
  if (badProfile) throw new KeyNotStoredError(`${badProfile} Nothing was stored for ${ref}.`);
  const origin = keyOrigin(r);
  const folder = r.state.folder.uri;
  const duplicate = await credentials.duplicateOf(folder, r.model.name, r.connection.name, credential);
  if (duplicate) throw new KeyNotStoredError(`This key is already stored for ${connectionReference(r.model.name, duplicate)}: each connection of a model needs its own key. Nothing was stored.`);
  await credentials.set(folder, r.model.name, r.connection.name, { credential, origin });
  log.info(`${verb} the key of ${ref} (bound to ${origin})`);
  return origin;
}
