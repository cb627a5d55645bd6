/**
 * Boots the Functions app the way the host would, against a local stack: the app settings in
 * process.env, the worker's core API stand-in, the services' test seams, functions/index.js
 * imported (so its triggers register), then the deployer's part: schema by migration and an
 * app role whose PostgreSQL password is the token the app's own provider got.
 */
import { migratePostgres } from '../../src/clients/migrate.js';
import { postgresScope } from '../../src/clients/postgres-options.js';
import type { Clock } from '../../src/auth/clock.js';
import type { Telemetry } from '../../src/telemetry/telemetry.js';
import { installFunctionsCoreShim } from '../../src/sandbox/host/functions-core-shim.js';
import type { FunctionsStack } from './functions-stack.js';
import type { LocalPostgres } from './postgres.js';

export interface FunctionsAppOptions {
  stack: FunctionsStack;
  postgres: LocalPostgres;
  appRole: string;
  telemetry: Telemetry;
  clock: Clock;
  /** Settings of the function under test, on top of identity, Key Vault and PostgreSQL. */
  settings: Record<string, string>;
}

export interface FunctionsApp {
  /** The token the app's provider got for PostgreSQL, now the app role's password. */
  appToken: string;
  /** Closes the SQL pool and the module-scope provider's timers. */
  shutdown(): Promise<void>;
}

export async function startFunctionsApp(options: FunctionsAppOptions): Promise<FunctionsApp> {
  const { stack, postgres } = options;
  Object.assign(process.env, {
    ...stack.identityEnv,
    KEY_VAULT_URL: stack.vault.vaultUrl,
    // A vault on 127.0.0.1 is a sandbox: the app's own setting lets its SecretClient talk to it.
    KEY_VAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
    POSTGRES_HOST: postgres.host,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_DATABASE: postgres.database,
    POSTGRES_USER: options.appRole,
    POSTGRES_SSL: 'false',
    ...options.settings,
  });
  installFunctionsCoreShim();
  const services = await import('../../functions/services.js');
  services.configureServices({ keyVaultClientOptions: stack.keyVaultTls, telemetry: options.telemetry, clock: options.clock });
  await import('../../functions/index.js');
  const { getTokenProvider } = await import('../../src/runtime.js');

  await migratePostgres(postgres.admin);
  await postgres.createAppRole(options.appRole);
  const appToken = (await getTokenProvider().getToken(postgresScope)).token;
  await postgres.setPassword(options.appRole, appToken);
  return {
    appToken,
    async shutdown() {
      await services.closeServices();
      getTokenProvider().close();
    },
  };
}
