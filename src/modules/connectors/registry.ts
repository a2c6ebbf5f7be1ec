import type { Clock } from '../../platform/clock.js';
import type { Connector, ConnectorKind, SecretResolver, TargetDefinition, TargetKind } from './connector.js';
import { businessCentralKind } from './erp-business-central/business-central-connector.js';
import { netsuiteKind } from './erp-netsuite/netsuite-connector.js';
import { oracleFusionKind } from './erp-oracle-fusion/oracle-fusion-connector.js';
import { sapKind } from './erp-sap/sap-connector.js';
import { stripeKind } from './billing-stripe/stripe-connector.js';
import { fileKind } from './file/file-connector.js';
import { webhookKind } from './webhook/webhook-connector.js';

// The connectors of this release, found by kind: the only place that lists them. Adding a target means
// adding its folder and one line here; nothing else switches on a kind.
const CONNECTOR_KINDS: Partial<Record<TargetKind, ConnectorKind>> = {
  netsuite: netsuiteKind,
  file: fileKind,
  webhook: webhookKind,
  'business-central': businessCentralKind,
  'sap-s4hana': sapKind,
  'oracle-fusion': oracleFusionKind,
  stripe: stripeKind,
};

/** A ready connector for a target, or undefined when its kind has none in this release. */
export function createConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  clock?: Clock,
): Connector | undefined {
  return CONNECTOR_KINDS[target.kind]?.create(target, secrets, clock);
}
