/**
 * The manifest read path: text → problems + the tree model. Plain Node, no VS Code.
 * The tree model is built even when the file has problems, so the tree can show what
 * is there next to the error row; edits check `syntaxOk` before touching the file.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import { validateManifest } from './generated/validators';
import { checkLeakedKeys } from './leakGuard';
import type { Problem } from './problems';
import { checkManifestRules } from './rules';
import { reportSchemaErrors } from './schemaErrors';
import { findPair, loadYaml, ProblemList } from './yamlLoad';

import { connectionReference, DEFAULT_LOCATION, DEFAULT_MANIFEST_PATH } from './names';

export { connectionReference, DEFAULT_LOCATION, DEFAULT_MANIFEST_PATH };

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

export interface ManifestAnalysis {
  problems: Problem[];
  models: ModelInfo[];
  /** No YAML syntax errors: the file may be edited. */
  syntaxOk: boolean;
  errorCount: number;
}

const CONNECTION_FIELDS = new Set(['name', 'enabled', 'addedBy', 'addedOn', 'description']);

export function analyzeManifest(text: string): ManifestAnalysis {
  const loaded = loadYaml(text, 'manifest');
  const problems = new ProblemList(loaded.index);
  for (const p of loaded.problems) problems.add(p.code, p.severity, p.message, p.start, p.end);
  const doc = loaded.doc;
  let models: ModelInfo[] = [];
  if (doc && loaded.data !== undefined) {
    const data = loaded.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      if (data !== null) problems.add('schema-invalid-type', 'error', 'The manifest must be a mapping with `version: 1` and `models:`.', 0, text.length);
    } else {
      if (!validateManifest(data)) {
        reportSchemaErrors('manifest', validateManifest.errors ?? [], doc, data, problems, new Set(['<<', '__proto__']));
      }
      const built = buildModelsWithNodes(doc);
      models = built.models;
      checkManifestRules(models, built.nodes, problems);
    }
  }
  if (doc) checkLeakedKeys(doc, problems, 'manifest');
  return { problems: problems.items, models, syntaxOk: loaded.syntaxOk, errorCount: problems.items.filter((p) => p.severity === 'error').length };
}

function str(node: Node | null | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : isScalar(node) && typeof node.value === 'number' ? String(node.value) : undefined;
}

function span(node: Node | null | undefined, fallback: Span): Span {
  return node?.range ? { start: node.range[0], end: node.range[1] } : fallback;
}

/** The mapping nodes behind each model and connection, for the rules (not sent to the UI). */
export interface ModelNodes {
  model: YAMLMap;
  connections: YAMLMap[];
}

/** Reads the models straight from the document's nodes, tolerating wrong shapes. */
function buildModelsWithNodes(doc: Document.Parsed): { models: ModelInfo[]; nodes: ModelNodes[] } {
  const seq = findPair(doc.contents, 'models')?.value;
  const models: ModelInfo[] = [];
  const nodes: ModelNodes[] = [];
  if (!isSeq(seq)) return { models, nodes };
  seq.items.forEach((item, index) => {
    if (!isMap(item)) return;
    const connNodes: YAMLMap[] = [];
    nodes.push({ model: item, connections: connNodes });
    const itemSpan = span(item as Node, { start: 0, end: 0 });
    const nameNode = findPair(item, 'name')?.value;
    const connections: ConnectionInfo[] = [];
    const connSeq = findPair(item, 'connections')?.value;
    if (isSeq(connSeq)) {
      connSeq.items.forEach((c, ci) => {
        if (!isMap(c)) return;
        connNodes.push(c);
        const cSpan = span(c as Node, itemSpan);
        const cName = findPair(c, 'name')?.value;
        const enabledNode = findPair(c, 'enabled')?.value;
        const settings: Record<string, unknown> = {};
        for (const pair of c.items) {
          const key = isScalar(pair.key) ? pair.key.value : undefined;
          if (typeof key !== 'string' || CONNECTION_FIELDS.has(key) || key === '__proto__') continue;
          const v = pair.value as Node | null;
          settings[key] = isScalar(v) ? v.value : isMap(v) ? v.toJSON() : undefined;
        }
        connections.push({
          index: ci,
          name: str(cName) ?? `(connection ${ci + 1})`,
          enabled: !(isScalar(enabledNode) && enabledNode.value === false),
          addedBy: str(findPair(c, 'addedBy')?.value),
          addedOn: str(findPair(c, 'addedOn')?.value),
          description: str(findPair(c, 'description')?.value),
          settings,
          span: cSpan,
          nameSpan: span(cName, cSpan),
        });
      });
    }
    models.push({
      index,
      name: str(nameNode) ?? `(model ${index + 1})`,
      type: str(findPair(item, 'type')?.value),
      provider: str(findPair(item, 'provider')?.value),
      model: str(findPair(item, 'model')?.value),
      description: str(findPair(item, 'description')?.value),
      location: str(findPair(item, 'location')?.value) ?? DEFAULT_LOCATION,
      addedOn: str(findPair(item, 'addedOn')?.value),
      connections,
      span: itemSpan,
      nameSpan: span(nameNode, itemSpan),
    });
  });
  return { models, nodes };
}

