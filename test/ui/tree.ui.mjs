// UI test of the packaged extension in code-server (run by
// `node scripts/vscode-test.mjs ui`): the Models tree shows the manifest of
// examples/workspace, and "Toggle Enabled for Inference" from a connection's
// context menu rewrites `enabled` in the file on disk.
/* global document -- page.waitForFunction callbacks run in the browser */
import YAML from 'yaml';

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

async function description(row) {
  const text = await row.locator('.label-description').first().textContent({ timeout: 5_000 }).catch(() => '');
  return (text ?? '').trim();
}

/** The row labelled `label` at `level` among the rows that follow `parentIndex` up to the next sibling of the parent. */
async function findChildRow(scope, parentIndex, level, label) {
  for (let index = parentIndex + 1; index < parentIndex + 200; index++) {
    const row = scope.locator(`.monaco-list-row[data-index="${index}"]:visible`).first();
    if (await row.count() === 0) break;
    const rowLevel = Number(await row.getAttribute('aria-level'));
    if (rowLevel < level) break;
    const text = (await row.locator('.label-name').first().textContent())?.trim();
    if (rowLevel === level && text === label) return row.and(scope.page().locator(`[aria-level="${level}"]`));
  }
  throw new Error(`no row "${label}" at level ${level} under row ${parentIndex}`);
}

/** A visible tree row by its exact label and level: stays valid while rows shift. */
function rowAt(scope, label, level) {
  return scope.locator(`.monaco-list-row[aria-level="${level}"]:visible`).filter({
    has: scope.page().locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
  }).first();
}

/** Expands `row` and waits until its children are rendered (rows below shift then). */
async function expand(row) {
  await row.waitFor({ state: 'visible' });
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.locator('.monaco-tl-twistie').click();
  }
  await row.and(row.page().locator('[aria-expanded="true"]')).waitFor({ state: 'visible', timeout: 10_000 });
  const level = Number(await row.getAttribute('aria-level'));
  const index = Number(await row.getAttribute('data-index'));
  await row.page().locator(`.part.sidebar .monaco-list-row[data-index="${index + 1}"][aria-level="${level + 1}"]:visible`)
    .first().waitFor({ state: 'visible', timeout: 5_000 })
    .catch(() => { /* a node without children */ });
}

/** Expands every collapsed row at `level`. */
async function expandAll(scope, level) {
  for (let i = 0; i < 50; i++) {
    const collapsed = scope.locator(`.monaco-list-row[aria-level="${level}"][aria-expanded="false"]:visible`).first();
    if (await collapsed.count() === 0) return;
    const label = (await collapsed.locator('.label-name').first().textContent())?.trim() ?? '';
    await expand(rowAt(scope, label, level));
  }
}

/**
 * Moves the tree's keyboard focus (and selection) to the row reached by the
 * `[label, level]` path: keys, not clicks, so no item command runs.
 * Best effort: only the screenshot depends on it.
 */
async function focusRow(page, scope, labelPath) {
  const focused = scope.locator('.monaco-list-row.focused:visible').first();
  if (await focused.count() === 0) return;
  await page.keyboard.press('Home');
  let step = 0;
  for (let i = 0; i < 200 && step < labelPath.length; i++) {
    const label = (await focused.locator('.label-name').first().textContent().catch(() => ''))?.trim();
    const level = Number(await focused.getAttribute('aria-level').catch(() => 0));
    if (label === labelPath[step][0] && level === labelPath[step][1]) {
      step++;
      if (step === labelPath.length) return;
    }
    const before = await focused.getAttribute('data-index').catch(() => null);
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(
      ([sel, prev]) => document.querySelector(sel)?.getAttribute('data-index') !== prev,
      ['.part.sidebar .monaco-list-row.focused', before], { timeout: 2_000 },
    ).catch(() => {});
    if ((await focused.getAttribute('data-index').catch(() => null)) === before) return; // last row
  }
}

/** Waits (best effort) until the editor is coloured and its transient scrollbars have faded. */
async function settleEditor(page) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines span[class*="mtk"]:not(.mtk1)').first()
    .waitFor({ state: 'attached', timeout: 5_000 }).catch(() => {});
  await page.waitForFunction(
    () => !document.querySelector('.editor-instance .monaco-scrollable-element > .scrollbar.visible'),
    undefined, { timeout: 5_000 },
  ).catch(() => {});
}

/** Drags the side bar's sash so descriptions fit (best effort: the test does not depend on it). */
async function widen(page, sidebar, width) {
  const box = await sidebar.boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
