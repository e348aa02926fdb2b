// UI test: a newcomer's first minutes with the example workspace, as a person clicks
// (README, Quick start). Open the Agent Connections view from the activity bar, expand a
// model, hover a connection for its tooltip, look at its inline actions, click the row,
// open the connection in the form from its context menu and use the form with the
// keyboard only: every control reached by Tab has an accessible name and a visible focus,
// Space and Enter work the buttons, Escape closes a suggestion list and leaves the focus
// where it was. Then the command palette: "Agent Connections" lists each command once,
// every title under the "Agent Connections" category, and each one run without a tree
// selection does something a person sees (a picker, a dialog, an editor, a message) and
// never shows an error notification.
// Screenshots: test-results/ui/firstrun-*.png (not README pictures).
import fs from 'node:fs';
import path from 'node:path';
import { collapsePane, description, expand, findChildRow, rowAt, viewPane, widen } from './lib.mjs';

const MANIFEST = 'agent-connections.yaml';
/** A generic connection: text fields, pick-lists, a checkbox and a row of Advanced Properties. */
const MODEL = 'llama-groq';
const CONNECTION = 'local-ollama';
const CATEGORY = 'Agent Connections: ';
/**
 * Palette commands not run here. Test All Connections starts at once, without a picker: it
 * would send requests and leave test results on the rows of the other UI files' pictures.
 */
const NOT_RUN = new Set(['Agent Connections: Test All Connections']);
/** Commands whose effect is not on the screen (the tree is the same before and after). */
const QUIET = new Set(['Agent Connections: Refresh', 'Agent Connections: Focus on Models View', 'Agent Connections: Focus on Agents View']);
/** Roles a keyboard user can reach: each needs a name a screen reader reads. */
const CONTROL_ROLES = /^(textbox|combobox|button|checkbox|radio|switch|listbox|spinbutton|slider|link|tab|menuitem)$/;

export const timeoutMs = 180_000;

export default async function firstRunTest(ctx) {
  const manifestPath = path.join(ctx.workspaceDir, MANIFEST);
  const original = fs.readFileSync(manifestPath, 'utf8');
  try {
    await run(ctx);
  } finally {
    const { page } = ctx;
    await page.keyboard.press('Escape').catch(() => {});
    if (fs.readFileSync(manifestPath, 'utf8') !== original) fs.writeFileSync(manifestPath, original);
    // As the other UI files expect the workbench: no editor, panel or notification left, flat list, both views open.
    for (const title of ['View: Revert and Close Editor', 'View: Close All Editors', 'View: Hide Panel', 'Notifications: Clear All Notifications']) {
      await ctx.commandPalette(title, { timeout: 5_000 }).catch(() => {});
    }
    await collapsePane(ctx, 'Agents', false).catch(() => {});
  }
}

async function run(ctx) {
  try {
    await walk(ctx);
  } catch (err) {
    await ctx.page.screenshot({ path: path.join(ctx.repoRoot, 'test-results', 'ui', 'firstrun-failure.png') }).catch(() => {});
    throw err;
  }
}

