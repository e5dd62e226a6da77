import { loadConfig } from '../platform/config';
import { withLocalStackDefaults } from '../platform/local/localStackConfig';
import { runMain } from '../platform/runMain';
import { migrateToLatest } from '../platform/migrations/migrator';

/** `npm run migrate`: applies pending migrations to $DATABASE_URL, or to the local stack of `npm start` when unset. */
runMain('migrate', async () => {
  const config = withLocalStackDefaults(loadConfig());
  if (!config.DATABASE_URL) {
    throw new Error('DATABASE_URL is not set: npm run migrate needs the owner connection (npm start migrates its embedded database itself)');
  }
  const { applied } = await migrateToLatest({
    ownerUrl: config.DATABASE_URL,
    appPassword: config.DATABASE_APP_PASSWORD,
    log: (line) => console.log(line),
  });
  console.log(applied.length === 0 ? 'schema is up to date' : `applied ${applied.length} migration(s)`);
});
