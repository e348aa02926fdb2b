/**
 * Import into an existing manifest (the editor's Import from LiteLLM / Continue…): the
 * importer's models are added with `edit.addModel`, one after the other, so untouched
 * lines stay exactly as they were; a name already in the manifest is either skipped
 * (same provider and model code: the model is already there, e.g. a second import) or
 * the imported model is renamed (`<name>-imported`). The keys to store follow the
 * renames, and what was skipped is said. Also the summary lines shown to the user.
 */
import { isProviderId } from '../providers/catalog';
import { addModel, applyEdits, type FieldValue, type TextEdit } from '../manifest/edit';
import { credentialVariables } from './exporters/envNames';
import { credentialKindFor, ImportError, type ImportResult, type KeyToStore } from './importers/common';
import { analyzeManifest, connectionReference } from '../manifest/manifest';
import { quote } from '../yaml/text';

export interface PlannedModel {
  /** The name in the manifest after the import. */
  name: string;
  /** The importer's name when it had to be renamed. */
  renamedFrom?: string;
  connections: string[];
}

export interface ImportPlan {
  /** The manifest text after the import. */
  text: string;
  added: PlannedModel[];
  skipped: Array<{ name: string; reason: string }>;
  /** The importer's keys, renamed with their models; those of skipped models are left out. */
  keysToStore: KeyToStore[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const str = (v: FieldValue | undefined) => (typeof v === 'string' ? v : undefined);

/**
 * Adds the imported models to `manifestText` (undefined or blank: there is no manifest
 * yet, and the importer's complete manifest is the result). Throws ImportError when the
 * manifest has YAML errors: a file that does not parse is never rewritten.
 */
export function planImport(manifestText: string | undefined, result: ImportResult): ImportPlan {
  if (manifestText === undefined || manifestText.trim() === '') {
    return {
      text: result.manifest,
      added: result.models.map((m) => ({ name: String(m.model.name), connections: m.connections.map((c) => String(c.name)) })),
      skipped: [],
      keysToStore: result.keysToStore,
    };
  }
  const analysis = analyzeManifest(manifestText);
  if (!analysis.syntaxOk) {
    const first = analysis.problems.find((p) => p.severity === 'error');
    throw new ImportError(`The manifest has YAML errors${first ? ` (line ${first.range.start.line + 1}: ${first.message})` : ''}; fix them first. Nothing was imported.`);
  }
  const taken = new Set(analysis.models.map((m) => m.name));
  let text = manifestText;
  const added: PlannedModel[] = [];
  const skipped: ImportPlan['skipped'] = [];
  const renames = new Map<string, string>();
  const skippedNames = new Set<string>();
  for (const m of result.models) {
    const name = String(m.model.name);
    let target = name;
    if (taken.has(name)) {
      // The same model under its name, or under the name an earlier import gave it.
      const earlier = new RegExp(`^${escapeRegExp(name)}-imported(-\\d+)?$`);
      const same = analysis.models.find((x) => (x.name === name || earlier.test(x.name)) && x.provider === str(m.model.provider) && x.model === str(m.model.model));
      if (same) {
        skipped.push({ name, reason: `already in the manifest${same.name !== name ? ` as ${quote(same.name)}` : ''} with the same provider and model code (${same.provider} ${same.model})` });
        skippedNames.add(name);
        continue;
      }
      target = `${name}-imported`;
      for (let i = 2; taken.has(target); i++) target = `${name}-imported-${i}`;
      renames.set(name, target);
    }
    taken.add(target);
    text = applyEdits(text, addModel(text, { ...m.model, name: target }, m.connections));
    added.push({ name: target, ...(target !== name ? { renamedFrom: name } : {}), connections: m.connections.map((c) => String(c.name)) });
  }
  const keysToStore: KeyToStore[] = [];
  for (const k of result.keysToStore) {
    if (skippedNames.has(k.model)) continue;
    const to = renames.get(k.model);
    if (!to) {
      keysToStore.push(k);
      continue;
    }
    const m = result.models.find((x) => x.model.name === k.model);
    const conn = m?.connections.find((c) => c.name === k.connection);
    const provider = str(m?.model.provider);
    const vars = isProviderId(provider) && conn ? credentialVariables(to, k.connection, credentialKindFor(provider, conn)) : undefined;
    keysToStore.push({ ...k, model: to, cliVariable: (vars && (vars[k.field] ?? vars.apiKey)) ?? k.cliVariable });
  }
  return { text, added, skipped, keysToStore };
}

/** One edit from `before` to `after`: the changed middle only (common start and end kept). */
export function minimalEdit(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return [{ start, end: before.length - end, newText: after.slice(start, after.length - end) }];
}

/** The inline keys of the plan, one entry per connection (Bedrock: its key pair's fields together). */
export interface InlineKeyGroup {
  model: string;
  connection: string;
  keys: KeyToStore[];
  /** Bedrock: both the access key ID and the secret access key are in the file. */
  complete: boolean;
}

export function inlineKeyGroups(plan: ImportPlan): InlineKeyGroup[] {
  const groups: InlineKeyGroup[] = [];
  for (const k of plan.keysToStore) {
    if (k.source !== 'inline') continue;
    let g = groups.find((x) => x.model === k.model && x.connection === k.connection);
    if (!g) groups.push(g = { model: k.model, connection: k.connection, keys: [], complete: false });
    g.keys.push(k);
  }
  for (const g of groups) {
    const fields = new Set(g.keys.map((k) => k.field));
    g.complete = fields.has('apiKey') || (fields.has('accessKeyId') && fields.has('secretAccessKey'));
  }
  return groups;
}

/** 1-based line of an offset. */
export function lineOfOffset(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The summary of an import as lines for the log: what was added, renamed and skipped,
 * the warnings, and where each connection's key comes from. Never contains a key.
 */
export function importSummary(plan: ImportPlan, result: ImportResult, sourceName: string, sourceText: string, manifestName: string): string[] {
  const lines: string[] = [];
  const connections = plan.added.reduce((n, m) => n + m.connections.length, 0);
  lines.push(`Imported ${plan.added.length} model${plan.added.length === 1 ? '' : 's'} with ${connections} connection${connections === 1 ? '' : 's'} from ${sourceName} into ${manifestName}.`);
  for (const m of plan.added) lines.push(`  added ${m.name}${m.renamedFrom ? ` (renamed from ${quote(m.renamedFrom)}: that name is taken by another model)` : ''}: ${m.connections.join(', ')}`);
  for (const s of plan.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  if (result.warnings.length > 0) {
    lines.push(`${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} (what did not map):`);
    for (const w of result.warnings) lines.push(`  ${w.line ? `${sourceName}:${w.line}: ` : ''}${w.message}`);
  }
  const keyLines: string[] = [];
  for (const m of plan.added) {
    for (const c of m.connections) {
      const keys = plan.keysToStore.filter((k) => k.model === m.name && k.connection === c);
      if (keys.length === 0) continue;
      keyLines.push(`  ${connectionReference(m.name, c)}`);
      for (const k of keys) {
        const from = k.source === 'inline'
          ? `written inline in ${sourceName}${k.span ? ` (line ${lineOfOffset(sourceText, k.span.start)})` : ''}: not copied into the manifest; delete it from ${sourceName} and revoke it if that file was shared`
          : k.source === 'env' ? `from the environment variable ${k.variable}${k.note ? ` (${k.note})` : ''}` : `from the Continue secret ${k.variable}${k.note ? ` (${k.note})` : ''}`;
        keyLines.push(`    ${k.field}: ${from}; CI: set ${k.cliVariable}`);
      }
    }
  }
  if (keyLines.length > 0) lines.push('Keys (each teammate stores their own with Set Key…; CI reads the AGENT_CONNECTIONS__… variables):', ...keyLines);
  return lines;
}
