// Optional PostgreSQL Flexible Server (main.bicep: deployPostgres). NOT USED BY THE APP YET: the
// PostgreSQL store is not built, src/config.ts refuses a postgres:// DATABASE_URL, and
// app-service.bicep keeps DATABASE_URL on SQLite. This provisions the server ahead of that work.
//
// Entra authentication only (no password anywhere): the app's user-assigned identity is the server's
// Entra administrator; the future store would connect with a token for that identity.

@description('Server name: 3-63 lowercase letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(63)
param name string

param location string
param tags object = {}

@description('Object (principal) id of the managed identity that administers the server.')
param administratorPrincipalId string

@description('Name of that managed identity (the PostgreSQL role name it signs in as).')
param administratorName string

param databaseName string = 'klink_teams'

@description('Compute tier: Burstable B1ms is enough for one bot instance.')
param skuName string = 'Standard_B1ms'
param skuTier string = 'Burstable'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: '16'
    storage: {
      storageSizeGB: 32
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
  }
}

// The server accepts one change at a time: the children are chained, not created in parallel.
resource administrator 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: administratorPrincipalId
  properties: {
    principalType: 'ServicePrincipal'
    principalName: administratorName
    tenantId: tenant().tenantId
  }
}

// 0.0.0.0-0.0.0.0 is Azure's "allow Azure services" rule (App Service outbound addresses are shared).
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAzureServices'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
  dependsOn: [
    administrator
  ]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    allowAzureServices
  ]
}

output fqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
