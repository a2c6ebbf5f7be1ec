import { beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { createApp, type App } from '../../main.js';
import {
  apiRequest,
  event,
  exceptionRows,
  ingestAll,
  meteringFixture,
  supportSession,
  usageRows,
} from '../../../test/fixtures/metering.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { buildCli } from '../cli.js';
import { meteringCommand, type MeteringCommandDependencies } from './metering.js';

describeEachStore('meterbridge metering', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  const run = (args: string[], more: MeteringCommandDependencies = {}): Promise<CommandRun> =>
    runCommand(meteringCommand({ openApp: (config) => createApp(config, { db, clock }), ...more }), args);

  // Given: the reference catalog and five events: two usage, one unknown subject, one negative value, one unmetered type.
  const events = () => [
    apiRequest('acct_1001', '2026-10-10T10:00:00Z'),
    apiRequest('acct_9999', '2026-10-11T10:00:00Z'),
    supportSession('acme', '2026-10-12T00:00:00Z', { duration_hours: 1.5 }),
    supportSession('acme', '2026-10-12T01:00:00Z', { duration_hours: -1 }),
    event('com.example.unknown', 'acme', '2026-10-14T00:00:00Z', {}),
  ];
  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await meteringFixture(db));
  });

  it('run --once meters what the log holds and prints the totals; a second run finds nothing', async () => {
    await ingestAll(app, events());
    const first = await run(['run', '--once']);
    expect(first).toEqual({
      code: 0,
      stdout:
        'metered 5 event(s) in 1 batch(es): 2 usage record(s), 2 exception(s), 1 telemetry event(s) (catalog version 1)',
      stderr: '',
    });
    expect(await usageRows(db)).toHaveLength(2);
    expect(await exceptionRows(db)).toHaveLength(2);
    expect((await run(['run', '--once'])).stdout).toBe(
      'metered 0 event(s) in 0 batch(es): 0 usage record(s), 0 exception(s), 0 telemetry event(s) (catalog version 1)',
    );
  });

  it('run --once takes --metering-batch-size and refuses a bad one before metering anything', async () => {
    await ingestAll(app, events());
    expect((await run(['run', '--once', '--metering-batch-size', '2'])).stdout).toMatch(
      /^metered 5 event\(s\) in 3 batch\(es\): 2 usage record\(s\)/,
    );
    await ingestAll(app, events());
    const bad = await run(['run', '--once', '--metering-batch-size', '0']);
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: invalid configuration (1 error)\n  flag --metering-batch-size: must be an integer from 1 to 100000, got "0"',
    });
    expect(await usageRows(db)).toHaveLength(2);
  });

  it('run --once refuses to run before any catalog is applied (exit 1)', async () => {
    const bare = await stores.fresh();
    const bareClock = new ManualClock('2026-11-01T00:00:00Z');
    const result = await runCommand(
      meteringCommand({ openApp: (config) => createApp(config, { db: bare, clock: bareClock }) }),
      ['run', '--once'],
    );
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: no catalog has been applied yet: events wait unmetered until `meterbridge catalog apply`',
    });
  });

  it('run keeps metering new events until stopped, then stops cleanly', async () => {
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const running = run(['run', '--metering-poll-ms', '10'], { untilStopped: () => stopped });
    // Events arriving while the worker runs are metered without another command.
    await ingestAll(app, events());
    const deadline = Date.now() + 20_000;
    while ((await usageRows(db)).length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    stop('SIGTERM');
    const result = await running;
    expect(result).toEqual({
      code: 0,
      stdout: [
        'metering worker running (batches of 2000, polling every 10 ms); stop it with Ctrl-C or SIGTERM',
        'metering worker stopped on SIGTERM; 0 event(s) left to meter',
      ].join('\n'),
      stderr: '',
    });
    expect(await usageRows(db)).toHaveLength(2);
  });

  it('status prints the lag, telemetry and exception counts, or JSON', async () => {
    await ingestAll(app, events());
    clock.set('2026-11-01T00:00:42Z');
    expect(await run(['status'])).toEqual({
      code: 0,
      stdout: ['lag: 5 event(s), 42.0 s behind', 'telemetry: none', 'exceptions: none'].join('\n'),
      stderr: '',
    });

    await run(['run', '--once']);
    expect(await run(['status'])).toEqual({
      code: 0,
      stdout: [
        'lag: 0 event(s), 0.0 s behind',
        'telemetry (events no meter reads):',
        '  com.example.unknown  1 event(s), last at 2026-10-14T00:00:00.000Z',
        'exceptions:',
        '  open  negative_value   1',
        '  open  unknown_subject  1',
      ].join('\n'),
      stderr: '',
    });
    const json = JSON.parse((await run(['status', '--json'])).stdout);
    expect(json).toEqual({
      lag: { events: 0, seconds: 0 },
      telemetry: [{ eventType: 'com.example.unknown', events: 1, lastEventTime: '2026-10-14T00:00:00.000Z' }],
      exceptions: [
        { status: 'open', reason: 'negative_value', count: 1 },
        { status: 'open', reason: 'unknown_subject', count: 1 },
      ],
    });
  });
});

it('is a command of the program, with run and status', () => {
  const metering = buildCli().commands.find((command) => command.name() === 'metering');
  expect(metering?.commands.map((command) => command.name())).toEqual(['run', 'status']);
});
