// UI test of the connection editor in the packaged extension (run by
// `node scripts/vscode-test.mjs ui editor`): create an Azure OpenAI and an
// Amazon Bedrock model + connection through the form, see a validation error,
// save, find both in the Models tree, reopen a connection from the tree and see
// its name read-only and "Key stored on this machine". Screenshots:
// docs/images/editor-empty.png, editor-invalid.png, editor-saved.png (the tree
// beside the form shows the example's models, and then the one just added).
// The manifest is the example's again afterwards.
/* global window -- evaluate callbacks run in the webview */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import YAML from 'yaml';
import { assertFirstLook, exampleModels } from './lib.mjs';

export const timeoutMs = 240_000;

const MANIFEST = 'agent-connections.yaml';
const AZURE_MODEL = 'azure-gpt-4o-ui';
const BEDROCK_MODEL = 'nova-pro-ui';
const AZURE_KEY = 'sk-ui-canary-azure-0123456789abcdef';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYUICANARY';

export default async function editorTest(ctx) {
  // Taller than the default window, so the screenshots show most of the form.
  const viewport = ctx.page.viewportSize();
  await ctx.page.setViewportSize({ width: 1400, height: 1150 });
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const original = fs.readFileSync(manifestPath, 'utf8');
  try {
    await run(ctx);
  } finally {
    if (viewport) await ctx.page.setViewportSize(viewport);
    // The models added here are no leftovers in the other UI files' pictures.
    if (fs.readFileSync(manifestPath, 'utf8') !== original) fs.writeFileSync(manifestPath, original);
  }
}

