import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AppError,
  ConflictError,
  FailedDependencyError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { problem, problemErrorHandler, toClientErrorProblem, toProblem } from './problem.js';

function recordingLogger(): Logger & { error: ReturnType<typeof vi.fn> } {
  return { error: vi.fn() } as unknown as Logger & { error: ReturnType<typeof vi.fn> };
}

const CATEGORIES: Array<[string, AppError, number, string, string]> = [
  ['validation', new ValidationError('bad input'), 400, 'validation', 'Bad Request'],
  ['unauthenticated', new UnauthenticatedError('no key'), 401, 'unauthenticated', 'Unauthorized'],
  ['forbidden', new ForbiddenError('not yours'), 403, 'forbidden', 'Forbidden'],
  ['not_found', new NotFoundError('gone'), 404, 'not-found', 'Not Found'],
  ['conflict', new ConflictError('clash'), 409, 'conflict', 'Conflict'],
  ['precondition_failed', new PreconditionFailedError('stale'), 412, 'precondition-failed', 'Precondition Failed'],
  ['payload_too_large', new PayloadTooLargeError('too big'), 413, 'payload-too-large', 'Content Too Large'],
  [
    'unsupported_media_type',
    new UnsupportedMediaTypeError('text/plain'),
    415,
    'unsupported-media-type',
    'Unsupported Media Type',
  ],
  ['failed_dependency', new FailedDependencyError('ERP down'), 424, 'failed-dependency', 'Failed Dependency'],
  ['rate_limited', new AppError('rate_limited', 'slow down'), 429, 'rate-limited', 'Too Many Requests'],
];

describe('toProblem: application errors', () => {
  it.each(CATEGORIES)(
    'maps the %s category to its status and problem type',
    (_category, error, status, slug, title) => {
      const logger = recordingLogger();
      expect(toProblem(error, logger)).toEqual({
        type: `urn:meterbridge:problem:${slug}`,
        title,
        status,
        detail: error.message,
      });
      expect(logger.error).not.toHaveBeenCalled();
    },
  );

  it('covers every category of the closed set', () => {
    expect(new Set(CATEGORIES.map(([category]) => category)).size).toBe(10);
  });

  it('carries field errors, and leaves the errors member out when there are none', () => {
    const errors = [
      { path: '/data/tokens', message: 'must be integer' },
      { path: '/type', message: 'is required' },
    ];
    expect(toProblem(new ValidationError('invalid event', errors), recordingLogger()).errors).toEqual(errors);
    expect(
      toProblem(
        new ConflictError('breaking', [{ path: '/properties/a', message: 'became required' }]),
        recordingLogger(),
      ).errors,
    ).toEqual([{ path: '/properties/a', message: 'became required' }]);
    expect(toProblem(new ValidationError('invalid'), recordingLogger())).not.toHaveProperty('errors');
  });
});

describe('toProblem: Fastify errors', () => {
  it('maps a schema validation error to a 400 validation problem with one field error per Ajv error', () => {
    const error = Object.assign(new Error('params/version must be >= 1'), {
      statusCode: 400,
      validationContext: 'params',
      validation: [
        {
          instancePath: '/version',
          keyword: 'minimum',
          params: { limit: 1 },
          message: 'must be >= 1',
          schemaPath: '#/properties/version/minimum',
        },
        {
          instancePath: '',
          keyword: 'required',
          params: { missingProperty: 'type' },
          message: "must have required property 'type'",
          schemaPath: '#/required',
        },
        {
          instancePath: '/tags/0',
          keyword: 'type',
          params: { type: 'string' },
          schemaPath: '#/properties/tags/items/type',
        },
      ],
    });
    expect(toProblem(error, recordingLogger())).toEqual({
      type: 'urn:meterbridge:problem:validation',
      title: 'Bad Request',
      status: 400,
      detail: 'the params is invalid',
      errors: [
        { path: '/version', message: 'must be >= 1' },
        { path: '/type', message: "must have required property 'type'" },
        { path: '/tags/0', message: 'is invalid' },
      ],
    });
  });

  it('says "the request" when Fastify does not name what failed validation', () => {
    const error = Object.assign(new Error('invalid'), {
      validation: [{ instancePath: '/a', keyword: 'type', params: {}, message: 'must be string' }],
    });
    expect(toProblem(error, recordingLogger()).detail).toBe('the request is invalid');
  });

  it('keeps the status and message of other 4xx Fastify errors', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(toProblem(tooLarge, recordingLogger())).toMatchObject({
      status: 413,
      title: 'Content Too Large',
      detail: 'Request body is too large',
    });

    const notAllowed = Object.assign(new Error('Method Not Allowed'), { statusCode: 405, code: 'FST_ERR_NOT_ALLOWED' });
    expect(toProblem(notAllowed, recordingLogger())).toEqual({
      type: 'urn:meterbridge:problem:method-not-allowed',
      title: 'Method Not Allowed',
      status: 405,
      detail: 'Method Not Allowed',
    });
  });

  it('gives a generic title and type to a 4xx status it has no title for', () => {
    const teapot = Object.assign(new Error('short and stout'), { statusCode: 418, code: 'FST_ERR_TEAPOT' });
    expect(toProblem(teapot, recordingLogger())).toEqual({
      type: 'urn:meterbridge:problem:error',
      title: 'Error',
      status: 418,
      detail: 'short and stout',
    });
  });
});

