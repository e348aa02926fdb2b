/**
 * "May this key go to this origin?" — the one decision every request carrying a key
 * passes (a connection test, a chat request): the target is computed from the
 * manifest; a missing key, plain HTTP to another machine, and a key bound to another
 * origin stop it unless the caller confirms. Nothing is sent here.
 */
import { checkBinding, isInsecureRemote, OriginError, originOf, type BindingDecision } from '../net/origin';
import { needsCredential, targetBase } from './targets';
import { TargetError, type ConnectionTarget, type Credential, type EndpointOverrides, type Outcome } from './types';

export interface AuthorizeOptions {
  endpoints?: EndpointOverrides;
  /** The origin the key was entered for and how to ask when the target differs; absent for keys given for this run only (CLI). */
  binding?: { boundOrigin: string | undefined; confirm(decision: Exclude<BindingDecision, { kind: 'same' }>): Promise<boolean> };
  /** Plain HTTP to another machine sends the key in clear: allowed only when this answers true. */
  confirmInsecure?(origin: string): Promise<boolean>;
}

export type Authorization =
  | { ok: true; base: string; origin: string }
  | { ok: false; outcome: Extract<Outcome, 'blocked' | 'missing_credentials'>; message: string; hint?: string; origin?: string };

export async function authorizeTarget(target: ConnectionTarget, credential: Credential | undefined, options: AuthorizeOptions): Promise<Authorization> {
  let base: string;
  let origin: string;
  try {
    base = targetBase(target, options.endpoints);
    origin = originOf(base);
  } catch (err) {
    if (err instanceof TargetError || err instanceof OriginError) return { ok: false, outcome: 'blocked', message: err.message, hint: 'Fix the connection in the manifest; nothing was sent.' };
    throw err;
  }
  const needsKey = needsCredential(target);
  if (needsKey && (!credential || credential.kind === 'none')) return { ok: false, outcome: 'missing_credentials', message: 'No key on this machine for this connection.', origin };
  if (isInsecureRemote(base)) {
    const ok = options.confirmInsecure ? await options.confirmInsecure(origin) : false;
    if (!ok) return { ok: false, outcome: 'blocked', message: `${origin} is plain HTTP on another machine: the key would travel unencrypted.`, hint: 'Use https, or confirm plain HTTP for this connection when asked.', origin };
  }
  if (needsKey && options.binding) {
    const decision = checkBinding(options.binding.boundOrigin, base);
    if (decision.kind !== 'same' && !(await options.binding.confirm(decision))) {
      return {
        ok: false, outcome: 'blocked', origin,
        message: `${credential?.kind === 'entraId' ? 'The Entra ID identity was chosen' : 'The key was entered'} for ${decision.kind === 'changed' ? decision.bound : 'an unrecorded origin'}, and the manifest now sends it to ${decision.target}.`,
        hint: 'Nothing was sent. If the new endpoint is right, test again and confirm it (or Replace key).',
      };
    }
  }
  return { ok: true, base, origin };
}

/** Defence in depth: a client may only talk to the origin that was checked. */
export function assertSameOrigin(url: string, origin: string): void {
  if (originOf(url) !== origin) throw new TargetError(`Refusing to send to ${new URL(url).origin}: the connection's origin is ${origin}.`);
}

/** The secret strings of a credential, for redaction. */
export function secretsOf(credential: Credential | undefined): string[] {
  if (!credential) return [];
  if (credential.kind === 'apiKey' || credential.kind === 'bedrockApiKey') return [credential.apiKey];
  if (credential.kind === 'aws') return [credential.accessKeyId, credential.secretAccessKey, credential.sessionToken ?? ''];
  if (credential.kind === 'entraId') return [credential.accessToken ?? ''];
  return [];
}

/** Headers whose whole value is a credential. */
const CREDENTIAL_HEADERS = new Set(['api-key', 'x-api-key', 'x-goog-api-key', 'x-amz-security-token', 'ocp-apim-subscription-key', 'proxy-authorization']);

/**
 * The credentials a request carries in its headers, for redaction: what the client resolved itself (an AWS
 * profile's access key ID and session token exist only once the request is signed). `Authorization`: a SigV4
 * access key ID, else what follows the scheme.
 */
export function secretsInHeaders(headers: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (n === 'authorization') {
      const sigv4 = /\bCredential=([^/,\s]+)/.exec(value);
      out.push(sigv4 ? sigv4[1] : value.replace(/^[A-Za-z0-9-]+\s+/, ''));
    } else if (CREDENTIAL_HEADERS.has(n)) out.push(value);
  }
  return out;
}
