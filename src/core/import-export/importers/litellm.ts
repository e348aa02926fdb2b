/**
 * LiteLLM proxy `config.yaml` → manifest. Each `model_list` entry becomes a connection:
 * the provider comes from the model prefix (`azure/`, `bedrock/`, `gemini/` …), entries
 * sharing a `model_name` (LiteLLM load-balances across them) become connections of one
 * model, and `litellm_credential_name` is resolved against `credential_list`.
 *
 * Keys: `os.environ/X` is reported as the variable to set, a missing `api_key` as the
 * variable LiteLLM would read by default, and an inline key is listed (by connection,
 * with its place in the file) but never written. Everything that does not map — router
 * and proxy settings, rate limits, Vertex AI, AWS profiles … — is warned about.
 */
import { BEDROCK_PREFIX_REGIONS, isBedrockModelIdShape, splitBedrockModelId, type ProviderId } from '../../providers/catalog';
import type { FieldValue } from '../../manifest/edit';
import { quote } from '../../yaml/text';
import type { PathSegment } from '../../yaml/yamlLoad';
import {
  azureEndpoint, classifyKeyValue, cleanBaseUrl, COMPATIBLE_SERVICES, ImportError, isRecord, keepHeaders, lineOf, loadSource, ModelCollector, nonChatKind, spanOf, str, unusedKeys, withV1,
  type ConnectionSpec, type ImportOptions, type ImportResult, type ImportWarning, type KeyField, type KeyToStore,
} from './common';

const ENV_REF = /^os\.environ\/(.+)$/;
/** `model_info.mode` values of models that answer a chat request (LiteLLM's default mode is chat). */
const CHAT_MODES = new Set(['chat', 'completion', 'responses']);
/** Model codes of OpenAI models, which Azure deployments are often named after. */
const OPENAI_MODEL_CODE = /^(gpt-|o\d|chatgpt-|text-embedding-|dall-e|whisper|tts-|codex-|computer-use)/i;

/** LiteLLM prefixes of OpenAI-compatible services, → COMPATIBLE_SERVICES key and LiteLLM's default key variable. */
const COMPATIBLE_PREFIXES: Record<string, { service: string; env?: string }> = {
  groq: { service: 'groq', env: 'GROQ_API_KEY' },
  mistral: { service: 'mistral', env: 'MISTRAL_API_KEY' },
  codestral: { service: 'codestral', env: 'CODESTRAL_API_KEY' },
  deepseek: { service: 'deepseek', env: 'DEEPSEEK_API_KEY' },
  openrouter: { service: 'openrouter', env: 'OPENROUTER_API_KEY' },
  together_ai: { service: 'together', env: 'TOGETHERAI_API_KEY' },
  fireworks_ai: { service: 'fireworks', env: 'FIREWORKS_AI_API_KEY' },
  xai: { service: 'xai', env: 'XAI_API_KEY' },
  perplexity: { service: 'perplexity', env: 'PERPLEXITYAI_API_KEY' },
  deepinfra: { service: 'deepinfra', env: 'DEEPINFRA_API_KEY' },
  cerebras: { service: 'cerebras', env: 'CEREBRAS_API_KEY' },
  nvidia_nim: { service: 'nvidia', env: 'NVIDIA_NIM_API_KEY' },
  ollama: { service: 'ollama' },
  ollama_chat: { service: 'ollama' },
  lm_studio: { service: 'lmstudio' },
  hosted_vllm: { service: 'vllm' },
  litellm_proxy: { service: 'litellm', env: 'LITELLM_PROXY_API_KEY' },
};

/** Providers LiteLLM supports that a manifest cannot express. */
const UNSUPPORTED: Record<string, string> = {
  vertex_ai: 'Vertex AI (Google Cloud credentials)',
  vertex_ai_beta: 'Vertex AI (Google Cloud credentials)',
  azure_ai: 'Azure AI Foundry serverless endpoints',
  sagemaker: 'Amazon SageMaker',
  sagemaker_chat: 'Amazon SageMaker',
  huggingface: 'Hugging Face inference',
  replicate: 'Replicate',
  watsonx: 'IBM watsonx',
  databricks: 'Databricks',
  'text-completion-openai': 'OpenAI text completion models',
  'text-completion-codestral': 'Codestral text completion',
  predibase: 'Predibase',
  cloudflare: 'Cloudflare Workers AI',
  snowflake: 'Snowflake Cortex',
};

