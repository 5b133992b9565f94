/**
 * Bot Connector tokens from the bot's Entra identity (botbuilder's credential factory), none in
 * local mode. botbuilder is loaded on the first token: the delivery thread needs nothing else of it.
 */
import type { Config } from '../config';
import type { TokenSource } from './connector-client';

const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

type BotCredentials = { getToken?: (force?: boolean) => Promise<string> };

export function createTokenSource(config: Readonly<Config>): TokenSource {
  if (config.localMode || config.bot.id === null) return { token: async () => null };
  const appId = config.bot.id;
  let credentials: Promise<BotCredentials> | null = null;
  const load = async (): Promise<BotCredentials> => {
    const { ConfigurationServiceClientCredentialFactory } = await import('botbuilder');
    const factory = new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: appId,
      MicrosoftAppPassword: config.bot.password ?? undefined,
      MicrosoftAppTenantId: config.bot.tenantId ?? undefined,
      MicrosoftAppType: config.bot.type,
      CertificateThumbprint: config.bot.certificate?.thumbprint,
      CertificatePrivateKey: config.bot.certificate?.privateKey,
    });
    const loginEndpoint = `https://login.microsoftonline.com/${config.bot.tenantId ?? 'botframework.com'}`;
    return (await factory.createCredentials(appId, BOT_FRAMEWORK_SCOPE, loginEndpoint, true)) as unknown as BotCredentials;
  };
  return {
    async token() {
      credentials ??= load();
      const creds = await credentials;
      if (typeof creds.getToken !== 'function') throw new Error('the configured bot credentials cannot issue tokens');
      return creds.getToken();
    },
  };
}
