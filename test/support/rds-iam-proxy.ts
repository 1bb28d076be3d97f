// A stand-in for RDS Proxy's IAM authentication, on loopback: it speaks the Postgres wire protocol to
// the client, refuses TLS (`N` to an SSLRequest: the tests connect with sslmode=disable, where RDS
// Proxy would require TLS), asks for a cleartext password as RDS Proxy does, and checks it the way
// RDS does: a SigV4-presigned `connect` request (service rds-db) for this user and this host:port,
// signed by known credentials and not expired (15 minutes). An accepted connection is relayed, bytes
// as they are, to the real Postgres; a refused one gets Postgres's own ErrorResponse, 28P01.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

const SSL_REQUEST_CODE = 80_877_103;
const GSSENC_REQUEST_CODE = 80_877_104;
const PROTOCOL_3 = 196_608;
/** AuthenticationCleartextPassword: what RDS Proxy asks an IAM-authenticated client for. */
const CLEARTEXT_PASSWORD = 3;

export interface IamProxyAttempt {
  user: string;
  accepted: boolean;
  /** Why a token was refused. */
  reason?: string;
}

export interface RdsIamProxy {
  /** Where clients connect: postgres://USER@host:port/DATABASE. */
  host: string;
  port: number;
  attempts: IamProxyAttempt[];
  stop(): Promise<void>;
}

/** Reads whole messages off a socket: the first has no type byte (startup), later ones do. */
function messageReader(socket: Socket) {
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  });
  const need = async (bytes: number) => {
    while (buffered.length < bytes) {
      if (socket.destroyed) throw new Error('client went away');
      await new Promise<void>((resolve) => {
        waiting = resolve;
        socket.once('close', resolve);
      });
    }
  };
  return {
    async untyped(): Promise<Buffer> {
      await need(4);
      const length = buffered.readInt32BE(0);
      await need(length);
      const message = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      return message;
    },
    async typed(): Promise<{ type: string; body: Buffer }> {
      await need(5);
      const length = buffered.readInt32BE(1);
      await need(1 + length);
      const message = { type: String.fromCharCode(buffered[0]!), body: buffered.subarray(5, 1 + length) };
      buffered = buffered.subarray(1 + length);
      return message;
    },
    /** What arrived past the last message read, for the relay to pass on. */
    rest: () => buffered,
  };
}

function startupParameters(startup: Buffer): Record<string, string> {
  const fields = startup.subarray(8).toString('utf8').split('\0');
  const parameters: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) parameters[fields[i]!] = fields[i + 1]!;
  return parameters;
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function errorResponse(code: string, text: string): Buffer {
  const field = (tag: string, value: string) => Buffer.from(`${tag}${value}\0`, 'utf8');
  return message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]));
}

const amzDateToDate = (amzDate: string) => new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

/** Undefined when the token is good for `user` at `host:port`, else why not. */
async function refusal(token: string, user: string, host: string, port: number, secretOf: (accessKeyId: string) => string | undefined) {
  let url: URL;
  try {
    url = new URL(`https://${token}`);
  } catch {
    return 'not a presigned URL';
  }
  const params = url.searchParams;
  if (url.hostname !== host || Number(url.port) !== port) return `signed for ${url.host}, not ${host}:${port}`;
  if (params.get('Action') !== 'connect' || params.get('DBUser') !== user) return `not a connect request for ${user}`;
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/rds-db\/aws4_request$/.exec(params.get('X-Amz-Credential') ?? '');
  const secretAccessKey = credential ? secretOf(credential[1]!) : undefined;
  if (!credential || !secretAccessKey) return 'unknown credentials';
  const signingDate = amzDateToDate(params.get('X-Amz-Date') ?? '');
  const expiresIn = Number(params.get('X-Amz-Expires'));
  if (!(expiresIn > 0 && expiresIn <= 900) || Date.now() > signingDate.getTime() + expiresIn * 1000) return 'expired';
  const query: Record<string, string> = {};
  for (const [key, value] of params) if (!key.startsWith('X-Amz-')) query[key] = value;
  const request = new HttpRequest({ method: 'GET', protocol: 'https:', hostname: host, port, path: '/', query, headers: { host: `${host}:${port}` } });
  const signer = new SignatureV4({ credentials: { accessKeyId: credential[1]!, secretAccessKey }, region: credential[3]!, service: 'rds-db', sha256: Sha256 });
  const presigned = await signer.presign(request, { signingDate, expiresIn });
  return presigned.query?.['X-Amz-Signature'] === params.get('X-Amz-Signature') ? undefined : 'signature does not match';
}

export async function startRdsIamProxy(options: {
  /** The real Postgres behind the proxy. */
  upstream: { host: string; port: number };
  /** The secret of an access key the stand-in knows (aws-stand-in.ts's BASE_CREDENTIALS). */
  secretOf: (accessKeyId: string) => string | undefined;
}): Promise<RdsIamProxy> {
  const host = '127.0.0.1';
  const attempts: IamProxyAttempt[] = [];
  const sockets = new Set<Socket>();
  let port = 0;

  async function session(client: Socket) {
    const read = messageReader(client);
    let startup = await read.untyped();
    while (startup.readInt32BE(4) === SSL_REQUEST_CODE || startup.readInt32BE(4) === GSSENC_REQUEST_CODE) {
      client.write('N');
      startup = await read.untyped();
    }
    if (startup.readInt32BE(4) !== PROTOCOL_3) return client.end(errorResponse('08P01', 'unsupported frontend protocol'));
    const user = startupParameters(startup).user ?? '';
    const ask = Buffer.alloc(4);
    ask.writeInt32BE(CLEARTEXT_PASSWORD);
    client.write(message('R', ask));
    const password = await read.typed();
    if (password.type !== 'p') return client.end(errorResponse('08P01', 'expected a password message'));
    const token = password.body.subarray(0, password.body.indexOf(0)).toString('utf8');
    const reason = await refusal(token, user, host, port, options.secretOf);
    attempts.push({ user, accepted: reason === undefined, ...(reason && { reason }) });
    // The wording RDS Proxy uses for a refused IAM token; the code is what clients act on.
    if (reason) return client.end(errorResponse('28P01', `IAM authentication failed for user "${user}"`));
    const server = createConnection(options.upstream);
    sockets.add(server);
    server.once('close', () => sockets.delete(server));
    client.removeAllListeners('data');
    server.write(startup);
    const rest = read.rest();
    if (rest.length > 0) server.write(rest);
    client.pipe(server);
    server.pipe(client);
    server.on('error', () => client.destroy());
    client.on('error', () => server.destroy());
    client.once('close', () => server.destroy());
    server.once('close', () => client.destroy());
  }

  const listener: Server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => {});
    session(client).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => listener.listen(0, host, resolve));
  port = (listener.address() as { port: number }).port;
  return {
    host,
    port,
    attempts,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
