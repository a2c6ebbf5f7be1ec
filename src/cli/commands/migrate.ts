import { Command } from 'commander';
import { migrate } from '../../platform/database/migrate.js';
import { openStore } from '../../platform/database/open-store.js';
import { configFrom, withStoreOptions } from '../options.js';

// Not through withApp: opening the App migrates the store, which would leave this command nothing to report.
export function migrateCommand(): Command {
  return withStoreOptions(new Command('migrate').description('apply pending database migrations and exit')).action(
    async (options) => {
      const config = configFrom(options);
      const db = await openStore(config);
      try {
        const result = await migrate(db);
        console.log(
          result.applied.length > 0
            ? `applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`
            : `the store is up to date (${result.alreadyApplied} migration(s) applied earlier)`,
        );
      } finally {
        await db.close();
      }
    },
  );
}
