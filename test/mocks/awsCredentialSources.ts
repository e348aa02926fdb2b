/**
 * The AWS credential sources an AWS profile reaches, on 127.0.0.1 (AWS SDKs reach them
 * through AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_STS):
 *
 * - IAM Identity Center portal, GetRoleCredentials: `GET /federation/credentials?account_id=…&role_name=…`
 *   with the cached SSO access token in `x-amz-sso_bearer_token`; 200 `{"roleCredentials":{accessKeyId,
 *   secretAccessKey, sessionToken, expiration (epoch ms)}}`, else 401 UnauthorizedException (unknown token)
 *   or 403 ForbiddenException (other account or role), as the SSO API reference documents.
 * - STS AssumeRole (Query protocol): `POST /` form body `Action=AssumeRole&Version=2011-06-15&RoleArn=…
 *   &RoleSessionName=…`, SigV4-signed for service `sts` with the source profile's keys (the mock checks the
 *   access key ID and the scope, not the signature); 200 `<AssumeRoleResponse>` XML, else 403
 *   `<ErrorResponse>` InvalidClientTokenId.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './types';

export interface AwsKeysForMock {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Default: one hour from the request. */
  expiration?: Date;
}

export interface AwsCredentialSourcesOptions {
  sso?: { accessToken: string; accountId: string; roleName: string; credentials: AwsKeysForMock };
  sts?: { sourceAccessKeyId: string; roleArn: string; credentials: AwsKeysForMock };
}

export interface AwsCredentialSources {
  readonly origin: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function startAwsCredentialSources(options: AwsCredentialSourcesOptions): Promise<AwsCredentialSources> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, value: unknown, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID(), ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(value));
      };
      const xml = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': crypto.randomUUID() });
        res.end(text);
      };
      if (req.method === 'GET' && url.pathname === '/federation/credentials' && options.sso) {
        const sso = options.sso;
        if (req.headers['x-amz-sso_bearer_token'] !== sso.accessToken) return json(401, { message: 'Session token not found or invalid' }, 'UnauthorizedException');
        if (url.searchParams.get('account_id') !== sso.accountId || url.searchParams.get('role_name') !== sso.roleName) return json(403, { message: 'No access' }, 'ForbiddenException');
        const c = sso.credentials;
        return json(200, { roleCredentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: (c.expiration ?? new Date(Date.now() + 3600_000)).getTime() } });
      }
      if (req.method === 'POST' && url.pathname === '/' && options.sts) {
        const sts = options.sts;
        const form = new URLSearchParams(body);
        const scope = /Credential=([^/]+)\/\d{8}\/[a-z0-9-]+\/sts\/aws4_request/.exec(String(req.headers.authorization ?? ''));
        if (form.get('Action') !== 'AssumeRole' || !scope || scope[1] !== sts.sourceAccessKeyId || form.get('RoleArn') !== sts.roleArn) {
          return xml(403, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`);
        }
        const c = sts.credentials;
        const session = form.get('RoleSessionName') ?? 'session';
        return xml(200, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROATESTEXAMPLE0000:${xmlEscape(session)}</AssumedRoleId><Arn>${xmlEscape(sts.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/'))}/${xmlEscape(session)}</Arn></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${xmlEscape(c.accessKeyId)}</AccessKeyId>
      <SecretAccessKey>${xmlEscape(c.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xmlEscape(c.sessionToken)}</SessionToken>
      <Expiration>${(c.expiration ?? new Date(Date.now() + 3600_000)).toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
      }
      json(404, { message: `not a route of this mock: ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
