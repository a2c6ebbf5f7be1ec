// The outbox module's one public door.
export { enqueue } from './outbox-repository.js';
export type { OutboxMessage } from './outbox.js';
