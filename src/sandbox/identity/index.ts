/**
 * Identity emulator: the App Service/Functions managed-identity endpoint and IMDS (plain http, as
 * on the platform) and the Entra ID v2 token endpoint (https, test CA), on 127.0.0.1 with
 * OS-chosen ports, with scripted faults and a record of every request and token.
 *
 *   const identity = await startIdentityEmulator({ ca });
 *   identity.registerClient({ tenantId, clientId, certPem });
 *   identity.unregisterCertificate({ tenantId, clientId, certPem: oldCertPem }); // a rotation retires it
 *   identity.script('entra', { kind: 'status', status: 429, retryAfter: '5' });
 *   ...
 *   await identity.stop();
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { ClientRegistry, entraHandler } from './entra.js';
import { FaultScript } from './fault-script.js';
import { APP_SERVICE_PATH, IMDS_PATH, managedIdentityHandler } from './managed-identity.js';
import { ServerHost } from './server-host.js';
import { ServerTokenCache } from './server-token-cache.js';
import { TokenLedger } from './token-ledger.js';
import type { IdentityEmulator, IdentityEmulatorOptions, RecordedRequest } from './types.js';

export type * from './types.js';
export { refusedUrl, unusedPort } from '../ports.js';

const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

export async function startIdentityEmulator(options: IdentityEmulatorOptions): Promise<IdentityEmulator> {
  const logNow = options.now ?? Date.now;
  let skewMs = 0;
  const now = (): number => logNow() + skewMs;
  const identityHeader = options.identityHeader ?? randomBytes(16).toString('hex');
  const systemAssignedClientId = randomUUID();
  const script = new FaultScript(options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
  const ledger = new TokenLedger();
  const log: RecordedRequest[] = [];
  const registry = new ClientRegistry();
  const serverCache = new ServerTokenCache();

  const miHost = new ServerHost(createHttpServer());
  const entraHost = new ServerHost(createHttpsServer({ cert: options.ca.serverCertPem, key: options.ca.serverKeyPem }));
  const shared = { script, ledger, log, now, logNow };
  let authorityHost = '';
  const [miPort, entraPort] = await Promise.all([
    miHost.listen(managedIdentityHandler({ ...shared, host: miHost, serverCache }, { identityHeader, systemAssignedClientId })),
    entraHost.listen(
      entraHandler({ ...shared, host: entraHost, serverCache }, { authorityHost: () => authorityHost, registry, caCertPem: options.ca.caCertPem }),
    ),
  ]);
  const imdsAuthorityHost = `http://127.0.0.1:${miPort}`;
  authorityHost = `https://127.0.0.1:${entraPort}`;
  let stopped: Promise<void> | undefined;

  return {
    managedIdentityEndpoint: `${imdsAuthorityHost}${APP_SERVICE_PATH}`,
    identityHeader,
    imdsEndpoint: `${imdsAuthorityHost}${IMDS_PATH}`,
    imdsAuthorityHost,
    authorityHost,
    systemAssignedClientId,
    registerClient: (registration) => registry.register(registration),
    unregisterCertificate: (registration) => registry.unregister(registration),
    script: (target, ...faults) => script.enqueue(target, faults),
    setPersistentFault: (target, fault) => script.setPersistent(target, fault),
    configureServerCache: (options) => serverCache.configure(options),
    setClockSkew: (ms) => {
      skewMs = ms;
    },
    setDefaultLifetime: (seconds, lifetime = {}) => script.setLifetime({ lifetimeSeconds: seconds, ...lifetime }),
    wasIssued: (token) => ledger.has(token),
    get issuedTokens() {
      return ledger.all;
    },
    get requests() {
      return [...log];
    },
    tokenRequests: (target) => log.filter((request) => request.target === target && request.kind === 'token'),
    connections: (target) => (target === 'mi' ? miHost : entraHost).connections,
    reset() {
      script.clear();
      serverCache.clear();
      skewMs = 0;
      log.length = 0;
    },
    stop() {
      stopped ??= Promise.all([miHost.close(), entraHost.close()]).then(() => undefined);
      return stopped;
    },
  };
}
