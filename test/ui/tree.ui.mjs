// UI test of the packaged extension in code-server (run by
// `node scripts/vscode-test.mjs ui`): the Models tree shows the manifest of
// examples/workspace, and "Toggle Enabled for Inference" from a connection's
// context menu rewrites `enabled` in the file on disk.
import YAML from 'yaml';
import { description, expand, expandAll, findChildRow, focusRow, rowAt, settleEditor, widen } from './lib.mjs';

const MANIFEST = 'agent-connections.yaml';
const SCREENSHOT = 'tree';

export default async function treeTest(ctx) {
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

  // Screenshot: every model open, the manifest beside the tree.
  await page.keyboard.press('Escape');
  await ctx.openFile(MANIFEST);
  await expandAll(sidebar, level);
  await focusRow(page, sidebar, [[model.name, level], [connection.name, level + 1]]);
  await page.mouse.move(1300, 700); // an empty editor spot: no hover, no tooltip
  await settleEditor(page);
  await ctx.screenshot(SCREENSHOT);
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
