/**
 * The app's entry point (package.json `main`). Importing a function module registers it with the
 * host; the settings and the token provider are built here, at load, so misconfiguration fails at
 * start-up with an error naming the setting, not at the first invocation.
 */
// Default import: the named runtime exports of @azure/functions throw under ESM.
import functions from '@azure/functions';
import { getTokenProvider } from '../src/runtime.js';
import { getAppSettings } from '../src/settings/app-settings.js';
import { flushTelemetry } from '../src/telemetry/runtime-telemetry.js';
import { closeServices } from './services.js';
import './inventory-sweep.js';
import './ingest-events.js';

getAppSettings();
getTokenProvider();

// Telemetry buffered in the exporter would be lost when the host recycles the worker.
functions.app.hook.appTerminate(async () => {
  getTokenProvider().close();
  await Promise.all([flushTelemetry(), closeServices()]);
});
