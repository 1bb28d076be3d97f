// `npm run chart`: writes the Helm chart's template from the objects EKS onboarding installs
// (workers/onboarding/helm-template.ts). Run it after changing workers/onboarding/agent-manifests.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentChartTemplate, CHART_TEMPLATE_PATH } from '../workers/onboarding/helm-template.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
writeFileSync(join(ROOT, CHART_TEMPLATE_PATH), agentChartTemplate());
process.stdout.write(`wrote ${CHART_TEMPLATE_PATH}\n`);
