import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  status5xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Requests per second over all connections; unbounded when absent. */
  overallRate?: number;
  /** Called before each request: returns its method, path and JSON body. */
  next: (context: Record<string, unknown>) => { method: string; path: string; body?: unknown };
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

/** One bounded autocannon run (its duration stops it) against a loopback URL. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    overallRate: options.overallRate,
    timeout: 10,
    requests: [
      {
        setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
          const { method, path, body } = options.next(context);
          return {
            ...request,
            method,
            path,
            headers: { 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) =>
          options.onResponse?.(status, body, context),
      },
    ],
  });
  return {
    requests: result.requests.total,
    reqPerSec: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
  };
}
