import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessKey } from './fake-ecr-api.js';
import { checkSigV4, readBody } from './sigv4.js';

// A local AWS STS speaking its query protocol for AssumeRole (form POST, XML answer, SigV4).
// The temporary credentials it issues are registered with the fake ECR API.

export interface FakeSts {
  readonly endpoint: string;
  readonly assumed: readonly { readonly roleArn: string; readonly sessionName: string; readonly externalId: string | undefined; readonly callerKey: string }[];
  stop(): Promise<void>;
}

export async function startFakeSts(options: {
  /** Keys allowed to assume roles (the source credentials). */
  readonly callers: ReadonlyMap<string, string>;
  /** The roles that exist, with the external id each requires, if any. */
  readonly roles: ReadonlyMap<string, string | undefined>;
  /** Receives each issued temporary credential, e.g. the fake ECR's `addAccessKey`. */
  readonly register: (accessKeyId: string, key: AccessKey) => void;
}): Promise<FakeSts> {
  const assumed: { roleArn: string; sessionName: string; externalId: string | undefined; callerKey: string }[] = [];
  const xmlError = (code: string, message: string) =>
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomBytes(8).toString('hex')}</RequestId></ErrorResponse>`;

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const reply = (status: number, xml: string) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(xml);
      };
      const signature = checkSigV4({ method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body }, (id) => options.callers.get(id));
      if (!signature.ok) return reply(403, xmlError('InvalidClientTokenId', signature.message));
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Action') !== 'AssumeRole') return reply(400, xmlError('InvalidAction', `Could not find operation ${form.get('Action')}`));
      const roleArn = form.get('RoleArn') ?? '';
      const externalId = form.get('ExternalId') ?? undefined;
      if (!options.roles.has(roleArn) || options.roles.get(roleArn) !== externalId) {
        return reply(403, xmlError('AccessDenied', `User: arn:aws:iam::000000000000:user/${signature.accessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`));
      }
      const sessionName = form.get('RoleSessionName') ?? '';
      assumed.push({ roleArn, sessionName, externalId, callerKey: signature.accessKeyId });
      const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
      const secretAccessKey = randomBytes(30).toString('base64');
      const sessionToken = randomBytes(60).toString('base64');
      options.register(accessKeyId, { secretAccessKey, sessionToken });
      const expiration = new Date(Date.now() + Number(form.get('DurationSeconds') ?? 3600) * 1000).toISOString();
      reply(
        200,
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>` +
          `<AssumedRoleUser><Arn>${roleArn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/')}/${sessionName}</Arn><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${sessionName}</AssumedRoleId></AssumedRoleUser>` +
          `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secretAccessKey}</SecretAccessKey><SessionToken>${sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          `</AssumeRoleResult><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    assumed,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