async function run(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const form = () => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const f = (id) => form().locator(`#f-${id}`);
  const type = async (id, value) => {
    const input = f(id).locator('input, textarea').first();
    await input.fill(value);
  };
  const choose = async (id, label) => {
    await f(id).click();
    await f(id).locator('li.option', { hasText: label }).first().click();
    log(`form: ${id} = ${label}`);
  };
  const errorOf = (id) => form().locator(`#f-${id}-message.error`);
  const saveButton = () => form().locator('footer .footer-buttons vscode-button').first();
  const waitSaveEnabled = () => waitFor(async () => (await saveButton().getAttribute('disabled')) === null, { timeout: 15_000, message: 'Save is enabled' });
  const closeForm = async () => {
    await ctx.commandPalette('View: Close Editor');
    await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  };
  const cspViolations = async () => form().locator('body').getAttribute('data-csp-violations');

  await ctx.commandPalette('Agent Connections: Focus on Models View');

  // ---------------------------------------------------------------- Azure OpenAI
  await ctx.commandPalette('Agent Connections: Add Model…');
  await form().locator('h1', { hasText: 'Add Model' }).waitFor({ state: 'visible', timeout: 30_000 });
  await f('modelName').waitFor({ state: 'visible' });
  assert.strictEqual(await saveButton().getAttribute('disabled') !== null, true, 'Save is disabled on an empty form');
  await page.mouse.move(5, 1140);
  await assertFirstLook(ctx);
  await ctx.screenshot('editor-empty');

  await choose('provider', 'Azure OpenAI');
  await form().locator('vscode-label', { hasText: 'Azure Endpoint' }).waitFor({ state: 'visible' });
  for (const label of ['Name', 'Location', 'Model Provider', 'Description', 'Model', 'Deployment Name', 'Azure Endpoint', 'OpenAI API Version', 'API Key']) {
    assert.ok(await form().locator('vscode-label', { hasText: label }).count() > 0, `the Azure form has "${label}"`);
  }
  await type('modelName', 'gpt-4o');
  await type('model', 'gpt-4');
  await form().locator('.suggest-list li', { hasText: 'Azure OpenAI GPT-4o' }).first().waitFor({ state: 'visible', timeout: 5_000 });
  await type('model', 'gpt-4o');
  await page.keyboard.press('Escape');
  await type('connectionName', 'team-key');
  await type('deployment', 'gpt-4o-prod');
  await type('endpoint', 'http://contoso.openai.azure.com/?api-version=2024-10-21');
  await errorOf('endpoint').waitFor({ state: 'visible', timeout: 10_000 });
  await errorOf('modelName').waitFor({ state: 'visible', timeout: 10_000 });
  const endpointError = (await errorOf('endpoint').textContent()).trim();
  const nameError = (await errorOf('modelName').textContent()).trim();
  log(`validation: endpoint → "${endpointError}"; name → "${nameError}"`);
  assert.match(endpointError, /query string|http/);
  assert.match(nameError, /already named `gpt-4o`/);
  assert.notStrictEqual(await saveButton().getAttribute('disabled'), null, 'Save stays disabled while the form is invalid');
  await f('endpoint').locator('input').blur();
  await f('modelName').evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.mouse.move(5, 1140);
  await assertFirstLook(ctx);
  await ctx.screenshot('editor-invalid');

  await type('modelName', AZURE_MODEL);
  await type('endpoint', 'https://contoso.openai.azure.com');
  // Sign In With: Microsoft Entra ID hides the API key and offers an optional tenant; back to an API key.
  await choose('entraSource', 'Microsoft Entra ID · Azure CLI');
  await f('entraTenant').waitFor({ state: 'visible', timeout: 5_000 });
  await f('apiKey').waitFor({ state: 'hidden', timeout: 5_000 });
  await choose('entraSource', 'API key');
  await f('apiKey').waitFor({ state: 'visible', timeout: 5_000 });
  await type('apiKey', AZURE_KEY);
  await errorOf('endpoint').waitFor({ state: 'hidden', timeout: 10_000 });
  await waitSaveEnabled();
  await saveButton().click();
  await form().locator('.status.ok', { hasText: 'Saved to' }).waitFor({ state: 'visible', timeout: 20_000 });
  log(`saved: ${(await form().locator('.status').textContent()).trim()}`);

  // The form now edits the saved connection: name read-only, key stored.
  await form().locator('.key-status', { hasText: 'Key stored on this machine' }).waitFor({ state: 'visible', timeout: 10_000 });
  assert.strictEqual(await f('connectionName').getAttribute('readonly'), '', 'the connection name is read-only once saved');
  assert.strictEqual(await cspViolations(), null, 'no Content-Security-Policy violation in the form');
  await waitFor(async () => (await ctx.treeRow(AZURE_MODEL, page.locator('.part.sidebar')).count()) > 0, { timeout: 15_000, message: `the tree shows ${AZURE_MODEL}` });
  await form().locator('body').evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(5, 1140);
  await assertFirstLook(ctx, { models: [...exampleModels(ctx), AZURE_MODEL] });
  await ctx.screenshot('editor-saved');

  let doc = YAML.parse(ctx.readWorkspaceFile(MANIFEST));
  const azure = doc.models.find((m) => m.name === AZURE_MODEL);
  assert.ok(azure, `${MANIFEST} has the model ${AZURE_MODEL}`);
  assert.deepStrictEqual({ provider: azure.provider, type: azure.type, model: azure.model }, { provider: 'azure-openai', type: 'easy', model: 'gpt-4o' });
  const team = azure.connections.find((c) => c.name === 'team-key');
  assert.deepStrictEqual({ endpoint: team.endpoint, deployment: team.deployment, apiVersion: team.apiVersion, enabled: team.enabled },
    { endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt-4o-prod', apiVersion: '2024-10-21', enabled: true });
  assert.match(String(team.addedOn), /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(team.addedBy, 'added by is filled in');
  await closeForm();

  // -------------------------------------------------------------- Amazon Bedrock
  await ctx.commandPalette('Agent Connections: Add Model…');
  await form().locator('h1', { hasText: 'Add Model' }).waitFor({ state: 'visible', timeout: 30_000 });
  await choose('provider', 'Amazon Bedrock');
  await f('region').waitFor({ state: 'visible' });
  // Keyboard only: Name has the focus; Tab to Model; pick from the catalogue with Down + Enter.
  await f('modelName').locator('input').focus();
  await page.keyboard.type(BEDROCK_MODEL);
  await page.keyboard.press('Tab');
  await page.keyboard.type('nova-pro');
  await form().locator('.suggest-list li', { hasText: 'amazon.nova-pro-v1:0' }).first().waitFor({ state: 'visible', timeout: 5_000 });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.strictEqual(await f('model').locator('input').inputValue(), 'amazon.nova-pro-v1:0', 'picked from the catalogue by keyboard');
  await choose('bedrockPrefix', 'eu.');
  assert.strictEqual(await f('model').locator('input').inputValue(), 'eu.amazon.nova-pro-v1:0', 'the prefix helper rewrites the model ID');
  await type('connectionName', 'eu-team');
  await type('region', 'us-east-1');
  await errorOf('region').waitFor({ state: 'visible', timeout: 10_000 });
  log(`validation: region → "${(await errorOf('region').textContent()).trim()}"`);
  await type('region', 'eu-central-1');
  await errorOf('region').waitFor({ state: 'hidden', timeout: 10_000 });
  await type('accessKeyId', AWS_KEY_ID);
  await type('secretAccessKey', AWS_SECRET);
  await waitSaveEnabled();
  await saveButton().click();
  await form().locator('.status.ok', { hasText: 'Saved to' }).waitFor({ state: 'visible', timeout: 20_000 });
  await form().locator('.key-status', { hasText: 'Key stored on this machine' }).waitFor({ state: 'visible', timeout: 10_000 });
  await closeForm();

  const text = ctx.readWorkspaceFile(MANIFEST);
  for (const secret of [AZURE_KEY, AWS_KEY_ID, AWS_SECRET]) assert.ok(!text.includes(secret), 'no key in the manifest');
  doc = YAML.parse(text);
  const bedrock = doc.models.find((m) => m.name === BEDROCK_MODEL);
  assert.deepStrictEqual({ provider: bedrock.provider, model: bedrock.model, region: bedrock.connections[0].region },
    { provider: 'amazon-bedrock', model: 'eu.amazon.nova-pro-v1:0', region: 'eu-central-1' });
  log(`${MANIFEST}: ${AZURE_MODEL}/team-key and ${BEDROCK_MODEL}/eu-team written, no key in the file`);

  // ------------------------------------------------------- The tree, and reopening
  await ctx.commandPalette('Agent Connections: Focus on Models View');
  const sidebar = page.locator('.part.sidebar');
  for (const name of [AZURE_MODEL, BEDROCK_MODEL]) {
    const row = ctx.treeRow(name, sidebar).first();
    await row.scrollIntoViewIfNeeded().catch(() => {});
    await waitFor(async () => (await ctx.treeRow(name, sidebar).count()) > 0 || (await scrollTreeTo(page, sidebar, ctx, name)), { timeout: 20_000, message: `the tree shows ${name}` });
    log(`tree: ${name} is listed`);
  }
  const modelRow = ctx.treeRow(BEDROCK_MODEL, sidebar).first();
  if ((await modelRow.getAttribute('aria-expanded')) === 'false') await modelRow.locator('.monaco-tl-twistie').click();
  // Only the Models view: the Agents view may list an agent of the same name.
  const connectionRow = ctx.viewPane('Models').locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^\s*eu-team\s*$/ }) }).first();
  await connectionRow.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await connectionRow.locator('.label-description').textContent(), /key stored/);
  await connectionRow.click({ button: 'right' });
  await ctx.clickMenuItem('Edit Connection…');
  await form().locator('h1', { hasText: 'Connection eu-team' }).waitFor({ state: 'visible', timeout: 30_000 });
  await form().locator('.key-status', { hasText: 'Key stored on this machine' }).waitFor({ state: 'visible', timeout: 10_000 });
  assert.strictEqual(await f('connectionName').getAttribute('readonly'), '', 'reopened: the connection name is read-only');
  assert.strictEqual(await f('connectionName').locator('input').inputValue(), 'eu-team');
  assert.strictEqual(await f('region').locator('input').inputValue(), 'eu-central-1');
  assert.strictEqual(await form().locator('input[type="password"]').count(), 0, 'no key field is pre-filled or even shown while a key is stored');
  log('reopened eu-team from the tree: name read-only, "Key stored on this machine"');
  await closeForm();

  await testButton(ctx, { form, f, type, closeForm });
  await restoredAfterReload(ctx, { form, closeForm });
}

