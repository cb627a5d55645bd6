export type { Envelope, IngestionBehaviour, IngestionRequest, IngestionServer, IngestionServerOptions } from './ingestion-server.js';
export { startIngestionServer } from './ingestion-server.js';
