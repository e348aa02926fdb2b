/**
 * The analysis of a file whose bytes are not UTF-8 text (core/yaml/encoding.ts says why):
 * that one problem, nothing read from it, and `syntaxOk: false`, so no edit touches it.
 * Kept out of manifest.ts and agents.ts so the extension can use it without loading `yaml`.
 */
import type { AgentsAnalysis } from '../agents/types';
import type { Problem } from '../yaml/problems';
import type { ManifestAnalysis } from './manifest';

/** The analysis of a manifest whose bytes are not UTF-8 text: that problem only, no models, no edits. */
export function unreadableManifest(problem: Problem): ManifestAnalysis {
  return { problems: [problem], models: [], syntaxOk: false, errorCount: 1 };
}

/** The analysis of an agents file whose bytes are not UTF-8 text: that problem only, no edits. */
export function unreadableAgents(problem: Problem): AgentsAnalysis {
  return { problems: [problem], supervisors: [], agents: [], syntaxOk: false };
}
