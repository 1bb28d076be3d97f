import { describe, expect, it } from 'vitest';
import { labelKeyErrors, labelValueErrors } from '../../../policy/validation/labels.ts';
import { dns1123LabelErrors, dns1123SubdomainErrors, portNameErrors } from '../../../policy/validation/names.ts';

describe('DNS-1123 names', () => {
  it('accepts subdomains up to 253 characters and refuses longer ones', () => {
    expect(dns1123SubdomainErrors('allow-web.v2')).toEqual([]);
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).toHaveLength(253);
    expect(dns1123SubdomainErrors(long)).toEqual([]);
    expect(dns1123SubdomainErrors(`${long}e`)).toEqual(['must be no more than 253 characters']);
  });

  it('refuses upper case and edge punctuation in a subdomain with the API server message', () => {
    expect(dns1123SubdomainErrors('Allow')).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(dns1123SubdomainErrors('-a')).toHaveLength(1);
    expect(dns1123SubdomainErrors('a.')).toHaveLength(1);
  });

  it('refuses dots and more than 63 characters in a label (namespace names)', () => {
    expect(dns1123LabelErrors('team-a')).toEqual([]);
    expect(dns1123LabelErrors('team.a')).toEqual(['must not contain dots']);
    expect(dns1123LabelErrors('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(dns1123LabelErrors('Team')[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
  });
});

describe('port names (IANA_SVC_NAME)', () => {
  it('accepts lowercase names with a letter, up to 15 characters', () => {
    expect(portNameErrors('serve-81-tcp')).toEqual([]);
    expect(portNameErrors('http')).toEqual([]);
    expect(portNameErrors('a'.repeat(15))).toEqual([]);
  });

  it.each([
    ['a'.repeat(16), 'must be no more than 15 characters'],
    ['HTTP', 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ['8080', 'must contain at least one letter (a-z)'],
    ['web--ui', 'must not contain consecutive hyphens'],
    ['-web', 'must not begin or end with a hyphen'],
    ['web-', 'must not begin or end with a hyphen'],
  ])('refuses %j: %s', (name, message) => {
    expect(portNameErrors(name)).toContain(message);
  });
});

describe('label keys', () => {
  it('accepts a name with an optional DNS subdomain prefix', () => {
    expect(labelKeyErrors('app')).toEqual([]);
    expect(labelKeyErrors('App_1.x-y')).toEqual([]);
    expect(labelKeyErrors('kubernetes.io/metadata.name')).toEqual([]);
  });

  it('names the part that is wrong', () => {
    expect(labelKeyErrors('/app')).toEqual(['prefix part must be non-empty']);
    expect(labelKeyErrors('example.com/')).toContain('name part must be non-empty');
    expect(labelKeyErrors('Example.com/app')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(labelKeyErrors(`${'a'.repeat(64)}`)).toContain('name part must be no more than 63 characters');
    expect(labelKeyErrors('-app')).toEqual([
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
  });

  it('refuses more than one slash', () => {
    expect(labelKeyErrors('a/b/c')).toHaveLength(1);
    expect(labelKeyErrors('a/b/c')[0]).toMatch(/^a valid label key must consist of .* with an optional DNS subdomain prefix and '\/'/);
  });
});

describe('label values', () => {
  it('accepts the empty string and names up to 63 characters', () => {
    expect(labelValueErrors('')).toEqual([]);
    expect(labelValueErrors('v1.2_beta-3')).toEqual([]);
    expect(labelValueErrors('a'.repeat(63))).toEqual([]);
  });

  it('refuses long values and bad characters', () => {
    expect(labelValueErrors('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(labelValueErrors('a b')[0]).toMatch(/^a valid label must be an empty string or consist of/);
    expect(labelValueErrors('a-')).toHaveLength(1);
  });
});
