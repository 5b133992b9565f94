/** MembershipCheck: which roster is asked (the team for a channel, the chat otherwise), and its short, bounded cache. */
import assert from 'node:assert/strict';
import { MEMBERSHIP_TTL_MS, type MemberLookup, MembershipCheck } from '../../../src/auth/membership';
import type { Conversation } from '../../../src/store/store';

/** A roster we own: records every question, answers from `members`. */
class Roster implements MemberLookup {
  readonly asked: Array<[string, string, string]> = [];
  members = new Set<string>();
  async isMember(serviceUrl: string, conversationId: string, memberId: string): Promise<boolean> {
    this.asked.push([serviceUrl, conversationId, memberId]);
    return Promise.resolve(this.members.has(`${conversationId} ${memberId}`));
  }
}

const channel: Conversation = {
  id: '19:vip-desk@thread.tacv2',
  type: 'channel',
  tenantId: 'tenant',
  serviceUrl: 'https://smba.example/emea/',
  channelId: 'msteams',
  teamId: '19:team@thread.tacv2',
  botId: '28:bot',
  botName: 'klink',
  active: true,
  removedReason: null,
  pausedUntil: null,
};
const chat: Conversation = { ...channel, id: '19:chat@thread.v2', type: 'groupChat', teamId: null };

describe('MembershipCheck', () => {
  let roster: Roster;
  let now: number;
  let check: MembershipCheck;

  beforeEach(() => {
    roster = new Roster();
    now = 1_000_000;
    check = new MembershipCheck(roster, () => now);
  });

  it("asks the team's roster for a channel and the chat's for a chat, at the conversation's service URL", async () => {
    roster.members.add('19:team@thread.tacv2 user-a');
    assert.equal(await check.isMember(channel, 'user-a'), true);
    assert.equal(await check.isMember(chat, 'user-a'), false);
    assert.deepEqual(roster.asked, [
      ['https://smba.example/emea/', '19:team@thread.tacv2', 'user-a'],
      ['https://smba.example/emea/', '19:chat@thread.v2', 'user-a'],
    ]);
  });

  it('keeps an answer (yes or no) for the TTL, then asks again', async () => {
    assert.equal(await check.isMember(channel, 'user-a'), false);
    roster.members.add('19:team@thread.tacv2 user-a');
    now += MEMBERSHIP_TTL_MS - 1;
    assert.equal(await check.isMember(channel, 'user-a'), false);
    assert.equal(roster.asked.length, 1);
    now += 1;
    assert.equal(await check.isMember(channel, 'user-a'), true);
    assert.equal(roster.asked.length, 2);
  });

  it('a failed lookup is not kept: the next call asks again', async () => {
    let fail = true;
    const flaky: MemberLookup = {
      isMember: async () => {
        if (fail) throw new Error('Teams unavailable');
        return Promise.resolve(true);
      },
    };
    const flakyCheck = new MembershipCheck(flaky, () => now);
    await assert.rejects(flakyCheck.isMember(channel, 'user-a'), /Teams unavailable/);
    fail = false;
    assert.equal(await flakyCheck.isMember(channel, 'user-a'), true);
  });

  it('keeps at most maxEntries answers: the oldest goes first', async () => {
    const small = new MembershipCheck(roster, () => now, 2);
    for (const user of ['a', 'b', 'c']) await small.isMember(channel, user);
    await small.isMember(channel, 'c');
    await small.isMember(channel, 'b');
    assert.equal(roster.asked.length, 3, 'b and c are still kept');
    await small.isMember(channel, 'a');
    assert.equal(roster.asked.length, 4, 'a was dropped');
  });
});
