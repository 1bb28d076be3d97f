// Settings refuse what would synthesize a broken deployment, naming the fix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readSettings } from '../lib/settings.ts';

const context = (values: Record<string, unknown>) => (name: string) => values[name];

describe('settings', () => {
  it('refuses a Lambda bundle directory without the built bundle, and says to build', () => {
    const empty = mkdtempSync(join(tmpdir(), 'palisade-empty-'));
    try {
      expect(() => readSettings(context({ apiBundleDir: empty }))).toThrow(/run `npm run build`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses half an environment and a NAT gateway count out of range; stays environment-agnostic by default', () => {
    const apiBundleDir = inject('apiBundleDir');
    expect(() => readSettings(context({ apiBundleDir, account: '123456789012' }))).toThrow(/both account and region/);
    expect(() => readSettings(context({ apiBundleDir, natGateways: 0 }))).toThrow(/natGateways/);
    expect(readSettings(context({ apiBundleDir })).env).toBeUndefined();
  });
});
