/** Origins as the credential binding compares them (SECURITY.md §1). */
import * as assert from 'assert';
import { checkBinding, hiddenUrlCharacter, isInsecureRemote, OriginError, originOf, parseOrigin } from '../../src/core/net/origin';
import { targetBase } from '../../src/core/providers/connectionTest';
import { TargetError, type ConnectionTarget } from '../../src/core/providers';

const OPENAI = 'https://api.openai.com';

describe('origin binding', () => {
  describe('parseOrigin / originOf', () => {
    it('keeps scheme, host and port only', () => {
      assert.deepStrictEqual(parseOrigin('https://api.openai.com/v1/chat?x=1#y'), { origin: OPENAI, protocol: 'https:', host: 'api.openai.com', loopback: false });
      assert.strictEqual(originOf('http://127.0.0.1:11434/v1'), 'http://127.0.0.1:11434');
    });

    it('upper-case hosts and schemes are the same origin', () => {
      assert.strictEqual(originOf('HTTPS://API.OpenAI.COM/v1'), OPENAI);
      assert.deepStrictEqual(checkBinding(OPENAI, 'https://API.OPENAI.COM/v1'), { kind: 'same' });
    });

    it('an explicit default port equals no port; another port differs', () => {
      assert.strictEqual(originOf('https://api.openai.com:443/v1'), OPENAI);
      assert.strictEqual(originOf('http://example.com:80/'), 'http://example.com');
      assert.deepStrictEqual(checkBinding(`${OPENAI}:443`, `${OPENAI}/v1`), { kind: 'same' });
      assert.strictEqual(originOf('https://api.openai.com:8443'), 'https://api.openai.com:8443');
      assert.strictEqual(originOf('http://example.com:443'), 'http://example.com:443');
      assert.strictEqual(originOf('https://example.com:80'), 'https://example.com:80');
      assert.deepStrictEqual(checkBinding(OPENAI, 'https://api.openai.com:8443/v1'), { kind: 'changed', bound: OPENAI, target: 'https://api.openai.com:8443' });
    });

    it('trailing dots are dropped', () => {
      assert.strictEqual(originOf('https://api.openai.com./v1'), OPENAI);
      assert.strictEqual(originOf('https://api.openai.com..:443'), OPENAI);
      assert.strictEqual(originOf('http://localhost.:3000'), 'http://localhost:3000');
      assert.deepStrictEqual(checkBinding(OPENAI, 'https://api.openai.com./v1'), { kind: 'same' });
    });

    it('http and https are different origins', () => {
      assert.notStrictEqual(originOf('http://api.openai.com'), originOf(OPENAI));
      assert.deepStrictEqual(checkBinding(OPENAI, 'http://api.openai.com/v1'), { kind: 'changed', bound: OPENAI, target: 'http://api.openai.com' });
    });

    it('IDN hosts become punycode; a Cyrillic lookalike is another origin', () => {
      assert.strictEqual(originOf('https://bücher.example/x'), 'https://xn--bcher-kva.example');
      // 'а' below is U+0430 CYRILLIC SMALL LETTER A.
      const lookalike = 'https://\u0430pi.openai.com/v1';
      const o = originOf(lookalike);
      assert.ok(o.startsWith('https://xn--'), o);
      assert.ok(!o.includes('\u0430'));
      assert.notStrictEqual(o, OPENAI);
      const d = checkBinding(OPENAI, lookalike);
      assert.strictEqual(d.kind, 'changed');
      // What the user is shown is the punycode form, never the lookalike text.
      assert.ok(d.kind === 'changed' && d.target.startsWith('https://xn--') && /^[\x20-\x7e]+$/.test(d.target), JSON.stringify(d));
      // The already-punycoded form is the same origin as the Unicode one.
      assert.strictEqual(originOf(o), o);
    });

    it('suffix and prefix lookalikes are other origins', () => {
      for (const url of ['https://api.openai.com.evil.com/v1', 'https://evil-api.openai.com/v1', 'https://api-openai.com/v1', 'https://apiopenai.com', 'https://api.openai.co']) {
        const d = checkBinding(OPENAI, url);
        assert.strictEqual(d.kind, 'changed', url);
      }
      // A percent-encoded dot decodes to a real dot: still api.openai.com.evil.com, not api.openai.com. Such a host
      // hides where the key goes, so it is refused outright, naming where it would go.
      assert.throws(() => originOf('https://api.openai.com%2eevil.com/'), (err: unknown) => err instanceof OriginError && /percent-encoded host[^]*it would go to api\.openai\.com\.evil\.com\./.test(err.message));
    });

    it('user info is refused (it would hide the real host)', () => {
      for (const url of ['https://user:pw@api.openai.com/v1', 'https://api.openai.com@evil.com/v1', 'https://:pw@api.openai.com', 'http://user@127.0.0.1:8080']) {
        assert.throws(() => parseOrigin(url), (err: unknown) => err instanceof OriginError && /user info/.test(err.message), url);
      }
    });

    it('other schemes, relative URLs and empty hosts are refused', () => {
      for (const url of ['ftp://api.openai.com', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,x', '/v1/models', 'api.openai.com', '', 'https://']) {
        assert.throws(() => parseOrigin(url), OriginError, url);
      }
    });

    it('characters URL parsers drop or decode silently are refused, naming the character, its place and the real host', () => {
      // Each of these reads as one host and parses to another: WHATWG drops tabs and line breaks, IDNA deletes
      // zero-width characters, the host is percent-decoded.
      const cases: Array<[string, RegExp]> = [
        ['https://api.groq.com\n.evil.example/v1', /^The URL contains a line break \(U\+000A\) at character 21, which URL parsers drop or change without a word: it would go to api\.groq\.com\.evil\.example\. /],
        ['https://api.groq.com\r\n.evil.example/v1', /a carriage return \(U\+000D\) at character 21/],
        ['https://api.gr\toq.com/v1', /a tab \(U\+0009\) at character 15, which URL parsers drop or change without a word: it would go to api\.groq\.com\./],
        ['https://api.openai.com\u200b.evil.example/v1', /a zero-width space \(U\+200B\) at character 23[^]*api\.openai\.com\.evil\.example/],
        ['https://api.groq.com\u00ad.evil.example/v1', /a soft hyphen \(U\+00AD\)/],
        ['https://api.groq.com\u2060.evil.example/v1', /a word joiner \(U\+2060\)/],
        ['https://evil.example\u202e/moc.qorg.ipa', /a bidirectional control \(U\+202E\)/],
        ['https://api.groq.com%2eevil.example/v1', /has a percent-encoded host, which URL parsers decode to another text: it would go to api\.groq\.com\.evil\.example\./],
        ['https://api.groq.com /v1', /a space \(U\+0020\) at character 21/],
      ];
      for (const [url, message] of cases) {
        assert.throws(() => parseOrigin(url), (err: unknown) => err instanceof OriginError && message.test(err.message), JSON.stringify(url));
        assert.match(hiddenUrlCharacter(url) ?? '', /Write the URL on one line, without spaces, invisible characters or % in the host\.$/);
      }
    });

    it('port 0 is refused, saying why (the request failed as a host that "could not be resolved")', () => {
      assert.throws(() => parseOrigin('https://api.groq.com:0/openai/v1'), (err: unknown) => err instanceof OriginError && /port 0, which no server listens on/.test(err.message));
      assert.strictEqual(originOf('https://api.groq.com:00443/v1'), 'https://api.groq.com');
    });

    it('spaces and line breaks around a URL are not hidden characters (the URL is trimmed before use); % in the path is fine', () => {
      for (const url of ['https://api.groq.com/openai/v1\n', '  https://api.groq.com/openai/v1 ', 'https://api.groq.com/openai/v1%20x', 'https://api.groq.com:8443/v1', 'http://[::1]:8080/v1']) {
        assert.strictEqual(hiddenUrlCharacter(url), undefined, JSON.stringify(url));
      }
      assert.strictEqual(originOf('https://api.groq.com/openai/v1%2e%2e'), 'https://api.groq.com');
    });

    it('the error text does not repeat a long URL in full', () => {
      const long = `not a url ${'x'.repeat(5_000)}`;
      assert.throws(() => parseOrigin(long), (err: unknown) => err instanceof OriginError && err.message.length < 300);
    });

    it('IPv6 loopback and numeric IPv4 forms', () => {
      assert.deepStrictEqual(parseOrigin('http://[::1]:8080/v1'), { origin: 'http://[::1]:8080', protocol: 'http:', host: '[::1]', loopback: true });
      assert.strictEqual(originOf('http://[0:0:0:0:0:0:0:1]/'), 'http://[::1]');
      assert.strictEqual(parseOrigin('http://[2001:db8::1]/').loopback, false);
      // WHATWG URL normalises numeric hosts, so the comparison sees the address undici will connect to.
      assert.strictEqual(originOf('http://2130706433/'), 'http://127.0.0.1');
      assert.strictEqual(originOf('https://0x7f.1/'), 'https://127.0.0.1');
      assert.strictEqual(parseOrigin('http://127.0.0.2:80').origin, 'http://127.0.0.2');
    });

    it('localhost and 127.0.0.1 are different origins', () => {
      assert.deepStrictEqual(checkBinding('http://localhost:11434', 'http://127.0.0.1:11434/v1'), { kind: 'changed', bound: 'http://localhost:11434', target: 'http://127.0.0.1:11434' });
    });
  });

  describe('checkBinding', () => {
    it('no recorded origin → unbound (ask once)', () => {
      assert.deepStrictEqual(checkBinding(undefined, 'https://api.groq.com/openai/v1'), { kind: 'unbound', target: 'https://api.groq.com' });
      assert.deepStrictEqual(checkBinding('', 'https://api.groq.com/openai/v1'), { kind: 'unbound', target: 'https://api.groq.com' });
    });

    it('the path is not part of the origin', () => {
      assert.deepStrictEqual(checkBinding('https://gw.corp/openai', 'https://gw.corp/other/v1'), { kind: 'same' });
    });

    it('an unparseable stored origin is treated as changed', () => {
      assert.deepStrictEqual(checkBinding('garbage', OPENAI), { kind: 'changed', bound: 'garbage', target: OPENAI });
    });

    it('a target with user info throws instead of deciding', () => {
      assert.throws(() => checkBinding(OPENAI, 'https://x@api.openai.com'), OriginError);
    });
  });

  describe('isInsecureRemote', () => {
    it('plain http to another machine only', () => {
      assert.strictEqual(isInsecureRemote('http://example.invalid/v1'), true);
      assert.strictEqual(isInsecureRemote('http://192.168.1.10:11434/v1'), true);
      assert.strictEqual(isInsecureRemote('http://10.0.0.1/'), true);
      assert.strictEqual(isInsecureRemote('https://example.invalid/v1'), false);
      for (const local of ['http://127.0.0.1:11434/v1', 'http://localhost:1234/v1', 'http://[::1]:8000/v1', 'http://127.8.9.10/', 'http://ollama.localhost/', 'http://LOCALHOST./v1']) {
        assert.strictEqual(isInsecureRemote(local), false, local);
      }
    });

    it('lookalikes of localhost are remote', () => {
      for (const remote of ['http://localhost.evil.com/', 'http://127.0.0.1.nip.io/', 'http://localhostx/', 'http://[::2]/']) {
        assert.strictEqual(isInsecureRemote(remote), true, remote);
      }
    });
  });

  describe('targetBase', () => {
    const t = (provider: ConnectionTarget['provider'], settings: Record<string, unknown> = {}): ConnectionTarget => ({ provider, modelName: 'm', connectionName: 'c', model: 'x', settings });

    it('built-in providers have fixed official origins unless overridden', () => {
      assert.strictEqual(targetBase(t('openai')), 'https://api.openai.com/v1');
      assert.strictEqual(targetBase(t('anthropic')), 'https://api.anthropic.com');
      assert.strictEqual(targetBase(t('google-gemini')), 'https://generativelanguage.googleapis.com');
      assert.strictEqual(targetBase(t('cohere')), 'https://api.cohere.com');
      assert.strictEqual(targetBase(t('openai'), { openai: 'https://gw.corp/openai/' }), 'https://gw.corp/openai/v1');
      // Manifest settings cannot move a built-in provider.
      assert.strictEqual(targetBase(t('openai', { baseUrl: 'https://evil.example', endpoint: 'https://evil.example' })), 'https://api.openai.com/v1');
    });

    it('azure and generic take their origin from the settings, checked', () => {
      assert.strictEqual(targetBase(t('azure-openai', { endpoint: 'https://r.openai.azure.com/' })), 'https://r.openai.azure.com');
      assert.strictEqual(targetBase(t('generic', { baseUrl: 'https://api.groq.com/openai/v1/' })), 'https://api.groq.com/openai/v1');
      for (const baseUrl of ['https://u:p@api.groq.com/v1', 'https://api.groq.com/v1?key=x', 'https://api.groq.com/v1#x', 'ftp://x/v1', 'not a url']) {
        assert.throws(() => targetBase(t('generic', { baseUrl })), TargetError, baseUrl);
      }
      assert.throws(() => targetBase(t('generic')), TargetError);
      assert.throws(() => targetBase(t('azure-openai')), TargetError);
      assert.throws(() => targetBase({ ...t('openai'), provider: 'nope' as ConnectionTarget['provider'] }), TargetError);
    });

    it('bedrock: only real region names reach the host name', () => {
      assert.strictEqual(targetBase(t('amazon-bedrock', { region: 'us-gov-west-1' })), 'https://bedrock-runtime.us-gov-west-1.amazonaws.com');
      for (const region of ['evil.com/x', 'evil.com#', 'us-east-1.evil.com', 'us-east-1@evil.com', 'us-east-1:443', 'US-EAST-1', ' us-east-1x', '']) {
        assert.throws(() => targetBase(t('amazon-bedrock', { region })), TargetError, region);
      }
    });
  });
});
