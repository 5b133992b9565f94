/** Store contract: replies from cards — one per card action key, outcomes recorded, text removed after retention. */
import assert from 'node:assert/strict';
import type { NewCardReply } from '../../../src/store/store';
import { eachStore } from '../../support/each-store';
import { channel, dispatched, useStore } from './contract';

eachStore('store contract: replies from cards', (kind) => {
  const t = useStore(kind);

  async function reply(extra: Partial<NewCardReply> = {}): Promise<NewCardReply> {
    await t.store.conversations.upsertConversation(channel, 1);
    const eventId = await dispatched(t.store, 'm1', [channel.id]);
    return {
      actionKey: 'key-1',
      conversationId: channel.id,
      eventId,
      connectionId: 'default',
      contactId: 'c1',
      roomId: 'r1',
      userId: 'aad-1',
      userName: 'Mia',
      text: 'Hello',
      createdAt: 1_000,
      ...extra,
    };
  }

  it('claims a card action once: a second claim with the same key returns the first reply as recorded', async () => {
    const first = await reply();
    const claimed = await t.store.replies.claimReply(first);
    assert.equal(claimed.claimed, true);
    assert.equal(claimed.reply.outcome, 'sending');
    assert.equal(claimed.reply.text, 'Hello');
    const again = await t.store.replies.claimReply({ ...first, text: 'Other text', userName: 'Ben' });
    assert.equal(again.claimed, false);
    assert.deepEqual(again.reply, claimed.reply);

    await t.store.replies.finishReply(claimed.reply.id, { outcome: 'sent', klinkMessageId: 'k-9', errorCode: null, error: null }, 2_000);
    const after = await t.store.replies.claimReply(first);
    assert.equal(after.claimed, false);
    assert.deepEqual(
      [after.reply.outcome, after.reply.klinkMessageId, after.reply.finishedAt, after.reply.userName],
      ['sent', 'k-9', 2_000, 'Mia'],
    );
  });

  it('claims at once from two callers: exactly one wins', async () => {
    const first = await reply();
    const results = await Promise.all([t.store.replies.claimReply(first), t.store.replies.claimReply(first)]);
    assert.deepEqual(results.map((r) => r.claimed).sort(), [false, true]);
    assert.equal(results[0].reply.id, results[1].reply.id);
  });

  it("lists a card's replies oldest first, with failures and their reasons; other keys are other replies", async () => {
    const first = await reply();
    const a = await t.store.replies.claimReply(first);
    const b = await t.store.replies.claimReply({ ...first, actionKey: 'key-2', text: 'Second', createdAt: 1_500 });
    assert.equal(b.claimed, true);
    await t.store.replies.finishReply(
      b.reply.id,
      { outcome: 'failed', klinkMessageId: null, errorCode: 'token-refused', error: 'the klink API token was refused' },
      1_600,
    );
    const listed = await t.store.replies.listReplies(channel.id, first.eventId);
    assert.deepEqual(
      listed.map((r) => [r.id, r.text, r.outcome, r.errorCode, r.error]),
      [
        [a.reply.id, 'Hello', 'sending', null, null],
        [b.reply.id, 'Second', 'failed', 'token-refused', 'the klink API token was refused'],
      ],
    );
    assert.deepEqual(await t.store.replies.listReplies(channel.id, first.eventId + 1), []);
  });

  it('removes the text of replies made before the retention cut-off and keeps the record', async () => {
    const first = await reply();
    await t.store.replies.claimReply(first);
    await t.store.replies.claimReply({ ...first, actionKey: 'key-2', createdAt: 5_000 });
    assert.equal(await t.store.replies.purgeReplyText(2_000), 1);
    assert.equal(await t.store.replies.purgeReplyText(2_000), 0);
    const listed = await t.store.replies.listReplies(channel.id, first.eventId);
    assert.deepEqual(
      listed.map((r) => [r.actionKey, r.text, r.userId]),
      [
        ['key-1', null, 'aad-1'],
        ['key-2', 'Hello', 'aad-1'],
      ],
    );
  });
});
