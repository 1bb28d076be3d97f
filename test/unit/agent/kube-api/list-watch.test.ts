// The list/watch client on the wire (agent/inventory/kube-api): paginated lists, the watch's query,
// 410 Gone as an HTTP status, event lines split across chunks, a rotated token on the next request,
// and TLS against a private CA. A small node:http(s) server plays the API server for each case.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeConnection } from '../../../../agent/inventory/kube-api/connection.ts';
import { type KubeObject, ListWatch } from '../../../../agent/inventory/kube-api/list-watch.ts';
import { KubeApi } from '../../../../agent/inventory/kube-api/request.ts';
import { LineSplitter, parseWatchEvent } from '../../../../agent/inventory/kube-api/watch-event.ts';

type Handler = (url: URL, req: IncomingMessage, res: ServerResponse) => void;
const servers: (Server | HttpsServer)[] = [];
const clients: { stop(): unknown }[] = [];

async function serve(handler: Handler, server: Server | HttpsServer = createServer()): Promise<string> {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => handler(new URL(req.url ?? '/', 'http://x'), req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const scheme = server instanceof HttpsServer ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const plain = (server: string, token = () => 't'): KubeConnection => ({ server, tls: { rejectUnauthorized: true }, token });
const pod = (name: string, rv: string) => ({ metadata: { name, namespace: 'shop', resourceVersion: rv } });
const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const names = (informer: ListWatch<KubeObject>) =>
  informer
    .list()
    .map((o) => o.metadata?.name)
    .sort();

function informer(api: KubeApi): ListWatch<KubeObject> {
  const lw = new ListWatch<KubeObject>('/api/v1/pods', api, () => api.list('/api/v1/pods'), {
    retry: { initialMs: 10, maxMs: 20 },
    watchTimeoutSeconds: () => 42,
  });
  clients.push({
    stop: async () => {
      await lw.stop();
      api.close();
    },
  });
  return lw;
}

describe('lists', () => {
  it('follows continue tokens through every page, and keeps the resourceVersion of the last', async () => {
    const seen: string[] = [];
    const url = await serve((u, _req, res) => {
      seen.push(u.search);
      const page = Number(u.searchParams.get('continue') ?? '0');
      json(res, 200, {
        metadata: { resourceVersion: String(100 + page), ...(page < 2 && { continue: String(page + 1) }) },
        items: [pod(`p${page}`, '1')],
      });
    });
    const api = new KubeApi(plain(url));
    clients.push({ stop: () => api.close() });
    const list = await api.list<KubeObject>('/api/v1/pods');
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['p0', 'p1', 'p2']);
    expect(list.metadata.resourceVersion).toBe('102');
    expect(seen).toEqual(['?limit=500', '?limit=500&continue=1', '?limit=500&continue=2']);
  });

  it('sends the token it reads at each request, so a rotated token is used from then on', async () => {
    const tokens: (string | undefined)[] = [];
    const url = await serve((_u, req, res) => {
      tokens.push(req.headers.authorization);
      json(res, 200, { metadata: { resourceVersion: '1' }, items: [] });
    });
    let current = 'old';
    const api = new KubeApi(plain(url, () => current));
    clients.push({ stop: () => api.close() });
    await api.list('/api/v1/pods');
    current = 'new';
    await api.list('/api/v1/pods');
    expect(tokens).toEqual(['Bearer old', 'Bearer new']);
  });

  it('rejects with the status code and the Status message of a refusal', async () => {
    const url = await serve((_u, _req, res) => json(res, 403, { kind: 'Status', message: 'pods is forbidden', code: 403 }));
    const api = new KubeApi(plain(url));
    clients.push({ stop: () => api.close() });
    await expect(api.list('/api/v1/pods')).rejects.toMatchObject({ statusCode: 403, message: 'pods is forbidden' });
  });
});

describe('watches', () => {
  it('asks for bookmarks and a server-side timeout from the list version, and reads events split across chunks', async () => {
    const watches: URL[] = [];
    const url = await serve((u, _req, res) => {
      if (u.searchParams.get('watch') !== 'true') return json(res, 200, { metadata: { resourceVersion: '7' }, items: [pod('a', '7')] });
      watches.push(u);
      res.writeHead(200);
      const line = `${JSON.stringify({ type: 'ADDED', object: pod('b', '8') })}\n`;
      res.write(line.slice(0, 10));
      setTimeout(() => res.write(line.slice(10)), 20);
    });
    const lw = informer(new KubeApi(plain(url)));
    await lw.start();
    await expect.poll(() => names(lw)).toEqual(['a', 'b']);
    expect(Object.fromEntries(watches[0]?.searchParams ?? [])).toEqual({
      watch: 'true',
      resourceVersion: '7',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '42',
    });
  });

  it('after a broken connection, watches again from the last version it saw, without listing again', async () => {
    let lists = 0;
    const watchedFrom: string[] = [];
    const url = await serve((u, _req, res) => {
      if (u.searchParams.get('watch') !== 'true') {
        lists += 1;
        return json(res, 200, { metadata: { resourceVersion: '3' }, items: [] });
      }
      watchedFrom.push(u.searchParams.get('resourceVersion') ?? '');
      res.writeHead(200);
      if (watchedFrom.length === 1) res.write(`${JSON.stringify({ type: 'ADDED', object: pod('a', '5') })}\n`, () => res.socket?.destroy());
    });
    const lw = informer(new KubeApi(plain(url)));
    await lw.start();
    await expect.poll(() => watchedFrom).toEqual(['3', '5']);
    expect(lists).toBe(1);
    expect(names(lw)).toEqual(['a']);
  });

  it('lists again when the watch is refused with HTTP 410, and reports what vanished as deleted', async () => {
    let lists = 0;
    const url = await serve((u, _req, res) => {
      if (u.searchParams.get('watch') === 'true') {
        if (lists === 1) return json(res, 410, { kind: 'Status', code: 410, reason: 'Expired' });
        return void res.writeHead(200).write('');
      }
      lists += 1;
      json(res, 200, { metadata: { resourceVersion: String(lists) }, items: lists === 1 ? [pod('a', '1'), pod('b', '1')] : [pod('a', '1')] });
    });
    const lw = informer(new KubeApi(plain(url)));
    const deleted: string[] = [];
    lw.on('delete', (o) => deleted.push(o.metadata?.name ?? ''));
    await lw.start();
    expect(lists).toBe(2);
    expect(names(lw)).toEqual(['a']);
    expect(deleted).toEqual(['b']);
  });

  it('reports an ERROR event other than 410 to its error listeners and stops watching', async () => {
    let watches = 0;
    const url = await serve((u, _req, res) => {
      if (u.searchParams.get('watch') !== 'true') return json(res, 200, { metadata: { resourceVersion: '1' }, items: [] });
      watches += 1;
      res.writeHead(200).write(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 500, message: 'etcd is sad' } })}\n`);
    });
    const lw = informer(new KubeApi(plain(url)));
    const errors: unknown[] = [];
    lw.on('error', (e) => errors.push(e));
    await lw.start();
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ statusCode: 500, message: 'etcd is sad' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(watches).toBe(1);
  });
});

describe('watch event lines', () => {
  it('parses each event type, and calls anything else invalid', () => {
    expect(parseWatchEvent('{"type":"MODIFIED","object":{"metadata":{"resourceVersion":"5"}}}')).toMatchObject({ type: 'MODIFIED', resourceVersion: '5' });
    expect(parseWatchEvent('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}')).toEqual({ type: 'BOOKMARK', resourceVersion: '9' });
    expect(parseWatchEvent('{"type":"ERROR","object":{"code":410,"message":"too old"}}')).toEqual({ type: 'ERROR', code: 410, message: 'too old' });
    expect(parseWatchEvent('{"type":"ADDED"}').type).toBe('INVALID');
    expect(parseWatchEvent('{"type":"SURPRISE","object":{}}').type).toBe('INVALID');
    expect(parseWatchEvent('{not json').type).toBe('INVALID');
  });

  it('splits a stream into lines, a multi-byte character cut between chunks included', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('{"a":"é"}\n\n{"b":1}\n{"c"');
    const cut = bytes.indexOf(0xa9); // the second byte of é
    expect(splitter.push(bytes.subarray(0, cut))).toEqual([]);
    expect(splitter.push(bytes.subarray(cut))).toEqual(['{"a":"é"}', '{"b":1}']);
    expect(splitter.push(Buffer.from(':2}\n'))).toEqual(['{"c":2}']);
  });
});

describe('TLS', () => {
  it('trusts a server certificate from the configured CA, and refuses it without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-kube-tls-'));
    // a self-signed certificate for 127.0.0.1 that is its own CA (node:crypto cannot issue certificates)
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=stand-in',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    const url = await serve((_u, _req, res) => json(res, 200, { metadata: { resourceVersion: '1' }, items: [pod('a', '1')] }), createTlsServer({ cert, key }));
    const trusting = new KubeApi({ server: url, tls: { ca: cert, rejectUnauthorized: true }, token: () => 't' });
    const untrusting = new KubeApi({ server: url, tls: { rejectUnauthorized: true }, token: () => 't' });
    clients.push({ stop: () => trusting.close() }, { stop: () => untrusting.close() });
    expect((await trusting.list('/api/v1/pods')).items).toHaveLength(1);
    await expect(untrusting.list('/api/v1/pods')).rejects.toThrow(/self[- ]signed/);
  });
});
