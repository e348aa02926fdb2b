/**
 * Show Connection Usage and Reset Connection Usage…. The panel's code (usagePanel.ts) is in
 * a bundle of its own beside this one (dist/usageRuntime.js; out/src/usage/usageRuntime.js
 * in tests), loaded on the first Show: activation does not pay for it.
 */
import * as path from 'path';
import { registerCommand } from '../commands/commandWrapper';
import type * as PanelModule from './usageRuntime';
import { confirmReset, type UsageDeps } from './usageStore';

export const USAGE_COMMAND_IDS = ['agentConnections.showUsage', 'agentConnections.resetUsage'] as const;


let panelModule: typeof PanelModule | undefined;

/** The panel's module (a computed path, so the bundler leaves this require to run time). */
export function usagePanel(): typeof PanelModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazily loaded sibling bundle
  return (panelModule ??= require(path.join(__dirname, 'usageRuntime.js')) as typeof PanelModule);
}

/** What the open Connection Usage panel shows (tests), or undefined when none is open. */
export function openPanelData(): ReturnType<PanelModule.UsagePanel['data']> | undefined {
  return panelModule?.UsagePanel.current?.data();
}

export function registerUsageView(deps: UsageDeps): void {
  const { context, log, usage } = deps;
  registerCommand(context, log, 'agentConnections.showUsage', () => {
    usagePanel().UsagePanel.show(deps);
  });
  registerCommand(context, log, 'agentConnections.resetUsage', () => confirmReset(usage));
  context.subscriptions.push({ dispose: () => panelModule?.UsagePanel.current?.dispose() });
}
