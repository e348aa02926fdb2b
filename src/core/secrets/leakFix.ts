/**
 * What the "Move to SecretStorage" quick fix needs besides the leak guard's findings:
 * which kind of credential a key shape can be, which providers it belongs to, the
 * edits that take it out of the file, and finding it again after the text moved.
 * Plain TypeScript (no `vscode`): the extension layer (src/credentials/leakFix.ts) asks the user
 * and stores the key through the one Set Key path.
 */
import type { ProviderId } from '../providers/catalog';
import { CONNECTION_KEYS, EditError, updateConnection, type TextEdit } from '../manifest/edit';
import { findLeakedKeysInText, leakRemovalEdit, type LeakedKey, type LeakFileKind } from './leakGuard';

/**
 * The credential a key of this shape can become: an API key, the access key ID of an
 * AWS key pair (the secret access key must be given too), or nothing — Stripe and
 * Slack tokens and private keys are not model credentials: they are only removed.
 */
export function leakCredentialKind(kind: string): 'apiKey' | 'aws' | undefined {
  if (kind === 'aws-access-key') return 'aws';
  // A Bedrock API key is a credential of its own kind, which the quick fix does not store yet: removed only.
  if (kind === 'stripe' || kind === 'slack' || kind === 'private-key' || kind === 'bedrock-api-key') return undefined;
  return 'apiKey';
}

/** The providers a key shape is issued by, to offer those connections first; undefined when any may fit. */
export function leakProviders(kind: string): readonly ProviderId[] | undefined {
  switch (kind) {
    case 'openai': return ['openai', 'generic'];
    case 'openai-project': return ['openai'];
    case 'anthropic': return ['anthropic'];
    case 'google-api-key': return ['google-gemini'];
    case 'aws-access-key': return ['amazon-bedrock'];
    case 'groq': case 'openrouter': case 'xai': case 'huggingface': case 'github': return ['generic'];
    default: return undefined;
  }
}

/** True when a key of this shape plausibly belongs to a connection of `provider` (generic gateways take any key). */
export function leakFitsProvider(kind: string, provider: string | undefined): boolean {
  const providers = leakProviders(kind);
  if (leakCredentialKind(kind) === 'aws') return provider === 'amazon-bedrock';
  if (provider === 'amazon-bedrock') return false;
  return !providers || provider === 'generic' || (providers as readonly string[]).includes(provider ?? '');
}

/** `models[i].connections[j].<field>`: the connection field whose value holds the key. */
function connectionField(leak: LeakedKey): string | undefined {
  const p = leak.path;
  if (!p || p.length !== 5 || p[0] !== 'models' || typeof p[1] !== 'number' || p[2] !== 'connections' || typeof p[3] !== 'number') return undefined;
  return typeof p[4] === 'string' ? p[4] : undefined;
}

/**
 * The edits that take the key out of the file, smallest first: when the key is the whole
 * value of a field that exists only to hold it (`apiKey: sk-…` in a connection, which
 * the schema refuses anyway), that field's line goes (through edit.ts); otherwise the
 * key's characters go and the rest of the value or comment stays (`leakRemovalEdit`).
 */
export function leakFixEdits(text: string, file: LeakFileKind, leak: LeakedKey): TextEdit[] {
  const removal = leakRemovalEdit(text, leak);
  const field = file === 'manifest' && leak.where === 'value' ? connectionField(leak) : undefined;
  if (field && !CONNECTION_KEYS.includes(field) && leak.model !== undefined && leak.connection !== undefined && removal.newText === "''") {
    try {
      return updateConnection(text, { model: leak.model, connection: leak.connection }, { [field]: undefined });
    } catch (err) {
      if (!(err instanceof EditError)) throw err;
      // e.g. the field is the connection's only one: fall back to emptying the value.
    }
  }
  return [removal];
}

/**
 * The same key again in a text that may have changed since the diagnostic was made:
 * the finding with this key material, preferring the one at `near` (its old start).
 */
export function findLeakAgain(text: string, file: LeakFileKind, secret: string, near: number): LeakedKey | undefined {
  const same = findLeakedKeysInText(text, file).filter((l) => l.secret === secret);
  return same.sort((a, b) => Math.abs(a.start - near) - Math.abs(b.start - near))[0];
}
