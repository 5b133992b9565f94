// The bot's Entra app registration again (same uniqueName: this updates it), now also requesting
// its own app role KlinkTeams.Tenant.Enable as an application permission. Requesting a role of
// itself needs the app's appId, which exists only after entra-app.bicep created the app; this
// module is that second step. Every other property must match entra-app.bicep: the Graph
// extension writes what is declared here.
extension microsoftGraphV1

param uniqueName string
param displayName string
param publicUrl string
param certificatePublicKey string

@description('The appId of the app entra-app.bicep created (this same app).')
param appId string

@description('The app role as entra-app.bicep defines it.')
param consentRole object

var microsoftGraphAppId = '00000003-0000-0000-c000-000000000000'
var userReadScopeId = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMultipleOrgs'
  web: {
    homePageUrl: publicUrl
    redirectUris: [
      '${publicUrl}/admin/consent/callback'
    ]
  }
  info: {
    privacyStatementUrl: '${publicUrl}/privacy'
    termsOfServiceUrl: '${publicUrl}/terms'
  }
  appRoles: [
    consentRole
  ]
  requiredResourceAccess: [
    {
      resourceAppId: microsoftGraphAppId
      resourceAccess: [
        {
          id: userReadScopeId
          type: 'Scope'
        }
      ]
    }
    {
      resourceAppId: appId
      resourceAccess: [
        {
          id: consentRole.id
          type: 'Role'
        }
      ]
    }
  ]
  keyCredentials: [
    {
      displayName: 'klink-teams bot certificate'
      type: 'AsymmetricX509Cert'
      usage: 'Verify'
      key: certificatePublicKey
    }
  ]
}
