/** Names shared by the read path, the extension and the CLI; no dependencies, safe to load at activation. */

export const DEFAULT_MANIFEST_PATH = 'agent-connections.yaml';
export const DEFAULT_LOCATION = 'Default';

/** `model/connection`, the reference agents files use. */
export function connectionReference(model: string, connection: string): string {
  return `${model}/${connection}`;
}
