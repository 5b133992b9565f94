/**
 * Rules for the klink tab's manifest entries that the Teams JSON schema leaves out: every tab page
 * is on a host listed in validDomains (Teams opens nothing else inside the tab), and single sign-on
 * names this bot's app with the exact audience the server accepts for tab tokens
 * (src/auth/tab-token.ts), so the token Teams hands the tab is one the server takes.
 */
import { applicationIdUri } from '../src/auth/tab-token';

/** The bot's identity the manifest must agree with. */
export interface TabIdentity {
  botId: string;
  publicUrl: string;
}

/** Problems with the tabs and webApplicationInfo of a filled-in manifest (none when it has no tabs). */
export function tabRules(manifest: Record<string, unknown>, identity: TabIdentity): string[] {
  const errors: string[] = [];
  const domains = Array.isArray(manifest.validDomains) ? manifest.validDomains.filter((d) => typeof d === 'string') : [];
  const pages = [
    ...tabUrls(manifest.configurableTabs, 'configurableTabs', 'configurationUrl'),
    ...tabUrls(manifest.staticTabs, 'staticTabs', 'contentUrl'),
  ];
  for (const { where, url } of pages) {
    const host = hostOf(url);
    if (host === null || !domains.some((domain) => host === domain.toLowerCase())) {
      errors.push(`${where} ${url} is not on a host in validDomains (${domains.join(', ')}): serve the tab pages from PUBLIC_URL`);
    }
  }
  const info = manifest.webApplicationInfo;
  if (pages.length > 0 && !isRecord(info)) {
    errors.push('the tabs need webApplicationInfo (id and resource) for single sign-on');
  } else if (isRecord(info)) {
    const audience = applicationIdUri(identity.publicUrl, identity.botId);
    if (info.id !== identity.botId) {
      errors.push(
        `webApplicationInfo.id ${JSON.stringify(info.id)} is not BOT_ID: use "${identity.botId}" (the Entra app the server accepts tokens for)`,
      );
    }
    if (info.resource !== audience) {
      errors.push(
        `webApplicationInfo.resource ${JSON.stringify(info.resource)} is not the audience the server accepts: use "${audience}" (write \${{APPLICATION_ID_URI}})`,
      );
    }
  }
  return errors;
}

function tabUrls(tabs: unknown, name: string, key: string): Array<{ where: string; url: string }> {
  if (!Array.isArray(tabs)) return [];
  return tabs.flatMap((tab: unknown, i) => {
    const url = isRecord(tab) ? tab[key] : undefined;
    return typeof url === 'string' ? [{ where: `${name}[${i}].${key}`, url }] : [];
  });
}

function hostOf(url: string): string | null {
  return URL.canParse(url) ? new URL(url).hostname.toLowerCase() : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
