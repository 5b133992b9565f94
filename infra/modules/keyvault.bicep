// Key Vault for the app's secrets, Azure RBAC only (no access policies). The deployment creates the
// vault and its role assignments but no secret values: the operator puts them in afterwards
// (docs/deploy.md, "Put the secrets into Key Vault"); App Service reads them through Key Vault
// references with the app's user-assigned identity.

@description('Vault name: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object = {}

@description('Object (principal) id of the identity that reads the secrets: the app\'s user-assigned identity.')
param secretsReaderPrincipalId string

@description('Let the principal running the deployment write secrets (Key Vault Secrets Officer), so it can put them in right after.')
param grantDeployerSecretsOfficer bool = true

// Built-in role definition ids (the same in every subscription).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    publicNetworkAccess: 'Enabled'
  }
}

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, secretsReaderPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: secretsReaderPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// deployer() is the user or service principal running `az deployment group create`.
resource deployerWritesSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerSecretsOfficer) {
  name: guid(vault.id, deployer().objectId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
    principalId: deployer().objectId
  }
}

output name string = vault.name
@description('https://<name>.vault.azure.net/ (with the trailing slash).')
output uri string = vault.properties.vaultUri
