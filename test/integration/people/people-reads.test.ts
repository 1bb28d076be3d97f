// The members, invites and API keys lists and the audit log, and one member's, invite's or key's read, are tenant
// reads (db/tenant-read.ts): one statement each, values written as literals. Their pages, filter by
// filter and cursor by cursor, are the ones the tenant's transaction gave; another tenant sees nothing
// of them (an empty page, a 404); a filter full of quotes and backslashes matches exactly itself.

import { and, desc, eq, gt, gte, isNull, lt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageRequest, toPage } from '../../../api/http/pagination.ts';
import type { ApiKeyRecord } from '../../../api/schemas/api-keys.ts';
import { presentApiKey } from '../../../api/schemas/api-keys.ts';
import { type AuditEventQuery, presentAuditEvent } from '../../../api/schemas/audit-events.ts';
import { presentInvite, presentMember } from '../../../api/schemas/members.ts';
import { getApiKey, listApiKeys } from '../../../api/services/api-keys.ts';
import { listAuditEvents } from '../../../api/services/audit-events.ts';
import { getInvite, listInvites } from '../../../api/services/invites.ts';
import { getMember, listMembers } from '../../../api/services/members.ts';
import { type Database, newId, withTenant } from '../../../db/index.ts';
import { apiKeys, auditLog, invites, members } from '../../../db/schema/index.ts';
import { type OneSessionDatabase, openOneSessionDatabase } from '../../support/one-session-database.ts';
import { afterCursor } from '../../support/page-in-transaction.ts';
import { HOSTILE_VALUES, viewerOf } from '../../support/tenant-read-fixture.ts';

const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;

/** Every page of a list, following its cursors to the end. */
async function allPages<F extends PageRequest, P extends { nextCursor: string | null }>(filter: F, read: (filter: F) => Promise<P>): Promise<P[]> {
  const pages: P[] = [];
  let request = filter;
  for (;;) {
    const page = await read(request);
    pages.push(page);
    if (!page.nextCursor) return pages;
    request = { ...filter, cursor: page.nextCursor };
  }
}

