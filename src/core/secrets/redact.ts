/**
 * The one redaction function for every string that leaves a provider test: logs,
 * results, notifications, webview messages, CLI output. Known secrets are replaced
 * wherever they appear (also URL- and JSON-escaped), key-shaped tokens are masked,
 * control characters are flattened and the text is capped.
 */

const MASK = '[redacted]';

/** Key shapes of the providers we know, JWTs, and generic bearer/basic credentials. */
const KEY_PATTERNS: readonly RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bsk-[A-Za-z0-9_*-]{8,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{12,}\b/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bgsk_[A-Za-z0-9]{16,}/g,
  /\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{16,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
  // Amazon Bedrock API keys: long-term `ABSK` + base64, short-term `bedrock-api-key-` + base64 of `bedrock.amazonaws.com/?Action=CallWithBearerToken…`.
  /\bABSK[A-Za-z0-9+/]{16,}={0,2}/g,
  /\bbedrock-api-key-YmVkcm9jay5[A-Za-z0-9+/]{8,}={0,2}/g,
  // JWTs (Microsoft Entra ID access tokens, any bearer token): base64url header `eyJ…`, payload, and signature (may be empty).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(Credential=)[^,\s]+/g,
  /\b(Signature=)[0-9a-f]{16,}/g,
  /\b(X-Amz-Security-Token=|x-amz-security-token:\s*)[^&\s]+/gi,
];

const INVISIBLE_TEXT = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string | undefined> = []) {
    this.learn(secrets);
  }

  /** Adds secrets known only later (keys an AWS profile resolved, a token sent in a request's headers). */
  learn(secrets: Iterable<string | undefined>): void {
    const forms = new Set<string>(this.secrets);
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      forms.add(s);
      forms.add(encodeURIComponent(s));
      forms.add(JSON.stringify(s).slice(1, -1));
    }
    // Longest first, so a secret containing another is masked whole.
    this.secrets = [...forms].sort((a, b) => b.length - a.length);
  }

  /** Masks known secrets and key shapes, and changes nothing else (for values printed in a quoted form). */
  mask(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    for (const p of KEY_PATTERNS) {
      // Patterns with a group keep it (`Bearer `, `Credential=`) and mask what follows.
      out = out.replace(p, (_match, prefix: unknown) => (typeof prefix === 'string' ? prefix + MASK : MASK));
    }
    return out;
  }

  /** Redacts, flattens to one line and caps at `max` characters. */
  redact(text: unknown, max = 500): string {
    let out = this.mask(typeof text === 'string' ? text : text instanceof Error ? text.message : String(text ?? ''));
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
    out = out.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
    // Bidi controls and zero-width characters make text read as something else (a name, a
    // reference, a host): they are written out, as `\u202e`, so a reader sees them.
    out = out.replace(INVISIBLE_TEXT, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return out.length > max ? `${out.slice(0, max - 1)}…` : out;
  }
}

/** Redaction with no known secret: key shapes only. */
export const redactKeyShapes = (text: unknown, max?: number): string => new Redactor().redact(text, max);

/** A key must be one header-safe line: CR, LF and NUL are refused at entry (undici echoes bad header values). */
export function credentialProblem(value: string): string | undefined {
  if (value.length === 0) return 'The key is empty.';
  if (/[\r\n\0]/.test(value)) return 'The key contains a line break or NUL character; paste the key alone on one line.';
  // eslint-disable-next-line no-control-regex -- refuse control characters in header values
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'The key contains control characters; paste the key alone.';
  if (/[^\u0020-\u007e]/.test(value)) return 'The key contains characters that cannot be sent in an HTTP header (only printable ASCII is allowed).';
  if (value !== value.trim()) return 'The key starts or ends with spaces; paste the key alone.';
  if (value.length > 8192) return 'The key is longer than 8192 characters.';
  return undefined;
}
