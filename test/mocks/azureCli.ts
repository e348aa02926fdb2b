/**
 * A fake Azure CLI for Microsoft Entra ID tests: an `az` shell script to put first on
 * PATH. It prints what `az account get-access-token --output json` prints (a fake
 * token, valid for an hour) and appends its arguments to `calls.log` beside itself.
 * Two tenants fail the way az does: `notsignedin.example` (not signed in) and
 * `noaz.example` (what the shell prints when az is missing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function installFakeAzureCli(dir: string, token: string): void {
  const script = `#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls.log"
case "$*" in
  *"--tenant notsignedin.example"*) echo "ERROR: Please run 'az login' to setup account." >&2; exit 1;;
  *"--tenant noaz.example"*) echo "/bin/sh: 1: az: not found" >&2; exit 127;;
esac
exp=$(( $(date +%s) + 3600 ))
printf '{"accessToken":"${token}","expiresOn":"2099-01-01 00:00:00.000000","expires_on":%s,"subscription":"00000000-0000-0000-0000-000000000000","tenant":"00000000-0000-0000-0000-000000000000","tokenType":"Bearer"}\\n' "$exp"
`;
  fs.writeFileSync(path.join(dir, 'az'), script, { mode: 0o755 });
}

/** The argument lines the fake az was called with, oldest first. */
export function fakeAzureCliCalls(dir: string): string[] {
  const log = path.join(dir, 'calls.log');
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}
