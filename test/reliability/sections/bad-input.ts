/**
 * The bad-input section: settings, queue messages and secrets that are wrong in every way the
 * issue lists, each ending where the design says, then a leak scan of everything the section let
 * out (logs, telemetry, errors and the dumps of the public objects).
 */
import { inspect } from 'node:util';
import { getServices } from '../../../functions/services.js';
import { credentialSettingsFromEnvironment } from '../../../src/auth/credential-settings.js';
import { getTokenProvider } from '../../../src/runtime.js';
import { getAppSettings } from '../../../src/settings/app-settings.js';
import { check, section, type MatrixRow } from '../matrix.js';
import { startBadInput, stopBadInput, type BadInputContext } from './bad-input/context.js';
import { generatedRow } from './bad-input/generated-rows.js';
import { messageRows } from './bad-input/message-rows.js';
import { secretRows } from './bad-input/secret-rows.js';
import { settingsRows } from './bad-input/settings-rows.js';

const leakScanRow: MatrixRow<BadInputContext> = {
  name: 'leak scan',
  async run(context) {
    const { leaks, telemetry, host } = context;
    leaks.addTelemetry(telemetry.items);
    for (const delivery of host.deliveries) if (delivery.error !== undefined) leaks.addError(`delivery ${delivery.messageId}`, delivery.error);
    const provider = getTokenProvider();
    leaks.addObject('token provider', provider);
    leaks.addObject('TokenCredential adapter', provider.credential);
    leaks.addObject('app settings', getAppSettings());
    leaks.addObject('credential settings', credentialSettingsFromEnvironment(context.stack.identityEnv));
    leaks.addObject('queue host', host);
    // The clients the functions built: Key Vault, the SQL store, and the signing key they hold.
    const services = await getServices();
    leaks.addObject('Key Vault client', services.vault);
    leaks.addObject('SQL store', services.store);
    leaks.addObject('signing key cache', services.signingKey);
    const { hits, haystacks, secrets } = leaks.scan();
    return {
      injected: 'none (scan)',
      outcome: `${hits.length} hits`,
      requests: `${secrets} secrets × ${haystacks} texts`,
      checks: [leaks.check(), check('the scan had material from every kind of source', haystacks > 100 && inspect(provider).length > 0, `${haystacks} texts`)],
    };
  },
};

export const badInputSection = section<BadInputContext>({
  group: 'bad-input',
  start: startBadInput,
  stop: stopBadInput,
  rows: [...settingsRows, ...messageRows, generatedRow, ...secretRows, leakScanRow],
});
