/**
 * Applies a core edit to the manifest. An open document is edited through the editor
 * (undo works, unsaved changes are kept and not saved for the user); a closed file is
 * rewritten only if its bytes are still the ones the edit was computed from. A file
 * whose bytes are not UTF-8 text is never edited, open or not.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TextEdit } from '../core/manifest/edit';
import { decodeSource } from '../core/yaml/encoding';
import type { Problem } from '../core/yaml/problems';
import { core } from '../lazyCore';

export class ConcurrentEditError extends Error {}

/** The file's bytes are not UTF-8 text: editing it would write U+FFFD (or a guessed encoding) over them. */
export class UnreadableFileError extends Error {}

/**
 * The file's bytes, refused when they are not UTF-8 text (a message with the line and column
 * of the first bad byte). The bytes on disk decide even when the file is open: VS Code shows
 * such a file with U+FFFD or in a guessed encoding, and saving would write that over them.
 */
export async function readUtf8(uri: vscode.Uri): Promise<{ bytes: Uint8Array; text: string }> {
  const outside = await linkOutsideWorkspace(uri, `file ${uri.path.split('/').pop()}`);
  if (outside) throw new UnreadableFileError(unreadableMessage(outside));
  const bytes = await readBytes(uri);
  const decoded = decodeSource(bytes, `file ${uri.path.split('/').pop()}`);
  if (decoded.problem) throw new UnreadableFileError(unreadableMessage(decoded.problem));
  return { bytes, text: decoded.text };
}

/**
 * When a file of a workspace folder is a symbolic link (its own or a folder's on its path) to a
 * file outside that folder, the problem that says so: a cloned repository chose the link, so the
 * file is not read (its text would be shown, and an edit written, outside the workspace).
 */
export async function linkOutsideWorkspace(uri: vscode.Uri, what: string): Promise<Problem | undefined> {
  if (uri.scheme !== 'file') return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([fsp.realpath(uri.fsPath), fsp.realpath(folder.uri.fsPath)]);
  } catch {
    return undefined;
  }
  const rel = path.relative(root, real);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return undefined;
  return {
    code: 'link-outside',
    severity: 'error',
    message: `The ${what} is a symbolic link to ${real}, outside the workspace folder: it is not read, and never changed here. Replace the link with the file itself.`,
    start: 0,
    end: 0,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}

/** A problem from `decodeSource` as a refusal: its message, where, and that nothing was written. */
export function unreadableMessage(p: Problem): string {
  return `${p.message} (line ${p.range.start.line + 1}, column ${p.range.start.character + 1}; nothing was written.)`;
}

/**
 * Whether an edit goes through the document rather than the disk: always when it has unsaved
 * changes (they are the user's and stay unsaved); when it is clean, only if it is shown in a
 * tab and still holds what the disk holds. VS Code keeps closed documents around for a while,
 * and one that has not caught up with the disk yet would fail to save over the newer file.
 */
function throughDocument(doc: vscode.TextDocument, disk: string | undefined): boolean {
  if (doc.isDirty) return true;
  const key = doc.uri.toString();
  const shown = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key));
  return shown && (disk === undefined || disk === doc.getText());
}

export async function applyManifestEdit(uri: vscode.Uri, compute: (text: string) => TextEdit[]): Promise<void> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  // Checked first, and not only from the document's text (see readUtf8); a file that
  // cannot be read (not saved yet) has nothing to lose.
  const disk = open ? await readUtf8(uri).catch((e: unknown) => {
    if (e instanceof UnreadableFileError) throw e;
    return undefined;
  }) : undefined;
  const doc = open && throughDocument(open, disk?.text) ? open : undefined;
  if (doc) {
    const version = doc.version;
    const wasDirty = doc.isDirty;
    const edits = compute(doc.getText());
    if (edits.length === 0) return;
    if (doc.version !== version) throw new ConcurrentEditError('The manifest changed while the edit was prepared; nothing was written. Try again.');
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
    if (!(await vscode.workspace.applyEdit(we))) throw new ConcurrentEditError('VS Code refused the edit to the manifest; nothing was written.');
    // A failed save (e.g. the file changed on disk meanwhile) must not pass silently:
    // the edit stays in the open editor, unsaved, and the user is told.
    if (!wasDirty && !(await doc.save())) {
      throw new ConcurrentEditError('The change was made in the open editor but could not be saved (the file may have changed on disk). Review and save it there.');
    }
    return;
  }
  const { bytes: before, text } = await readUtf8(uri);
  const edits = compute(text);
  if (edits.length === 0) return;
  const next = new TextEncoder().encode(core().applyEdits(text, edits));
  const now = await readBytes(uri);
  if (Buffer.compare(Buffer.from(now), Buffer.from(before)) !== 0) throw new ConcurrentEditError('The manifest changed on disk while the edit was prepared; nothing was written. Try again.');
  await writeBytes(uri, next);
}

// The extension host runs beside the workspace's files, so `file:` URIs are read and
// written with Node directly: through vscode.workspace.fs every call is a round trip to
// the window (in a browser window, the whole file travels there and back). Other schemes
// go through VS Code's file system providers.
export function readBytes(uri: vscode.Uri): Thenable<Uint8Array> {
  return uri.scheme === 'file' ? fsp.readFile(uri.fsPath) : vscode.workspace.fs.readFile(uri);
}

function writeBytes(uri: vscode.Uri, bytes: Uint8Array): Thenable<void> {
  return uri.scheme === 'file' ? fsp.writeFile(uri.fsPath, bytes) : vscode.workspace.fs.writeFile(uri, bytes);
}
