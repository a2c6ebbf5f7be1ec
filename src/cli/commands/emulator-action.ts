import { EmulatorConfigError } from '../../emulators/common/emulator-config-file.js';
import { FaultSettingsError } from '../../emulators/common/fault-fields.js';
import { ValidationError } from '../../platform/errors.js';

// What every `meterbridge emulate <vendor>` command does once commander has read its flags: the options
// are built (a wrong flag, fault setting or config file is the user's mistake, reported as such rather
// than as a crash), the emulator starts and prints what a client needs, and it runs until told to stop.

/** Resolves when the emulator should stop: the first SIGINT or SIGTERM, unless a test gives its own. */
export type UntilStopped<Emulator> = (emulator: Emulator) => Promise<unknown>;

export interface EmulatorRun<Flags, Options, Emulator extends { close(): Promise<void> }> {
  /** The vendor as the stop message names it, such as "NetSuite". */
  name: string;
  options(flags: Flags): Options;
  start(options: Options): Promise<Emulator>;
  banner(emulator: Emulator): string;
  untilStopped: UntilStopped<Emulator>;
}

export function emulatorAction<Flags, Options, Emulator extends { close(): Promise<void> }>(
  run: EmulatorRun<Flags, Options, Emulator>,
): (flags: Flags) => Promise<void> {
  return async (flags) => {
    let options: Options;
    try {
      options = run.options(flags);
    } catch (error) {
      if (error instanceof FaultSettingsError || error instanceof EmulatorConfigError)
        throw new ValidationError(error.message);
      throw error;
    }
    const emulator = await run.start(options);
    console.log(run.banner(emulator));
    await run.untilStopped(emulator);
    await emulator.close();
    console.log(`${run.name} emulator stopped`);
  };
}
