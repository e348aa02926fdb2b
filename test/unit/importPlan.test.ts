/**
 * Import into an existing manifest: models are appended with a minimal edit (the
 * original text is a prefix-and-suffix of the result), names already taken are skipped
 * (same provider and model code) or renamed, keys follow the renames, the summary says
 * all of it and never contains a key.
 */
import * as assert from 'assert';
import { applyEdits } from '../../src/core/manifest/edit';
import { importContinue } from '../../src/core/import-export/importers/continue';
import { importLiteLLM } from '../../src/core/import-export/importers/litellm';
import { inlineKeyValue } from '../../src/core/import-export/importers/common';
import { importSummary, inlineKeyGroups, lineOfOffset, minimalEdit, planImport } from '../../src/core/import-export/importPlan';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { example, fixture } from './helpers';

const TODAY = '2026-12-03';
const manifest = example('agent-connections.yaml');
const litellmText = fixture('import', 'litellm-config.yaml');
const litellm = importLiteLLM(litellmText, { today: TODAY, addedBy: 'tester', sourceName: 'config.yaml' });

describe('import into an existing manifest', () => {
  it('appends the models, keeps every original line, and the result validates', () => {
    const plan = planImport(manifest, litellm);
    assert.ok(plan.text.startsWith(manifest.trimEnd()), 'the original text is kept as it was');
    const analysis = analyzeManifest(plan.text);
    assert.strictEqual(analysis.errorCount, 0, JSON.stringify(analysis.problems.filter((p) => p.severity === 'error'), null, 2));
    const names = analysis.models.map((m) => m.name);
    for (const m of plan.added) assert.ok(names.includes(m.name), m.name);
    assert.strictEqual(new Set(names).size, names.length, 'model names stay unique');
  });

  it('skips a model already there with the same provider and model code', () => {
    const plan = planImport(manifest, litellm);
    // The example has gpt-4o (OpenAI gpt-4o), command-r (Cohere command-r-08-2024) and gemini-flash, as the LiteLLM file does.
    assert.deepStrictEqual(plan.skipped.map((s) => s.name).sort(), ['command-r', 'gemini-flash', 'gpt-4o']);
    assert.match(plan.skipped[0].reason, /same provider and model code/);
    assert.ok(!plan.added.some((m) => m.name === 'gpt-4o' || m.name === 'command-r'));
    assert.ok(!plan.keysToStore.some((k) => k.model === 'gpt-4o'), 'keys of skipped models are not offered');
  });

  it('renames a model whose name is taken by a different one, and its keys follow', () => {
    const other = manifest.replace('  - name: claude\n', '  - name: claude-sonnet\n');
    const plan = planImport(other, litellm);
    const renamed = plan.added.find((m) => m.renamedFrom === 'claude-sonnet');
    assert.ok(renamed, JSON.stringify(plan.added));
    assert.strictEqual(renamed.name, 'claude-sonnet-imported');
    const key = plan.keysToStore.find((k) => k.source === 'inline');
    assert.strictEqual(key?.model, 'claude-sonnet-imported');
    assert.strictEqual(key?.cliVariable, 'AGENT_CONNECTIONS__CLAUDE_SONNET_IMPORTED__DEFAULT__API_KEY');
    // A second import renames again without clashing.
    const twice = planImport(planImport(plan.text, litellm).text, litellm);
    assert.strictEqual(analyzeManifest(twice.text).errorCount, 0);
    assert.deepStrictEqual(twice.added, [], 'everything is already there the third time');
    assert.ok(twice.skipped.some((x) => /as “claude-sonnet-imported”|as "claude-sonnet-imported"|as .claude-sonnet-imported./.test(x.reason)), JSON.stringify(twice.skipped));
  });

  it('writes the whole imported manifest when there is none yet', () => {
    const plan = planImport(undefined, litellm);
    assert.strictEqual(plan.text, litellm.manifest);
    assert.strictEqual(plan.added.length, litellm.models.length);
    assert.strictEqual(planImport('  \n', litellm).text, litellm.manifest);
  });

  it('refuses a manifest with YAML errors', () => {
    assert.throws(() => planImport('version: 1\nmodels: [\n', litellm), /YAML errors.*Nothing was imported/);
  });

  it('one minimal edit: the changed middle only', () => {
    const plan = planImport(manifest, litellm);
    const edits = minimalEdit(manifest, plan.text);
    assert.strictEqual(edits.length, 1);
    assert.strictEqual(applyEdits(manifest, edits), plan.text);
    assert.ok(edits[0].start >= manifest.trimEnd().length - 1, 'the edit starts at the end of the original models');
    assert.deepStrictEqual(minimalEdit('abc', 'abc'), []);
    assert.deepStrictEqual(minimalEdit('a\nc\n', 'a\nb\nc\n'), [{ start: 2, end: 2, newText: 'b\n' }]);
  });

  it('groups inline keys by connection; the value is read from the source only on request', () => {
    const plan = planImport(manifest, litellm);
    const groups = inlineKeyGroups(plan);
    assert.deepStrictEqual(groups.map((g) => [g.model, g.connection, g.complete]), [['claude-sonnet', 'default', true]]);
    const value = inlineKeyValue(litellmText, groups[0].keys[0]);
    assert.ok(value?.startsWith('sk-test-'), 'the fixture key is a fake');
    assert.ok(!plan.text.includes(value!), 'the key is not in the manifest');
  });

  it('the summary lists added, skipped, warnings and keys, never a key', () => {
    const plan = planImport(manifest, litellm);
    const lines = importSummary(plan, litellm, 'config.yaml', litellmText, 'agent-connections.yaml');
    const all = lines.join('\n');
    assert.match(lines[0], /^Imported 9 models with 10 connections from config\.yaml into agent-connections\.yaml\.$/);
    assert.match(all, /skipped gpt-4o: already in the manifest/);
    assert.match(all, /warnings? \(what did not map\)/);
    assert.match(all, /claude-sonnet\/default\n {4}apiKey: written inline in config\.yaml \(line \d+\)/);
    assert.match(all, /from the environment variable OPENAI_API_KEY|from the environment variable AZURE_EASTUS_API_KEY/);
    const secret = inlineKeyValue(litellmText, inlineKeyGroups(plan)[0].keys[0])!;
    assert.ok(!all.includes(secret), 'the summary contains the inline key');
  });

  it('works for Continue files too', () => {
    const text = fixture('import', 'continue-config.yaml');
    const result = importContinue(text, { today: TODAY });
    const plan = planImport(manifest, result);
    assert.strictEqual(analyzeManifest(plan.text).errorCount, 0);
    assert.deepStrictEqual(inlineKeyGroups(plan).map((g) => g.model), ['Claude Sonnet 4.5']);
    assert.strictEqual(lineOfOffset('a\nb\nc', 4), 3);
  });
});
