// The long-poll client against a stand-in bundle server (node:http, speaking the contract of
// api/routes/agent/bundle.ts: Bearer token, If-None-Match "r<rev>", ?wait=N, 200 application/jose
// with ETag, or 304). Checks the request it sends, the size cap while reading, backoff with jitter,
// and that an oversize or refused bundle changes nothing in the daemon.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../../agent/bundle/backoff.ts';
import { type BundleDisposition, fetchBundle, pollBundles } from '../../../agent/bundle/client.ts';
import { BUNDLE_DELTA_CONTENT_TYPE, diffBundles } from '../../../policy/bundle/delta.ts';
import { eventually, makeDaemon, makeKeys, newIdentity, payload, policyNamed, RecordingDataplane, signed, statusRecorder, tempDir } from './daemon-fixtures.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface StandIn {
  url: string;
  requests: { url: string; headers: IncomingMessage['headers']; at: number }[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

const servers: StandIn[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function standIn(): Promise<StandIn> {
  let handler: Handler = (_req, res) => res.writeHead(304).end();
  const requests: StandIn['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers, at: Date.now() });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const entry: StandIn = {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(entry);
  return entry;
}

const token = async () => 'pag_secret';

describe('fetchBundle', () => {
  it('sends the token, the known revision and the wait, and returns the JWS with the claimed revision', async () => {
    const server = await standIn();
    server.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/jose', etag: '"r8"' }).end('a.b.c'));
    const result = await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 7, waitSeconds: 25, maxBytes: 1024 });
    expect(result).toEqual({ kind: 'bundle', jws: 'a.b.c', bytes: 5, claimedRevision: 8 });
    const [request] = server.requests;
    expect(request!.url).toBe('/v1/agent/bundle?wait=25');
    expect(request!.headers.authorization).toBe('Bearer pag_secret');
    expect(request!.headers['if-none-match']).toBe('"r7"');
  });

  it('asks for br or gzip and hands on the decoded JWS, whichever coding the server picked', async () => {
    const jws = `${'eyJ'.repeat(400)}.${'A'.repeat(3000)}.sig`;
    for (const coding of ['br', 'gzip'] as const) {
      const server = await standIn();
      const body = coding === 'br' ? brotliCompressSync(jws) : gzipSync(jws);
      server.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/jose', 'content-encoding': coding, etag: '"r8"' }).end(body));
      const result = await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 7, waitSeconds: 0, maxBytes: 1024 * 1024 });
      expect(server.requests[0]!.headers['accept-encoding']).toBe('br, gzip');
      expect(result).toEqual({ kind: 'bundle', jws, bytes: jws.length, claimedRevision: 8 });
    }
  });

  it('caps the decoded size: a small compressed body that inflates past the limit is refused', async () => {
    const server = await standIn();
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 'A'));
    server.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/jose', 'content-encoding': 'gzip', etag: '"r8"' }).end(bomb));
    const result = await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 7, waitSeconds: 0, maxBytes: 100_000 });
    expect(bomb.byteLength).toBeLessThan(100_000);
    expect(result).toMatchObject({ kind: 'failed', code: 'TOO_LARGE' });
  });

  it('sends no If-None-Match when nothing is applied, and reads 304 as not modified', async () => {
    const server = await standIn();
    const result = await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 0, waitSeconds: 0, maxBytes: 1024 });
    expect(result).toEqual({ kind: 'not-modified' });
    expect(server.requests[0]!.headers['if-none-match']).toBeUndefined();
  });

  it('names the failure: unauthorized, server error, unreachable', async () => {
    const server = await standIn();
    server.handle((_req, res) => res.writeHead(401).end('{"code":"UNAUTHORIZED"}'));
    expect(await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 1, waitSeconds: 0, maxBytes: 1024 })).toMatchObject({
      kind: 'failed',
      code: 'UNAUTHORIZED',
      status: 401,
    });
    server.handle((_req, res) => res.writeHead(503).end());
    expect(await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 1, waitSeconds: 0, maxBytes: 1024 })).toMatchObject({
      kind: 'failed',
      code: 'HTTP_STATUS',
      status: 503,
    });
    await server.close();
    expect(await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 1, waitSeconds: 0, maxBytes: 1024 })).toMatchObject({
      kind: 'failed',
      code: 'NETWORK',
    });
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const server = await standIn();
    server.handle((_req, res) => res.writeHead(200, { 'content-length': 5_000 }).end('x'.repeat(5_000)));
    expect(await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 1, waitSeconds: 0, maxBytes: 1_000 })).toMatchObject({
      kind: 'failed',
      code: 'TOO_LARGE',
    });
  });

  it('stops reading an endless body just past the limit instead of buffering it', async () => {
    const server = await standIn();
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let written = 0;
    let closedEarly = false;
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jose', etag: '"r9"' }); // chunked, no length
      const pump = () => {
        while (written < 512 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        closedEarly = !res.writableFinished;
      });
      pump();
    });
    const result = await fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 1, waitSeconds: 0, maxBytes: 256 * 1024 });
    expect(result).toMatchObject({ kind: 'failed', code: 'TOO_LARGE', claimedRevision: 9 });
    await eventually(() => closedEarly, 5_000, 'the server to see the connection dropped');
    // Socket buffers hold some megabytes at most; nothing near the 512 MiB on offer was sent.
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('is abortable in the middle of a long-poll', async () => {
    const server = await standIn();
    server.handle(() => undefined); // never answers
    const controller = new AbortController();
    const pending = fetchBundle({ controlPlaneUrl: server.url, token, knownRevision: 1, waitSeconds: 60, maxBytes: 1024, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toEqual({ kind: 'aborted' });
  });
});

