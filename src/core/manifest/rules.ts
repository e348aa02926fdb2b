/** Rules a JSON Schema cannot say: unique names, provider-specific consistency, URL safety. */
import { BEDROCK_PREFIX_REGIONS, FORBIDDEN_HEADERS, headerValueProblem, bedrockNeedsProfile, isCredentialLikeKey, isProviderId, isBedrockModelIdShape, isGeminiPreviewModel, splitBedrockModelId } from '../providers/catalog';
import type { ModelInfo, ModelNodes, Span } from './types';
import { MAX_PROBLEMS, type Severity } from '../yaml/problems';
import { quote } from '../yaml/text';
import { hiddenUrlCharacter, isLoopbackHost } from '../net/origin';
import type { ProblemList } from '../yaml/yamlLoad';
import { isTMap, pairOf, type TMap, type TNode } from '../yaml/yamlTree';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Bidi controls, zero-width and other invisible characters: names must read as what they are. */
// eslint-disable-next-line no-misleading-character-class -- the class lists single invisible code points on purpose
export const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/;

/** Scripts whose letters look like each other's (`о` U+043E and `o`): a name mixing two of them is a lookalike. */
const LOOKALIKE_SCRIPTS: ReadonlyArray<[string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u], ['Cyrillic', /\p{Script=Cyrillic}/u], ['Greek', /\p{Script=Greek}/u], ['Armenian', /\p{Script=Armenian}/u], ['Cherokee', /\p{Script=Cherokee}/u],
];

/**
 * The first letter of a name from a second lookalike script, or undefined: `prоd` with a Cyrillic
 * `о` reads as `prod` and is another name, so an agents file can name the lookalike connection
 * while a reader sees the real one. Names in one script (`прод`), or Latin with CJK, are fine.
 */
export function mixedScriptLetter(name: string): { script: string; other: string; char: string; at: number } | undefined {
  if (!/[^\x20-\x7e]/.test(name)) return undefined;
  let first: string | undefined;
  let i = 0;
  for (const ch of name) {
    const script = LOOKALIKE_SCRIPTS.find(([, re]) => re.test(ch))?.[0];
    if (script !== undefined) {
      if (first === undefined) first = script;
      else if (script !== first) return { script: first, other: script, char: ch, at: i };
    }
    i += ch.length;
  }
  return undefined;
}

export function checkNameCharacters(kind: string, name: string, span: Span, problems: ProblemList): void {
  if (INVISIBLE.test(name)) {
    problems.add('invisible-characters', 'error', `The ${kind} name ${quote(name)} contains invisible or bidirectional-control characters, which make it read as something else. Use visible characters only.`, span.start, span.end);
    return;
  }
  const mixed = mixedScriptLetter(name);
  if (mixed) {
    const code = `U+${mixed.char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    problems.add('mixed-script', 'error', `The ${kind} name ${quote(name)} mixes ${mixed.script} and ${mixed.other} letters (\`${mixed.char}\` ${code} at character ${mixed.at + 1} is ${mixed.other}), so it looks like another name. Write it in one script.`, span.start, span.end);
  }
}

