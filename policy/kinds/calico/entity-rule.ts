// Calico's EntityRule (api/pkg/apis/projectcalico/v3 policy_common.go): what one end of a packet must
// match. Every field given must hold (docs "EntityRule"). A Kubernetes Service match (`services`)
// stands alone on its end, with the checks of ./service-match.ts.
import { z } from 'zod';
import { listOf } from '../shared/list.ts';
import { calicoNetSchema, RULE_NET_SPELLING } from './nets.ts';
import { CALICO_PORTS_MAX, calicoPortSchema } from './ports.ts';
import { calicoSelectorSchema } from './selector-field.ts';
import { calicoServiceMatchSchema, checkServiceEntity } from './service-match.ts';

/** Calico's CRDs allow 256 entries in `nets` and in `notNets`. */
export const CALICO_NETS_MAX = 256;

export const calicoServiceAccountMatchSchema = z.strictObject({
  names: z.array(z.string()).optional(),
  selector: calicoSelectorSchema('labels').optional(),
});
export type CalicoServiceAccountMatch = z.infer<typeof calicoServiceAccountMatchSchema>;

export const calicoEntityRuleSchema = z
  .strictObject({
    nets: listOf(calicoNetSchema(RULE_NET_SPELLING), CALICO_NETS_MAX).optional(),
    notNets: listOf(calicoNetSchema(RULE_NET_SPELLING), CALICO_NETS_MAX).optional(),
    selector: calicoSelectorSchema('labels').optional(),
    notSelector: calicoSelectorSchema('labels').optional(),
    namespaceSelector: calicoSelectorSchema('ruleNamespace').optional(),
    ports: listOf(calicoPortSchema, CALICO_PORTS_MAX).optional(),
    notPorts: listOf(calicoPortSchema, CALICO_PORTS_MAX).optional(),
    serviceAccounts: calicoServiceAccountMatchSchema.optional(),
    services: calicoServiceMatchSchema.optional(),
  })
  .superRefine(checkServiceEntity);
export type CalicoEntityRule = z.infer<typeof calicoEntityRuleSchema>;
