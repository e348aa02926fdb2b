/** What the editor needs to know about the workspace besides the manifest: who is adding. */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';

const GIT_TIMEOUT_MS = 3000;

/** "Added by": the workspace's git `user.name`, else the OS user. */
export function addedBy(folder: vscode.WorkspaceFolder): Promise<string> {
  const fallback = () => {
    try {
      return os.userInfo().username;
    } catch {
      return 'unknown';
    }
  };
  if (folder.uri.scheme !== 'file') return Promise.resolve(fallback());
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd: folder.uri.fsPath, timeout: GIT_TIMEOUT_MS, windowsHide: true }, (err, stdout) => {
      // One line, no control characters, within the schema's 200 characters.
      // eslint-disable-next-line no-control-regex -- control characters are what is removed
      const name = err ? '' : String(stdout).split('\n')[0].replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
      resolve(name || fallback());
    });
  });
}
