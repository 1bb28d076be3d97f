import { CALICO_API_VERSION } from '../calico/api-version.ts';
import { defineHostEndpointKind } from '../define.ts';
import { applyHostEndpointDefaults } from './defaults.ts';
import { normaliseHostEndpoint } from './normalise.ts';
import { HOST_ENDPOINT_KIND, hostEndpointSchema } from './schema.ts';

export const hostEndpointKind = defineHostEndpointKind({
  apiVersion: CALICO_API_VERSION,
  kind: HOST_ENDPOINT_KIND,
  schema: hostEndpointSchema,
  toStored: applyHostEndpointDefaults,
  normalise: normaliseHostEndpoint,
});
