/** What the agents-file read path gives the assignments, the views and the CLI; types only. */
import type { Span } from '../manifest/types';
import type { Problem } from '../yaml/problems';

export interface AgentRef {
  name: string;
  description?: string;
  connection?: string;
  connectionSpan?: Span;
  span: Span;
  nameSpan: Span;
}

export interface SupervisorInfo extends AgentRef {
  /** Names in its `agents:` list: agents, or supervisors under it. */
  agents: string[];
  /** Where each of those names is written. */
  agentSpans: Span[];
}

export interface AgentsAnalysis {
  problems: Problem[];
  supervisors: SupervisorInfo[];
  agents: AgentRef[];
  syntaxOk: boolean;
}