describe.each(['postgres', 'pglite'] as const)('member, API key and audit reads on %s', (flavour) => {
  let opened: OneSessionDatabase | undefined;
  let database: Database;
  const mine = newId();
  const theirs = newId();
  const ctx = (tenantId: string) => viewerOf(database, tenantId);

  beforeAll(async () => {
    opened = await openOneSessionDatabase(flavour, { [mine]: 'mine', [theirs]: 'theirs' });
    database = opened.database;
    await database.db.insert(members).values([
      ...['a@example.com', ...HOSTILE_VALUES.map((value, i) => `${value}${i}@example.com`)].map((email, i) => ({
        id: newId(),
        tenantId: mine,
        email,
        role: ROLES[i % ROLES.length]!,
      })),
      { id: newId(), tenantId: theirs, email: 'a@example.com', role: 'owner' as const },
    ]);
    const at = new Date('2026-12-07T12:00:00Z');
    await database.db.insert(apiKeys).values([
      ...['ci', ...HOSTILE_VALUES].flatMap((name, i) =>
        [null, at].map((revokedAt) => ({
          id: newId(),
          tenantId: mine,
          name,
          role: ROLES[i % ROLES.length]!,
          prefix: `p${i}`,
          hash: newId(),
          revokedAt,
        })),
      ),
      { id: newId(), tenantId: theirs, name: 'ci', role: 'owner' as const, prefix: 'p', hash: newId() },
    ]);
    const events = ['policy', 'cluster', ...HOSTILE_VALUES].flatMap((value, i) =>
      ['create', 'delete'].map((action, j) => ({
        id: newId(),
        tenantId: mine,
        actor: i % 2 ? value : 'api-key:x',
        action: j ? value : action,
        resourceType: i % 3 ? value : 'policy',
        resourceId: value,
        before: j ? { name: value } : null,
        after: { name: value, at: i },
        createdAt: new Date(at.getTime() + (i * 2 + j) * 60_000),
      })),
    );
    await database.db.insert(invites).values([
      ...['b@example.com', ...HOSTILE_VALUES].flatMap((email, i) =>
        [
          { acceptedAt: null, expiresAt: new Date(at.getTime() + 3_600_000) },
          { acceptedAt: at, expiresAt: new Date(at.getTime() + 3_600_000) },
          { acceptedAt: null, expiresAt: new Date(at.getTime() + (i - 3) * 60_000) },
        ].map((state, j) => ({
          id: newId(),
          tenantId: mine,
          email: `${email}.${j}`,
          role: ROLES[i % ROLES.length]!,
          hash: newId(),
          invitedBy: email,
          ...state,
        })),
      ),
      {
        id: newId(),
        tenantId: theirs,
        email: 'b@example.com',
        role: 'owner' as const,
        hash: newId(),
        invitedBy: 'x',
        expiresAt: new Date(at.getTime() + 3_600_000),
      },
    ]);
    await database.db.insert(auditLog).values([...events, { ...events[0]!, id: newId(), tenantId: theirs }]);
  });
  afterAll(() => opened?.close());

  /** What each read was before it was a tenant read: drizzle's query, with parameters, in the tenant's transaction. */
  const before = {
    members: async (filter: PageRequest) =>
      toPage(
        await withTenant(database.db, mine, (tx) =>
          tx
            .select()
            .from(members)
            .where(afterCursor(members.id, filter))
            .orderBy(members.id)
            .limit(filter.limit + 1),
        ),
        filter,
        presentMember,
      ),
    apiKeys: async (filter: PageRequest & { role?: ApiKeyRecord['role'] | undefined }) =>
      toPage(
        await withTenant(database.db, mine, (tx) =>
          tx
            .select()
            .from(apiKeys)
            .where(and(isNull(apiKeys.revokedAt), afterCursor(apiKeys.id, filter), filter.role ? eq(apiKeys.role, filter.role) : undefined))
            .orderBy(apiKeys.id)
            .limit(filter.limit + 1),
        ),
        filter,
        presentApiKey,
      ),
    invites: async (filter: PageRequest, now: Date) =>
      toPage(
        await withTenant(database.db, mine, (tx) =>
          tx
            .select()
            .from(invites)
            .where(and(isNull(invites.acceptedAt), gt(invites.expiresAt, now), afterCursor(invites.id, filter)))
            .orderBy(invites.id)
            .limit(filter.limit + 1),
        ),
        filter,
        presentInvite,
      ),
    auditEvents: async (filter: AuditEventQuery) =>
      toPage(
        await withTenant(database.db, mine, (tx) =>
          tx
            .select()
            .from(auditLog)
            .where(
              and(
                filter.cursor ? lt(auditLog.id, filter.cursor) : undefined,
                filter.resourceType ? eq(auditLog.resourceType, filter.resourceType) : undefined,
                filter.resourceId ? eq(auditLog.resourceId, filter.resourceId) : undefined,
                filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
                filter.action ? eq(auditLog.action, filter.action) : undefined,
                filter.since ? gte(auditLog.createdAt, new Date(filter.since)) : undefined,
                filter.until ? lt(auditLog.createdAt, new Date(filter.until)) : undefined,
              ),
            )
            .orderBy(desc(auditLog.id))
            .limit(filter.limit + 1),
        ),
        filter,
        presentAuditEvent,
      ),
  };

  it('lists members as the transaction did, cursor by cursor, and nothing of another tenant’s', async () => {
    for (const limit of [1, 3, 100]) {
      const pages = await allPages({ limit }, (filter) => listMembers(ctx(mine), filter));
      for (const [i, page] of pages.entries()) {
        const cursor = i === 0 ? undefined : pages[i - 1]!.nextCursor!;
        expect(page).toEqual(await before.members({ limit, ...(cursor && { cursor }) }));
      }
      expect(pages.flatMap((page) => page.items)).toHaveLength(HOSTILE_VALUES.length + 1);
    }
    const emails = (await listMembers(ctx(mine), { limit: 100 })).items.map((member) => member.email);
    expect(emails).toEqual(expect.arrayContaining(HOSTILE_VALUES.map((value, i) => `${value}${i}@example.com`)));
    const theirPage = await listMembers(ctx(theirs), { limit: 100 });
    expect(theirPage.items.map((member) => member.email)).toEqual(['a@example.com']);
  });

  it('reads one member as the transaction did, and 404s on another tenant’s, a missing one and a malformed id', async () => {
    const { items } = await listMembers(ctx(mine), { limit: 100 });
    for (const member of items) expect(await getMember(ctx(mine), { memberId: member.id })).toEqual(member);
    await expect(getMember(ctx(theirs), { memberId: items[0]!.id })).rejects.toMatchObject({ status: 404 });
    await expect(getMember(ctx(mine), { memberId: newId() })).rejects.toMatchObject({ status: 404 });
    await expect(getMember(ctx(mine), { memberId: "x' or 'x' = 'x" })).rejects.toMatchObject({ status: 404 });
  });

  it('lists pending invites as the transaction did, at any moment, cursor by cursor; reads one; 404s on another tenant’s', async () => {
    const at = new Date('2026-12-07T12:00:00Z');
    for (const now of [new Date(at.getTime() - 3_600_000), at, new Date(at.getTime() + 90_000), new Date(at.getTime() + 7_200_000)]) {
      for (const limit of [1, 4, 100]) {
        const pages = await allPages({ limit }, (filter) => listInvites(ctx(mine), filter, now));
        for (const [i, page] of pages.entries()) {
          const cursor = i === 0 ? undefined : pages[i - 1]!.nextCursor!;
          expect(page).toEqual(await before.invites({ limit, ...(cursor && { cursor }) }, now));
        }
      }
    }
    const { items } = await listInvites(ctx(mine), { limit: 100 }, at);
    expect(items.map((invite) => invite.email)).toEqual(expect.arrayContaining(HOSTILE_VALUES.map((value) => `${value}.0`)));
    for (const invite of items) expect(await getInvite(ctx(mine), { inviteId: invite.id }, at)).toEqual(invite);
    await expect(getInvite(ctx(mine), { inviteId: items[0]!.id }, new Date(at.getTime() + 7_200_000))).rejects.toMatchObject({ status: 404 });
    await expect(getInvite(ctx(theirs), { inviteId: items[0]!.id }, at)).rejects.toMatchObject({ status: 404 });
    expect((await listInvites(ctx(theirs), { limit: 100 }, at)).items.map((invite) => invite.email)).toEqual(['b@example.com']);
  });

  it('lists live API keys as the transaction did, by role and cursor, and nothing of another tenant’s', async () => {
    for (const filter of [{ limit: 100 }, { limit: 2 }, ...ROLES.map((role) => ({ limit: 1, role }))]) {
      const pages = await allPages(filter, (request) => listApiKeys(ctx(mine), request));
      for (const [i, page] of pages.entries()) {
        const cursor = i === 0 ? undefined : pages[i - 1]!.nextCursor!;
        expect(page).toEqual(await before.apiKeys({ ...filter, ...(cursor && { cursor }) }));
      }
    }
    const names = (await listApiKeys(ctx(mine), { limit: 100 })).items.map((key) => key.name);
    expect(names).toEqual(['ci', ...HOSTILE_VALUES]);
    expect((await listApiKeys(ctx(theirs), { limit: 100 })).items.map((key) => key.prefix)).toEqual(['p']);
  });

  it('reads one live API key as the transaction did, and 404s on a revoked one and another tenant’s', async () => {
    const { items } = await listApiKeys(ctx(mine), { limit: 100 });
    for (const key of items) expect(await getApiKey(ctx(mine), { keyId: key.id })).toEqual(key);
    const [revoked] = await withTenant(database.db, mine, (tx) => tx.select().from(apiKeys).where(eq(apiKeys.name, 'ci')).orderBy(desc(apiKeys.id)));
    expect(revoked!.revokedAt).not.toBeNull();
    await expect(getApiKey(ctx(mine), { keyId: revoked!.id })).rejects.toMatchObject({ status: 404 });
    await expect(getApiKey(ctx(theirs), { keyId: items[0]!.id })).rejects.toMatchObject({ status: 404 });
  });

  it('lists audit events as the transaction did, filter by filter and cursor by cursor', async () => {
    const filters: AuditEventQuery[] = [
      { limit: 100 },
      { limit: 3 },
      { limit: 2, resourceType: 'policy' },
      { limit: 2, action: 'create' },
      { limit: 1, actor: 'api-key:x', action: 'delete' },
      { limit: 5, since: '2026-12-07T12:03:00Z' },
      { limit: 5, until: '2026-12-07T12:05:00Z' },
      { limit: 2, since: '2026-12-07T12:02:00Z', until: '2026-12-07T12:09:30Z', resourceType: 'policy' },
      ...HOSTILE_VALUES.flatMap((value) => [
        { limit: 1, resourceId: value },
        { limit: 10, actor: value },
        { limit: 10, action: value, resourceType: value },
      ]),
    ];
    for (const filter of filters) {
      const pages = await allPages(filter, (request) => listAuditEvents(ctx(mine), request));
      for (const [i, page] of pages.entries()) {
        const cursor = i === 0 ? undefined : pages[i - 1]!.nextCursor!;
        expect(page).toEqual(await before.auditEvents({ ...filter, ...(cursor && { cursor }) }));
      }
    }
    for (const value of HOSTILE_VALUES) {
      const { items } = await listAuditEvents(ctx(mine), { limit: 10, resourceId: value });
      expect(items.map((event) => event.resourceId)).toEqual([value, value]);
      expect(items[0]).toMatchObject({ before: { name: value }, after: { name: value } });
    }
    const whole = await listAuditEvents(ctx(mine), { limit: 100 });
    expect(whole.items).toHaveLength((HOSTILE_VALUES.length + 2) * 2);
    expect(whole.items.map((event) => event.id)).toEqual([...whole.items.map((event) => event.id)].sort().reverse());
    expect((await listAuditEvents(ctx(theirs), { limit: 100 })).items).toHaveLength(1);
    expect(await listAuditEvents(ctx(theirs), { limit: 100, resourceId: HOSTILE_VALUES[1] })).toEqual({ items: [], nextCursor: null });
  });
});
