import assert from 'node:assert/strict';
import {
  badStatePage,
  badTenantHintPage,
  consentStartPage,
  consentUnavailablePage,
  rateLimitedPage,
  entraErrorPage,
  grantedPage,
  notConfirmedPage,
  renderConsentPage,
} from '../../../src/http/consent-page';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const REDIRECT = 'https://klink-teams.example.com/admin/consent/callback';
const HOSTILE = '<script>alert("x")</script>&\'';

describe('consent pages', () => {
  it('escape everything they show', () => {
    const pages = [
      badTenantHintPage(HOSTILE),
      entraErrorPage(HOSTILE, HOSTILE, REDIRECT),
      entraErrorPage('access_denied', HOSTILE, REDIRECT),
      consentUnavailablePage([HOSTILE]),
    ];
    for (const page of pages) {
      const html = renderConsentPage(page);
      assert.ok(!html.includes('<script'), html);
      assert.ok(html.includes('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;'), html);
    }
  });

  it("say that a declined consent was declined, and show Entra's words", () => {
    const page = entraErrorPage('access_denied', 'AADSTS65004: User declined to consent to access the app.', REDIRECT);
    assert.equal(page.status, 400);
    const html = renderConsentPage(page);
    assert.match(html, /<h1>Consent was declined<\/h1>/);
    assert.match(html, /<code>AADSTS65004: User declined to consent to access the app.<\/code>/);
  });

  it('tell the operator the redirect URI to register when Entra says it does not match', () => {
    const html = renderConsentPage(entraErrorPage('invalid_request', 'AADSTS50011: The redirect URI does not match', REDIRECT));
    assert.match(html, new RegExp(`register this exact redirect URI \\(type Web\\) on the Entra app: <code>${REDIRECT}</code>`));
  });

  it('explain why a state is refused', () => {
    assert.match(renderConsentPage(badStatePage('expired')), /expired \(links are valid for 10 minutes\)/);
    assert.equal(badStatePage('invalid').status, 400);
  });

  it('offer "check again" only as a local link, escaped', () => {
    const page = notConfirmedPage({
      kind: 'not_confirmed',
      tenantId: TENANT,
      failure: 'not_consented',
      code: 'AADSTS700016',
      retry: { path: '/admin/consent/callback?a=1&b="2"', cookie: 'c' },
    });
    assert.equal(page.status, 403);
    assert.match(renderConsentPage(page), /<a href="\/admin\/consent\/callback\?a=1&#38;b=&#34;2&#34;">Check again<\/a>/);
    const hostile = notConfirmedPage({
      kind: 'not_confirmed',
      tenantId: TENANT,
      failure: 'unavailable',
      code: null,
      retry: { path: '//evil.example/x', cookie: 'c' },
    });
    assert.throws(() => renderConsentPage(hostile), /not a local path/);
  });

  it('say what happens next after consent', () => {
    const html = renderConsentPage(
      grantedPage({
        kind: 'granted',
        tenantHint: null,
        consent: { tenantId: TENANT, grantedBy: null, scopes: [], grantedAt: 0 },
      }),
    );
    assert.match(html, /<h1>Admin consent granted<\/h1>/);
    assert.match(html, new RegExp(`tenant <code>${TENANT}</code>`));
    assert.match(html, /<code>@klink subscribe whatsapp vip<\/code>/);
  });

  it('show what the admin grants before linking to Microsoft, and link out only over https', () => {
    const html = renderConsentPage(
      consentStartPage('https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=x&state="y"'),
    );
    assert.match(html, /<code>KlinkTeams\.Tenant\.Enable<\/code> \(application permission/);
    assert.match(
      html,
      /<a href="https:\/\/login\.microsoftonline\.com\/organizations\/v2\.0\/adminconsent\?client_id=x&#38;state=&#34;y&#34;" rel="noreferrer">Continue to Microsoft<\/a>/,
    );
    assert.throws(() => renderConsentPage(consentStartPage('javascript:alert(1)')), /https/);
    assert.equal(rateLimitedPage(61_000).status, 429);
    assert.match(renderConsentPage(rateLimitedPage(61_000)), /in 2 minutes/);
  });
});
