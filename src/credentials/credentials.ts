/**
 * Where each connection's key lives: one opaque SecretStorage entry per connection.
 * A random id kept in extension state maps folder + model + connection to it, so no
 * secret name is ever built from manifest text. The secret holds the key material
 * and the origin it was entered for (SECURITY.md §1). Fingerprints for the
 * "unique within a model" rule are HMACs whose secret is itself in SecretStorage.
 *
 * Stored value (JSON, `v: 1`): the credential's own fields under its `kind` (`apiKey`,
 * `aws`, `bedrockApiKey`, `awsProfile` (a profile name, no key), `entraId` (no secret: its source and tenant); a new kind adds its fields and a case in core/secrets/storedCredential.ts), the
 * bound `origin`, and `storedAt` (ISO time the key was entered; entries written before
 * it existed have none: their age is unknown and never marked). The index in
 * globalState lists every entry this extension stored, without key material.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { entraShortLabel, type EntraCredential } from '../core/identity/entra';
import { parseStoredCredential as parseStored, type StoredCredential } from '../core/secrets/storedCredential';

export type KeyStatus = 'present' | 'missing' | 'unknown';

export type { StoredCredential } from '../core/secrets/storedCredential';

/** One entry of the index: where a stored key belongs (no key material). */
export interface StoredEntry {
  folder: string;
  model: string;
  connection: string;
}

const INDEX_KEY = 'agentConnections.credentialIndex';
const FINGERPRINTS_KEY = 'agentConnections.keyFingerprints';
const HMAC_SECRET = 'agentConnections.fingerprintKey';
const SECRET_PREFIX = 'agentConnections.secret.';
const STATUS_TIMEOUT_MS = 3000;
const READ_TIMEOUT_MS = 10_000;

export class SecretStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStorageError';
  }
}

