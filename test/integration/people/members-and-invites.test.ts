// An owner invites people with a role (the token shown once); they accept with a password, are signed
// in, and have exactly that role. Removing a member ends their sessions; the last owner stays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, unique } from '../../support/api-client.ts';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.ts';
import { asMember, type SignedIn, signedInFrom, signIn } from '../../support/session-client.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(['postgres', 'pglite'] as const)('members and invites (%s)', (flavour) => {
  let control: TestControlPlane;
  let api: ApiClient;

  beforeAll(async () => {
    control = await startTestControlPlane(flavour);
    api = apiClient(control.url);
  });
  afterAll(() => control?.stop());

  async function ownerSession(): Promise<SignedIn & { email: string }> {
    const email = `${unique('owner')}@example.com`;
    const created = await api.post('/v1/signup', { body: { tenantName: unique('tenant'), email, password: PASSWORD } });
    expect(created.status).toBe(201);
    return { ...(await signIn(api, email, PASSWORD)), email };
  }

  async function inviteAndAccept(inviter: SignedIn, role: string) {
    const email = `${unique(role)}@example.com`;
    const invited = await asMember(api, inviter)('POST', '/v1/invites', { body: { email, role } });
    expect(invited.status).toBe(201);
    const accepted = await api.post('/v1/invites/accept', { body: { token: invited.body.token, password: PASSWORD } });
    expect(accepted.status).toBe(201);
    return { email, invite: invited.body, member: signedInFrom(accepted) };
  }

  it('invites an editor who accepts, is signed in with that role, and can sign in again; the token works once', async () => {
    const owner = await ownerSession();
    const call = asMember(api, owner);
    const email = `${unique('editor')}@example.com`;
    const invited = await call('POST', '/v1/invites', { body: { email, role: 'editor' } });
    expect(invited.status).toBe(201);
    expect(invited.body.invite).toMatchObject({ email, role: 'editor' });
    expect(invited.body.acceptPath).toBe(`/accept-invite#token=${invited.body.token}`);
    expect(new Date(invited.body.invite.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3_600_000);
    const pending = await call('GET', '/v1/invites');
    expect(pending.body.items.map((item: { email: string }) => item.email)).toEqual([email]);
    expect(JSON.stringify(pending.body)).not.toContain(invited.body.token);

    const accepted = await api.post('/v1/invites/accept', { body: { token: invited.body.token, password: PASSWORD } });
    expect(accepted.status).toBe(201);
    const editor = signedInFrom(accepted);
    expect(editor.session.member).toMatchObject({ email, role: 'editor' });
    expect(editor.session.tenant.id).toBe(owner.session.tenant.id);
    expect((await asMember(api, editor)('POST', '/v1/clusters', { body: { name: 'by-editor' } })).status).toBe(201);

    const again = await api.post('/v1/invites/accept', { body: { token: invited.body.token, password: PASSWORD } });
    expect(again.status).toBe(404);
    expect(again.body.errors[0].path).toBe('token');
    expect((await call('GET', '/v1/invites')).body.items).toEqual([]);
    expect((await signIn(api, email, PASSWORD)).session.member.role).toBe('editor');
    const listed = await call('GET', '/v1/members');
    expect(listed.body.items.map((item: { email: string; role: string }) => [item.email, item.role])).toEqual([
      [owner.email, 'owner'],
      [email, 'editor'],
    ]);
  });

  it('gives a viewer no writes through the session, and keeps invites to owners and admins within their rank', async () => {
    const owner = await ownerSession();
    const viewer = await inviteAndAccept(owner, 'viewer');
    const asViewer = asMember(api, viewer.member);
    expect((await asViewer('GET', '/v1/clusters')).status).toBe(200);
    const write = await asViewer('POST', '/v1/clusters', { body: { name: 'by-viewer' } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('FORBIDDEN');
    expect((await asViewer('POST', '/v1/invites', { body: { email: `${unique('x')}@example.com`, role: 'viewer' } })).status).toBe(403);

    const admin = await inviteAndAccept(owner, 'admin');
    const ownerByAdmin = await asMember(api, admin.member)('POST', '/v1/invites', { body: { email: `${unique('x')}@example.com`, role: 'owner' } });
    expect(ownerByAdmin.status).toBe(403);
    const badRole = await asMember(api, owner)('POST', '/v1/invites', { body: { email: `${unique('x')}@example.com`, role: 'god' } });
    expect(badRole.status).toBe(422);
    expect(badRole.body.errors[0].path).toBe('role');
    const shortPassword = await api.post('/v1/invites/accept', { body: { token: 'pin_whatever', password: 'short' } });
    expect(shortPassword.status).toBe(422);
    expect(shortPassword.body.errors[0].path).toBe('password');
  });

  it('removes a member: their sessions end at once, and a repeat succeeds', async () => {
    const owner = await ownerSession();
    const editor = await inviteAndAccept(owner, 'editor');
    const asEditor = asMember(api, editor.member);
    expect((await asEditor('GET', '/v1/clusters')).status).toBe(200);
    const removed = await asMember(api, owner)('DELETE', `/v1/members/${editor.member.session.member.id}`);
    expect(removed.status).toBe(204);
    expect((await asEditor('GET', '/v1/clusters')).status).toBe(401);
    expect((await api.post('/v1/session', { body: { email: editor.email, password: PASSWORD } })).status).toBe(401);
    expect((await asMember(api, owner)('DELETE', `/v1/members/${editor.member.session.member.id}`)).status).toBe(204);
    expect((await asMember(api, owner)('GET', '/v1/members')).body.items).toHaveLength(1);
  });

  it('never removes the last owner, and an admin cannot remove an owner', async () => {
    const owner = await ownerSession();
    const call = asMember(api, owner);
    const last = await call('DELETE', `/v1/members/${owner.session.member.id}`);
    expect(last.status).toBe(409);
    expect(last.body.detail).toMatch(/last owner/);
    const admin = await inviteAndAccept(owner, 'admin');
    expect((await asMember(api, admin.member)('DELETE', `/v1/members/${owner.session.member.id}`)).status).toBe(403);
    const second = await inviteAndAccept(owner, 'owner');
    expect((await asMember(api, second.member)('DELETE', `/v1/members/${owner.session.member.id}`)).status).toBe(204);
    expect((await call('GET', '/v1/clusters')).status).toBe(401);
  });

  it('withdraws an invite: its token stops working', async () => {
    const owner = await ownerSession();
    const call = asMember(api, owner);
    const invited = await call('POST', '/v1/invites', { body: { email: `${unique('late')}@example.com`, role: 'viewer' } });
    expect((await call('DELETE', `/v1/invites/${invited.body.invite.id}`)).status).toBe(204);
    expect((await api.post('/v1/invites/accept', { body: { token: invited.body.token, password: PASSWORD } })).status).toBe(404);
  });
});
