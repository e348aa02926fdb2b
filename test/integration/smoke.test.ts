import * as assert from 'assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'agent-connections.agent-connections';

describe('smoke: the extension in a real extension host', () => {
  it('activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('registers agentConnections.refresh', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('agentConnections.refresh'), 'command agentConnections.refresh is not registered');
  });

  it('opened a workspace folder', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.strictEqual(folders.length, 1, 'the harness opens exactly one workspace folder');
  });
});
