/**
 * The app's entry point (package.json `main`). Importing a function module registers it with the
 * host; the settings and the token provider are built here, at load, so misconfiguration fails at
 * start-up with an error naming the setting, not at the first invocation.
 */
import { getTokenProvider } from '../src/runtime.js';
import { getAppSettings } from '../src/settings/app-settings.js';
import './inventory-sweep.js';
import './ingest-events.js';

getAppSettings();
getTokenProvider();
