// Structural validation of Kubernetes objects against the API's own schemas, as
// @kubernetes/client-node ships them: its generated models (from the Kubernetes OpenAPI document,
// v1.34 for the installed version) carry each field's type in `attributeTypeMap`, and their
// declaration files mark which fields are required (no `?`). Nothing is fetched: the schema is
// what is in node_modules. What the schema cannot say (rules across fields) is in kubernetes-rules.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as kubernetes from '@kubernetes/client-node';

const MODELS_DIR = join(dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')), 'gen', 'models');

/** The model for each apiVersion/kind we install. */
const KIND_MODELS: Record<string, string> = {
  'v1/Namespace': 'V1Namespace',
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/Secret': 'V1Secret',
  'v1/ConfigMap': 'V1ConfigMap',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding',
  'apps/v1/DaemonSet': 'V1DaemonSet',
};

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}
type Model = { attributeTypeMap?: Attribute[] };

const requiredCache = new Map<string, Set<string>>();
function requiredFields(model: string): Set<string> {
  let fields = requiredCache.get(model);
  if (!fields) {
    const declaration = readFileSync(join(MODELS_DIR, `${model}.d.ts`), 'utf8');
    fields = new Set([...declaration.matchAll(/^ {4}'([A-Za-z0-9_$]+)':/gm)].map((match) => match[1]!));
    requiredCache.set(model, fields);
  }
  return fields;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function check(value: unknown, type: string, path: string, issues: string[]): void {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return void issues.push(`${path}: must be an array`);
    value.forEach((item, index) => {
      check(item, array[1]!, `${path}[${index}]`, issues);
    });
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isPlainObject(value)) return void issues.push(`${path}: must be an object`);
    for (const [key, item] of Object.entries(value)) check(item, map[1]!, `${path}.${key}`, issues);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof value !== 'string') issues.push(`${path}: must be a string`);
      return;
    case 'number':
      if (typeof value !== 'number') issues.push(`${path}: must be a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') issues.push(`${path}: must be a boolean`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && typeof value !== 'number') issues.push(`${path}: must be an integer or a string`);
      return;
    case 'any':
    case 'object':
      return;
  }
  const model = (kubernetes as unknown as Record<string, Model | undefined>)[type];
  if (!model?.attributeTypeMap) throw new Error(`kubernetes-schema: no model ${type} (at ${path})`);
  if (!isPlainObject(value)) return void issues.push(`${path}: must be an object (${type})`);
  const attributes = new Map(model.attributeTypeMap.map((attribute) => [attribute.baseName, attribute]));
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.get(key);
    if (!attribute) issues.push(`${path}.${key}: unknown field (${type} has no such field)`);
    else check(item, attribute.type, `${path}.${key}`, issues);
  }
  for (const field of requiredFields(type)) {
    const baseName = model.attributeTypeMap.find((attribute) => attribute.name === field)?.baseName ?? field;
    if (value[baseName] === undefined) issues.push(`${path}.${baseName}: required`);
  }
}

/** Every way the object departs from its kind's schema, as `path: reason`; empty when it conforms. */
export function schemaIssues(object: unknown): string[] {
  if (!isPlainObject(object)) return ['(object): must be an object'];
  const model = KIND_MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) return [`(object): no schema here for ${String(object.apiVersion)} ${String(object.kind)}`];
  const issues: string[] = [];
  check(object, model, String(object.kind), issues);
  return issues;
}
