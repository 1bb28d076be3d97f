// Why onboarding stopped, as the tenant sees it: a code, the reason in words, and the next step to
// take. `retryable` failures (throttling, AWS unreachable) are worth running again by themselves;
// the others wait for the tenant to act (fix the trust policy, grant a permission, start the cluster).
export type OnboardingFailureCode =
  | 'ROLE_NOT_ASSUMABLE'
  | 'PERMISSION_MISSING'
  | 'THROTTLED'
  | 'CLUSTER_NOT_FOUND'
  | 'CLUSTER_NOT_ACTIVE'
  | 'AWS_REFUSED'
  | 'AWS_UNREACHABLE';

export interface OnboardingFailure {
  code: OnboardingFailureCode;
  reason: string;
  nextStep: string;
  retryable: boolean;
  /** The IAM action that was refused, for PERMISSION_MISSING. */
  action?: string;
}
