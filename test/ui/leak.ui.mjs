// UI test of the leak guard's quick fix in the packaged extension (run by
// `node scripts/vscode-test.mjs ui leak`): a key pasted into the manifest
// (`apiKey: sk-test-…` on gpt-4o/prod-key-1) shows in the Problems panel without
// the value; the lightbulb menu (Ctrl+.) offers "Move to SecretStorage"; applying
// it removes the line from the file on disk and the tree shows "key stored".
// Screenshots: docs/images/leak-quick-fix.png (the Problems panel and the quick fix
// menu on the leaked key) and docs/images/leak-quick-fix-done.png (after the fix).
import fs from 'node:fs';
import path from 'node:path';
import { assertFirstLook, description, exampleModels, expand, findChildRow, rowAt, settleEditor, widen, removeKeyAfterwards } from './lib.mjs';

const MANIFEST = 'agent-connections.yaml';
const MODEL = 'gpt-4o';
const CONNECTION = 'prod-key-1';
// Obviously fake, but shaped like an OpenAI key so the leak guard reports it.
const KEY = 'sk-test-ui-leak-4c1d8e2f9a7b6053';

export default async function leakTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const original = fs.readFileSync(manifestPath, 'utf8');
  const anchor = `      - name: ${CONNECTION}\n        enabled: true\n`;
  assert.ok(original.includes(anchor), `${MANIFEST} has ${MODEL}/${CONNECTION}`);
  const leaky = original.replace(anchor, `${anchor}        apiKey: ${KEY}\n`);
  const keyLine = leaky.slice(0, leaky.indexOf(KEY)).split('\n').length; // 1-based
  const sidebar = page.locator('.part.sidebar');
  // Looked up again each time, retried while the tree re-renders (an error row appears above the models).
  const connectionRow = () => waitFor(async () => {
    await expand(rowAt(sidebar, MODEL, 1));
    return findChildRow(sidebar, Number(await rowAt(sidebar, MODEL, 1).getAttribute('data-index')), 2, CONNECTION);
  }, { timeout: 15_000, interval: 300, message: `the ${MODEL}/${CONNECTION} row` });
  let stored = false;
  try {
    fs.writeFileSync(manifestPath, leaky);
    await ctx.commandPalette('Agent Connections: Focus on Models View');
    await widen(page, sidebar, 430);
    await rowAt(sidebar, MODEL, 1).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await description(await connectionRow()), /no key on this machine/, 'the connection starts without a key');

    // The Problems panel lists the leak; its message names the shape, never the value.
    await ctx.openFile(MANIFEST);
    await ctx.commandPalette('View: Focus Problems (Errors, Warnings, Infos)');
    const problems = page.locator('.markers-panel');
    const leakRow = problems.locator('.monaco-list-row', { hasText: 'This value contains an OpenAI API key' }).first();
    await leakRow.waitFor({ state: 'visible', timeout: 30_000 });
    const problemText = (await problems.textContent()) ?? '';
    log(`Problems: ${(await leakRow.textContent())?.replace(/\s+/g, ' ').trim()}`);
    assert.ok(!problemText.includes(KEY), 'the Problems panel shows the key');

    // Cursor on the key (Go to Line), then the quick fix menu (Ctrl+.).
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.click({ position: { x: 300, y: 100 } });
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input.input').fill(`:${keyLine}:18`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    const menu = page.locator('.action-widget');
    const moveItem = menu.locator('.monaco-list-row', { hasText: 'Move to SecretStorage' }).first();
    await waitFor(async () => {
      if (await moveItem.isVisible()) return true;
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+.');
      return moveItem.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    }, { timeout: 30_000, interval: 500, message: 'the quick fix menu offers "Move to SecretStorage"' });
    const items = (await menu.locator('.monaco-list-row').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    log(`quick fix menu: ${items.join(' | ')}`);
    assert.ok(items.some((t) => t.includes('Remove the key from the file')), 'the menu offers removal too');
    await moveItem.hover();
    await settleEditor(page);
    await assertFirstLook(ctx, { models: exampleModels(ctx), leading: 1 });
    await ctx.screenshot('leak-quick-fix');

    // Apply it: the key's line goes from the file on disk, the key is stored for the connection.
    await moveItem.click();
    stored = true;
    await waitFor(() => fs.readFileSync(manifestPath, 'utf8') === original, { timeout: 15_000, message: `${MANIFEST} on disk is the original again (the apiKey line removed)` });
    log(`${MANIFEST} on disk: the apiKey line is gone, nothing else changed`);
    await waitFor(async () => /key stored/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the tree shows "key stored"' });
    log(`tree: ${CONNECTION} "${await description(await connectionRow())}"`);
    await leakRow.waitFor({ state: 'detached', timeout: 15_000 });
    const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'Moved the key to SecretStorage' }).first();
    await toast.waitFor({ state: 'visible', timeout: 10_000 });
    const toastText = (await toast.textContent()) ?? '';
    log(`notification: ${toastText.replace(/\s+/g, ' ').trim()}`);
    assert.ok(!toastText.includes(KEY), 'the notification shows the key');
    await page.mouse.move(1300, 500);
    await settleEditor(page);
    await assertFirstLook(ctx, { changed: [`${MODEL}/${CONNECTION}`] });
    await ctx.screenshot('leak-quick-fix-done');
  } finally {
    if (fs.readFileSync(manifestPath, 'utf8') !== original) fs.writeFileSync(manifestPath, original);
    // Leave no key behind for the other UI tests: Remove Key… from the row's context menu.
    if (stored) {
      await removeKeyAfterwards(ctx, connectionRow, 'leak');
    }
  }
}
