import type { ValidateFunction } from 'ajv/dist/2020.js';
import { findImpreciseDecimals } from '../../platform/decimal-text.js';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import type { Charge } from './catalog.js';
import { compileCatalogSchema } from './catalog-ajv.js';
import { CATALOG_SCHEMA } from './catalog-schema.js';
import { checkChargePricing } from './charge-pricing.js';
import { isIso4217Currency } from '../../platform/iso-4217.js';
import { schemaFieldErrors } from './schema-errors.js';

let compiled: ValidateFunction | undefined;

// The charge definition of the catalog schema on its own (compiled once, on first use), so a charge
// checked alone meets exactly the rules it meets inside a catalog file.
function chargeValidator(): ValidateFunction {
  compiled ??= compileCatalogSchema({ $ref: '#/$defs/charge', $defs: CATALOG_SCHEMA.$defs });
  return compiled;
}

/**
 * Checks one charge as it would be written in a catalog plan (for a price preview): its shape, its
 * currencies and every pricing rule; the meter it names is not looked up. Throws one ValidationError
 * with every error, each at `base` + the charge's own JSON Pointer.
 */
export function validateCharge(charge: unknown, base = ''): Charge {
  const validate = chargeValidator();
  const errors: FieldError[] = [];
  if (!validate(charge)) errors.push(...schemaFieldErrors(validate.errors ?? []));
  // Decimals too precise to compute with exactly are refused before the pricing rules would round them.
  else errors.push(...findImpreciseDecimals(charge));
  if (errors.length === 0) {
    const valid = charge as Charge;
    for (const code of Object.keys(valid.prices ?? {})) {
      if (!isIso4217Currency(code))
        errors.push({
          path: `/prices/${escapePointerToken(code)}`,
          message: `"${code}" is not an active ISO 4217 currency code`,
        });
    }
    checkChargePricing(valid, '', (path, message) => errors.push({ path, message }));
    if (valid.meter === undefined && valid.model !== 'flat')
      errors.push({ path: '/meter', message: `is required: a "${valid.model}" charge prices a meter's usage` });
  }
  if (errors.length > 0)
    throw new ValidationError(
      'invalid charge',
      errors.map((error) => ({ ...error, path: `${base}${error.path}` })),
    );
  return charge as Charge;
}
