import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * An HTTP handler that answers the SDK instead of AWS, with responses in the exact wire shapes AWS
 * documents (XML for query and REST-XML services, JSON with `__type` or `x-amzn-ErrorType` for the
 * JSON ones). Unlike aws-sdk-client-mock, which replaces `send`, every request goes through the
 * whole SDK stack: serialisers, retries, deserialisers and bedrock-monitor's own middleware.
 */

export interface FakeRequest {
  method: string;
  hostname: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Route = (req: FakeRequest) => FakeResponse | undefined;

/** Every request the handler saw, with the route's answer. */
export interface FakeAws {
  handler: unknown;
  requests: FakeRequest[];
}

interface SdkHttpRequest {
  method: string;
  hostname: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array)
    return new TextDecoder().decode(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  return '';
}

type SdkResponse = { response: { statusCode: number; headers: Record<string, string>; body: Readable } };

function asFake(request: SdkHttpRequest): FakeRequest {
  return {
    method: request.method,
    hostname: request.hostname,
    path: request.path,
    query: request.query ?? {},
    headers: request.headers,
    body: bodyText(request.body),
  };
}

function respond(answer: FakeResponse): Promise<SdkResponse> {
  const body = answer.body ?? '';
  return Promise.resolve({
    response: {
      statusCode: answer.status,
      headers: {
        'content-length': String(Buffer.byteLength(body)),
        'x-amzn-requestid': 'fake-request-id',
        ...answer.headers,
      },
      body: Readable.from([Buffer.from(body)]),
    },
  });
}

const answerOf = (routes: Route[], req: FakeRequest): FakeResponse | undefined =>
  routes.reduce<FakeResponse | undefined>((found, route) => found ?? route(req), undefined);

/** Routes are tried in order; an unrouted request is a test bug, answered with a 599 that names it. */
export function fakeAws(...routes: Route[]): FakeAws {
  const requests: FakeRequest[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle(request: SdkHttpRequest): Promise<SdkResponse> {
      const req = asFake(request);
      requests.push(req);
      return respond(
        answerOf(routes, req) ?? {
          status: 599,
          body:
            `fake-aws: no route for ${req.method} ${req.hostname}${req.path} ` +
            `${req.headers['x-amz-target'] ?? ''} ${req.body.slice(0, 80)}`,
        },
      );
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
  return { handler, requests };
}

/**
 * In front of a real endpoint (the emulator): a request a route answers gets the fake answer, in
 * AWS's wire shape; every other request goes through unchanged. One fault in an otherwise real run.
 */
export function faultsInFront(...routes: Route[]): FakeAws {
  const inner = new NodeHttpHandler();
  const requests: FakeRequest[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle(request: SdkHttpRequest, options?: unknown): Promise<unknown> {
      const req = asFake(request);
      requests.push(req);
      const answer = answerOf(routes, req);
      return answer ? respond(answer) : inner.handle(request as never, options as never);
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => inner.destroy(),
  };
  return { handler, requests };
}

// Matchers for the protocols the tool uses.

/** A query-protocol call (IAM, STS, SNS): `Action=...` in the form body. */
export const queryAction =
  (host: string, action: string) =>
  (req: FakeRequest): boolean =>
    req.hostname.startsWith(host) && new URLSearchParams(req.body).get('Action') === action;

/** A JSON-protocol call (CloudWatch, CloudWatch Logs): the operation in X-Amz-Target. */
export const jsonTarget =
  (host: string, operation: string) =>
  (req: FakeRequest): boolean =>
    req.hostname.startsWith(host) && (req.headers['x-amz-target'] ?? '').endsWith(`.${operation}`);

/** An S3 call on a bucket sub-resource, e.g. `?versioning`. */
export const s3Sub =
  (method: string, sub: string | undefined) =>
  (req: FakeRequest): boolean =>
    req.hostname.includes('s3') &&
    req.method === method &&
    (sub === undefined ? Object.keys(req.query).length === 0 : sub in req.query);

export const when =
  (match: (req: FakeRequest) => boolean, response: FakeResponse): Route =>
  (req) =>
    match(req) ? response : undefined;

// Responses in AWS's documented wire shapes.

export const xml = (status: number, body: string): FakeResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body,
});

export const stsIdentity = (account: string): FakeResponse =>
  xml(
    200,
    `<GetCallerIdentityResponse ` +
      (`xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>` +
        `arn:aws:iam::${account}:user/tester</Arn><UserId>AIDAEXAMPLE</UserId><Account>${account}</Account></` +
        `GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></` +
        `GetCallerIdentityResponse>`),
  );

/** Query-protocol error (IAM, STS, SNS). */
export const queryError = (
  status: number,
  code: string,
  message: string,
  ns = 'https://iam.amazonaws.com/doc/2010-05-08/',
): FakeResponse =>
  xml(
    status,
    `<ErrorResponse ` +
      (`xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</` +
        `Message></Error><RequestId>fake</RequestId></ErrorResponse>`),
  );

/** REST-XML error (S3). */
export const s3Error = (status: number, code: string, message: string): FakeResponse =>
  xml(
    status,
    `<?xml version="1.0" ` +
      (`encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
        `<RequestId>fake</RequestId><HostId>fake</HostId></Error>`),
  );

/** AWS JSON 1.0/1.1 error (CloudWatch, CloudWatch Logs): the code in `__type`. */
export const jsonError = (status: number, type: string, message: string): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({ __type: type, message }),
});

/** REST-JSON error (Bedrock): the code in the x-amzn-ErrorType header. */
export const restJsonError = (status: number, type: string, message: string): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
  body: JSON.stringify({ message }),
});

export const json = (body: unknown, contentType = 'application/x-amz-json-1.0'): FakeResponse => ({
  status: 200,
  headers: { 'content-type': contentType },
  body: JSON.stringify(body),
});
