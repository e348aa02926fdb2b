// Helpers shared by the UI tests (not a test file: the harness runs only *.ui.mjs).
/* global document -- page.waitForFunction callbacks run in the browser */

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
