/**
 * Entry of dist/core.js: the part of the core built on the `yaml` library and the
 * precompiled validators (about 250 KB minified). The manifest worker loads it at once;
 * the extension host loads it through `lazyCore.ts` on the first edit, form or fallback
 * analysis, so activation does not pay for it.
 */
export { analyzeManifest } from './core/manifest/manifest';
export { analyzeAgents } from './core/agents/agents';
export { addConnection, addModel, applyEdits, deleteConnection, deleteModel, EditError, setConnectionEnabled, updateConnection, updateModel } from './core/manifest/edit';
export { clearAgentConnection, setAgentConnection } from './core/agents/agentsEdit';
export * as form from './core/form/form';
// The leak guard's quick fix and Import / Export in the editor (leakFix.ts, importExportCommands.ts).
export { findLeakedKeysInText, leakAt } from './core/secrets/leakGuard';
export { findLeakAgain, leakCredentialKind, leakFitsProvider, leakFixEdits } from './core/secrets/leakFix';
export { importSummary, inlineKeyGroups, lineOfOffset, minimalEdit, planImport } from './core/import-export/importPlan';
export { ImportError, inlineKeyValue, isoToday } from './core/import-export/importers/common';
export { importLiteLLM } from './core/import-export/importers/litellm';
export { importContinue } from './core/import-export/importers/continue';
export { ExportError, exportLiteLLM } from './core/import-export/exporters/litellm';
