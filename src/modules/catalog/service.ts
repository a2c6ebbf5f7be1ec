import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { Clock } from '../../platform/clock.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.js';
import type { Catalog, Charge, Meter } from './catalog.js';
import { diffCatalogs, isEmptyDiff, type CatalogDiff } from './catalog-diff.js';
import { declaredCredits, finalizedCreditChanges, type FinalizedCreditUse } from './credit-changes.js';
import { loadCatalog } from './load-catalog.js';
import { unannouncedMeterChanges } from './meter-changes.js';
import * as repository from './repository.js';
import type { CatalogVersion } from './repository.js';

const canonicalJson = configure({ deterministic: true }) as (value: unknown) => string;
const MAX_APPLIED_BY_LENGTH = 200;

export interface CatalogDiffResult {
  /** The version compared against; undefined when no catalog was ever applied. */
  baseVersion: number | undefined;
  diff: CatalogDiff;
  /** false when applying the file would create no new version. */
  changed: boolean;
  /** Why `apply` would refuse the file although it is valid (meter definitions changed without effectiveFrom, used credits changed). */
  refusals: FieldError[];
}

export interface ApplyCatalogResult {
  /** false when the file changed nothing: the current version is returned and none is written. */
  created: boolean;
  version: CatalogVersion;
}

export interface CatalogService {
  /** The latest applied version, or undefined before the first apply. `db`: read in that transaction. */
  current(db?: Queryable): Promise<CatalogVersion | undefined>;
  /** The latest version's number, or undefined before the first apply (cheap: for polling). `db`: read in that transaction. */
  currentVersionNumber(db?: Queryable): Promise<number | undefined>;
  /** Every meter definition of every version, oldest version first: when each definition applied. */
  meterHistory(): Promise<{ version: number; meter: Meter }[]>;
  /** One stored version; NotFoundError when there is no such version. `db`: read in that transaction. */
  get(version: number, db?: Queryable): Promise<CatalogVersion>;
  /** A charge of a plan in the current version; NotFoundError saying which of catalog, plan or charge is missing. */
  charge(planKey: string, chargeKey: string): Promise<Charge>;
  /** Validates a catalog file and compares it with the current version; changes nothing. */
  diff(text: string, fileName: string): Promise<CatalogDiffResult>;
  /**
   * Validates a catalog file and stores it as the next version, in one transaction under a lock.
   * Throws ValidationError (every error) for an invalid file, ConflictError for meter definitions
   * changed without a later effectiveFrom or credits changed that finalized invoices used; nothing is
   * written then.
   */
  apply(text: string, fileName: string, appliedBy: string): Promise<ApplyCatalogResult>;
}

export interface CatalogDependencies {
  db: Database;
  clock: Clock;
  /**
   * Which of these meters already have usage derived with them (in the caller's transaction). Without
   * it every meter is taken to have usage, so any definition change needs a later effectiveFrom.
   */
  metersInUse?: (db: Queryable, meterKeys: readonly string[]) => Promise<ReadonlySet<string>>;
  /** What finalized invoices drew from these credits (`subscription/credit`), in the caller's transaction; only used ones are in the map. */
  creditsInUse?: (db: Queryable, creditIds: readonly string[]) => Promise<ReadonlyMap<string, FinalizedCreditUse>>;
}

export function catalogChecksum(catalog: Catalog): string {
  return createHash('sha256').update(canonicalJson(catalog)).digest('hex');
}

function checkAppliedBy(appliedBy: string): void {
  const trimmed = appliedBy.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_APPLIED_BY_LENGTH || trimmed !== appliedBy) {
    throw new ValidationError('invalid catalog apply', [
      {
        path: '/appliedBy',
        message: `must name who applies the catalog: 1-${MAX_APPLIED_BY_LENGTH} characters without surrounding spaces`,
      },
    ]);
  }
}

