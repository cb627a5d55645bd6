export interface Migration {
  /** Sortable and unique: recorded in `schema_migrations` once applied. */
  id: string;
  sql: string;
}
