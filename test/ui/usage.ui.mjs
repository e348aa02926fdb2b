// UI test of the Connection Usage panel in the packaged extension (code-server). The
// manifest points llama-groq/groq at a mock OpenAI-compatible server and a key is stored
// for it (Set Key…, bound to the mock); the manifest is put back before the picture (the
// usage stays: the connection keeps its name). Another extension
// (test/ui/lm-client, installed by the harness) asks that chat model through vscode.lm
// three times: two replies, one refused key. The connection's tooltip shows the usage
// line; "Agent Connections: Show Connection Usage" shows the requests per day and the
// table a person reads; the chart answers the arrow keys. Screenshot: docs/images/usage.png.
// Afterwards Reset Usage… (confirmed in its modal) empties it, and the key, the setting
// and the editors are put back as they were.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { assertFirstLook, description, expand, findChildRow, rowAt, widen, removeKeyAfterwards } from './lib.mjs';

/**
 * Right after tree.ui.mjs (order -1), before the tests that leave a key or a test result on
 * llama-groq/groq (testing.ui.mjs): the picture shows only what this test did. It leaves
 * no key, no usage and the manifest as it was.
 */
export const order = -0.5;

const MANIFEST = 'agent-connections.yaml';
const MODEL = 'llama-groq';
const CONNECTION = 'groq';
const OFFICIAL = 'https://api.groq.com/openai/v1';
const REF = `${MODEL}/${CONNECTION}`;
const KEY = 'sk-test-ui-usage-7b2e94d1c0a3';

