/**
 * A Microsoft Entra ID token endpoint on 127.0.0.1 for EnvironmentCredential tests, over
 * HTTPS with the mocks' self-signed certificate (MSAL refuses an http authority). It
 * serves the authority as AD FS does (`AZURE_TENANT_ID=adfs`): MSAL then takes the
 * authority as given and asks no instance discovery of the public cloud. Routes:
 *   GET  /adfs/.well-known/openid-configuration
 *   POST /adfs/oauth2/v2.0/token   client_credentials; wrong client or secret → 401 invalid_client (AADSTS7000215)
 * The client's process must trust `certPem` (NODE_EXTRA_CA_CERTS).
 */
import * as https from 'node:https';
import { selfSignedCert } from './server';
import { listen } from './trap';

export interface EntraAuthority {
  readonly origin: string;
  readonly certPem: string;
  /** `METHOD path` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startEntraAuthority(opts: { token: string; clientId: string; clientSecret: string }): Promise<EntraAuthority> {
  const { key, cert } = await selfSignedCert();
  const requests: string[] = [];
  let origin = '';
  const server = https.createServer({ key, cert }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      requests.push(`${req.method ?? ''} ${path}`);
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
      if (req.method === 'GET' && path === '/adfs/.well-known/openid-configuration') {
        return json(200, {
          issuer: `${origin}/adfs`, authorization_endpoint: `${origin}/adfs/oauth2/v2.0/authorize`, token_endpoint: `${origin}/adfs/oauth2/v2.0/token`,
          jwks_uri: `${origin}/adfs/discovery/keys`, end_session_endpoint: `${origin}/adfs/oauth2/v2.0/logout`,
        });
      }
      if (req.method === 'POST' && path === '/adfs/oauth2/v2.0/token') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'https://cognitiveservices.azure.com/.default') {
          return json(400, { error: 'invalid_request', error_description: 'AADSTS900144: The request body must contain the following parameter: scope.' });
        }
        if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) {
          return json(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${form.get('client_id') ?? ''}'.`, error_codes: [7000215] });
        }
        return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: opts.token });
      }
      json(404, { error: 'not_found' });
    });
  });
  await listen(server);
  const address = server.address();
  origin = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { origin, certPem: cert, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
