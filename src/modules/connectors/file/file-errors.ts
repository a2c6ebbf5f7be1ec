import { DeliveryFailure } from '../connector.js';
import { ForeignFileError } from './file-format.js';

// Filesystem errors classified for the outbox's one policy. A full or failing disk, or a busy resource,
// may clear by itself: `unavailable`, retried with backoff. A directory the process may not write, or a
// path that is not a directory, will not: `invalid`, a person fixes the mount or the permissions (the
// OS message is kept whole so they can). Anything else may have struck after the rename made the rows
// visible: `unknown_outcome`, which makes the dispatcher read the file back before any retry.

const UNAVAILABLE = new Set([
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EAGAIN',
  'EWOULDBLOCK',
  'EBUSY',
  'EINTR',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'ETIMEDOUT',
  'ESTALE',
]);
const UNUSABLE = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'EISDIR', 'ENAMETOOLONG', 'ELOOP']);

/** The errno code of a Node system error, read without trusting its shape. */
export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** `error` from working on `path`, as a DeliveryFailure; a DeliveryFailure passes through unchanged. */
export function fileFailure(error: unknown, path: string): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof ForeignFileError)
    return new DeliveryFailure('invalid', `${path} is not a file this export wrote, left as it is: ${text}`, {
      targetText: text,
      path,
    });
  const code = errorCode(error);
  if (code !== undefined && UNAVAILABLE.has(code))
    return new DeliveryFailure('unavailable', `the export directory is out of service (${code}): ${text}`, {
      targetText: text,
      code,
      path,
    });
  if (code !== undefined && UNUSABLE.has(code))
    return new DeliveryFailure('invalid', `the export directory is unusable (${code}) at ${path}: ${text}`, {
      targetText: text,
      code,
      path,
    });
  return new DeliveryFailure('unknown_outcome', `writing ${path} failed: ${text}`, { targetText: text, code, path });
}
