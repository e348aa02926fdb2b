/**
 * Origins, as the credential binding compares them (SECURITY.md §1): scheme, host
 * and port, with the host lower-cased, punycoded and without a trailing dot, and
 * the default port dropped. A URL with user info, another scheme or no host has
 * no origin a key may be sent to.
 */
/** This machine: `localhost`, `*.localhost`, `127.x.x.x` or `::1` (brackets allowed). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export class OriginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginError';
  }
}

export interface ParsedOrigin {
  /** `https://host[:port]`, normalised. */
  origin: string;
  protocol: 'http:' | 'https:';
  /** Punycode host name, no trailing dot, brackets kept for IPv6. */
  host: string;
  loopback: boolean;
}

export function parseOrigin(url: string): ParsedOrigin {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OriginError(`${JSON.stringify(url.slice(0, 200))} is not an absolute URL.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new OriginError(`Only https URLs can receive a key, not ${u.protocol.replace(':', '')}.`);
  if (u.username || u.password) throw new OriginError('The URL contains user info (user:password@); it would send credentials to a host other than the one it appears to name.');
  let host = u.hostname.toLowerCase();
  while (host.endsWith('.')) host = host.slice(0, -1);
  if (!host) throw new OriginError('The URL has no host.');
  const defaultPort = u.protocol === 'https:' ? '443' : '80';
  const port = u.port && u.port !== defaultPort ? `:${u.port}` : '';
  return { origin: `${u.protocol}//${host}${port}`, protocol: u.protocol, host, loopback: isLoopbackHost(host.replace(/^\[|\]$/g, '')) };
}

export function originOf(url: string): string {
  return parseOrigin(url).origin;
}

export type BindingDecision =
  | { kind: 'same' }
  /** The key was entered for another origin: ask the user before sending anything. */
  | { kind: 'changed'; bound: string; target: string }
  /** No origin was recorded with the key (e.g. stored by an older version): ask once. */
  | { kind: 'unbound'; target: string };

export function checkBinding(boundOrigin: string | undefined, targetUrl: string): BindingDecision {
  const target = originOf(targetUrl);
  if (!boundOrigin) return { kind: 'unbound', target };
  let bound: string;
  try {
    bound = originOf(boundOrigin);
  } catch {
    return { kind: 'changed', bound: boundOrigin, target };
  }
  return bound === target ? { kind: 'same' } : { kind: 'changed', bound, target };
}

/** Whether a URL would send a key in clear text to a machine other than this one. */
export function isInsecureRemote(url: string): boolean {
  const o = parseOrigin(url);
  return o.protocol === 'http:' && !o.loopback;
}
