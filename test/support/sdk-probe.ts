/**
 * Child-process script for the emulator's self-tests: drives the real `@azure/identity`
 * credentials against the emulator and prints one JSON line of results. Tokens never leave the
 * process; each success reports the SHA-256 of its token so the parent can match it to the ledger.
 * Usage: node sdk-probe.js '<json ProbeStep[]>' (environment as the credential needs it).
 */
import { createHash } from 'node:crypto';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientCertificateCredential, ManagedIdentityCredential } from '@azure/identity';

export type ProbeStep =
  | {
      kind: 'certificate';
      authorityHost: string;
      tenantId: string;
      clientId: string;
      certificatePath: string;
      sendCertificateChain?: boolean;
      scope: string;
      /** Credential instances to create, each asked `calls` times in sequence. */
      instances?: number;
      calls?: number;
    }
  | { kind: 'managed-identity'; clientId?: string; resourceId?: string; objectId?: string; scope: string; calls?: number };

export type ProbeResult =
  | { ok: true; tokenSha256: string; expiresOnTimestamp: number; refreshAfterTimestamp?: number | undefined }
  | { ok: false; name: string; message: string; statusCode?: number | undefined; errorCode?: string | undefined; causeName?: string | undefined };

interface FailureShape {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  status?: unknown;
  errorCode?: unknown;
  errorResponse?: { error?: unknown };
  cause?: FailureShape;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const integer = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** The credential's error with what it keeps of the service's answer, looking into MSAL's `cause`. */
function describeFailure(error: unknown): ProbeResult {
  const failure = (error ?? {}) as FailureShape;
  const cause = failure.cause ?? {};
  return {
    ok: false,
    name: text(failure.name) ?? 'Error',
    message: (text(failure.message) ?? String(error)).slice(0, 600),
    statusCode: integer(failure.statusCode) ?? integer(cause.statusCode) ?? integer(cause.status),
    errorCode: text(failure.errorResponse?.error) ?? text(cause.errorCode),
    causeName: text(cause.name),
  };
}

function describeToken(token: AccessToken | null): ProbeResult {
  if (token === null) return { ok: false, name: 'NullToken', message: 'getToken returned null' };
  return {
    ok: true,
    tokenSha256: createHash('sha256').update(token.token).digest('hex'),
    expiresOnTimestamp: token.expiresOnTimestamp,
    refreshAfterTimestamp: token.refreshAfterTimestamp,
  };
}

function credentialsFor(step: ProbeStep): TokenCredential[] {
  if (step.kind === 'managed-identity') {
    const options = { retryOptions: { maxRetries: 0 } };
    if (step.clientId !== undefined) return [new ManagedIdentityCredential({ clientId: step.clientId, ...options })];
    if (step.resourceId !== undefined) return [new ManagedIdentityCredential({ resourceId: step.resourceId, ...options })];
    if (step.objectId !== undefined) return [new ManagedIdentityCredential({ objectId: step.objectId, ...options })];
    return [new ManagedIdentityCredential(options)];
  }
  return Array.from(
    { length: step.instances ?? 1 },
    () =>
      new ClientCertificateCredential(
        step.tenantId,
        step.clientId,
        { certificatePath: step.certificatePath },
        {
          authorityHost: step.authorityHost,
          disableInstanceDiscovery: true,
          sendCertificateChain: step.sendCertificateChain ?? false,
          retryOptions: { maxRetries: 0 },
        },
      ),
  );
}

async function run(steps: ProbeStep[]): Promise<ProbeResult[][]> {
  const results: ProbeResult[][] = [];
  for (const step of steps) {
    const stepResults: ProbeResult[] = [];
    for (const credential of credentialsFor(step)) {
      for (let call = 0; call < (step.calls ?? 1); call += 1) {
        stepResults.push(await credential.getToken(step.scope).then(describeToken, describeFailure));
      }
    }
    results.push(stepResults);
  }
  return results;
}

const steps = JSON.parse(process.argv[2] ?? '[]') as ProbeStep[];
process.stdout.write(`${JSON.stringify(await run(steps))}\n`);