/** SecretStorage can hang on Linux without a keyring: every call is bounded. */
async function bounded<T>(work: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(work).catch((err: unknown) => {
        throw new SecretStorageError(`VS Code SecretStorage failed while ${what}: ${err instanceof Error ? err.message : String(err)}. Nothing was written anywhere else.`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SecretStorageError(`VS Code SecretStorage did not answer within ${ms / 1000} s while ${what}. On Linux this usually means no keyring (e.g. gnome-keyring) is running. Nothing was written anywhere else.`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `profile` / `entra`: what the user chose instead of a key (names and labels, no secret), for the tree and the form. */
export type KeyInfo = { status: KeyStatus; storedAt?: string | null; profile?: string; entra?: Pick<EntraCredential, 'source' | 'tenantId'> };

/** What a stored credential that is not a key is shown as ("AWS profile: dev", "Entra ID: Azure CLI"); undefined for a key. */
export function chosenLabel(info: Pick<KeyInfo, 'profile' | 'entra'>): string | undefined {
  return info.profile !== undefined ? `AWS profile: ${info.profile}` : info.entra ? entraShortLabel(info.entra) : undefined;
}

export class Credentials {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /**
   * Key status per secret id (the chat model list and the tree ask for every connection on
   * each change): cleared when this extension stores or removes that key, and when
   * SecretStorage reports a change of it (another window). Failed reads are not kept.
   */
  private readonly infoCache = new Map<string, Promise<KeyInfo>>();
  private readonly secretsSub: vscode.Disposable | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    const secrets = context.secrets as Partial<vscode.SecretStorage> | undefined;
    this.secretsSub = typeof secrets?.onDidChange === 'function'
      ? secrets.onDidChange((e) => {
        const id = e.key.startsWith(SECRET_PREFIX) ? e.key.slice(SECRET_PREFIX.length) : undefined;
        if (id !== undefined && this.infoCache.delete(id)) this.changed.fire();
      })
      : undefined;
  }

  private indexKey(folder: vscode.Uri, model: string, connection: string): string {
    return JSON.stringify([folder.toString(), model, connection]);
  }

  private index(): Record<string, string> {
    return this.context.globalState.get<Record<string, string>>(INDEX_KEY, {});
  }

  private secretId(folder: vscode.Uri, model: string, connection: string): string | undefined {
    const index = this.index();
    const key = this.indexKey(folder, model, connection);
    return Object.prototype.hasOwnProperty.call(index, key) ? index[key] : undefined;
  }

  private secretName(id: string): string {
    return `${SECRET_PREFIX}${id}`;
  }

  /** In Restricted Mode no secret is read: the status is unknown. */
  async status(folder: vscode.Uri, model: string, connection: string): Promise<KeyStatus> {
    return (await this.info(folder, model, connection)).status;
  }

  /**
   * Whether a key is stored, and when (`storedAt`: ISO time, or null for an entry
   * stored before the time was recorded). For the tree; the key itself is not returned,
   * but an AWS profile's name is (`profile`: a name, no secret; it does not age like a key),
   * and an Entra ID identity's source and tenant (`entra`), read from the same entry.
   */
  async info(folder: vscode.Uri, model: string, connection: string): Promise<KeyInfo> {
    if (!vscode.workspace.isTrusted) return { status: 'unknown' };
    const id = this.secretId(folder, model, connection);
    if (!id) return { status: 'missing' };
    const cached = this.infoCache.get(id);
    if (cached) return cached;
    const read: Promise<KeyInfo> = bounded(this.context.secrets.get(this.secretName(id)), STATUS_TIMEOUT_MS, 'checking for a key').then(
      (raw): KeyInfo => {
        if (!raw) return { status: 'missing' };
        const stored = parseStored(raw);
        // An Entra ID identity holds no secret that ages: it is never marked old.
        if (stored?.credential.kind === 'entraId') return { status: 'present', entra: { source: stored.credential.source, ...(stored.credential.tenantId ? { tenantId: stored.credential.tenantId } : {}) } };
        return { status: 'present', storedAt: stored?.storedAt ?? null, ...(stored?.credential.kind === 'awsProfile' ? { profile: stored.credential.profile } : {}) };
      },
      (): KeyInfo => {
        if (this.infoCache.get(id) === read) this.infoCache.delete(id);
        return { status: 'unknown' };
      },
    );
    this.infoCache.set(id, read);
    return read;
  }

  /** Reads the key of a connection; only ever called for an explicit user action in a trusted workspace. */
  async get(folder: vscode.Uri, model: string, connection: string): Promise<StoredCredential | undefined> {
    if (!vscode.workspace.isTrusted) throw new SecretStorageError('This workspace is in Restricted Mode: no key is read.');
    const id = this.secretId(folder, model, connection);
    if (!id) return undefined;
    return parseStored(await bounded(this.context.secrets.get(this.secretName(id)), READ_TIMEOUT_MS, 'reading a key'));
  }

  /** Stores a key bound to `origin`, replacing any previous one; `storedAt` defaults to now. */
  async set(folder: vscode.Uri, model: string, connection: string, stored: StoredCredential): Promise<void> {
    if (!vscode.workspace.isTrusted) throw new SecretStorageError('This workspace is in Restricted Mode: no key is stored.');
    const key = this.indexKey(folder, model, connection);
    const id = this.secretId(folder, model, connection) ?? randomUUID();
    const value = JSON.stringify({ v: 1, ...stored.credential, origin: stored.origin, storedAt: stored.storedAt === undefined ? new Date().toISOString() : stored.storedAt || undefined });
    this.infoCache.delete(id);
    try {
      await bounded(this.context.secrets.store(this.secretName(id), value), READ_TIMEOUT_MS, 'storing a key');
    } finally {
      this.infoCache.delete(id);
    }
    await this.context.globalState.update(INDEX_KEY, { ...this.index(), [key]: id });
    const fps = { ...this.fingerprints() };
    // AWS key pairs are legitimately shared by a model's connections in different regions.
    if (stored.credential.kind === 'apiKey') fps[id] = await this.fingerprint(stored.credential.apiKey);
    else delete fps[id];
    await this.context.globalState.update(FINGERPRINTS_KEY, fps);
    this.changed.fire();
  }

  /** Binds an existing key to a new origin after the user confirmed it (the key keeps its age). */
  async rebind(folder: vscode.Uri, model: string, connection: string, origin: string): Promise<void> {
    const current = await this.get(folder, model, connection);
    // '' keeps an unknown age unknown instead of making the key look new.
    if (current) await this.set(folder, model, connection, { ...current, origin, storedAt: current.storedAt ?? '' });
  }

  /** Every entry this extension stored on this machine (from the index; no key material). */
  entries(): StoredEntry[] {
    return Object.keys(this.index()).map((k) => {
      const [folder, model, connection] = JSON.parse(k) as [string, string, string];
      return { folder, model, connection };
    });
  }

  /**
   * Forgets the given entries (all stored keys when `which` is undefined): their
   * secrets, index entries and fingerprints, nothing else. Returns how many were forgotten.
   */
  async forgetMany(which?: (e: StoredEntry) => boolean): Promise<number> {
    const index = { ...this.index() };
    const fps = { ...this.fingerprints() };
    const ids: string[] = [];
    for (const [k, id] of Object.entries(index)) {
      const [folder, model, connection] = JSON.parse(k) as [string, string, string];
      if (which && !which({ folder, model, connection })) continue;
      ids.push(id);
      delete index[k];
      delete fps[id];
    }
    if (ids.length === 0) return 0;
    await this.context.globalState.update(INDEX_KEY, index);
    await this.context.globalState.update(FINGERPRINTS_KEY, fps);
    for (const id of ids) this.infoCache.delete(id);
    for (const id of ids) await bounded(this.context.secrets.delete(this.secretName(id)), READ_TIMEOUT_MS, 'removing a key');
    this.changed.fire();
    return ids.length;
  }

  /** Forgets the stored key of a connection. */
  async forget(folder: vscode.Uri, model: string, connection: string): Promise<void> {
    const id = this.secretId(folder, model, connection);
    if (!id) return;
    const index = { ...this.index() };
    delete index[this.indexKey(folder, model, connection)];
    await this.context.globalState.update(INDEX_KEY, index);
    const fps = { ...this.fingerprints() };
    delete fps[id];
    await this.context.globalState.update(FINGERPRINTS_KEY, fps);
    this.infoCache.delete(id);
    await bounded(this.context.secrets.delete(this.secretName(id)), READ_TIMEOUT_MS, 'removing a key');
    this.changed.fire();
  }

  private fingerprints(): Record<string, string> {
    return this.context.globalState.get<Record<string, string>>(FINGERPRINTS_KEY, {});
  }

  private async fingerprint(material: string): Promise<string> {
    let secret = await bounded(this.context.secrets.get(HMAC_SECRET), READ_TIMEOUT_MS, 'reading the fingerprint key');
    if (!secret) {
      secret = randomBytes(32).toString('hex');
      await bounded(this.context.secrets.store(HMAC_SECRET, secret), READ_TIMEOUT_MS, 'storing the fingerprint key');
    }
    return createHmac('sha256', secret).update(material, 'utf8').digest('base64url');
  }

  /**
   * The other connection of the same model that already uses this key, if any: an API
   * key must be unique among a model's connections. Compared by HMAC fingerprint.
   */
  async duplicateOf(folder: vscode.Uri, model: string, connection: string, credential: StoredCredential['credential']): Promise<string | undefined> {
    if (credential.kind !== 'apiKey') return undefined;
    const fp = await this.fingerprint(credential.apiKey);
    const fps = this.fingerprints();
    for (const [key, id] of Object.entries(this.index())) {
      const [f, m, c] = JSON.parse(key) as [string, string, string];
      if (f === folder.toString() && m === model && c !== connection && fps[id] === fp) return c;
    }
    return undefined;
  }

  dispose(): void {
    this.secretsSub?.dispose();
    this.changed.dispose();
  }
}
