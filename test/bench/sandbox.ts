/**
 * The emulators every target runs against, started once per bench run: a run-time CA, the
 * identity emulator (App Service managed identity and Entra, one registered certificate client),
 * the Key Vault emulator and the Application Insights ingestion capture. Between targets the
 * identity emulator is reset (faults, request log, server-side token cache), so each target's
 * counts are its own. Its clock is real time unless a child on virtual time moves it.
 */
import { randomUUID } from 'node:crypto';
import { createTestCa, type ClientCertificate, type TestCa } from '../../src/sandbox/ca.js';
import { startIdentityEmulator, type IdentityEmulator, type IdentityTarget, type RecordedRequest } from '../../src/sandbox/identity/index.js';
import { startIngestionServer, type IngestionServer } from '../../src/sandbox/ingestion/index.js';
import { startKeyVaultEmulator, type KeyVaultEmulator } from '../../src/sandbox/keyvault/index.js';
import type { ControlRequest } from './protocol.js';

export interface Mark {
  name: string;
  /** Emulator clock, epoch ms. */
  at: number;
}

/** Real time, unless a child on virtual time has set it. */
class EmulatorClock {
  virtualNow: number | undefined;
  readonly now = (): number => this.virtualNow ?? Date.now();
}

export class BenchSandbox {
  private marks: Mark[] = [];

  private constructor(
    readonly ca: TestCa,
    private readonly clock: EmulatorClock,
    readonly identity: IdentityEmulator,
    readonly vault: KeyVaultEmulator,
    readonly ingestion: IngestionServer,
    readonly client: { tenantId: string; clientId: string; certificate: ClientCertificate },
  ) {}

  static async start(): Promise<BenchSandbox> {
    const ca = createTestCa();
    const clock = new EmulatorClock();
    const identity = await startIdentityEmulator({ ca, now: clock.now });
    const certificate = ca.makeClientCertificate('bench-client');
    const client = { tenantId: randomUUID(), clientId: randomUUID(), certificate };
    identity.registerClient({ tenantId: client.tenantId, clientId: client.clientId, certPem: certificate.certPem });
    const [vault, ingestion] = await Promise.all([
      startKeyVaultEmulator({ ca, validateToken: (token) => identity.wasIssued(token) }),
      startIngestionServer({ tls: { cert: ca.serverCertPem, key: ca.serverKeyPem } }),
    ]);
    return new BenchSandbox(ca, clock, identity, vault, ingestion, client);
  }

  now(): number {
    return this.clock.now();
  }

  /** Before each target: no faults, no request log, no server-side token, no vault latency, real time. */
  reset(): void {
    this.identity.reset();
    this.vault.reset();
    this.vault.setLatency(0);
    this.clock.virtualNow = undefined;
    this.marks = [];
  }

  /** Applies a child's control request (see protocol.ts). */
  control(request: ControlRequest): void {
    if (request.clock !== undefined) this.clock.virtualNow = request.clock;
    if (request.mark !== undefined) this.marks.push({ name: request.mark, at: this.now() });
    if (request.lifetimeSeconds !== undefined) this.identity.setDefaultLifetime(request.lifetimeSeconds);
    if (request.fault !== undefined) this.identity.setPersistentFault('mi', request.fault ?? undefined);
  }

  /** What the emulators saw since the last reset; telemetry items of one instrumentation key. */
  observed(target: IdentityTarget, instrumentationKey: string): { tokenRequests: RecordedRequest[]; marks: Mark[]; telemetryItems: number } {
    const telemetryItems = this.ingestion.envelopes.filter((envelope) => envelope.iKey === instrumentationKey).length;
    return { tokenRequests: this.identity.tokenRequests(target), marks: [...this.marks], telemetryItems };
  }

  /**
   * `APPLICATIONINSIGHTS_CONNECTION_STRING` for the capture under the given instrumentation key
   * (one per target, so its items can be told apart); live metrics go there too, never to Azure.
   */
  connectionString(instrumentationKey: string): string {
    const url = this.ingestion.url;
    return `InstrumentationKey=${instrumentationKey};IngestionEndpoint=${url};LiveEndpoint=${url}`;
  }

  async stop(): Promise<void> {
    await Promise.all([this.identity.stop(), this.vault.stop(), this.ingestion.stop()]);
    this.ca.cleanup();
  }
}
