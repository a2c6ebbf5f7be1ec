// OData's six comparison operators, the same in v2 (SAP) and v4 (Business Central). How two values are
// ordered is each service's own (SAP's CHAR and decimals, BC's code fields and Decimal); what an
// operator then says of the order is not.

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/**
 * Whether `order` (negative, zero or positive, as `actual` compares with the literal) satisfies the
 * operator; NaN, for values that cannot be ordered, satisfies only `ne`.
 */
export function satisfies(order: number, operator: ComparisonOperator): boolean {
  switch (operator) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}
