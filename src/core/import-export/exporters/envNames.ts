/**
 * Environment variables that carry a connection's credentials outside VS Code (the CLI,
 * CI, the LiteLLM export): `AGENT_CONNECTIONS__<MODEL>__<CONNECTION>__API_KEY`, and for
 * Amazon Bedrock `__ACCESS_KEY_ID`, `__SECRET_ACCESS_KEY` and the optional
 * `__SESSION_TOKEN`, or instead `__BEDROCK_API_KEY` (a Bedrock API key) or `__AWS_PROFILE`
 * (the name of an AWS profile of the shared config files: not a secret). Names are upper-cased and every character other than A–Z and 0–9
 * becomes `_`, so two connections can map to the same variable: callers must refuse
 * that (see `envCollisions`), or a key meant for one connection would go to the other.
 */
import type { Credential } from '../../providers/types';
import { profileNameProblem } from '../../aws/profileName';
import { credentialProblem } from '../../secrets/redact';

export const ENV_PREFIX = 'AGENT_CONNECTIONS';

export type CredentialKind = 'apiKey' | 'aws' | 'none';

/** `gpt-4o` → `GPT_4O`; `Prod key #1` → `PROD_KEY__1`. */
export function envSegment(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `AGENT_CONNECTIONS__<MODEL>__<CONNECTION>`, the common part of a connection's variables. */
export function envBase(model: string, connection: string): string {
  return `${ENV_PREFIX}__${envSegment(model)}__${envSegment(connection)}`;
}

export interface CredentialVariables {
  apiKey?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Bedrock: the alternative to the access key pair. */
  bedrockApiKey?: string;
  /** Bedrock: an AWS profile name, the other alternative. */
  awsProfile?: string;
}

/** The variables a connection's credential is read from (none for a generic connection with `authHeader: none`). */
export function credentialVariables(model: string, connection: string, kind: CredentialKind): CredentialVariables {
  const base = envBase(model, connection);
  if (kind === 'aws') return { accessKeyId: `${base}__ACCESS_KEY_ID`, secretAccessKey: `${base}__SECRET_ACCESS_KEY`, sessionToken: `${base}__SESSION_TOKEN`, bedrockApiKey: `${base}__BEDROCK_API_KEY`, awsProfile: `${base}__AWS_PROFILE` };
  if (kind === 'apiKey') return { apiKey: `${base}__API_KEY` };
  return {};
}

/** The required variables of a connection, in order (the session token is optional and the Bedrock API key an alternative: neither is listed). */
export function requiredVariables(vars: CredentialVariables): string[] {
  return [vars.apiKey, vars.accessKeyId, vars.secretAccessKey].filter((v): v is string => v !== undefined);
}

export interface EnvCollision {
  /** The shared `AGENT_CONNECTIONS__<MODEL>__<CONNECTION>` prefix. */
  variable: string;
  /** `model/connection` of every connection mapping to it (two or more). */
  references: string[];
}

/** Connections whose variables would be the same. */
export function envCollisions(connections: ReadonlyArray<{ model: string; connection: string }>): EnvCollision[] {
  const byVar = new Map<string, string[]>();
  for (const c of connections) {
    const v = envBase(c.model, c.connection);
    const list = byVar.get(v) ?? [];
    list.push(`${c.model}/${c.connection}`);
    byVar.set(v, list);
  }
  return [...byVar].filter(([, refs]) => refs.length > 1).map(([variable, references]) => ({ variable, references }));
}

export type EnvCredential =
  | { kind: 'found'; credential: Credential; secrets: string[] }
  /** `alternative`: variables that would do instead of all of `variables` (Bedrock's API key or AWS profile), as `A or B`. */
  | { kind: 'missing'; variables: string[]; alternative?: string }
  | { kind: 'invalid'; variable: string; problem: string };

/**
 * Reads a connection's credential from an environment. Surrounding whitespace (a
 * trailing newline from a secrets file) is dropped; a value that could not be sent as
 * a header (CR, LF, NUL, non-ASCII) is `invalid`, named by variable, never by value.
 */
export function credentialFromEnv(env: Readonly<Record<string, string | undefined>>, model: string, connection: string, kind: CredentialKind): EnvCredential {
  const vars = credentialVariables(model, connection, kind);
  const read = (name: string | undefined): { value?: string; problem?: string } => {
    if (!name) return {};
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return {};
    const value = raw.trim();
    const problem = credentialProblem(value);
    return problem ? { problem } : { value };
  };
  if (kind === 'none') return { kind: 'found', credential: { kind: 'none' }, secrets: [] };
  const checked: Array<[string, { value?: string; problem?: string }]> = [];
  for (const name of [vars.apiKey, vars.accessKeyId, vars.secretAccessKey, vars.sessionToken, vars.bedrockApiKey]) {
    if (name) checked.push([name, read(name)]);
  }
  const bad = checked.find(([, r]) => r.problem);
  if (bad) return { kind: 'invalid', variable: bad[0], problem: bad[1].problem! };
  const value = (name: string | undefined) => checked.find(([n]) => n === name)?.[1].value;
  if (kind === 'apiKey') {
    const apiKey = value(vars.apiKey);
    return apiKey ? { kind: 'found', credential: { kind: 'apiKey', apiKey }, secrets: [apiKey] } : { kind: 'missing', variables: [vars.apiKey!] };
  }
  const accessKeyId = value(vars.accessKeyId);
  const secretAccessKey = value(vars.secretAccessKey);
  const sessionToken = value(vars.sessionToken);
  const bedrockApiKey = value(vars.bedrockApiKey);
  const awsProfile = vars.awsProfile ? env[vars.awsProfile]?.trim() : undefined;
  if (awsProfile) {
    const problem = profileNameProblem(awsProfile);
    if (problem) return { kind: 'invalid', variable: vars.awsProfile!, problem };
    if (accessKeyId || secretAccessKey || sessionToken || bedrockApiKey) return { kind: 'invalid', variable: vars.awsProfile!, problem: 'Set one kind of credential for this connection: the access key pair, the Bedrock API key or the AWS profile.' };
    return { kind: 'found', credential: { kind: 'awsProfile', profile: awsProfile }, secrets: [] };
  }
  if (bedrockApiKey) {
    if (accessKeyId || secretAccessKey || sessionToken) return { kind: 'invalid', variable: vars.bedrockApiKey!, problem: 'Set either the access key pair or the Bedrock API key for this connection, not both.' };
    return { kind: 'found', credential: { kind: 'bedrockApiKey', apiKey: bedrockApiKey }, secrets: [bedrockApiKey] };
  }
  if (!accessKeyId || !secretAccessKey) {
    return { kind: 'missing', variables: [!accessKeyId ? vars.accessKeyId! : undefined, !secretAccessKey ? vars.secretAccessKey! : undefined].filter((v): v is string => v !== undefined), alternative: `${vars.bedrockApiKey} or ${vars.awsProfile}` };
  }
  return {
    kind: 'found',
    credential: { kind: 'aws', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    secrets: [accessKeyId, secretAccessKey, ...(sessionToken ? [sessionToken] : [])],
  };
}

/** Every value of an `AGENT_CONNECTIONS__…` credential variable in the environment, for redaction. */
export function credentialValuesInEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !name.startsWith(`${ENV_PREFIX}__`)) continue;
    if (!/__(API_KEY|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|BEDROCK_API_KEY)$/.test(name)) continue;
    out.push(value, value.trim());
  }
  return out;
}
