/**
 * 400/401/403 rows: rejections retrying will not fix. Managed identity answers them in the App
 * Service shape (`statusCode`, `message`, `correlationId`); Entra in its own (`error`,
 * `error_description` with AADSTS, `error_codes`, `trace_id`, `correlation_id`). The caller gets
 * the documented code with the ids, and the same question is not asked again in a loop.
 */
import { randomUUID } from 'node:crypto';
import type { TokenErrorCode } from '../../../../src/auth/errors.js';
import type { MatrixRow } from '../../matrix.js';
import type { IdentityContext } from './context.js';
import { faultRow } from './fault-row.js';

const managedIdentityRejections = [
  { status: 400, message: 'Unable to load the proper Managed Identity.' },
  { status: 401, message: 'The request is not authorized: the X-IDENTITY-HEADER does not match.' },
  { status: 403, message: 'The identity is not allowed to request tokens for this resource.' },
];

export function managedIdentityRejectionRows(): MatrixRow<IdentityContext>[] {
  return managedIdentityRejections.map(({ status, message }) => {
    const correlationId = randomUUID();
    return faultRow({
      name: `${status} App Service error body`,
      credential: 'managed-identity',
      injected: `${status} { statusCode, message, correlationId }`,
      code: 'managed_identity_failed_response',
      bodyIds: { correlationId },
      arrange: (f) => f.identity.setPersistentFault('mi', { kind: 'status', status, body: { statusCode: status, message, correlationId } }),
    });
  });
}

interface EntraRejection {
  name: string;
  status: number;
  error: string;
  aadsts: number;
  description: string;
  code: TokenErrorCode;
}

const entraRejections: EntraRejection[] = [
  {
    name: 'invalid_client',
    status: 401,
    error: 'invalid_client',
    aadsts: 7000215,
    description: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.',
    code: 'invalid_client_credential',
  },
  {
    name: 'expired certificate',
    status: 401,
    error: 'invalid_client',
    aadsts: 700027,
    description: 'Client assertion contains an invalid signature. [Reason - The key used is expired.]',
    code: 'invalid_client_credential',
  },
  {
    name: 'unknown resource',
    status: 400,
    error: 'invalid_resource',
    aadsts: 500011,
    description: "The resource principal named https://unknown.example was not found in the tenant.",
    code: 'invalid_scope',
  },
  {
    name: 'missing consent',
    status: 400,
    error: 'invalid_grant',
    aadsts: 65001,
    description: "The user or administrator has not consented to use the application with ID 'app'.",
    code: 'token_request_rejected',
  },
  { name: 'application disabled', status: 403, error: 'unauthorized_client', aadsts: 7000112, description: 'Application is disabled.', code: 'invalid_client_credential' },
];

export function entraRejectionRows(): MatrixRow<IdentityContext>[] {
  return entraRejections.map((rejection) => {
    const correlationId = randomUUID();
    const traceId = randomUUID();
    const body = {
      error: rejection.error,
      error_description: `AADSTS${rejection.aadsts}: ${rejection.description} Trace ID: ${traceId} Correlation ID: ${correlationId}`,
      error_codes: [rejection.aadsts],
      timestamp: '2026-01-01 00:00:00Z',
      trace_id: traceId,
      correlation_id: correlationId,
    };
    return faultRow({
      name: `${rejection.status} ${rejection.name}`,
      credential: 'certificate',
      injected: `${rejection.status} ${rejection.error} AADSTS${rejection.aadsts}`,
      code: rejection.code,
      bodyIds: { correlationId, traceId, errorCodes: [rejection.aadsts] },
      arrange: (f) => f.identity.setPersistentFault('entra', { kind: 'status', status: rejection.status, body }),
    });
  });
}
