/** HTTP calls of a Lapse API from a test, as a client sends them (Bearer token, JSON body). */

/** An answer as assertions read it: the status, the parsed JSON body (else the text), the text. */
export interface ApiAnswer {
  status: number;
  // Parsed JSON of any shape, read by assertions (test-only).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

/**
 * `method baseUrl+path` with `token` (Bearer, when given) and `body` (JSON; a string is sent as
 * it is, for malformed bodies).
 */
export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<ApiAnswer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, text };
}

/** The parsed body of a call that must succeed (setup steps): anything but 2xx throws. */
export async function callApiOk<T>(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<T> {
  const res = await callApi(baseUrl, method, path, token, body);
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`${method} ${path} → ${res.status}: ${res.text}`);
  }
  return (res.text ? res.body : undefined) as T;
}