async function walk(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const shotsDir = path.join(ctx.repoRoot, 'test-results', 'ui');
  fs.mkdirSync(shotsDir, { recursive: true });
  const shot = async (name) => {
    const file = path.join(shotsDir, `firstrun-${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot ${path.relative(ctx.repoRoot, file)}`);
  };
  const sidebar = page.locator('.part.sidebar');
  const models = viewPane(page, 'Models');
  const form = () => page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
  const quickInput = page.locator('.quick-input-widget');
  const dialog = page.locator('.monaco-dialog-box');
  const panel = page.locator('.part.panel');
  const errorToasts = page.locator('.notifications-toasts .notification-list-item').filter({ has: page.locator('.codicon-error') });

  // ------------------------------------------------------------ the view, from the activity bar
  await ctx.commandPalette('View: Show Explorer');
  const activity = page.locator('.part.activitybar .action-item .action-label[aria-label^="Agent Connections"]').first();
  await activity.waitFor({ state: 'visible', timeout: 30_000 });
  await activity.click();
  await models.waitFor({ state: 'visible', timeout: 15_000 });
  await widen(page, sidebar, 520);
  await collapsePane(ctx, 'Models', false);
  await collapsePane(ctx, 'Agents', true); // the room for the models a newcomer reads first
  const modelRow = () => rowAt(models, MODEL, 1);
  await modelRow().waitFor({ state: 'visible', timeout: 30_000 });
  log(`view: ${MODEL} "${await description(modelRow())}"`);
  await page.mouse.move(1300, 800);
  await shot('view');

  // ------------------------------------------------------------ expand a model, hover a connection
  if ((await modelRow().getAttribute('aria-expanded')) === 'false') await modelRow().click(); // a click on a model row opens it
  await expand(modelRow());
  const connectionRow = async () => findChildRow(models, Number(await modelRow().getAttribute('data-index')), 2, CONNECTION);
  const row = await connectionRow();
  log(`row ${MODEL}/${CONNECTION}: "${await description(row)}"`);
  await row.hover();
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: `${MODEL}/${CONNECTION}` }).first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  const hoverText = ((await hover.innerText()) ?? '').replace(/\s+/g, ' ').trim();
  log(`tooltip: ${hoverText}`);
  for (const part of ['Enabled for inference', 'Key', 'Added by']) assert.ok(hoverText.includes(part), `the tooltip names "${part}": ${hoverText}`);
  await shot('tooltip');

  // The inline actions a person sees on the hovered row: each says what it does.
  const inline = await row.locator('.actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.getAttribute('title') ?? ''));
  log(`inline actions: ${inline.join(' | ')}`);
  assert.ok(inline.length > 0 && inline.every((l) => l.trim()), `every inline action has a name: ${JSON.stringify(inline)}`);
  // The row's click reveals it in the manifest; the form is one inline click away (not only in the context menu).
  assert.ok(inline.includes('Edit Connection…') && !inline.includes('Reveal in Manifest'), `an inline Edit Connection…, no second Reveal: ${JSON.stringify(inline)}`);

  // A click on the row: the connection in the manifest.
  await row.click();
  const editorTab = page.locator('.tabs-container .tab.active', { hasText: MANIFEST });
  await editorTab.waitFor({ state: 'visible', timeout: 15_000 });
  await waitFor(async () => (await page.locator('.editor-instance .monaco-editor .selected-text').count()) > 0, { timeout: 10_000, message: 'the row click selects the connection in the manifest' });
  log(`row click: ${MANIFEST} opens with the connection selected`);

  // ------------------------------------------------------------ the form, from the row's inline Edit Connection…
  const edit = async () => {
    const r = await connectionRow();
    await r.hover();
    await r.locator('.actions .action-label[aria-label="Edit Connection…"]').click();
  };
  await edit();
  await form().locator('h1', { hasText: `Connection ${CONNECTION}` }).waitFor({ state: 'visible', timeout: 30_000 });
  await form().locator('.advanced-row').first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.mouse.move(5, 880);
  await shot('form');

  // Every control has an accessible name (the webview's accessibility tree, as a screen reader gets it).
  const snapshot = await form().locator('body').ariaSnapshot();
  const controls = snapshot.split('\n').map((l) => /^\s*- (\w+)(?: "((?:[^"\\]|\\.)*)")?/.exec(l)).filter((m) => m && CONTROL_ROLES.test(m[1]));
  log(`form controls: ${controls.map((m) => `${m[1]} "${m[2] ?? ''}"`).join(', ')}`);
  const unnamed = controls.filter((m) => !(m[2] ?? '').trim()).map((m) => m[0].trim());
  assert.deepEqual(unnamed, [], `controls without an accessible name in the form:\n${unnamed.join('\n')}`);
  // Not the placeholder: the Advanced Properties row says what each of its fields is.
  for (const [role, name] of [['combobox', 'Kind'], ['textbox', 'Header name'], ['textbox', 'Header value']]) {
    assert.ok(controls.some((m) => m[1] === role && m[2] === name), `the Advanced Properties row has a ${role} "${name}"`);
  }

  // Keyboard only: Tab through the form from its top.
  const walk = await tabWalk(ctx, form);
  log(`Tab order: ${walk.map((s) => s.name).join(' → ')}`);
  assert.ok(walk.length >= 6, `Tab reaches the form's controls (${walk.length})`);
  const invisible = walk.filter((s) => !s.visible).map((s) => s.name);
  assert.deepEqual(invisible, [], `controls whose focus is not visible: ${invisible.join(', ')}`);
  const covered = walk.filter((s) => s.covered).map((s) => `${s.name} (under ${s.covered})`);
  assert.deepEqual(covered, [], 'a control reached by Tab is not hidden behind another part of the form');
  const nameless = walk.filter((s) => !s.name.trim() || s.name.startsWith('<'));
  assert.deepEqual(nameless.map((s) => s.name), [], 'every control reached by Tab has a name');
  const order = walk.map((s) => s.name);
  for (const [a, b] of [['Description', 'Enabled for inference'], ['Base URL', 'Authentication'], ['Authentication', 'Add Header'], ['Add Property', 'Test Connection']]) {
    assert.ok(order.indexOf(a) >= 0 && order.indexOf(a) < order.indexOf(b), `Tab reaches "${a}" before "${b}": ${order.join(' → ')}`);
  }

  // Escape on an open suggestion list closes it; the focus stays in the field; the form stays.
  await focusByTab(ctx, form, 'Model API Format');
  await page.keyboard.press('ArrowDown');
  const suggestions = form().locator('.field-apiFormat .suggest-list');
  await suggestions.waitFor({ state: 'visible', timeout: 5_000 });
  await shot('form-suggest');
  await page.keyboard.press('Escape');
  await suggestions.waitFor({ state: 'hidden', timeout: 5_000 });
  assert.equal((await focused(form)).name, 'Model API Format', 'after Escape the focus is still in the field');
  await page.keyboard.press('Escape');
  assert.equal((await focused(form)).name, 'Model API Format', 'a second Escape leaves the focus in the form');
  log('Escape: the suggestion list closes, the focus stays in Model API Format');

  // Space on a button: Edit Model opens the model's form.
  await focusByTab(ctx, form, 'Edit Model');
  await shot('form-focus');
  await page.keyboard.press(' ');
  await form().locator('h1', { hasText: MODEL }).waitFor({ state: 'visible', timeout: 15_000 });
  log(`Space on Edit Model: the form of ${MODEL}`);
  await ctx.commandPalette('View: Close Editor');
  await form().locator('h1', { hasText: `Connection ${CONNECTION}` }).waitFor({ state: 'visible', timeout: 15_000 });
  // Enter on a button: Reveal in Manifest shows the connection in the file.
  await focusByTab(ctx, form, 'Reveal in Manifest');
  await page.keyboard.press('Enter');
  await editorTab.waitFor({ state: 'visible', timeout: 15_000 });
  log('Enter on Reveal in Manifest: the manifest');
  await ctx.commandPalette('View: Close All Editors');

  // The longest form, Add Model (Amazon Bedrock: access keys, API key, profile): Tab to its end.
  await ctx.commandPalette('Agent Connections: Add Model…');
  await form().locator('h1', { hasText: 'Add Model' }).waitFor({ state: 'visible', timeout: 30_000 });
  await form().locator('#f-provider').click();
  await form().locator('#f-provider li.option', { hasText: 'Amazon Bedrock' }).first().click();
  await form().locator('#f-region').waitFor({ state: 'visible', timeout: 10_000 });
  const long = await tabWalk(ctx, form);
  log(`Add Model (Amazon Bedrock), Tab order: ${long.map((s) => `${s.name}${s.covered ? ` [under ${s.covered}]` : ''}${s.visible ? '' : ' [focus not visible]'}`).join(' → ')}`);
  await shot('add-model');
  assert.deepEqual(long.filter((s) => s.covered || !s.visible).map((s) => s.name), [], 'in Add Model every control reached by Tab shows its focus, in view');
  await ctx.commandPalette('View: Close All Editors');
  await collapsePane(ctx, 'Agents', false);

  // ------------------------------------------------------------ the command palette
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const paletteInput = quickInput.locator('input.input');
  await paletteInput.waitFor({ state: 'visible', timeout: 10_000 });
  await paletteInput.fill('>Agent Connections');
  await quickInput.locator('.monaco-list-row .label-name', { hasText: 'Agent Connections: Add Model…' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await shot('palette');
  const listed = await paletteRows(page);
  await page.keyboard.press('Escape');
  log(`palette, "Agent Connections" (${listed.length}):\n    ${listed.join('\n    ')}`);
  const ours = listed.filter((l) => l.startsWith(CATEGORY));
  assert.ok(ours.length >= 25, `the palette lists the Agent Connections commands (${ours.length})`);
  const seen = new Set();
  const duplicates = ours.filter((l) => seen.has(l) || !seen.add(l));
  assert.deepEqual(duplicates, [], 'no command is listed twice');
  for (const title of ours) {
    const rest = title.slice(CATEGORY.length);
    assert.ok(/^[A-Z]/.test(rest) && !/\s{2}|\s$/.test(rest), `a title reads as a title: "${title}"`);
    assert.ok(!rest.startsWith('Agent Connections'), `the category is not repeated: "${title}"`);
  }
  for (const hidden of ['Open Problem', 'Enable for Inference', 'Disable for Inference', 'Open Terminal with This Connection', 'Move to SecretStorage']) {
    assert.ok(!ours.includes(CATEGORY + hidden), `"${hidden}" works on a row and is not offered in the palette`);
  }

  // Each command run from the palette, with nothing selected: something to see, never an error.
  await ctx.commandPalette('Notifications: Clear All Notifications');
  const outcomes = [];
  for (const title of ours) {
    if (NOT_RUN.has(title)) continue;
    const tabBefore = await activeTab(page);
    const panelBefore = await panel.isVisible();
    const treeBefore = await topRows(models);
    await runFromPalette(ctx, title);
    let seenAs = 'nothing to see (by design)';
    if (!QUIET.has(title)) {
      seenAs = await waitFor(async () => {
        if (await dialog.isVisible()) return `dialog "${oneLine(await dialog.locator('.dialog-message-text').first().textContent())}"`;
        if (await quickInput.isVisible()) {
          const input = quickInput.locator('input.input').first();
          const what = oneLine(await quickInput.locator('.quick-input-title').first().textContent().catch(() => '')) || oneLine(await input.getAttribute('placeholder'));
          // A picker that says what it asks for (not the palette, still closing).
          return what && !what.startsWith('Type the name of a command') ? `picker "${what}"` : undefined;
        }
        const toast = page.locator('.notifications-toasts .notification-list-item').first();
        if (await toast.isVisible()) return `message "${oneLine(await toast.locator('.notification-list-item-message').first().textContent())}"`;
        const tab = await activeTab(page);
        if (tab && tab !== tabBefore) return `editor "${tab}"`;
        if (await topRows(models) !== treeBefore) return `the Models view: ${await topRows(models)}`;
        if (!panelBefore && await panel.isVisible()) return `the panel "${oneLine(await panel.locator('.composite.title .title-label, .action-item.checked').first().textContent().catch(() => ''))}"`;
        return undefined;
      }, { timeout: 15_000, message: `"${title}" run from the palette shows something` });
    }
    outcomes.push(`${title} → ${seenAs}`);
    log(`  ${title} → ${seenAs}`);
    await assertNoError(page, errorToasts, title);
    // Put it away: cancel the picker or dialog, close what it opened.
    if (await dialog.isVisible() || await quickInput.isVisible()) await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
    await quickInput.waitFor({ state: 'hidden', timeout: 5_000 });
    const tab = await activeTab(page);
    // An untitled document is reverted; a form is closed by its tab's close button (it takes the focus when it loads, which closes a palette).
    if (tab && tab !== tabBefore && tab.includes('Untitled-')) await ctx.commandPalette('View: Revert and Close Editor');
    else if (tab && tab !== tabBefore) await closeActiveTab(page);
    if (!panelBefore && await panel.isVisible()) await ctx.commandPalette('View: Hide Panel');
    if (seenAs.startsWith('message')) await ctx.commandPalette('Notifications: Clear All Notifications');
    if (title === `${CATEGORY}Group by Location`) {
      await ctx.commandPalette(`${CATEGORY}Show as Flat List`);
      await waitFor(async () => await topRows(models) === treeBefore, { timeout: 10_000, message: 'the flat list again' });
    }
    await assertNoError(page, errorToasts, title);
  }
  log(`palette commands run with nothing selected (${outcomes.length}):\n    ${outcomes.join('\n    ')}`);
  // The notification centre keeps every message: not one error among them.
  await ctx.commandPalette('Notifications: Show Notifications');
  const center = page.locator('.notifications-center');
  await center.waitFor({ state: 'visible', timeout: 10_000 });
  const errors = await center.locator('.notification-list-item').filter({ has: page.locator('.codicon-error') }).allInnerTexts();
  assert.deepEqual(errors.map(oneLine), [], 'no error notification after running the palette commands');
  await ctx.commandPalette('Notifications: Clear All Notifications');
}

/**
 * Runs a command from the palette (F1, its title, Enter) and returns at once: a picker it
 * opens reuses the palette's box, so the box closing is no sign of anything.
 */
async function runFromPalette(ctx, title) {
  const { page } = ctx;
  const input = page.locator('.quick-input-widget input.input');
  const exact = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
  await ctx.waitFor(async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5_000 });
    await input.fill(`>${title}`);
    return row.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
  }, { timeout: 30_000, interval: 100, message: `the palette lists "${title}"` });
  // Enter runs the focused row; the fuzzy match may put another one first.
  if ((await row.getAttribute('class'))?.split(' ').includes('focused')) await page.keyboard.press('Enter');
  else await row.click();
  ctx.log(`command palette: ${title}`);
}

