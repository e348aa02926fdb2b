/** The one redaction function for every outgoing string, and the entry check on keys (SECURITY.md §3). */
import * as assert from 'assert';
import { credentialProblem, redactKeyShapes, Redactor } from '../../src/core/secrets/redact';
import { secretsInHeaders } from '../../src/core/providers/authorize';

const MASK = '[redacted]';

describe('redaction', () => {
  describe('known secrets', () => {
    it('are replaced wherever they appear, every time', () => {
      const secret = 'f3a9c2d1e8b7a6f5e4d3c2b1a0f9e8d7';
      const r = new Redactor([secret]);
      assert.strictEqual(r.redact(`key ${secret} and again ${secret}.`), `key ${MASK} and again ${MASK}.`);
      assert.strictEqual(r.redact(`glued${secret}glued`), `glued${MASK}glued`);
    });

    it('also in URL-escaped and JSON-escaped forms', () => {
      const secret = 'abc/def+ghi=jkl "q" \\ end';
      const r = new Redactor([secret]);
      const url = `https://x.example/?key=${encodeURIComponent(secret)}`;
      assert.ok(!r.redact(url).includes(encodeURIComponent(secret)));
      assert.strictEqual(r.redact(url), `https://x.example/?key=${MASK}`);
      const json = JSON.stringify({ error: `bad key ${secret}` });
      const out = r.redact(json);
      assert.ok(!out.includes(JSON.stringify(secret).slice(1, -1)), out);
      assert.ok(out.includes(MASK));
      assert.ok(!r.redact(secret).includes('ghi'));
    });

    it('learned later (what a request carried), they are masked too, longest first, with what was known before', () => {
      const r = new Redactor(['known-secret-1234']);
      assert.strictEqual(r.redact('AKIDLEARNEDLATER007 and tok-learned-00xx'), 'AKIDLEARNEDLATER007 and tok-learned-00xx');
      r.learn(['AKIDLEARNEDLATER007', 'tok-learned-00', 'tok-learned-00xx', undefined, 'abc']);
      assert.strictEqual(r.redact('AKIDLEARNEDLATER007 and tok-learned-00xx and known-secret-1234 and abc'), `${MASK} and ${MASK} and ${MASK} and abc`);
      assert.strictEqual(r.redact(JSON.stringify({ k: 'tok-learned-00' })), `{"k":"${MASK}"}`);
    });

    it('a request\'s headers give its credentials: a SigV4 access key ID and session token, bearer tokens, key headers', () => {
      assert.deepStrictEqual(secretsInHeaders({
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDHEADER0000001/20261206/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=00ff',
        'X-Amz-Security-Token': 'session-token-from-profile',
        'content-type': 'application/json',
        'x-amz-date': '20261206T000000Z',
      }), ['AKIDHEADER0000001', 'session-token-from-profile']);
      assert.deepStrictEqual(secretsInHeaders({ authorization: 'Bearer eyJ.opaque.token' }), ['eyJ.opaque.token']);
      assert.deepStrictEqual(secretsInHeaders({ 'api-key': 'a1', 'x-api-key': 'a2', 'x-goog-api-key': 'a3', 'anthropic-version': '2023-06-01', accept: 'text/event-stream' }), ['a1', 'a2', 'a3']);
    });

    it('a secret containing another is masked whole; several secrets at once', () => {
      const r = new Redactor(['token-1234', 'token-1234-extended', undefined, 'AKIDTESTEXAMPLE0000', 'test-secret-not-real']);
      assert.strictEqual(r.redact('token-1234-extended'), MASK);
      assert.strictEqual(r.redact('AKIDTESTEXAMPLE0000:test-secret-not-real'), `${MASK}:${MASK}`);
    });

    it('very short values are not treated as secrets (they would mask ordinary words)', () => {
      assert.strictEqual(new Redactor(['abc']).redact('abc abc'), 'abc abc');
    });

    it('non-string input: errors give their message, other values their text', () => {
      const r = new Redactor(['hunter2-secret']);
      assert.strictEqual(r.redact(new Error('failed with hunter2-secret')), `failed with ${MASK}`);
      assert.strictEqual(r.redact(undefined), '');
      assert.strictEqual(r.redact(42), '42');
    });
  });

  describe('key shapes (no known secret needed)', () => {
    const cases: Array<[string, string]> = [
      ['openai project key', 'sk-proj-AbCdEf0123456789_xyz-XYZ'],
      ['openai legacy key', 'sk-0123456789abcdefABCDEF'],
      ['openai masked echo', 'sk-proj-****************************wxyz'],
      ['anthropic key', 'sk-ant-api03-AbCdEf0123456789-_xyz'],
      ['aws access key id', 'AKIAIOSFODNN7EXAMPLE'],
      ['aws temporary key id', 'ASIAY34FZKBOKMUTVV7A'],
      ['google api key', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW'],
      ['groq key', 'gsk_0123456789abcdefABCDEF0123'],
      ['github token', 'ghp_0123456789abcdefABCDEF0123'],
    ];
    for (const [name, key] of cases) {
      it(`masks a ${name}`, () => {
        const out = redactKeyShapes(`Incorrect API key provided: ${key}. See the docs.`);
        assert.ok(!out.includes(key), out);
        assert.ok(out.includes(MASK), out);
        assert.ok(out.startsWith('Incorrect API key provided: '), out);
      });
    }

    it('keeps the scheme of Bearer / Basic credentials and masks the value', () => {
      assert.strictEqual(redactKeyShapes('Authorization: Bearer abc.def-ghi_jkl~123'), `Authorization: Bearer ${MASK}`);
      assert.strictEqual(redactKeyShapes('authorization: bearer 0123456789abcdef'), `authorization: bearer ${MASK}`);
      assert.strictEqual(redactKeyShapes('Basic dXNlcjpwYXNzd29yZA=='), `Basic ${MASK}`);
    });

    it('masks SigV4 credential scopes, signatures and session tokens', () => {
      const auth = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261120/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';
      const out = redactKeyShapes(auth);
      assert.ok(!out.includes('AKIDEXAMPLE'), out);
      assert.ok(!out.includes('5d672d79c15b'), out);
      assert.ok(out.includes('SignedHeaders=host;x-amz-date'));
      const token = redactKeyShapes('x-amz-security-token:FwoGZXIvYXdzEJr//////////wEaDExample&next=1');
      assert.ok(!token.includes('FwoGZXIv'), token);
      assert.ok(!redactKeyShapes('?X-Amz-Security-Token=FwoGZXIvYXdz&X-Amz-Date=1').includes('FwoGZXIvYXdz'));
    });

    // Fake keys and tokens of the new credential kinds, built here (none is real; the signature is not one).
    const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url({ aud: 'https://cognitiveservices.azure.com', tid: 'test-tenant', oid: 'fake' })}.not-a-real-signature_0123`;
    const absk = 'ABSK' + Buffer.from('BedrockAPIKey-FAKE-TEST-KEY-at-000000000000:this-is-not-a-real-secret-only-a-test-0123456789').toString('base64');
    const shortTerm = 'bedrock-api-key-' + Buffer.from('bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Credential=FAKE-TEST&Version=1').toString('base64');

    it('masks JWT-shaped bearer tokens (Entra ID access tokens) with no known secret, bare, quoted or after a scheme', () => {
      for (const text of [`token ${jwt} refused`, `invalid subscription key '${jwt}'`, `{"access_token":"${jwt}"}`, `Authorization=Bearer ${jwt}`]) {
        const out = redactKeyShapes(text);
        assert.ok(!out.includes(jwt.split('.')[1]), out);
        assert.ok(!out.includes('not-a-real-signature'), out);
        assert.ok(out.includes(MASK), out);
      }
      assert.strictEqual(redactKeyShapes(`got ${jwt}.`), `got ${MASK}.`);
      // An unsigned JWT (empty signature) too.
      assert.strictEqual(redactKeyShapes(`${jwt.split('.').slice(0, 2).join('.')}.`), MASK);
    });

    it('masks Bedrock API keys (long-term ABSK…, short-term bedrock-api-key-…) with no known secret', () => {
      for (const key of [absk, shortTerm]) {
        for (const text of [`The security token included in the request is invalid: ${key}`, `Authorization=Bearer ${key}`, `"${key}"`]) {
          const out = redactKeyShapes(text);
          assert.ok(!out.includes(key.slice(4, 30)), out);
          assert.ok(out.includes(MASK), out);
        }
      }
      assert.strictEqual(redactKeyShapes(`key=${absk}&x=1`), `key=${MASK}&x=1`);
    });

    it('leaves words that merely start like these shapes alone', () => {
      const text = 'ABSKEY is not a key; eyJust a word; a.b.c; bedrock-api-key-here; version eyJhbGci.short';
      assert.strictEqual(redactKeyShapes(text), text);
    });

    it('leaves ordinary text alone', () => {
      const text = 'The model `gpt-5-mini` does not exist or you do not have access to it. Ask-me anything.';
      assert.strictEqual(redactKeyShapes(text), text);
    });
  });

  describe('flattening and capping', () => {
    it('control characters and line separators become single spaces', () => {
      assert.strictEqual(redactKeyShapes('a\nb\r\nc\u0000d\te\u001bf\u007fg\u0085h\u2028i\u2029j'), 'a b c d e f g h i j');
      assert.strictEqual(redactKeyShapes('  lots   of\n\n\n space  '), 'lots of space');
    });

    it('flattening cannot rebuild a masked key from pieces split by control characters', () => {
      const r = new Redactor(['supersecretvalue']);
      const out = r.redact('super\u0000secretvalue and supersecretvalue');
      assert.ok(!out.includes('supersecretvalue'), out);
    });

    it('caps at 500 characters by default, or the given maximum, with an ellipsis', () => {
      const long = redactKeyShapes('x'.repeat(5_000));
      assert.strictEqual(long.length, 500);
      assert.ok(long.endsWith('…'));
      assert.strictEqual(redactKeyShapes('y'.repeat(300), 100).length, 100);
      assert.strictEqual(redactKeyShapes('short', 100), 'short');
    });

    it('a secret at the cap boundary is masked before cutting, never half shown', () => {
      const secret = 'Zq9Wx8Vc7Ub6Ta5Sr4Qp3On2';
      const r = new Redactor([secret]);
      const out = r.redact(`${'a'.repeat(490)}${secret}`);
      assert.ok(!out.includes('Zq9W'), out);
    });
  });
});

describe('redaction: text that reads as something else', () => {
  it('bidi controls and zero-width characters are written out as \\uXXXX; other non-ASCII text is kept', () => {
    const r = new Redactor();
    assert.strictEqual(r.redact('model gpt\u202e4o/c\u200bx and \u2066isolated\u2069'), 'model gpt\\u202e4o/c\\u200bx and \\u2066isolated\\u2069');
    assert.strictEqual(r.redact('Modèle 日本語 прод — ok'), 'Modèle 日本語 прод — ok');
    // Escaping happens before the cap: the result still fits.
    assert.ok(r.redact('\u202e'.repeat(1000), 50).length <= 50);
  });
});

describe('credentialProblem', () => {
  it('accepts ordinary keys', () => {
    for (const key of ['sk-proj-abc123', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'a b', '0123456789abcdef0123456789abcdef']) {
      assert.strictEqual(credentialProblem(key), undefined, key);
    }
  });

  it('refuses CR, LF and NUL without echoing the value', () => {
    for (const key of ['sk-secret-line\r\nX-Injected: 1', 'sk-secret-line\n', 'sk-secret\rline', 'sk-secret\u0000line']) {
      const problem = credentialProblem(key);
      assert.ok(problem, JSON.stringify(key));
      assert.match(problem, /line break or NUL/);
      assert.ok(!problem.includes('sk-secret'), problem);
    }
  });

  it('refuses other control characters, non-ASCII, surrounding spaces, empty and huge values', () => {
    const secret = 'sk-secret-value';
    for (const key of [`${secret}\t`, `${secret}\u001b`, `${secret}\u007f`, `${secret}é`, `${secret}\u200b`, ` ${secret}`, `${secret} `, '', secret + 'x'.repeat(9_000)]) {
      const problem = credentialProblem(key);
      assert.ok(problem, JSON.stringify(key.slice(0, 40)));
      assert.ok(!problem.includes(secret), problem);
    }
  });
});
