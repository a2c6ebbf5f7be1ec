import { userInfo } from 'node:os';
import { Option } from 'commander';

/** The login name of whoever runs the command; `unknown` where the system has none (a bare container user). */
export function loginName(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Who a change made from the command line is audited as: --by, or the login name. */
export function cliActor(by: string | undefined): string {
  return by ?? `cli:${loginName()}`;
}

/** The --by option of an audited command; `who` says whom it names, such as `who revokes`. */
export function byOption(who: string): Option {
  return new Option('--by <name>', `${who}, kept in the audit log (default: cli:<login name>)`);
}
