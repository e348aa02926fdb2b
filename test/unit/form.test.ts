import * as assert from 'assert';
import { parseDocument } from 'yaml';
import { addConnection, addModel, applyEdits, EditError, updateConnection, updateModel } from '../../src/core/manifest/edit';
import {
  formFields, initialDraft, planSave, snapshotManifest, targetFromDraft, typedCredential, validateDraft, type ValidationInput,
} from '../../src/core/form/form';
import { secretProblems, type Draft, type FormMode } from '../../src/core/form/formProtocol';
import { analyzeManifest } from '../../src/core/manifest/manifest';
import { example } from './helpers';

const META = { addedBy: 'tester', today: '2026-11-22' };
const MANIFEST = example('agent-connections.yaml');

function analysisOf(text: string) {
  return analyzeManifest(text);
}

/** A form as the editor opens it on MANIFEST, with `fields` typed on top. */
function form(mode: FormMode, target: { model?: string; connection?: string }, fields: Draft['fields'], advanced: Draft['advanced'] = [], text = MANIFEST) {
  const models = analysisOf(text).models;
  const model = models.find((m) => m.name === target.model);
  const connection = model?.connections.find((c) => c.name === target.connection);
  const initial = initialDraft(mode, model, connection);
  const draft: Draft = { fields: { ...initial.fields, ...fields }, advanced };
  const input: ValidationInput = { mode, manifest: snapshotManifest(text), target, draft, initial, meta: META };
  return { input, initial, draft };
}

function validate(mode: FormMode, target: { model?: string; connection?: string }, fields: Draft['fields'], advanced: Draft['advanced'] = []) {
  return validateDraft(form(mode, target, fields, advanced).input);
}

/** The problems the file itself shows once the draft is written with the edit module: the form must say the same. */
function fileMessages(mode: FormMode, target: { model?: string; connection?: string }, fields: Draft['fields'], advanced: Draft['advanced'] = []): string[] {
  const { draft, initial } = form(mode, target, fields, advanced);
  const plan = planSave(mode, draft, initial, target, META);
  let text: string;
  try {
    let edits;
    switch (plan.kind) {
      case 'addModel': edits = addModel(MANIFEST, plan.model, [plan.connection]); break;
      case 'addConnection': edits = addConnection(MANIFEST, plan.model, plan.connection); break;
      case 'updateModel': edits = updateModel(MANIFEST, plan.model, plan.changes); break;
      case 'updateConnection': edits = updateConnection(MANIFEST, { model: plan.model, connection: plan.connection }, plan.changes); break;
    }
    text = applyEdits(MANIFEST, edits);
  } catch (err) {
    // The edit module refuses duplicate names: write the duplicate by hand, as a person could.
    assert.ok(err instanceof EditError, String(err));
    const doc = parseDocument(MANIFEST);
    if (plan.kind === 'addModel') doc.addIn(['models'], doc.createNode({ ...plan.model, connections: [plan.connection] }));
    else if (plan.kind === 'addConnection') {
      const mi = analysisOf(MANIFEST).models.findIndex((m) => m.name === plan.model);
      doc.addIn(['models', mi, 'connections'], doc.createNode(plan.connection));
    } else throw err;
    text = String(doc);
  }
  const before = new Set(analysisOf(MANIFEST).problems.map((p) => p.message));
  return analysisOf(text).problems.map((p) => p.message.replace(/\s*\(line \d+\)/g, '')).filter((m) => !before.has(m));
}

const AZURE: Draft['fields'] = {
  integration: 'easy', provider: 'azure-openai', modelName: 'azure-gpt-41', model: 'gpt-4.1', connectionName: 'team', deployment: 'gpt-41-prod',
  endpoint: 'https://contoso.openai.azure.com', apiVersion: '2024-10-21',
};
const BEDROCK: Draft['fields'] = {
  integration: 'easy', provider: 'amazon-bedrock', modelName: 'opus', model: 'us.anthropic.claude-opus-4-1-20250805-v1:0', connectionName: 'team', region: 'us-east-1',
};
const GENERIC: Draft['fields'] = {
  integration: 'api', provider: 'generic', modelName: 'groq-llama', model: 'llama-3.1-8b-instant', connectionName: 'team', baseUrl: 'https://api.groq.com/openai/v1', apiFormat: 'openai', authMode: 'bearer', authHeader: '',
};