export function checkManifestRules(models: ModelInfo[], nodes: ModelNodes[], problems: ProblemList): void {
  const seenModels = new Map<string, ModelInfo>();
  const urls = new UrlChecks();
  models.forEach((model, mi) => {
    // Once the problem list is full nothing more can be reported: the rest is not checked.
    if (problems.items.length >= MAX_PROBLEMS) return;
    const modelMap = nodes[mi].model;
    checkNameCharacters('model', model.name, model.nameSpan, problems);
    const first = seenModels.get(model.name);
    if (first && !model.name.startsWith('(model ')) {
      problems.add('duplicate-name', 'error', `Another model is already named ${quote(model.name)} (line ${problems.index.positionAt(first.nameSpan.start).line + 1}); model names must be unique.`, model.nameSpan.start, model.nameSpan.end);
    } else seenModels.set(model.name, model);

    checkDate(pairOf(modelMap, 'addedOn')?.value, problems);
    if (model.connections.length === 0) {
      const at = pairOf(modelMap, 'connections')?.key?.range ?? [model.nameSpan.start, model.nameSpan.end];
      problems.add('no-connections', 'warning', `Model ${quote(model.name)} has no connections yet: agents cannot use it until one is added.`, at[0], at[1]);
    }

    if (model.provider === 'amazon-bedrock' && model.model !== undefined) {
      const modelNode = pairOf(modelMap, 'model')?.value;
      const ms = spanOf(modelNode, model.nameSpan);
      if (!isBedrockModelIdShape(model.model)) {
        problems.add('bedrock-model-id', 'error', `${quote(model.model)} is not a Bedrock model ID: they look like \`anthropic.claude-opus-4-1-20250805-v1:0\`, optionally with a cross-region prefix such as \`us.\` (or an inference-profile ARN).`, ms.start, ms.end);
      } else {
        const { prefix, base } = splitBedrockModelId(model.model);
        if (!prefix && !model.model.startsWith('arn:') && bedrockNeedsProfile(base)) {
          problems.add('bedrock-needs-profile', 'warning', `${quote(base)} is served only through a cross-region inference profile: add a prefix such as \`us.\`, \`eu.\`, \`apac.\` or \`global.\` (e.g. \`us.${base}\`).`, ms.start, ms.end);
        }
      }
    }

    /** Name → offset of its first use (the line is computed only for a message). */
    const seenConnections = new Map<string, number>();
    // The same for every connection of the model.
    const knownProvider = isProviderId(model.provider);
    const bedrockPrefix = model.provider === 'amazon-bedrock' && model.model ? splitBedrockModelId(model.model).prefix : undefined;
    // An index loop, not forEach: this runs once per connection, mostly before the code is optimized.
    for (let ci = 0; ci < model.connections.length; ci++) {
      const conn = model.connections[ci];
      if (problems.items.length >= MAX_PROBLEMS) continue;
      const connMap = nodes[mi].connections[ci];
      checkNameCharacters('connection', conn.name, conn.nameSpan, problems);
      const firstAt = seenConnections.get(conn.name);
      if (firstAt !== undefined && !conn.name.startsWith('(connection ')) {
        problems.add('duplicate-name', 'error', `Model ${quote(model.name)} already has a connection named ${quote(conn.name)} (line ${problems.index.positionAt(firstAt).line + 1}); connection names must be unique within a model.`, conn.nameSpan.start, conn.nameSpan.end);
      } else seenConnections.set(conn.name, conn.nameSpan.start);

      checkDate(pairOf(connMap, 'addedOn')?.value, problems);
      if (!knownProvider) {
        // The schema checks connections only once the provider is known; a key is refused regardless.
        for (const pair of connMap.items) {
          const k = pair.key;
          if (k?.kind === 'scalar' && typeof k.value === 'string' && isCredentialLikeKey(k.value)) {
            problems.add('schema-unknown-key', 'error', `\`${k.value}\` cannot be set in a connection: keys and secrets never go in this file. They are stored in VS Code SecretStorage on each machine.`, k.range[0], k.range[1]);
          }
        }
      }
      const setting = (key: string) => settingOf(connMap, key, conn.nameSpan);

      switch (model.provider) {
        case 'google-gemini': {
          const v = setting('apiVersion');
          if (v.value === 'v1' && model.model && isGeminiPreviewModel(model.model)) {
            problems.add('gemini-api-version', 'error', `${quote(model.model)} is a preview model, which exists only on \`v1beta\`; with \`apiVersion: v1\` the connection fails. Use \`v1beta\` (switch to \`v1\` once Google makes it GA).`, v.span.start, v.span.end);
          }
          break;
        }
        case 'amazon-bedrock': {
          const r = setting('region');
          const prefix = bedrockPrefix;
          if (r.value && prefix && !BEDROCK_PREFIX_REGIONS[prefix]?.(r.value)) {
            problems.add('bedrock-region', 'error', `The model ID uses the \`${prefix}.\` cross-region profile, which cannot be called from ${quote(r.value)}: use a region of that geography or change the prefix.`, r.span.start, r.span.end);
          }
          break;
        }
        case 'azure-openai': {
          const e = setting('endpoint');
          if (e.value !== undefined) urls.check(e.value, 'endpoint', e.span, problems, true);
          const av = setting('apiVersion');
          if (av.value !== undefined && !/^(\d{4}-\d{2}-\d{2}(-preview)?|v1|latest|preview)$/.test(av.value)) {
            problems.add('azure-api-version', 'warning', `${quote(av.value)} does not look like an Azure OpenAI API version (e.g. \`2024-10-21\`, \`2025-04-01-preview\`, or \`v1\` for the v1 API).`, av.span.start, av.span.end);
          }
          break;
        }
        case 'generic': {
          const b = setting('baseUrl');
          if (b.value !== undefined) urls.check(b.value, 'baseUrl', b.span, problems, false);
          const headers = pairOf(pairOf(connMap, 'advancedProperties')?.value, 'headers')?.value;
          if (isTMap(headers)) {
            for (const pair of headers.items) {
              const k = pair.key;
              const name = k?.kind === 'scalar' ? String(k.value) : '';
              const ks = spanOf(k, conn.nameSpan);
              if (!HEADER_NAME.test(name)) problems.add('header-name', 'error', `${quote(name)} is not a valid HTTP header name.`, ks.start, ks.end);
              else if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
                problems.add('header-forbidden', 'error', `The \`${name}\` header cannot be set here: ${name.toLowerCase() === 'host' ? 'the host comes from `baseUrl`' : 'credentials live in SecretStorage, and the key is sent as `authHeader` says'}.`, ks.start, ks.end);
              }
              const v = pair.value;
              if (v?.kind === 'scalar' && typeof v.value === 'string' && /[\r\n\0]/.test(v.value)) {
                const vs = spanOf(v, ks);
                problems.add('header-value', 'error', `The value of header \`${name}\` contains a line break or NUL character.`, vs.start, vs.end);
              } else if (v?.kind === 'scalar' && typeof v.value === 'string') {
                const bad = headerValueProblem(v.value);
                if (bad) {
                  const vs = spanOf(v, ks);
                  problems.add('header-value', 'error', `The value of header \`${name}\` ${bad}`, vs.start, vs.end);
                }
              }
            }
          }
          const auth = setting('authHeader');
          if (auth.value !== undefined && auth.value.toLowerCase() !== 'none' && FORBIDDEN_HEADERS.has(auth.value.toLowerCase()) && !['authorization', 'api-key', 'x-api-key', 'ocp-apim-subscription-key', 'x-goog-api-key'].includes(auth.value.toLowerCase())) {
            problems.add('header-forbidden', 'error', `\`${auth.value}\` cannot carry the API key.`, auth.span.start, auth.span.end);
          }
          break;
        }
      }
    }
  });
}