describe('toProblem: unexpected errors', () => {
  const secret = 'password=hunter2 at db.internal:5432';

  it.each([
    ['a plain Error', new Error(`connection failed: ${secret}`)],
    ['an error claiming a 5xx status', Object.assign(new Error(secret), { statusCode: 503 })],
    ['an error with a status outside HTTP errors', Object.assign(new Error(secret), { statusCode: 302 })],
    ['a thrown string', secret],
  ])('maps %s to a 500 that leaks nothing, and logs it', (_label, error) => {
    expectLoggedInternalError(error);
  });

  // Known bug: problem.ts reads `.validation` on the error before checking it is an object, so a
  // rejection with null or undefined throws a TypeError inside the error handler; Fastify then answers
  // with its own application/json 500 (carrying the TypeError's message) and our logger never sees it.
  it.each([
    ['a thrown null', null],
    ['a thrown undefined', undefined],
  ])('maps %s to a 500 that leaks nothing, and logs it', (_label, error) => {
    expectLoggedInternalError(error);
  });

  function expectLoggedInternalError(error: unknown) {
    const logger = recordingLogger();
    const result = toProblem(error, logger);
    expect(result).toEqual({
      type: 'urn:meterbridge:problem:internal-server-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'an internal error occurred; it has been logged',
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith({ err: error }, 'unhandled error');
  }
});

describe('problem', () => {
  it('derives the type from the category when given, else from the title', () => {
    expect(problem(404, 'x', undefined, 'not-found').type).toBe('urn:meterbridge:problem:not-found');
    expect(problem(503, 'x').type).toBe('urn:meterbridge:problem:service-unavailable');
    expect(problem(400, 'x', [])).not.toHaveProperty('errors');
  });
});

describe('problemErrorHandler on a Fastify server', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function serverWith(logger: Logger): Promise<FastifyInstance> {
    const server = fastify({ ajv: { customOptions: { allErrors: true } } });
    server.setErrorHandler(problemErrorHandler(logger));
    server.get('/things/:id', async (request) => {
      const { id } = request.params as { id: string };
      if (id === 'boom') throw new Error('secret internals');
      // A dependency that rejects without a reason.
      if (id === 'nothing') return Promise.reject(undefined);
      throw new NotFoundError(`no thing ${id}`);
    });
    server.post(
      '/things',
      {
        schema: {
          body: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, size: { type: 'integer' } },
          },
        },
      },
      async () => ({}),
    );
    await server.ready();
    return server;
  }

  it('answers application/problem+json with the path, without its query, as the instance', async () => {
    app = await serverWith(recordingLogger());
    const response = await app.inject({ method: 'GET', url: '/things/42?token=abc' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json()).toEqual({
      type: 'urn:meterbridge:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'no thing 42',
      instance: '/things/42',
    });
  });

  it('maps a real Fastify body validation failure to 400 with every field path', async () => {
    app = await serverWith(recordingLogger());
    const response = await app.inject({ method: 'POST', url: '/things', payload: { size: 'big' } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const body = response.json();
    expect(body).toMatchObject({ type: 'urn:meterbridge:problem:validation', detail: 'the body is invalid' });
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '/name', message: "must have required property 'name'" },
        { path: '/size', message: 'must be integer' },
      ]),
    );
    expect(body.errors).toHaveLength(2);
  });

  it('maps a real Fastify malformed-JSON error to 400, keeping its status', async () => {
    app = await serverWith(recordingLogger());
    const response = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json().status).toBe(400);
  });

  it('answers an unexpected error with a 500 problem that does not contain its message', async () => {
    const logger = recordingLogger();
    app = await serverWith(logger);
    const response = await app.inject({ method: 'GET', url: '/things/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret internals');
    expect(response.json()).toMatchObject({ status: 500, instance: '/things/boom' });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  // Known bug (see the toProblem tests above): the answer is Fastify's own JSON, naming the TypeError.
  it('answers a rejection without a reason with a 500 problem', async () => {
    const logger = recordingLogger();
    app = await serverWith(logger);
    const response = await app.inject({ method: 'GET', url: '/things/nothing' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});

describe('toClientErrorProblem: requests Node refuses before Fastify', () => {
  const parseError = (code: string, reason?: string) => Object.assign(new Error('Parse Error'), { code, reason });

  it('maps header overflow to 431, a timeout to 408 and any other parse error to 400 naming the reason', () => {
    expect(toClientErrorProblem(parseError('HPE_HEADER_OVERFLOW'), 16_384)).toEqual({
      type: 'urn:meterbridge:problem:request-header-fields-too-large',
      title: 'Request Header Fields Too Large',
      status: 431,
      detail: 'the request line and headers are over 16384 bytes',
    });
    expect(toClientErrorProblem(parseError('ERR_HTTP_REQUEST_TIMEOUT'), 16_384)).toMatchObject({
      status: 408,
      title: 'Request Timeout',
    });
    expect(toClientErrorProblem(parseError('HPE_INVALID_METHOD', 'Invalid method encountered'), 16_384)).toEqual({
      type: 'urn:meterbridge:problem:validation',
      title: 'Bad Request',
      status: 400,
      detail: 'the request is not valid HTTP/1.1: Invalid method encountered',
    });
  });
});
