// The bot's Entra app registration again (same uniqueName: this updates it): the second step, for
// what needs the app's appId, which exists only after entra-app.bicep created the app.
// - It requests its own app role KlinkTeams.Tenant.Enable as an application permission.
// - Single sign-on for the klink tab: the Application ID URI api://<host>/botid-<appId> (the form
//   Teams requires for an app with a bot and a tab; the audience src/auth/tab-token.ts accepts and
//   webApplicationInfo.resource in the Teams manifest), and the Teams clients pre-authorized for
//   access_as_user, so Teams gets the tab a token without asking the user to consent. The scope was
//   created by the first step: Entra pre-authorizes only a scope that already exists.
// Every other property must match entra-app.bicep: the Graph extension writes what is declared here.
extension microsoftGraphV1

param uniqueName string
param displayName string
param publicUrl string
param certificatePublicKey string

@description('The appId of the app entra-app.bicep created (this same app).')
param appId string

@description('The app role as entra-app.bicep defines it.')
param consentRole object

@description('The tab\'s delegated scope (access_as_user) as entra-app.bicep defines it.')
param tabScope object

var microsoftGraphAppId = '00000003-0000-0000-c000-000000000000'
var userReadScopeId = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'
// Host of PUBLIC_URL (with its port, if any), as the server reads it: https://<host> → <host>.
var publicHost = split(publicUrl, '/')[2]
var applicationIdUri = 'api://${publicHost}/botid-${appId}'
// Microsoft Teams' own client apps, which ask Entra for the tab's token.
var teamsDesktopAndMobileAppId = '1fec8e78-bce4-4aaf-ab1b-5451cc387264'
var teamsWebAppId = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346'

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMultipleOrgs'
  identifierUris: [
    applicationIdUri
  ]
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
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      tabScope
    ]
    preAuthorizedApplications: [
      {
        appId: teamsDesktopAndMobileAppId
        delegatedPermissionIds: [
          tabScope.id
        ]
      }
      {
        appId: teamsWebAppId
        delegatedPermissionIds: [
          tabScope.id
        ]
      }
    ]
  }
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

output applicationIdUri string = applicationIdUri
