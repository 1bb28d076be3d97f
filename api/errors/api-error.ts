// The closed set of errors the API answers with. Services throw ApiError; one handler (problem.ts,
// installed by app.ts's onError) turns every error into application/problem+json (RFC 9457).

export const errorStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** A session-cookie request with an unsafe method whose X-CSRF-Token is missing or not the session's. */
  CSRF_TOKEN_INVALID: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** The cluster's agents have not reported the endpoint inventory an answer needs (explain). */
  NO_INVENTORY: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  LIMIT_EXCEEDED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  PRECONDITION_REQUIRED: 428,
  /** A rate limit or a cap on held long-polls; the answer carries Retry-After. */
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** The database cannot be reached now; the answer carries Retry-After (database-unavailable.ts). */
  DATABASE_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof errorStatus;

export interface FieldError {
  /** Dotted path into the request body, e.g. `spec.ingress.0.from.1.ipBlock.cidr`. */
  path: string;
  message: string;
}

export interface ApiErrorDetails {
  errors?: FieldError[];
  limit?: string;
  usage?: number;
  requested?: number;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ApiErrorDetails = {},
  ) {
    super(message);
    this.status = errorStatus[code];
  }
}

export const notFound = (what: string) => new ApiError('NOT_FOUND', `${what} not found`);

export function validationFailed(errors: FieldError[]): ApiError {
  const first = errors[0];
  const summary = first ? `${first.path || '(body)'}: ${first.message}` : 'invalid request';
  return new ApiError('VALIDATION_FAILED', summary, { errors });
}

/** Zod issue paths to the dotted form problem+json carries. */
export function pathToString(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** For idempotent DELETE: a missing object is not an error there. Every other error still is. */
export async function unlessNotFound<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
