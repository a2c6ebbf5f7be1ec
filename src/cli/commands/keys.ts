import { Command, Option } from 'commander';
import { parseApiKeyId, ROLES, type ApiKeySummary } from '../../modules/access/index.js';
import { byOption, cliActor } from '../cli-actor.js';
import { withStoreOptions } from '../options.js';
import { formatTable } from '../print-page.js';
import { openConfiguredApp, withApp, type AppCommandDependencies, type OpenApp } from '../with-app.js';

const REVOKE_HELP = `
The key stops authenticating at once (401 from its next request); it stays listed, as revoked.
Revocation cannot be undone. The last active admin key cannot be revoked: create another admin key
first. Audited with --by.`;

function keyRows(items: readonly ApiKeySummary[]): string[][] {
  return [
    ['ID', 'ROLE', 'CREATED', 'REVOKED', 'NAME'],
    ...items.map((item) => [item.id, item.role, item.createdAt, item.revokedAt ?? '-', item.name ?? '-']),
  ];
}

function createCommand(openApp: OpenApp): Command {
  return withStoreOptions(
    new Command('create').description('create an API key and print it once; only its hash is stored'),
  )
    .addOption(new Option('--role <role>', 'what the key may do').choices([...ROLES]).makeOptionMandatory())
    .option('--name <name>', 'a label saying who or what uses the key')
    .action(async (options) => {
      const { role, name, ...storeOptions } = options as { role: string; name?: string } & Record<string, unknown>;
      const created = await withApp(storeOptions, openApp, (app) => app.access.createKey({ role, name }));
      console.error(`created API key ${created.id} with role ${created.role}; it is shown once, store it now:`);
      console.log(created.key);
    });
}

function listCommand(openApp: OpenApp): Command {
  return withStoreOptions(new Command('list').description('list API keys, revoked ones included (never their secrets)'))
    .option('--json', 'print the keys as JSON ({ items })')
    .action(async (options: Record<string, unknown>) => {
      const { json, ...storeOptions } = options;
      const items = await withApp(storeOptions, openApp, (app) => app.access.listKeys());
      if (json) console.log(JSON.stringify({ items }, null, 2));
      else if (items.length === 0) console.log('no API keys');
      else for (const line of formatTable(keyRows(items))) console.log(line);
    });
}

function revokeCommand(openApp: OpenApp): Command {
  return withStoreOptions(
    new Command('revoke').description('revoke an API key: it stops authenticating at once (audited)'),
  )
    .argument('<id>', 'key id (ID in `keys list`), not the key itself')
    .addOption(byOption('who revokes'))
    .addHelpText('after', REVOKE_HELP)
    .action(async (id: string, options: Record<string, unknown>) => {
      const { by, ...storeOptions } = options as { by?: string } & Record<string, unknown>;
      // Checked before the store opens: a typo costs no start-up.
      const wanted = parseApiKeyId(id, 'ID');
      const revoked = await withApp(storeOptions, openApp, (app) => app.access.revokeKey(wanted, cliActor(by)));
      console.log(
        `revoked API key ${revoked.id} (role ${revoked.role}${revoked.name === null ? '' : `, name ${JSON.stringify(revoked.name)}`}); it no longer authenticates`,
      );
    });
}

export function keysCommand(dependencies: AppCommandDependencies = {}): Command {
  const openApp = dependencies.openApp ?? openConfiguredApp;
  return new Command('keys')
    .description('create, list and revoke API keys')
    .addCommand(createCommand(openApp))
    .addCommand(listCommand(openApp))
    .addCommand(revokeCommand(openApp));
}
