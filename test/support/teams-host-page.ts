/**
 * A stand-in Teams host for the tab's browser tests: a loopback page that frames a tab page and
 * answers teams-js's postMessage protocol at the wire (initialize, getContext, SSO, the
 * configuration page's validity/save, theme changes), and records what the page asked for.
 * SSO answers "no token" unless a token is set: the app under test runs in local mode.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostContext {
  frameContext: 'content' | 'settings';
  theme?: 'default' | 'dark' | 'contrast';
  channelId?: string;
  teamId?: string;
  chatId?: string;
  /** The SSO token to hand out; none: getAuthToken fails as it does without an Entra app. */
  token?: string;
}

const HOST_SCRIPT = `
window.hostLog = [];
window.hostState = { valid: null, settings: null, saved: false };
const params = new URLSearchParams(location.search);
const ctx = JSON.parse(params.get('ctx'));
const frame = document.getElementById('tab');
const reply = (d, args) => frame.contentWindow.postMessage({ id: d.id, uuidAsString: d.uuidAsString, args }, '*');
window.sendEvent = (func, args) => frame.contentWindow.postMessage({ func, args }, '*');
const runtime = JSON.stringify({ apiVersion: 4, supports: { pages: { config: {}, appButton: {}, tabs: {}, backStack: {}, fullTrust: {} }, appEntity: {}, teams: { fullTrust: {} } } });
window.addEventListener('message', (e) => {
  if (e.source !== frame.contentWindow || typeof e.data !== 'object' || e.data === null) return;
  const d = e.data;
  window.hostLog.push(d.func);
  switch (d.func) {
    case 'initialize': return reply(d, [ctx.frameContext, 'web', runtime, '2.58.0']);
    case 'getContext': return reply(d, [{ locale: 'en-us', theme: ctx.theme || 'default', frameContext: ctx.frameContext, hostClientType: 'web',
      channelId: ctx.channelId, teamId: ctx.teamId, chatId: ctx.chatId, userObjectId: 'u-1', tid: 't-1', loginHint: 'ann@example.com' }]);
    case 'authentication.getAuthToken': return reply(d, ctx.token ? [true, ctx.token] : [false, 'resourceDisabled']);
    case 'settings.setValidityState': window.hostState.valid = d.args[0]; return;
    case 'settings.setSettings': window.hostState.settings = d.args[0]; return reply(d, [true]);
    case 'settings.save.success': window.hostState.saved = true; return;
    default: if (typeof d.id === 'number') reply(d, [true]);
  }
});
frame.src = params.get('src');
`;

const HOST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Teams host</title></head>
<body style="margin:0"><iframe id="tab" title="klink tab" style="width:100vw;height:100vh;border:0"></iframe>
<script src="/host.js"></script></body></html>`;

export interface TeamsHostPage {
  /** The host page's address for a tab page `src` in `context`. */
  url(src: string, context: HostContext): string;
  close(): Promise<void>;
}

/** Served from `localhost` (a loopback origin other than the tab's 127.0.0.1). */
export async function startTeamsHostPage(): Promise<TeamsHostPage> {
  const server = http.createServer((req, res) => {
    const script = req.url === '/host.js';
    res.writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html; charset=utf-8' });
    res.end(script ? HOST_SCRIPT : HOST_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const base = `http://localhost:${(server.address() as AddressInfo).port}/`;
  return {
    url: (src, context) => `${base}?src=${encodeURIComponent(src)}&ctx=${encodeURIComponent(JSON.stringify(context))}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
