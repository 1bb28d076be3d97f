// EKS onboarding's AWS settings as bin/config.ts reads them: the endpoint override, base credentials
// (both or neither), palisade's own principal, the retry wait, and what agents are installed with;
// bad values name the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from '../../../bin/config.ts';

describe('AWS settings for EKS onboarding', () => {
  it('are unset by default: AWS endpoints, the SDK provider chain, no principal to show', () => {
    expect(configFromEnv({}).aws).toEqual({
      endpoint: undefined,
      credentials: undefined,
      principal: undefined,
      onboardingRetryBaseMs: 5_000,
      // The Helm chart's defaults (infra/helm/palisade-agent/values.yaml).
      agentControlPlaneUrl: 'https://api.palisade.example',
      agentImage: 'ghcr.io/palisade/palisade-agent:0.1.0',
    });
  });

  it('reads the endpoint override, base credentials, principal and retry wait', () => {
    const { aws } = configFromEnv({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      PALISADE_AWS_PRINCIPAL: 'arn:aws:iam::111122223333:root',
      ONBOARDING_RETRY_BASE_MS: '250',
      AGENT_CONTROL_PLANE_URL: 'https://palisade.internal.example',
      AGENT_IMAGE: 'registry.example/palisade-agent:1.2.3',
    });
    expect(aws).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      principal: 'arn:aws:iam::111122223333:root',
      onboardingRetryBaseMs: 250,
      agentControlPlaneUrl: 'https://palisade.internal.example',
      agentImage: 'registry.example/palisade-agent:1.2.3',
    });
  });

  it.each([
    [{ AWS_ENDPOINT_URL: 'localhost:4566' }, /AWS_ENDPOINT_URL/],
    [{ PALISADE_AWS_PRINCIPAL: 'palisade' }, /PALISADE_AWS_PRINCIPAL: must be an IAM principal ARN/],
    [{ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together/],
    [{ ONBOARDING_RETRY_BASE_MS: '0' }, /ONBOARDING_RETRY_BASE_MS/],
    [{ AGENT_CONTROL_PLANE_URL: 'palisade.example' }, /AGENT_CONTROL_PLANE_URL/],
  ])('refuses %o, naming the variable', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError);
    expect(() => configFromEnv(env)).toThrow(message);
  });
});
