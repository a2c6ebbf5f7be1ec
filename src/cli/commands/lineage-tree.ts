import type {
  BillingLine,
  DocumentLineage,
  DocumentPosting,
  EventLineage,
  EventPage,
  InvoiceSummary,
  Lineage,
  LineLineage,
  LineSummary,
  PostingLine,
  PostingSummary,
} from '../../modules/lineage/index.js';

// A lineage answer as the indented tree an operator (or support, on the phone) reads: each stage under
// the one it came from, with amounts as stored and what to run for more.

interface TreeNode {
  text: string;
  children?: TreeNode[];
}

/** The tree of any lineage answer, one string per printed line. */
export function formatLineage(answer: Lineage): string[] {
  const root =
    answer.lookup === 'event' ? eventTree(answer) : answer.lookup === 'line' ? lineTree(answer) : documentTree(answer);
  return [root.text, ...renderChildren(root.children ?? [], '')];
}

function renderChildren(children: readonly TreeNode[], prefix: string): string[] {
  return children.flatMap((child, index) => {
    const last = index === children.length - 1;
    return [
      `${prefix}${last ? '└─ ' : '├─ '}${child.text}`,
      ...renderChildren(child.children ?? [], `${prefix}${last ? '   ' : '│  '}`),
    ];
  });
}

function eventTree(answer: EventLineage): TreeNode {
  const { event } = answer;
  const notes: TreeNode[] = answer.note ? [{ text: answer.note }] : [];
  return {
    text: `event ${event.source} ${event.id} (seq ${event.seq}): ${event.type}, subject ${event.subject ?? '-'}, at ${event.time}`,
    children: [
      ...notes,
      ...answer.usage.map((usage): TreeNode => ({
        text: `usage of meter ${usage.meter}: value ${usage.value ?? '(counted)'}, customer ${usage.customer}, subscription ${usage.subscription}, ${usage.billing}`,
        children: [...(usage.note ? [{ text: usage.note }] : []), ...usage.lines.map(billingLineNode)],
      })),
      ...answer.exceptions.map((exception): TreeNode => ({
        text: `exception ${exception.id} of meter ${exception.meter}: ${exception.reason} (${exception.detail}), ${exception.status}${exception.resolution ? `: ${exception.resolution}` : ''}`,
      })),
    ],
  };
}

function billingLineNode(billed: BillingLine): TreeNode {
  return {
    text: invoiceText(billed.invoice),
    children: [
      {
        text: lineText(billed.line, billed.invoice.currency),
        children:
          billed.postings.length > 0 ? billed.postings.map(postingNode) : [{ text: 'not posted to any target' }],
      },
    ],
  };
}

function lineTree(answer: LineLineage): TreeNode {
  return {
    text: invoiceText(answer.invoice),
    children: [
      {
        text: lineText(answer.line, answer.invoice.currency),
        children: [
          ...eventsNodes(answer.events, answer.invoice.id, answer.line.lineNo),
          ...(answer.postings.length > 0 ? answer.postings.map(postingNode) : [{ text: 'not posted to any target' }]),
        ],
      },
    ],
  };
}

function documentTree(answer: DocumentLineage): TreeNode {
  return {
    text: `document ${answer.document} of target ${answer.target}`,
    children: answer.postings.map(documentPostingNode),
  };
}

function documentPostingNode(posting: DocumentPosting): TreeNode {
  const invoices = posting.invoices.map((carried): TreeNode => ({
    text: invoiceText(carried.invoice),
    children: carried.lines.map((item): TreeNode => ({
      text: lineText(item.line, carried.invoice.currency),
      children: [
        ...item.postingLines.map((line) => ({ text: `carried by ${postingLineText(line)}` })),
        ...eventsNodes(item.events, carried.invoice.id, item.line.lineNo),
      ],
    })),
  }));
  const more =
    posting.moreInvoices > 0
      ? [{ text: `and ${posting.moreInvoices} more invoice(s) this posting carries, not listed` }]
      : [];
  return { ...postingNode(posting), children: [...postingLineNodes(posting), ...invoices, ...more] };
}

function postingNode(posting: PostingSummary): TreeNode {
  const figures = [
    posting.date,
    posting.total && `total ${posting.total}${posting.currency ? ` ${posting.currency}` : ''}`,
  ]
    .filter(Boolean)
    .join(', ');
  return {
    text: `posting ${posting.id} to ${posting.target}: ${posting.kind} ${posting.externalId}, ${posting.status}, target document ${posting.targetDocumentId ?? '(none yet)'}${figures ? `, ${figures}` : ''}`,
    children: postingLineNodes(posting),
  };
}

function postingLineNodes(posting: PostingSummary): TreeNode[] {
  const others = posting.otherUsageEvents > 0 ? [{ text: `${posting.otherUsageEvents} other usage event(s)` }] : [];
  return [...posting.lines.map((line) => ({ text: postingLineText(line) })), ...others];
}

function postingLineText(line: PostingLine): string {
  switch (line.type) {
    case 'journal_line': {
      const side = line.debit !== '0' ? `debit ${line.debit}` : `credit ${line.credit}`;
      const sums = line.summarizes > 1 ? ` (sum of ${line.summarizes} invoice lines)` : '';
      return `journal line [${line.index}]: account ${line.account} ${side}${sums}${line.voided ? ', reversing' : ''}, "${line.memo}"`;
    }
    case 'usage_event':
      return `usage event [${line.index}]: ${line.key}, value ${line.value} at ${line.time}`;
    default:
      return `${line.type === 'document_line' ? 'document line' : 'billing item'} [${line.index}]: ${line.item ? `item ${line.item}, ` : ''}"${line.description}", ${line.quantity === null ? '' : `quantity ${line.quantity}, `}amount ${line.amount}`;
  }
}

function eventsNodes(page: EventPage | null, invoiceId: string, lineNo: number): TreeNode[] {
  if (page === null) return [];
  const more =
    page.next === null
      ? []
      : [{ text: `more: meterbridge invoices events ${invoiceId} ${lineNo} --after ${page.next}` }];
  return [
    {
      text: page.items.length === 0 ? 'no events' : `events${page.next === null ? '' : ' (first page)'}`,
      children: [
        ...page.items.map((event) => ({
          text: `${event.source} ${event.id} (seq ${event.seq}) at ${event.time}, value ${event.value ?? '(counted)'}`,
        })),
        ...more,
      ],
    },
  ];
}

function invoiceText(invoice: InvoiceSummary): string {
  const name = invoice.number
    ? `${invoice.document} ${invoice.number} (${invoice.id})`
    : `${invoice.document} ${invoice.id}`;
  return `${name}: ${invoice.status}, customer ${invoice.customer}, period [${invoice.periodStart}, ${invoice.periodEnd}), total ${invoice.total} ${invoice.currency}`;
}

function lineText(line: LineSummary, currency: string): string {
  const quantity =
    line.quantity === null
      ? ''
      : `quantity ${line.quantity}${line.unitPrice === null ? '' : ` at ${line.unitPrice}`}, `;
  return `line ${line.lineNo} (${line.kind}${line.charge ? ` ${line.charge}` : ''}) "${line.description}": ${quantity}amount ${line.amount} ${currency}`;
}
