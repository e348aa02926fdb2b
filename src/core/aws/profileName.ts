/**
 * AWS profile names as a credential (`{kind: 'awsProfile'}`): what may be stored and sent
 * to a process as AWS_PROFILE. Plain checks, no file access and no AWS SDK, so the
 * form, Set Key… and the CLI's variable parsing can use it without loading either.
 */

const MAX_PROFILE_CHARS = 128;

/** Why `name` cannot be an AWS profile name, or undefined. Never echoes the value. */
export function profileNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'Enter the name of an AWS profile, e.g. default or my-sso-profile.';
  if (name !== name.trim()) return 'An AWS profile name has no leading or trailing spaces.';
  if (name.length > MAX_PROFILE_CHARS) return `An AWS profile name has at most ${MAX_PROFILE_CHARS} characters.`;
  // The name goes into AWS_PROFILE (a terminal's env, .env files, shell exports) and `aws sso login --profile NAME`
  // hints: letters, digits and `- _ . @ + , / :` only — no spaces, quotes, `=`, brackets, comment or shell characters.
  if (!/^[A-Za-z0-9._@+,/:-]+$/.test(name)) return 'An AWS profile name is letters, digits and - _ . @ + , / : (no spaces, quotes, =, brackets, comment or shell characters).';
  // `--profile -x` would read as an option; `..` as a path.
  if (name.startsWith('-')) return 'An AWS profile name does not start with "-".';
  if (name.includes('..')) return 'An AWS profile name does not contain "..".';
  return undefined;
}

/** The command that renews an expired SSO session for `profile`, as the hint shows it. */
export function ssoLoginCommand(profile: string): string {
  return `aws sso login --profile ${profile}`;
}