/** The first rows of the Models view, as one line. */
async function topRows(models) {
  const labels = await models.locator('.monaco-list-row[aria-level="1"] .label-name').allTextContents();
  return labels.slice(0, 4).map((l) => l.trim()).join(', ');
}

async function closeActiveTab(page) {
  const tab = page.locator('.part.editor .tabs-container .tab.active').first();
  const label = await tab.getAttribute('aria-label');
  await tab.hover();
  await tab.locator('.tab-actions .action-label').first().click();
  await page.locator(`.part.editor .tabs-container .tab[aria-label="${label}"]`).waitFor({ state: 'detached', timeout: 10_000 });
}

/** Fails at once with the message of an error notification, naming the command that was run. */
async function assertNoError(page, errorToasts, title) {
  if (await errorToasts.count() === 0) return;
  const text = oneLine((await errorToasts.first().innerText().catch(() => '')) ?? '');
  await page.screenshot({ path: path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'test-results', 'ui', 'firstrun-error.png') }).catch(() => {});
  throw new Error(`"${title}" run from the palette shows an error: ${text}`);
}

function oneLine(s) {
  return String(s ?? '').replace(/\s+/g, ' ').trim();
}

async function activeTab(page) {
  const tab = page.locator('.part.editor .tabs-container .tab.active').first();
  if (await tab.count() === 0) return '';
  return oneLine(await tab.getAttribute('aria-label'));
}

