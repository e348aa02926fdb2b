/**
 * The leak guard's quick fixes on `leaked-key` diagnostics in the manifest and agents files:
 *
 * - **Move to SecretStorage** stores the key for the connection it belongs to — the
 *   connection whose block holds it, else the one the user picks — through the same path
 *   as Set Key… (keyStore.ts: bound to the connection's origin, unique within the model),
 *   then takes it out of the file with a minimal edit through the open document.
 *   An AWS access key ID alone is not a credential: the fix asks for the secret access
 *   key (and a session token for ASIA… IDs) and stores the pair.
 * - **Remove from file** takes the key out without storing it (the only fix in
 *   Restricted Mode, where no secret is stored).
 *
 * The diagnostic, the code action and its arguments carry only the file, its kind and the
 * offsets: the key is read from the document when the fix runs (`leakAt`), and no message
 * or log line ever contains it.
 */
import * as vscode from 'vscode';
import { applyManifestEdit, ConcurrentEditError } from '../manifest/applyEdit';
import { registerCommand } from '../commands/commandWrapper';
import type { CommandId } from '../commands/commands';
import { providerLabel } from '../core/providers/catalog';
import type { LeakedKey, LeakFileKind } from '../core/secrets/leakGuard';
import { connectionReference } from '../core/manifest/names';
import { credentialProblem } from '../core/secrets/redact';
import type { ConnectionRef } from '../testing/connectionTester';
import type { Credentials } from './credentials';
import { keyKindOf, keyTargetProblem, storeConnectionKey, type CredentialValue } from './keyStore';
import { core } from '../lazyCore';
import type { AgentsFiles, ManifestStore } from '../manifest/manifestStore';

/** The leak guard's diagnostic code (core/secrets/leakGuard's LEAKED_KEY_CODE; repeated here so activation does not load the yaml-based core). */
const LEAKED_KEY_CODE = 'leaked-key';

export const MOVE_LEAKED_KEY_COMMAND = 'agentConnections.moveLeakedKey' satisfies CommandId;

/** The quick fix's arguments: where the key is, never the key. */
export interface LeakLocation {
  uri: string;
  file: LeakFileKind;
  start: number;
  end: number;
}

interface Deps {
  context: vscode.ExtensionContext;
  store: ManifestStore;
  agents: AgentsFiles;
  credentials: Credentials;
  log: vscode.LogOutputChannel;
}

function isLocation(v: unknown): v is LeakLocation {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.uri === 'string' && (o.file === 'manifest' || o.file === 'agents')
    && Number.isSafeInteger(o.start) && Number.isSafeInteger(o.end) && (o.start as number) >= 0 && (o.end as number) > (o.start as number);
}

const relative = (uri: vscode.Uri) => vscode.workspace.asRelativePath(uri, false);