describe('Backoff', () => {
  it('doubles up to the ceiling, with half the delay random', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 0);
    expect([1, 2, 3, 4, 5].map(() => low.next())).toEqual([50, 100, 200, 400, 500]);
    const high = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([100, 200, 400, 800, 1_000]);
    high.reset();
    expect(high.next()).toBe(100);
  });
});

describe('pollBundles', () => {
  it('backs off after errors, polls on at once after success, and stops when aborted', async () => {
    const server = await standIn();
    let calls = 0;
    server.handle((_req, res) => {
      calls += 1;
      if (calls <= 3) return void res.writeHead(500).end();
      if (calls === 4) return void res.writeHead(200, { etag: '"r2"' }).end('x.y.z');
      setTimeout(() => res.writeHead(304).end(), 30);
    });
    const failures: string[] = [];
    const offered: string[] = [];
    const controller = new AbortController();
    const loop = pollBundles(
      {
        controlPlaneUrl: server.url,
        token,
        waitSeconds: 1,
        maxBytes: 1024,
        errorBackoff: { initialMs: 40, maxMs: 1_000 },
        minPollIntervalMs: 0,
        random: () => 1,
      },
      {
        knownRevision: () => (offered.length > 0 ? 2 : 1),
        onBundle: async (bundle) => {
          offered.push(bundle.jws);
          return 'accepted' as BundleDisposition;
        },
        onFailure: (failure) => failures.push(failure.code),
      },
      controller.signal,
    );
    await eventually(() => server.requests.length >= 6, 5_000, 'six requests');
    controller.abort();
    await loop;
    expect(failures).toEqual(['HTTP_STATUS', 'HTTP_STATUS', 'HTTP_STATUS']);
    expect(offered).toEqual(['x.y.z']);
    const gaps = server.requests.slice(1, 4).map((request, i) => request.at - server.requests[i]!.at);
    // random() = 1 draws the full delay: 40, 80, 160 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);
    expect(server.requests[5]!.headers['if-none-match']).toBe('"r2"');
  });

  it('slows down after a refused bundle instead of fetching it again in a tight loop', async () => {
    const server = await standIn();
    server.handle((_req, res) => res.writeHead(200, { etag: '"r3"' }).end('bad.bundle.here'));
    const controller = new AbortController();
    const loop = pollBundles(
      { controlPlaneUrl: server.url, token, waitSeconds: 1, maxBytes: 1024, rejectBackoff: { initialMs: 100, maxMs: 100 }, random: () => 1 },
      { knownRevision: () => 1, onBundle: async () => 'rejected', onFailure: () => undefined },
      controller.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 450));
    controller.abort();
    await loop;
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(server.requests.length).toBeLessThanOrEqual(6);
  });
});

