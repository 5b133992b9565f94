// The PostgreSQL Flexible Server all instances of the app share (DATABASE_URL in app-service.bicep).
//
// Entra authentication only (no password anywhere): the app's user-assigned identity is an Entra
// administrator and signs in with a token for it (DATABASE_AUTH=azure-managed-identity); an
// operators' Entra group may be the second administrator, so people can sign in too. The app
// creates and migrates its own tables on start.
//
// Network: public access limited to Azure services (0.0.0.0 rule), with TLS and Entra tokens as
// the gate; App Service's outbound addresses are shared, so no narrower IP rule is possible
// without VNet integration. docs/deploy.md says how to move to private access.

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

@description('Object id of an Entra group of operators, the second administrator. Empty: none.')
param adminGroupObjectId string = ''

@description('Display name of that group (the PostgreSQL role its members sign in as).')
param adminGroupName string = ''

param databaseName string = 'klink_teams'

@description('Compute: Burstable B1ms carries a few instances of the bot (its connections: 10 per instance and thread by default).')
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

resource operators 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = if (!empty(adminGroupObjectId)) {
  parent: server
  name: empty(adminGroupObjectId) ? 'none' : adminGroupObjectId
  properties: {
    principalType: 'Group'
    principalName: adminGroupName
    tenantId: tenant().tenantId
  }
  dependsOn: [
    administrator
  ]
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
    operators
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
