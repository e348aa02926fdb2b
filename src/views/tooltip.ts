import * as vscode from 'vscode';

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
