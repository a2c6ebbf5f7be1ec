// The shapes the reconciliation routes answer, for the OpenAPI description and the serializer. Nested
// objects stay open (`additionalProperties: true`): totals per target and mismatch counts per class are
// keyed by data.

const open = (description: string) => ({ type: 'object', additionalProperties: true, description }) as const;
const nullableText = { type: ['string', 'null'] } as const;

export const mismatchSchema = {
  type: 'object',
  required: ['seq', 'class', 'detail', 'action', 'repaired'],
  properties: {
    seq: { type: 'integer' },
    class: {
      type: 'string',
      description:
        'usage_not_on_invoice, unbilled_past_close, invoice_not_posted, posting_missing_in_target, document_differs_in_target, posting_stuck, posting_dead or accrual_not_reversed.',
    },
    legalEntity: nullableText,
    currency: nullableText,
    customer: nullableText,
    meter: nullableText,
    targetKey: nullableText,
    invoiceId: nullableText,
    postingId: nullableText,
    externalId: nullableText,
    targetDocumentId: nullableText,
    expected: { ...nullableText, description: 'Exact decimal text: what Meterbridge has.' },
    actual: { ...nullableText, description: 'Exact decimal text: what the other side has.' },
    detail: { type: 'string' },
    action: { type: 'string', description: 'What a person must do, or what the repair did.' },
    repaired: { type: 'boolean' },
  },
} as const;

export const runSchema = {
  type: 'object',
  required: ['id', 'period', 'provisional', 'status', 'summary'],
  properties: {
    id: { type: 'string' },
    period: { type: 'string' },
    legalEntity: nullableText,
    provisional: { type: 'boolean', description: 'The period has not closed yet (its end and the grace period).' },
    repair: { type: 'boolean' },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    requestedBy: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: nullableText,
    summary: open(
      'Mismatches by class, repairs, postings read back, targets left unverified, and whether the period is clean.',
    ),
    totals: {
      type: 'array',
      items: open('Per legal entity and currency: usage records, documents, invoiced, posted and verified per target.'),
    },
    rows: {
      type: 'array',
      items: open('Per legal entity, currency, customer and meter: usage against what documents bill.'),
    },
    error: nullableText,
  },
} as const;

export const reportSchema = {
  ...runSchema,
  required: [...runSchema.required, 'mismatches'],
  properties: { ...runSchema.properties, mismatches: { type: 'array', items: mismatchSchema } },
} as const;

export const runIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200, description: 'The reconciliation id (rec_...).' } },
} as const;
