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

/**
 * Characters a URL parser drops or rewrites without a word: WHATWG removes tabs and line
 * breaks anywhere and trims spaces and controls at the ends; IDNA deletes zero-width and
 * other invisible characters from the host. So `https://api.groq.com` + a line break +
 * `.evil.example` (a YAML block scalar) reads as one host and goes to another. Any space
 * or control character is refused with them: no URL needs one.
 */
// eslint-disable-next-line no-control-regex, no-misleading-character-class -- single control and invisible code points on purpose
const HIDDEN_IN_URL = /[\u0000-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0]/;

const HIDDEN_NAMES: Record<string, string> = {
  '\t': 'a tab', '\n': 'a line break', '\r': 'a carriage return', ' ': 'a space', '\u00a0': 'a non-breaking space',
  '\u00ad': 'a soft hyphen', '\u200b': 'a zero-width space', '\u200c': 'a zero-width non-joiner', '\u200d': 'a zero-width joiner',
  '\u2060': 'a word joiner', '\ufeff': 'a zero-width no-break space (BOM)',
};

/**
 * Why a URL does not say where it goes, or undefined: a space, control or invisible
 * character (named, with its 1-based position in the URL), or a percent-encoded host
 * (`api.groq.com%2eevil.example` is decoded to another host). Names where it would go.
 */
export function hiddenUrlCharacter(url: string): string | undefined {
  // Spaces and line breaks around the URL are trimmed before it is used (a `|` block scalar ends in one).
  const lead = url.length - url.trimStart().length;
  const m = HIDDEN_IN_URL.exec(url.trim());
  let what: string | undefined;
  if (m) {
    const c = m[0];
    const cp = c.charCodeAt(0);
    const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    const name = HIDDEN_NAMES[c] ?? (/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.test(c) ? 'a bidirectional control' : cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? 'a control character' : 'an invisible character');
    what = `contains ${name} (${code}) at character ${lead + m.index + 1}, which URL parsers drop or change without a word`;
  } else {
    const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/\\?#]*)/i.exec(url.trim())?.[1];
    if (authority?.includes('%')) what = 'has a percent-encoded host, which URL parsers decode to another text';
  }
  if (what === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(url.trim()).host;
  } catch {
    host = undefined;
  }
  return `${what}${host ? `: it would go to ${host}` : ''}. Write the URL on one line, without spaces, invisible characters or % in the host.`;
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
  const hidden = hiddenUrlCharacter(url);
  if (hidden) throw new OriginError(`The URL ${hidden}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OriginError(`${JSON.stringify(url.slice(0, 200))} is not an absolute URL.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new OriginError(`Only https URLs can receive a key, not ${u.protocol.replace(':', '')}.`);
  if (u.username || u.password) throw new OriginError('The URL contains user info (user:password@); it would send credentials to a host other than the one it appears to name.');
  if (u.port === '0') throw new OriginError('The URL has port 0, which no server listens on: give the server\'s port, or none for the default.');
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
