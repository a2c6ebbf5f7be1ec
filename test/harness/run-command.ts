import { Command } from 'commander';
import { vi } from 'vitest';
import { reportError } from '../../src/cli/cli.js';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one CLI command in this process, as `runCli` would: output captured, errors reported the way
 * an operator sees them, the exit code read from process.exitCode (restored afterwards).
 */
export async function runCommand(command: Command, args: readonly string[]): Promise<CommandRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void stdout.push(parts.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...parts: unknown[]) => void stderr.push(parts.join(' ')));
  process.exitCode = undefined;
  const program = new Command('meterbridge').exitOverride().addCommand(command);
  let code: number;
  try {
    await program.parseAsync([command.name(), ...args], { from: 'user' });
    code = Number(process.exitCode ?? 0);
  } catch (caught) {
    reportError(caught);
    code = 1;
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}
