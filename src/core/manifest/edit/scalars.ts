/** How a scalar is written: plain when it reads back the same in YAML 1.2 and 1.1, else quoted. */
import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import { yamlLib } from '../../yaml/yamlLib';
import { EditError } from './textEdit';

/** Characters written only as escapes: controls, line/paragraph separators, BOM, invisible and bidi controls, lone surrogates. */
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const ESCAPED_ALL = new RegExp(ESCAPED.source, 'g');

/** Indicators that may not start a plain scalar (some only in some contexts; quoting is always safe). */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

const FLOW_INDICATOR = /[,[\]{}]/;

const CORE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.2', schema: 'core', uniqueKeys: true };

/** YAML 1.1 readers (PyYAML, older tools) take `yes`, `on`, `0777`, `1:20` … as non-strings. Dates are left alone. */
const YAML11_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.1', customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp') };

/** True when `s` written plain reads back as the same string in YAML 1.2 and YAML 1.1. */
function readsBackPlain(s: string, flow: boolean): boolean {
  const src = flow ? `{k: ${s}}\n` : `k: ${s}\n`;
  const { isMap, isScalar, parseDocument } = yamlLib();
  for (const options of [CORE_OPTIONS, YAML11_OPTIONS]) {
    const doc = parseDocument(src, options);
    if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents) || doc.contents.items.length !== 1) return false;
    const value = doc.contents.items[0].value;
    if (!isScalar(value) || value.value !== s) return false;
  }
  return true;
}

function canBePlain(s: string, flow: boolean): boolean {
  if (s === '' || s !== s.trim() || ESCAPED.test(s) || INDICATOR_START.test(s)) return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (flow && FLOW_INDICATOR.test(s)) return false;
  return readsBackPlain(s, flow);
}

/**
 * A YAML scalar for a value, quoted only when needed: plain when it reads back as the
 * same string (in YAML 1.2, and in YAML 1.1 so `yes`/`on` stay strings for other
 * tools), single-quoted when it only needs quoting, double-quoted with escapes when it
 * holds line breaks or invisible characters. `flow` is for values inside `{…}`/`[…]`.
 */
export function formatScalar(value: string | number | boolean, flow = false): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EditError(`${value} cannot be written to the manifest.`, 'shape');
    return String(value);
  }
  if (canBePlain(value, flow)) return value;
  if (!ESCAPED.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value).replace(ESCAPED_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
