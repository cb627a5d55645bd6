/**
 * README.md documents the tables a user queries; this holds that section to the migrations, so
 * a column added, dropped or retyped in a migration fails here until the README says so too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { azureSqlMigrations } from '../../src/clients/migrations/azure-sql.js';
import type { Migration } from '../../src/clients/migrations/migration.js';
import { postgresMigrations } from '../../src/clients/migrations/postgres.js';
import { markdownTable, readmeSection } from '../support/readme.js';

const tables = ['secret_inventory', 'ingested_events'];

/** Column name -> definition as the migrations write it: whitespace collapsed, constraint names left out. */
function migrationColumns(migrations: readonly Migration[], table: string): Map<string, string> {
  const sql = migrations.map((m) => m.sql).join('\n');
  const body = new RegExp(`CREATE TABLE (?:dbo\\.)?${table} \\(\\n([\\s\\S]*?)\\n\\);`).exec(sql)?.[1];
  assert.ok(body, `a migration creates ${table}`);
  return new Map(
    body.split('\n').map((line) => {
      const [, name = '', definition = ''] = /^\s*(\w+)\s+(.*?),?$/.exec(line) ?? [];
      return [name, definition.replace(/CONSTRAINT \w+ /g, '').replace(/\s+/g, ' ')];
    }),
  );
}

function readmeColumns(table: string): { postgres: Map<string, string>; azureSql: Map<string, string> } {
  const [header, ...rows] = markdownTable(readmeSection(`\`${table}\``));
  assert.deepEqual(header, ['Column', 'PostgreSQL', 'Azure SQL', 'Meaning']);
  const code = (cell = ''): string => cell.replace(/^`|`$/g, '');
  return {
    postgres: new Map(rows.map((cells) => [code(cells[0]), code(cells[1])])),
    azureSql: new Map(rows.map((cells) => [code(cells[0]), code(cells[2])])),
  };
}

describe('README documents each table exactly as the migrations create it', () => {
  for (const table of tables) {
    it(`${table}: every column, in order, with its PostgreSQL and Azure SQL definition`, () => {
      const documented = readmeColumns(table);
      assert.deepEqual([...documented.postgres], [...migrationColumns(postgresMigrations, table)]);
      assert.deepEqual([...documented.azureSql], [...migrationColumns(azureSqlMigrations, table)]);
    });
  }

  it('every row has a meaning', () => {
    for (const table of tables) {
      const [, ...rows] = markdownTable(readmeSection(`\`${table}\``));
      for (const cells of rows) assert.ok((cells[3] ?? '').length > 10, `${table}.${cells[0] ?? ''}`);
    }
  });
});
