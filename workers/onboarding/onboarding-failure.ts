// Why onboarding (or offboarding) stopped, as the tenant sees it: a code, the reason in words, and
// the next step to take. `retryable` failures (throttling, AWS or the Kubernetes API unreachable) are
// worth running again by themselves; the others wait for the tenant to act (fix the trust policy,
// grant a permission, start the cluster, add the role to aws-auth).
export const onboardingFailureCodes = [
  'ROLE_NOT_ASSUMABLE',
  'PERMISSION_MISSING',
  'THROTTLED',
  'CLUSTER_NOT_FOUND',
  'CLUSTER_NOT_ACTIVE',
  'AWS_REFUSED',
  'AWS_UNREACHABLE',
  'KUBERNETES_UNAUTHORIZED',
  'KUBERNETES_FORBIDDEN',
  'KUBERNETES_REFUSED',
  'KUBERNETES_UNREACHABLE',
] as const;
export type OnboardingFailureCode = (typeof onboardingFailureCodes)[number];

export interface OnboardingFailure {
  code: OnboardingFailureCode;
  reason: string;
  nextStep: string;
  retryable: boolean;
  /** The IAM action (or Kubernetes verb and resource) that was refused. */
  action?: string;
  /** Absent for onboarding; `offboarding` when DELETE /v1/clusters/{id} could not finish. */
  stage?: 'offboarding';
}
