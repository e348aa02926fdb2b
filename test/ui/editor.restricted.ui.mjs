// UI test of the connection editor in Restricted Mode (run by `node scripts/vscode-test.mjs
// ui --restricted`: workspace trust on, the folder not trusted). The form opens read-only
// with the reason, every field is read-only, Save and Test are disabled, no key status is
// read from SecretStorage, the actions that store or send are not offered, and the manifest
// keeps its exact bytes. Screenshot: docs/images/editor-restricted.png.
import fs from 'node:fs';
import path from 'node:path';
import { assertFirstLook } from './lib.mjs';

export const timeoutMs = 180_000;

const MANIFEST = 'agent-connections.yaml';

export default async function restrictedEditorTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const before = fs.readFileSync(manifestPath);
  const form = () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  await ctx.commandPalette('Agent Connections: Focus on Models View');
  const models = ctx.viewPane('Models');
  const modelRow = models.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^\s*gpt-4o\s*$/ }) }).first();
  await modelRow.waitFor({ state: 'visible', timeout: 30_000 });
  if ((await modelRow.getAttribute('aria-expanded')) === 'false') await modelRow.locator('.monaco-tl-twistie').click();
  const connectionRow = models.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^\s*prod-key-1\s*$/ }) }).first();
  await connectionRow.waitFor({ state: 'visible', timeout: 10_000 });
  const description = (await connectionRow.locator('.label-description').textContent()).trim();
  log(`Restricted Mode: connection row "prod-key-1": description "${description}"`);
  assert.doesNotMatch(description, /key stored|no key/, 'no key status is read in Restricted Mode');

  // The context menu offers viewing, not the actions that store a key or send a request.
  await connectionRow.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu, .monaco-menu-container').first();
  await menu.waitFor({ state: 'visible', timeout: 10_000 });
  const items = (await menu.locator('.action-label').allTextContents()).map((t) => t.trim()).filter(Boolean);
  log(`context menu: ${items.join(' | ')}`);
  for (const hidden of ['Test Connection', 'Set Key…', 'Remove Key…', 'Delete Connection…', 'Toggle Enabled for Inference']) {
    assert.ok(!items.some((i) => i.startsWith(hidden)), `"${hidden}" is not offered in Restricted Mode`);
  }
  // A hover that pops up over the tree can close the menu under the pointer: open it again then.
  await ctx.waitFor(async () => {
    try {
      if (!(await menu.isVisible())) await connectionRow.click({ button: 'right' });
      await ctx.clickMenuItem('Edit Connection…');
      return true;
    } catch (err) {
      log(`Edit Connection… not reached (${err.message.split('\n')[0]}); again`);
      await page.keyboard.press('Escape');
      return false;
    }
  }, { timeout: 60_000, interval: 500, message: 'Edit Connection… from the context menu' });

  await form().locator('h1', { hasText: 'Connection prod-key-1' }).waitFor({ state: 'visible', timeout: 30_000 });
  const banner = form().locator('.banner', { hasText: 'Restricted Mode' });
  await banner.waitFor({ state: 'visible', timeout: 10_000 });
  log(`form banner: ${(await banner.textContent()).trim()}`);
  const fields = form().locator('vscode-textfield, vscode-textarea');
  const count = await fields.count();
  assert.ok(count > 0, 'the form shows the connection fields');
  for (let i = 0; i < count; i++) {
    assert.strictEqual(await fields.nth(i).getAttribute('readonly'), '', `field ${(await fields.nth(i).getAttribute('id')) ?? i} is read-only`);
  }
  const save = form().locator('footer .footer-buttons vscode-button').first();
  await waitFor(async () => (await save.getAttribute('disabled')) !== null, { timeout: 10_000, message: 'Save is disabled' });
  const test = form().locator('footer vscode-button', { hasText: 'Test Connection' });
  if (await test.count()) assert.notStrictEqual(await test.getAttribute('disabled'), null, 'Test Connection is disabled');
  assert.strictEqual(await form().locator('input[type="password"]').count(), 0, 'no key field in Restricted Mode');
  assert.strictEqual(await form().locator('.key-status', { hasText: 'Key stored on this machine' }).count(), 0, 'no key status read from SecretStorage');
  log(`form: ${count} fields, all read-only; Save and Test disabled; no key field`);

  // Typing into a read-only field changes nothing, and Ctrl+S saves nothing.
  await form().locator('#f-description input, #f-description textarea').first().click().catch(() => {});
  await page.keyboard.type('typed in Restricted Mode');
  await page.keyboard.press('Control+s');
  await page.mouse.move(1000, 820); // an empty spot of the form: no hover, no tooltip
  await ctx.sleep(800);
  await assertFirstLook(ctx);
  await ctx.screenshot('editor-restricted');
  await ctx.commandPalette('View: Close Editor');
  assert.ok(fs.readFileSync(manifestPath).equals(before), `${MANIFEST} keeps its exact bytes`);
  log(`${MANIFEST}: bytes unchanged`);
}
