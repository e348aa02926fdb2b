/**
 * Entry of dist/core.js: the part of the core built on the `yaml` library and the
 * precompiled validators (about 250 KB minified). The manifest worker loads it at once;
 * the extension host loads it through `lazyCore.ts` on the first edit, form or fallback
 * analysis, so activation does not pay for it.
 */
export { analyzeManifest } from './core/manifest';
export { analyzeAgents } from './core/agents';
export { addConnection, addModel, applyEdits, deleteConnection, deleteModel, EditError, setConnectionEnabled, updateConnection, updateModel } from './core/edit';
export { clearAgentConnection, setAgentConnection } from './core/agentsEdit';
export * as form from './core/form';
// The leak guard's quick fix and Import / Export in the editor (leakFix.ts, importExportCommands.ts).
export { findLeakedKeysInText, leakAt } from './core/leakGuard';
export { findLeakAgain, leakCredentialKind, leakFitsProvider, leakFixEdits } from './core/leakFix';
export { importSummary, inlineKeyGroups, lineOfOffset, minimalEdit, planImport } from './core/importPlan';
export { ImportError, inlineKeyValue, isoToday } from './core/importers/common';
export { importLiteLLM } from './core/importers/litellm';
export { importContinue } from './core/importers/continue';
export { ExportError, exportLiteLLM } from './core/exporters/litellm';
