// A fleet of agents reconnecting at once (after a deploy) is thousands of connects in a second: the
// control plane listens with room for them to wait to be accepted, not Node's default 511, past which
// the kernel reset them (10,000 long-polls in bench control-plane --only longPoll).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';

describe('the control plane listening', () => {
  let control: TestControlPlane<'api'>;

  beforeAll(async () => {
    control = await startTestControlPlane('postgres', {}, { role: 'api' });
  });
  afterAll(() => control?.stop());

  it('holds as many unaccepted connections as the kernel allows, up to 4096', () => {
    // For a listening socket, ss reports the accept backlog it was given (capped by somaxconn) as Send-Q.
    const [line] = execFileSync('ss', ['-ltnH', `sport = :${control.plane.port}`], { encoding: 'utf8' })
      .trim()
      .split('\n');
    const backlog = Number(line!.trim().split(/\s+/)[2]);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(backlog).toBe(Math.min(4096, somaxconn));
  });
});
