// The renderer's typed backend client: unwraps window.api's Results into values, or throws ApiError with the backend's code.
import { API_METHODS, type Api, type ApiEventName, type ApiEvents, type ApiMethod, type Progress, type RendererApi } from '../../shared/api.ts';

declare global {
  interface Window {
    /** Set by the preload (Electron) or by the test bridge's client script; absent in a plain browser. */
    api?: RendererApi;
  }
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** The backend's stable code ('bad-request', 'not-found', 'cancelled', ...), or 'no-backend' when window.api is missing. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Client = Api & {
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  /** Progress events of one job only (the backend sends every job's progress to the window). */
  onProgress(jobId: string, listener: (p: Progress) => void): () => void;
};

function backend(): RendererApi {
  const b = window.api;
  if (!b) throw new ApiError('no-backend', 'The Sealcheck backend is not connected (window.api is missing).');
  return b;
}

async function call<K extends ApiMethod>(method: K, args: unknown[]): Promise<Awaited<ReturnType<Api[K]>>> {
  // The contract's call signature is checked where Client is used; here the arguments are passed through unchanged.
  const r = await (backend().call as (m: ApiMethod, ...a: unknown[]) => ReturnType<RendererApi['call']>)(method, ...args);
  if (r.ok) return r.value as Awaited<ReturnType<Api[K]>>;
  throw new ApiError(r.error.code, r.error.message);
}

function build(): Client {
  const methods = Object.fromEntries(API_METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as Api;
  return {
    ...methods,
    on: (event, listener) => backend().on(event, listener),
    onProgress: (jobId, listener) => backend().on('progress', (p) => p.jobId === jobId && listener(p)),
  };
}

export const api: Client = build();

/** A job id for inspectArchive/verify, so progress and cancellation name exactly one job. */
export function newJobId(): string {
  return crypto.randomUUID();
}

/** The message to show for any error thrown by the client (or by a bug). */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
