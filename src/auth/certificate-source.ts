/**
 * Certificate client credentials through @azure/identity's ClientCertificateCredential (MSAL
 * signs the client assertion; we never sign JWTs ourselves).
 *
 * A fresh credential per acquisition: MSAL's in-memory cache would otherwise answer a
 * refresh-ahead with the token we already hold, and each one signs with the certificate the
 * store holds now, so a rotated file is used without a restart. Its pipeline retries are off
 * (`maxRetries: 0`); the gate above owns retries. The recording httpClient gives the deadline,
 * the correlation ids and the `expires_in`/`refresh_in` MSAL does not surface.
 */
import type { Agent } from 'node:https';
import { inspect, type InspectOptions } from 'node:util';
import type { HttpClient, PipelineResponse } from '@azure/core-rest-pipeline';
import type * as RestPipeline from '@azure/core-rest-pipeline';
import type * as Identity from '@azure/identity';
import type { ClientCertificatePEMCertificate } from '@azure/identity';
import type { Clock } from './clock.js';
import { classifyCertificateFailure, rejectedForItsKey } from './certificate-errors.js';
import { isTokenError, TokenError } from './errors.js';
import { parseJsonObject, readTokenBody } from './platform-response.js';
import { RecordingHttpClient } from './recording-http-client.js';
import { inspectSummary } from './safe-inspect.js';
import type { RequestContext, TokenResponse, TokenSource } from './token-source.js';

/** A certificate MSAL can sign the client assertion with. */
export interface SigningCertificate {
  /** The PEM (private key, certificate, chain) and password, for ClientCertificateCredential. */
  credentialCertificate(): ClientCertificatePEMCertificate;
}

/** Where each acquisition gets its certificate: a CertificateStore over the certificate file. */
export interface SigningCertificates {
  /** The certificate for the next assertion, after picking up a changed file. */
  current(now: number): SigningCertificate;
  /** Re-reads the file after Entra rejected the assertion; the same object when nothing changed. */
  reloadNow(now: number): SigningCertificate;
}

export interface CertificateSettings {
  tenantId: string;
  clientId: string;
  /** The checked certificate file (AZURE_CLIENT_CERTIFICATE_PATH); the key and password stay inside it. */
  certificate: SigningCertificates;
  sendCertificateChain: boolean;
  authorityHost: string;
  /**
   * AZURE_REGIONAL_AUTHORITY_NAME. @azure/identity 4.x reads it only from the environment (there is
   * no option), so it is validated at start-up and recorded here for diagnostics.
   */
  regionalAuthority?: string | undefined;
  /** True for authority hosts outside the public clouds, where instance discovery cannot work. */
  disableInstanceDiscovery: boolean;
}

export function certificateIdentityName(settings: Pick<CertificateSettings, 'tenantId' | 'clientId' | 'authorityHost'>): string {
  return `certificate:${settings.tenantId}/${settings.clientId}@${new URL(settings.authorityHost).host}`;
}

export interface CertificateSourceDeps {
  clock: Clock;
  httpClient?: HttpClient | undefined;
  /** Extra TLS trust for the authority (tests and private clouds); production uses the system store. */
  httpsAgent?: Agent | undefined;
}

/**
 * @azure/identity (MSAL with it) is some 400 modules the managed-identity path never uses, so it
 * is imported only when a certificate source exists: one shared promise per process.
 */
type IdentitySdk = [typeof Identity, typeof RestPipeline];
let identitySdk: Promise<IdentitySdk> | undefined;
function loadIdentitySdk(): Promise<IdentitySdk> {
  identitySdk ??= Promise.all([import('@azure/identity'), import('@azure/core-rest-pipeline')]);
  return identitySdk;
}

export class CertificateSource implements TokenSource {
  readonly kind = 'certificate' as const;
  readonly identity: string;
  private inner: HttpClient | undefined;
  private readonly discoveryCache = new Map<string, PipelineResponse>();

  constructor(
    private readonly settings: CertificateSettings,
    private readonly deps: CertificateSourceDeps,
  ) {
    this.identity = certificateIdentityName(settings);
    this.inner = deps.httpClient;
    // Start loading at construction (start-up), so the first request's deadline does not pay for it.
    loadIdentitySdk().catch(() => undefined);
  }

  /** What JSON.stringify and util.inspect show: never the certificate, its key or its password. */
  toJSON(): { identity: string; authorityHost: string; sendCertificateChain: boolean } {
    return { identity: this.identity, authorityHost: this.settings.authorityHost, sendCertificateChain: this.settings.sendCertificateChain };
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return inspectSummary('CertificateSource', this.toJSON(), options);
  }

  async requestToken(scope: string, context: RequestContext): Promise<TokenResponse> {
    const signer = this.settings.certificate.current(this.deps.clock.now());
    try {
      return await this.requestWith(signer, scope, context);
    } catch (error) {
      if (!isTokenError(error) || !rejectedForItsKey(error)) throw error;
      // Microsoft.Identity.Web's rule: Entra rejected the assertion's key, so re-read the file and
      // retry once, at once (the platform is not in trouble; no gate wait), within this request's
      // deadline. Only when the certificate now held differs from the one that signed (another
      // acquisition may have switched it already): the same one would fail the same way.
      const reloaded = this.settings.certificate.reloadNow(this.deps.clock.now());
      if (reloaded === signer || context.signal.aborted) throw error;
      return await this.requestWith(reloaded, scope, context);
    }
  }

  private async requestWith(signer: SigningCertificate, scope: string, context: RequestContext): Promise<TokenResponse> {
    const [{ ClientCertificateCredential }, { createDefaultHttpClient }] = await loadIdentitySdk();
    this.inner ??= createDefaultHttpClient();
    const recorder = new RecordingHttpClient(
      { inner: this.inner, clock: this.deps.clock, agent: this.deps.httpsAgent, discoveryCache: this.discoveryCache },
      context.signal,
      (exchange) => context.report(exchange),
      (clientRequestId) => context.sending?.(clientRequestId),
    );
    const credential = new ClientCertificateCredential(
      this.settings.tenantId,
      this.settings.clientId,
      signer.credentialCertificate(),
      {
        authorityHost: this.settings.authorityHost,
        disableInstanceDiscovery: this.settings.disableInstanceDiscovery,
        sendCertificateChain: this.settings.sendCertificateChain,
        httpClient: recorder,
        retryOptions: { maxRetries: 0 },
      },
    );
    try {
      await credential.getToken(scope, { abortSignal: context.signal });
    } catch (error) {
      throw classifyCertificateFailure({ error, exchanges: recorder.exchanges, scope, signal: context.signal, now: this.deps.clock.now() });
    }
    const exchange = recorder.exchanges.findLast((e) => e.status === 200 && e.name.startsWith('POST'));
    const token = readTokenBody(parseJsonObject(exchange?.bodyText ?? ''), this.deps.clock.now());
    if (typeof token === 'string') {
      throw new TokenError('identity_platform_unavailable', `The token endpoint answered 200 but ${token}.`, {
        source: this.kind, scope, status: 200, retryable: true, requestId: exchange?.requestId, clientRequestId: exchange?.clientRequestId,
      });
    }
    return token;
  }
}