/** Refuses changes that would rewrite history: meter definitions with usage, credits finalized invoices used. */
function refuseHistoryChanges(meterErrors: FieldError[], creditErrors: FieldError[], fileName: string): void {
  if (meterErrors.length === 0 && creditErrors.length === 0) return;
  const reasons = [
    ...(meterErrors.length > 0
      ? [
          `changes the definition of ${meterErrors.length} meter${meterErrors.length > 1 ? 's' : ''} without a later effectiveFrom; usage already derived would be reinterpreted silently`,
        ]
      : []),
    ...(creditErrors.length > 0 ? ['changes prepaid credits that finalized invoices drew on'] : []),
  ];
  throw new ConflictError(`${fileName} ${reasons.join('; and ')}`, [...meterErrors, ...creditErrors]);
}

export function createCatalog({ db, clock, metersInUse, creditsInUse }: CatalogDependencies): CatalogService {
  const inUse = (tx: Queryable, diff: CatalogDiff) =>
    metersInUse && diff.meters.changed.length > 0
      ? metersInUse(
          tx,
          diff.meters.changed.map((change) => change.key),
        )
      : Promise.resolve(undefined);
  const creditErrors = async (tx: Queryable, previous: Catalog, next: Catalog): Promise<FieldError[]> => {
    const ids = declaredCredits(previous);
    if (!creditsInUse || ids.length === 0) return [];
    return finalizedCreditChanges(next, await creditsInUse(tx, ids));
  };
  const refusals = async (tx: Queryable, previous: Catalog, next: Catalog, diff: CatalogDiff) => ({
    meters: unannouncedMeterChanges(previous, next, diff, await inUse(tx, diff)),
    credits: await creditErrors(tx, previous, next),
  });
  return {
    current: (within) => repository.findLatestVersion(within ?? db),
    currentVersionNumber: (within) => repository.findLatestVersionNumber(within ?? db),
    meterHistory: () => repository.findMeterHistory(db),

    async get(version, tx = db) {
      const found =
        Number.isSafeInteger(version) && version > 0 ? await repository.findVersion(tx, version) : undefined;
      if (!found) throw new NotFoundError(`there is no catalog version ${version}`);
      return found;
    },

    async charge(planKey, chargeKey) {
      const current = await repository.findLatestVersion(db);
      if (!current) throw new NotFoundError('no catalog has been applied yet');
      const plan = current.catalog.plans.find((candidate) => candidate.key === planKey);
      if (!plan) throw new NotFoundError(`catalog version ${current.version} has no plan ${JSON.stringify(planKey)}`);
      const charge = plan.charges.find((candidate) => candidate.key === chargeKey);
      if (!charge)
        throw new NotFoundError(
          `plan ${JSON.stringify(planKey)} of catalog version ${current.version} has no charge ${JSON.stringify(chargeKey)}`,
        );
      return charge;
    },

    async diff(text, fileName) {
      const next = loadCatalog(text, fileName);
      const current = await repository.findLatestVersion(db);
      const diff = diffCatalogs(current?.catalog, next);
      return {
        baseVersion: current?.version,
        diff,
        changed: !isEmptyDiff(diff),
        refusals: current ? Object.values(await refusals(db, current.catalog, next, diff)).flat() : [],
      };
    },

    async apply(text, fileName, appliedBy) {
      checkAppliedBy(appliedBy);
      // Validated before the transaction: an invalid file never takes the lock, and is refused whole.
      const next = loadCatalog(text, fileName);
      const checksum = catalogChecksum(next);
      return db.transaction(async (tx) => {
        await repository.lockCatalog(tx);
        const current = await repository.findLatestVersion(tx);
        const diff = diffCatalogs(current?.catalog, next);
        // Equal objects are no change even when the file lists them in another order.
        if (current && isEmptyDiff(diff)) return { created: false, version: current };
        if (current) {
          const refused = await refusals(tx, current.catalog, next, diff);
          refuseHistoryChanges(refused.meters, refused.credits, fileName);
        }
        const version: CatalogVersion = {
          version: (current?.version ?? 0) + 1,
          appliedAt: clock.now().toISOString(),
          appliedBy,
          catalog: next,
          checksum,
          diff,
        };
        await repository.insertVersion(tx, version);
        return { created: true, version };
      });
    },
  };
}
