/**
 * `resilient-daemon-functions/jobs`: the contract of the two jobs, loading no client: how a
 * producer signs a queue message for `ingestEvents`, and the app settings both jobs run with.
 */
export { knownEventTypes, signEvent, type SignedEvent } from '../jobs/ingest-message.js';
export {
  AppSettingError,
  readAppSettings,
  type AppSettings,
  type AzureSqlSettings,
  type PostgresSettings,
  type SqlSettings,
} from '../settings/app-settings.js';
