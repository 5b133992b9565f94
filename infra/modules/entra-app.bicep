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
//   no Microsoft Graph permission at all. The consenting admin sees it ("Sign in and read user
//   profile"); the bot never calls Graph with it.
// - One app role, KlinkTeams.Tenant.Enable, for applications only (an application permission), which
//   the app requests of itself. Only an admin can grant an application permission, so the bot takes
//   a tenant's consent as given only when its client-credentials token for itself carries this role
//   in `roles` (src/auth/admin-consent.ts); a user's consent to User.Read grants no role. Requesting
//   it needs the app's own appId, known only once the app exists: entra-app-own-role.bicep applies
//   that second step to the same app (same uniqueName).
// - Single sign-on for the klink tab: one delegated scope, access_as_user, and v2 access tokens
//   (what src/auth/tab-token.ts accepts). The Application ID URI api://<host>/botid-<appId> and the
//   pre-authorized Teams clients are set by the second step too: the URI needs the appId, and
//   Entra refuses to pre-authorize a client for a scope in the same write that first creates it.
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
// Fixed, so every deployment and every tenant's grant refer to the same role.
var consentRoleId = '3b0d5c52-7a0e-4c1b-9f57-2f6c1d8e4a10'
var consentRole = {
  id: consentRoleId
  value: 'KlinkTeams.Tenant.Enable'
  allowedMemberTypes: [
    'Application'
  ]
  displayName: 'Let klink for Microsoft Teams work in this organisation'
  description: 'Lets klink for Microsoft Teams post klink conversations in the Teams channels and chats that subscribe. Grants no access to directory, mail, files or other data.'
  isEnabled: true
}

// The tab's scope. Its id must never change (pre-authorizations and consents refer to it): a guid()
// of fixed strings and the app's immutable uniqueName, the same on every deployment.
var tabScope = {
  id: guid(uniqueName, 'klink-tab', 'access_as_user')
  value: 'access_as_user'
  type: 'User'
  isEnabled: true
  adminConsentDisplayName: 'Use the klink tab in Teams as the signed-in user'
  adminConsentDescription: 'Lets the klink tab in Microsoft Teams show and change the klink subscriptions of the channels and chats the signed-in user is a member of, as that user. Grants no access to mail, files or other data.'
  userConsentDisplayName: 'Use the klink tab in Teams as you'
  userConsentDescription: 'Lets the klink tab in Microsoft Teams show and change the klink subscriptions of your channels and chats, as you. Grants no access to mail, files or other data.'
}

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
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      tabScope
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

// The second step: the same app, now also requesting its own app role, with its Application ID URI
// and the Teams clients pre-authorized for the tab's scope.
module ownRole './entra-app-own-role.bicep' = {
  name: 'entra-app-own-role'
  params: {
    uniqueName: uniqueName
    displayName: displayName
    publicUrl: publicUrl
    certificatePublicKey: certificatePublicKey
    appId: app.appId
    consentRole: consentRole
    tabScope: tabScope
  }
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
@description('Application ID URI: the audience of the tab\'s SSO tokens and webApplicationInfo.resource in the Teams manifest.')
output applicationIdUri string = ownRole.outputs.applicationIdUri