function spanOf(node: TNode | null | undefined, fallback: Span): Span {
  return node ? { start: node.start, end: node.end } : fallback;
}

/** A connection setting: its node, its string value and where to report it. */
function settingOf(connMap: TMap, key: string, fallback: Span): { node: TNode | null | undefined; value: string | undefined; span: Span } {
  const node = pairOf(connMap, key)?.value;
  return { node, value: node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : undefined, span: spanOf(node, fallback) };
}

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

function checkDate(node: TNode | null | undefined, problems: ProblemList): void {
  if (node?.kind !== 'scalar' || typeof node.value !== 'string') return;
  const v = node.value;
  if (!DATE_SHAPE.test(v)) return; // the schema reports the shape
  const digit = (i: number) => v.charCodeAt(i) - 48;
  if (!isRealDate(digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3), digit(5) * 10 + digit(6), digit(8) * 10 + digit(9))) {
    const [s, e] = node.range ?? [0, 0];
    problems.add('invalid-date', 'error', `${quote(node.value)} is not a real date.`, s, e);
  }
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether year-month-day names a day of the calendar — what `Date.UTC` round-trips, which
 * reads years 0–99 as 1900–1999 (so 0000-02-29 is not a real date there either).
 */
function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const y = year < 100 ? 1900 + year : year;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS[month - 1]);
}

