import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigSources } from './load-config.js';

/** The errors loadConfig refuses the sources with. */
const refusal = (sources: ConfigSources, errors: unknown[]) =>
  expect(() => loadConfig(sources)).toThrow(expect.objectContaining({ errors }));

describe('period-end accrual settings', () => {
  it('are off by default, with an hour of delay', () => {
    expect(loadConfig().accounting).toEqual({ autoAccrue: false, accrualDelayMinutes: 60 });
  });

  it('take a delay shorter than the billing grace period', () => {
    const config = loadConfig({
      env: { MB_AUTO_ACCRUE: 'on', MB_ACCRUAL_DELAY_MINUTES: '119', MB_BILLING_GRACE_HOURS: '2' },
    });
    expect(config.accounting).toEqual({ autoAccrue: true, accrualDelayMinutes: 119 });
    expect(Object.isFrozen(config.accounting)).toBe(true);
  });

  it('refuse a delay as long as the grace period or longer, naming the delay where it was set', () => {
    refusal({ flags: { autoAccrue: 'on', accrualDelayMinutes: '120' }, env: { MB_BILLING_GRACE_HOURS: '2' } }, [
      {
        path: 'flag --accrual-delay-minutes',
        message: expect.stringMatching(
          /^must be shorter than the billing grace period \(billing.graceHours 2 = 120 minutes\)/,
        ),
      },
    ]);
    // The default delay (an hour) against no grace at all: drafts finalize at once, there is nothing to accrue.
    refusal({ env: { MB_AUTO_ACCRUE: 'on', MB_BILLING_GRACE_HOURS: '0' } }, [
      { path: 'accounting.accrualDelayMinutes (default)', message: expect.stringContaining('got 60') },
    ]);
  });

  it('leave the delay unchecked against the grace period while automatic accrual is off', () => {
    expect(loadConfig({ env: { MB_ACCRUAL_DELAY_MINUTES: '600', MB_BILLING_GRACE_HOURS: '1' } }).accounting).toEqual({
      autoAccrue: false,
      accrualDelayMinutes: 600,
    });
  });

  it('refuse a negative or fractional delay and an unknown switch, naming each', () => {
    refusal({ env: { MB_ACCRUAL_DELAY_MINUTES: '-5', MB_AUTO_ACCRUE: 'yes' } }, [
      { path: 'env MB_AUTO_ACCRUE', message: 'must be one of on, off, got "yes"' },
      { path: 'env MB_ACCRUAL_DELAY_MINUTES', message: expect.stringContaining('must be an integer from 0 to') },
    ]);
    refusal({ flags: { accrualDelayMinutes: -1 } }, [
      { path: 'flag --accrual-delay-minutes', message: expect.stringContaining('got -1') },
    ]);
    refusal({ env: { MB_ACCRUAL_DELAY_MINUTES: '1.5' } }, [
      { path: 'env MB_ACCRUAL_DELAY_MINUTES', message: expect.stringContaining('got "1.5"') },
    ]);
  });
});