export function registerLeakFix(deps: Deps): void {
  const { context, store, agents, credentials, log } = deps;

  /** Which kind of file the leak guard read this document as, if any. */
  const fileKindOf = (uri: vscode.Uri): LeakFileKind | undefined => (store.folderFor(uri) ? 'manifest' : agents.get(uri) ? 'agents' : undefined);

  const provider: vscode.CodeActionProvider = {
    provideCodeActions(doc, _range, ctx) {
      const diagnostics = ctx.diagnostics.filter((d) => d.code === LEAKED_KEY_CODE && d.source === 'Agent Connections');
      if (diagnostics.length === 0) return [];
      const file = fileKindOf(doc.uri);
      if (!file) return [];
      const text = doc.getText();
      const leaks = core().findLeakedKeysInText(text, file);
      const trusted = vscode.workspace.isTrusted;
      const refs = trusted ? refsOf(doc.uri) : [];
      const actions: vscode.CodeAction[] = [];
      for (const d of diagnostics) {
        const start = doc.offsetAt(d.range.start);
        const end = doc.offsetAt(d.range.end);
        const leak = leaks.find((l) => l.start === start && l.end === end);
        if (!leak) continue; // the text changed since the diagnostic was made
        if (trusted && core().leakCredentialKind(leak.kind)) {
          // "…" when it will ask something: which connection, or the secret half of an AWS key pair.
          const asks = directTarget(leak, file, refs) === undefined || core().leakCredentialKind(leak.kind) === 'aws';
          const move = new vscode.CodeAction(asks ? 'Move to SecretStorage…' : 'Move to SecretStorage', vscode.CodeActionKind.QuickFix);
          move.diagnostics = [d];
          move.isPreferred = true;
          const location: LeakLocation = { uri: doc.uri.toString(), file, start, end };
          move.command = { title: move.title, command: MOVE_LEAKED_KEY_COMMAND, arguments: [location] };
          actions.push(move);
        }
        const remove = new vscode.CodeAction('Remove the key from the file (not stored)', vscode.CodeActionKind.QuickFix);
        remove.diagnostics = [d];
        const edit = new vscode.WorkspaceEdit();
        for (const e of core().leakFixEdits(text, file, leak)) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
        remove.edit = edit;
        actions.push(remove);
      }
      return actions;
    },
  };
  context.subscriptions.push(vscode.languages.registerCodeActionsProvider(
    // Any language: only documents the leak guard read as a manifest or an agents file get fixes.
    { scheme: 'file' },
    provider,
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  ));

  /**
   * The connection the key is certainly for: a value (not a comment) inside a connection
   * block of the manifest, when that connection takes this kind of key from this kind of
   * provider. Otherwise the user is asked.
   */
  const directTarget = (leak: LeakedKey, file: LeakFileKind, refs: ConnectionRef[]): ConnectionRef | undefined => {
    if (file !== 'manifest' || leak.where === 'comment' || leak.model === undefined || leak.connection === undefined) return undefined;
    const r = refs.find((x) => x.model.name === leak.model && x.connection.name === leak.connection);
    if (!r || keyKindOf(r) !== core().leakCredentialKind(leak.kind) || !core().leakFitsProvider(leak.kind, r.model.provider) || keyTargetProblem(r)) return undefined;
    return r;
  };

  const refsOf = (uri: vscode.Uri): ConnectionRef[] => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const state = store.folders.find((f) => f.folder.uri.toString() === folder?.uri.toString());
    if (!state?.analysis) return [];
    return state.analysis.models.flatMap((model) => model.connections.map((connection) => ({ state, model, connection })));
  };

  /** Asks which connection the key is for; `remove` when the user only wants it out of the file. */
  const pickConnection = async (leak: LeakedKey, refs: ConnectionRef[], suggested?: { model: string; connection: string }): Promise<ConnectionRef | 'remove' | undefined> => {
    const wanted = core().leakCredentialKind(leak.kind);
    const fitting = refs.filter((r) => keyKindOf(r) === wanted && !keyTargetProblem(r));
    const rank = (r: ConnectionRef) => (suggested && r.model.name === suggested.model && r.connection.name === suggested.connection ? 0 : core().leakFitsProvider(leak.kind, r.model.provider) ? 1 : 2);
    fitting.sort((a, b) => rank(a) - rank(b));
    const statuses = await Promise.all(fitting.map((r) => credentials.status(r.state.folder.uri, r.model.name, r.connection.name)));
    type Item = vscode.QuickPickItem & { ref?: ConnectionRef; remove?: true };
    const items: Item[] = fitting.map((r, i) => ({
      label: connectionReference(r.model.name, r.connection.name),
      description: [providerLabel(r.model.provider), r.connection.enabled ? 'enabled' : 'disabled', statuses[i] === 'present' ? 'key stored (it would be replaced)' : 'no key on this machine'].join(' · '),
      detail: rank(r) === 0 ? 'The key is written in this connection’s block.' : rank(r) === 2 ? `Its provider does not usually issue keys of this shape.` : undefined,
      ref: r,
    }));
    if (items.length > 0) items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: '$(trash) Remove it from the file only', description: 'the key is not stored', remove: true });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Move to SecretStorage',
      placeHolder: `This file contains ${leak.label}. Store it for which connection?`,
      matchOnDescription: true,
      ignoreFocusOut: true,
    });
    return pick?.remove ? 'remove' : pick?.ref;
  };

  /** The credential to store: the key itself, or for an AWS access key ID the pair (the secret access key is asked for). */
  const credentialFor = async (leak: LeakedKey, r: ConnectionRef): Promise<CredentialValue | undefined> => {
    if (core().leakCredentialKind(leak.kind) !== 'aws') return { kind: 'apiKey', apiKey: leak.secret };
    const ref = connectionReference(r.model.name, r.connection.name);
    const ask = (prompt: string, optional = false) => vscode.window.showInputBox({
      title: `Move to SecretStorage · ${ref}`,
      prompt,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (optional && v === '' ? undefined : credentialProblem(v)),
    });
    const secretAccessKey = await ask('The access key ID in the file is only half of an AWS key pair: enter its secret access key. Both are kept in VS Code SecretStorage on this machine.');
    if (secretAccessKey === undefined) return undefined;
    const temporary = leak.secret.startsWith('ASIA');
    const sessionToken = temporary ? await ask('ASIA… IDs are temporary credentials: enter the session token (or leave it empty).', true) : '';
    if (sessionToken === undefined) return undefined;
    return { kind: 'aws', accessKeyId: leak.secret, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  };

  const sameCredential = (a: CredentialValue, b: CredentialValue) => (a.kind === 'apiKey' && b.kind === 'apiKey' ? a.apiKey === b.apiKey : a.kind === 'aws' && b.kind === 'aws' && a.accessKeyId === b.accessKeyId);

  /** Takes the key out of the file: found again by its material (the text may have moved), through the open document. */
  const removeFromFile = async (uri: vscode.Uri, file: LeakFileKind, secret: string, near: number) => {
    await applyManifestEdit(uri, (text) => {
      const again = core().findLeakAgain(text, file, secret, near);
      if (!again) throw new ConcurrentEditError(`The key is no longer in ${relative(uri)}; nothing was changed there.`);
      return core().leakFixEdits(text, file, again);
    });
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (file === 'manifest' && folder) await store.reload(folder);
    else await agents.reload(uri);
  };

  registerCommand(context, log, MOVE_LEAKED_KEY_COMMAND, async (arg?: unknown) => {
    if (!vscode.workspace.isTrusted) throw new Error('This workspace is in Restricted Mode: no key is stored. Use "Remove the key from the file", or trust the workspace.');
    if (!isLocation(arg)) throw new Error('Move to SecretStorage runs from the quick fix on a leaked key (the lightbulb in the editor or the Problems panel).');
    const uri = vscode.Uri.parse(arg.uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const leak = core().leakAt(doc.getText(), arg.file, arg.start, arg.end);
    if (!leak) throw new Error(`The key is no longer at that place in ${relative(uri)} (the file changed); nothing was stored. Try the quick fix again.`);
    if (!core().leakCredentialKind(leak.kind)) throw new Error(`${leak.label[0].toUpperCase()}${leak.label.slice(1)} is not a model credential; use "Remove the key from the file" and revoke it.`);
    const refs = refsOf(uri);
    let target: ConnectionRef | 'remove' | undefined = directTarget(leak, arg.file, refs);
    if (!target) target = await pickConnection(leak, refs, leak.model !== undefined && leak.connection !== undefined ? { model: leak.model, connection: leak.connection } : undefined);
    if (!target) return;
    if (target === 'remove') {
      await removeFromFile(uri, arg.file, leak.secret, leak.start);
      log.info(`removed ${leak.label} from ${relative(uri)} (not stored)`);
      void vscode.window.showInformationMessage(`Removed ${leak.label} from ${relative(uri)}; it was not stored. If the file was ever committed or shared, revoke the key with the provider.`);
      return;
    }
    const r = target;
    const ref = connectionReference(r.model.name, r.connection.name);
    const credential = await credentialFor(leak, r);
    if (!credential) return;
    const folderUri = r.state.folder.uri;
    let origin: string | undefined;
    if ((await credentials.status(folderUri, r.model.name, r.connection.name)) === 'present') {
      const current = await credentials.get(folderUri, r.model.name, r.connection.name);
      if (!current || !sameCredential(current.credential, credential)) {
        const ok = await vscode.window.showWarningMessage(`Replace the key stored for ${ref}?`, { modal: true, detail: `This machine already has a key for ${ref}. The key in ${relative(uri)} replaces it, bound to the connection’s current origin.` }, 'Replace Key');
        if (ok !== 'Replace Key') return;
      } else {
        origin = current.origin; // the same key is already stored: only the file needs fixing
      }
    }
    origin ??= await storeConnectionKey(credentials, r, credential, log, 'stored (moved from the file)');
    try {
      await removeFromFile(uri, arg.file, leak.secret, leak.start);
    } catch (err) {
      throw new Error(`The key is stored for ${ref}, but it could not be removed from ${relative(uri)}: ${err instanceof Error ? err.message : String(err)} Remove it by hand.`);
    }
    log.info(`removed ${leak.label} from ${relative(uri)}: stored for ${ref}`);
    void vscode.window.showInformationMessage(`Moved the key to SecretStorage for ${ref} (for ${origin ?? 'its origin'}) and removed it from ${relative(uri)}. If the file was ever committed or shared, revoke the key with the provider.`, 'Test Connection').then((c) => {
      if (c) void vscode.commands.executeCommand('agentConnections.testConnection', { kind: 'connection', ...r, key: 'present' });
    });
  });
}
