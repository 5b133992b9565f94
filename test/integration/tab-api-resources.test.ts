/**
 * The tab API's resources through the real server, on both stores, with real RS256 SSO tokens and
 * the fake Bot Connector for membership: vocabulary, a conversation's summary, checking filters
 * (with the bot's own card for a made-up message), muted rooms, deliveries, and `GET /me`. The
 * tab and the `@klink` commands share one store: a change in either shows in the other.
 */
import assert from 'node:assert/strict';
import { eachStore } from '../support/each-store';
import { TEST_BOT_ID } from '../support/fake-openid';
import { TEAM, TENANT, USER, installationUpdate, personalCommand } from '../support/teams-activities';
import {
  MEMBER_OID,
  PERSONAL_CHAT,
  TAB_CHANNEL,
  assertProblem,
  conversationPath,
  deadDelivery,
  useTabApi,
} from '../support/tab-api-harness';
import { assertValidCard, cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

const WHATSAPP_VIP = 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).';
const OTHER_CHANNEL = '19:tab-escalations@thread.tacv2';
const OTHER_TEAM = '19:other-team@thread.tacv2';
const OTHER_TEAM_CHANNEL = '19:other-team-sales@thread.tacv2';

eachStore('tab API resources', function (kind) {
  this.timeout(30_000);
  const h = useTabApi(kind);
  const path = (sub = '', cid = TAB_CHANNEL) => `${conversationPath(cid)}${sub}`;

  /** Installs the bot in another channel, of TEAM or of another team. */
  async function install(channelId: string, team = TEAM, teamName = 'Support'): Promise<void> {
    const activity = installationUpdate({ serviceUrl: h.connector.url, channelId }, 'add');
    const channelData = { ...activity.channelData, team: { id: team, name: teamName }, channel: { id: channelId, name: 'Escalations' } };
    assert.equal(await h.sendActivity({ ...activity, channelData }), 200);
  }

  it('vocabulary: one word per channel type with its label, the VIP tags, the directions', async () => {
    const answer = await h.call('GET', '/vocabulary');
    assert.equal(answer.status, 200);
    const channels = answer.body.channels as Array<{ word: string; label: string }>;
    assert.deepEqual(channels[0], { word: 'whatsapp', label: 'WhatsApp' });
    assert.ok(channels.some((c) => c.word === 'livechat' && c.label === 'Live chat'));
    assert.ok(!channels.some((c) => c.word === 'facebook' || c.word === 'webchat'), 'aliases left out');
    assert.deepEqual(answer.body.vipTags, ['VIP', 'VVIP']);
    assert.deepEqual(answer.body.directions, ['inbound', 'outbound', 'both']);
    assertProblem(await h.call('GET', '/vocabulary', { token: null }), 401, /sign in/i, 'missing');
  });

  it("a conversation's summary: type, team, how commands are typed there, and counts", async () => {
    await h.command('subscribe telegram');
    await h.t.app.store.conversations.muteRoom(TAB_CHANNEL, 'room-1', h.clock.now() + 3_600_000, 'someone');
    await deadDelivery(h, 'm-1');
    const answer = await h.call('GET', path());
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, {
      conversation: { id: TAB_CHANNEL, type: 'channel', teamId: TEAM, tenantId: TENANT },
      commandPrefix: '@klink ',
      counts: { subscriptions: 2, mutedRooms: 1, pending: 0, dead: 1 },
    });
  });

  it('checking filters: the command as typed here, the sentence, a duplicate, and the bot card for a sample message; nothing saved', async () => {
    const check = (filters: unknown) => h.call('POST', path('/filters/check'), { body: { filters } });
    const first = await check('WhatsApp VIP "refund"');
    assert.equal(first.status, 200);
    assert.equal(first.body.ok, true, JSON.stringify(first.body));
    assert.equal(first.body.command, '@klink subscribe whatsapp vip "refund"');
    assert.equal(first.body.filters, 'whatsapp vip "refund"');
    assert.match(String(first.body.description), /WhatsApp from VIP contacts/);
    assert.equal(first.body.duplicateOf, null);
    const card = (first.body.preview as { card: unknown }).card;
    assertValidCard(card);
    const texts = cardTexts(card).join(' | ');
    for (const expected of [/Sample/, /Sample contact/, /WhatsApp/, /refund/, /VIP/]) assert.match(texts, expected);
    assert.deepEqual(await h.t.app.store.conversations.listSubscriptions(TAB_CHANNEL), [], 'nothing saved');

    await h.command('subscribe telegram');
    await h.command('subscribe whatsapp vip');
    const duplicate = await check('vip whatsapp');
    assert.equal(duplicate.body.duplicateOf, 2);

    const bad = await check('whatsap tag:');
    assert.equal(bad.status, 200);
    assert.equal(bad.body.ok, false);
    const problems = bad.body.problems as Array<{ problem: string; suggestion: string | null }>;
    assert.equal(problems.length, 2, JSON.stringify(problems));
    assert.match(problems[0].problem, /whatsap/);
    assert.match(problems[0].suggestion ?? '', /whatsapp/);
    assert.equal((await check(7)).body.ok, false);
  });

  it('in a personal chat the command is written without @klink', async () => {
    await h.command('help', 'personal');
    h.connector.setMembers(PERSONAL_CHAT, [{ id: USER.id, aadObjectId: MEMBER_OID }]);
    const answer = await h.call('POST', path('/filters/check', PERSONAL_CHAT), { body: { filters: 'telegram' } });
    assert.equal(answer.body.command, 'subscribe telegram', JSON.stringify(answer.body));
    assert.equal((await h.call('GET', path('', PERSONAL_CHAT))).body.commandPrefix, '');
  });

  it('muted rooms: listed with their link to klink, unmuted once (then 404), only in this conversation', async () => {
    const until = h.clock.now() + 3_600_000;
    await h.t.app.store.conversations.muteRoom(TAB_CHANNEL, 'room-7', until, 'oid-someone');
    const listed = await h.call('GET', path('/muted-rooms'));
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.mutedRooms, [
      { roomId: 'room-7', until: new Date(until).toISOString(), mutedBy: 'oid-someone', roomUrl: 'https://app.klink.cloud/inbox/room-7' },
    ]);
    const unmuted = await h.call('DELETE', path('/muted-rooms/room-7'));
    assert.equal(unmuted.status, 200);
    assert.deepEqual(unmuted.body, { unmuted: { roomId: 'room-7' } });
    assert.deepEqual(await h.t.app.store.conversations.mutedRoomsOf(TAB_CHANNEL, h.clock.now()), []);
    assertProblem(await h.call('DELETE', path('/muted-rooms/room-7')), 404, /not muted/, 'room-not-muted');
  });

  it('deliveries: the newest first with state and event summary (no message text); dead ones retried, one or all, only here', async () => {
    await install(OTHER_CHANNEL);
    await deadDelivery(h, 'm-other', OTHER_CHANNEL);
    await deadDelivery(h, 'm-1');
    await deadDelivery(h, 'm-2');
    const otherDead = { pending: 0, dead: 3 };
    const listed = await h.call('GET', path('/deliveries'));
    assert.equal(listed.status, 200);
    assert.ok(!JSON.stringify(listed.body).includes('secret customer text'), 'no message text');
    const deliveries = listed.body.deliveries as Array<{
      id: number;
      state: string;
      attempts: number;
      lastError: string;
      event: Record<string, unknown>;
    }>;
    assert.deepEqual(
      deliveries.map((d) => [d.event.id, d.state, d.event.kind, d.event.roomId]),
      [
        ['m-2', 'dead', 'message.inbound', 'room-m-2'],
        ['m-1', 'dead', 'message.inbound', 'room-m-1'],
      ],
    );
    assert.equal(typeof deliveries[0].event.channelType, 'string');
    assert.match(String(deliveries[0].event.at), /^\d{4}-\d\d-\d\dT/);
    assert.match(deliveries[0].lastError, /https/);
    assert.equal((await h.call('GET', path('/deliveries?state=delivered'))).body.deliveries instanceof Array, true);
    assert.deepEqual((await h.call('GET', path('/deliveries?state=delivered'))).body.deliveries, []);
    assertProblem(await h.call('GET', path('/deliveries?state=lost')), 400, /state=/, 'invalid-state');

    const [other] = await h.t.app.store.deliveries.conversationDeliveries(OTHER_CHANNEL, null, 1);
    await waitFor(async () => (await h.t.app.store.deliveries.deliveryCounts(OTHER_CHANNEL)).dead === 3, {
      timeoutMs: 10_000,
      what: 'idle',
    });
    assertProblem(await h.call('POST', path(`/deliveries/${other.delivery.id}/retry`)), 404, /no such delivery/, 'delivery-not-found');
    assertProblem(await h.call('POST', path('/deliveries/abc/retry')), 404, /no such delivery/, 'delivery-not-found');
    assert.deepEqual(await h.t.app.store.deliveries.deliveryCounts(OTHER_CHANNEL), otherDead, "another conversation's stay");

    const deadLettered = () => h.t.logs.filter((l) => l.includes('delivery dead-lettered')).length;
    const before = deadLettered();
    const one = await h.call('POST', path(`/deliveries/${deliveries[0].id}/retry`));
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assert.deepEqual(one.body, { requeued: 1 });
    // The delivery worker is told at once and tries again (here it dead-letters again: plain http).
    await waitFor(() => deadLettered() > before, { timeoutMs: 10_000, what: 'the re-queued delivery to be tried again' });
    await waitFor(async () => (await h.t.app.store.deliveries.deliveryCounts(TAB_CHANNEL)).pending === 0, {
      timeoutMs: 10_000,
      what: 'idle',
    });

    const all = await h.call('POST', path('/deliveries/retry-dead'));
    assert.deepEqual(all.body, { requeued: 2 });
    assert.deepEqual(await h.t.app.store.deliveries.deliveryCounts(OTHER_CHANNEL), otherDead, "another conversation's stay");
  });

  it('retrying a delivery that is not dead: 409, nothing changes', async () => {
    await deadDelivery(h, 'm-1');
    const [dead] = await h.t.app.store.deliveries.conversationDeliveries(TAB_CHANNEL, 'dead', 1);
    assert.deepEqual((await h.call('POST', path(`/deliveries/${dead.delivery.id}/retry`))).body, { requeued: 1 });
    await waitFor(async () => (await h.t.app.store.deliveries.deliveryCounts(TAB_CHANNEL)).pending === 0, {
      timeoutMs: 10_000,
      what: 'idle',
    });
    // Put it in a state other than dead without sending: a pending one that is not due.
    await h.t.app.store.deliveries.requeueDeadOf(TAB_CHANNEL, [dead.delivery.id], h.clock.now() + 86_400_000);
    assertProblem(await h.call('POST', path(`/deliveries/${dead.delivery.id}/retry`)), 409, /not dead|only deliveries/i, 'not-dead');
  });

  it('GET /me: the personal chat and its subscriptions, the channels where the user is a member with names and a tab link, the limit', async () => {
    await h.command('subscribe telegram', 'personal');
    await h.command('subscribe whatsapp vip');
    await install(OTHER_TEAM_CHANNEL, OTHER_TEAM, 'Sales');
    h.connector.setMembers(OTHER_TEAM, [{ id: '29:someone', aadObjectId: '0a1b2c3d-0000-4000-8000-00000000c003' }]);
    const groupChat = '19:group-escalations@thread.v2';
    const inGroup = personalCommand({ serviceUrl: h.connector.url }, 'help', groupChat);
    const groupConversation = { id: groupChat, conversationType: 'groupChat', isGroup: true, name: 'Escalations', tenantId: TENANT };
    assert.equal(await h.sendActivity({ ...inGroup, text: '<at>klink</at> help', conversation: groupConversation }), 200);
    h.connector.setMembers(groupChat, [{ id: USER.id, aadObjectId: MEMBER_OID }]);
    const me = await h.call('GET', '/me');
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.deepEqual(me.body.user, { id: MEMBER_OID, tenantId: TENANT, name: null, development: false });
    const personal = me.body.personal as { conversationId: string; subscriptions: Array<{ description: string; command: string }> };
    assert.equal(personal.conversationId, PERSONAL_CHAT);
    assert.deepEqual(
      personal.subscriptions.map((s) => s.command),
      ['telegram'],
    );
    const conversations = me.body.conversations as Array<Record<string, unknown>>;
    assert.deepEqual(
      conversations.map((c) => [c.id, c.type, c.teamId, c.name, c.teamName, c.subscriptions]),
      [
        [groupChat, 'groupChat', null, 'Escalations', null, 0],
        [TAB_CHANNEL, 'channel', TEAM, 'VIP desk', 'Support', 1],
      ],
      'most recently active first; the other team, where the user is not a member, is left out',
    );
    const link = new URL(String(conversations[1].tabUrl));
    assert.equal(`${link.origin}${link.pathname}`, `https://teams.microsoft.com/l/entity/${TEST_BOT_ID}/klink-feed`);
    assert.deepEqual(JSON.parse(link.searchParams.get('context') ?? ''), { channelId: TAB_CHANNEL });
    const chatLink = new URL(String(conversations[0].tabUrl));
    assert.deepEqual(JSON.parse(chatLink.searchParams.get('context') ?? ''), { chatId: groupChat, contextType: 'chat' });
    assert.deepEqual(me.body.limits, { checked: 3, maxChecked: 50, truncated: false, unanswered: 0 });
    // One lookup per team roster, cached: a second call asks Teams nothing.
    const lookups = h.connector.find({ route: 'getConversationMember' }).length;
    assert.equal((await h.call('GET', '/me')).status, 200);
    assert.equal(h.connector.find({ route: 'getConversationMember' }).length, lookups);
  });

  it('renames in Teams (channel, team) show in GET /me', async () => {
    const renamed = (eventType: string, channelData: object) => ({
      type: 'conversationUpdate',
      id: `rename-${eventType}`,
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      from: USER,
      conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: TENANT },
      channelData: { eventType, tenant: { id: TENANT }, ...channelData },
    });
    assert.equal(
      await h.sendActivity(renamed('channelRenamed', { channel: { id: TAB_CHANNEL, name: 'VIP lounge' }, team: { id: TEAM } })),
      200,
    );
    assert.equal(await h.sendActivity(renamed('teamRenamed', { team: { id: TEAM, name: 'Customer care' } })), 200);
    const conversations = (await h.call('GET', '/me')).body.conversations as Array<Record<string, unknown>>;
    assert.deepEqual(
      conversations.map((c) => [c.id, c.name, c.teamName]),
      [[TAB_CHANNEL, 'VIP lounge', 'Customer care']],
    );
  });

  it('a change in the tab shows in @klink subscriptions, and an unsubscribe by command leaves the tab', async () => {
    const added = await h.call('POST', path('/subscriptions'), { body: { filters: 'whatsapp vip' } });
    assert.equal(added.status, 201);
    assert.ok((await h.command('subscriptions')).some((text) => text.includes(WHATSAPP_VIP)));
    await h.command('unsubscribe whatsapp vip');
    const listed = await h.call('GET', path('/subscriptions'));
    assert.deepEqual(listed.body.subscriptions, []);
    assert.equal(USER.name, 'Mia Agent');
  });
});
