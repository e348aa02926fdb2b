/** What the editor needs to know about the workspace besides the manifest: who is adding, and who references what. */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { parseReference } from '../core/assignments';
import { core } from '../lazyCore';
import { readText } from '../manifestStore';

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

export interface AgentReference {
  /** `agent billing` / `supervisor triage`. */
  who: string;
  file: string;
  connection: string;
}

/** Agents and supervisors in the folder's agents files that use `model` (and `connection`, when given). */
export async function agentReferences(folder: vscode.WorkspaceFolder, model: string, connection?: string): Promise<AgentReference[]> {
  const glob = vscode.workspace.getConfiguration('agentConnections', folder.uri).get<string>('agentsFiles') || '**/*.agents.yaml';
  const files = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), '**/node_modules/**', 2000);
  const out: AgentReference[] = [];
  for (const uri of files) {
    let text: string;
    try {
      text = await readText(uri);
    } catch {
      continue;
    }
    const a = core().analyzeAgents(text);
    const file = vscode.workspace.asRelativePath(uri, false);
    for (const [kind, list] of [['supervisor', a.supervisors], ['agent', a.agents]] as const) {
      for (const item of list) {
        const ref = item.connection ? parseReference(item.connection) : undefined;
        if (ref && ref.model === model && (connection === undefined || ref.connection === connection)) out.push({ who: `${kind} ${item.name}`, file, connection: item.connection! });
      }
    }
  }
  return out;
}

export function describeReferences(refs: readonly AgentReference[], max = 6): string {
  const lines = refs.slice(0, max).map((r) => `• ${r.who} (${r.file}) → ${r.connection}`);
  if (refs.length > max) lines.push(`… and ${refs.length - max} more`);
  return lines.join('\n');
}
