import { DeliveryFailure, type TargetDefinition } from './connector.js';

// ERP targets keep their credentials as a JSON object in one named secret, resolved at the moment of
// use. Every way reading it can fail is an `auth` failure that names the secret and its fields, never
// a value: the secret is not named, cannot be read, or is not a JSON object. What fields it must hold
// is the connector's to check, with `problem` to say what is wrong the same way.

export interface SecretObject {
  fields: Record<string, unknown>;
  /** An `auth` failure: the secret, what is wrong with it, then `expected`. */
  problem(what: string): DeliveryFailure;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The JSON object in the target's secret. `vendor` names the target kind in the message for a target
 * that names no secret; `expected` tells what the secret should hold ("it holds JSON {...}").
 */
export async function readSecretObject(
  target: TargetDefinition,
  resolve: (name: string) => Promise<string>,
  vendor: string,
  expected: string,
): Promise<SecretObject> {
  const name = target.credentials;
  if (!name) throw new DeliveryFailure('auth', `${vendor} target ${target.key} names no secret in credentials`);
  let raw: string;
  try {
    raw = await resolve(name);
  } catch (error) {
    if (error instanceof DeliveryFailure) throw error;
    // The resolver's own failure (an unreadable file): still a secret problem, not a lost delivery.
    const why = error instanceof Error ? error.message : String(error);
    throw new DeliveryFailure('auth', `the secret ${name} could not be read: ${why}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const problem = (what: string) => new DeliveryFailure('auth', `the secret ${name} ${what}; ${expected}`);
  if (!isObject(parsed)) throw problem('is not a JSON object');
  return { fields: parsed, problem };
}
