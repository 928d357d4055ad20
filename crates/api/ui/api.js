// Client of the roombridge REST API. Every call sends the signed-in user's
// token as `Authorization: Bearer`. The token lives in `sessionStorage`, so
// it stays in this tab and is gone when the tab closes.

const TOKEN_KEY = "roombridge.token";

/** A failed API call: the status and the API's `{code, message, details}`. */
export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && body.error ? body.error : {};
    super(detail.message || `the server returned HTTP ${status}`);
    this.status = status;
    this.code = detail.code || "";
    this.details = detail.details || null;
  }
}

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Sends one request and returns `{data, etag}`; throws `ApiError` for a
 * status other than 2xx, and for a network failure (status 0).
 */
async function call(method, path, { token = storedToken(), body, ifMatch } = {}) {
  const headers = { Accept: "application/json" };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  if (ifMatch) {
    headers["If-Match"] = ifMatch;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, {
      error: {
        code: "network",
        message: "roombridge did not respond; check the connection and try again",
      },
    });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return { data, etag: response.headers.get("ETag") };
}

const segment = encodeURIComponent;

/** The endpoints the UI uses; each is listed in the OpenAPI document. */
export const api = {
  me: (token) => call("GET", `/api/v1/me`, { token }),
  rooms: () => call("GET", `/api/v1/rooms`),
  roomBookings: (room, from, to) =>
    call(
      "GET",
      `/api/v1/rooms/${segment(room)}/bookings?from=${segment(from)}&to=${segment(to)}`,
    ),
  booking: (id) => call("GET", `/api/v1/bookings/${segment(id)}`),
  createBooking: (body) => call("POST", `/api/v1/bookings`, { body }),
  changeBooking: (id, etag, body) =>
    call("PATCH", `/api/v1/bookings/${segment(id)}`, { body, ifMatch: etag }),
  deleteBooking: (id, etag) =>
    call("DELETE", `/api/v1/bookings/${segment(id)}`, { ifMatch: etag }),
  history: (id) => call("GET", `/api/v1/bookings/${segment(id)}/history`),
  outbox: (state) => call("GET", `/api/v1/outbox?state=${segment(state)}`),
  sync: () => call("POST", `/api/v1/sync`, { body: {} }),
};
