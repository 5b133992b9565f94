// Linux App Service plan + web app running klink-teams on Node.
//
// App settings carry exactly the variable names src/config.ts reads (CONFIG_VARIABLES), plus two
// App Service platform settings listed with their reason in test/unit/infra/infra.test.ts. Secrets
// are Key Vault references resolved with the user-assigned identity; no secret value passes
// through this template.
//
// One instance only: the store is SQLite on /home (persistent storage), which allows a single
// writer process. Do not scale out until the PostgreSQL store exists.

@description('Web app name; <name>.azurewebsites.net is its default host name. Globally unique.')
param name string

param location string
param tags object = {}

@description('App Service plan SKU. B1 or larger: Always On (needed by the delivery worker) is not available on F1.')
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
param skuName string = 'B1'

@description('Node runtime. Node 20 is what CI tests; 22 is allowed by package.json engines.')
@allowed([
  'NODE|20-lts'
  'NODE|22-lts'
])
param linuxFxVersion string = 'NODE|20-lts'

@description('Resource id of the user-assigned identity that reads Key Vault.')
param identityResourceId string

@description('Key Vault URI with its trailing slash, e.g. https://kvabc.vault.azure.net/')
param keyVaultUri string

@description('Key Vault secret holding klink\'s webhook signing secret.')
param webhookSecretName string

@description('Key Vault secret holding the 32-byte DATA_ENCRYPTION_KEY (base64).')
param dataEncryptionKeySecretName string

@description('Key Vault secret holding the bot certificate\'s private key (PEM).')
param certificateKeySecretName string

@description('The bot\'s public base URL (PUBLIC_URL), no trailing slash.')
param publicUrl string

@description('Entra application (client) id of the bot.')
param botId string

@description('Home tenant of the bot (Directory id).')
param botTenantId string

@description('SHA-1 thumbprint of the bot certificate, 40 hex characters.')
param botCertificateThumbprint string

@description('Tenant whose channels may receive this klink workspace\'s messages.')
param klinkTenantId string

@description('Link of the "Open in klink" button.')
param klinkRoomUrlTemplate string

@description('Extra tenant ids the bot may act in, comma-separated; empty for none.')
param allowedTenants string = ''

// Versionless references (with the trailing slash): App Service picks up a new secret version on
// restart, on any configuration change, or within 24 hours.
var secretsBase = '${keyVaultUri}secrets'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: skuName
    capacity: 1
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      // `npm start` without its prestart (tsc, a devDependency the deployed zip does not carry).
      // The heap cap keeps V8 collecting garbage early: the live heap is ~50 MB, and without a cap
      // V8 lets garbage grow the process to ~250 MB under load (see README, Benchmark).
      appCommandLine: 'node --enable-source-maps --max-old-space-size=256 dist/src/index.js'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: '/healthz'
      appSettings: [
        {
          name: 'NODE_ENV'
          value: 'production'
        }
        {
          name: 'DATABASE_URL'
          value: 'sqlite:/home/data/klink-teams.db'
        }
        {
          name: 'PUBLIC_URL'
          value: publicUrl
        }
        {
          name: 'BOT_ID'
          value: botId
        }
        {
          name: 'BOT_TENANT_ID'
          value: botTenantId
        }
        {
          name: 'BOT_TYPE'
          value: 'SingleTenant'
        }
        {
          name: 'BOT_CERTIFICATE_THUMBPRINT'
          value: botCertificateThumbprint
        }
        {
          name: 'BOT_CERTIFICATE_PRIVATE_KEY'
          value: '@Microsoft.KeyVault(SecretUri=${secretsBase}/${certificateKeySecretName}/)'
        }
        {
          name: 'KLINK_WEBHOOK_SECRET'
          value: '@Microsoft.KeyVault(SecretUri=${secretsBase}/${webhookSecretName}/)'
        }
        {
          name: 'DATA_ENCRYPTION_KEY'
          value: '@Microsoft.KeyVault(SecretUri=${secretsBase}/${dataEncryptionKeySecretName}/)'
        }
        {
          name: 'KLINK_TENANT_ID'
          value: klinkTenantId
        }
        {
          name: 'KLINK_ROOM_URL_TEMPLATE'
          value: klinkRoomUrlTemplate
        }
        {
          name: 'ALLOWED_TENANTS'
          value: allowedTenants
        }
        {
          name: 'LOG_LEVEL'
          value: 'info'
        }
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
        {
          name: 'WEBSITES_ENABLE_APP_SERVICE_STORAGE'
          value: 'true'
        }
      ]
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
