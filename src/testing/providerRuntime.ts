/**
 * The provider runtime: HTTP client, provider clients and the test runner. Bundled
 * separately (dist/providerRuntime.js) and loaded on the first test, so activation
 * does not pay for undici and the AWS signer.
 */
export { runBounded, testConnection } from '../core/providers/connectionTest';
export { createDispatcher } from '../core/net/http';
export { streamChat } from '../core/chat/stream';
export { countTokens } from '../core/chat/count';
import { loadAwsProfiles } from '../core/providers/bedrock';

/** The AWS profile names of this machine (Set Key…), from the AWS SDK's loader in its own bundle. */
export async function listAwsProfiles(): ReturnType<typeof import('../core/aws/profileCredentials').listAwsProfiles> {
  return (await loadAwsProfiles()).listAwsProfiles();
}
