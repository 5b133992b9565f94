/**
 * The bot's answers to commands (real server, fake Bot Connector) write every command they
 * suggest as it must be typed in that conversation: with @klink in a channel, bare in a personal
 * chat (where Teams delivers every message to the bot without a mention).
 */
import assert from 'node:assert/strict';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { TENANT, channelCommand, installationUpdate, personalCommand } from '../support/teams-activities';
import { type TestApp, startTestApp } from '../support/test-app';
import { eachStore } from '../support/each-store';
import { assertValidCard, cardTexts } from '../support/validate-card';

/** Commands whose answers each point to another command (an error, a confirmation, a list). */
const SESSION = [
  'help',
  'subscribe',
  'subscrbe whatsapp',
  'subscribe whatsap',
  'subscribe whatsapp vip',
  'subscribe whatsapp vip',
  'subscriptions',
  'unsubscribe 9',
  'unsubscribe telegram',
  'unsubscribe',
  'unsubscribe 1',
  'subscriptions',
];
/** A command written into a card's text, with or without the mention. */
const MENTIONED = /@klink (subscribe|unsubscribe|subscriptions|help|list)\b/;
const BARE = /(^|[^@\w])(?<!@klink )(?:"|\b(?:Type|type|Say|say|Try|try|with|Usage:\*\*) )(subscribe|unsubscribe|subscriptions|help)\b/;

eachStore('command replies as typed in each kind of conversation', (kind) => {
  let connector: FakeConnector;
  let t: TestApp;

  beforeEach(async () => {
    connector = await startFakeConnector();
    t = await startTestApp({}, { store: kind });
  });
  afterEach(async () => {
    await t.close();
    await connector.close();
  });

  async function answer(activity: { id: string }): Promise<string[]> {
    assert.equal(await t.activity(activity), 200);
    const [request] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id, 1, 5000);
    const card = request.activity?.attachments?.[0]?.content;
    assertValidCard(card);
    return cardTexts(card);
  }

  it('in a personal chat, no answer asks for an @mention', async () => {
    const where = { serviceUrl: connector.url };
    const personal = {
      conversation: { id: 'a:personal-chat-1', conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
    };
    const texts = [await answer({ ...installationUpdate(where, 'add'), ...personal })];
    for (const command of SESSION) texts.push(await answer(personalCommand(where, command)));
    const all = texts.flat();
    const mentioned = all.filter((text) => MENTIONED.test(text) && !text.startsWith('In a channel or group chat'));
    assert.deepEqual(mentioned, []);
    assert.ok(all.includes('Nothing was changed. Type help to see every command and filter.'));
    assert.ok(
      all.some((text) => text.includes('Type subscriptions to see the numbers')),
      all.join(' | '),
    );
  });

  it('in a channel, every command an answer suggests carries the @mention', async () => {
    const where = { serviceUrl: connector.url };
    const texts = [await answer(installationUpdate(where, 'add'))];
    for (const command of SESSION) texts.push(await answer(channelCommand(where, command)));
    const all = texts.flat();
    assert.deepEqual(
      all.filter((text) => BARE.test(text) && !text.startsWith('Did you mean')),
      [],
    );
    assert.ok(all.includes('Nothing was changed. Type @klink help to see every command and filter.'));
    assert.ok(
      all.some((text) => text.includes('Type @klink subscriptions to see the numbers')),
      all.join(' | '),
    );
  });
});
