/**
 * An AWS profile as a Bedrock credential: its name is stored (never keys), and the keys
 * are resolved when a request is signed, by the AWS SDK's own shared-config provider
 * (`fromIni`: static keys, SSO, assume-role, credential_process, web identity), from the
 * files the AWS CLI reads (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else
 * ~/.aws/config and ~/.aws/credentials, read anew on every resolution). Resolved keys
 * are kept in memory until five minutes before they expire (keys without an expiry:
 * ten minutes), shared by concurrent requests, and dropped when AWS refuses them.
 *
 * Loaded only by the provider runtime and the CLI's test chunk: the SDK never reaches
 * dist/extension.js or dist/cli.js.
 */
import * as path from 'node:path';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { getHomeDir, loadSharedConfigFiles } from '@smithy/core/config';
import { CredentialError } from '../providers/types';
import { ssoLoginCommand } from './profileName';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface AwsFiles {
  config: string;
  credentials: string;
}

const REFRESH_BEFORE_MS = 5 * 60_000;
const UNTIMED_MS = 10 * 60_000;

/** The shared config and credentials files, where the AWS CLI and SDKs look for them now. */
export function awsFiles(env: Readonly<Record<string, string | undefined>> = process.env): AwsFiles {
  const home = getHomeDir();
  return {
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
  };
}

/** Section names of the config file that are not profiles (`[sso-session x]`, `[services x]` …) carry a dot-joined prefix. */
const NOT_A_PROFILE = /^(sso-session|services)\./;

/** The profile names of both files (config first), sorted, each once; missing files are no error. */
export async function listAwsProfiles(): Promise<{ names: string[]; files: AwsFiles }> {
  const files = awsFiles();
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true, filepath: files.credentials, configFilepath: files.config });
  const names = new Set([...Object.keys(configFile), ...Object.keys(credentialsFile)].filter((n) => !NOT_A_PROFILE.test(n)));
  return { names: [...names].sort(), files };
}

interface Entry {
  keys: Promise<AwsKeys>;
  /** Epoch ms after which the keys are resolved again. */
  until: number;
}

const cache = new Map<string, Entry>();

/** The keys of `profile`, resolved now or taken from memory while they are fresh. Throws CredentialError. */
export async function awsProfileKeys(profile: string): Promise<AwsKeys> {
  const files = awsFiles();
  const id = JSON.stringify([profile, files.config, files.credentials]);
  const hit = cache.get(id);
  if (hit && Date.now() < hit.until) return hit.keys;
  const entry: Entry = { keys: resolveProfile(profile, files), until: Number.POSITIVE_INFINITY };
  cache.set(id, entry);
  try {
    const keys = await entry.keys;
    entry.until = keys.expiration ? keys.expiration.getTime() - REFRESH_BEFORE_MS : Date.now() + UNTIMED_MS;
    return keys;
  } catch (err) {
    if (cache.get(id) === entry) cache.delete(id);
    throw err;
  }
}

/** Drops the remembered keys of `profile` (AWS refused them: the next request resolves anew). */
export function forgetAwsProfileKeys(profile: string): void {
  for (const id of [...cache.keys()]) if ((JSON.parse(id) as string[])[0] === profile) cache.delete(id);
}

async function resolveProfile(profile: string, files: AwsFiles): Promise<AwsKeys> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true, filepath: files.credentials, configFilepath: files.config });
  if (!Object.prototype.hasOwnProperty.call(configFile, profile) && !Object.prototype.hasOwnProperty.call(credentialsFile, profile)) {
    throw new CredentialError('auth_failed',
      `There is no AWS profile "${profile}" on this machine: read ${files.config} (as [profile ${profile}]) and ${files.credentials} (as [${profile}]).`,
      `Add the profile (aws configure --profile ${profile}, or aws configure sso), point AWS_CONFIG_FILE at the right file, or choose another profile.`);
  }
  let resolved;
  try {
    resolved = await fromIni({ profile, filepath: files.credentials, configFilepath: files.config, ignoreCache: true })();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/\bsso\b/i.test(message) && /expired|invalid|login|refresh/i.test(message)) {
      throw new CredentialError('auth_failed', `The SSO session of AWS profile "${profile}" has expired or is not signed in: ${message}`, `Run \`${ssoLoginCommand(profile)}\`, then test again.`);
    }
    throw new CredentialError('auth_failed', `AWS profile "${profile}" gave no credentials: ${message}`, `Check the profile in ${files.config} and ${files.credentials} (aws configure list --profile ${profile} shows what the AWS CLI resolves).`);
  }
  return {
    accessKeyId: resolved.accessKeyId,
    secretAccessKey: resolved.secretAccessKey,
    ...(resolved.sessionToken ? { sessionToken: resolved.sessionToken } : {}),
    ...(resolved.expiration ? { expiration: resolved.expiration } : {}),
  };
}
