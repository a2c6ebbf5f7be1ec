import type { FaultSettings } from './emulator-options.js';
import { NetSuiteError } from './netsuite-error.js';
import { AdmissionLimits, perSecond } from '../common/admission-limits.js';

// The account's governance: one concurrency limit shared by every request in flight, and an optional
// requests-per-second limit. Both answer 429 with no Retry-After, as NetSuite does (ERP-APIS.md marks
// the missing header unconfirmed); a client must back off on its own.

export function concurrencyExceeded(): NetSuiteError {
  return new NetSuiteError(429, 'CONCURRENCY_LIMIT_EXCEEDED', 'Concurrent request limit exceeded. Request blocked.');
}

export function rateExceeded(): NetSuiteError {
  return new NetSuiteError(429, 'REQUEST_LIMIT_EXCEEDED', 'Request rate limit exceeded. Request blocked.');
}

/** NetSuite's answers past the limits, and its governance report of them. */
export class RequestLimits extends AdmissionLimits {
  constructor(faults: () => Pick<FaultSettings, 'concurrency' | 'ratePerSecond'>, now: () => number) {
    super(() => perSecond(faults()), now, { concurrency: concurrencyExceeded, rate: rateExceeded });
  }

  /** What `GET system/v1/governanceLimits` reports. */
  governance(): Record<string, number> {
    const { concurrency } = this.limits();
    return { accountConcurrencyLimit: concurrency, accountUnallocatedConcurrencyLimit: concurrency };
  }
}