describe('connection form: fields', () => {
  const labels = (mode: FormMode, provider: Parameters<typeof formFields>[1]) => formFields(mode, provider).map((f) => f.label);

  it('uses the seeds’ property names per provider', () => {
    const azure = labels('addModel', 'azure-openai');
    for (const l of ['Name', 'Location', 'Model Provider', 'Description', 'Model', 'Deployment Name', 'Azure Endpoint', 'OpenAI API Version', 'API Key']) assert.ok(azure.includes(l), `Azure: ${l}`);
    const bedrock = labels('addConnection', 'amazon-bedrock');
    for (const l of ['Name', 'Description', 'Region', 'Access Key', 'Secret Key']) assert.ok(bedrock.includes(l), `Bedrock: ${l}`);
    assert.ok(!bedrock.includes('API Key') && !bedrock.includes('Model'), 'a connection form has only the connection’s fields');
    assert.ok(labels('addConnection', 'google-gemini').includes('API Version'));
    const generic = labels('addConnection', 'generic');
    for (const l of ['Model API Format', 'Base URL', 'API Key', 'Advanced Properties']) assert.ok(generic.includes(l), `Generic: ${l}`);
    assert.deepStrictEqual(labels('addConnection', 'openai'), ['Name', 'Description', 'Enabled for inference', 'API Key']);
  });

  it('shows exactly the fields of that provider, read-only where the file says so', () => {
    const conn = formFields('editConnection', 'azure-openai');
    assert.strictEqual(conn.find((f) => f.id === 'connectionName')?.readOnly, true, 'the connection name is read-only once saved');
    assert.ok(!conn.some((f) => f.id === 'region' || f.id === 'baseUrl'));
    assert.strictEqual(formFields('editModel', 'openai').find((f) => f.id === 'provider')?.readOnly, true);
    assert.ok(!formFields('editModel', 'openai').some((f) => f.section === 'credentials' || f.section === 'connection'));
    const model = formFields('addModel', 'google-gemini').find((f) => f.id === 'model');
    assert.deepStrictEqual(model?.options?.map((o) => o.value), ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-flash-preview', 'gemini-3.1-pro-preview']);
    assert.ok(formFields('addModel', 'amazon-bedrock').find((f) => f.id === 'region')?.options?.some((o) => o.value === 'eu-central-1'));
  });

  it('presets the Gemini API version from the model', () => {
    const models = analysisOf(MANIFEST).models;
    const gemini = models.find((m) => m.provider === 'google-gemini')!;
    assert.strictEqual(initialDraft('addConnection', gemini).fields.apiVersion, gemini.model?.includes('preview') ? 'v1beta' : 'v1');
  });
});

describe('connection form: validation with the file’s schema and rules', () => {
  it('a complete Azure OpenAI draft is valid', () => {
    const r = validate('addModel', {}, AZURE);
    assert.deepStrictEqual(r.errors, {});
    assert.strictEqual(r.canSave, true);
  });

  it('puts each problem on its field, with the message the file shows', () => {
    const cases: Array<[string, FormMode, { model?: string; connection?: string }, Draft['fields'], string, Draft['advanced']?]> = [
      ['Azure endpoint with a query', 'addModel', {}, { ...AZURE, endpoint: 'https://contoso.openai.azure.com/?api-version=1' }, 'endpoint'],
      ['Azure endpoint with user info', 'addModel', {}, { ...AZURE, endpoint: 'https://me:pw@contoso.openai.azure.com' }, 'endpoint'],
      ['Azure deployment with a space', 'addModel', {}, { ...AZURE, deployment: 'my deployment' }, 'deployment'],
      ['duplicate model name', 'addModel', {}, { ...AZURE, modelName: 'gpt-4o' }, 'modelName'],
      ['model name with a slash', 'addModel', {}, { ...AZURE, modelName: 'a/b' }, 'modelName'],
      ['Bedrock region outside the prefix geography', 'addModel', {}, { ...BEDROCK, region: 'eu-west-1' }, 'region'],
      ['Bedrock region shape', 'addModel', {}, { ...BEDROCK, region: 'useast1' }, 'region'],
      ['Bedrock model ID shape', 'addModel', {}, { ...BEDROCK, model: 'Claude Opus' }, 'model'],
      ['generic base URL with a fragment', 'addModel', {}, { ...GENERIC, baseUrl: 'https://api.groq.com/openai/v1#x' }, 'baseUrl'],
      ['Gemini preview model on v1', 'editConnection', { model: 'gemini-pro', connection: 'research' }, { apiVersion: 'v1' }, 'apiVersion'],
      ['duplicate connection name', 'addConnection', { model: 'gpt-4o' }, { connectionName: 'prod-key-1' }, 'connectionName'],
    ];
    for (const [what, mode, target, fields, field] of cases) {
      const r = validate(mode, target, fields);
      assert.ok(r.errors[field], `${what}: no error on ${field} (${JSON.stringify(r)})`);
      assert.strictEqual(r.canSave, false, what);
      assert.ok(fileMessages(mode, target, fields).includes(r.errors[field]), `${what}: “${r.errors[field]}” is not what the file says: ${JSON.stringify(fileMessages(mode, target, fields))}`);
    }
  });

  it('hostile text typed or pasted into the form (a hidden character in a URL, a lookalike name, a control character in a header) is an error on its field, as the file says', () => {
    const cases: Array<[string, FormMode, { model?: string; connection?: string }, Draft['fields'], string, RegExp, Draft['advanced']?]> = [
      ['generic base URL with a zero-width space in the host', 'addModel', {}, { ...GENERIC, baseUrl: 'https://api.groq.com\u200b.evil.example/openai/v1' }, 'baseUrl', /^`baseUrl` contains a zero-width space \(U\+200B\) at character 21[^]*it would go to api\.groq\.com\.evil\.example/],
      ['Azure endpoint with a percent-encoded host', 'addModel', {}, { ...AZURE, endpoint: 'https://contoso%2eevil.example' }, 'endpoint', /^`endpoint` has a percent-encoded host/],
      ['connection name with a Cyrillic letter', 'addConnection', { model: 'gpt-4o' }, { connectionName: 'prod-kеy-1' }, 'connectionName', /connection name `prod-kеy-1` mixes Latin and Cyrillic letters/],
      ['model name with a Greek letter', 'addModel', {}, { ...AZURE, modelName: 'azure-gpt-4\u03bf' }, 'modelName', /model name `azure-gpt-4ο` mixes Latin and Greek letters/],
    ];
    for (const [what, mode, target, fields, field, message] of cases) {
      const r = validate(mode, target, fields);
      assert.match(r.errors[field] ?? '', message, `${what}: ${JSON.stringify(r)}`);
      assert.strictEqual(r.canSave, false, what);
      assert.ok(fileMessages(mode, target, fields).includes(r.errors[field]), `${what}: “${r.errors[field]}” is not what the file says`);
    }
    const header = validate('addModel', {}, GENERIC, [{ kind: 'header', name: 'X-Title', value: 'agents\u001b[2J' }]);
    assert.match(header.errors['advanced.0.value'] ?? '', /header `X-Title` contains a control character \(U\+001B\) at character 7/, JSON.stringify(header));
    assert.strictEqual(header.canSave, false);
  });

  it('reports a missing required setting on its field', () => {
    const r = validate('addModel', {}, { ...AZURE, deployment: '' });
    assert.match(r.errors.deployment, /is missing `deployment`/);
    assert.match(validate('addModel', {}, { ...BEDROCK, region: '' }).errors.region, /is missing `region`/);
    assert.match(validate('addModel', {}, { ...GENERIC, baseUrl: '' }).errors.baseUrl, /is missing `baseUrl`/);
  });

  it('keeps warnings apart from errors: a warning does not block Save', () => {
    const r = validate('addModel', {}, { ...AZURE, endpoint: 'https://gateway.example.com' });
    assert.match(r.warnings.endpoint, /not an Azure OpenAI host/);
    assert.strictEqual(r.canSave, true);
  });

  it('checks Advanced Properties row by row: Host and credential headers are refused with a reason', () => {
    const rows: Draft['advanced'] = [
      { kind: 'header', name: 'X-Title', value: 'agents' },
      { kind: 'header', name: 'Host', value: 'evil.example' },
      { kind: 'header', name: 'Authorization', value: 'Bearer abc' },
      { kind: 'property', name: 'timeout', value: '30' },
      { kind: 'header', name: 'X-Title', value: 'again' },
      { kind: 'header', name: 'bad name', value: 'v' },
    ];
    const r = validate('addModel', {}, GENERIC, rows);
    assert.ok(!('advanced.0.name' in r.errors) || /twice/.test(r.errors['advanced.0.name']), JSON.stringify(r.errors));
    assert.match(r.errors['advanced.1.name'], /Host.*cannot be set.*baseUrl|Host header cannot be set/);
    assert.match(r.errors['advanced.2.name'], /cannot be set here: credentials live in SecretStorage/);
    assert.ok(!('advanced.3.name' in r.errors) && !('advanced.3.value' in r.errors));
    assert.match(r.errors['advanced.4.name'], /listed twice/);
    assert.match(r.errors['advanced.5.name'], /not a valid HTTP header name/);
    assert.strictEqual(r.canSave, false);
    assert.strictEqual(validate('addModel', {}, GENERIC, [{ kind: 'header', name: 'X-Title', value: 'agents' }]).canSave, true);
  });

  it('asks for the header name when the key goes in a named header', () => {
    assert.ok(validate('addModel', {}, { ...GENERIC, authMode: 'header', authHeader: '' }).errors.authHeader);
    assert.deepStrictEqual(validate('addModel', {}, { ...GENERIC, authMode: 'header', authHeader: 'api-key' }).errors, {});
  });

  it('checks typed keys without echoing them', () => {
    const { input } = form('addModel', {}, AZURE);
    const r = validateDraft({ ...input, secret: { apiKey: 'sk-secret\nmore' } });
    assert.match(r.errors.apiKey, /line break/);
    assert.ok(!JSON.stringify(r).includes('sk-secret'));
    const b = form('addModel', {}, BEDROCK).input;
    assert.match(validateDraft({ ...b, secret: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } }).errors.secretAccessKey, /secret access key/);
    assert.strictEqual(validateDraft({ ...b, secret: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }).canSave, true);
    // The Bedrock kind is a choice: a Bedrock API key alone saves, with the access keys it is refused.
    assert.ok(formFields('addModel', 'amazon-bedrock').some((f) => f.id === 'bedrockApiKey' && f.control === 'password' && f.section === 'credentials'));
    assert.strictEqual(validateDraft({ ...b, secret: { bedrockApiKey: 'bedrock-api-key-test-form-0007' } }).canSave, true);
    const both = validateDraft({ ...b, secret: { bedrockApiKey: 'bedrock-api-key-test-form-0007', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } });
    assert.match(both.errors.bedrockApiKey, /either the access key pair or a Bedrock API key/);
    assert.strictEqual(both.canSave, false);
    // An AWS profile: a plain text field (a name, not a secret); alone it saves, with keys it is refused.
    assert.ok(formFields('addModel', 'amazon-bedrock').some((f) => f.id === 'awsProfile' && f.control === 'text' && f.section === 'credentials'));
    assert.strictEqual(validateDraft({ ...b, secret: { awsProfile: 'team-sso' } }).canSave, true);
    const profileAndKey = validateDraft({ ...b, secret: { awsProfile: 'team-sso', bedrockApiKey: 'bedrock-api-key-test-form-0007' } });
    assert.match(profileAndKey.errors.awsProfile, /one kind of credential/);
    assert.strictEqual(profileAndKey.canSave, false);
  });

  it('refuses to edit a manifest with YAML errors, and a target that is gone', () => {
    const broken = 'version: 1\nmodels:\n  - name: [unclosed\n';
    const r = validateDraft({ ...form('addModel', {}, AZURE).input, manifest: snapshotManifest(broken) });
    assert.strictEqual(r.canSave, false);
    assert.match(r.general[0].text, /YAML errors/);
    const gone = validate('editConnection', { model: 'gpt-4o', connection: 'prod-key-1' }, {});
    assert.strictEqual(gone.canSave, true);
    const { input } = form('editConnection', { model: 'gpt-4o', connection: 'prod-key-1' }, {});
    const missing = validateDraft({ ...input, target: { model: 'gpt-4o', connection: 'renamed' } });
    assert.match(missing.general[0].text, /no longer/);
  });

  it('works on a workspace without a manifest yet', () => {
    const r = validateDraft({ ...form('addModel', {}, AZURE).input, manifest: snapshotManifest(undefined) });
    assert.deepStrictEqual(r.errors, {});
    assert.strictEqual(r.canSave, true);
  });
});

