// klink-teams on Azure: one resource group holds a Linux App Service (Node) running the bot on one
// or more instances, its user-assigned identity, a Key Vault for its secrets, a PostgreSQL
// Flexible Server (the store every instance shares; the identity signs in with Entra tokens) and
// the Azure Bot with the Teams channel; the Entra app registration lives in the tenant (Graph extension).
//
//   az deployment group create -g <resource group> -f infra/main.bicep -p infra/main.parameters.json
//
// Needs Bicep >= 0.36.1 (Microsoft Graph extension 1.0.0), rights to create Entra apps, and rights
// to create role assignments on the resource group. Step by step: docs/deploy.md.

@description('Base name of the resources; the web app answers on https://<name>.azurewebsites.net. Lowercase letters, digits and hyphens; globally unique.')
@minLength(3)
@maxLength(40)
param name string = 'klink-teams-${uniqueString(resourceGroup().id)}'

param location string = resourceGroup().location

@description('Custom domain already bound to the web app (with its TLS certificate), e.g. teams.example.com. Empty: use <name>.azurewebsites.net.')
param customHostName string = ''

@description('SHA-1 thumbprint of the bot certificate: 40 hex characters (openssl x509 -noout -fingerprint -sha1).')
@minLength(40)
@maxLength(40)
param botCertificateThumbprint string

@description('Public part of the bot certificate: base64 DER, i.e. the PEM body without the BEGIN/END lines, on one line.')
@minLength(400)
param botCertificatePublicKey string

@description('Key Vault secret holding the certificate\'s private key (PEM). Set it to the certificate\'s name when Key Vault generated the certificate.')
param botCertificateSecretName string = 'bot-certificate-private-key'

@description('Tenant whose channels may receive this klink workspace\'s messages (KLINK_TENANT_ID). Default: this tenant.')
param klinkTenantId string = tenant().tenantId

@description('Link of the "Open in klink" button; placeholders {roomId}, {contactId}, {messageId}, {channelType}.')
param klinkRoomUrlTemplate string = 'https://app.klink.cloud/inbox/{roomId}'

@description('Extra Entra tenant ids (GUIDs) the bot may act in without admin consent (ALLOWED_TENANTS).')
param allowedTenants array = []

@description('Instances of the web app. Each takes webhooks and delivers; they share the PostgreSQL store (claims, leases and Teams\' budget live there). Basic plans allow up to 3.')
@minValue(1)
@maxValue(10)
param instanceCount int = 2

@description('App Service plan SKU (B1 or larger: Always On is needed).')
@allowed([
  'B1'
  'B2'
  'B3'
  'S1'
  'S2'
  'S3'
  'P0v3'
  'P1v3'
  'P2v3'
])
param appServicePlanSku string = 'B1'

@description('Node runtime of the web app: a maintained LTS (Node 20 reached end of life on 30 April 2026). Build the deployment zip on the same Node major: better-sqlite3 is native.')
@allowed([
  'NODE|22-lts'
  'NODE|24-lts'
])
param nodeRuntime string = 'NODE|24-lts'

@description('Azure Bot SKU (F0 is free and has no limit for the Teams channel).')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Grant the principal running this deployment "Key Vault Secrets Officer" on the vault, so it can put the secrets in.')
param grantDeployerSecretsOfficer bool = true

@description('Object id of the Entra group of people who administer the database (second Entra administrator besides the app\'s identity). Empty: the app\'s identity only.')
param postgresAdminGroupObjectId string = ''

@description('Display name of that group: the PostgreSQL role its members sign in as.')
param postgresAdminGroupName string = ''

@description('PostgreSQL compute: Burstable B1ms carries a few instances of the bot; choose General Purpose for zone-redundant high availability.')
param postgresSkuName string = 'Standard_B1ms'
param postgresSkuTier string = 'Burstable'

param tags object = {}

