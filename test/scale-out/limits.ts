/**
 * The documented limits the fleet's figures are compared with, each with its source. Entra ID
 * publishes no request rate for the token endpoint of a workforce tenant: it answers an app that
 * asks too often with 429 and Retry-After: 60. The External ID (CIAM) tenant limits are the only
 * published token-endpoint rates, so they serve as the reference for the fleet's total.
 */
export interface DocumentedLimit {
  id: 'imds-managed-identity' | 'entra-reference';
  what: string;
  perSecond: number;
  /** What the figure is compared with: one instance (a VM) or the whole fleet (one app, one tenant). */
  appliesTo: 'instance' | 'fleet';
  source: string;
}

export const documentedLimits: readonly DocumentedLimit[] = [
  {
    id: 'imds-managed-identity',
    what: 'IMDS managed-identity category: 20 requests/s and 5 concurrent, per VM',
    perSecond: 20,
    appliesTo: 'instance',
    source: 'https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service#rate-limiting',
  },
  {
    id: 'entra-reference',
    what: 'Entra token endpoint: no published rate for workforce tenants (429 + Retry-After: 60 when an app asks too often); External ID tenants: 200 requests/s per tenant',
    perSecond: 200,
    appliesTo: 'fleet',
    source: 'https://learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling ; https://learn.microsoft.com/entra/external-id/customers/reference-service-limits',
  },
];

export const managedIdentityFaq = 'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/managed-identities-faq#are-there-any-rate-limits-that-apply-to-managed-identities';
