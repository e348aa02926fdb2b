// UI test of the Bedrock credential kind and Forget All Keys in the packaged extension
// (code-server): Set Key… on a Bedrock connection asks which kind, the Bedrock API key
// goes into a password box bound to the regional Bedrock origin, and the row shows the
// key. Forget All Keys on This Machine… asks in a modal that names the count; confirming
// it removes the key. Nothing is sent anywhere (no Test here: the official origin).
import { description, expand, findChildRow, rowAt, widen, removeKeyAfterwards } from './lib.mjs';

const MODEL = 'claude-bedrock';
const CONNECTION = 'us-east';
const ORIGIN = 'https://bedrock-runtime.us-east-1.amazonaws.com';
const KEY = 'bedrock-api-key-test-ui-5e2a';

export default async function hygieneTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  await ctx.commandPalette('Agent Connections: Focus on Models View');
  const sidebar = page.locator('.part.sidebar');
  await widen(page, sidebar, 560);
  await rowAt(sidebar, MODEL, 1).waitFor({ state: 'visible', timeout: 30_000 });
  const connectionRow = async () => {
    await expand(rowAt(sidebar, MODEL, 1));
    return findChildRow(sidebar, Number(await rowAt(sidebar, MODEL, 1).getAttribute('data-index')), 2, CONNECTION);
  };
  try {
    assert.match(await description(await connectionRow()), /no key on this machine/, 'the connection starts without a key');

    // Set Key…: first the kind (a QuickPick), then a password box for the Bedrock API key.
    const kindRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^\s*Bedrock API key\s*$/ }) });
    await waitFor(async () => {
      await page.keyboard.press('Escape');
      await (await connectionRow()).click({ button: 'right' });
      await ctx.clickMenuItem('Set Key…');
      return kindRow.first().waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
    }, { timeout: 30_000, interval: 1_000, message: 'Set Key… asks which kind of Bedrock credential' });
    const kinds = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allTextContents();
    log(`kinds offered: ${kinds.map((k) => k.trim()).join(' | ')}`);
    assert.deepEqual(kinds.map((k) => k.trim()), ['Access keys', 'Bedrock API key', 'AWS profile']);
    await kindRow.first().click();
    const input = page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    const prompt = (await page.locator('.quick-input-widget .quick-input-message').first().textContent()) ?? '';
    log(`Set Key box: ${prompt.replace(/\s+/g, ' ').trim()}`);
    assert.ok(prompt.includes('Bearer') && prompt.includes(ORIGIN), 'the box says the key is a bearer token for the regional Bedrock origin');
    await input.fill(KEY);
    await page.keyboard.press('Enter');
    await waitFor(async () => /key stored/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the row shows "key stored"' });
    assert.ok(!ctx.readWorkspaceFile('agent-connections.yaml').includes(KEY), 'the key is not in the manifest');

    // Forget All Keys on This Machine…: a modal naming the count; confirm.
    const dialog = page.locator('.monaco-dialog-box');
    await ctx.commandPalette('Agent Connections: Forget All Keys on This Machine…');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = ((await dialog.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    log(`dialog: ${text}`);
    // Earlier UI files may have stored keys too: at least this one is counted.
    const count = Number(/Forget all (\d+) keys? Agent Connections stored on this machine\?/.exec(text)?.[1]);
    assert.ok(count >= 1, `the modal names the count: ${text}`);
    await dialog.getByRole('button', { name: 'Forget All Keys' }).click();
    await waitFor(async () => /no key on this machine/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the row shows "no key on this machine" again' });
    log(`after Forget All Keys: "${await description(await connectionRow())}"`);
  } finally {
    // A failure leaves nothing for the later UI files: no open box or modal, no key stored.
    for (const open of ['.monaco-dialog-box', '.quick-input-widget']) {
      if (await page.locator(open).isVisible().catch(() => false)) await page.keyboard.press('Escape').catch(() => {});
    }
    const left = await description(await connectionRow()).catch(() => '');
    if (/key stored|Replace Key…/.test(left)) await removeKeyAfterwards(ctx, connectionRow, 'hygiene');
  }
}