export default async function usageTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const require = createRequire(import.meta.url);
  const { startMockProvider, MOCK_STREAM_TEXT, MOCK_USAGE } = require(path.join(ctx.repoRoot, 'out/test/mocks/index.js'));
  const mock = await startMockProvider('generic', { key: KEY, latencyMs: 120, streamDelayMs: 30, models: ['llama-3.1-8b-instant'] });
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const original = fs.readFileSync(manifestPath, 'utf8');
  assert.ok(original.includes(`baseUrl: ${OFFICIAL}`), `${MANIFEST} has the ${REF} connection`);
  const restoreManifest = () => fs.writeFileSync(manifestPath, original);
  const sidebar = page.locator('.part.sidebar');
  const input = page.locator('.quick-input-widget input.input');
  const connectionRow = async () => {
    await expand(rowAt(sidebar, MODEL, 1));
    return findChildRow(sidebar, Number(await rowAt(sidebar, MODEL, 1).getAttribute('data-index')), 2, CONNECTION);
  };
  const toasts = page.locator('.notifications-toasts .notification-list-item');
  const clearNotifications = () => ctx.commandPalette('Notifications: Clear All Notifications').catch(() => {});
  /** Another extension asks the chat model; returns the notification it shows. */
  const ask = async (expected) => {
    await clearNotifications();
    await ctx.commandPalette('LM Client (test): Ask a Chat Model');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name', { hasText: REF }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(REF);
    await page.keyboard.press('Enter');
    const text = await waitFor(async () => {
      // VS Code may ask once whether the extension may use the models of Agent Connections.
      const allow = page.locator('.monaco-dialog-box').getByRole('button', { name: /^Allow/ });
      if (await allow.count()) await allow.first().click();
      const t = (await toasts.allInnerTexts()).find((x) => x.includes(REF));
      return t && expected.test(t) ? t : undefined;
    }, { timeout: 30_000, message: `a notification matching ${expected}` });
    log(`client: ${text.replace(/\s+/g, ' ').trim()}`);
    return text;
  };
  let stored = false;
  let counted = false;
  try {
    fs.writeFileSync(manifestPath, original.replace(`baseUrl: ${OFFICIAL}`, `baseUrl: ${mock.origin}/v1`));
    await ctx.commandPalette('Agent Connections: Focus on Models View');
    await widen(page, sidebar, 470);
    await rowAt(sidebar, MODEL, 1).waitFor({ state: 'visible', timeout: 30_000 });

    // Set Key… bound to the mock (asked again until the extension has read the edited manifest).
    const password = page.locator('.quick-input-widget input[type="password"]');
    await waitFor(async () => {
      await page.keyboard.press('Escape');
      await (await connectionRow()).click({ button: 'right' });
      await ctx.clickMenuItem('Set Key…');
      await password.waitFor({ state: 'visible', timeout: 10_000 });
      const prompt = (await page.locator('.quick-input-widget .quick-input-message').first().textContent()) ?? '';
      return prompt.includes(mock.origin);
    }, { timeout: 30_000, interval: 1_000, message: `the Set Key box binds the key to ${mock.origin}` });
    await password.fill(KEY);
    await page.keyboard.press('Enter');
    await waitFor(async () => /key stored/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the row shows "key stored"' });
    stored = true;

    // Another extension uses the connection as a chat model: two replies, then a refused key.
    counted = true;
    assert.match(await ask(/replied/), new RegExp(`replied: ${MOCK_STREAM_TEXT.replace('.', '\\.')}`));
    await ask(/replied/);
    mock.scenario = 'auth_failed';
    await ask(/failed/);
    mock.reset();
    await clearNotifications();
    // The manifest as it was (the connection keeps its name, so its usage is not "removed").
    restoreManifest();
    await ctx.sleep(500);
    await waitFor(async () => /key stored/.test(await description(await connectionRow())), { timeout: 10_000, message: 'the row after the manifest is read again' });

    // The tooltip of the connection's row has the usage line.
    const row = await connectionRow();
    await row.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Usage (30 days)' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
    log(`tooltip: ${hoverText.slice(hoverText.indexOf('Usage'), hoverText.indexOf('Usage') + 160)}`);
    assert.match(hoverText, new RegExp(`Usage \\(30 days\\): 3 requests · ${2 * MOCK_USAGE.input} tokens in, ${2 * MOCK_USAGE.output} out · 1 error \\(auth failed\\) · first token p50`));
    await page.mouse.move(700, 500);
    await page.keyboard.press('Escape');

    // The Connection Usage panel, from the Models view's "…" menu (else the command palette).
    try {
      const header = sidebar.locator('.pane').filter({ has: page.locator('.pane-header .title', { hasText: /^\s*Models\s*$/i }) }).locator('.pane-header').first();
      await header.hover();
      await header.locator('.actions [aria-label^="More Actions"]').first().click({ timeout: 5_000 });
      await ctx.clickMenuItem('Show Connection Usage');
    } catch (err) {
      log(`the Models view's … menu did not offer it (${err.message.split('\n')[0]}); using the command palette`);
      await page.keyboard.press('Escape');
      await ctx.commandPalette('Agent Connections: Show Connection Usage');
    }
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await frame.locator('h1', { hasText: 'Connection Usage' }).waitFor({ state: 'visible', timeout: 30_000 });
    const tableRow = frame.locator('tbody tr').filter({ has: frame.locator('.reference', { hasText: REF }) });
    await tableRow.waitFor({ state: 'visible', timeout: 15_000 });
    const cells = (await tableRow.locator('th, td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    log(`table row: ${cells.join(' | ')}`);
    assert.match(cells[0], new RegExp(`^${REF} Generic`));
    assert.equal(cells[1], '3', 'requests');
    assert.equal(cells[2], '1 auth failed 1', 'errors with their outcome');
    assert.equal(cells[3], `${2 * MOCK_USAGE.input} / ${2 * MOCK_USAGE.output}`, 'tokens as the provider reported them');
    assert.match(cells[4], /^\d+(\.\d)? m?s \/ \d+(\.\d)? m?s$/, 'first token p50 / p95');
    assert.match(cells[5], /^\d+(\.\d)? m?s \/ \d+(\.\d)? m?s$/, 'total p50 / p95');
    assert.ok(await frame.locator('.chart svg rect.bar-ok').count() >= 1 && await frame.locator('.chart svg rect.bar-error').count() >= 1, 'today has a bar with the answered and the failed request');
    // The chart is one tab stop; the arrow keys move between days and a live line reads them out.
    await frame.locator('.chart').focus();
    await page.keyboard.press('End');
    const readout = frame.locator('.chart-readout');
    await waitFor(async () => /: 3 requests \(1 error\)$/.test((await readout.innerText()).trim()), { timeout: 5_000, message: 'the readout of today' });
    await page.keyboard.press('ArrowLeft');
    await waitFor(async () => /: 0 requests$/.test((await readout.innerText()).trim()), { timeout: 5_000, message: 'the readout of yesterday' });
    await page.keyboard.press('End');
    assert.equal(await frame.locator('body').getAttribute('data-csp-violations'), null, 'no Content-Security-Policy violation');

    assert.deepStrictEqual(await frame.locator('.chart svg text.tick').evaluateAll((els) => els.slice(0, 3).map((e) => e.textContent)), ['0', '2', '4'], 'the scale of 3 requests');
    await frame.locator('h1').click(); // the chart keeps the day, without the focus ring
    await assertFirstLook(ctx, { changed: [REF] });
    await page.mouse.move(5, 700);
    await ctx.screenshot('usage');

    // Reset Usage… asks in a modal; confirming it leaves the empty state, which says how usage is recorded.
    await frame.locator('vscode-button', { hasText: 'Reset Usage' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await dialog.innerText(), /Reset the usage of all connections in this workspace\?/);
    await dialog.getByRole('button', { name: 'Reset Usage' }).click();
    await frame.locator('h2', { hasText: 'No usage recorded yet' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await frame.locator('.empty').innerText(), /chat model named model\/connection/);
    counted = false;
    log('after Reset Usage: the empty state');
  } finally {
    await page.keyboard.press('Escape').catch(() => {});
    await ctx.commandPalette('View: Close All Editors').catch((err) => log(`could not close the editors: ${err.message}`));
    await clearNotifications();
    if (counted) {
      // Leave no usage behind for the other tests (it shows in tooltips).
      try {
        await ctx.commandPalette('Agent Connections: Reset Connection Usage…');
        await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Reset Usage' }).click({ timeout: 10_000 });
      } catch (err) {
        log(`could not reset the usage afterwards: ${err.message}`);
      }
    }
    if (stored) {
      await removeKeyAfterwards(ctx, connectionRow, 'usage');
    }
    restoreManifest();
    await mock.close();
  }
}
