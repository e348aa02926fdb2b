/**
 * Manifest → LiteLLM proxy `config.yaml`. Every enabled connection becomes a
 * `model_list` entry named after its model (LiteLLM load-balances entries that share a
 * `model_name`), and its key is an `os.environ/` reference to the variable the CLI
 * reads (`AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY`, Bedrock `__ACCESS_KEY_ID`
 * and `__SECRET_ACCESS_KEY`), so the same CI secrets serve both. No key is ever written.
 *
 * LiteLLM reads YAML with PyYAML (YAML 1.1): strings that YAML 1.1 would read as
 * something else (`2024-10-21` is a date there) are quoted.
 */
import { isProviderId, type ProviderId } from '../../providers/catalog';
import { formatScalar } from '../../manifest/edit';
import { analyzeManifest, connectionReference, type ConnectionInfo, type ModelInfo } from '../../manifest/manifest';
import { credentialVariables, envCollisions, type CredentialKind } from './envNames';

export interface ExportOptions {
  /** File name for the header comment. */
  sourceName?: string;
}

export interface ExportedConnection {
  /** `model/connection`. */
  reference: string;
  /** The variables to set, in order (Bedrock's optional session token not included). */
  variables: string[];
}

export interface ExportResult {
  text: string;
  warnings: string[];
  connections: ExportedConnection[];
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

const PREFIX: Record<Exclude<ProviderId, 'azure-openai' | 'generic'>, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'google-gemini': 'gemini',
  cohere: 'cohere_chat',
  'amazon-bedrock': 'bedrock',
};

/** A scalar PyYAML reads back as the same string. */
function scalar(value: string): string {
  // YAML 1.1 timestamps (`2024-10-21`, `2024-10-21T10:00:00Z`) would become dates.
  if (/^\d{4}-\d{1,2}-\d{1,2}([Tt ].*)?$/.test(value)) return `'${value}'`;
  return formatScalar(value);
}

const env = (variable: string) => `os.environ/${variable}`;

function credentialKind(provider: ProviderId, conn: ConnectionInfo): CredentialKind {
  if (provider === 'amazon-bedrock') return 'aws';
  const auth = typeof conn.settings.authHeader === 'string' ? conn.settings.authHeader : undefined;
  return provider === 'generic' && auth?.toLowerCase() === 'none' ? 'none' : 'apiKey';
}

/** Throws ExportError when the manifest cannot be read or two connections share variable names. */
export function exportLiteLLM(manifestText: string, options: ExportOptions = {}): ExportResult {
  const analysis = analyzeManifest(manifestText);
  if (!analysis.syntaxOk) {
    const first = analysis.problems.find((p) => p.severity === 'error');
    throw new ExportError(`The manifest has YAML errors${first ? ` (line ${first.range.start.line + 1}: ${first.message})` : ''}; fix them first.`);
  }
  const warnings: string[] = [];
  if (analysis.errorCount > 0) warnings.push(`The manifest has ${analysis.errorCount} error${analysis.errorCount === 1 ? '' : 's'} (run \`agent-connections validate\`); what could be read was exported.`);
  const collisions = envCollisions(analysis.models.flatMap((m) => m.connections.map((c) => ({ model: m.name, connection: c.name }))));
  if (collisions.length > 0) {
    throw new ExportError(`These connections map to the same environment variables, so their keys could not be told apart: ${collisions.map((c) => `${c.references.join(' and ')} (${c.variable}__…)`).join('; ')}. Rename one of them.`);
  }

  const lines: string[] = [
    `# LiteLLM proxy config exported by agent-connections${options.sourceName ? ` from ${options.sourceName.replace(/[\r\n]/g, ' ')}` : ''}.`,
    '# No key is written here: each api_key is read from the environment (os.environ/…),',
    '# the same AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__… variables `agent-connections test` reads.',
    'model_list:',
  ];
  const connections: ExportedConnection[] = [];
  for (const model of analysis.models) {
    if (!isProviderId(model.provider)) {
      warnings.push(`Model ${JSON.stringify(model.name)} has no known provider; it was not exported.`);
      continue;
    }
    if (!model.model) {
      warnings.push(`Model ${JSON.stringify(model.name)} has no model code; it was not exported.`);
      continue;
    }
    for (const conn of model.connections) {
      const ref = connectionReference(model.name, conn.name);
      if (!conn.enabled) {
        warnings.push(`${ref} is disabled for inference; it was not exported (LiteLLM would route requests to it).`);
        continue;
      }
      const entry = exportConnection(model, model.provider, conn, warnings);
      if (!entry) continue;
      lines.push(...entry.lines);
      connections.push({ reference: ref, variables: entry.variables });
    }
  }
  if (connections.length === 0) lines[lines.length - 1] = 'model_list: []';
  return { text: lines.join('\n') + '\n', warnings, connections };
}