describe('the daemon behind the client', () => {
  it('asks for a delta against the bundle it holds and applies the rebuilt bundle', async () => {
    const keys = await makeKeys();
    const identity = newIdentity();
    const dataplane = new RecordingDataplane();
    const dir = await tempDir();
    const server = await standIn();
    const third = await signed(keys, payload(identity, 3, { policy: policyNamed('web') }));
    const fourth = await signed(keys, payload(identity, 4, { policy: policyNamed('api') }));
    server.handle((req, res) => {
      if (req.headers['if-none-match'] === undefined) return void res.writeHead(200, { 'content-type': 'application/jose', etag: '"r3"' }).end(third);
      if (req.headers['if-none-match'] !== '"r3"') return void res.writeHead(304).end();
      const delta = diffBundles({ revision: 3, jws: third }, { revision: 4, jws: fourth });
      res.writeHead(226, { 'content-type': BUNDLE_DELTA_CONTENT_TYPE, im: 'palisade-delta', etag: '"r4"' }).end(JSON.stringify(delta));
    });
    const status = statusRecorder();
    const statusFetch: typeof fetch = (input, init) => (String(input).endsWith('/v1/agent/status') ? status.fetch(input, init) : fetch(input, init));
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path, controlPlaneUrl: server.url, fetch: statusFetch });
    try {
      await daemon.start();
      await eventually(() => daemon.appliedRevision === 4, 5_000, 'revision 4');
      expect(dataplane.revisions).toEqual([3, 4]);
      const asked = server.requests.find((request) => request.headers['if-none-match'] === '"r3"');
      expect(asked!.headers['a-im']).toBe('palisade-delta');
    } finally {
      await daemon.stop();
      await dir.remove();
    }
  });

  it('applies a bundle that arrived brotli-compressed', async () => {
    const keys = await makeKeys();
    const identity = newIdentity();
    const dataplane = new RecordingDataplane();
    const dir = await tempDir();
    const server = await standIn();
    const good = await signed(keys, payload(identity, 3));
    server.handle((req, res) => {
      if (req.headers['if-none-match'] !== undefined) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/jose', 'content-encoding': 'br', etag: '"r3"' }).end(brotliCompressSync(good));
    });
    const status = statusRecorder();
    const statusFetch: typeof fetch = (input, init) => (String(input).endsWith('/v1/agent/status') ? status.fetch(input, init) : fetch(input, init));
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path, controlPlaneUrl: server.url, fetch: statusFetch });
    try {
      await daemon.start();
      await eventually(() => daemon.appliedRevision === 3, 5_000, 'revision 3');
      expect(dataplane.revisions).toEqual([3]);
    } finally {
      await daemon.stop();
      await dir.remove();
    }
  });

  it('refuses an oversize body: no re-apply, revision kept, reason reported', async () => {
    const keys = await makeKeys();
    const identity = newIdentity();
    const dataplane = new RecordingDataplane();
    const status = statusRecorder();
    const dir = await tempDir();
    const server = await standIn();
    const good = await signed(keys, payload(identity, 3));
    server.handle((req, res) => {
      if (req.headers['if-none-match'] === undefined) return void res.writeHead(200, { 'content-type': 'application/jose', etag: '"r3"' }).end(good);
      res.writeHead(200, { 'content-type': 'application/jose', etag: '"r4"' });
      res.end('x'.repeat(200_000));
    });
    const statusFetch: typeof fetch = (input, init) => (String(input).endsWith('/v1/agent/status') ? status.fetch(input, init) : fetch(input, init));
    const daemon = makeDaemon({ identity, keys, dataplane, stateDir: dir.path, controlPlaneUrl: server.url, fetch: statusFetch, maxBundleBytes: 100_000 });
    try {
      await daemon.start();
      await eventually(() => daemon.appliedRevision === 3, 5_000, 'revision 3');
      await eventually(() => daemon.status().errors.some((error) => error.code === 'TOO_LARGE'), 5_000, 'TOO_LARGE reported');
      expect(daemon.status().errors).toContainEqual(expect.objectContaining({ code: 'TOO_LARGE', revision: 4 }));
      expect(dataplane.revisions).toEqual([3]);
      expect(daemon.appliedRevision).toBe(3);
      await eventually(() => status.posts.some((post) => post.errors.some((error) => error.code === 'TOO_LARGE')), 5_000, 'a status post naming TOO_LARGE');
    } finally {
      await daemon.stop();
      await dir.remove();
    }
  });
});
