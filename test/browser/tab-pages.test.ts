/**
 * The klink tab's pages in headless Chromium, inside the Teams test host (test/support/teams-host),
 * against the real app in local mode: the host's getAuthToken fails as it does without an Entra
 * app, and the page must work all the same. Built with scripts/build-tab.ts into a temp dir and
 * served by the app under test. The configuration page saves; a
 * subscription built with the builder (server check, card preview, duplicates, problems in place)
 * brings a signed VIP webhook's card to the channel, shows in `@klink subscriptions` and one added by command shows in the tab; Remove asks first;
 * muted rooms, deliveries and dead letters; the personal page; the keyboard alone; the theme
 * follows Teams live; outside Teams the page says where to open it. Measures first render.
 * The app itself serves the built pages at /tab/, with its own Content-Security-Policy.
 * With TAB_SCREENSHOTS=<dir> it writes tab-light.png and tab-dark.png there.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildTab } from '../../scripts/build-tab';
import { type LoopbackContext, launchChromium, newLoopbackContext } from '../support/browser';
import { type FakeConnector, type RecordedRequest, startFakeConnector } from '../support/fake-connector';
import { contactEvent, messageEvent } from '../support/fixtures';
import { screenshot } from '../support/screenshot';
import { channelCommand, installationUpdate } from '../support/teams-activities';
import { type OpenTeamsHostOptions, type TeamsHost, type TeamsHostContext, openTeamsHost } from '../support/teams-host';
import { type TestApp, startTestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';
import { cardTexts } from '../support/validate-card';
import { waitFor } from '../support/wait';

const CHANNEL = '19:tab-ui-vip@thread.tacv2';
const TEAM = { internalId: '19:team-support@thread.tacv2', groupId: 'a1b2c3d4-0000-4000-8000-00000000c0de', name: 'Support' };
const IN_CHANNEL: TeamsHostContext = { frameContext: 'content', team: TEAM, channel: { id: CHANNEL, name: 'VIP desk' } };
const WHATSAPP_VIP = 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).';
const EMPTY = 'Nothing is posted here yet';

describe('browser: the klink tab pages', function () {
  this.timeout(30_000);
  let dir: { dir: string; remove: () => void };
  let connector: FakeConnector;
  let app: TestApp;
  /** Where the app serves the tab's pages. */
  let tabBase: string;
  let browser: Browser;
  let network: LoopbackContext;
  let host: TeamsHost | undefined;

  before(async function () {
    this.timeout(120_000);
    dir = makeTempDir('klink-tab-pages-');
    const tabDir = path.join(dir.dir, 'tab');
    const [launched, fakeConnector] = await Promise.all([launchChromium(), startFakeConnector(), buildTab(tabDir)]);
    [browser, connector] = [launched, fakeConnector];
    app = await startTestApp({}, { tab: { tabDir } });
    tabBase = `${app.url}/tab`;
    assert.equal(await app.activity(installationUpdate({ serviceUrl: connector.url, channelId: CHANNEL }, 'add')), 200);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    await connector?.close();
    dir?.remove();
  });
  beforeEach(async () => {
    network = await newLoopbackContext(browser, { viewport: { width: 1100, height: 1500 } });
  });
  afterEach(async () => {
    await host?.close();
    host = undefined;
    await network.close();
  });

  async function open(page: string, options: Omit<OpenTeamsHostOptions, 'tabUrl'>): Promise<TeamsHost> {
    host = await openTeamsHost(network.context, { tabUrl: `${tabBase}/${page}`, timeoutMs: 10_000, ...options });
    await host.waitForInitialized();
    return host;
  }

  /** `@klink <text>` in the channel; the texts of the bot's reply card. */
  async function command(text: string): Promise<string[]> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL }, text);
    assert.equal(await app.activity(activity), 200);
    const [reply] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id);
    return cardTexts(reply.activity?.attachments?.[0]?.content);
  }

  it('configuration page: valid once it knows the channel; Save points Teams at content.html', async () => {
    const teams = await open('config.html', { context: { ...IN_CHANNEL, frameContext: 'settings' } });
    await teams.tab.getByRole('heading', { name: 'klink for this conversation' }).waitFor();
    await teams.waitForValidity(true);
    const outcome = await teams.save();
    assert.deepEqual(outcome, {
      ok: true,
      settings: { entityId: 'klink-feed', contentUrl: `${tabBase}/content.html`, suggestedDisplayName: 'klink' },
    });
  });

  it('content page: add whatsapp vip with the builder, see it in @klink subscriptions, remove it after confirming', async () => {
    const teams = await open('content.html', { context: IN_CHANNEL });
    const page = teams.tab;
    await page.getByText(EMPTY).waitFor();
    await page.getByRole('checkbox', { name: 'WhatsApp' }).check();
    await page.getByRole('checkbox', { name: /VIP contacts/ }).check();
    await page.getByText('@klink subscribe whatsapp vip', { exact: true }).waitFor();
    // The server's own words and card for these filters, drawn by the Adaptive Cards renderer.
    await page.getByRole('region', { name: 'Add a subscription' }).getByText(WHATSAPP_VIP).waitFor();
    await page.locator('[data-card-preview] .ac-adaptiveCard').getByText('Open in klink').waitFor();
    await page.getByRole('button', { name: 'Add subscription' }).click();
    await page.locator('[data-subscription="whatsapp vip"]').getByText(`1. ${WHATSAPP_VIP}`).waitFor();

    // The same choice again is named as a duplicate, and a value the words cannot carry is explained; Add stays off.
    await page.getByRole('checkbox', { name: 'WhatsApp' }).check();
    await page.getByRole('checkbox', { name: /VIP contacts/ }).check();
    await page.getByText('Subscription 1 already posts exactly these messages here').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add subscription' }).isDisabled(), true);
    await page.getByRole('checkbox', { name: /VIP contacts/ }).uncheck();
    await page.getByRole('textbox', { name: 'Contact tags' }).fill('say "hi"');
    await page.getByRole('textbox', { name: 'Contact tags' }).press('Enter');
    await page.getByText('A tag cannot contain quotation marks: remove them from say "hi".').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add subscription' }).isDisabled(), true);
    assert.ok(
      (await command('subscriptions')).some((t) => t.includes(WHATSAPP_VIP)),
      'the command does not list what the tab added',
    );
    assert.ok(teams.tokenCalls.length >= 1, 'the page never asked Teams for a sign-in token');

    // A signed klink webhook for a VIP's WhatsApp message: its card reaches this channel.
    assert.equal((await app.webhook(contactEvent('contact-tab-vip', ['VIP'], 'Aung Aung'))).status, 200);
    const vipMessage = (id: string) => messageEvent({ id, contactId: 'contact-tab-vip', roomId: 'room-tab-vip', channelType: 'whatsapp' });
    assert.equal((await app.webhook(vipMessage('m-tab-vip-1'))).status, 200);
    const postsOfRoom = (r: RecordedRequest) =>
      r.channelId === CHANNEL &&
      (r.route === 'createConversation' || r.route === 'replyToActivity') &&
      cardTexts(r.activity?.attachments?.[0]?.content).some((t) => t.includes('Aung Aung'));
    await connector.waitForRequests(postsOfRoom, 1, 10_000);

    // Remove asks first; Cancel keeps it.
    await page.getByRole('button', { name: /Remove subscription 1/ }).click();
    await page.getByRole('dialog').getByText('Remove this subscription?').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('[data-subscription="whatsapp vip"]').waitFor();
    await page.getByRole('button', { name: /Remove subscription 1/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText(EMPTY).waitFor();
    assert.ok(
      (await command('subscriptions')).every((t) => !t.includes(WHATSAPP_VIP)),
      'the command still lists what the tab removed',
    );

    // Removed: the next VIP message is taken and matched, and nothing more is posted here.
    assert.equal((await app.webhook(vipMessage('m-tab-vip-2'))).status, 200);
    await waitFor(async () => (await app.app.store.deliveries.undispatchedEvents(10)).length === 0, {
      timeoutMs: 10_000,
      what: 'the second message matched',
    });
    assert.equal((await app.app.store.deliveries.deliveryCounts(CHANNEL)).pending, 0);
    assert.equal(connector.find(postsOfRoom).length, 1, 'a card was posted after the subscription was removed');
  });

  it('content page: shows a subscription added by command after Refresh', async () => {
    const teams = await open('content.html', { context: IN_CHANNEL });
    const page = teams.tab;
    await page.getByText(EMPTY).waitFor();
    await command('subscribe email');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('[data-subscription="email"]').waitFor();
    await page.getByRole('region', { name: 'Muted klink rooms' }).getByText('No room is muted here.').waitFor();
    // The VIP card the test before posted is listed as delivered.
    await page
      .getByRole('region', { name: 'Recent deliveries' })
      .getByRole('row', { name: /room room-tab-vip/ })
      .getByText('delivered', { exact: true })
      .waitFor();
    await page.getByRole('button', { name: /Remove subscription 1/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText(EMPTY).waitFor();
  });

  it('content page: works with the keyboard alone, and every control it reaches has a name', async () => {
    const teams = await open('content.html', { context: IN_CHANNEL });
    const page = teams.tab;
    await page.getByText(EMPTY).waitFor();
    const frame = teams.page.frames().find((f) => f.url().startsWith(`${tabBase}/content.html`));
    assert.ok(frame, 'no tab frame');
    // The focused control's accessible name, roughly as a screen reader finds it (run in the tab).
    const focused = () =>
      frame.evaluate<string>(
        `(() => { const e = document.activeElement; if (!e || e === document.body) return '';
          const byId = (ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
          return (e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') && byId(e.getAttribute('aria-labelledby')))
            || (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent || '').trim() || '<' + e.tagName + ' without a name>'; })()`,
      );
    await page.getByRole('button', { name: 'Refresh' }).focus();
    const names = [await focused()];
    // Once round the page (Tab wraps back to Refresh through the host), bounded.
    for (let i = 0; i < 40; i++) {
      await teams.page.keyboard.press('Tab');
      const name = await focused();
      if (name === 'Refresh' || name === '') break;
      names.push(name);
    }
    assert.deepEqual(
      names.filter((n) => n.includes('without a name')),
      [],
      'controls without a name',
    );
    for (const expected of ['WhatsApp', 'VIP contacts (tagged VIP or VVIP)', 'Contact tags', 'Customer messages (inbound)']) {
      assert.ok(names.includes(expected), `Tab never reached "${expected}": ${names.join(' | ')}`);
    }

    // Choose, add and remove with keys only.
    await page.getByRole('checkbox', { name: 'WhatsApp' }).focus();
    await teams.page.keyboard.press('Space');
    await page.getByRole('textbox', { name: 'Contact tags' }).focus();
    await teams.page.keyboard.type('gold');
    await teams.page.keyboard.press('Enter');
    await teams.page.keyboard.type('silver');
    await teams.page.keyboard.press('Enter');
    await page.getByText('@klink subscribe whatsapp tag:gold tag:silver', { exact: true }).waitFor();
    await page.locator('.fui-Tag[value="silver"]').focus();
    await teams.page.keyboard.press('Delete');
    await page.getByText('@klink subscribe whatsapp tag:gold', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Add subscription' }).and(page.locator(':enabled')).waitFor();
    await page.getByRole('button', { name: 'Add subscription' }).focus();
    await teams.page.keyboard.press('Enter');
    await page.locator('[data-subscription="whatsapp tag:gold"]').waitFor();
    await page.getByRole('button', { name: /Remove subscription 1/ }).focus();
    await teams.page.keyboard.press('Enter');
    await page.getByRole('dialog').getByText('Remove this subscription?').waitFor();
    assert.equal(await focused(), 'Remove', 'the dialog does not start on its Remove button');
    await teams.page.keyboard.press('Enter');
    await page.getByText(EMPTY).waitFor();
  });

  it('follows the Teams theme live: light, then dark; first render measured', async () => {
    await command('subscribe whatsapp vip');
    const teams = await open('content.html', { context: IN_CHANNEL });
    await teams.tab.locator('[data-subscription="whatsapp vip"]').waitFor();
    await teams.tab.getByRole('checkbox', { name: 'Email' }).check();
    await teams.tab.getByRole('checkbox', { name: /VIP contacts/ }).check();
    await teams.tab.getByText('@klink subscribe email vip', { exact: true }).waitFor();
    await teams.tab.locator('[data-card-preview] .ac-adaptiveCard').waitFor();
    const frame = teams.page.frames().find((f) => f.url().startsWith(`${tabBase}/content.html`));
    assert.ok(frame, 'no tab frame');
    // Evaluated in the tab; strings, as the test's own TypeScript has no DOM types.
    const colors = () =>
      frame.evaluate<{ background: string; text: string }>(
        "({ background: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.querySelector('h1')).color })",
      );
    const rendered = await frame.evaluate<number>("performance.getEntriesByName('klink:rendered')[0].startTime");
    console.log(`      first render (navigation start → subscriptions shown): ${Math.round(rendered)} ms`);
    assert.deepEqual(await colors(), { background: 'rgb(255, 255, 255)', text: 'rgb(36, 36, 36)' });
    const shots = process.env.TAB_SCREENSHOTS;
    if (shots) await screenshot(teams.tabElement, path.join(shots, 'tab-light.png'));
    await teams.setTheme('dark');
    await teams.tab.locator('[data-theme="dark"]').waitFor();
    assert.deepEqual(await colors(), { background: 'rgb(41, 41, 41)', text: 'rgb(255, 255, 255)' });
    if (shots) await screenshot(teams.tabElement, path.join(shots, 'tab-dark.png'));
    await command('unsubscribe all');
  });

  it("personal page: the user's channels, and how to start a personal chat with klink", async () => {
    const teams = await open('personal.html', { context: { frameContext: 'content' } });
    await teams.tab.getByRole('heading', { name: 'Your klink' }).waitFor();
    await teams.tab.getByText('You have no personal chat with klink yet.', { exact: false }).waitFor();
    await teams.tab.getByRole('list', { name: 'Your channels and chats with klink' }).getByRole('listitem').first().waitFor();
  });

  it('content page: muted rooms with Unmute, deliveries with their state, dead letters retried', async () => {
    await command('subscribe all');
    connector.respondWith({
      match: { route: 'createConversation' },
      status: 400,
      body: { error: { code: 'BadArgument', message: 'Bad card' } },
    });
    assert.equal((await app.webhook(messageEvent({ id: 'm-dead', roomId: 'room-dead' }))).status, 200);
    await waitFor(async () => (await app.app.store.deliveries.deliveryCounts(CHANNEL)).dead === 1, {
      timeoutMs: 10_000,
      what: 'a dead letter',
    });
    await app.app.store.conversations.muteRoom(CHANNEL, 'room-7', Date.now() + 3_600_000, 'oid-someone');

    const teams = await open('content.html', { context: IN_CHANNEL });
    const page = teams.tab;
    const muted = page.getByRole('region', { name: 'Muted klink rooms' });
    await muted.getByText(/Room room-7\s+muted until/).waitFor();
    await muted.getByRole('button', { name: 'Unmute room room-7' }).click();
    await muted.getByText('No room is muted here.').waitFor();

    const deliveries = page.getByRole('region', { name: 'Recent deliveries' });
    const row = deliveries.getByRole('row', { name: /room room-dead/ });
    await row.getByText('dead', { exact: true }).waitFor();
    await row.getByText('400 BadArgument', { exact: false }).waitFor();
    await deliveries.getByRole('button', { name: 'Retry all 1 dead' }).waitFor();
    await row.getByRole('button', { name: /Retry delivery/ }).click();
    await deliveries.getByText('1 message back in the queue.').waitFor();
    await waitFor(async () => (await app.app.store.deliveries.deliveryCounts(CHANNEL)).dead === 0, {
      timeoutMs: 10_000,
      what: 'the retry',
    });
    // The VIP card of the test before, the refused attempt, then the retry.
    await connector.waitForRequests({ route: 'createConversation' }, 3, 10_000);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row.getByText('delivered', { exact: true }).waitFor();
    await command('unsubscribe all');
  });

  it('outside Teams: says to open it in Microsoft Teams', async () => {
    const page = await network.context.newPage();
    await page.goto(`${tabBase}/content.html`);
    await page.getByText('Open this in Microsoft Teams').waitFor();
  });
});
