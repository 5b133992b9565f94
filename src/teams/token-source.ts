/** Bot Connector tokens from the bot's Entra identity (botbuilder's credential factory), none in local mode. */
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { Config } from '../config';
import type { TokenSource } from './connector-client';

const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

export function createTokenSource(config: Readonly<Config>): TokenSource {
  if (config.localMode || config.bot.id === null) return { token: async () => null };
  const appId = config.bot.id;
  const factory = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: appId,
    MicrosoftAppPassword: config.bot.password ?? undefined,
    MicrosoftAppTenantId: config.bot.tenantId ?? undefined,
    MicrosoftAppType: config.bot.type,
    CertificateThumbprint: config.bot.certificate?.thumbprint,
    CertificatePrivateKey: config.bot.certificate?.privateKey,
  });
  const loginEndpoint = `https://login.microsoftonline.com/${config.bot.tenantId ?? 'botframework.com'}`;
  const credentials = factory.createCredentials(appId, BOT_FRAMEWORK_SCOPE, loginEndpoint, true);
  return {
    async token() {
      const creds = (await credentials) as unknown as { getToken?: (force?: boolean) => Promise<string> };
      if (typeof creds.getToken !== 'function') throw new Error('the configured bot credentials cannot issue tokens');
      return creds.getToken();
    },
  };
}
