// The bot's Entra app registration (Microsoft Graph Bicep extension, see ../bicepconfig.json) and
// its service principal in the home tenant.
//
// - Multi-tenant sign-in audience, so other tenants' admins can consent (GET /admin/consent). The
//   Azure Bot itself is SingleTenant (bot.bicep): new multi-tenant bot registrations are blocked.
// - The consent redirect URI must match <PUBLIC_URL>/admin/consent/callback exactly.
// - Credential: the public half of a certificate. The Graph extension cannot create client
//   secrets, and the app reads no secret for this anyway (it uses BOT_CERTIFICATE_*).
// - One delegated Microsoft Graph permission, User.Read: admin consent asks for
//   https://graph.microsoft.com/.default, and Entra refuses that (AADSTS650056) for an app that lists
//   no Microsoft Graph permission at all. It is what the consenting admin sees ("Sign in and read
//   user profile"); the bot never calls Graph with it.
extension microsoftGraphV1

@description('Immutable alternate key of the app registration (redeploying with the same uniqueName updates it).')
param uniqueName string

@description('Name shown to admins on the consent screen and in Entra.')
param displayName string

@description('The bot\'s public base URL, e.g. https://klink-teams-abc.azurewebsites.net (no trailing slash).')
param publicUrl string

@description('Public part of the bot certificate: base64 of its DER bytes (the PEM body without the BEGIN/END lines).')
param certificatePublicKey string

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

// Without a service principal in its home tenant the app cannot get the token the bot needs to
// call Teams (AADSTS7000229); the portal creates one implicitly, Graph does not.
resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
}

@description('Application (client) id: BOT_ID, the Azure Bot\'s msaAppId and the Teams manifest botId.')
output appId string = app.appId
output objectId string = app.id
output servicePrincipalId string = servicePrincipal.id
