// `npm run -s openapi-document > openapi.json`: the OpenAPI 3.1 document, built from the routes as the
// server builds it, with no server, database or configuration; `npm run lint` runs redocly on it
// (redocly.yaml) so generators reading it (Terraform providers, clients) keep getting a clean one.
import { readFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../api/openapi/document.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
process.stdout.write(`${JSON.stringify(buildOpenApiDocument(version), null, 2)}\n`);
