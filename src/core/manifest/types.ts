/** The manifest's tree model (what the read path gives the rules, the trees, the form and the CLI); types only. */
import type { TMap } from '../yaml/yamlTree';

export interface Span {
  start: number;
  end: number;
}

export interface ConnectionInfo {
  index: number;
  name: string;
  enabled: boolean;
  addedBy?: string;
  addedOn?: string;
  description?: string;
  /** The provider settings as written (endpoint, region, baseUrl …), strings and plain objects only. */
  settings: Record<string, unknown>;
  span: Span;
  nameSpan: Span;
}

export interface ModelInfo {
  index: number;
  name: string;
  type?: string;
  provider?: string;
  model?: string;
  description?: string;
  location: string;
  addedOn?: string;
  connections: ConnectionInfo[];
  span: Span;
  nameSpan: Span;
}

/** The mapping nodes behind each model and connection, for the rules (not sent to the UI). */
export interface ModelNodes {
  model: TMap;
  connections: TMap[];
}
