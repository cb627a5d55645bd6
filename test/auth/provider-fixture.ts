/**
 * A provider wired to the identity emulator on virtual time, with every event recorded.
 * Shared by the provider test files; one emulator per test so faults never leak between tests.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createTokenSource } from '../../src/auth/create-provider.js';
import { ResilientTokenProvider } from '../../src/auth/provider.js';
import type { TokenSource } from '../../src/auth/token-source.js';
import { currentInvocation } from '../../src/invocation.js';
import { credentialSettingsFromEnvironment, type CredentialSettings } from '../../src/auth/credential-settings.js';
import type { TokenEvent } from '../../src/auth/events.js';
import type { TokenProvider } from '../../src/auth/types.js';
import { startIdentityEmulator, type IdentityEmulator } from '../../src/sandbox/identity/index.js';
import type { ClientCertificate, TestCa } from '../../src/sandbox/ca.js';
import { VirtualClock, waitUntil } from '../support/scheduled-clock.js';

export const vaultScope = 'https://vault.azure.net/.default';
export const sqlScope = 'https://database.windows.net/.default';
export const tenantId = '7b1c2f4e-0c1d-4f5e-9a8b-1c2d3e4f5a6b';
export const clientId = '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b';

export interface Fixture {
  clock: VirtualClock;
  identity: IdentityEmulator;
  provider: TokenProvider;
  /** The settings the provider was built from. */
  credential: CredentialSettings;
  events: TokenEvent[];
  /** Each client-request-id the source announced (RequestContext.sending) as it sent a request, in order. */
  announced: (string | undefined)[];
  eventsOf<T extends TokenEvent['type']>(type: T): Extract<TokenEvent, { type: T }>[];
  /** Waits (real time) until every token request in flight has been answered or is held by the emulator (hang, slow). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  kind: 'managed-identity' | 'certificate';
  ca: TestCa;
  certificate?: ClientCertificate;
  requestTimeoutMs?: number;
  userAssigned?: { kind: 'client-id' | 'resource-id' | 'object-id'; value: string };
  /** The PEM file the app reads (default: `certificate.path`); rotation tests point it at a copy they rewrite. */
  certificatePath?: string;
  /** Register the certificate with the emulator (default true). */
  register?: boolean;
  sendCertificateChain?: boolean;
  /** Virtual start time (epoch ms), e.g. to put the first request at a chosen sub-second phase. */
  startAt?: number;
  /** The back-off's jitter draw, uniform in [0, 1) (default: 0, no jitter). */
  jitter?: () => number;
  /** The refresh jitter's draw, uniform in [0, 1) (default: 0, refresh exactly at the refresh point). */
  refreshJitter?: () => number;
  /** Raise `served-from-cache` on every hit (default: off, as in production). */
  cacheHitEvents?: boolean;
  /** The provider's wait budget for callers that give none (default: 0, fail fast). */
  defaultMaxWaitMs?: number;
  /** Points the credential at this origin instead of the emulator (e.g. a refused port): `http://…` for managed identity, `https://…` for Entra. */
  unreachableOrigin?: string;
}

