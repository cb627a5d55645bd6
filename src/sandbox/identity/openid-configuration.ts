/**
 * The OpenID Connect discovery document for one tenant, pointing back at the emulator. MSAL
 * requires `authorization_endpoint`, `token_endpoint`, `issuer` and `jwks_uri`, and checks that the
 * issuer's origin is the authority's; the rest mirrors what Entra publishes.
 */
export function tokenEndpointFor(authorityHost: string, tenant: string): string {
  return `${authorityHost}/${tenant}/oauth2/v2.0/token`;
}

export function openIdConfiguration(authorityHost: string, tenant: string): object {
  const base = `${authorityHost}/${tenant}`;
  return {
    token_endpoint: tokenEndpointFor(authorityHost, tenant),
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${authorityHost}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: null,
    cloud_instance_name: 'identity-emulator.local',
    cloud_graph_host_name: 'graph.identity-emulator.local',
    msgraph_host: 'graph.identity-emulator.local',
    rbac_url: 'https://pas.identity-emulator.local',
  };
}
