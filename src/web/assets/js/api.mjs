// The REST API, with the session cookie (httpOnly, set by POST /api/auth/login). Errors carry the
// server's stable code and French message.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) {
  onUnauthenticated = fn;
}

export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return answer(res, path);
}

/** Files sent as multipart/form-data (the browser streams them from disk; the server streams them to disk). */
export async function upload(path, files, field = 'files') {
  const form = new FormData();
  for (const f of files) form.append(field, f, f.name);
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' }, body: form });
  return answer(res, path);
}

async function answer(res, path) {
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const message = messageOf(data) ?? `Erreur ${res.status}`;
    const err = new ApiError(res.status, data?.code ?? `HTTP_${res.status}`, message, data?.details);
    if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthenticated(err);
    throw err;
  }
  return data;
}

function messageOf(data) {
  if (!data || typeof data !== 'object') return typeof data === 'string' && data ? data : null;
  if (Array.isArray(data.message)) return data.message.join(' ; ');
  return data.message ?? null;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const put = (path, body = {}) => api('PUT', path, body);

/** Query string from an object, dropping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