export async function startFixture(options: FixtureOptions): Promise<Fixture> {
  const clock = new VirtualClock(options.startAt);
  const identity = await startIdentityEmulator({ ca: options.ca, now: () => clock.now() });
  const events: TokenEvent[] = [];
  let credential: CredentialSettings;
  if (options.kind === 'managed-identity') {
    credential = {
      kind: 'managed-identity',
      managedIdentity: {
        protocol: 'app-service',
        endpoint: options.unreachableOrigin ? `${options.unreachableOrigin}/msi/token` : identity.managedIdentityEndpoint,
        identityHeader: identity.identityHeader,
        userAssigned: options.userAssigned,
      },
    };
  } else {
    const certificate = options.certificate;
    if (!certificate) throw new Error('certificate fixture needs a certificate');
    if (options.register !== false) identity.registerClient({ tenantId, clientId, certPem: certificate.certPem, subjectNameIssuer: options.sendCertificateChain });
    let path = options.certificatePath ?? certificate.path;
    if (options.sendCertificateChain) {
      path = `${certificate.path}.with-chain.pem`;
      writeFileSync(path, `${certificate.keyPem}${certificate.certPem}${options.ca.caCertPem}`);
    }
    // The settings the app builds at start-up from its environment, start-up checks included.
    credential = credentialSettingsFromEnvironment(
      {
        AZURE_TENANT_ID: tenantId,
        AZURE_CLIENT_ID: clientId,
        AZURE_CLIENT_CERTIFICATE_PATH: path,
        AZURE_CLIENT_CERTIFICATE_PASSWORD: certificate.password,
        AZURE_CLIENT_SEND_CERTIFICATE_CHAIN: String(options.sendCertificateChain ?? false),
        AZURE_AUTHORITY_HOST: options.unreachableOrigin ?? identity.authorityHost,
      },
      new Date(clock.now()),
    );
  }
  const providerOptions = {
    credential,
    clock,
    events: (event: TokenEvent) => events.push(event),
    backoff: { random: options.jitter ?? (() => 0) },
    // Refresh times exact unless a test asks for the spread.
    refreshJitter: { random: options.refreshJitter ?? (() => 0) },
    cacheHitEvents: options.cacheHitEvents,
    defaultMaxWaitMs: options.defaultMaxWaitMs,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    trustedCa: options.ca.caCertPem,
    currentInvocation,
  };
  // Count requests in flight, so virtual time waits for real I/O a timer started. A hung request
  // is not waited for while the emulator holds it; once the client gives up on it, it counts as
  // settled only when the emulator has seen its connection close, or a later request would be
  // mistaken for it and virtual time would run past that request's answer.
  const target = options.kind === 'managed-identity' ? 'mi' : 'entra';
  // Requests the emulator holds until it is stopped (hang) or until virtual time moves (slow), and the client still waits for.
  const held = (): number =>
    identity.tokenRequests(target).filter((r) => (r.fault === 'hang' || r.fault === 'slow') && r.status === undefined && r.abandoned !== true).length;
  const source = createTokenSource(providerOptions);
  const announced: (string | undefined)[] = [];
  let inFlight = 0;
  /** In flight, but given up on (the deadline passed): settling soon, so waited for even when hung. */
  let abandoned = 0;
  const counted: TokenSource = {
    kind: source.kind,
    identity: source.identity,
    requestToken: async (scope, context) => {
      inFlight += 1;
      const onAbort = (): void => void (abandoned += 1);
      context.signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await source.requestToken(scope, {
          ...context,
          sending: (clientRequestId) => {
            announced.push(clientRequestId);
            context.sending?.(clientRequestId);
          },
        });
      } finally {
        context.signal.removeEventListener('abort', onAbort);
        if (context.signal.aborted) {
          await waitUntil(() => held() <= inFlight - 1, 'the emulator to see an abandoned request close', 3_000).catch(() => undefined);
          abandoned -= 1;
        }
        inFlight -= 1;
      }
    },
  };
  const provider = new ResilientTokenProvider(counted, providerOptions);
  const settled = (): Promise<void> => waitUntil(() => inFlight === 0 || (abandoned === 0 && inFlight === held()), 'in-flight token requests to settle', 3_000);
  clock.afterTimer = settled;
  return {
    clock,
    identity,
    provider,
    credential,
    events,
    announced,
    eventsOf: <T extends TokenEvent['type']>(type: T) => events.filter((e): e is Extract<TokenEvent, { type: T }> => e.type === type),
    settled,
    async stop() {
      provider.close();
      await identity.stop();
    },
  };
}

/** Runs `work` and returns what it threw (failing the test if it did not throw). */
export async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * The gate opens in exactly `ms`: one millisecond before, a caller fails fast and no request is
 * sent; at `ms`, the next caller sends one request and gets a token.
 */
export async function assertGateOpensIn(f: Fixture, ms: number): Promise<void> {
  const target = f.provider.source === 'managed-identity' ? 'mi' : 'entra';
  const sent = f.identity.tokenRequests(target).length;
  await f.clock.advance(ms - 1);
  await rejectionOf(f.provider.getToken(vaultScope));
  assert.equal(f.identity.tokenRequests(target).length, sent, 'no request before the gate opens');
  await f.clock.advance(1);
  const token = await f.provider.getToken(vaultScope);
  assert.ok(f.identity.wasIssued(token.token));
  assert.equal(f.identity.tokenRequests(target).length, sent + 1, 'one request once it is open');
}
