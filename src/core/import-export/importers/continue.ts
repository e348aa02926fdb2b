/**
 * Continue `config.yaml` (`schema: v1`, and the older `config.json`) → manifest. Each
 * entry of `models:` (and config.json's `tabAutocompleteModel`) is a connection; entries
 * with the same name, provider and model code are one model. `apiBase` makes an
 * OpenAI-compatible server a generic connection (`apiKey: none` or none at all on a local
 * server: `authHeader: none`); the roles are kept in the connection's description.
 * `${{ secrets.X }}` (and `${{ inputs.X }}`) keys are reported as the secret to set, an
 * inline `apiKey` is listed (by connection, with its place in the file) but never
 * written. Hub blocks (`uses:`), completion options and everything else that is
 * Continue's own are warned about.
 */
import type { ProviderId } from '../../providers/catalog';
import type { FieldValue } from '../../manifest/edit';
import { quote } from '../../yaml/text';
import type { PathSegment } from '../../yaml/yamlLoad';
import { cleanModelCode } from './litellm';
import {
  azureEndpoint, classifyKeyValue, cleanBaseUrl, COMPATIBLE_SERVICES, ImportError, isRecord, keepHeaders, lineOf, loadSource, ModelCollector, spanOf, str, withV1,
  type ConnectionSpec, type ImportOptions, type ImportResult, type ImportWarning,
} from './common';

const TEMPLATE = /^\$\{\{\s*(secrets|inputs)\.([A-Za-z0-9_.-]+)\s*\}\}$/;

/** Continue provider ids of OpenAI-compatible services → COMPATIBLE_SERVICES key. */
const COMPATIBLE: Record<string, string> = {
  groq: 'groq', mistral: 'mistral', deepseek: 'deepseek', openrouter: 'openrouter', xAI: 'xai', xai: 'xai',
  together: 'together', fireworks: 'fireworks', deepinfra: 'deepinfra', cerebras: 'cerebras', nvidia: 'nvidia',
  ollama: 'ollama', lmstudio: 'lmstudio', 'llama.cpp': 'llamacpp', llamacpp: 'llamacpp', vllm: 'vllm',
};

const NATIVE: Record<string, ProviderId> = { openai: 'openai', anthropic: 'anthropic', gemini: 'google-gemini', cohere: 'cohere', bedrock: 'amazon-bedrock', azure: 'azure-openai' };

