import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAppError } from '../platform/errors.js';
import { packageRoot } from '../platform/package-root.js';
import { accrueCommand } from './commands/accrue.js';
import { reconcileCommand } from './commands/reconcile.js';
import { billCommand } from './commands/bill.js';
import { catalogCommand } from './commands/catalog.js';
import { creditsCommand } from './commands/credits.js';
import { emulateCommand } from './commands/emulate.js';
import { exceptionsCommand } from './commands/exceptions.js';
import { ingestCommand } from './commands/ingest.js';
import { invoicesCommand } from './commands/invoices.js';
import { keysCommand } from './commands/keys.js';
import { lineageCommand } from './commands/lineage.js';
import { meteringCommand } from './commands/metering.js';
import { migrateCommand } from './commands/migrate.js';
import { postingsCommand } from './commands/postings.js';
import { priceCommand } from './commands/price.js';
import { replayCommand } from './commands/replay.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildCli(): Command {
  return new Command('meterbridge')
    .description('Usage-to-cash middleware: usage events in; governed usage, invoices and ERP postings out.')
    .version(packageVersion())
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(emulateCommand())
    .addCommand(migrateCommand())
    .addCommand(keysCommand())
    .addCommand(ingestCommand())
    .addCommand(catalogCommand())
    .addCommand(meteringCommand())
    .addCommand(exceptionsCommand())
    .addCommand(replayCommand())
    .addCommand(priceCommand())
    .addCommand(billCommand())
    .addCommand(invoicesCommand())
    .addCommand(creditsCommand())
    .addCommand(postingsCommand())
    .addCommand(accrueCommand())
    .addCommand(reconcileCommand())
    .addCommand(lineageCommand())
    .addCommand(statusCommand());
}

/** Prints an error the way an operator can act on it: the message, then each field with its problem. */
export function reportError(error: unknown): void {
  if (isAppError(error)) {
    console.error(`error: ${error.message}`);
    for (const item of error.errors) console.error(`  ${item.path}: ${item.message}`);
  } else {
    console.error(`error: ${(error as Error).message ?? String(error)}`);
  }
}

/** Commander exits the process itself unless told otherwise, command by command. */
function throwInsteadOfExit(command: Command): Command {
  command.exitOverride();
  command.commands.forEach(throwInsteadOfExit);
  return command;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = throwInsteadOfExit(buildCli());
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    reportError(error);
    process.exitCode = 1;
  }
}
