/** Store contract, conversations, subscriptions, pauses, mutes, tenants and connections: the same cases on both stores. */
import assert from 'node:assert/strict';
import { emptyFilters } from '../../../src/subscriptions/filters';
import { eachStore } from '../../support/each-store';
import { channel, chat, useStore } from './contract';

eachStore('store contract: conversations, subscriptions, tenants', (kind) => {
  const t = useStore(kind);

  it('records a conversation and updates it in place, keeping a known team', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.upsertConversation({ ...channel, serviceUrl: 'https://smba.example/emea/', teamId: null }, 2);
    assert.deepEqual(await t.store.conversations.getConversation(channel.id), {
      ...channel,
      serviceUrl: 'https://smba.example/emea/',
      active: true,
      removedReason: null,
      pausedUntil: null,
    });
    assert.equal(await t.store.conversations.getConversation('nope'), null);
  });

  it('adds a subscription once per filters and numbers them per conversation', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    const a = await t.store.conversations.addSubscription(channel.id, { ...emptyFilters(), channels: ['whatsapp'], vip: true }, 'u1', 2);
    const same = await t.store.conversations.addSubscription(channel.id, { ...emptyFilters(), vip: true, channels: ['WhatsApp'] }, 'u2', 3);
    const b = await t.store.conversations.addSubscription(channel.id, { ...emptyFilters(), channels: ['messenger'] }, 'u1', 4);
    assert.equal(a.created, true);
    assert.deepEqual(
      [a.subscription.number, a.subscription.tenantId, a.subscription.createdBy, a.subscription.createdAt],
      [1, 't1', 'u1', 2],
    );
    assert.deepEqual([same.created, same.subscription.id], [false, a.subscription.id]);
    assert.deepEqual(
      (await t.store.conversations.listSubscriptions(channel.id)).map((s) => s.number),
      [1, 2],
    );
    const removed = await t.store.conversations.removeSubscriptions(channel.id, [a.subscription.id, 9999], 'test', 5);
    assert.deepEqual(
      removed.map((s) => s.id),
      [a.subscription.id],
    );
    const left = await t.store.conversations.listSubscriptions(channel.id);
    assert.deepEqual(
      left.map((s) => [s.id, s.number]),
      [[b.subscription.id, 1]],
    );
    assert.deepEqual(left[0].filters.channels, ['messenger']);
    assert.equal(
      (await t.store.conversations.addSubscription(channel.id, a.subscription.filters, 'u1', 6)).created,
      true,
      'removed filters can be added again',
    );
    assert.deepEqual(
      await t.store.conversations.removeSubscriptions(channel.id, [a.subscription.id], 'again', 7),
      [],
      'removed ones are not removed twice',
    );
  });

  it('deactivating a conversation removes its subscriptions with the reason; a new install reactivates it', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.addSubscription(channel.id, emptyFilters(), null, 2);
    await t.store.conversations.deactivateConversation(channel.id, 'app uninstalled', 3);
    assert.equal((await t.store.conversations.activeSubscriptions()).length, 0);
    assert.deepEqual(await t.store.conversations.getConversation(channel.id).then((c) => [c?.active, c?.removedReason]), [
      false,
      'app uninstalled',
    ]);
    await t.store.conversations.upsertConversation(channel, 4);
    assert.equal((await t.store.conversations.getConversation(channel.id))?.active, true);
  });

  it('removing the app from a team deactivates every channel of that team, and only those', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.upsertConversation({ ...channel, id: '19:second@thread.tacv2' }, 1);
    await t.store.conversations.upsertConversation({ ...channel, id: '19:other-team@thread.tacv2', teamId: '19:other@thread.tacv2' }, 1);
    assert.equal(await t.store.conversations.deactivateTeam(channel.teamId ?? '', 'removed from team', 2), 2);
    assert.equal((await t.store.conversations.getConversation('19:other-team@thread.tacv2'))?.active, true);
    assert.equal(await t.store.conversations.deactivateTeam(channel.teamId ?? '', 'again', 3), 0);
  });

  it('lists active subscriptions of active conversations with their tenant', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.upsertConversation(chat('a:2', 't2'), 1);
    await t.store.conversations.addSubscription(channel.id, emptyFilters(), null, 2);
    await t.store.conversations.addSubscription('a:2', { ...emptyFilters(), vip: true }, null, 2);
    assert.deepEqual(
      (await t.store.conversations.activeSubscriptions()).map((s) => [s.conversationId, s.tenantId]),
      [
        [channel.id, 't1'],
        ['a:2', 't2'],
      ],
    );
  });

  it('a pause is never shortened', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.pauseConversation(channel.id, 5_000);
    await t.store.conversations.pauseConversation(channel.id, 3_000);
    assert.equal((await t.store.conversations.getConversation(channel.id))?.pausedUntil, 5_000);
  });

  it('mutes a klink room in one conversation until a time', async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.muteRoom(channel.id, 'room-1', 1_000, 'u1');
    await t.store.conversations.muteRoom(channel.id, 'room-1', 2_000, 'u2');
    assert.deepEqual(await t.store.conversations.mutedRooms(1_500), [
      { conversationId: channel.id, roomId: 'room-1', until: 2_000, mutedBy: 'u2' },
    ]);
    assert.deepEqual(await t.store.conversations.mutedRooms(2_000), []);
  });

  it("lists one conversation's muted rooms and unmutes one, only there and only while muted", async () => {
    await t.store.conversations.upsertConversation(channel, 1);
    await t.store.conversations.upsertConversation(chat('a:1'), 1);
    await t.store.conversations.muteRoom(channel.id, 'room-2', 3_000, null);
    await t.store.conversations.muteRoom(channel.id, 'room-1', 2_000, 'u1');
    await t.store.conversations.muteRoom(channel.id, 'room-old', 500, 'u1');
    await t.store.conversations.muteRoom('a:1', 'room-1', 2_000, 'u3');
    assert.deepEqual(await t.store.conversations.mutedRoomsOf(channel.id, 1_000), [
      { conversationId: channel.id, roomId: 'room-1', until: 2_000, mutedBy: 'u1' },
      { conversationId: channel.id, roomId: 'room-2', until: 3_000, mutedBy: null },
    ]);
    assert.equal(await t.store.conversations.unmuteRoom(channel.id, 'room-old', 1_000), false, 'a mute that has ended');
    assert.equal(await t.store.conversations.unmuteRoom(channel.id, 'room-3', 1_000), false, 'never muted');
    assert.equal(await t.store.conversations.unmuteRoom(channel.id, 'room-1', 1_000), true);
    assert.equal(await t.store.conversations.unmuteRoom(channel.id, 'room-1', 1_000), false, 'unmuted already');
    assert.deepEqual(
      (await t.store.conversations.mutedRoomsOf(channel.id, 1_000)).map((m) => m.roomId),
      ['room-2'],
    );
    assert.deepEqual(
      (await t.store.conversations.mutedRoomsOf('a:1', 1_000)).map((m) => m.roomId),
      ['room-1'],
      "another conversation's mute of the same room stays",
    );
  });

  it('keeps the names Teams gives and whose personal chat a conversation is; unknown never erases known', async () => {
    await t.store.conversations.upsertConversation({ ...channel, name: 'VIP desk', teamName: 'Support' }, 1);
    await t.store.conversations.upsertConversation({ ...channel, name: null }, 2);
    const group = { ...chat('19:group@thread.v2'), type: 'groupChat' as const, name: 'Escalations' };
    await t.store.conversations.upsertConversation(group, 3);
    await t.store.conversations.upsertConversation({ ...chat('a:mia'), userAadObjectId: 'oid-mia' }, 4);
    await t.store.conversations.upsertConversation(chat('a:mia'), 5);
    await t.store.conversations.upsertConversation({ ...chat('19:other@thread.v2', 't2'), type: 'groupChat' }, 6);

    assert.equal(
      (await t.store.conversations.personalConversationOf('T1', 'oid-mia'))?.id,
      'a:mia',
      'tenant ids compare case-insensitively',
    );
    assert.equal(await t.store.conversations.personalConversationOf('t2', 'oid-mia'), null, 'another tenant');
    assert.equal(await t.store.conversations.personalConversationOf('t1', 'oid-someone'), null);

    const listed = await t.store.conversations.listConversations('t1', 10);
    assert.deepEqual(
      listed.map((c) => [c.id, c.type, c.name, c.teamName]),
      [
        [group.id, 'groupChat', 'Escalations', null],
        [channel.id, 'channel', 'VIP desk', 'Support'],
      ],
      'channels and group chats of the tenant, most recently seen first; personal chats left out',
    );
    assert.deepEqual(
      (await t.store.conversations.listConversations(null, 10)).map((c) => c.id),
      ['19:other@thread.v2', group.id, channel.id],
    );
    assert.equal((await t.store.conversations.listConversations('t1', 1)).length, 1);
    await t.store.conversations.renameConversation(channel.id, 'VIP lounge');
    await t.store.conversations.renameTeam(channel.teamId ?? '', 'Customer care');
    await t.store.conversations.renameConversation('19:never-seen@thread.tacv2', 'x');
    assert.deepEqual(
      (await t.store.conversations.listConversations('t1', 10)).map((c) => [c.id, c.name, c.teamName]),
      [
        [group.id, 'Escalations', null],
        [channel.id, 'VIP lounge', 'Customer care'],
      ],
      'renames are kept; an unknown conversation is not added',
    );
    await t.store.conversations.deactivateConversation(group.id, 'gone', 7);
    await t.store.conversations.deactivateConversation('a:mia', 'gone', 7);
    assert.deepEqual(
      (await t.store.conversations.listConversations('t1', 10)).map((c) => c.id),
      [channel.id],
    );
    assert.equal(await t.store.conversations.personalConversationOf('t1', 'oid-mia'), null, 'inactive');
  });

  it("records, lists and revokes tenant consent (case-insensitive ids); revoking deactivates the tenant's conversations", async () => {
    const tenant = 'AAAAAAAA-0000-0000-0000-000000000001';
    await t.store.tenants.recordConsent({ tenantId: tenant, grantedBy: 'admin@contoso', scopes: ['User.Read'], grantedAt: 5 });
    assert.deepEqual(await t.store.tenants.getConsent(tenant.toLowerCase()), {
      tenantId: tenant.toLowerCase(),
      grantedBy: 'admin@contoso',
      scopes: ['User.Read'],
      grantedAt: 5,
    });
    await t.store.conversations.upsertConversation({ ...channel, tenantId: tenant }, 1);
    await t.store.conversations.upsertConversation(chat('a:other'), 1);
    assert.equal(await t.store.tenants.revokeTenant(tenant, 'contract ended', 6), 1);
    assert.equal(await t.store.tenants.getConsent(tenant), null);
    assert.deepEqual(await t.store.tenants.listConsents(), []);
    assert.equal((await t.store.conversations.getConversation(channel.id))?.removedReason, 'contract ended');
    assert.equal((await t.store.conversations.getConversation('a:other'))?.active, true);
    await t.store.tenants.recordConsent({ tenantId: tenant, grantedBy: null, scopes: [], grantedAt: 7 });
    assert.equal((await t.store.tenants.listConsents()).length, 1, 'consent can be given again');
  });

  it('accepts an admin-consent state once, across callers, until it expires', async () => {
    assert.equal(await t.store.tenants.useConsentState('n-1', 1_000, 10), true);
    assert.equal(await t.store.tenants.useConsentState('n-1', 1_000, 20), false, 'a replay is refused');
    assert.equal(await t.store.tenants.useConsentState('n-2', 1_000, 20), true);
    const racing = await Promise.all([
      t.store.tenants.useConsentState('n-3', 1_000, 30),
      t.store.tenants.useConsentState('n-3', 1_000, 30),
    ]);
    assert.deepEqual(racing.sort(), [false, true], 'two callbacks at once: exactly one wins');
    assert.equal(await t.store.tenants.useConsentState('n-4', 2_000, 1_000), true);
    assert.equal((await t.store.rowCounts()).consent_states, 1, 'expired marks are removed on the way');
  });

  it('adds, lists and removes klink connections; a removed one is still found for events already taken', async () => {
    await t.store.tenants.addConnection({ id: 'k1', tenantId: 'T-1', name: 'Acme', secretEncrypted: 'sealed', createdAt: 1 });
    assert.deepEqual(await t.store.tenants.listConnections(), [
      { id: 'k1', tenantId: 't-1', name: 'Acme', secretEncrypted: 'sealed', createdAt: 1, apiTokenEncrypted: null, reply: null },
    ]);
    assert.equal(await t.store.tenants.removeConnection('k1', 2), true);
    assert.equal(await t.store.tenants.removeConnection('k1', 3), false);
    assert.equal(await t.store.tenants.getConnection('k1'), null);
    assert.equal((await t.store.tenants.getConnection('k1', { includeRemoved: true }))?.tenantId, 't-1');
    assert.deepEqual(await t.store.tenants.listConnections(), []);
  });

  it("sets and removes a connection's sealed API token and its reply setting; a removed connection is not changed", async () => {
    await t.store.tenants.addConnection({ id: 'k1', tenantId: 't-1', name: 'Acme', secretEncrypted: 'sealed', createdAt: 1 });
    assert.equal(await t.store.tenants.setConnectionApiToken('k1', 'sealed-token'), true);
    assert.equal(await t.store.tenants.setConnectionReply('k1', 'on'), true);
    let k1 = await t.store.tenants.getConnection('k1');
    assert.deepEqual([k1?.apiTokenEncrypted, k1?.reply, k1?.secretEncrypted], ['sealed-token', 'on', 'sealed']);
    assert.equal(await t.store.tenants.setConnectionReply('k1', 'off'), true);
    assert.equal(await t.store.tenants.setConnectionApiToken('k1', null), true);
    k1 = await t.store.tenants.getConnection('k1');
    assert.deepEqual([k1?.apiTokenEncrypted, k1?.reply], [null, 'off']);
    assert.equal(await t.store.tenants.setConnectionReply('k1', null), true);
    assert.equal((await t.store.tenants.getConnection('k1'))?.reply, null);
    assert.equal(await t.store.tenants.setConnectionApiToken('k2', 'x'), false, 'no such connection');
    await t.store.tenants.removeConnection('k1', 2);
    assert.equal(await t.store.tenants.setConnectionApiToken('k1', 'x'), false, 'removed');
    assert.equal(await t.store.tenants.setConnectionReply('k1', 'on'), false, 'removed');
  });
});
