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
  // What the shared config files can hold as a section name: printable ASCII, no brackets, no spaces, no `#`/`;` comments.
  if (!/^[\x21-\x7e]+$/.test(name) || /[[\]#;]/.test(name)) return 'An AWS profile name is letters, digits and - _ . @ + = , / : (no spaces, brackets or comment characters).';
  return undefined;
}

/** The command that renews an expired SSO session for `profile`, as the hint shows it. */
export function ssoLoginCommand(profile: string): string {
  return `aws sso login --profile ${profile}`;
}
