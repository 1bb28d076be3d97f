// The flows page's filters: every one the API takes goes to the server (the list's and the stream's
// query), values the server would refuse are named before asking, and a pod without its namespace is
// the one filter left to the browser.
import { describe, expect, it } from 'vitest';
import type { Flow } from '../../../console/src/client/types.ts';
import { filterProblems, matchesLocally, NO_FILTERS, serverQuery } from '../../../console/src/flows/filter.ts';

const NOW = Date.parse('2026-12-07T00:30:00.000Z');

const flow = (endpoint: string): Flow => ({
  id: 'f',
  nodeName: 'node-a',
  startTime: '2026-12-07T00:29:45.000Z',
  endTime: '2026-12-07T00:30:00.000Z',
  endpoint,
  direction: 'ingress',
  remote: '198.18.0.11',
  protocol: 6,
  port: 8080,
  kind: 'denied',
  rule: null,
  count: 1,
  bytes: 60,
});

describe('flow filters', () => {
  it('sends every filter the API takes as its query parameters', () => {
    expect(
      serverQuery(
        {
          namespace: 'shop',
          pod: 'backend',
          verdict: 'denied',
          pendingVerdict: 'allow',
          policy: ' NetworkPolicy/shop/allow-web ',
          port: '8080',
          protocol: 'UDP',
          sinceMinutes: '60',
        },
        NOW,
      ),
    ).toEqual({
      kind: 'denied',
      pendingVerdict: 'allow',
      namespace: undefined,
      endpoint: 'shop/backend',
      policy: 'NetworkPolicy/shop/allow-web',
      port: '8080',
      protocol: '17',
      since: '2026-12-06T23:30:00.000Z',
    });
  });

  it('filters by namespace alone, and asks for everything kept without a time', () => {
    expect(serverQuery({ ...NO_FILTERS, namespace: 'shop', sinceMinutes: '' }, NOW)).toEqual({
      kind: undefined,
      pendingVerdict: undefined,
      namespace: 'shop',
      endpoint: undefined,
      policy: undefined,
      port: undefined,
      protocol: undefined,
      since: undefined,
    });
  });

  it('names the values the server would refuse', () => {
    expect(filterProblems(NO_FILTERS)).toEqual({});
    expect(filterProblems({ ...NO_FILTERS, namespace: 'Shop_1', port: '70000' })).toEqual({
      namespace: 'must be a namespace name: lower-case letters, digits and dashes',
      port: 'must be a whole number from 0 to 65535',
    });
    expect(filterProblems({ ...NO_FILTERS, port: '8o' }).port).toBeDefined();
    expect(filterProblems({ ...NO_FILTERS, port: '0', namespace: 'kube-system' })).toEqual({});
  });

  it('matches a pod without its namespace in the browser, and leaves the rest to the server', () => {
    expect(matchesLocally(flow('shop/backend'), { ...NO_FILTERS, pod: 'backend' })).toBe(true);
    expect(matchesLocally(flow('shop/web'), { ...NO_FILTERS, pod: 'backend' })).toBe(false);
    expect(matchesLocally(flow('shop/web'), { ...NO_FILTERS, namespace: 'shop', pod: 'backend' })).toBe(true);
    expect(matchesLocally(flow('shop/web'), NO_FILTERS)).toBe(true);
  });
});
