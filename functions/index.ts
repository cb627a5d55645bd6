/** The app's entry point (package.json `main`): importing a function module registers it with the host. */
import './inventory-sweep.js';
import './ingest-events.js';
