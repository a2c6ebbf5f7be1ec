import { Command, Option } from 'commander';
import { createApp } from '../../main.js';
import { ROLES } from '../../modules/access/index.js';
import { configFrom, withStoreOptions } from '../options.js';

export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys');
  keys.addCommand(
    withStoreOptions(new Command('create').description('create an API key and print it once; only its hash is stored'))
      .addOption(new Option('--role <role>', 'what the key may do').choices([...ROLES]).makeOptionMandatory())
      .option('--name <name>', 'a label saying who or what uses the key')
      .action(async (options) => {
        const { role, name, ...storeOptions } = options as { role: string; name?: string } & Record<string, unknown>;
        const app = await createApp(configFrom(storeOptions));
        try {
          const created = await app.access.createKey({ role, name });
          console.error(`created API key ${created.id} with role ${created.role}; it is shown once, store it now:`);
          console.log(created.key);
        } finally {
          await app.close();
        }
      }),
  );
  return keys;
}
