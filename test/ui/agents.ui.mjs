// UI test of agent assignments in the packaged extension (run by
// `node scripts/vscode-test.mjs ui agents`): the Agents view shows the supervisor
// `triage` with its agents; "Assign Connection…" on `triage` opens a two-step
// QuickPick (model, then connection with enabled / key / last test), writes the
// YAML, and the tree shows the new connection on `triage` and, inherited, on
// `refunds`. Screenshots: docs/images/assign-connection.png (the QuickPick) and
// docs/images/agents.png (the Agents view beside the file with its CodeLens).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { assertFirstLook, collapsePane, description, rowAt, settleEditor, viewPane, widen } from './lib.mjs';

const AGENTS_FILE = 'agents/support.agents.yaml';
const SUPERVISOR = 'triage';
const INHERITING = 'refunds';
const MODEL = 'claude';
const CONNECTION = 'team-key';

export default async function agentsTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const file = path.join(ctx.workspaceDir, AGENTS_FILE);
  const original = fs.readFileSync(file, 'utf8');
  const before = YAML.parse(original);
  const oldReference = before.supervisors.find((s) => s.name === SUPERVISOR).connection;
  assert.ok(oldReference && oldReference !== `${MODEL}/${CONNECTION}`, `${AGENTS_FILE}: ${SUPERVISOR} has another connection`);
  assert.ok(!before.agents.find((a) => a.name === INHERITING).connection, `${INHERITING} inherits its connection`);

  const sidebar = page.locator('.part.sidebar');
  const pane = viewPane(page, 'Agents');
  const quickInput = page.locator('.quick-input-widget');
  try {
    await ctx.commandPalette('Agent Connections: Focus on Agents View');
    await widen(page, sidebar, 470);
    await collapsePane(ctx, 'Models', false);
    await collapsePane(ctx, 'Agents', false);
    const supervisorRow = () => rowAt(pane, SUPERVISOR, 1);
    const inheritingRow = () => rowAt(pane, INHERITING, 2);
    await supervisorRow().waitFor({ state: 'visible', timeout: 30_000 });
    await inheritingRow().waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await description(supervisorRow()), oldReference);
    assert.equal(await description(inheritingRow()), `${oldReference} · inherited from ${SUPERVISOR}`);
    log(`before: ${SUPERVISOR} "${await description(supervisorRow())}", ${INHERITING} "${await description(inheritingRow())}"`);

    // The agents file beside the tree, with its CodeLens.
    await ctx.openFile(AGENTS_FILE);
    const lens = page.locator('.contentWidgets .codelens-decoration', { hasText: `inherited from ${SUPERVISOR}` }).first();
    await lens.waitFor({ state: 'visible', timeout: 20_000 });
    log(`CodeLens: ${(await lens.textContent())?.trim()}`);

    // Assign Connection… from the supervisor's context menu: model, then connection.
    await supervisorRow().click({ button: 'right' });
    await ctx.clickMenuItem('Assign Connection…');
    await quickInput.waitFor({ state: 'visible', timeout: 10_000 });
    const pickRow = (label) => ctx.treeRow(label, quickInput).first();
    await pickRow(MODEL).waitFor({ state: 'visible', timeout: 10_000 });
    log(`step 1: ${(await quickInput.locator('.quick-input-title').textContent())?.trim()}`);
    await quickInput.locator('input.input').fill(MODEL);
    await pickRow(MODEL).click();
    await pickRow(CONNECTION).waitFor({ state: 'visible', timeout: 10_000 });
    const detail = (await pickRow(CONNECTION).locator('.label-description').first().textContent())?.trim() ?? '';
    log(`step 2: ${CONNECTION} "${detail}"`);
    assert.match(detail, /^enabled · (key present|no key on this machine) · (last test .+|not tested)/, 'a connection shows enabled, key and last test');
    await pickRow(CONNECTION).hover();
    await page.mouse.move(1000, 680);
    await assertFirstLook(ctx);
    await ctx.screenshot('assign-connection');
    await pickRow(CONNECTION).click();
    await quickInput.waitFor({ state: 'hidden', timeout: 10_000 });

    // The YAML on disk: only the supervisor's connection changed.
    const reference = `${MODEL}/${CONNECTION}`;
    await waitFor(() => YAML.parse(ctx.readWorkspaceFile(AGENTS_FILE)).supervisors.find((s) => s.name === SUPERVISOR).connection === reference, {
      timeout: 15_000, message: `${AGENTS_FILE}: ${SUPERVISOR} uses ${reference}`,
    });
    const changed = diffLines(original, ctx.readWorkspaceFile(AGENTS_FILE));
    log(`${AGENTS_FILE} changed lines: ${JSON.stringify(changed)}`);
    assert.equal(changed.length, 1, 'one line changed');
    assert.match(changed[0], new RegExp(`^ +connection: ${reference} +# agents below inherit this$`), 'the comment on the line is kept');

    // The tree: the supervisor and, inherited, its agent.
    await waitFor(async () => (await description(supervisorRow())) === reference, { timeout: 15_000, message: `${SUPERVISOR} shows ${reference}` });
    await waitFor(async () => (await description(inheritingRow())) === `${reference} · inherited from ${SUPERVISOR}`, { timeout: 15_000, message: `${INHERITING} inherits ${reference}` });
    log(`after: ${SUPERVISOR} "${await description(supervisorRow())}", ${INHERITING} "${await description(inheritingRow())}"`);
    await page.locator('.contentWidgets .codelens-decoration', { hasText: `${reference} · inherited from ${SUPERVISOR}` }).first()
      .waitFor({ state: 'visible', timeout: 15_000 });

    // Screenshot: the Agents view beside the file, the inherited agent selected.
    await inheritingRow().click();
    await page.mouse.move(250, 400); // empty side bar space: no hover, no tooltip, no editor scrollbar
    await settleEditor(page);
    await assertFirstLook(ctx);
    await ctx.screenshot('agents');
  } finally {
    await page.keyboard.press('Escape').catch(() => {});
    fs.writeFileSync(file, original);
    await ctx.commandPalette('View: Close All Editors').catch(() => {});
    // Leave the side bar as the other tests expect it: the Models view with all the room.
    await collapsePane(ctx, 'Agents', true).catch(() => {});
  }
}

/** Lines of `after` that differ from `before` (same line count expected). */
function diffLines(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length !== b.length) return b.filter((l) => !a.includes(l)).concat(['<line count changed>']);
  return b.filter((l, i) => l !== a[i]);
}
