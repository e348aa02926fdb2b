/**
 * The value of one SecretStorage entry (JSON, `v: 1`), read back: the credential's own
 * fields under its `kind`, the bound `origin` and `storedAt`. Pure, so hostile values can be
 * tried without an editor (the extension's Credentials class reads and writes the entries).
 * Whatever does not check — an unknown kind, a missing or mistyped field, a key that could
 * not have been entered (line breaks, control characters), a profile name or tenant the
 * entry checks refuse — is treated as no key; fields a kind does not have are dropped.
 */
import { profileNameProblem } from '../aws/profileName';
import { isEntraSource, tenantProblem } from '../identity/entra';
import type { Credential } from '../providers/types';
import { credentialProblem } from './redact';

export interface StoredCredential {
  credential: Exclude<Credential, { kind: 'none' }>;
  /** The origin (scheme://host[:port]) the key was entered for. */
  origin?: string;
  /** When the key was entered (ISO time); undefined for entries stored before this was recorded. */
  storedAt?: string;
}

/** Stored values larger than this are not ours (the largest credential is an AWS key pair with a session token). */
const MAX_STORED_CHARS = 64 * 1024;

const isKey = (v: unknown): v is string => typeof v === 'string' && credentialProblem(v) === undefined;

function credentialOf(v: Record<string, unknown>): StoredCredential['credential'] | undefined {
  switch (v.kind) {
    case 'apiKey': return isKey(v.apiKey) ? { kind: 'apiKey', apiKey: v.apiKey } : undefined;
    case 'bedrockApiKey': return isKey(v.apiKey) ? { kind: 'bedrockApiKey', apiKey: v.apiKey } : undefined;
    case 'entraId': {
      if (!isEntraSource(v.source)) return undefined;
      if (v.tenantId !== undefined && typeof v.tenantId !== 'string') return undefined;
      if (v.tenantId && tenantProblem(v.tenantId)) return undefined;
      return { kind: 'entraId', source: v.source, ...(v.tenantId ? { tenantId: v.tenantId } : {}) };
    }
    case 'awsProfile': return typeof v.profile === 'string' && profileNameProblem(v.profile) === undefined ? { kind: 'awsProfile', profile: v.profile } : undefined;
    case 'aws': {
      if (!isKey(v.accessKeyId) || !isKey(v.secretAccessKey)) return undefined;
      if (v.sessionToken !== undefined && v.sessionToken !== '' && !isKey(v.sessionToken)) return undefined;
      return { kind: 'aws', accessKeyId: v.accessKeyId, secretAccessKey: v.secretAccessKey, ...(typeof v.sessionToken === 'string' && v.sessionToken ? { sessionToken: v.sessionToken } : {}) };
    }
    default: return undefined;
  }
}

/** A stored entry's value → the credential and its metadata, or undefined (nothing stored, or not valid). Never throws. */
export function parseStoredCredential(raw: string | undefined): StoredCredential | undefined {
  if (!raw || raw.length > MAX_STORED_CHARS) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const credential = credentialOf(o);
  if (!credential) return undefined;
  const origin = typeof o.origin === 'string' ? o.origin : undefined;
  const storedAt = typeof o.storedAt === 'string' && !Number.isNaN(Date.parse(o.storedAt)) ? o.storedAt : undefined;
  return { credential, origin, ...(storedAt ? { storedAt } : {}) };
}
