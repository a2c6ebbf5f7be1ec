import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type ErrorCategory, type FieldError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';

/** The one place that turns an error category into an HTTP status (RFC 9457 problem details). */
const STATUS: Record<ErrorCategory, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  failed_dependency: 424,
  rate_limited: 429,
  service_unavailable: 503,
};

export const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  424: 'Failed Dependency',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

// A status our own categories also produce gets the category's type, whoever raised it.
const CATEGORY_OF_STATUS = new Map<number, ErrorCategory>(
  Object.entries(STATUS).map(([category, status]) => [status, category as ErrorCategory]),
);

function slug(text: string): string {
  return text.toLowerCase().replace(/[ _]/g, '-');
}

export function problem(status: number, detail: string, errors?: FieldError[], category?: string): Problem {
  const known = CATEGORY_OF_STATUS.get(status);
  return {
    type: `urn:meterbridge:problem:${category ?? (known ? slug(known) : slug(TITLES[status] ?? 'error'))}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

function fromAjvErrors(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((item) => {
    const missing =
      item.keyword === 'required' ? `/${String((item.params as { missingProperty?: string }).missingProperty)}` : '';
    return { path: `${item.instancePath}${missing}`, message: item.message ?? 'is invalid' };
  });
}

/** Fastify's own request errors (codes FST_*): their status and message describe the client's mistake. */
function isFastifyClientError(error: Partial<FastifyError>): boolean {
  const status = error.statusCode;
  return (
    typeof error.code === 'string' &&
    error.code.startsWith('FST_') &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  );
}

/**
 * Maps any error to a problem: ours by category, Fastify's by their status, anything else (including
 * errors of HTTP clients that carry some upstream status) to a 500 that leaks nothing.
 */
export function toProblem(error: unknown, logger: Logger): Problem {
  if (isAppError(error)) return problem(STATUS[error.category], error.message, error.errors, slug(error.category));
  const fastifyError = (error !== null && typeof error === 'object' ? error : {}) as Partial<FastifyError>;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'request';
    return problem(400, `the ${context} is invalid`, fromAjvErrors(fastifyError as FastifyError), 'validation');
  }
  if (isFastifyClientError(fastifyError)) {
    return problem(fastifyError.statusCode as number, fastifyError.message ?? 'the request is invalid');
  }
  logger.error({ err: error }, 'unhandled error');
  return problem(500, 'an internal error occurred; it has been logged');
}

/**
 * A request Node's HTTP parser refused before Fastify saw it (its `clientError`): headers over the limit,
 * a timeout, or anything else malformed. llhttp's reason ("Invalid header value char") names what is
 * wrong without echoing the request.
 */
export function toClientErrorProblem(
  error: NodeJS.ErrnoException & { reason?: unknown },
  maxHeaderBytes: number,
): Problem {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return problem(431, `the request line and headers are over ${maxHeaderBytes} bytes`);
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem(408, 'the request was not received in time');
  return problem(400, `the request is not valid HTTP/1.1${error.reason ? `: ${String(error.reason)}` : ''}`);
}

function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  // Plain JSON serialization: a route's response schema describes its success bodies, not problems.
  return reply
    .status(body.status)
    .type(PROBLEM_CONTENT_TYPE)
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(body);
}

/** Sends `body` naming the request's path (never its query, which may carry secrets) as the instance. */
export function sendProblemFor(request: FastifyRequest, reply: FastifyReply, body: Problem): FastifyReply {
  return sendProblem(reply, { ...body, instance: request.url.split('?')[0] });
}

/** Whole seconds after which a retry may succeed, when the error says so (RFC 9110 `Retry-After`). */
function retryAfterOf(error: unknown): number | undefined {
  if (!isAppError(error)) return undefined;
  const seconds = (error as { retryAfter?: unknown }).retryAfter;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

export function problemErrorHandler(logger: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return sendProblemFor(request, reply, toProblem(error, logger));
  };
}
