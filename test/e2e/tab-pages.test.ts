/**
 * The klink tab's pages in Chromium, framed by a Teams host page on loopback, against the real app
 * (local mode, so no SSO token is needed; the host's getAuthToken fails as it does without an
 * Entra app). Built with scripts/build-tab.ts into a temp dir and served with the tab's CSP.
 * Covers what today's API offers: the configuration page saves, a subscription added in the tab
 * shows in `@klink subscriptions` and one added by command shows in the tab, Remove asks first,
 * the theme follows Teams live, and outside Teams the page says where to open it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type FrameLocator, type Page, chromium } from 'playwright-core';
import { buildTab } from '../../scripts/build-tab';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector';
import { type TabServer, startTabServer } from '../support/tab-server';
import { channelCommand, installationUpdate } from '../support/teams-activities';
import { type HostContext, type TeamsHostPage, startTeamsHostPage } from '../support/teams-host-page';
import { type TestApp, startTestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';
import { cardTexts } from '../support/validate-card';

const CHANNEL = '19:tab-ui-vip@thread.tacv2';
const WHATSAPP_VIP = 'Customer messages on WhatsApp from VIP contacts (tagged VIP or VVIP).';
const CHROMIUM = '/usr/bin/chromium';

describe('klink tab pages in Chromium (Teams host on loopback)', function () {
  this.timeout(120_000);
  let dir: { dir: string; remove: () => void };
  let connector: FakeConnector;
  let app: TestApp;
  let tab: TabServer;
  let host: TeamsHostPage;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) this.skip();
    dir = makeTempDir('klink-tab-e2e-');
    await buildTab(path.join(dir.dir, 'tab'));
    connector = await startFakeConnector();
    app = await startTestApp();
    const installed = installationUpdate({ serviceUrl: connector.url, channelId: CHANNEL }, 'add');
    assert.equal(await app.activity(installed), 200);
    tab = await startTabServer(path.join(dir.dir, 'tab'), app.url);
    host = await startTeamsHostPage();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1100, height: 1600 } });
  });
  afterEach(async () => page?.close());
  after(async () => {
    await browser?.close();
    await host?.close();
    await tab?.close();
    await app?.close();
    await connector?.close();
    dir?.remove();
  });

  async function open(file: string, context: HostContext): Promise<FrameLocator> {
    await page.goto(host.url(`${tab.url}/tab/${file}`, context));
    return page.frameLocator('#tab');
  }

  const channel: HostContext = { frameContext: 'content', channelId: CHANNEL, teamId: '19:team@thread.tacv2' };

  /** `@klink <text>` in the channel; the texts of the bot's reply card. */
  async function command(text: string): Promise<string[]> {
    const activity = channelCommand({ serviceUrl: connector.url, channelId: CHANNEL }, text);
    assert.equal(await app.activity(activity), 200);
    const [reply] = await connector.waitForRequests((r) => r.route === 'replyToActivity' && r.urlActivityId === activity.id);
    return cardTexts(reply.activity?.attachments?.[0]?.content);
  }

  it('configuration page: valid once it knows the channel, and Save points Teams at content.html', async () => {
    await open('config.html', { frameContext: 'settings', channelId: CHANNEL });
    await page.waitForFunction('window.hostState.valid === true');
    await page.evaluate("window.sendEvent('settings.save', [{}])");
    await page.waitForFunction('window.hostState.saved === true');
    const state = await page.evaluate<unknown>('window.hostState.settings');
    assert.deepEqual(state, { entityId: 'klink-feed', contentUrl: `${tab.url}/tab/content.html`, suggestedDisplayName: 'klink' });
  });

  it('content page: add whatsapp vip with the builder, see it in @klink subscriptions, remove it after confirming', async () => {
    const frame = await open('content.html', channel);
    await frame.getByText('Nothing is posted here yet').waitFor();
    await frame.getByRole('checkbox', { name: 'WhatsApp' }).check();
    await frame.getByRole('checkbox', { name: /VIP contacts/ }).check();
    await frame.getByText('@klink subscribe whatsapp vip', { exact: true }).waitFor();
    await frame.getByRole('button', { name: 'Add subscription' }).click();
    await frame.locator('[data-subscription="whatsapp vip"]').getByText(`1. ${WHATSAPP_VIP}`).waitFor();
    assert.ok(
      (await command('subscriptions')).some((t) => t.includes(WHATSAPP_VIP)),
      'the command does not list what the tab added',
    );

    // Remove asks first; Cancel keeps it.
    await frame.getByRole('button', { name: /Remove subscription 1/ }).click();
    const dialog = frame.getByRole('dialog');
    await dialog.getByText('Remove this subscription?').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await frame.getByRole('button', { name: /Remove subscription 1/ }).click();
    await frame.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await frame.getByText('Nothing is posted here yet').waitFor();
    assert.ok((await command('subscriptions')).every((t) => !t.includes(WHATSAPP_VIP)));
  });

  it('content page: shows what a command added after Refresh, and says which sections this server lacks', async () => {
    const frame = await open('content.html', channel);
    await frame.getByText('Nothing is posted here yet').waitFor();
    await command('subscribe email');
    await frame.getByRole('button', { name: 'Refresh' }).click();
    await frame.locator('[data-subscription="email"]').waitFor();
    for (const title of ['Muted klink rooms', 'Recent deliveries']) {
      const section = frame.locator('section', { has: frame.getByRole('heading', { name: title }) });
      await section.getByText('This part is not available on this klink server yet.').waitFor();
    }
    await frame.getByRole('button', { name: /Remove subscription 1/ }).click();
    await frame.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await frame.getByText('Nothing is posted here yet').waitFor();
  });

  it('follows the Teams theme live: light, then dark', async () => {
    const frame = await open('content.html', channel);
    await frame.getByText('Nothing is posted here yet').waitFor();
    // Run in the tab's frame; a string, as the test's own TypeScript has no DOM types.
    const tabFrame = page.frames().find((f) => f.url().includes('/tab/content.html'));
    assert.ok(tabFrame);
    const colors = () =>
      tabFrame.evaluate<{ background: string; text: string }>(
        "({ background: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.querySelector('h1')).color })",
      );
    assert.deepEqual(await colors(), { background: 'rgb(255, 255, 255)', text: 'rgb(36, 36, 36)' });
    await page.evaluate("window.sendEvent('themeChange', ['dark'])");
    await frame.locator('[data-theme="dark"]').waitFor();
    assert.deepEqual(await colors(), { background: 'rgb(41, 41, 41)', text: 'rgb(255, 255, 255)' });
  });

  it('personal page: says plainly that this server does not offer it yet', async () => {
    const frame = await open('personal.html', { frameContext: 'content' });
    await frame.getByRole('heading', { name: 'Your klink' }).waitFor();
    await frame.getByText('This part is not available on this klink server yet.').waitFor();
  });

  it('outside Teams: says to open it in Microsoft Teams', async () => {
    await page.goto(`${tab.url}/tab/content.html`);
    await page.getByText('Open this in Microsoft Teams').waitFor();
  });
});
