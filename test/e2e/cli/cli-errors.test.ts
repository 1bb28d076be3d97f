// Every way a palisade command fails, with its documented exit code (2 usage, 3 auth, 4 not found,
// 5 refused, 6 anything else) and its one-line message naming the field and the next step, against
// a real control plane on the embedded default, an address nothing listens on, and a server that is
// not palisade.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createCluster, signUp } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { type CliHarness, cliHarness } from './cli-harness.ts';

const policy = (name: string, extra = '') => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}${extra}}
spec: {podSelector: {}}
`;

/** Exactly one line on stderr, and nothing on stdout. */
const failure = (code: number, message: RegExp) => ({ code, stdout: '', stderr: expect.stringMatching(new RegExp(`^error: ${message.source}\n$`)) });

describe('palisade CLI errors', () => {
  let control: TestControlPlane;
  let cli: CliHarness;
  let env: Record<string, string>;
  let viewerEnv: Record<string, string>;
  let files: string;
  let notPalisade: Server;

  beforeAll(async () => {
    control = await startTestControlPlane('pglite');
    const api = apiClient(control.url);
    const { key } = await signUp(api);
    await createCluster(api, key, 'prod');
    const viewer = await api.post('/v1/api-keys', { key, body: { name: 'read-only', role: 'viewer' } });
    cli = cliHarness();
    env = { PALISADE_URL: control.url, PALISADE_API_KEY: key };
    viewerEnv = { PALISADE_URL: control.url, PALISADE_API_KEY: viewer.body.key };
    files = mkdtempSync(join(tmpdir(), 'palisade-cli-files-'));
    writeFileSync(join(files, 'good.yaml'), policy('good'));
    writeFileSync(join(files, 'invalid.yaml'), `${policy('fine')}---\n${policy('Not_A_Name')}`);
    writeFileSync(join(files, 'broken.yaml'), 'metadata: [\n');
    writeFileSync(join(files, 'elsewhere.yaml'), policy('elsewhere', ', namespace: shop'));
    notPalisade = createServer((request, response) => {
      if (request.url?.startsWith('/v1/clusters')) response.writeHead(200, { 'content-type': 'application/json' }).end('{"items":"none"}');
      else response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => notPalisade.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await control?.stop();
    cli?.remove();
    if (files) rmSync(files, { recursive: true, force: true });
    notPalisade?.close();
  });

  it('exits 2 on usage errors, saying where the help is', async () => {
    expect(await cli.run(['bogus'], { env })).toEqual(failure(2, /unknown command bogus; see `palisade --help` for the commands/));
    expect(await cli.run(['apply', '-f', files, '--cluster', 'prod', '--bogus'], { env })).toEqual(
      failure(2, /Unknown option '--bogus'; see `palisade apply --help`/),
    );
    expect(await cli.run(['apply', '--cluster', 'prod'], { env })).toEqual(failure(2, /-f FILE\|DIR is required; see `palisade apply --help`/));
    expect(await cli.run(['diff', '-f', files], { env })).toEqual(failure(2, /--cluster is required; see `palisade diff --help`/));
    expect(await cli.run(['apply', '-f', join(files, 'missing.yaml'), '--cluster', 'prod'], { env })).toEqual(
      failure(2, /-f .*missing\.yaml: no such file or directory; check the path/),
    );
    expect(await cli.run(['get', 'policies', '--cluster', 'prod', '-o', 'xml'], { env })).toEqual(
      failure(2, /-o xml: get prints table, wide, yaml, json; see `palisade get --help`/),
    );
    expect(await cli.run(['get', 'pods', '--cluster', 'prod'], { env })).toEqual(
      failure(2, /cannot get pods: get policies or get policy NAME; see `palisade get --help`/),
    );
    expect(await cli.run(['clusters'], { env })).toEqual(failure(2, /clusters needs an action: list, get or create; see `palisade clusters --help`/));
    expect(await cli.run(['explain', '--cluster', 'prod', '--from', 'shop/a', '--to', 'shop/b', '--port', '80/ICMP'], { env })).toEqual(
      failure(2, /--port 80\/ICMP: expected PORT\[\/TCP\|UDP\|SCTP\], e\.g\. 80\/TCP; see `palisade explain --help`/),
    );
    expect(await cli.run(['explain', '--cluster', 'prod', '--from', 'a', '--to', 'shop/b', '--port', '80'], { env })).toEqual(
      failure(2, /--from a: expected NAMESPACE\/POD; see `palisade explain --help`/),
    );
    expect(await cli.run(['flows', '--cluster', 'prod', '--verdict', 'maybe'], { env })).toEqual(
      failure(2, /--verdict maybe: expected allow, deny or log; see `palisade flows --help`/),
    );
    expect(await cli.run(['completion', 'fish'])).toEqual(failure(2, /no completion for fish: bash or zsh; see `palisade completion --help`/));
    expect(await cli.run(['login'])).toEqual(failure(2, /--url is required; see `palisade login --help`/));
    expect(await cli.run(['login', '--url', 'localhost:8080'])).toEqual(
      failure(2, /--url localhost:8080 is not an http\(s\) URL \(e\.g\. https:\/\/palisade\.example\.com\); see `palisade login --help`/),
    );
    expect(await cli.run(['login', '--url', control.url])).toEqual(
      failure(2, /no API key given: pipe it in with --api-key-stdin, or set PALISADE_API_KEY; see `palisade login --help`/),
    );
    const none = await cli.run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Exit codes:');
  });

  it('exits 3 when not logged in, when the key is refused, and when its role is too low', async () => {
    expect(await cli.run(['clusters', 'list'])).toEqual(
      failure(3, /not logged in \(no control plane URL\); run `palisade login --url URL`, or set PALISADE_URL and PALISADE_API_KEY/),
    );
    expect(await cli.run(['login', '--url', control.url, '--api-key-stdin'], { stdin: 'pal_wrong\n' })).toEqual(
      failure(3, /.* \[UNAUTHORIZED\]; run `palisade login` again, or check PALISADE_API_KEY/),
    );
    expect(existsSync(cli.configFile)).toBe(false);
    expect(await cli.run(['apply', '-f', join(files, 'good.yaml'), '--cluster', 'prod'], { env: viewerEnv })).toEqual(
      failure(3, /.* \[FORBIDDEN\]; use a key with a higher role \(an admin can make one: `palisade keys create --role editor`\)/),
    );
  });

  it('exits 4 for what does not exist, and diff exits above 1 on any error', async () => {
    expect(await cli.run(['apply', '-f', join(files, 'good.yaml'), '--cluster', 'staging'], { env })).toEqual(
      failure(4, /no cluster named staging; list them with `palisade clusters list`, or create it with `palisade clusters create NAME`/),
    );
    expect(await cli.run(['diff', '-f', join(files, 'good.yaml'), '--cluster', 'staging'], { env })).toMatchObject({ code: 4 });
    expect(await cli.run(['get', 'policy', 'nothing', '--cluster', 'prod', '-n', 'shop'], { env })).toEqual(
      failure(4, /no policy named nothing in namespace shop; list them with `palisade get policies --cluster C`/),
    );
    expect(await cli.run(['delete', '-f', join(files, 'good.yaml'), '--cluster', 'prod'], { env })).toEqual(
      failure(4, /not in cluster prod: NetworkPolicy default\/good; check the files, or pass --ignore-not-found/),
    );
    expect(await cli.run(['delete', 'policy', 'good', '--cluster', 'prod', '--ignore-not-found'], { env })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await cli.run(['keys', 'revoke', 'nobody'], { env })).toEqual(failure(4, /no live API key nobody; list them with `palisade keys list`/));
  });

  it('exits 5 when objects are refused, naming the file, the document and the field, and writes nothing', async () => {
    expect(await cli.run(['apply', '-f', files, '--cluster', 'prod'], { env })).toEqual(
      failure(5, /.*broken\.yaml#1 line 2: Flow sequence in block collection must be sufficiently indented and end with a \]; fix the YAML and try again/),
    );
    rmSync(join(files, 'broken.yaml'));
    expect(await cli.run(['apply', '-f', files, '--cluster', 'prod', '-n', 'ops'], { env })).toEqual(
      failure(
        5,
        /.*elsewhere\.yaml#1: metadata\.namespace is shop, which does not match --namespace ops; pass --namespace shop, or remove metadata\.namespace from the file/,
      ),
    );
    rmSync(join(files, 'elsewhere.yaml'));
    expect(await cli.run(['apply', '-f', files, '--cluster', 'prod'], { env })).toEqual(
      failure(5, /.*invalid\.yaml#2 metadata\.name: .* \[VALIDATION_FAILED\]; fix the field named and try again/),
    );
    // All or nothing: good.yaml and invalid.yaml's first document were refused with it.
    expect(await cli.run(['get', 'policies', '--cluster', 'prod', '-o', 'json'], { env })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('"items": []'),
    });
    // A plan limit: the free plan has three clusters.
    await cli.run(['clusters', 'create', 'two'], { env });
    await cli.run(['clusters', 'create', 'three'], { env });
    expect(await cli.run(['clusters', 'create', 'four'], { env })).toEqual(
      failure(5, /plan limit clusters is 3: 3 in use, 4 asked \[LIMIT_EXCEEDED\]; fix the field named and try again/),
    );
    expect(await cli.run(['clusters', 'create', 'Bad_Name'], { env })).toEqual(
      failure(5, /--name: must be a DNS label.* \[VALIDATION_FAILED\]; fix the field named and try again/),
    );
  });

  it("exits 6 when the server is unreachable, is not palisade, or cannot answer, passing on the server's next step", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await cli.run(['clusters', 'list'], { env: { PALISADE_URL: `http://127.0.0.1:${port}`, PALISADE_API_KEY: 'pal_x' } })).toEqual(
      failure(
        6,
        /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check the URL \(`palisade login --url`, PALISADE_URL\) and that the server is running/,
      ),
    );
    const other = { PALISADE_URL: `http://127.0.0.1:${(notPalisade.address() as AddressInfo).port}`, PALISADE_API_KEY: 'pal_x' };
    expect(await cli.run(['clusters', 'list'], { env: other })).toEqual(
      failure(6, /unexpected response from GET \/v1\/clusters: items: .*; check the URL points at a palisade control plane of a version this CLI knows/),
    );
    expect(await cli.run(['keys', 'list'], { env: other })).toEqual(
      failure(6, /GET \/v1\/api-keys answered 404 without a problem document: <h1>Not Found<\/h1>; check the URL points at a palisade control plane/),
    );
    expect(await cli.run(['explain', '--cluster', 'prod', '--from', 'shop/a', '--to', 'shop/b', '--port', '80'], { env })).toEqual(
      failure(6, /no endpoint inventory has been reported for cluster .* Install or upgrade the palisade agent .* \[NO_INVENTORY\]/),
    );
  });
});
