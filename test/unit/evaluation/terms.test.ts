import { describe, expect, it } from 'vitest';
import { cidrSetText, parseBlock, toCidrSet } from '../../../policy/evaluation/cidr-set.ts';
import type { CidrSet, MatchTerm } from '../../../policy/evaluation/endpoint-policy.ts';
import { normaliseTerms } from '../../../policy/evaluation/terms.ts';

const set = (...cidrs: string[]): CidrSet => toCidrSet(cidrs.map((cidr) => parseBlock({ cidr, except: [] })));
const term = (ports: MatchTerm['ports'], remote: MatchTerm['remote'], extra: Partial<MatchTerm> = {}): MatchTerm => ({
  protocol: 'TCP',
  ports,
  remote,
  ...extra,
});

describe('normaliseTerms of one term', () => {
  it('gives a term with one port range and one address back as it is', () => {
    const one = term([{ first: 80, last: 80 }], set('10.0.0.1/32'));
    expect(normaliseTerms([one])).toEqual([{ protocol: 'TCP', ports: [{ first: 80, last: 80 }], remote: [{ family: 4, cidr: '10.0.0.1/32', except: [] }] }]);
  });

  it('drops a term whose remote set is empty, as a term of several would be', () => {
    expect(normaliseTerms([term([{ first: 80, last: 80 }], [])])).toEqual([]);
    expect(normaliseTerms([term('any', [])])).toEqual([]);
  });

  it('gives the canonical match-all term for a term without conditions', () => {
    expect(normaliseTerms([{ protocol: 'any', ports: 'any', remote: 'any' }])).toEqual([{ protocol: 'any', ports: 'any', remote: 'any' }]);
  });

  it('still merges the port ranges of a term that lists several', () => {
    const ranges = [
      { first: 81, last: 90 },
      { first: 80, last: 80 },
    ];
    expect(normaliseTerms([term(ranges, 'any')])).toEqual([{ protocol: 'TCP', ports: [{ first: 80, last: 90 }], remote: 'any' }]);
  });

  it('normalises the excepts of a single term (an except matching every packet leaves nothing)', () => {
    const excepted = term([{ first: 80, last: 80 }], 'any', { except: [{ protocol: 'any', ports: 'any', remote: 'any' }] });
    expect(normaliseTerms([excepted])).toEqual([]);
  });

  it('gives what the general path gives for the same term beside a duplicate of itself', () => {
    const one = term([{ first: 443, last: 443 }], set('10.0.0.0/24'));
    expect(normaliseTerms([one])).toEqual(normaliseTerms([one, { ...one }]));
  });
});

describe('cidrSetText', () => {
  it('is the CIDR alone for one block without holes, and lists blocks and holes otherwise', () => {
    expect(cidrSetText(set('10.0.0.1/32'))).toBe('10.0.0.1/32');
    expect(cidrSetText(set('10.0.0.1/32', '10.0.0.2/32'))).toBe('10.0.0.1/32 10.0.0.2/32');
    expect(cidrSetText(toCidrSet([parseBlock({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] })]))).toBe('10.0.0.0/8\\10.1.0.0/16');
  });
});
