/** PostgreSQL schema, in order. Applied once by src/clients/migrate.ts; never edit an applied step. */
import type { Migration } from './migration.js';

export const postgresMigrations: readonly Migration[] = [
  {
    id: '001_secret_inventory_and_events',
    sql: `
CREATE TABLE secret_inventory (
  name          text PRIMARY KEY,
  version       text,
  enabled       boolean     NOT NULL,
  created_on    timestamptz,
  updated_on    timestamptz,
  expires_on    timestamptz,
  not_before    timestamptz,
  content_type  text,
  tags          jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX secret_inventory_expires_on ON secret_inventory (expires_on);

CREATE TABLE ingested_events (
  id           text PRIMARY KEY,
  type         text        NOT NULL,
  occurred_at  timestamptz NOT NULL,
  payload      jsonb       NOT NULL,
  ingested_at  timestamptz NOT NULL DEFAULT now()
);`,
  },
];
