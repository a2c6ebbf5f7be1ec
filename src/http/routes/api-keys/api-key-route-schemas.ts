import { ROLES } from '../../../modules/access/index.js';

/** An API key as the API shows it: never its secret nor its hash (the serializer drops any other property). */
export const apiKeySchema = {
  type: 'object',
  required: ['id', 'role', 'name', 'createdAt', 'revokedAt'],
  properties: {
    id: { type: 'string', description: 'The key id (key_...), not a secret.' },
    role: { type: 'string', enum: [...ROLES] },
    name: { type: ['string', 'null'], description: 'The label given when the key was created.' },
    createdAt: { type: 'string', format: 'date-time' },
    revokedAt: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'When it stopped authenticating; null while active.',
    },
  },
} as const;

// No pattern here: the access module checks the id, so a malformed one gets its own precise problem.
export const apiKeyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The key id (key_...).' } },
} as const;