/** Every row of the open palette, read with the arrow keys (the list renders only what is in view). */
async function paletteRows(page) {
  const focusedRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused').first();
  const label = async () => oneLine(await focusedRow.locator('.label-name').first().textContent().catch(() => ''));
  const rows = [];
  const first = await label();
  rows.push(first);
  for (let i = 0; i < 150; i++) {
    const before = await focusedRow.getAttribute('data-index');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((prev) => document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row.focused')?.getAttribute('data-index') !== prev, before, { timeout: 5_000 });
    if (Number(await focusedRow.getAttribute('data-index')) === 0) break; // wrapped around
    rows.push(await label());
  }
  return rows;
}

/**
 * The focused control of the form, through its web component's shadow root: its name as
 * a person reads it beside the control (the label, the button's text, the aria-label),
 * and a signature of how it looks (outline, shadow, borders, background of it and its parts).
 */
async function focused(form) {
  return form().locator('body').evaluate(() => {
    /* global document, getComputedStyle */
    let host = document.activeElement;
    if (!host || host === document.body) return { name: '<body>', look: '' };
    const chain = [host];
    while (chain.at(-1).shadowRoot?.activeElement) chain.push(chain.at(-1).shadowRoot.activeElement);
    const inner = chain.at(-1);
    // The host in the page's own DOM (not a part of a shadow root).
    host = chain[0];
    const labelled = inner.getAttribute('aria-labelledby');
    const byLabel = host.id ? document.querySelector(`vscode-label[for="${host.id}"]`)?.textContent : undefined;
    const name = (inner.getAttribute('aria-label') || (labelled ? document.getElementById(labelled)?.textContent : '') || byLabel || host.label || host.getAttribute('label') || host.textContent || '').replace(/\s+/g, ' ').trim();
    const parts = [host, ...(host.shadowRoot ? host.shadowRoot.querySelectorAll('*') : [])];
    const look = parts.map((e) => {
      const s = getComputedStyle(e);
      return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderTopColor, s.borderBottomColor, s.backgroundColor].join(' ');
    }).join('|');
    host.dataset.firstrunFocused = '1';
    // Not hidden behind something else (the sticky footer): the page shows the control where it is.
    const r = host.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const covered = !hit || !(hit === host || host.contains(hit)) ? (hit?.closest('footer, header, .banner') ? hit.closest('footer, header, .banner').tagName.toLowerCase() : hit?.tagName.toLowerCase() ?? 'nothing') : undefined;
    return { name: name || `<${host.tagName.toLowerCase()}${host.id ? `#${host.id}` : ''}>`, look, tag: host.tagName.toLowerCase(), covered };
  });
}

/** How the control marked by focused() looks now (after the focus moved on). */
async function lookOfMarked(form) {
  return form().locator('body').evaluate(() => {
    const host = document.querySelector('[data-firstrun-focused]');
    if (!host) return '';
    delete host.dataset.firstrunFocused;
    const parts = [host, ...(host.shadowRoot ? host.shadowRoot.querySelectorAll('*') : [])];
    return parts.map((e) => {
      const s = getComputedStyle(e);
      return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderTopColor, s.borderBottomColor, s.backgroundColor].join(' ');
    }).join('|');
  });
}

