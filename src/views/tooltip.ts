import * as vscode from 'vscode';
import { RETENTION_DAYS } from '../core/usage/protocol';

/**
 * A tree row's tooltip: `**label:** value` lines, values as plain text (a provider's or a
 * manifest's text never becomes markup or a link), empty values left out.
 */
export function md(lines: Array<[string, string | undefined]>): vscode.MarkdownString {
  const m = new vscode.MarkdownString(undefined, true);
  m.isTrusted = false;
  m.supportHtml = false;
  for (const [k, v] of lines) if (v !== undefined && v !== '') m.appendMarkdown(`**${k}:** `).appendText(v).appendMarkdown('  \n');
  return m;
}

/** The connection's usage as a chat model (core/usage usageLine), when it has any. */
export function appendUsage(m: vscode.MarkdownString, line: string | undefined): void {
  if (!line) return;
  m.appendMarkdown(`**Usage (${RETENTION_DAYS} days):** `).appendText(line).appendMarkdown('  \n');
}
