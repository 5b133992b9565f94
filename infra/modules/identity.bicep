// The app's user-assigned managed identity: App Service resolves the Key Vault references with it
// (keyVaultReferenceIdentity), and the optional PostgreSQL server makes it its Entra administrator.
// It is not the bot's credential: the bot signs in as the Entra app with a certificate.

@description('Name of the managed identity.')
param name string

param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
