// Calico's ServiceMatch (EntityRule `services`: api/pkg/apis/projectcalico/v3 policy_common.go) and
// every check Calico's validator makes of it (libcalico-go lib/validator/v3/validator.go):
// - validateEntityRule: a name is required, and `services` cannot be combined with
//   `namespaceSelector`, `selector`, `notSelector`, `serviceAccounts`, `nets` or `notNets`;
// - validateRule: a destination service takes its ports from the endpoints, so `destination.ports`
//   and `destination.notPorts` are refused beside it (source ports stay allowed);
// - validateNetworkPolicySpec / validateGlobalNetworkPolicySpec: a service only on the remote end
//   (egress destination, ingress source), and in a GlobalNetworkPolicy with a namespace, since a
//   global policy has none to default to. In a NetworkPolicy an empty namespace means the policy's
//   own, as ServiceMatch documents it ("If left empty, the rule will match within this policy's
//   namespace"); the code that applies it was not found (updateprocessors/rules.go passes the
//   namespace on unchanged), so the documented meaning is the one implemented.
// Calico reports every entity conflict at `Services`; here each is reported at the field that
// conflicts, which is the one a user has to remove.
import { z } from 'zod';
import { forbidden, invalidValue, requiredValue } from '../../validation/field-errors.ts';
import { dns1123SubdomainErrors } from '../../validation/names.ts';
import { addIssue } from '../issues.ts';

/** ServiceMatch's `name` and `namespace` use Calico's "name" validator: a DNS-1123 subdomain ("" = not set). */
const serviceNameSchema = z.string().superRefine((text, ctx) => {
  if (text === '') return;
  for (const detail of dns1123SubdomainErrors(text)) addIssue(ctx, [], invalidValue(text, detail));
});

export const calicoServiceMatchSchema = z.strictObject({
  name: serviceNameSchema.optional(),
  namespace: serviceNameSchema.optional(),
});
export type CalicoServiceMatch = z.infer<typeof calicoServiceMatchSchema>;

interface ServiceEntityShape {
  services?: CalicoServiceMatch | undefined;
  namespaceSelector?: string | undefined;
  selector?: string | undefined;
  notSelector?: string | undefined;
  serviceAccounts?: unknown;
  nets?: readonly string[] | undefined;
  notNets?: readonly string[] | undefined;
}

/** validateEntityRule's checks of `services`. */
export function checkServiceEntity(entity: ServiceEntityShape, ctx: z.RefinementCtx): void {
  if (!entity.services) return;
  if (!entity.services.name) addIssue(ctx, ['services', 'name'], requiredValue('must specify a service name'));
  if (entity.namespaceSelector) addIssue(ctx, ['namespaceSelector'], forbidden('cannot specify NamespaceSelector and Services on the same rule'));
  for (const field of ['selector', 'notSelector'] as const) {
    if (entity[field]) addIssue(ctx, [field], forbidden('cannot specify Selector/NotSelector and Services on the same rule'));
  }
  if (entity.serviceAccounts !== undefined) addIssue(ctx, ['serviceAccounts'], forbidden('cannot specify ServiceAccounts and Services on the same rule'));
  for (const field of ['nets', 'notNets'] as const) {
    if ((entity[field]?.length ?? 0) > 0) addIssue(ctx, [field], forbidden('cannot specify Nets/NotNets and Services on the same rule'));
  }
}

interface ServiceRuleShape {
  destination?: { services?: CalicoServiceMatch | undefined; ports?: readonly unknown[] | undefined; notPorts?: readonly unknown[] | undefined } | undefined;
}

/** validateRule's check: destination service rules use the ports of the service's endpoints. */
export function checkServiceRule(rule: ServiceRuleShape, ctx: z.RefinementCtx): void {
  if (!rule.destination?.services) return;
  if ((rule.destination.ports?.length ?? 0) > 0) addIssue(ctx, ['destination', 'ports'], forbidden('cannot specify ports with a service selector'));
  if ((rule.destination.notPorts?.length ?? 0) > 0) addIssue(ctx, ['destination', 'notPorts'], forbidden('cannot specify notports with a service selector'));
}

interface ServiceSpecShape {
  ingress?: readonly { source?: { services?: CalicoServiceMatch | undefined } | undefined; destination?: { services?: unknown } | undefined }[] | undefined;
  egress?: readonly { source?: { services?: unknown } | undefined; destination?: { services?: CalicoServiceMatch | undefined } | undefined }[] | undefined;
}

/**
 * The spec-level checks: services on the remote end only, and with a namespace in a global policy
 * (`scope` 'global'), where no policy namespace stands in for an empty one.
 */
export function checkServiceDirections(spec: ServiceSpecShape, ctx: z.RefinementCtx, scope: 'namespaced' | 'global'): void {
  (spec.egress ?? []).forEach((rule, i) => {
    if (rule.source?.services !== undefined) addIssue(ctx, ['egress', i, 'source', 'services'], forbidden('not allowed in egress rule source'));
    const services = rule.destination?.services;
    if (scope === 'global' && services && !services.namespace) {
      addIssue(ctx, ['egress', i, 'destination', 'services', 'namespace'], requiredValue('must specify a namespace'));
    }
  });
  (spec.ingress ?? []).forEach((rule, i) => {
    if (rule.destination?.services !== undefined)
      addIssue(ctx, ['ingress', i, 'destination', 'services'], forbidden('not allowed in ingress rule destination'));
    const services = rule.source?.services;
    if (scope === 'global' && services && !services.namespace) {
      addIssue(ctx, ['ingress', i, 'source', 'services', 'namespace'], requiredValue('must specify a namespace'));
    }
  });
}
