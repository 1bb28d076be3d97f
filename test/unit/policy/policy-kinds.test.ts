import { describe, expect, it } from 'vitest';
import { ACCEPTED_KINDS, parsePolicyObject } from '../../../policy/kinds/index.ts';
import { networkPolicy } from './factories.ts';

describe('parsePolicyObject', () => {
  it('accepts a NetworkPolicy and returns its stored form and IR', () => {
    const result = parsePolicyObject(networkPolicy({}, { name: 'p' }));
    expect(result).toMatchObject({ ok: true, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ir: { id: 'NetworkPolicy/x/p' } });
  });

  it('lists the accepted kinds when the kind is unknown', () => {
    expect(parsePolicyObject({ ...networkPolicy(), kind: 'GlobalNetworkPolicy' })).toEqual({
      ok: false,
      issues: [{ path: ['kind'], message: 'Unsupported value: "GlobalNetworkPolicy": supported values: "networking.k8s.io/v1 NetworkPolicy"' }],
    });
  });

  it('names the accepted apiVersions of a known kind', () => {
    expect(parsePolicyObject({ ...networkPolicy(), apiVersion: 'extensions/v1beta1' })).toEqual({
      ok: false,
      issues: [{ path: ['apiVersion'], message: 'Unsupported value: "extensions/v1beta1": supported values: "networking.k8s.io/v1"' }],
    });
  });

  it('requires kind and apiVersion', () => {
    const { kind: _kind, ...noKind } = networkPolicy();
    expect(parsePolicyObject(noKind)).toEqual({ ok: false, issues: [{ path: ['kind'], message: 'Required value' }] });
    const { apiVersion: _apiVersion, ...noVersion } = networkPolicy();
    expect(parsePolicyObject(noVersion)).toEqual({ ok: false, issues: [{ path: ['apiVersion'], message: 'Required value' }] });
  });

  it('refuses what is not an object', () => {
    for (const input of [null, 'NetworkPolicy', [networkPolicy()], 42]) {
      const result = parsePolicyObject(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]?.path).toEqual([]);
    }
  });

  it('exposes each accepted kind with its schema for the API documentation', () => {
    expect(ACCEPTED_KINDS.map((k) => `${k.apiVersion} ${k.kind}`)).toEqual(['networking.k8s.io/v1 NetworkPolicy']);
    expect(ACCEPTED_KINDS[0]?.schema.safeParse(networkPolicy()).success).toBe(true);
  });
});
