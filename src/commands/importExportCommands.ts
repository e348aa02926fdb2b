/**
 * Import from LiteLLM… / Import from Continue… / Export to LiteLLM… in the editor.
 *
 * Import reads the chosen file with the CLI's importers, adds the models to the folder's
 * manifest through the edit module (one minimal edit through the open document; names
 * already taken are skipped or renamed, see core/import-export/importPlan.ts), logs a summary (added,
 * renamed, skipped, warnings, where each key comes from) and, when the file has keys
 * written inline, asks which to store: the chosen ones go to SecretStorage through the
 * Set Key… path (bound to each connection's origin). Inline keys are read from the source
 * text only after that confirmation and never reach the manifest, a message or the log.
 *
 * Export writes a LiteLLM proxy config whose keys are `os.environ/` references (the
 * CLI's variable names), beside the manifest by default, and opens it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyManifestEdit } from '../manifest/applyEdit';
import { registerCommand } from './commandWrapper';
import type { CommandId } from './commands';
import type { ExportResult } from '../core/import-export/exporters/litellm';
import type { ImportOptions, ImportResult } from '../core/import-export/importers/common';
import type { ImportPlan, InlineKeyGroup } from '../core/import-export/importPlan';
import { connectionReference } from '../core/manifest/names';
import { Redactor } from '../core/secrets/redact';
import type { ConnectionRef } from '../testing/connectionTester';
import { SecretStorageError, type Credentials } from '../credentials/credentials';
import { addedBy } from '../editor/workspaceInfo';
import { keyOrigin, keyTargetProblem, KeyNotStoredError, storeConnectionKey, type CredentialValue } from '../credentials/keyStore';
import { core } from '../lazyCore';
import { readSourceText, type FolderManifest, type ManifestStore } from '../manifest/manifestStore';

export const IMPORT_EXPORT_COMMAND_IDS = ['agentConnections.importLiteLLM', 'agentConnections.importContinue', 'agentConnections.exportLiteLLM'] as const satisfies readonly CommandId[];

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  credentials: Credentials;
  log: vscode.LogOutputChannel;
}

type SourceKind = 'litellm' | 'continue';

// The importers run from the lazily loaded core (dist/core.js), not at activation.
const SOURCES: Record<SourceKind, { label: string; what: string; run: (text: string, options: ImportOptions) => ImportResult }> = {
  litellm: { label: 'LiteLLM', what: 'the LiteLLM proxy config (config.yaml with model_list)', run: (text, options) => core().importLiteLLM(text, options) },
  continue: { label: 'Continue', what: 'the Continue config (config.yaml or config.json with models)', run: (text, options) => core().importContinue(text, options) },
};

const YAML_FILTERS = { YAML: ['yaml', 'yml'] };

export function registerImportExportCommands(deps: Deps): void {
  const { context, store, credentials, log } = deps;
  const register = (id: (typeof IMPORT_EXPORT_COMMAND_IDS)[number], handler: (arg?: unknown) => unknown) => registerCommand(context, log, id, handler);

  const pickFolder = async (placeHolder: string, needManifest: boolean): Promise<FolderManifest | undefined> => {
    const folders = store.folders.filter((f) => !needManifest || f.exists);
    if (folders.length === 0) throw new Error(needManifest ? 'There is no manifest in this workspace to export.' : 'Open a folder first: the manifest lives at the root of a workspace folder.');
    if (folders.length === 1) return folders[0];
    return (await vscode.window.showQuickPick(folders.map((f) => ({ label: f.folder.name, description: f.exists ? vscode.workspace.asRelativePath(f.uri) : 'no manifest yet', state: f })), { placeHolder }))?.state;
  };

  const runImport = async (kind: SourceKind, arg: unknown) => {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: the manifest is read-only and no key is stored. Trust the workspace to import.');
    const source = SOURCES[kind];
    const state = await pickFolder(`Import from ${source.label} into which folder's manifest?`, false);
    if (!state) return;
    const sourceUri = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({
      title: `Import from ${source.label}: choose ${source.what}`,
      openLabel: 'Import',
      canSelectMany: false,
      filters: kind === 'continue' ? { 'YAML or JSON': ['yaml', 'yml', 'json'] } : YAML_FILTERS,
      defaultUri: state.folder.uri,
    }))?.[0];
    if (!sourceUri) return;
    if (sourceUri.toString() === state.uri.toString()) throw new Error('That is the manifest itself; choose the LiteLLM or Continue config to import.');
    const sourceName = path.basename(sourceUri.path);
    const sourceText = await readSourceText(sourceUri, `${source.label} config ${sourceName}`);

    let result: ImportResult;
    try {
      // Settings written as os.environ/X stay unresolved: the editor's environment is not where LiteLLM runs.
      result = source.run(sourceText, { today: core().isoToday(), addedBy: await addedBy(state.folder), sourceName });
    } catch (err) {
      if (err instanceof core().ImportError) throw new Error(`${sourceName}: ${err.message}`);
      throw err;
    }
    const manifestName = vscode.workspace.asRelativePath(state.uri, false);
    // The summary never holds a key value; key shapes are masked anyway (inline values are read only after the user confirms).
    const redactor = new Redactor();
    /** One log entry; each line redacted, its indentation kept. */
    const logLines = (lines: string[]) => log.info(lines.map((l) => /^ */.exec(l)![0] + redactor.redact(l, 2000)).join('\n'));

    if (result.models.length === 0) {
      logLines([`Import from ${sourceName}: no models found.`, ...result.warnings.map((w) => `  ${w.line ? `${sourceName}:${w.line}: ` : ''}${w.message}`)]);
      // Say why at once (every entry skipped: an embedding model, an unset variable …); the log has every reason.
      const located = result.warnings.filter((w) => w.line !== undefined);
      const [first, ...more] = located.length > 0 ? located : result.warnings;
      const why = first ? ` ${first.line ? `Line ${first.line}: ` : ''}${redactor.redact(first.message, 300)}${more.length ? ` (and ${more.length} more in the log)` : ''}` : '';
      void vscode.window.showWarningMessage(`Nothing was imported: ${sourceName} has no model to import.${why}`, 'Show Log').then((c) => c && log.show());
      return;
    }

    // Plan and write: against the text as it is when the edit is applied (through the open document when open).
    let plan: ImportPlan | undefined;
    const exists = await vscode.workspace.fs.stat(state.uri).then(() => true, () => false);
    if (!exists) {
      plan = core().planImport(undefined, result);
      await vscode.workspace.fs.writeFile(state.uri, new TextEncoder().encode(plan.text));
    } else {
      await applyManifestEdit(state.uri, (text) => {
        plan = core().planImport(text, result);
        return core().minimalEdit(text, plan.text);
      });
    }
    if (!plan) return;
    await store.reload(state.folder);
    const done = plan;
    logLines(core().importSummary(done, result, sourceName, sourceText, manifestName));

    // Inline keys: only after the user confirms, each bound to its connection's origin.
    const stored: string[] = [];
    const notStored: string[] = [];
    const groups = core().inlineKeyGroups(done);
    if (groups.length > 0) {
      const refs = connectionRefs(store, state);
      const chosen = await confirmInlineKeys(groups, refs, sourceName, sourceText);
      for (const g of groups) {
        const ref = connectionReference(g.model, g.connection);
        if (!chosen.includes(g)) {
          notStored.push(`${ref} (not selected)`);
          continue;
        }
        const r = refs.find((x) => x.model.name === g.model && x.connection.name === g.connection);
        const credential = r && credentialOf(g, sourceText);
        if (!r || !credential) {
          notStored.push(`${ref} (${!r ? 'not in the manifest' : 'only part of the AWS key pair is in the file: use Set Key…'})`);
          continue;
        }
        try {
          await storeConnectionKey(credentials, r, credential, log, `stored (imported from ${sourceName})`);
          stored.push(ref);
        } catch (err) {
          // Refused (duplicate, wrong kind …) or SecretStorage failed: say so and go on with the next key.
          notStored.push(`${ref} (${err instanceof KeyNotStoredError || err instanceof SecretStorageError ? err.message : `could not be stored: ${err instanceof Error ? err.message : String(err)}`})`);
        }
      }
      if (stored.length > 0) log.info(`Stored in SecretStorage: ${stored.join(', ')}. They are still written in ${sourceName}: delete them there, and revoke them if that file was shared.`);
      if (notStored.length > 0) log.info(`Inline keys not stored: ${notStored.join('; ')}`);
    }

    const connections = done.added.reduce((n, m) => n + m.connections.length, 0);
    const keysNeeded = done.added.reduce((n, m) => n + m.connections.filter((c) => {
      const r = connectionRefs(store, state).find((x) => x.model.name === m.name && x.connection.name === c);
      return r !== undefined && !keyTargetProblem(r) && !stored.includes(connectionReference(m.name, c));
    }).length, 0);
    const parts = [
      `Imported ${done.added.length} model${done.added.length === 1 ? '' : 's'} (${connections} connection${connections === 1 ? '' : 's'}) from ${sourceName} into ${manifestName}`,
      done.added.some((m) => m.renamedFrom) ? `renamed ${done.added.filter((m) => m.renamedFrom).map((m) => `${m.renamedFrom} → ${m.name}`).join(', ')} (name taken)` : '',
      done.skipped.length ? `skipped ${done.skipped.map((s) => s.name).join(', ')} (already there)` : '',
      stored.length ? `${stored.length} inline key${stored.length === 1 ? '' : 's'} stored in SecretStorage` : '',
      notStored.length ? `${notStored.length} inline key${notStored.length === 1 ? '' : 's'} not stored` : '',
      result.warnings.length ? `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} about what did not map` : '',
    ].filter(Boolean);
    const message = `${parts.join('; ')}.${keysNeeded ? ` ${keysNeeded} connection${keysNeeded === 1 ? ' needs' : 's need'} a key on this machine (Set Key…).` : ''} The log lists the details and the CI variables.`;
    const warn = result.warnings.length > 0 || notStored.length > 0;
    void (warn ? vscode.window.showWarningMessage(message, 'Show Details', 'Open Manifest') : vscode.window.showInformationMessage(message, 'Show Details', 'Open Manifest')).then(async (c) => {
      if (c === 'Show Details') log.show();
      if (c === 'Open Manifest') await vscode.window.showTextDocument(state.uri);
    });
    return { added: done.added.map((m) => m.name), skipped: done.skipped.map((s) => s.name), stored, notStored };
  };

  /** A multi-select QuickPick of the connections whose key is written in the file; Esc stores nothing. */
  const confirmInlineKeys = async (groups: InlineKeyGroup[], refs: ConnectionRef[], sourceName: string, sourceText: string): Promise<InlineKeyGroup[]> => {
    type Item = vscode.QuickPickItem & { group: InlineKeyGroup };
    const items: Item[] = groups.map((g) => {
      const r = refs.find((x) => x.model.name === g.model && x.connection.name === g.connection);
      const lines = g.keys.map((k) => (k.span ? core().lineOfOffset(sourceText, k.span.start) : undefined)).filter((n): n is number => n !== undefined);
      const what = g.keys.some((k) => k.field === 'apiKey') ? 'API key' : 'AWS key pair';
      let origin: string | undefined;
      try {
        origin = r && !keyTargetProblem(r) ? keyOrigin(r) : undefined;
      } catch {
        origin = undefined;
      }
      return {
        label: connectionReference(g.model, g.connection),
        description: `${what} written in ${sourceName}${lines.length ? ` (line ${lines.join(', ')})` : ''}`,
        detail: !g.complete ? 'Only part of the AWS key pair is in the file: it cannot be stored from here.' : origin ? `Stored for ${origin} only` : 'This connection cannot take a key yet.',
        picked: g.complete && origin !== undefined,
        group: g,
      };
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Store the keys written in ${sourceName} in SecretStorage?`,
      placeHolder: 'Selected keys go to VS Code SecretStorage on this machine, each bound to its connection’s origin; they are never written to the manifest. Esc: store none.',
      canPickMany: true,
      ignoreFocusOut: true,
    });
    return (picked ?? []).map((p) => p.group);
  };

  register('agentConnections.importLiteLLM', (arg) => runImport('litellm', arg));
  register('agentConnections.importContinue', (arg) => runImport('continue', arg));

  register('agentConnections.exportLiteLLM', async (arg) => {
    const state = await pickFolder('Export which folder’s manifest?', true);
    if (!state) return;
    const text = await readSourceText(state.uri, 'manifest');
    const manifestName = path.basename(state.uri.path);
    let result: ExportResult;
    try {
      result = core().exportLiteLLM(text, { sourceName: manifestName });
    } catch (err) {
      if (err instanceof core().ExportError) throw new Error(`${manifestName}: ${err.message}`);
      throw err;
    }
    const target = arg instanceof vscode.Uri ? arg : await vscode.window.showSaveDialog({
      title: 'Export to LiteLLM: where to write the proxy config',
      saveLabel: 'Export',
      filters: YAML_FILTERS,
      defaultUri: state.uri.with({ path: path.posix.join(path.posix.dirname(state.uri.path), 'litellm-config.yaml') }),
    });
    if (!target) return;
    if (target.toString() === state.uri.toString()) throw new Error('Choose another file: the export would replace the manifest itself.');
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
    const targetName = vscode.workspace.asRelativePath(target, false);
    log.info(`Exported ${result.connections.length} connection${result.connections.length === 1 ? '' : 's'} from ${manifestName} to ${targetName}.`);
    for (const w of result.warnings) log.info(`  warning: ${w}`);
    const vars = result.connections.flatMap((c) => c.variables);
    if (vars.length > 0) log.info(`Set these variables where LiteLLM runs:\n${vars.map((v) => `  ${v}`).join('\n')}`);
    await vscode.window.showTextDocument(target, { preview: false });
    void vscode.window.showInformationMessage(`Exported ${result.connections.length} connection${result.connections.length === 1 ? '' : 's'} to ${targetName}: no key is written there, each is an os.environ/ reference (${vars.length} variable${vars.length === 1 ? '' : 's'} to set)${result.warnings.length ? `; ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''}.`, 'Show Details').then((c) => c && log.show());
    return { target: target.toString(), connections: result.connections.length, warnings: result.warnings.length };
  });
}

function connectionRefs(store: ManifestStore, state: FolderManifest): ConnectionRef[] {
  const current = store.folders.find((f) => f.folder.uri.toString() === state.folder.uri.toString()) ?? state;
  return (current.analysis?.models ?? []).flatMap((model) => model.connections.map((connection) => ({ state: current, model, connection })));
}

/** The credential written inline for one connection, read from the source only now (after the user confirmed). */
function credentialOf(g: InlineKeyGroup, sourceText: string): CredentialValue | undefined {
  const value = (field: string) => {
    const k = g.keys.find((x) => x.field === field);
    return k ? core().inlineKeyValue(sourceText, k) : undefined;
  };
  const apiKey = value('apiKey');
  if (apiKey) return { kind: 'apiKey', apiKey };
  const accessKeyId = value('accessKeyId');
  const secretAccessKey = value('secretAccessKey');
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = value('sessionToken');
  return { kind: 'aws', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