var publicHost = empty(customHostName) ? '${name}.azurewebsites.net' : customHostName
var publicUrl = 'https://${publicHost}'
// Key Vault secret names allow only letters, digits and hyphens (no KLINK_WEBHOOK_SECRET).
var secretNames = {
  webhook: 'klink-webhook-secret'
  dataEncryptionKey: 'data-encryption-key'
  certificateKey: botCertificateSecretName
}

module identity './modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: '${name}-id'
    location: location
    tags: tags
  }
}

module vault './modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv${uniqueString(resourceGroup().id, name)}'
    location: location
    tags: tags
    secretsReaderPrincipalId: identity.outputs.principalId
    grantDeployerSecretsOfficer: grantDeployerSecretsOfficer
  }
}

module entraApp './modules/entra-app.bicep' = {
  name: 'entra-app'
  params: {
    uniqueName: name
    displayName: 'klink for Microsoft Teams'
    publicUrl: publicUrl
    certificatePublicKey: botCertificatePublicKey
  }
}

module postgres './modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: '${name}-pg'
    location: location
    tags: tags
    administratorPrincipalId: identity.outputs.principalId
    administratorName: identity.outputs.name
    adminGroupObjectId: postgresAdminGroupObjectId
    adminGroupName: postgresAdminGroupName
    skuName: postgresSkuName
    skuTier: postgresSkuTier
  }
}

module web './modules/app-service.bicep' = {
  name: 'app-service'
  params: {
    name: name
    location: location
    tags: tags
    skuName: appServicePlanSku
    instanceCount: instanceCount
    linuxFxVersion: nodeRuntime
    identityResourceId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    identityName: identity.outputs.name
    postgresHost: postgres.outputs.fqdn
    postgresDatabase: postgres.outputs.databaseName
    keyVaultUri: vault.outputs.uri
    webhookSecretName: secretNames.webhook
    dataEncryptionKeySecretName: secretNames.dataEncryptionKey
    certificateKeySecretName: secretNames.certificateKey
    publicUrl: publicUrl
    botId: entraApp.outputs.appId
    botTenantId: tenant().tenantId
    botCertificateThumbprint: toUpper(botCertificateThumbprint)
    klinkTenantId: klinkTenantId
    klinkRoomUrlTemplate: klinkRoomUrlTemplate
    allowedTenants: join(allowedTenants, ',')
  }
}

module bot './modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: name
    displayName: 'klink'
    appId: entraApp.outputs.appId
    tenantId: tenant().tenantId
    endpoint: '${publicUrl}/api/messages'
    sku: botSku
    tags: tags
  }
}

@description('Entra application (client) id: BOT_ID for `npm run package`.')
output botId string = entraApp.outputs.appId
@description('The bot\'s public base URL: PUBLIC_URL for `npm run package`.')
output publicUrl string = publicUrl
@description('The Entra app\'s Application ID URI, api://<host>/botid-<botId>: the klink tab\'s single sign-on audience (npm run package writes it into webApplicationInfo.resource).')
output applicationIdUri string = entraApp.outputs.applicationIdUri
@description('Azure Bot messaging endpoint.')
output messagingEndpoint string = '${publicUrl}/api/messages'
@description('Endpoint for klink → Settings → Webhooks.')
output webhookUrl string = '${publicUrl}/api/klink/webhook'
@description('Admin consent link for other tenants; add ?tenant=<tenant id>.')
output consentUrl string = '${publicUrl}/admin/consent'
output keyVaultName string = vault.outputs.name
@description('Key Vault secret names the app settings reference.')
output keyVaultSecretNames object = secretNames
@description('Web app name, for az webapp deploy / restart / log tail.')
output appName string = web.outputs.name
@description('The web app\'s default host name as Azure reports it: should equal <name>.azurewebsites.net.')
output defaultHostName string = web.outputs.defaultHostName
output botName string = bot.outputs.name
@description('PostgreSQL server host (DATABASE_URL points at it; operators sign in with their Entra group).')
output postgresHost string = postgres.outputs.fqdn
output postgresDatabase string = postgres.outputs.databaseName
