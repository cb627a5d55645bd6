/**
 * Which remedy a failure gets, and that its text names this setup's facts: the AADSTS number
 * decides first, then the error code, then the status and the situation (user-assigned or not,
 * how far the clock is off). Every remedy id is documented in the README.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { remedyIds, type RemedyId } from '../../src/doctor/remedy-ids.js';
import { remedyFor } from '../../src/doctor/remedies.js';
import type { Failure, Situation } from '../../src/doctor/situation.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const tenantId = '3c9a1f2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
const clientId = '8e7d6c5b-4a39-4281-8f70-6e5d4c3b2a19';
const managed: Situation = { kind: 'managed-identity', endpoint: 'http://localhost:8081/msi/token', now };
const userAssigned: Situation = { ...managed, userAssigned: { setting: 'MANAGED_IDENTITY_CLIENT_ID', value: 'a1b2c3d4-0000-4000-8000-000000000000' } };
const certificate: Situation = {
  kind: 'certificate',
  endpoint: 'https://login.microsoftonline.com',
  tenantId,
  clientId,
  certificate: { path: '/certs/app.pem', thumbprint: 'AB12CD34', subject: 'CN=app', notAfter: '2026-06-01T00:00:00.000Z' },
  now,
};
const entra = (status: number, codes: number[], platformError = 'invalid_request', code = 'token_request_rejected'): Failure => ({
  code,
  message: `rejected with AADSTS${codes.join(',')}`,
  status,
  errorCodes: codes,
  platformError,
  scope: 'https://vault.azure.net/.default',
});

const cases: { rule: string; failure: Failure; situation: Situation; id: RemedyId; mentions: string[] }[] = [
  { rule: 'an unreachable managed-identity endpoint means no identity is enabled here', failure: { code: 'managed_identity_unreachable_network', message: 'refused' }, situation: managed, id: 'identity-not-enabled', mentions: ['http://localhost:8081/msi/token', 'System assigned', 'DAEMON_CREDENTIAL=certificate'] },
  { rule: 'a 400 for the system-assigned identity means it is not turned on', failure: { code: 'managed_identity_failed_response', message: 'x', status: 400 }, situation: managed, id: 'identity-not-enabled', mentions: ['HTTP 400', 'System assigned → On'] },
  { rule: 'a 400 for a user-assigned id names the setting and its value', failure: { code: 'managed_identity_failed_response', message: 'x', status: 400 }, situation: userAssigned, id: 'wrong-user-assigned-id', mentions: ['MANAGED_IDENTITY_CLIENT_ID=a1b2c3d4-0000-4000-8000-000000000000', 'Client ID'] },
  { rule: 'a 404 for a user-assigned id is the same mistake', failure: { code: 'managed_identity_failed_response', message: 'x', status: 404 }, situation: userAssigned, id: 'wrong-user-assigned-id', mentions: ['HTTP 404'] },
  { rule: 'a 401 from the managed-identity endpoint is a stale IDENTITY_HEADER', failure: { code: 'managed_identity_failed_response', message: 'x', status: 401 }, situation: managed, id: 'identity-header-rejected', mentions: ['IDENTITY_HEADER'] },
  { rule: 'a 500 from the managed-identity endpoint is the platform, with the next attempt', failure: { code: 'managed_identity_failed_response', message: 'x', status: 500, retryAt: now + 5_000 }, situation: managed, id: 'platform-unavailable', mentions: ['HTTP 500', '2026-03-01T12:00:05.000Z'] },
  { rule: 'a 429 says until when', failure: { code: 'throttled', message: 'x', status: 429, retryAt: now + 30_000 }, situation: managed, id: 'throttled', mentions: ['2026-03-01T12:00:30.000Z', '30 s from now'] },
  { rule: 'AADSTS90002 is a tenant Entra does not know', failure: entra(400, [90002]), situation: certificate, id: 'wrong-tenant', mentions: [tenantId, 'AZURE_TENANT_ID', 'AADSTS90002'] },
  { rule: 'AADSTS900023 is a malformed tenant', failure: entra(400, [900023]), situation: certificate, id: 'wrong-tenant', mentions: ['AADSTS900023'] },
  { rule: 'AADSTS700016 is an app the tenant does not have', failure: entra(400, [700016], 'unauthorized_client', 'invalid_client_credential'), situation: certificate, id: 'unknown-application', mentions: [clientId, 'AZURE_CLIENT_ID'] },
  { rule: 'AADSTS700027 is a certificate not uploaded, named by thumbprint', failure: entra(401, [700027], 'invalid_client', 'invalid_client_credential'), situation: certificate, id: 'certificate-not-registered', mentions: ['AB12CD34', clientId, 'Certificates & secrets'] },
  { rule: 'invalid_client without a known number is the certificate too', failure: entra(401, [], 'invalid_client', 'invalid_client_credential'), situation: certificate, id: 'certificate-not-registered', mentions: ['AB12CD34'] },
  { rule: 'AADSTS700024 with a clock 10 minutes ahead says so', failure: entra(401, [700024], 'invalid_client', 'invalid_client_credential'), situation: { ...certificate, clockOffsetMs: 600_000 }, id: 'clock-skew', mentions: ['10 min 0 s ahead of', 'timedatectl'] },
  { rule: 'AADSTS700024 with a clock in step points at jumps and the certificate', failure: entra(401, [700024], 'invalid_client', 'invalid_client_credential'), situation: { ...certificate, clockOffsetMs: 800 }, id: 'clock-skew', mentions: ['agrees', '2026-06-01T00:00:00.000Z'] },
  { rule: 'AADSTS65001 is missing admin consent for the resource', failure: entra(400, [65001], 'invalid_grant'), situation: certificate, id: 'missing-admin-consent', mentions: ['https://vault.azure.net', 'Grant admin consent'] },
  { rule: 'AADSTS650057 is a permission the app never listed', failure: entra(400, [650057], 'invalid_client', 'invalid_scope'), situation: certificate, id: 'missing-admin-consent', mentions: ['AADSTS650057'] },
  { rule: 'AADSTS500011 is an unknown resource, not consent', failure: entra(400, [500011], 'invalid_resource', 'invalid_scope'), situation: certificate, id: 'unknown-resource', mentions: ['https://vault.azure.net', 'not about consent'] },
  { rule: 'a 503 from Entra is the platform', failure: { ...entra(503, [90033], 'temporarily_unavailable', 'identity_platform_unavailable'), retryAt: now + 5_000 }, situation: certificate, id: 'platform-unavailable', mentions: ['HTTP 503', 'Service Health'] },
  { rule: 'no answer from Entra is the network path', failure: { code: 'identity_platform_unreachable', message: 'x' }, situation: certificate, id: 'endpoint-unreachable', mentions: ['https://login.microsoftonline.com', 'HTTPS_PROXY'] },
  { rule: 'a key MSAL cannot sign with sent no request', failure: { code: 'invalid_client_credential', message: 'x' }, situation: certificate, id: 'certificate-unusable', mentions: ['2048'] },
  { rule: 'a scope without /.default is refused before any request', failure: { code: 'invalid_scope', message: "Invalid scope: 'https://vault.azure.net' does not end with '/.default'." }, situation: certificate, id: 'invalid-scope', mentions: ['/.default'] },
  { rule: 'an expired certificate file is certificate-expired, not a plain setting', failure: { code: 'configuration_error', message: "The certificate in '/certs/app.pem' expired on 2026-01-01T00:00:00.000Z. Upload … (setting: AZURE_CLIENT_CERTIFICATE_PATH)", setting: 'AZURE_CLIENT_CERTIFICATE_PATH' }, situation: certificate, id: 'certificate-expired', mentions: ['upload', clientId] },
  { rule: 'a bad DAEMON_CREDENTIAL says what it may be', failure: { code: 'configuration_error', message: "DAEMON_CREDENTIAL must be … (setting: DAEMON_CREDENTIAL)", setting: 'DAEMON_CREDENTIAL' }, situation: { kind: undefined, now }, id: 'configuration', mentions: ["'managed-identity' or 'certificate'"] },
  { rule: 'any other setting is named with what is wrong', failure: { code: 'configuration_error', message: 'TOKEN_REQUEST_TIMEOUT_MS must be an integer from 1 to 9007199254740991, got "soon" (setting: TOKEN_REQUEST_TIMEOUT_MS)', setting: 'TOKEN_REQUEST_TIMEOUT_MS' }, situation: managed, id: 'configuration', mentions: ['Fix TOKEN_REQUEST_TIMEOUT_MS', '"soon"'] },
  { rule: 'any other AADSTS number points at the error page', failure: entra(400, [50058]), situation: certificate, id: 'request-rejected', mentions: ['AADSTS50058', 'login.microsoftonline.com/error'] },
];

describe('remedyFor', () => {
  for (const c of cases) {
    it(c.rule, () => {
      const remedy = remedyFor(c.failure, c.situation);
      assert.equal(remedy.id, c.id);
      for (const text of c.mentions) assert.ok(remedy.text.includes(text), `'${text}' in: ${remedy.text}`);
    });
  }

  it('every remedy id is in the README table', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const missing = remedyIds.filter((id) => !readme.includes(`| \`${id}\` |`));
    assert.deepEqual(missing, []);
  });
});