/** An open form comes back after a window reload (webview serializer), showing the same connection. */
async function restoredAfterReload(ctx, { form, closeForm }) {
  const { page, log } = ctx;
  await ctx.commandPalette('Agent Connections: Edit Connection…');
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(`${BEDROCK_MODEL}/eu-team`);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: `${BEDROCK_MODEL}/eu-team` }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
  await form().locator('h1', { hasText: 'Connection eu-team' }).waitFor({ state: 'visible', timeout: 30_000 });
  await ctx.commandPalette('Developer: Reload Window');
  await page.locator('.monaco-workbench .part.activitybar').first().waitFor({ state: 'visible', timeout: 90_000 });
  await form().locator('h1', { hasText: 'Connection eu-team' }).waitFor({ state: 'visible', timeout: 60_000 });
  await form().locator('.key-status', { hasText: 'Key stored on this machine' }).waitFor({ state: 'visible', timeout: 15_000 });
  log('after Developer: Reload Window the form for eu-team is back, with its key status');
  await closeForm();
}

/**
 * The form's Test button, end to end: a generic (OpenAI-compatible) connection to a
 * mock server on 127.0.0.1, with the right key and then a wrong one, before any Save.
 */
async function testButton(ctx, { form, f, type, closeForm }) {
  const { log, assert, repoRoot } = ctx;
  const mocks = path.join(repoRoot, 'out', 'test', 'mocks', 'index.js');
  if (!fs.existsSync(mocks)) {
    log('Test button: skipped, out/test/mocks is not compiled (npm run compile-tests)');
    return;
  }
  const { startMockProvider, DEFAULT_KEY } = createRequire(import.meta.url)(mocks);
  const mock = await startMockProvider('generic');
  try {
    await ctx.commandPalette('Agent Connections: Add Model…');
    await form().locator('h1', { hasText: 'Add Model' }).waitFor({ state: 'visible', timeout: 30_000 });
    await form().locator('vscode-radio', { hasText: 'API Integration' }).click();
    await f('baseUrl').waitFor({ state: 'visible', timeout: 10_000 });
    await type('modelName', 'mock-llama');
    await type('model', 'llama-3.1-8b-instant');
    await type('connectionName', 'local');
    await type('baseUrl', `${mock.origin}/v1`);
    await type('apiKey', DEFAULT_KEY);
    const button = form().locator('footer vscode-button', { hasText: 'Test Connection' });
    await button.click();
    const ok = form().locator('.status.ok', { hasText: 'Connection works' });
    await ok.waitFor({ state: 'visible', timeout: 35_000 });
    log(`Test button: ${(await form().locator('.status').textContent()).trim()}`);
    await type('apiKey', 'sk-wrong-key-0000000000');
    await button.click();
    const failed = form().locator('.status.error');
    await failed.waitFor({ state: 'visible', timeout: 35_000 });
    const text = (await failed.textContent()).trim();
    log(`Test button, wrong key: ${text}`);
    assert.match(text, /auth/i);
    assert.ok(!text.includes('sk-wrong-key'), 'the result does not echo the key');
    assert.ok(mock.requests.length >= 2, 'the mock received the tests');
    await closeForm();
  } finally {
    await mock.close();
  }
}

/** Scrolls the Models tree a page at a time until `name` is rendered (the list renders visible rows only). */
async function scrollTreeTo(page, sidebar, ctx, name) {
  const list = sidebar.locator('.monaco-list').first();
  await list.hover().catch(() => {});
  await page.mouse.wheel(0, 400);
  return (await ctx.treeRow(name, sidebar).count()) > 0;
}
