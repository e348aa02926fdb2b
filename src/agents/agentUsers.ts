/**
 * Which agents and supervisors use a connection (their effective one): for the Models
 * tree's tooltip and the delete / disable / rename warnings of the tree and the form.
 */
import * as vscode from 'vscode';
import { usersOf, type Assignment } from '../core/agents/assignments';
import type { AgentsFiles } from '../manifest/manifestStore';

/** An agent or supervisor whose effective connection is a given one. */
export interface ConnectionUser {
  kind: Assignment['kind'];
  name: string;
  uri: vscode.Uri;
  /** The supervisor it inherits the connection from; undefined when assigned on itself. */
  inheritedFrom?: string;
}

/** Who uses `model/connection` (or any connection of `model`) in a folder's agents files. */
export function connectionUsers(agents: AgentsFiles, folder: vscode.Uri, model: string, connection?: string): ConnectionUser[] {
  const out: ConnectionUser[] = [];
  for (const file of agents.all) {
    if (file.folder.uri.toString() !== folder.toString()) continue;
    const users = connection !== undefined ? usersOf(file.resolution.assignments, model, connection) : file.resolution.assignments.filter((a) => a.effective?.model === model);
    for (const a of users) out.push({ kind: a.kind, name: a.name, uri: file.uri, inheritedFrom: a.effective?.inheritedFrom });
  }
  return out;
}

/** Lines for a warning: `agent refunds (inherited from triage) — agents/support.agents.yaml`. */
export function describeUsers(users: readonly ConnectionUser[], max = 8): string[] {
  const lines = users.slice(0, max).map((u) => `${u.kind} ${u.name}${u.inheritedFrom ? ` (inherited from ${u.inheritedFrom})` : ''} — ${vscode.workspace.asRelativePath(u.uri, false)}`);
  if (users.length > max) lines.push(`… and ${users.length - max} more`);
  return lines;
}
