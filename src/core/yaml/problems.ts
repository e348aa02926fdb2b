import type { TextRange } from './text';

export type Severity = 'error' | 'warning' | 'information';

/** One problem in a manifest or agents file, with the exact range of the offending node. */
export interface Problem {
  /** Stable machine-readable id, e.g. `yaml-syntax`, `schema-unknown-key`, `duplicate-name`. */
  code: string;
  severity: Severity;
  message: string;
  /** Offsets into the text (UTF-16 code units), start inclusive, end exclusive. */
  start: number;
  end: number;
  range: TextRange;
}

export const MAX_PROBLEMS = 500;
