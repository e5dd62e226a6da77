import fs from 'node:fs';
import path from 'node:path';
import { type Knex } from 'knex';

/** A knex migration module: `migrations/<YYYYMMDDHHMMSS>_<name>.ts` exporting `up` and `down`. */
interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

// Loaded by path, not imported: the migrations sit above platform/ in the layers.
const MIGRATIONS_DIRECTORY = path.resolve(__dirname, '..', '..', 'migrations');
const MIGRATION_FILE = /^\d{14}_[a-z0-9_]+\.ts$/;

/**
 * Loads the timestamped TypeScript migrations of the repository's migrations/ folder in name
 * order. A custom source (rather than knex's directory loader) so the same code runs under tsx,
 * jest and the compiled image.
 */
export class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly directory: string = MIGRATIONS_DIRECTORY) {}

  async getMigrations(): Promise<string[]> {
    return fs
      .readdirSync(this.directory)
      .filter((file) => MIGRATION_FILE.test(file))
      .sort();
  }

  getMigrationName(migration: string): string {
    return migration;
  }

  async getMigration(migration: string): Promise<MigrationModule> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(this.directory, migration)) as MigrationModule;
  }
}
