/**
 * Replying from a card in the Agents Playground's own web UI (Debian's Chromium through
 * playwright-core): the card's Reply (Action.ShowCard) opens the multi-line box (Input.Text), the
 * user types and presses Send (Action.Execute); the playground invokes the bot with the text
 * merged into the action's data, klink (the fake API) receives the send, and the card in the page
 * shows "Replied by …" with the time rendered by the client. With REPLY_SCREENSHOT=<file.png> it
 * keeps a picture of the replied card.
 */
import assert from 'node:assert/strict';
import { type Browser, chromium } from 'playwright-core';
import { FAKE_KLINK_TOKEN, type FakeKlinkApi, startFakeKlinkApi } from '../support/fake-klink-api';
import { contactEvent, sample } from '../support/fixtures';
import { type Playground, buildPlaygroundConfig, startPlayground } from '../support/playground';
import { type TestApp, startTestApp } from '../support/test-app';
import { screenshot } from '../support/screenshot';
import { waitFor } from '../support/wait';

const CONTACT = '050823aa-8443-4fed-9951-f58d3b18c4eb';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('Agents Playground UI: replying from a card (Chromium)', function () {
  this.timeout(120_000);
  let api: FakeKlinkApi;
  let t: TestApp;
  let playground: Playground;
  let browser: Browser;

  before(async () => {
    api = await startFakeKlinkApi();
    t = await startTestApp({ KLINK_API_TOKEN: FAKE_KLINK_TOKEN, KLINK_API_BASE_URL: api.baseUrl, KLINK_REPLY: 'on' });
    playground = await startPlayground({
      botEndpoint: `${t.url}/api/messages`,
      port: 0,
      config: buildPlaygroundConfig({ botName: 'klink', teamName: 'klink demo' }),
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await browser?.close();
    await playground?.stop();
    await t?.close();
    await api?.close();
  });

  it('Reply, type, Send: klink gets the text once and the card shows "Replied by Alex Wilber at <time>: <text>"', async () => {
    const page = await browser.newPage();
    const invokes: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/_conversation/v1/invoke')) invokes.push(request.postData() ?? '');
    });
    await page.goto(playground.url);
    await page.getByText('General', { exact: true }).first().click();
    // Its connection to the playground is up once the network is quiet (a busy machine is slow here).
    await page.waitForLoadState('networkidle', { timeout: 30_000 });
    // The page must be open before the bot posts: the playground replays nothing to it afterwards.
    const general = (await playground.config()).teams[0].channels[0].id;
    await playground.sendChannelMessage(general, 'subscribe whatsapp');
    await waitFor(async () => (await t.app.store.conversations.listSubscriptions(general)).length === 1, {
      timeoutMs: 20_000,
      what: 'the subscription',
    });
    assert.equal((await t.webhook(contactEvent(CONTACT, ['VIP'], 'Aung Aung'))).status, 200);
    assert.equal((await t.webhook(sample('message.inbound'))).status, 200);

    const reply = page.getByRole('button', { name: 'Reply', exact: true });
    await reply.waitFor({ timeout: 30_000 });
    await reply.click();
    const box = page.locator('textarea');
    await box.waitFor({ timeout: 10_000 });
    assert.match(await page.locator('body').innerText(), /Your reply goes to Aung Aung on WhatsApp, sent as your klink workspace/);
    await box.fill('Hello from Teams, Aung Aung!');
    await page.locator('button', { hasText: /^Send$/ }).click();

    const replied = page.getByText(/^Replied by Alex Wilber at \w{3}, \w{3} \d+, \d{4}, \d+:\d{2} [AP]M: Hello from Teams, Aung Aung!$/);
    await replied.waitFor({ timeout: 30_000 });
    // REPLY_SCREENSHOT=<file.png> keeps a picture of the replied card (the README's).
    const picture = process.env.REPLY_SCREENSHOT;
    if (picture) await screenshot(page.locator('.ac-adaptiveCard', { has: replied }).last(), picture);
    const sends = api.requests.filter((r) => r.method === 'POST' && r.url === '/api/v1/messages/send');
    assert.equal(sends.length, 1);
    assert.deepEqual(
      (({ contactId, messageType, message }) => ({ contactId, messageType, message }))(
        JSON.parse(sends[0].body) as Record<string, unknown>,
      ),
      { contactId: CONTACT, messageType: 'text', message: 'Hello from Teams, Aung Aung!' },
    );
    assert.equal(invokes.length, 1);
    const invoke = JSON.parse(invokes[0]) as { value: { action: { verb: string; data: Record<string, string> } } };
    assert.equal(invoke.value.action.verb, 'reply');
    assert.equal(invoke.value.action.data.replyText, 'Hello from Teams, Aung Aung!', 'the box is merged into the action data');
    await page.close();
  });
});
