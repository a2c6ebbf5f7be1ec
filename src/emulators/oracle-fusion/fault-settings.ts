import { FaultSettingsError } from '../common/fault-fields.js';
import { parseFaultSettings } from '../netsuite/fault-settings.js';
import type { FaultSettings } from './emulator-options.js';

// The Oracle emulator's settings that can change while it runs: NetSuite's fault settings (one shape,
// one parser, every problem reported together) plus how long an import job runs.

export interface OracleRuntimeSettings extends FaultSettings {
  jobMs: number;
}

export { FaultSettingsError };

/** The fields `value` sets (fault settings and `jobMs`); what it leaves out keeps its current value. */
export function parseRuntimeSettings(value: unknown, now: number): Partial<OracleRuntimeSettings> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new FaultSettingsError(['settings must be a JSON object']);
  const { jobMs, ...faults } = value as Record<string, unknown>;
  const problems: string[] = [];
  let parsed: Partial<FaultSettings> = {};
  try {
    parsed = parseFaultSettings(faults, now);
  } catch (error) {
    if (!(error instanceof FaultSettingsError)) throw error;
    problems.push(...error.problems);
  }
  if (jobMs !== undefined && (typeof jobMs !== 'number' || !Number.isInteger(jobMs) || jobMs < 0 || jobMs > 3_600_000))
    problems.push('jobMs must be a whole number from 0 to 3600000');
  if (problems.length > 0) throw new FaultSettingsError(problems);
  return jobMs === undefined ? parsed : { ...parsed, jobMs: jobMs as number };
}
