// UI test of "Open Terminal with Connection…" in the packaged extension (run by
// `node scripts/vscode-test.mjs ui terminal`): a key is stored for gpt-4o/prod-key-1
// (Set Key…, bound to OpenAI's origin, where the manifest sends it: no modal, and
// nothing is sent anywhere), the supervisor `triage` uses it; its context menu in the
// Agents view opens a terminal named after it, and `env | grep … | cut -d= -f1` there
// prints the variables' names, never the key. Screenshot: docs/images/terminal-connection.png.
import { collapsePane, description, expand, findChildRow, removeKeyAfterwards, rowAt, viewPane, widen } from './lib.mjs';

const MODEL = 'gpt-4o';
const CONNECTION = 'prod-key-1';
const SUPERVISOR = 'triage';
const KEY = 'sk-test-CANARY-ui-terminal-3e9a71c0';
const PROBE = "env | grep -E '^(OPENAI|AGENT_CONNECTION)' | cut -d= -f1";
const EXPECTED = ['AGENT_CONNECTION', 'AGENT_CONNECTION_PROVIDER', 'AGENT_CONNECTION_MODEL', 'OPENAI_API_KEY'];

export default async function terminalTest(ctx) {
  const { page, log, waitFor, assert } = ctx;
  const sidebar = page.locator('.part.sidebar');
  const models = viewPane(page, 'Models');
  const agents = viewPane(page, 'Agents');
  const panel = page.locator('.part.panel');
  const connectionRow = async () => {
    await expand(rowAt(models, MODEL, 1));
    return findChildRow(models, Number(await rowAt(models, MODEL, 1).getAttribute('data-index')), 2, CONNECTION);
  };
  let stored = false;
  // The harness starts code-server with the DOM renderer (terminal.integrated.gpuAcceleration: off),
  // so the terminal's text can be read from the page.
  try {
    await ctx.commandPalette('Agent Connections: Focus on Models View');
    await widen(page, sidebar, 470);
    await rowAt(models, MODEL, 1).waitFor({ state: 'visible', timeout: 30_000 });

    // Set Key… on the connection (bound to the origin the manifest sends it to).
    const input = page.locator('.quick-input-widget input[type="password"]');
    await (await connectionRow()).click({ button: 'right' });
    await ctx.clickMenuItem('Set Key…');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(KEY);
    await page.keyboard.press('Enter');
    await waitFor(async () => /key stored/.test(await description(await connectionRow())), { timeout: 15_000, message: 'the row shows "key stored"' });
    stored = true;
    await collapsePane(ctx, 'Models', true);

    // The Agents view: Open Terminal with Connection… on the supervisor.
    await ctx.commandPalette('Agent Connections: Focus on Agents View');
    await collapsePane(ctx, 'Agents', false);
    const supervisorRow = rowAt(agents, SUPERVISOR, 1);
    await supervisorRow.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await description(supervisorRow), `${MODEL}/${CONNECTION}`);
    await supervisorRow.click({ button: 'right' });
    await ctx.clickMenuItem('Open Terminal with Connection…');
    const name = `Agent: ${SUPERVISOR} (${MODEL}/${CONNECTION})`;
    await panel.getByText(name).first().waitFor({ state: 'visible', timeout: 20_000 });
    log(`terminal "${name}" opened`);

    // The shell prints the names of the variables, not their values.
    const rows = panel.locator('.xterm-rows').first();
    await rows.waitFor({ state: 'visible', timeout: 20_000 });
    await waitFor(async () => /[$#>] ?$/m.test((await rows.innerText()).trimEnd()), { timeout: 20_000, message: 'the shell prompt' });
    await panel.locator('.xterm').first().click();
    await page.keyboard.type(PROBE);
    await page.keyboard.press('Enter');
    const text = await waitFor(async () => {
      const t = await rows.innerText();
      return EXPECTED.every((n) => new RegExp(`^${n}\\s*$`, 'm').test(t)) ? t : undefined;
    }, { timeout: 20_000, message: `the terminal prints ${EXPECTED.join(', ')}` });
    log(`terminal output:\n${text.trim()}`);
    assert.ok(!text.includes(KEY), 'the terminal shows the key');
    assert.ok(!(await panel.innerText()).includes(KEY), 'the panel shows the key');

    // Screenshot: the Agents view, and the terminal named after the supervisor with the names.
    await supervisorRow.click();
    await page.mouse.move(250, 600);
    await ctx.screenshot('terminal-connection');
  } finally {
    await page.keyboard.press('Escape').catch(() => {});
    await ctx.commandPalette('Terminal: Kill All Terminals').catch((err) => log(`could not close the terminals: ${err.message}`));
    await collapsePane(ctx, 'Models', false).catch(() => {});
    await collapsePane(ctx, 'Agents', true).catch(() => {});
    // Leave no key behind for the other UI tests.
    if (stored) {
      await removeKeyAfterwards(ctx, connectionRow, 'terminal');
    }
  }
}
