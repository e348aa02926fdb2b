/** What `agent-connections test` reports per connection (text, JSON and JUnit output); types only. */
import type { Outcome } from '../core/providers/types';

export interface CliResult {
  model: string;
  connection: string;
  provider: string;
  outcome: Outcome;
  status: number | null;
  latencyMs: number | null;
  message: string;
  hint: string;
  /** False when nothing was sent for want of credentials (missing_credentials). */
  tested: boolean;
  /** For a connection not tested: the variables to set. */
  variables?: string[];
}