/** Puts the focus at the top of the form (the webview's document) without focusing a control. */
async function focusTop(ctx, form) {
  await form().locator('h1').first().click();
  await form().locator('body').evaluate(() => document.activeElement?.blur?.());
}

/**
 * Tab from the top to the end of the form: each stop's name and whether its focus shows
 * (it looks different focused than once the focus has moved on).
 */
async function tabWalk(ctx, form) {
  const { page } = ctx;
  await focusTop(ctx, form);
  const stops = [];
  let previous;
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(form).catch(() => ({ name: '<outside>', look: '' }));
    if (previous) {
      const after = await lookOfMarked(form).catch(() => previous.look);
      stops.push({ name: previous.name, visible: after !== previous.look, covered: previous.covered });
    }
    if (now.name === '<body>' || now.name === '<outside>') break; // past the last control
    previous = now;
  }
  return stops;
}

/** Tabs from the top of the form to the control named `name`. */
async function focusByTab(ctx, form, name) {
  await focusTop(ctx, form);
  for (let i = 0; i < 60; i++) {
    await ctx.page.keyboard.press('Tab');
    const now = await focused(form);
    if (now.name === name) return;
    if (now.name === '<body>') break;
  }
  throw new Error(`Tab does not reach "${name}" in the form`);
}
