// Helpers shared by the UI tests (not a test file: the harness runs only *.ui.mjs).
/* global document -- page.waitForFunction callbacks run in the browser */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const MANIFEST = 'agent-connections.yaml';
/** How a connection row describes its key before anyone stored one (or in Restricted Mode). */
const FIRST_LOOK_KEY = /^(no key on this machine|no key needed|key status unknown \(Restricted Mode\))$/;

/** The model names of examples/workspace/agent-connections.yaml, in order. */
export function exampleModels(ctx) {
  const doc = YAML.parse(fs.readFileSync(path.join(ctx.repoRoot, 'examples', 'workspace', MANIFEST), 'utf8'));
  return doc.models.map((m) => m.name);
}

/**
 * Call before a README screenshot that shows the Models view: fails when the
 * picture would show what an earlier test left behind. The view lists exactly
 * `models` in order (default: the example manifest's, and then the workspace's
 * manifest must still be the example's, byte for byte), and no connection row
 * shows a stored key or a test outcome, except the `changed` rows
 * ("model/connection") the feature in the picture changed itself. `leading`:
 * rows above the models (the manifest's problems row).
 */
export async function assertFirstLook(ctx, { models, changed = [], leading = 0 } = {}) {
  const { assert, page } = ctx;
  if (!models) {
    const example = fs.readFileSync(path.join(ctx.repoRoot, 'examples', 'workspace', MANIFEST), 'utf8');
    assert.ok(ctx.readWorkspaceFile(MANIFEST) === example, `${MANIFEST} in the test workspace is not examples/workspace's any more: an earlier test left a change`);
  }
  const expected = models ?? exampleModels(ctx);
  const pane = page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header .title', { hasText: /^\s*Models\s*$/i }) });
  const rows = await pane.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => ({
    index: Number(e.getAttribute('data-index')),
    level: Number(e.getAttribute('aria-level')),
    pos: Number(e.getAttribute('aria-posinset')),
    size: Number(e.getAttribute('aria-setsize')),
    label: e.querySelector('.label-name')?.textContent?.trim() ?? '',
    description: e.querySelector('.label-description')?.textContent?.trim() ?? '',
  })));
  rows.sort((a, b) => a.index - b.index);
  const top = rows.filter((r) => r.level === 1);
  assert.ok(top.length > 0, 'the Models view shows no rows');
  for (const row of top) {
    assert.equal(row.size - leading, expected.length, `the Models view lists ${row.size - leading} models, the picture should show ${expected.length}: ${expected.join(', ')}`);
    if (row.pos <= leading) continue;
    const want = expected[row.pos - leading - 1];
    assert.equal(row.label, want, `model #${row.pos - leading} of the Models view is "${row.label}", expected "${want}"`);
  }
  let model = '';
  let checked = 0;
  for (const row of rows) {
    if (row.level === 1) model = row.label;
    if (row.level !== 2 || changed.includes(`${model}/${row.label}`)) continue;
    checked++;
    const [, key, ...rest] = row.description.split(' · ');
    assert.ok(FIRST_LOOK_KEY.test(key ?? '') && rest.length <= 1,
      `${model}/${row.label} shows "${row.description}": a key or a test outcome left by an earlier test`);
  }
  ctx.log(`first look: the Models view lists the ${expected.length} models expected (${top.filter((r) => r.pos > leading).length} rendered); ${checked} connection rows without a key or test result${changed.length ? `, besides ${changed.join(', ')}` : ''}`);
}

export async function description(row) {
  const text = await row.locator('.label-description').first().textContent({ timeout: 5_000 }).catch(() => '');
  return (text ?? '').trim();
}

/** The row labelled `label` at `level` among the rows that follow `parentIndex` up to the next sibling of the parent. */
export async function findChildRow(scope, parentIndex, level, label) {
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
export function rowAt(scope, label, level) {
  return scope.locator(`.monaco-list-row[aria-level="${level}"]:visible`).filter({
    has: scope.page().locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
  }).first();
}

/** Expands `row` and waits until its children are rendered (rows below shift then). */
export async function expand(row) {
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
export async function expandAll(scope, level) {
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
export async function focusRow(page, scope, labelPath) {
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
export async function settleEditor(page) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.locator('.view-lines span[class*="mtk"]:not(.mtk1)').first()
    .waitFor({ state: 'attached', timeout: 5_000 }).catch(() => {});
  await page.waitForFunction(
    () => !document.querySelector('.editor-instance .monaco-scrollable-element > .scrollbar.visible'),
    undefined, { timeout: 5_000 },
  ).catch(() => {});
}

/** Drags the side bar's sash so descriptions fit (best effort: the test does not depend on it). */
export async function widen(page, sidebar, width) {
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

/**
 * Cleanup of a UI file that stored a key: Remove Key… from the connection row's context
 * menu, confirmed, until the row says "no key on this machine" again. Never throws: a
 * failure is logged with a screenshot `test-results/ui/<name>-cleanup.png`.
 */
export async function removeKeyAfterwards(ctx, connectionRow, name) {
  const { page, log, waitFor } = ctx;
  try {
    await page.keyboard.press('Escape');
    await ctx.commandPalette('Agent Connections: Focus on Models View');
    await (await connectionRow()).click({ button: 'right' });
    await ctx.clickMenuItem('Remove Key…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    await dialog.getByRole('button', { name: 'Remove Key' }).click();
    await waitFor(async () => /no key on this machine/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the key is removed again' });
  } catch (err) {
    log(`could not remove the key afterwards: ${err.message}`);
    await page.screenshot({ path: path.join(ctx.repoRoot, 'test-results', 'ui', `${name}-cleanup.png`) }).catch(() => {});
  }
}

/** A pane of the side bar by its exact title (other parts of the workbench have "Agents" views too). */
export function viewPane(page, title) {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${title}\\s*$`, 'i') }) });
}

/** Folds or unfolds a view pane by clicking its header. */
export async function collapsePane(ctx, title, collapsed) {
  const header = viewPane(ctx.page, title).locator('.pane-header').first();
  await header.waitFor({ state: 'visible', timeout: 5_000 });
  const expanded = (await header.getAttribute('aria-expanded')) === 'true';
  if (expanded === collapsed) {
    await header.click({ position: { x: 30, y: 10 } });
    await ctx.waitFor(async () => ((await header.getAttribute('aria-expanded')) === 'true') !== collapsed, { timeout: 5_000, message: `${title} ${collapsed ? 'folded' : 'open'}` });
  }
}
