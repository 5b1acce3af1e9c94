// Human names for WorkOS connection types, grouped by protocol, for the SSO page's select: an
// admin picks "Okta" under SAML rather than scanning fifty raw enum values.
import { CONNECTION_TYPES, type ConnectionType } from '../core/connection-types.ts';

export type ProviderKind = 'SAML' | 'OpenID Connect' | 'OAuth' | 'Other';

/** The kinds in the order pages list them. */
export const PROVIDER_KINDS: readonly ProviderKind[] = ['SAML', 'OpenID Connect', 'OAuth', 'Other'];

const NAMES: Partial<Record<ConnectionType, string>> = {
  ADFSSAML: 'Microsoft AD FS',
  AzureSAML: 'Microsoft Entra ID (Azure AD)',
  EntraIdOIDC: 'Microsoft Entra ID',
  MicrosoftOAuth: 'Microsoft',
  GenericSAML: 'Generic SAML',
  GenericOIDC: 'Generic OpenID Connect',
  AdpOidc: 'ADP',
  CasSAML: 'CAS',
  ClassLinkSAML: 'ClassLink',
  CleverOIDC: 'Clever',
  CyberArkSAML: 'CyberArk',
  DuoSAML: 'Duo',
  JumpCloudSAML: 'JumpCloud',
  LastPassSAML: 'LastPass',
  LinkedInOAuth: 'LinkedIn',
  LoginGovOidc: 'Login.gov',
  MagicLink: 'Magic link (email)',
  MiniOrangeSAML: 'miniOrange',
  NetIqSAML: 'NetIQ',
  OneLoginSAML: 'OneLogin',
  PingFederateSAML: 'PingFederate',
  PingOneSAML: 'PingOne',
  ShibbolethGenericSAML: 'Shibboleth (generic)',
  ShibbolethSAML: 'Shibboleth',
  SimpleSamlPhpSAML: 'SimpleSAMLphp',
  TestIdp: 'WorkOS test identity provider',
  VMwareSAML: 'VMware',
  VercelMarketplaceOAuth: 'Vercel Marketplace',
  Auth0Migration: 'Auth0 (migration)',
  GitHubOAuth: 'GitHub',
  GitLabOAuth: 'GitLab',
};

export function providerKind(type: string): ProviderKind {
  if (/SAML$/.test(type)) return 'SAML';
  if (/(OIDC|Oidc)$/.test(type)) return 'OpenID Connect';
  if (/OAuth$/.test(type)) return 'OAuth';
  return 'Other';
}

export function providerName(type: string): string {
  return NAMES[type as ConnectionType] ?? type.replace(/(SAML|OIDC|Oidc|OAuth)$/, '');
}

/** Every connection type as `{ kind, providers: [{ type, name }] }`, names sorted within a kind. */
export function providersByKind(): Array<{
  kind: ProviderKind;
  providers: Array<{ type: ConnectionType; name: string }>;
}> {
  return PROVIDER_KINDS.map((kind) => ({
    kind,
    providers: CONNECTION_TYPES.filter((t) => providerKind(t) === kind)
      .map((type) => ({ type, name: providerName(type) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}
