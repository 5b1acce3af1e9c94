// The SSO connection types WorkOS names (from its OpenAPI document's ConnectionType enum).
export const CONNECTION_TYPES = [
  'ADFSSAML', 'AdpOidc', 'AppleOAuth', 'Auth0Migration', 'Auth0SAML', 'AzureSAML', 'BitbucketOAuth', 'CasSAML',
  'ClassLinkSAML', 'CleverOIDC', 'CloudflareSAML', 'CyberArkSAML', 'DiscordOAuth', 'DuoSAML', 'EntraIdOIDC',
  'GenericOIDC', 'GenericSAML', 'GitHubOAuth', 'GitLabOAuth', 'GoogleOAuth', 'GoogleOIDC', 'GoogleSAML',
  'IntuitOAuth', 'JumpCloudSAML', 'KeycloakSAML', 'LastPassSAML', 'LinkedInOAuth', 'LoginGovOidc', 'MagicLink',
  'MicrosoftOAuth', 'MiniOrangeSAML', 'NetIqSAML', 'OktaOIDC', 'OktaSAML', 'OneLoginSAML', 'OracleSAML',
  'PingFederateSAML', 'PingOneSAML', 'RipplingSAML', 'SalesforceSAML', 'ShibbolethGenericSAML', 'ShibbolethSAML',
  'SimpleSamlPhpSAML', 'SalesforceOAuth', 'SlackOAuth', 'TestIdp', 'VercelMarketplaceOAuth', 'VercelOAuth',
  'VMwareSAML', 'XeroOAuth',
] as const;

export type ConnectionType = (typeof CONNECTION_TYPES)[number];
