import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DeliveryFailure, type SecretResolver } from '../modules/connectors/index.js';

// Secrets named by targets' `credentials`, resolved at the moment a connector needs one: from the
// environment (`MB_SECRET_<NAME>`) first, else from the secrets file. The file is read at every use, so a
// rotated secret takes effect without a restart. Every failure is a DeliveryFailure('auth'): the target's
// postings wait for a person, nothing crashes. No message ever holds a secret's value, nor anything the
// file says (a YAML error quotes the line it failed on, which may be a secret): only names, paths, modes
// and positions.

export interface SecretSources {
  /** The environment, as the composition root hands it over (config is the only reader of process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** YAML or JSON mapping of NAME to value; refused unless only its owner may read and write it. */
  secretsFile?: string;
}

const NAME = /^[A-Z][A-Z0-9_]{0,99}$/;

export const SECRET_ENV_PREFIX = 'MB_SECRET_';

export function createSecretResolver({ env, secretsFile }: SecretSources): SecretResolver {
  return async (name) => {
    if (!NAME.test(name))
      throw new DeliveryFailure(
        'auth',
        'a secret name must be upper-case letters, digits and "_", starting with a letter',
      );
    const fromEnv = env[`${SECRET_ENV_PREFIX}${name}`];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    const where = `${SECRET_ENV_PREFIX}${name} is not set${secretsFile ? ` and the secrets file ${secretsFile}` : ', and no secrets file is configured (--secrets-file, MB_SECRETS_FILE)'}`;
    if (!secretsFile) throw new DeliveryFailure('auth', `secret ${name} is not set: ${where}`);
    const secrets = await readSecretsFile(secretsFile);
    const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
    if (value === undefined) throw new DeliveryFailure('auth', `secret ${name} is not set: ${where} has no ${name}`);
    if (typeof value !== 'string' || value === '')
      throw new DeliveryFailure('auth', `secret ${name} in the secrets file ${secretsFile} must be a non-empty string`);
    return value;
  };
}

async function readSecretsFile(path: string): Promise<Record<string, unknown>> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    throw new DeliveryFailure('auth', `the secrets file ${path} cannot be read (${codeOf(error)})`);
  }
  // Group or other bits would let another account of the machine read or replace every secret.
  if ((mode & 0o077) !== 0)
    throw new DeliveryFailure(
      'auth',
      `the secrets file ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}; it must be readable by its owner only (chmod 600 ${path})`,
    );
  let parsed: unknown;
  try {
    parsed = parseYaml(await readFile(path, 'utf8'));
  } catch (error) {
    const at = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const reason = error instanceof YAMLParseError ? `is not YAML or JSON${at}` : `cannot be read (${codeOf(error)})`;
    throw new DeliveryFailure('auth', `the secrets file ${path} ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new DeliveryFailure('auth', `the secrets file ${path} must hold a mapping of secret names to values`);
  return parsed as Record<string, unknown>;
}

function codeOf(error: unknown): string {
  return typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'unreadable';
}

/** The resolver of a loaded configuration: this process's environment, then its secrets file. */
export function secretResolverFor(config: { secretsFile?: string }): SecretResolver {
  return createSecretResolver({ env: process.env, secretsFile: config.secretsFile });
}
