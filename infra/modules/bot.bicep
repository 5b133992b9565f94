// Azure Bot registration with the Microsoft Teams channel. SingleTenant: new MultiTenant
// registrations are refused since 31 July 2025; the Entra app behind it may still be multi-tenant,
// and the bot still works in other tenants (outbound tokens come from the home tenant).

@description('Bot handle: 2-64 letters, digits, -, _ or ., globally unique.')
@minLength(2)
@maxLength(64)
param name string

@description('Display name of the Azure Bot resource (Teams shows the name from the app manifest).')
param displayName string

@description('Entra application (client) id of the bot.')
param appId string

@description('Home tenant of the Entra app.')
param tenantId string

@description('Messaging endpoint: https://<host>/api/messages')
param endpoint string

@description('F0 is free; Teams is a standard channel, so F0 has no message limit for it.')
@allowed([
  'F0'
  'S1'
])
param sku string = 'F0'

param tags object = {}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  kind: 'azurebot'
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppId: appId
    msaAppTenantId: tenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output name string = bot.name
