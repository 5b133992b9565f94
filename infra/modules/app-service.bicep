// Linux App Service plan + web app running klink-teams on Node.
//
// App settings carry exactly the variable names src/config.ts reads (CONFIG_VARIABLES), plus two
// App Service platform settings listed with their reason in test/unit/infra/infra.test.ts. Secrets
// are Key Vault references resolved with the user-assigned identity; no secret value passes
// through this template.
//
// Any number of instances: each takes webhooks and delivers (delivery in a worker thread), and
// they share the PostgreSQL store, signing in with Entra tokens of the user-assigned identity.
// SQLite is not an option here: /home is a network share (see docs/deploy.md).

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

@description('Instances of the web app (the plan\'s capacity).')
@minValue(1)
@maxValue(10)
param instanceCount int = 2

@description('Node runtime, a maintained LTS; the deployment zip is built on the same Node major (better-sqlite3 is native).')
@allowed([
  'NODE|22-lts'
  'NODE|24-lts'
])
param linuxFxVersion string = 'NODE|24-lts'

@description('Resource id of the user-assigned identity that reads Key Vault.')
param identityResourceId string

@description('Client id of that identity: the app asks for Entra tokens for PostgreSQL as it.')
param identityClientId string

@description('Name of that identity: the PostgreSQL role it signs in as (it is the server\'s Entra administrator).')
param identityName string

@description('PostgreSQL Flexible Server host name.')
param postgresHost string

@description('PostgreSQL database name.')
param postgresDatabase string

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
    capacity: instanceCount
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
          // verify-full: TLS with the server's certificate and host name checked (Azure's CA is in Node's store).
          name: 'DATABASE_URL'
          value: 'postgres://${identityName}@${postgresHost}:5432/${postgresDatabase}?sslmode=verify-full'
        }
        {
          name: 'DATABASE_AUTH'
          value: 'azure-managed-identity'
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
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
      ]
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
