// UI test of Test Connection in the packaged extension (code-server): store a key
// through "Set Key…" (a password input box), click the Test action on the
// connection's row and see the outcome on the row. Then the manifest moves the
// connection to another origin — as a cloned or edited manifest would — and the
// next Test asks in a modal; Cancel sends nothing there. The provider is a mock
// OpenAI-compatible server on 127.0.0.1; the other origin is a trap server.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { assertFirstLook, description, exampleModels, expand, findChildRow, rowAt, widen } from './lib.mjs';

const MANIFEST = 'agent-connections.yaml';
const MODEL = 'llama-groq';
const CONNECTION = 'groq';
const OFFICIAL = 'https://api.groq.com/openai/v1';
const KEY = 'sk-test-ui-4c1d8e2f9a7b';

export default async function testingTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const require = createRequire(import.meta.url);
  const { startMockProvider, startTrapServer } = require(path.join(ctx.repoRoot, 'out/test/mocks/index.js'));
  const mock = await startMockProvider('generic', { key: KEY, latencyMs: 150, models: ['llama-3.1-8b-instant'] });
  const trap = await startTrapServer();
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const original = fs.readFileSync(manifestPath, 'utf8');
  const pointAt = (base) => fs.writeFileSync(manifestPath, original.replace(`baseUrl: ${OFFICIAL}`, `baseUrl: ${base}`));
  assert.ok(original.includes(`baseUrl: ${OFFICIAL}`), `${MANIFEST} has the ${MODEL}/${CONNECTION} connection`);
  try {
    pointAt(`${mock.origin}/v1`);
    await ctx.commandPalette('Agent Connections: Focus on Models View');
    const sidebar = page.locator('.part.sidebar');
    await widen(page, sidebar, 560);
    await rowAt(sidebar, MODEL, 1).waitFor({ state: 'visible', timeout: 30_000 });
    const connectionRow = async () => {
      await expand(rowAt(sidebar, MODEL, 1));
      return findChildRow(sidebar, Number(await rowAt(sidebar, MODEL, 1).getAttribute('data-index')), 2, CONNECTION);
    };
    assert.match(await description(await connectionRow()), /no key on this machine/, 'the connection starts without a key');

    // Set Key… from the context menu: a password box naming the origin the key is
    // bound to (asked again until the extension has read the edited manifest).
    const input = page.locator('.quick-input-widget input[type="password"]');
    await waitFor(async () => {
      await page.keyboard.press('Escape');
      await (await connectionRow()).click({ button: 'right' });
      await ctx.clickMenuItem('Set Key…');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      const prompt = (await page.locator('.quick-input-widget .quick-input-message').first().textContent()) ?? '';
      log(`Set Key box: ${prompt.replace(/\s+/g, ' ').trim()}`);
      return prompt.includes(mock.origin);
    }, { timeout: 30_000, interval: 1_000, message: `the Set Key box binds the key to ${mock.origin}` });
    await input.fill(KEY);
    await page.keyboard.press('Enter');
    await waitFor(async () => /key stored/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the row shows "key stored"' });
    log(`after Set Key: "${await description(await connectionRow())}"`);

    // Click the row's inline Test action: the outcome shows on the row.
    const clickTest = async () => {
      // A click on a row the tree has just redrawn reaches the command without its row,
      // which then asks which connection to test: close that picker and click again.
      if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
      const row = await connectionRow();
      await row.hover();
      await row.locator('.actions .action-label[aria-label="Test Connection"]').click({ timeout: 5_000 });
    };
    await clickTest();
    await waitFor(async () => /· ok \d+ ms/.test(await description(await connectionRow())), { timeout: 30_000, message: 'the row shows "ok <latency> ms"' });
    log(`after Test: "${await description(await connectionRow())}"`);
    const sent = mock.requests.find((r) => r.method === 'POST' && r.path === '/v1/chat/completions');
    assert.ok(sent, `the mock got ${mock.requests.map((r) => r.path).join(', ') || 'nothing'}`);
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
    assert.ok(!ctx.readWorkspaceFile(MANIFEST).includes(KEY), 'the key is not in the manifest');

    // Screenshot: the outcome on the row and its tooltip (outcome, hint, latency, history).
    await page.mouse.move(900, 600);
    await (await connectionRow()).locator('.label-name').first().hover();
    await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => log('no tooltip shown'));
    await assertFirstLook(ctx, { models: exampleModels(ctx), changed: [`${MODEL}/${CONNECTION}`] });
    await ctx.screenshot('test-connection');

    // The manifest now sends the connection elsewhere: a modal names both origins,
    // and Cancel sends nothing there.
    pointAt(`${trap.origin}/v1`);
    const dialog = page.locator('.monaco-dialog-box');
    await waitFor(async () => {
      if (await dialog.isVisible()) return true;
      await clickTest(); // until the extension has read the edited manifest
      return dialog.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    }, { timeout: 30_000, message: 'a modal asks before the key goes to the new origin' });
    const text = (await dialog.textContent()) ?? '';
    log(`dialog: ${text.replace(/\s+/g, ' ').trim()}`);
    assert.ok(text.includes(trap.origin) && text.includes(mock.origin), 'the dialog names the bound origin and the new one');
    await ctx.screenshot('origin-changed');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await waitFor(async () => /· blocked/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the row shows "blocked"' });
    assert.equal(trap.bytesReceived, 0, 'the new origin received nothing');
    log(`after Cancel: "${await description(await connectionRow())}", the new origin received ${trap.bytesReceived} bytes`);
  } finally {
    fs.writeFileSync(manifestPath, original);
    await trap.close();
    await mock.close();
  }
}
