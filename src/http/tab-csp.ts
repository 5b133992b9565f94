/**
 * The Content-Security-Policy of the klink tab's pages. Teams and the other Microsoft 365 hosts
 * show a tab in an iframe, so `frame-ancestors` lists exactly the hosts Microsoft documents for
 * tabs, and nothing else may frame the pages (clickjacking). Everything else is the page's own
 * origin, plus the one file teams-js may fetch.
 */

/**
 * The hosts a Teams / Microsoft 365 tab must let frame it, as Microsoft lists them in "Prerequisites
 * → Set Content Security Policy headers":
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/tab-requirements
 * (all hosts `*.cloud.microsoft`; Teams; the Microsoft 365 app; Outlook, its SDF rings included).
 */
export const TEAMS_FRAME_ANCESTORS: readonly string[] = [
  'https://*.cloud.microsoft',
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
];

/**
 * Local mode only: a test host page on this machine may frame the tab. IPv6 `[::1]` is left out:
 * CSP source expressions have no syntax for IP-literal hosts (browsers ignore such an entry).
 */
export const LOOPBACK_FRAME_ANCESTORS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

/**
 * teams-js (2.58, src/internal/constants.ts `validOriginsCdnEndpoint`) fetches this list of valid
 * host origins when its host's origin is not in the copy it ships; it needs nothing else.
 */
const TEAMS_JS_VALID_DOMAINS = 'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';

/** The frame-ancestors sources: Microsoft's hosts, plus loopback in local mode. */
export function tabFrameAncestors(localMode: boolean): readonly string[] {
  return localMode ? [...TEAMS_FRAME_ANCESTORS, ...LOOPBACK_FRAME_ANCESTORS] : TEAMS_FRAME_ANCESTORS;
}

/** The header value for the tab's pages and assets. */
export function tabContentSecurityPolicy(frameAncestors: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Fluent UI (Griffel) inserts its styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${TEAMS_JS_VALID_DOMAINS}`,
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}