function exportConnection(model: ModelInfo, provider: ProviderId, conn: ConnectionInfo, warnings: string[]): { lines: string[]; variables: string[] } | undefined {
  const ref = connectionReference(model.name, conn.name);
  const s = conn.settings;
  const text = (k: string) => (typeof s[k] === 'string' && (s[k] as string).trim() ? (s[k] as string).trim() : undefined);
  const vars = credentialVariables(model.name, conn.name, credentialKind(provider, conn));
  const params: Array<[string, string]> = [];
  const extra: string[] = [];
  const info: Array<[string, string]> = [['id', ref]];
  const variables: string[] = [];

  switch (provider) {
    case 'azure-openai': {
      const endpoint = text('endpoint');
      const deployment = text('deployment');
      const apiVersion = text('apiVersion');
      if (!endpoint || !deployment || !apiVersion) {
        warnings.push(`${ref} has no endpoint, deployment or apiVersion; it was not exported.`);
        return undefined;
      }
      params.push(['model', `azure/${deployment}`], ['api_base', endpoint], ['api_version', apiVersion]);
      info.push(['base_model', `azure/${model.model}`]);
      break;
    }
    case 'generic': {
      const baseUrl = text('baseUrl');
      if (!baseUrl) {
        warnings.push(`${ref} has no baseUrl; it was not exported.`);
        return undefined;
      }
      params.push(['model', `openai/${model.model}`], ['api_base', baseUrl]);
      const format = text('apiFormat');
      if (format && format.toLowerCase() !== 'openai') warnings.push(`${ref} uses apiFormat ${JSON.stringify(format)}; it was exported as OpenAI-compatible (\`openai/\`), check it.`);
      const auth = text('authHeader');
      if (auth && auth.toLowerCase() !== 'none' && auth.toLowerCase() !== 'authorization') {
        warnings.push(`${ref} sends its key in the \`${auth}\` header; LiteLLM sends \`api_key\` as a Bearer token, so add the header yourself (extra_headers) if the server needs it.`);
      }
      const adv = s.advancedProperties;
      if (adv && typeof adv === 'object') {
        const { headers, ...other } = adv as Record<string, unknown>;
        if (headers && typeof headers === 'object') {
          const hs = Object.entries(headers as Record<string, unknown>).filter(([, v]) => typeof v === 'string');
          if (hs.length > 0) {
            extra.push('      extra_headers:');
            for (const [k, v] of hs) extra.push(`        ${scalar(k)}: ${scalar(v as string)}`);
          }
        }
        const names = Object.keys(other);
        if (names.length > 0) warnings.push(`${ref}: advancedProperties ${names.map((n) => `\`${n}\``).join(', ')} have no LiteLLM equivalent and were not exported.`);
      }
      break;
    }
    case 'amazon-bedrock': {
      const region = text('region');
      params.push(['model', `bedrock/${model.model}`]);
      if (region) params.push(['aws_region_name', region]);
      else warnings.push(`${ref} has no region; LiteLLM will use AWS_REGION_NAME.`);
      break;
    }
    default:
      params.push(['model', `${PREFIX[provider]}/${model.model}`]);
  }

  if (vars.apiKey) {
    params.push(['api_key', env(vars.apiKey)]);
    variables.push(vars.apiKey);
  }
  if (vars.accessKeyId && vars.secretAccessKey) {
    params.push(['aws_access_key_id', env(vars.accessKeyId)], ['aws_secret_access_key', env(vars.secretAccessKey)]);
    variables.push(vars.accessKeyId, vars.secretAccessKey);
  }

  const lines = [`  - model_name: ${scalar(model.name)}`, '    litellm_params:'];
  for (const [k, v] of params) lines.push(`      ${k}: ${scalar(v)}`);
  if (vars.sessionToken) lines.push(`      # aws_session_token: os.environ/${vars.sessionToken}   # for temporary credentials`);
  lines.push(...extra, '    model_info:');
  for (const [k, v] of info) lines.push(`      ${k}: ${scalar(v)}`);
  return { lines, variables };
}
