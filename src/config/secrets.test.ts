import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryFailure } from '../modules/connectors/index.js';
import { createSecretResolver } from './secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE_SECRET = '{"privateKey":"-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----"}';
let files = 0;

function secretsFile(content: string, mode = 0o600): string {
  files += 1;
  const path = join(dir, `secrets-${files}.yaml`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** The DeliveryFailure a resolution throws; fails the test when it resolves. */
async function failureOf(resolution: Promise<string>): Promise<DeliveryFailure> {
  const error = await resolution.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryFailure);
  return error as DeliveryFailure;
}

describe('createSecretResolver', () => {
  it('reads MB_SECRET_<NAME> first, then the secrets file', async () => {
    const file = secretsFile(`NETSUITE_US: '${FILE_SECRET}'\nHOOK: file-hook\n`);
    const resolve = createSecretResolver({
      env: { MB_SECRET_HOOK: 'env-hook', MB_SECRET_EMPTY: '' },
      secretsFile: file,
    });
    expect(await resolve('HOOK')).toBe('env-hook');
    expect(await resolve('NETSUITE_US')).toBe(FILE_SECRET);
  });

  it('reads a JSON secrets file, and reads it again at each use so a rotated secret takes effect', async () => {
    const file = secretsFile(JSON.stringify({ HOOK: 'first' }));
    const resolve = createSecretResolver({ env: {}, secretsFile: file });
    expect(await resolve('HOOK')).toBe('first');
    writeFileSync(file, JSON.stringify({ HOOK: 'rotated' }));
    expect(await resolve('HOOK')).toBe('rotated');
  });

  it('accepts an owner-only file of mode 0400 and refuses 0644 and 0640, saying how to fix it', async () => {
    expect(await createSecretResolver({ env: {}, secretsFile: secretsFile('A: a\n', 0o400) })('A')).toBe('a');
    for (const mode of [0o644, 0o640, 0o604]) {
      const file = secretsFile('A: value-never-shown\n', mode);
      const failure = await failureOf(createSecretResolver({ env: {}, secretsFile: file })('A'));
      expect(failure.failureClass).toBe('auth');
      expect(failure.message).toBe(
        `the secrets file ${file} has mode 0${mode.toString(8)}; it must be readable by its owner only (chmod 600 ${file})`,
      );
    }
  });

  it('takes an environment secret even when the file would be refused', async () => {
    const file = secretsFile('A: a\n', 0o644);
    expect(await createSecretResolver({ env: { MB_SECRET_A: 'from-env' }, secretsFile: file })('A')).toBe('from-env');
  });

  it('makes a missing secret an auth failure naming it and where it was looked for, never a value', async () => {
    const file = secretsFile('OTHER: other-secret-value\n');
    const inFile = await failureOf(
      createSecretResolver({ env: { MB_SECRET_X: 'x-value' }, secretsFile: file })('NETSUITE_US'),
    );
    expect(inFile.failureClass).toBe('auth');
    expect(inFile.message).toBe(
      `secret NETSUITE_US is not set: MB_SECRET_NETSUITE_US is not set and the secrets file ${file} has no NETSUITE_US`,
    );
    const noFile = await failureOf(createSecretResolver({ env: { MB_SECRET_NETSUITE_US: '' } })('NETSUITE_US'));
    expect(noFile.message).toBe(
      'secret NETSUITE_US is not set: MB_SECRET_NETSUITE_US is not set, and no secrets file is configured (--secrets-file, MB_SECRETS_FILE)',
    );
    for (const failure of [inFile, noFile]) {
      expect(JSON.stringify({ message: failure.message, detail: failure.detail })).not.toMatch(
        /other-secret-value|x-value/,
      );
    }
  });

  it('reports a missing, malformed or non-mapping file, or a non-string value, without quoting the file', async () => {
    const missing = join(dir, 'missing.yaml');
    expect((await failureOf(createSecretResolver({ env: {}, secretsFile: missing })('A'))).message).toBe(
      `the secrets file ${missing} cannot be read (ENOENT)`,
    );
    const broken = secretsFile('A: fine\nB: [unclosed sk_live_abcdefgh12345678\n');
    const brokenFailure = await failureOf(createSecretResolver({ env: {}, secretsFile: broken })('A'));
    expect(brokenFailure.message).toMatch(new RegExp(`^the secrets file ${broken} is not YAML or JSON at line \\d+$`));
    const list = secretsFile('- a\n- b\n');
    expect((await failureOf(createSecretResolver({ env: {}, secretsFile: list })('A'))).message).toBe(
      `the secrets file ${list} must hold a mapping of secret names to values`,
    );
    const nested = secretsFile('A: { key: nested-secret }\n');
    const nestedFailure = await failureOf(createSecretResolver({ env: {}, secretsFile: nested })('A'));
    expect(nestedFailure.message).toBe(`secret A in the secrets file ${nested} must be a non-empty string`);
  });

  it('refuses a name that is not a secret name', async () => {
    const resolve = createSecretResolver({ env: { 'MB_SECRET_netsuite-us': 'x' }, secretsFile: secretsFile('A: a\n') });
    expect((await failureOf(resolve('netsuite-us'))).message).toBe(
      'a secret name must be upper-case letters, digits and "_", starting with a letter',
    );
  });
});
