/**
 * Set Key…'s AWS profile step: the profiles of this machine's shared config files
 * (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and
 * ~/.aws/credentials) to pick from, or any name typed in (a profile added later, or
 * in a file the extension host does not see). Only the name is stored.
 */
import * as vscode from 'vscode';
import { profileNameProblem } from '../core/aws/profileName';
import { awsProfiles } from '../testing/connectionTester';

interface ProfileItem extends vscode.QuickPickItem { profile: string }

/** The chosen profile name, or undefined when the pick was dismissed. */
export async function pickAwsProfile(title: string, current: string | undefined): Promise<string | undefined> {
  let names: string[] = [];
  let files = '';
  try {
    const found = await awsProfiles();
    names = found.names;
    files = `${found.files.config}, ${found.files.credentials}`;
  } catch (err) {
    files = `the AWS config files could not be read: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (current && names.includes(current)) names = [current, ...names.filter((n) => n !== current)];
  const listed: ProfileItem[] = names.map((n) => ({ label: n, profile: n, description: n === current ? 'current' : undefined }));
  const pick = vscode.window.createQuickPick<ProfileItem>();
  pick.title = title;
  pick.placeholder = names.length ? 'Pick an AWS profile, or type its name' : 'No profile found: type the name of an AWS profile';
  pick.ignoreFocusOut = true;
  pick.matchOnDescription = true;
  pick.items = listed;
  const refresh = () => {
    const typed = pick.value.trim();
    const problem = typed ? profileNameProblem(pick.value) : undefined;
    const extra: ProfileItem[] = problem
      ? [{ label: `$(error) ${problem}`, profile: '', alwaysShow: true }]
      : typed && !names.includes(typed) ? [{ label: typed, profile: typed, description: 'not in the files read', detail: `Read: ${files}`, alwaysShow: true }] : [];
    pick.items = [...extra, ...listed];
  };
  pick.onDidChangeValue(refresh);
  const chosen = await new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item?.profile) resolve(item.profile);
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  return chosen;
}
