/** Azure SQL Database schema, in order. Applied once by src/clients/migrate.ts; never edit an applied step. */
import type { Migration } from './migration.js';

export const azureSqlMigrations: readonly Migration[] = [
  {
    id: '001_secret_inventory_and_events',
    sql: `
CREATE TABLE dbo.secret_inventory (
  name          nvarchar(127)  NOT NULL CONSTRAINT pk_secret_inventory PRIMARY KEY,
  version       nvarchar(64)   NULL,
  enabled       bit            NOT NULL,
  created_on    datetimeoffset NULL,
  updated_on    datetimeoffset NULL,
  expires_on    datetimeoffset NULL,
  not_before    datetimeoffset NULL,
  content_type  nvarchar(255)  NULL,
  tags          nvarchar(max)  NOT NULL CONSTRAINT df_secret_inventory_tags DEFAULT N'{}'
);
CREATE INDEX ix_secret_inventory_expires_on ON dbo.secret_inventory (expires_on);

CREATE TABLE dbo.ingested_events (
  id           nvarchar(128)  NOT NULL CONSTRAINT pk_ingested_events PRIMARY KEY,
  type         nvarchar(64)   NOT NULL,
  occurred_at  datetimeoffset NOT NULL,
  payload      nvarchar(max)  NOT NULL,
  ingested_at  datetimeoffset NOT NULL CONSTRAINT df_ingested_events_ingested_at DEFAULT SYSDATETIMEOFFSET()
);`,
  },
];
