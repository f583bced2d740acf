import { StructuresService } from '@/structures/structures.service';
import { UsersService } from '@/users/users.service';
import { TestApp } from '@test/support/test-app';

/** A Luhn-valid SIRET made from a small number (tests only). */
export function testSiret(n: number): string {
  const base = `2193${String(n).padStart(9, '0')}`;
  for (let d = 0; d <= 9; d++) {
    const candidate = base + d;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let x = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

/**
 * Creates a user (and any missing structure) directly through the services, as the operator's CLI does,
 * and returns a fresh personal API token for them.
 */
export async function createUserAndToken(
  t: TestApp,
  user: { email: string; role: 'agent' | 'tresorier' | 'admin'; structureSirets: string[]; password?: string },
): Promise<string> {
  const structures = t.app.get(StructuresService);
  for (const siret of user.structureSirets) {
    if (!(await structures.findEntityBySiret(siret))) await structures.upsert({ siret, name: `Structure ${siret}` });
  }
  const users = t.app.get(UsersService);
  await users.add(user, null);
  return (await users.issueToken(user.email, 'test', null)).token;
}

// Answers of the API are loosely typed in tests: assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ApiAnswer<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch on the test server with `Authorization: Bearer <token>`, JSON in and out. */
export function apiAs(t: TestApp, token: string | null) {
  const call = async <T = Json>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return {
    get: <T = Json>(path: string) => call<T>('GET', path),
    post: <T = Json>(path: string, body: unknown = {}) => call<T>('POST', path, body),
    put: <T = Json>(path: string, body: unknown = {}) => call<T>('PUT', path, body),
    call,
  };
}

/** Fetch init with the bearer token, for tests calling fetch themselves. */
export function authHeaders(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}