type Finding = { code: string; severity: Severity; message: string };

/**
 * `checkUrl` once per distinct URL of a manifest (connections of a model or a gateway share
 * theirs): its findings depend on the URL and the field only, and are added again, in the
 * same order, at each place the URL is written.
 */
class UrlChecks {
  private readonly seen = new Map<string, Finding[]>();

  check(value: string, field: string, span: Span, problems: ProblemList, azure: boolean): void {
    const key = `${azure ? 'a' : 'g'}${field}\n${value}`;
    let findings = this.seen.get(key);
    if (findings === undefined) {
      const found: Finding[] = [];
      checkUrl(value, field, { add: (code, severity, message) => void found.push({ code, severity, message }) }, { azure });
      this.seen.set(key, (findings = found));
    }
    for (const f of findings) problems.add(f.code, f.severity, f.message, span.start, span.end);
  }
}

/**
 * Endpoint URLs decide where a key is sent, so they are held to a strict shape:
 * http(s) only, no user info, no query or fragment, https unless loopback.
 */
function checkUrl(value: string, field: string, problems: { add(code: string, severity: Severity, message: string): void }, opts: { azure: boolean }): void {
  const hidden = hiddenUrlCharacter(value);
  if (hidden) {
    problems.add('url-hidden-characters', 'error', `\`${field}\` ${hidden}`);
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.add('invalid-url', 'error', `\`${field}\` is not a valid URL: ${quote(value)}.`);
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.add('invalid-url', 'error', `\`${field}\` must be an https URL, not ${quote(url.protocol.replace(/:$/, ''))}.`);
    return;
  }
  if (url.port === '0') {
    problems.add('invalid-url', 'error', `\`${field}\` has port 0, which no server listens on: give the server's port, or none for the default.`);
  }
  if (url.username || url.password) {
    problems.add('url-userinfo', 'error', `\`${field}\` must not contain a user name or password: credentials belong in SecretStorage.`);
  }
  if (url.search || url.hash) {
    problems.add('url-query', 'error', `\`${field}\` must not contain a query string or fragment${opts.azure ? ' (the api-version comes from `apiVersion`)' : ''}.`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    problems.add('insecure-url', opts.azure ? 'error' : 'warning', `\`${field}\` uses plain http to ${quote(url.host)}: the key would travel unencrypted. Use https${opts.azure ? '' : ' (testing will ask for confirmation)'}.`);
  }
  // eslint-disable-next-line no-control-regex -- any non-ASCII character in the URL
  if (url.hostname.startsWith('xn--') || url.hostname.includes('.xn--') || /[^\x00-\x7f]/.test(value)) {
    problems.add('idn-host', 'warning', `\`${field}\` points to the internationalised host ${quote(url.hostname)}; check that it is the host you expect.`);
  }
  if (opts.azure) {
    if (!loopback && !/\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com|openai\.azure\.us|openai\.azure\.cn)$/.test(url.hostname)) {
      problems.add('azure-endpoint-host', 'warning', `${quote(url.hostname)} is not an Azure OpenAI host (\`*.openai.azure.com\`, \`*.cognitiveservices.azure.com\`); if it is a gateway, make sure it is yours.`);
    }
    if (url.pathname !== '/' && url.pathname !== '' && !/^\/openai(\/v1)?\/?$/.test(url.pathname)) {
      problems.add('azure-endpoint-path', 'warning', `\`endpoint\` should be the resource URL only (e.g. \`https://my-resource.openai.azure.com\`); the deployment path is built from \`deployment\` and \`apiVersion\`.`);
    }
  }
}
