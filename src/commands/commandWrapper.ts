/** The one wrapper every command goes through: an error becomes a clear notification and a log line. */
import * as vscode from 'vscode';

export function registerCommand<Id extends string>(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  id: Id,
  handler: (...args: never[]) => unknown,
): void {
  context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`${id}: ${message}`);
      void vscode.window.showErrorMessage(message);
    }
  }));
}