/** Default key variables LiteLLM reads when `api_key` is not given. */
const DEFAULT_KEY_ENV: Partial<Record<ProviderId, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'google-gemini': 'GEMINI_API_KEY',
  cohere: 'COHERE_API_KEY',
  'azure-openai': 'AZURE_API_KEY',
};

/** Parameters that are LiteLLM's own (routing, limits, request defaults): reported, never imported. */
const USED_PARAMS = new Set(['model', 'base_model', 'api_key', 'api_base', 'base_url', 'api_version', 'litellm_credential_name', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_region_name', 'extra_headers', 'headers']);

const BEDROCK_PLACEHOLDER_REGION: Record<string, string> = { eu: 'eu-central-1', apac: 'ap-northeast-1', jp: 'ap-northeast-1', au: 'ap-southeast-2', ca: 'ca-central-1', 'us-gov': 'us-gov-west-1' };
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const AZURE_DEPLOYMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const AZURE_API_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Param {
  value: unknown;
  /** Where it is written: in the entry's litellm_params or in a credential_list entry. */
  path: PathSegment[];
}

export function importLiteLLM(text: string, options: ImportOptions = {}): ImportResult {
  const { doc, data, index, notes } = loadSource(text, 'LiteLLM config', { laterKeyWins: 'LiteLLM' });
  const warnings: ImportWarning[] = [...notes];
  const warn = (message: string, path?: readonly PathSegment[]) => warnings.push({ message, line: path ? lineOf(doc, index, path) : undefined });
  const env = options.env ?? {};

  // `include`: LiteLLM merges the listed YAML files (paths relative to this one) into the config.
  const includes = (Array.isArray(data.include) ? data.include : [data.include]).map(str).filter((f): f is string => !!f?.trim());
  const importThem = includes.length === 1 ? `import it with agent-connections import litellm ${includes[0]}` : 'import each with agent-connections import litellm FILE';
  if (!('model_list' in data) && includes.length > 0) {
    throw new ImportError(`This LiteLLM config has no \`model_list\` of its own: its models are in the included ${includes.length === 1 ? 'file' : 'files'} ${includes.map((f) => quote(f)).join(', ')}; ${importThem}.`);
  }
  if (!('model_list' in data)) {
    const inDb = isRecord(data.general_settings) && data.general_settings.store_model_in_db === true;
    throw new ImportError(`This is not a LiteLLM config with models: it has no \`model_list\`${inDb ? ' (general_settings.store_model_in_db: its models are kept in the proxy\'s database, not in this file)' : ''}.`);
  }
  const list = data.model_list;
  if (!Array.isArray(list)) throw new ImportError('`model_list` must be a list of models.');

  // credential_list: name → its values with their paths.
  const credentials = new Map<string, Map<string, Param>>();
  if (Array.isArray(data.credential_list)) {
    data.credential_list.forEach((c, i) => {
      if (!isRecord(c) || typeof c.credential_name !== 'string' || !isRecord(c.credential_values)) {
        warn(`credential_list entry ${i + 1} has no \`credential_name\` and \`credential_values\`; it was ignored.`, ['credential_list', i]);
        return;
      }
      const values = new Map<string, Param>();
      for (const [k, v] of Object.entries(c.credential_values)) values.set(k, { value: v, path: ['credential_list', i, 'credential_values', k] });
      credentials.set(c.credential_name, values);
    });
  } else if (data.credential_list !== undefined && data.credential_list !== null) {
    warn('`credential_list` is not a list; it was ignored.', ['credential_list']);
  }

  for (const key of Object.keys(data)) {
    if (key === 'model_list' || key === 'credential_list') continue;
    const section = data[key];
    const inline = isRecord(section) && Object.entries(section).some(([k, v]) => /key|secret|password|token/i.test(k) && typeof v === 'string' && v !== '' && !ENV_REF.test(v));
    if (key === 'include' && includes.length > 0) {
      warn(`\`include\` lists ${includes.map((f) => quote(f)).join(', ')}: the models there were not read; ${importThem}.`, [key]);
      continue;
    }
    const what = key === 'router_settings' ? 'routing, retries and fallbacks are LiteLLM\'s own'
      : key === 'litellm_settings' ? 'LiteLLM library settings'
        : key === 'general_settings' ? 'proxy server settings'
          : key === 'environment_variables' ? 'variables LiteLLM sets for itself'
            : 'not a model connection';
    warn(`\`${key}\` was not imported (${what}).${inline ? ` It holds an inline secret, which was not copied; it should not be in a committed file either.` : ''}`, [key]);
  }

  const collector = new ModelCollector(warnings, options, 'LiteLLM');
  list.forEach((entry, i) => {
    const at: PathSegment[] = ['model_list', i];
    const line = lineOf(doc, index, at);
    if (!isRecord(entry)) return warn(`model_list entry ${i + 1} is not a mapping; it was skipped.`, at);
    const modelName = str(entry.model_name);
    const lp = entry.litellm_params;
    if (!modelName || !isRecord(lp) || typeof lp.model !== 'string') {
      return warn(`model_list entry ${i + 1} has no \`model_name\` and \`litellm_params.model\`; it was skipped.`, at);
    }
    const label = `${quote(modelName)} (model_list entry ${i + 1})`;
    // LiteLLM reads `os.environ/X` in any parameter, the model too.
    const modelRef = ENV_REF.exec(lp.model.trim());
    const modelString = modelRef ? env[modelRef[1]]?.trim() ?? '' : lp.model.trim();
    if (modelRef && !modelString) return warn(`${label}: \`model\` comes from the environment variable ${modelRef[1]}, which is not set here; set it and import again. It was skipped.`, at);
    const entryIgnored = Object.keys(entry).filter((k) => !['model_name', 'litellm_params', 'model_info'].includes(k));
    if (entryIgnored.length > 0) warn(`${label}: not imported (LiteLLM's own settings of the entry): ${entryIgnored.map((k) => `\`${k}\``).join(', ')}.`, at);
    if (modelName.includes('*') || modelString.includes('*')) {
      return warn(`${label} is a wildcard route; a manifest lists each model by name, so it was skipped.`, at);
    }

    // Parameters: the credential's values, overridden by the entry's own.
    const params = new Map<string, Param>();
    const credName = str(lp.litellm_credential_name);
    if (credName !== undefined) {
      const cred = credentials.get(credName);
      if (cred) for (const [k, v] of cred) params.set(k, v);
      else warn(`${label} uses the credential ${quote(credName)}, which is not in \`credential_list\`.`, [...at, 'litellm_params', 'litellm_credential_name']);
    }
    for (const [k, v] of Object.entries(lp)) if (k !== 'litellm_credential_name') params.set(k, { value: v, path: [...at, 'litellm_params', k] });

    /** A setting (not a key): `os.environ/X` is resolved from options.env when possible. */
    const setting = (name: string, envFallback?: string): string | undefined => {
      const p = params.get(name);
      const raw = p ? str(p.value) : undefined;
      if (raw === undefined) return envFallback ? env[envFallback]?.trim() || undefined : undefined;
      const ref = ENV_REF.exec(raw.trim());
      if (!ref) return raw.trim();
      const resolved = env[ref[1]]?.trim();
      // A base URL that cannot be resolved skips the entry (see `unresolvedBase`); other settings get a default.
      if (!resolved && name !== 'api_base' && name !== 'base_url') warn(`${label}: \`${name}\` comes from the environment variable ${ref[1]}, which is not set here.`, p!.path);
      return resolved || undefined;
    };
    /** The skip reason when the base URL is an `os.environ/X` reference that is not set here. */
    const unresolvedBase = (): string | undefined => {
      for (const name of ['api_base', 'base_url']) {
        const raw = str(params.get(name)?.value);
        const ref = raw === undefined ? null : ENV_REF.exec(raw.trim());
        if (ref && !env[ref[1]]?.trim()) return `${label}: \`${name}\` comes from the environment variable ${ref[1]}, which is not set here; set it and import again. It was skipped.`;
      }
      return undefined;
    };

    /** Where a key comes from; undefined when the entry gives none and LiteLLM has no default. */
    const keys: ConnectionSpec['keys'] = [];
    const saidNone: Array<{ param: string; raw: string; path: PathSegment[] }> = [];
    /**
     * True when the entry gives a key, or says it needs one (a placeholder); `api_key: none`
     * (or empty, `dummy` …) says there is none, so LiteLLM's default variable is not read either.
     */
    const keyFrom = (param: string, field: KeyField, defaultEnv?: string): boolean => {
      const p = params.get(param);
      const raw = p ? str(p.value) : undefined;
      if (raw === undefined) {
        if (defaultEnv) keys.push({ field, source: 'env', variable: defaultEnv, note: `LiteLLM's default when \`${param}\` is not set` });
        return false;
      }
      const ref = ENV_REF.exec(raw.trim());
      if (ref) {
        keys.push({ field, source: 'env', variable: ref[1] });
        return true;
      }
      const kind = classifyKeyValue(raw);
      if (kind.kind === 'none') {
        saidNone.push({ param, raw: raw.trim(), path: p!.path });
        return false;
      }
      if (kind.kind === 'env') keys.push({ field, source: 'env', variable: kind.variable, note: `written as ${raw.trim()}` });
      else if (kind.kind === 'placeholder') warn(`${label}: \`${param}\` is a placeholder (${quote(raw.trim().slice(0, 60))}), not a key: store the key for this connection (Set Key…).`, p!.path);
      else keys.push({ field, source: 'inline', path: p!.path, span: spanOf(doc, p!.path) });
      return true;
    };

    const used = new Set(USED_PARAMS);
    const slash = modelString.indexOf('/');
    let prefix = slash > 0 ? modelString.slice(0, slash) : '';
    let rest = slash > 0 ? modelString.slice(slash + 1) : modelString;
    const known = prefix && (prefix in COMPATIBLE_PREFIXES || prefix in UNSUPPORTED || ['openai', 'azure', 'anthropic', 'gemini', 'cohere', 'cohere_chat', 'bedrock'].includes(prefix));
    if (prefix && !known) {
      return warn(`${label}: the LiteLLM provider ${quote(prefix)} (${quote(modelString)}) is not one this import maps; it was skipped (a server with an OpenAI-compatible API can be added by hand as a generic connection).`, at);
    }
    if (!known) {
      // No provider prefix: LiteLLM infers it from the model name.
      prefix = /^(gpt-|o[1-9]|chatgpt-|ft:gpt)/.test(modelString) ? 'openai' : /^claude-/.test(modelString) ? 'anthropic' : /^command/.test(modelString) ? 'cohere' : /^gemini-/.test(modelString) ? 'vertex_ai' : '';
      rest = modelString;
      if (!prefix) return warn(`${label}: cannot tell the provider of ${quote(modelString)} (no known provider prefix such as \`openai/\` or \`bedrock/\`); it was skipped.`, at);
    }
    if (prefix in UNSUPPORTED) return warn(`${label}: ${UNSUPPORTED[prefix]} cannot be described in the manifest; it was skipped.`, at);

    let spec: ConnectionSpec | undefined;
    const base = { modelName, line, keys };
    const info = isRecord(entry.model_info) ? entry.model_info : {};
    const baseModel = (str(info.base_model) ?? str(lp.base_model))?.trim().replace(/^azure\//, '') || undefined;
    // Connection tests send a chat request: embedding, image and speech models cannot answer it.
    const mode = str(info.mode)?.trim();
    if (mode && !CHAT_MODES.has(mode)) return warn(`${label}: \`model_info.mode\` is ${quote(mode)}: connection tests send a chat request, which such models do not answer, so it was skipped.`, at);
    const kind = mode ? undefined : [baseModel, rest].map((m) => m && nonChatKind(m)).find((k) => k);
    if (kind) return warn(`${label}: ${quote(baseModel ?? rest)} is ${kind}, not a chat model: connection tests send a chat request, which it does not answer, so it was skipped (write \`model_info.mode: chat\` if it is one).`, at);
    if (/^<[^<>]*>$/.test(rest.trim())) return warn(`${label}: the model ${quote(rest.trim())} is a placeholder; it was skipped.`, at);

    switch (prefix) {
      case 'openai': {
        const missingBase = unresolvedBase();
        if (missingBase) return warn(missingBase, at);
        const apiBase = setting('api_base') ?? setting('base_url');
        const official = apiBase && /^https:\/\/api\.openai\.com(\/v1)?\/?$/.test(apiBase);
        if (apiBase && !official) {
          const c = cleanBaseUrl(apiBase);
          if (!c.url) return warn(`${label}: the \`api_base\` cannot be used (${c.problem}); it was skipped.`, at);
          const hasKey = keyFrom('api_key', 'apiKey');
          spec = { ...base, provider: 'generic', model: rest, settings: { baseUrl: c.url, apiFormat: 'openai', ...(hasKey ? {} : { authHeader: 'none' }) } };
          if (!hasKey) warn(`${label}: an OpenAI-compatible server without a key (\`api_key\` ${params.has('api_key') ? `is ${quote(str(params.get('api_key')!.value)?.trim() ?? '')}` : 'not set'}) was imported with \`authHeader: none\`.`, at);
        } else {
          keyFrom('api_key', 'apiKey', DEFAULT_KEY_ENV.openai);
          spec = { ...base, provider: 'openai', model: rest, settings: {} };
        }
        if (params.has('organization')) warn(`${label}: \`organization\` is not part of the manifest; it was not imported.`, params.get('organization')!.path);
        used.add('organization');
        break;
      }
      case 'anthropic': case 'gemini': case 'cohere': case 'cohere_chat': {
        const provider: ProviderId = prefix === 'anthropic' ? 'anthropic' : prefix === 'gemini' ? 'google-gemini' : 'cohere';
        const model = provider === 'cohere' ? rest.replace(/^v[12]\//, '') : rest;
        keyFrom('api_key', 'apiKey', DEFAULT_KEY_ENV[provider]);
        if (setting('api_base') ?? setting('base_url')) warn(`${label}: a custom \`api_base\` for ${provider} is not kept in the manifest (built-in providers use their official origin); set it per user with the providerEndpoints setting or the CLI's --endpoint ${provider}=URL.`, at);
        spec = { ...base, provider, model, settings: {} };
        break;
      }
      case 'azure': {
        const deployment = rest;
        if (!AZURE_DEPLOYMENT.test(deployment) || deployment.length > 200) return warn(`${label}: ${quote(deployment)} is not an Azure deployment name; it was skipped.`, at);
        const missingBase = unresolvedBase();
        if (missingBase) return warn(missingBase, at);
        const apiBase = setting('api_base', 'AZURE_API_BASE') ?? setting('base_url');
        if (!apiBase) return warn(`${label}: no \`api_base\` (the Azure endpoint) and no AZURE_API_BASE variable here; it was skipped.`, at);
        const ep = azureEndpoint(apiBase);
        if (!ep.url) return warn(`${label}: the Azure endpoint cannot be used (${ep.problem}); it was skipped.`, at);
        if (ep.droppedPath) warn(`${label}: the path ${quote(ep.droppedPath)} of the Azure endpoint was dropped; requests are built from the deployment and API version.`, at);
        let apiVersion = setting('api_version', 'AZURE_API_VERSION');
        if (!apiVersion || !AZURE_API_VERSION.test(apiVersion)) {
          warn(`${label}: ${apiVersion ? `${quote(apiVersion)} is not an API version` : 'no `api_version`'}; \`2024-10-21\` was written, check it.`, at);
          apiVersion = '2024-10-21';
        }
        const entra = ['azure_ad_token', 'tenant_id', 'client_id', 'client_secret', 'azure_username', 'azure_password', 'azure_ad_token_provider'].filter((p) => params.has(p));
        keyFrom('api_key', 'apiKey', entra.length > 0 ? undefined : DEFAULT_KEY_ENV['azure-openai']);
        for (const p of ['azure_ad_token', 'tenant_id', 'client_id', 'client_secret', 'azure_username', 'azure_password', 'azure_ad_token_provider']) used.add(p);
        if (entra.length > 0) warn(`${label}: Microsoft Entra ID (${entra.map((p) => `\`${p}\``).join(', ')}) is not written in the manifest: sign in for this connection with Set Key… → Microsoft Entra ID (CI: set its …__AZURE_AD=1 variable).`, params.get(entra[0])!.path);
        // `azure/<x>`: <x> is the deployment; the model it runs is model_info.base_model, else base_model, else the
        // public model_name when it is a model code, else the deployment when that is named like one, else model_name.
        const model = baseModel ?? (OPENAI_MODEL_CODE.test(modelName) || !OPENAI_MODEL_CODE.test(deployment) ? modelName : deployment);
        if (!baseModel && model !== deployment) warn(`${label}: no \`model_info.base_model\`; the model code was taken from \`model_name\` (${quote(modelName)}), the deployment is ${quote(deployment)}. Check it.`, at);
        else if (!baseModel && model !== modelName) warn(`${label}: no \`model_info.base_model\`; the model code was taken from the deployment name (${quote(deployment)}). Check it.`, at);
        spec = { ...base, provider: 'azure-openai', model, settings: { endpoint: ep.url, deployment, apiVersion } };
        break;
      }
      case 'bedrock': {
        const id = rest.replace(/^(converse|invoke|converse_like)\//, '');
        if (!isBedrockModelIdShape(id)) return warn(`${label}: ${quote(id)} is not a Bedrock model ID; it was skipped.`, at);
        const { prefix: profile } = splitBedrockModelId(id);
        let region = setting('aws_region_name', 'AWS_REGION_NAME') ?? (env.AWS_REGION?.trim() || undefined);
        if (region && !REGION.test(region)) {
          warn(`${label}: ${quote(region)} is not an AWS region.`, at);
          region = undefined;
        }
        if (region && profile && !BEDROCK_PREFIX_REGIONS[profile]?.(region)) {
          warn(`${label}: the \`${profile}.\` inference profile cannot be called from ${quote(region)}.`, at);
          region = undefined;
        }
        if (!region) {
          region = (profile && BEDROCK_PLACEHOLDER_REGION[profile]) || 'us-east-1';
          warn(`${label}: no usable \`aws_region_name\`; \`${region}\` was written, check it.`, at);
        }
        const awsProfile = setting('aws_profile_name');
        keyFrom('aws_access_key_id', 'accessKeyId', awsProfile ? undefined : 'AWS_ACCESS_KEY_ID');
        keyFrom('aws_secret_access_key', 'secretAccessKey', awsProfile ? undefined : 'AWS_SECRET_ACCESS_KEY');
        keyFrom('aws_session_token', 'sessionToken');
        for (const p of ['aws_profile_name', 'aws_role_name', 'aws_session_name', 'aws_web_identity_token', 'aws_sts_endpoint', 'aws_bedrock_runtime_endpoint']) used.add(p);
        if (awsProfile) warn(`${label}: the AWS profile ${quote(awsProfile)} (\`aws_profile_name\`) is not written in the manifest: choose it for this connection with Set Key… → AWS Profile (CI: set its …__AWS_PROFILE variable).`, params.get('aws_profile_name')!.path);
        for (const p of ['aws_role_name', 'aws_session_name', 'aws_web_identity_token', 'aws_sts_endpoint']) {
          if (params.has(p)) warn(`${label}: \`${p}\` (assuming a role) is not imported; use an AWS profile that assumes it (Set Key… → AWS Profile), or access keys.`, params.get(p)!.path);
        }
        if (params.has('aws_bedrock_runtime_endpoint')) warn(`${label}: \`aws_bedrock_runtime_endpoint\` is not kept in the manifest; set it per user with the providerEndpoints setting or the CLI's --endpoint amazon-bedrock=URL.`, params.get('aws_bedrock_runtime_endpoint')!.path);
        spec = { ...base, provider: 'amazon-bedrock', model: id, settings: { region } };
        break;
      }
      default: {
        const compat = COMPATIBLE_PREFIXES[prefix];
        const service = COMPATIBLE_SERVICES[compat.service];
        const missingBase = unresolvedBase();
        if (missingBase) return warn(missingBase, at);
        let baseUrl = setting('api_base') ?? setting('base_url') ?? service.baseUrl;
        if (!baseUrl) return warn(`${label}: ${service.label} needs an \`api_base\`; it was skipped.`, at);
        if (service.rootUrl) baseUrl = withV1(baseUrl.replace(/\/+$/, ''));
        const c = cleanBaseUrl(baseUrl);
        if (!c.url) return warn(`${label}: the \`api_base\` cannot be used (${c.problem}); it was skipped.`, at);
        const hasKey = keyFrom('api_key', 'apiKey', service.local ? undefined : compat.env);
        // A hosted service always needs a key: `api_key: none` there only means the file does not hold it (warned below).
        const hosted = !service.local && service.baseUrl !== undefined;
        spec = { ...base, provider: 'generic', model: rest, settings: { baseUrl: c.url, apiFormat: 'openai', ...(!hasKey && (service.local || (saidNone.length > 0 && !hosted)) ? { authHeader: 'none' } : {}) } };
        if (hosted) for (const n of saidNone) warn(`${label}: \`${n.param}: ${n.raw || "''"}\` is not a key, and ${service.label} needs one: store the key for this connection (Set Key…).`, n.path);
      }
    }

    // A provider that always needs a key: `none` only means the file does not hold it.
    if (spec.provider !== 'generic') for (const n of saidNone) warn(`${label}: \`${n.param}: ${n.raw || "''"}\` is not a key; store the key for this connection (Set Key…).`, n.path);

    const headerParam = params.get('extra_headers') ?? params.get('headers');
    if (headerParam) {
      if (spec.provider === 'generic') {
        const headers = keepHeaders(headerParam.value, (m) => warn(`${label}: ${m}`, headerParam.path));
        if (headers) spec.settings.advancedProperties = { headers } as Record<string, FieldValue>;
      } else {
        warn(`${label}: custom headers are kept only for generic connections; they were not imported.`, headerParam.path);
      }
    }

    const model = cleanModelCode(spec.model);
    if (!model) return warn(`${label}: the model code is empty; it was skipped.`, at);
    spec.model = model;
    spec.connectionName = connectionName(info, modelName);
    spec.credential = credName;

    const ignored = unusedKeys(Object.fromEntries([...params].map(([k, v]) => [k, v.value])), used);
    if (ignored.length > 0) warn(`${label}: not imported (LiteLLM's own request and routing settings): ${ignored.map((k) => `\`${k}\``).join(', ')}.`, at);
    const description = str(info.description)?.trim();
    if (description) spec.description = description;
    const infoIgnored = Object.keys(info).filter((k) => !['id', 'base_model', 'description', 'mode'].includes(k));
    if (infoIgnored.length > 0) warn(`${label}: \`model_info\` fields not imported: ${infoIgnored.map((k) => `\`${k}\``).join(', ')}.`, [...at, 'model_info']);
    collector.add(spec);
  });

  if (list.length > 0 && collector.size === 0) warnings.push({ message: 'No model could be imported: see the warnings above.' });
  collector.entries = list.length;
  const result = collector.build([
    `Imported from the LiteLLM config ${options.sourceName ?? ''} by agent-connections.`.replace('  ', ' '),
    'No key is written here: each teammate stores keys in VS Code SecretStorage (Set Key…);',
    'CI reads them from AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY variables.',
  ]);
  return result;
}

/**
 * A connection name from `model_info.id`: `model/connection` as the export writes it, or
 * a name someone chose. Numbers, UUIDs and hashes (LiteLLM's generated ids) name nothing.
 */
function connectionName(info: Record<string, unknown>, modelName: string): string | undefined {
  const id = str(info.id)?.trim();
  if (!id) return undefined;
  if (id.startsWith(`${modelName}/`) && id.length > modelName.length + 1) return id.slice(modelName.length + 1);
  if (/^[\d.-]+$/.test(id) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) || /^[0-9a-f]{16,}$/i.test(id)) return undefined;
  return id;
}

export function cleanModelCode(model: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are removed
  return model.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '').trim().slice(0, 200);
}

export type { ImportResult, KeyToStore };
