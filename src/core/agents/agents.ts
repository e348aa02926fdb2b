/** Agent definition files (`*.agents.yaml`): supervisors, agents and their connection references. */
import type { Node } from 'yaml';
import { checkAgentsStructure, parseReference } from './assignments';
import { validateAgents } from '../generated/validators';
import { checkLeakedKeys } from '../secrets/leakGuard';
import { checkNameCharacters } from '../manifest/rules';
import { reportSchemaErrors } from '../manifest/schemaErrors';
import { quote } from '../yaml/text';
import { findPair, loadYaml, ProblemList } from '../yaml/yamlLoad';
import { yamlLib } from '../yaml/yamlLib';
import type { AgentRef, AgentsAnalysis, SupervisorInfo } from './types';

export type { AgentRef, AgentsAnalysis, SupervisorInfo };
export { parseReference };

export function analyzeAgents(text: string): AgentsAnalysis {
  const loaded = loadYaml(text, 'agents file');
  const { isMap, isScalar, isSeq } = yamlLib();
  const problems = new ProblemList(loaded.index);
  for (const p of loaded.problems) problems.add(p.code, p.severity, p.message, p.start, p.end);
  const supervisors: SupervisorInfo[] = [];
  const agents: AgentRef[] = [];
  const doc = loaded.doc;
  if (doc && loaded.data !== undefined && loaded.data !== null) {
    if (typeof loaded.data !== 'object' || Array.isArray(loaded.data)) {
      problems.add('schema-invalid-type', 'error', 'An agents file must be a mapping with `supervisors:` and/or `agents:`.', 0, text.length);
    } else {
      if (!validateAgents(loaded.data)) reportSchemaErrors('agents', validateAgents.errors ?? [], doc, loaded.data, problems, new Set(['<<', '__proto__']));
      const read = (item: unknown, i: number, kind: string): AgentRef | undefined => {
        if (!isMap(item)) return undefined;
        const node = item as Node;
        const whole = node.range ? { start: node.range[0], end: node.range[1] } : { start: 0, end: 0 };
        const nameNode = findPair(item, 'name')?.value;
        const connNode = findPair(item, 'connection')?.value;
        const str = (n: Node | null | undefined) => (isScalar(n) && typeof n.value === 'string' ? n.value : undefined);
        return {
          name: str(nameNode) ?? `(${kind} ${i + 1})`,
          description: str(findPair(item, 'description')?.value),
          connection: str(connNode),
          connectionSpan: connNode?.range ? { start: connNode.range[0], end: connNode.range[1] } : undefined,
          span: whole,
          nameSpan: nameNode?.range ? { start: nameNode.range[0], end: nameNode.range[1] } : whole,
        };
      };
      const sups = findPair(doc.contents, 'supervisors')?.value;
      if (isSeq(sups)) {
        sups.items.forEach((item, i) => {
          const ref = read(item, i, 'supervisor');
          if (!ref) return;
          const list = findPair(item, 'agents')?.value;
          const listed = isSeq(list) ? list.items.filter(isScalar) : [];
          supervisors.push({
            ...ref,
            agents: listed.map((s) => String(s.value)),
            agentSpans: listed.map((s) => (s.range ? { start: s.range[0], end: s.range[1] } : ref.nameSpan)),
          });
        });
      }
      const ags = findPair(doc.contents, 'agents')?.value;
      if (isSeq(ags)) ags.items.forEach((item, i) => { const ref = read(item, i, 'agent'); if (ref) agents.push(ref); });

      for (const [kind, list] of [['supervisor', supervisors], ['agent', agents]] as const) {
        for (const item of list) {
          checkNameCharacters(kind, item.name, item.nameSpan, problems);
          if (item.connection !== undefined && item.connectionSpan && !parseReference(item.connection)) {
            problems.add('reference-syntax', 'error', `${quote(item.connection)} is not a connection reference: write \`model/connection\`, e.g. \`gpt-4o/prod-key-1\`.`, item.connectionSpan.start, item.connectionSpan.end);
          }
        }
      }
      checkAgentsStructure(supervisors, agents, problems);
    }
  }
  // Agents files are committed too: a key-shaped string anywhere (values, keys, comments,
  // text after a syntax error) is an error that never repeats the value.
  checkLeakedKeys(doc, problems, 'agents');
  return { problems: problems.items, supervisors, agents, syntaxOk: loaded.syntaxOk };
}
