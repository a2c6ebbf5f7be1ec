import type { Clock } from '../../platform/clock.js';
import type { CatalogService } from '../catalog/index.js';
import { createConnector, type Connector, type SecretResolver } from '../connectors/index.js';

/**
 * The connector of each target the current catalog declares, built once per catalog version (a new
 * version with changed settings or limits takes effect at the next dispatch); secrets stay unresolved
 * until a connector uses one.
 */
export function createTargetConnectors({
  catalog,
  secrets,
  clock,
}: {
  catalog: CatalogService;
  secrets: SecretResolver;
  /** The application's clock, for targets whose requests carry time (Stripe's key retention and meter event windows). */
  clock?: Clock;
}) {
  let built: { version: number; connectors: Map<string, Connector> } | undefined;
  return async (targetKey: string): Promise<Connector | undefined> => {
    const version = await catalog.currentVersionNumber();
    if (version === undefined) return undefined;
    if (built?.version !== version) {
      const { catalog: current } = await catalog.get(version);
      const connectors = new Map<string, Connector>();
      for (const target of current.targets ?? []) {
        const connector = createConnector(target, secrets, clock);
        if (connector) connectors.set(target.key, connector);
      }
      built = { version, connectors };
    }
    return built.connectors.get(targetKey);
  };
}
