// Test only: another extension using a chat model through vscode.lm, as any extension
// would. "LM Client (test): Ask a Chat Model" lists the models of the vendor
// agent-connections, sends "Say hello." to the one picked and shows the reply (or the
// error) in a notification. Installed by scripts/vscode-test.mjs for the UI tests.
/* global exports -- a CommonJS extension entry, loaded by the extension host */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the extension host provides `vscode` to require() only
const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('agentConnectionsUiClient.ask', async () => {
    const models = await vscode.lm.selectChatModels({ vendor: 'agent-connections' });
    const name = await vscode.window.showQuickPick(models.map((m) => m.name), { placeHolder: 'Chat model to ask' });
    const model = models.find((m) => m.name === name);
    if (!model) return;
    try {
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello.')], {}, new vscode.CancellationTokenSource().token);
      let text = '';
      for await (const piece of response.text) text += piece;
      void vscode.window.showInformationMessage(`${model.name} replied: ${text}`);
    } catch (err) {
      void vscode.window.showWarningMessage(`${model.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }));
};

exports.deactivate = () => {};