describe('connection form: what Save writes', () => {
  it('a new model with its connection, added by and on', () => {
    const { draft, initial } = form('addModel', {}, AZURE);
    const plan = planSave('addModel', draft, initial, {}, META);
    assert.deepStrictEqual(plan, {
      kind: 'addModel',
      model: { name: 'azure-gpt-41', type: 'easy', provider: 'azure-openai', model: 'gpt-4.1', location: 'Default', addedOn: '2026-11-22' },
      connection: { name: 'team', enabled: true, endpoint: 'https://contoso.openai.azure.com', deployment: 'gpt-41-prod', apiVersion: '2024-10-21', addedBy: 'tester', addedOn: '2026-11-22' },
    });
    assert.strictEqual(plan.kind, 'addModel');
    if (plan.kind !== 'addModel') return;
    const text = applyEdits(MANIFEST, addModel(MANIFEST, plan.model, [plan.connection]));
    const added = analysisOf(text).models.find((m) => m.name === 'azure-gpt-41');
    assert.strictEqual(added?.connections[0].settings.endpoint, 'https://contoso.openai.azure.com');
    assert.ok(!/apiKey|sk-/.test(text), 'no key in the manifest');
  });

  it('an edited connection changes only what changed; its added-on date stays', () => {
    const target = { model: 'gemini-pro', connection: 'research' };
    const { draft, initial } = form('editConnection', target, { connectionDescription: 'Research team', enabled: false });
    const plan = planSave('editConnection', draft, initial, target, META);
    assert.deepStrictEqual(plan, { kind: 'updateConnection', model: 'gemini-pro', connection: 'research', changes: { enabled: false, description: 'Research team' } });
    assert.strictEqual(plan.kind, 'updateConnection');
    const edits = updateConnection(MANIFEST, target, plan.kind === 'updateConnection' ? plan.changes : {});
    // Minimal diff: each edit replaces at most one line of the file.
    for (const e of edits) assert.ok(!MANIFEST.slice(e.start, e.end).includes('\n'), JSON.stringify(e));
    const after = applyEdits(MANIFEST, edits);
    assert.strictEqual(after.split('\n').length, MANIFEST.split('\n').length + 1, 'one line added (description), the rest kept');
    assert.match(after, /- name: research\n\s+enabled: false\n/);
  });

  it('an edited model moves its added-on date; an unchanged one writes nothing', () => {
    const target = { model: 'gpt-4o' };
    const edited = form('editModel', target, { modelDescription: 'Triage' });
    assert.deepStrictEqual(planSave('editModel', edited.draft, edited.initial, target, META), { kind: 'updateModel', model: 'gpt-4o', changes: { description: 'Triage', addedOn: '2026-11-22' } });
    const same = form('editModel', target, {});
    assert.deepStrictEqual(planSave('editModel', same.draft, same.initial, target, META), { kind: 'updateModel', model: 'gpt-4o', changes: {} });
  });

  it('generic authentication and Advanced Properties become authHeader and advancedProperties', () => {
    const rows: Draft['advanced'] = [{ kind: 'header', name: 'X-Title', value: 'agents' }, { kind: 'property', name: 'organization', value: 'acme' }];
    const { draft, initial } = form('addModel', {}, { ...GENERIC, authMode: 'header', authHeader: 'api-key' }, rows);
    const plan = planSave('addModel', draft, initial, {}, META);
    assert.deepStrictEqual((plan as { connection: Record<string, unknown> }).connection.advancedProperties, { headers: { 'X-Title': 'agents' }, organization: 'acme' });
    assert.strictEqual((plan as { connection: Record<string, unknown> }).connection.authHeader, 'api-key');
    const none = form('addModel', {}, { ...GENERIC, authMode: 'none' });
    assert.strictEqual((planSave('addModel', none.draft, none.initial, {}, META) as { connection: Record<string, unknown> }).connection.authHeader, 'none');
    const target = targetFromDraft(draft);
    assert.deepStrictEqual(target.settings, { baseUrl: 'https://api.groq.com/openai/v1', apiFormat: 'openai', authHeader: 'api-key', advancedProperties: { headers: { 'X-Title': 'agents' }, organization: 'acme' } });
  });

  it('reads the typed credential of each kind', () => {
    assert.deepStrictEqual(typedCredential('openai', { apiKey: 'sk-x' }), { kind: 'apiKey', apiKey: 'sk-x' });
    assert.strictEqual(typedCredential('openai', {}), undefined);
    assert.deepStrictEqual(typedCredential('amazon-bedrock', { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: '' }), { kind: 'aws', accessKeyId: 'AKIA', secretAccessKey: 's' });
    assert.deepStrictEqual(typedCredential('amazon-bedrock', { bedrockApiKey: 'bedrock-api-key-test-form' }), { kind: 'bedrockApiKey', apiKey: 'bedrock-api-key-test-form' });
    assert.strictEqual(typedCredential('openai', { bedrockApiKey: 'bedrock-api-key-test-form' }), undefined, 'only Bedrock reads it');
  });

  it('Azure OpenAI: Sign In With an API key or a Microsoft Entra ID source (stored on this machine, never in the manifest)', () => {
    const fields = formFields('addConnection', 'azure-openai').filter((f) => f.section === 'credentials');
    assert.deepStrictEqual(fields.map((f) => f.id), ['entraSource', 'apiKey', 'entraTenant']);
    assert.deepStrictEqual(fields[0].options?.map((o) => o.value), ['', 'azureCli', 'vscode', 'environment', 'default']);
    assert.deepStrictEqual(fields[1].showWhen, { field: 'entraSource', values: [''] });
    assert.deepStrictEqual(typedCredential('azure-openai', { entraSource: 'azureCli', entraTenant: ' contoso.onmicrosoft.com ' }), { kind: 'entraId', source: 'azureCli', tenantId: 'contoso.onmicrosoft.com' });
    assert.deepStrictEqual(typedCredential('azure-openai', { entraSource: 'environment', entraTenant: 'ignored.example' }), { kind: 'entraId', source: 'environment' });
    assert.deepStrictEqual(typedCredential('azure-openai', { entraSource: '', apiKey: 'sk-test-azure-form' }), { kind: 'apiKey', apiKey: 'sk-test-azure-form' });
    assert.strictEqual(typedCredential('openai', { entraSource: 'azureCli' }), undefined, 'only Azure reads it');
    assert.match(secretProblems('azure-openai', { entraSource: 'azureCli', entraTenant: 'bad tenant/x' }).entraTenant ?? '', /directory ID \(GUID\) or a domain/);
    assert.match(secretProblems('azure-openai', { entraSource: 'nope' }).entraSource ?? '', /Azure CLI, VS Code account/);
    assert.match(secretProblems('openai', { entraSource: 'azureCli' }).entraSource ?? '', /for Azure OpenAI connections/);
    assert.match(secretProblems('azure-openai', { entraSource: 'vscode', apiKey: 'sk-test-x' }).apiKey ?? '', /no API key is needed/);
  });
});
