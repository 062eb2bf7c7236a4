// The admin REST API client: bearer token from sessionStorage, problem+json errors as ApiError.

const TOKEN_KEY = 'dicom-ai-node.admin-token';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? `HTTP_${status}`;
    this.problems = Array.isArray(body?.problems) ? body.problems : [];
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Every 401 sends the admin back to the login form; app.js listens for this. */
export const authEvents = new EventTarget();

function authHeaders(accept) {
  const headers = { Accept: accept };
  const t = token.get();
  if (t) headers.Authorization = `Bearer ${t}`;
  return headers;
}

export async function api(method, path, body, opts = {}) {
  const headers = authHeaders('application/json');
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    headers['Content-Type'] = opts.contentType ?? 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text.slice(0, 200) }; }
  if (res.status === 401 && !opts.quiet401) authEvents.dispatchEvent(new CustomEvent('unauthorized', { detail: data }));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A binary GET (preview PNGs): an <img src> cannot send the bearer token, so the page fetches the bytes. */
export async function getBlob(path) {
  const res = await fetch(path, { headers: authHeaders('image/png, application/problem+json') });
  if (res.ok) return res.blob();
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (res.status === 401) authEvents.dispatchEvent(new CustomEvent('unauthorized', { detail: data }));
  throw new ApiError(res.status, data);
}

export const get = (path) => api('GET', path);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
export const enc = encodeURIComponent;
