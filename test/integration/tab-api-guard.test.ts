/**
 * The tab API's gate, through the real server: strangers learn nothing (an unknown conversation
 * and one they are not a member of get the same 403), only tokens Teams (or klink itself) obtained
 * are accepted (`azp`), every route that changes something refuses non-members with nothing
 * changed, and each answer is counted (by route pattern, never an id) and each change logged.
 */
import assert from 'node:assert/strict';
import { TEST_BOT_ID } from '../support/fake-openid';
import { TEAMS_DESKTOP_CLIENT, TEAMS_WEB_CLIENT } from '../support/fake-entra';
import { eachStore } from '../support/each-store';
import { STRANGER_OID, TAB_CHANNEL, assertProblem, conversationPath, deadDelivery, useTabApi } from '../support/tab-api-harness';

eachStore('tab API gate (membership, azp, metrics)', function (kind) {
  this.timeout(30_000);
  const h = useTabApi(kind);

  it('an unknown conversation and one the caller is not a member of get the same 403; Teams is not asked about the unknown one', async () => {
    const stranger = h.userToken({ oid: STRANGER_OID });
    const notMember = await h.call('GET', `${conversationPath()}/subscriptions`, { token: stranger });
    const lookups = h.connector.find({ route: 'getConversationMember' }).length;
    const unknown = await h.call('GET', `${conversationPath('19:unknown@thread.tacv2')}/subscriptions`);
    assertProblem(notMember, 403, /not a member/, 'not-a-member');
    assert.deepEqual(unknown.body, notMember.body);
    assert.equal(unknown.status, notMember.status);
    assert.equal(h.connector.find({ route: 'getConversationMember' }).length, lookups);
    // A conversation klink was removed from answers the same.
    await h.t.app.store.conversations.deactivateConversation(TAB_CHANNEL, 'app uninstalled', h.clock.now());
    assert.deepEqual((await h.call('GET', conversationPath())).body, notMember.body);
  });

  it("only tokens issued to Teams' clients or to klink itself (azp) are accepted", async () => {
    for (const azp of [TEAMS_WEB_CLIENT, TEAMS_DESKTOP_CLIENT, TEST_BOT_ID]) {
      assert.equal((await h.call('GET', conversationPath(), { token: h.userToken({ azp }) })).status, 200, azp);
    }
    const lookups = h.connector.find({ route: 'getConversationMember' }).length;
    for (const azp of ['0badc0de-0000-4000-8000-000000000000', null]) {
      const refused = await h.call('POST', `${conversationPath()}/subscriptions`, {
        token: h.userToken({ azp }),
        body: { filters: 'telegram' },
      });
      assertProblem(refused, 403, /other than Microsoft Teams/, 'client-not-allowed');
    }
    assertProblem(await h.call('GET', '/me', { token: h.userToken({ azp: null }) }), 403, /Teams/, 'client-not-allowed');
    assert.deepEqual(await h.t.app.store.conversations.listSubscriptions(TAB_CHANNEL), []);
    assert.equal(h.connector.find({ route: 'getConversationMember' }).length, lookups);
  });

  it('every route that changes something refuses a non-member with 403, and nothing changes', async () => {
    await h.command('subscribe telegram');
    await h.t.app.store.conversations.muteRoom(TAB_CHANNEL, 'room-m', h.clock.now() + 3_600_000, 'someone');
    await deadDelivery(h, 'm-dead');
    const [dead] = await h.t.app.store.deliveries.conversationDeliveries(TAB_CHANNEL, 'dead', 1);
    const [subscription] = await h.t.app.store.conversations.listSubscriptions(TAB_CHANNEL);
    const snapshot = async () => ({
      subscriptions: await h.t.app.store.conversations.listSubscriptions(TAB_CHANNEL),
      muted: await h.t.app.store.conversations.mutedRoomsOf(TAB_CHANNEL, h.clock.now()),
      counts: await h.t.app.store.deliveries.deliveryCounts(TAB_CHANNEL),
    });
    const before = await snapshot();
    const stranger = h.userToken({ oid: STRANGER_OID });
    const routes: Array<[string, string, unknown]> = [
      ['POST', '/subscriptions', { filters: 'whatsapp vip' }],
      ['DELETE', `/subscriptions/${subscription.id}`, undefined],
      ['DELETE', '/muted-rooms/room-m', undefined],
      ['POST', `/deliveries/${dead.delivery.id}/retry`, undefined],
      ['POST', '/deliveries/retry-dead', undefined],
    ];
    for (const [method, path, body] of routes) {
      assertProblem(await h.call(method, `${conversationPath()}${path}`, { token: stranger, body }), 403, /not a member/, 'not-a-member');
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('answers are counted by route pattern and status (never an id); changes are logged with who, where and what', async () => {
    assert.equal((await h.call('POST', `${conversationPath()}/subscriptions`, { body: { filters: 'whatsapp' } })).status, 201);
    assert.equal((await h.call('GET', `${conversationPath()}/subscriptions`, { token: h.userToken({ oid: STRANGER_OID }) })).status, 403);
    assert.equal((await h.call('GET', '/vocabulary')).status, 200);
    const metric = await h.t.app.metrics.registry.getSingleMetric('klink_teams_tab_requests_total')?.get();
    const counted = (metric?.values ?? []).map((v) => [v.labels.route, v.labels.status, v.value]);
    assert.deepEqual(
      counted.sort(),
      [
        ['GET /api/tab/conversations/:conversationId/subscriptions', '403', 1],
        ['GET /api/tab/vocabulary', '200', 1],
        ['POST /api/tab/conversations/:conversationId/subscriptions', '201', 1],
      ].sort(),
    );
    const change = h.t.logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === 'tab: change');
    assert.ok(change, 'a change is logged');
    assert.equal(change.conversationId, TAB_CHANNEL);
    assert.equal(typeof change.userId, 'string');
    assert.equal(change.change, 'subscription added');
  });
});
