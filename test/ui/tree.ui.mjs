// UI test of the packaged extension in code-server (run by
// `node scripts/vscode-test.mjs ui`): the Models tree shows the manifest of
// examples/workspace, and "Toggle Enabled for Inference" from a connection's
// context menu rewrites `enabled` in the file on disk.
// Screenshot: docs/images/tree.png, the README's first picture: the example
// workspace as a user first sees it, taken before the toggle.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { assertFirstLook, description, expand, expandAll, findChildRow, focusRow, rowAt, settleEditor, widen } from './lib.mjs';

const MANIFEST = 'agent-connections.yaml';
const SCREENSHOT = 'tree';

/** Runs before the other UI files: nothing has touched the workspace yet. */
export const order = -1;

export default async function treeTest(ctx) {
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const original = fs.readFileSync(manifestPath, 'utf8');
  try {
    await run(ctx);
  } finally {
    // Leave the example as it was for the other UI files.
    if (fs.readFileSync(manifestPath, 'utf8') !== original) fs.writeFileSync(manifestPath, original);
    await collapseModels(ctx).catch(() => {});
  }
}

async function run(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const models = readModels(ctx.readWorkspaceFile(MANIFEST));
  assert.ok(models.length > 0, `${MANIFEST} lists no models`);
  log(`manifest: ${models.map((m) => `${m.name}(${m.connections.map((c) => `${c.name}:${c.enabled}`).join(',')})`).join(' ')}`);

  await ctx.commandPalette('Agent Connections: Focus on Models View');
  const sidebar = page.locator('.part.sidebar');
  await widen(page, sidebar, 520);
  const rowOf = (label) => ctx.treeRow(label, sidebar).first();

  // Every model is a row (the first screenful: the list renders only visible rows).
  const shown = models.slice(0, 12);
  await rowOf(shown[0].name).waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
    // Grouped by location: open the groups, then look again.
    await expandAll(sidebar, 1);
    await rowOf(shown[0].name).waitFor({ state: 'visible', timeout: 10_000 });
  });
  for (const model of shown) await rowOf(model.name).waitFor({ state: 'visible', timeout: 10_000 });
  const firstDescription = await description(rowOf(shown[0].name));
  log(`model row "${shown[0].name}": description "${firstDescription}"`);
  assert.match(firstDescription, /\S.*·.*\S/, 'a model row describes "<provider> · <type>"');

  // A model with an enabled connection: expand it, toggle that connection off.
  const model = models.find((m) => m.connections.some((c) => c.enabled === true));
  assert.ok(model, `no model in ${MANIFEST} has a connection with enabled: true`);
  const connection = model.connections.find((c) => c.enabled === true);
  const level = Number(await rowOf(model.name).getAttribute('aria-level'));

  // Screenshot first, as a user first sees the example: every model open, the manifest beside
  // the tree, the Agents view folded so that the Models view has the room.
  await foldAgents(ctx);
  await widen(page, sidebar, 560);
  await ctx.openFile(MANIFEST);
  await expandAll(sidebar, level);
  await focusRow(page, sidebar, [[model.name, level], [connection.name, level + 1]]);
  await page.mouse.move(1300, 700); // an empty editor spot: no hover, no tooltip
  await settleEditor(page);
  await assertFirstLook(ctx);
  await ctx.screenshot(SCREENSHOT);
  // Connection names repeat across models: take the one right under this model
  // (looked up again after each change: a refresh may re-render the rows).
  const findConnectionRow = async () => {
    await expand(rowAt(sidebar, model.name, level));
    const modelIndex = Number(await rowAt(sidebar, model.name, level).getAttribute('data-index'));
    return findChildRow(sidebar, modelIndex, level + 1, connection.name);
  };
  const connectionRow = await findConnectionRow();
  for (const c of model.connections) await rowOf(c.name).waitFor({ state: 'visible', timeout: 10_000 });
  const before = await description(connectionRow);
  log(`connection row "${connection.name}": description "${before}"`);
  assert.match(before, /^enabled/, 'an enabled connection is described as "enabled …"');

  await connectionRow.click({ button: 'right' });
  await ctx.clickMenuItem('Toggle Enabled for Inference');

  await waitFor(() => {
    const now = readModels(ctx.readWorkspaceFile(MANIFEST)).find((m) => m.name === model.name);
    return now?.connections.find((c) => c.name === connection.name)?.enabled === false;
  }, { timeout: 15_000, message: `${MANIFEST}: ${model.name}/${connection.name} enabled: false` });
  log(`${MANIFEST} on disk: ${model.name}/${connection.name} is now enabled: false`);
  await waitFor(async () => /^disabled/.test(await description(await findConnectionRow())), {
    timeout: 15_000, message: `the tree shows ${connection.name} as disabled`,
  });
  log(`connection row "${connection.name}": description "${await description(await findConnectionRow())}"`);
  await page.keyboard.press('Escape');
}

async function foldAgents(ctx) {
  const header = ctx.viewPane('Agents').locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) !== 'true') return;
  await header.click({ position: { x: 30, y: 10 } });
  await ctx.waitFor(async () => (await header.getAttribute('aria-expanded')) === 'false', { timeout: 5_000, message: 'the Agents view folded' });
}

/** Folds every model again (the view's Collapse All), closes the editors and notifications: as the other UI files expect the window. */
async function collapseModels(ctx) {
  const header = ctx.viewPane('Models').locator('.pane-header').first();
  await header.hover();
  await header.locator('.action-label[aria-label^="Collapse All"]').first().click({ timeout: 5_000 });
  await ctx.commandPalette('View: Close All Editors');
  await ctx.commandPalette('Notifications: Clear All Notifications');
}

/** [{ name, connections: [{ name, enabled }] }] from the manifest, whether lists or maps are used. */
function readModels(text) {
  const doc = YAML.parse(text) ?? {};
  return entries(doc.models).map((m) => ({
    name: m.name,
    connections: entries(m.connections).map((c) => ({ name: c.name, enabled: c.enabled })),
  }));
}

function entries(value) {
  if (Array.isArray(value)) return value.filter((v) => v && typeof v === 'object');
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([name, v]) => ({ name, ...(v && typeof v === 'object' ? v : {}) }));
  }
  return [];
}