const USED = new Set(['name', 'provider', 'model', 'apiKey', 'apiBase', 'roles', 'env', 'requestOptions']);
const CHAT_ROLES = new Set(['chat', 'edit', 'apply', 'summarize']);
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export function importContinue(text: string, options: ImportOptions = {}): ImportResult {
  const { doc, data, index } = loadSource(text, 'Continue config');
  const warnings: ImportWarning[] = [];
  const warn = (message: string, path?: readonly PathSegment[]) => warnings.push({ message, line: path ? lineOf(doc, index, path) : undefined });

  if (!('models' in data)) throw new ImportError('This is not a Continue config: it has no `models` list.');
  const list = data.models;
  if (!Array.isArray(list)) throw new ImportError('`models` must be a list of models.');

  // The older config.json: the tab-autocomplete model (one or a list) is a model too.
  const entries: Array<{ entry: unknown; at: PathSegment[]; what: string; defaultRoles?: string[] }> = list.map((entry, i) => ({ entry, at: ['models', i], what: `models entry ${i + 1}` }));
  const tab = data.tabAutocompleteModel;
  if (Array.isArray(tab)) tab.forEach((entry, i) => entries.push({ entry, at: ['tabAutocompleteModel', i], what: `tabAutocompleteModel entry ${i + 1}`, defaultRoles: ['autocomplete'] }));
  else if (tab !== undefined && tab !== null) entries.push({ entry: tab, at: ['tabAutocompleteModel'], what: '`tabAutocompleteModel`', defaultRoles: ['autocomplete'] });

  const skippedSections = Object.keys(data).filter((k) => !['models', 'tabAutocompleteModel', 'name', 'version', 'schema'].includes(k));
  if (skippedSections.length > 0) warn(`Not imported (not model connections): ${skippedSections.map((k) => `\`${k}\``).join(', ')}.`);

  const collector = new ModelCollector(warnings, options, 'Continue');
  entries.forEach(({ entry, at, what, defaultRoles }) => {
    const line = lineOf(doc, index, at);
    if (!isRecord(entry)) return warn(`${what} is not a mapping; it was skipped.`, at);
    if (typeof entry.uses === 'string') {
      return warn(`${what} is the hub block ${quote(entry.uses)}; its settings live on the Continue hub, so it was skipped (add the model by hand).`, at);
    }
    let provider = str(entry.provider);
    const modelCode = str(entry.model);
    // config.yaml names a model with `name`, config.json with `title`.
    const name = str(entry.name) ?? str(entry.title) ?? modelCode;
    if (!provider || !modelCode || !name) return warn(`${what} has no \`provider\` and \`model\`; it was skipped.`, at);
    const label = `${quote(name)} (${what})`;
    if (modelCode.trim().toUpperCase() === 'AUTODETECT') return warn(`${label}: \`model: AUTODETECT\` lists the server's models when Continue runs; add each model by name. It was skipped.`, at);

    const roles = Array.isArray(entry.roles) ? entry.roles.filter((r): r is string => typeof r === 'string') : defaultRoles ?? [];
    if (roles.length > 0 && !roles.some((r) => CHAT_ROLES.has(r) || r === 'autocomplete')) {
      return warn(`${label} is used only for ${roles.join(', ')}; connection tests send a chat request, which such models do not answer, so it was skipped.`, at);
    }

    const env = isRecord(entry.env) ? entry.env : {};
    const keys: ConnectionSpec['keys'] = [];
    let saidNone = false;
    /** True when the entry gives a key, or says it needs one (a placeholder); `apiKey: none` (or empty, `dummy` …) says there is none. */
    const keyFrom = (): boolean => {
      const raw = str(entry.apiKey);
      if (raw === undefined) return false;
      const t = TEMPLATE.exec(raw.trim());
      if (t) keys.push({ field: 'apiKey', source: 'secret', variable: t[2], ...(t[1] === 'inputs' ? { note: 'a block input' } : {}) });
      else if (/\$\{\{/.test(raw)) {
        warn(`${label}: the \`apiKey\` template is not a single secret reference; set the key by hand.`, [...at, 'apiKey']);
        return true;
      } else {
        const kind = classifyKeyValue(raw);
        if (kind.kind === 'none') {
          saidNone = true;
          return false;
        }
        if (kind.kind === 'env') keys.push({ field: 'apiKey', source: 'env', variable: kind.variable, note: `written as ${raw.trim()}` });
        else if (kind.kind === 'placeholder') warn(`${label}: \`apiKey\` is a placeholder (${quote(raw.trim().slice(0, 60))}), not a key: store the key for this connection (Set Key…).`, [...at, 'apiKey']);
        else keys.push({ field: 'apiKey', source: 'inline', path: [...at, 'apiKey'], span: spanOf(doc, [...at, 'apiKey']) });
      }
      return true;
    };
    const apiBase = str(entry.apiBase)?.trim();
    if (apiBase && TEMPLATE.test(apiBase)) return warn(`${label}: \`apiBase\` is a template; it was skipped (write the URL in the manifest).`, at);
    const base = { modelName: name, line, keys, ...(roles.length > 0 ? { roles } : {}) };
    // config.json wrote Azure as `provider: openai` with `apiType: azure`.
    const apiTypeField = str(env.apiType) ?? str(entry.apiType);
    if (provider === 'openai' && (apiTypeField === 'azure' || apiTypeField === 'azure-openai')) provider = 'azure';
    let spec: ConnectionSpec | undefined;

    const native = NATIVE[provider];
    if (provider === 'openai' && apiBase && !/^https:\/\/api\.openai\.com(\/v1)?\/?$/.test(apiBase)) {
      const c = cleanBaseUrl(apiBase);
      if (!c.url) return warn(`${label}: the \`apiBase\` cannot be used (${c.problem}); it was skipped.`, at);
      const hasKey = keyFrom();
      spec = { ...base, provider: 'generic', model: modelCode, settings: { baseUrl: c.url, apiFormat: 'openai', ...(hasKey ? {} : { authHeader: 'none' }) } };
      if (!hasKey) warn(`${label}: an OpenAI-compatible server without a key (\`apiKey\` ${saidNone ? `is ${quote(str(entry.apiKey)!.trim())}` : 'not set'}) was imported with \`authHeader: none\`.`, at);
    } else if (native === 'azure-openai') {
      const apiType = apiTypeField;
      if (apiType && apiType !== 'azure-openai' && apiType !== 'azure') return warn(`${label}: Azure \`apiType: ${apiType}\` (Azure AI Foundry) cannot be described in the manifest; it was skipped.`, at);
      // The deployment (config.json: `engine`); `model` is the model it runs.
      const deployment = str(env.deployment) ?? str(entry.deployment) ?? str(entry.engine) ?? modelCode;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(deployment)) return warn(`${label}: ${quote(deployment)} is not an Azure deployment name; it was skipped.`, at);
      if (!apiBase) return warn(`${label}: no \`apiBase\` (the Azure endpoint); it was skipped.`, at);
      const ep = azureEndpoint(apiBase);
      if (!ep.url) return warn(`${label}: the Azure endpoint cannot be used (${ep.problem}); it was skipped.`, at);
      if (ep.droppedPath) warn(`${label}: the path ${quote(ep.droppedPath)} of the Azure endpoint was dropped; requests are built from the deployment and API version.`, at);
      let apiVersion = str(env.apiVersion) ?? str(entry.apiVersion);
      if (!apiVersion || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(apiVersion)) {
        warn(`${label}: ${apiVersion ? `${quote(apiVersion)} is not an API version` : 'no `env.apiVersion`'}; \`2024-10-21\` was written, check it.`, at);
        apiVersion = '2024-10-21';
      }
      keyFrom();
      if (saidNone) warn(`${label}: \`apiKey: ${str(entry.apiKey)!.trim() || "''"}\` is not a key; store the key for this connection (Set Key…).`, [...at, 'apiKey']);
      spec = { ...base, provider: 'azure-openai', model: modelCode, settings: { endpoint: ep.url, deployment, apiVersion } };
    } else if (native === 'amazon-bedrock') {
      let region = str(env.region) ?? str(entry.region);
      if (!region || !REGION.test(region)) {
        warn(`${label}: ${region ? `${quote(region)} is not an AWS region` : 'no `env.region`'}; \`us-east-1\` was written, check it.`, at);
        region = 'us-east-1';
      }
      const profile = str(env.profile) ?? str(entry.profile);
      warn(`${label}: Continue reads Bedrock credentials from the AWS profile ${quote(profile ?? 'bedrock')}: choose it for this connection with Set Key… → AWS Profile (CI: set its …__AWS_PROFILE variable), or store access keys.`, at);
      if (apiBase) warn(`${label}: a custom \`apiBase\` for Bedrock is not kept in the manifest; set it per user with the providerEndpoints setting or the CLI's --endpoint amazon-bedrock=URL.`, at);
      spec = { ...base, provider: 'amazon-bedrock', model: modelCode, settings: { region } };
    } else if (native) {
      keyFrom();
      if (saidNone) warn(`${label}: \`apiKey: ${str(entry.apiKey)!.trim() || "''"}\` is not a key; store the key for this connection (Set Key…).`, [...at, 'apiKey']);
      if (apiBase) warn(`${label}: a custom \`apiBase\` for ${native} is not kept in the manifest (built-in providers use their official origin); set it per user with the providerEndpoints setting or the CLI's --endpoint ${native}=URL.`, at);
      spec = { ...base, provider: native, model: modelCode, settings: {} };
    } else if (COMPATIBLE[provider]) {
      const service = COMPATIBLE_SERVICES[COMPATIBLE[provider]];
      let baseUrl = apiBase ?? service.baseUrl;
      if (!baseUrl) return warn(`${label}: ${service.label} needs an \`apiBase\`; it was skipped.`, at);
      if (service.rootUrl) baseUrl = withV1(baseUrl.replace(/\/+$/, ''));
      const c = cleanBaseUrl(baseUrl);
      if (!c.url) return warn(`${label}: the \`apiBase\` cannot be used (${c.problem}); it was skipped.`, at);
      const hasKey = keyFrom();
      // A hosted service always needs a key: an empty `apiKey` there only means the file does not hold it.
      const hosted = !service.local && service.baseUrl !== undefined;
      if (saidNone && hosted) warn(`${label}: \`apiKey: ${str(entry.apiKey)!.trim() || "''"}\` is not a key, and ${service.label} needs one: store the key for this connection (Set Key…).`, [...at, 'apiKey']);
      spec = { ...base, provider: 'generic', model: modelCode, settings: { baseUrl: c.url, apiFormat: 'openai', ...(!hasKey && (service.local || (saidNone && !hosted)) ? { authHeader: 'none' } : {}) } };
    } else {
      return warn(`${label}: the Continue provider ${quote(provider)} cannot be described in the manifest; it was skipped.`, at);
    }

    const ro = isRecord(entry.requestOptions) ? entry.requestOptions : undefined;
    if (ro) {
      if (ro.headers !== undefined) {
        if (spec.provider === 'generic') {
          const headers = keepHeaders(ro.headers, (m) => warn(`${label}: ${m}`, [...at, 'requestOptions', 'headers']));
          if (headers) spec.settings.advancedProperties = { headers } as Record<string, FieldValue>;
        } else warn(`${label}: custom headers are kept only for generic connections; they were not imported.`, [...at, 'requestOptions', 'headers']);
      }
      const other = Object.keys(ro).filter((k) => k !== 'headers');
      if (other.length > 0) warn(`${label}: \`requestOptions\` not imported: ${other.map((k) => `\`${k}\``).join(', ')} (proxy and TLS settings are the editor's own).`, [...at, 'requestOptions']);
    }
    const envIgnored = Object.keys(env).filter((k) => !['deployment', 'apiVersion', 'apiType', 'region', 'profile'].includes(k));
    if (envIgnored.length > 0) warn(`${label}: \`env\` fields not imported: ${envIgnored.map((k) => `\`${k}\``).join(', ')}.`, [...at, 'env']);
    const ignored = Object.keys(entry).filter((k) => !USED.has(k) && !['title', 'engine', 'deployment', 'apiVersion', 'apiType', 'region', 'profile'].includes(k));
    if (ignored.length > 0) warn(`${label}: not imported (Continue's own settings): ${ignored.map((k) => `\`${k}\``).join(', ')}.`, at);

    const model = cleanModelCode(spec.model);
    if (!model) return warn(`${label}: the model code is empty; it was skipped.`, at);
    spec.model = model;
    collector.add(spec);
  });

  if (entries.length > 0 && collector.size === 0) warnings.push({ message: 'No model could be imported: see the warnings above.' });
  collector.entries = entries.length;
  return collector.build([
    `Imported from the Continue config ${options.sourceName ?? ''} by agent-connections.`.replace('  ', ' '),
    'No key is written here: each teammate stores keys in VS Code SecretStorage (Set Key…);',
    'CI reads them from AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY variables.',
  ]);
}
