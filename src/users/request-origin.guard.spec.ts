import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@/common/errors/domain.error';
import { loadConfig } from '@/config/app.config';
import { AcceptsUpload } from '@/users/auth.decorators';
import { RequestOriginGuard } from '@/users/request-origin.guard';

class Routes {
  json(): void {}
  @AcceptsUpload()
  upload(): void {}
}

function contextFor(handler: keyof Routes, req: { method: string; headers: Record<string, string>; protocol?: string }): ExecutionContext {
  const request = { protocol: 'http', ...req, headers: { host: 'passerelle.local:3000', ...req.headers } };
  return {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function outcome(guard: RequestOriginGuard, handler: keyof Routes, method: string, headers: Record<string, string>): string {
  try {
    guard.canActivate(contextFor(handler, { method, headers }));
    return 'ok';
  } catch (err) {
    return (err as DomainError).code;
  }
}

describe('RequestOriginGuard (CSRF): JSON only for changes, and from the app’s own origin unless a Bearer token', () => {
  const guard = new RequestOriginGuard(new Reflector(), loadConfig({}));
  const json = { 'content-type': 'application/json', 'content-length': '2' };

  it('lets reads through, whatever their origin', () => {
    expect(outcome(guard, 'json', 'GET', { origin: 'http://evil.example' })).toBe('ok');
  });

  it('refuses a form or text post (what a page of another origin can send without preflight)', () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8', 'multipart/form-data; boundary=x']) {
      expect(outcome(guard, 'json', 'POST', { 'content-type': type, 'content-length': '10' })).toBe('JSON_REQUIRED');
    }
    expect(outcome(guard, 'json', 'POST', {})).toBe('JSON_REQUIRED'); // a cookie-authenticated change always declares JSON
    expect(outcome(guard, 'json', 'DELETE', { authorization: 'Bearer psr_x' })).toBe('ok'); // a token client may send no body
    expect(outcome(guard, 'json', 'POST', { authorization: 'Bearer psr_x', 'content-type': 'text/plain', 'content-length': '3' })).toBe('JSON_REQUIRED');
  });

  it('refuses a change from another origin or site, and accepts the app’s own', () => {
    expect(outcome(guard, 'json', 'POST', { ...json, origin: 'http://passerelle.local:3001' })).toBe('CROSS_ORIGIN_REFUSED');
    expect(outcome(guard, 'json', 'POST', { ...json, origin: 'https://passerelle.local:3000' })).toBe('CROSS_ORIGIN_REFUSED');
    expect(outcome(guard, 'json', 'POST', { ...json, origin: 'null' })).toBe('CROSS_ORIGIN_REFUSED'); // a sandboxed document
    expect(outcome(guard, 'json', 'POST', { ...json, 'sec-fetch-site': 'same-site' })).toBe('CROSS_ORIGIN_REFUSED');
    expect(outcome(guard, 'json', 'PUT', { ...json, origin: 'http://PASSERELLE.local:3000', 'sec-fetch-site': 'same-origin' })).toBe('ok');
    expect(outcome(guard, 'json', 'POST', json)).toBe('ok'); // no browser header: a script with the cookie
  });

  it('leaves Bearer clients alone on origins: a browser never sends a token by itself', () => {
    expect(outcome(guard, 'json', 'POST', { ...json, authorization: 'Bearer psr_x', origin: 'http://evil.example' })).toBe('ok');
  });

  it('accepts PUBLIC_URL, the address of a reverse proxy that rewrites Host and ends TLS', () => {
    const proxied = new RequestOriginGuard(new Reflector(), loadConfig({ PUBLIC_URL: 'https://passerelle.mairie.fr' }));
    expect(outcome(proxied, 'json', 'POST', { ...json, origin: 'https://passerelle.mairie.fr' })).toBe('ok');
    expect(outcome(proxied, 'json', 'POST', { ...json, origin: 'https://evil.mairie.fr', 'sec-fetch-site': 'same-site' })).toBe('CROSS_ORIGIN_REFUSED');
  });

  it('lets @AcceptsUpload() routes take a file, with the same origin check', () => {
    expect(outcome(guard, 'upload', 'POST', { 'content-type': 'multipart/form-data; boundary=x', 'content-length': '100' })).toBe('ok');
    expect(outcome(guard, 'upload', 'POST', { 'content-type': 'application/octet-stream', 'content-length': '100' })).toBe('ok');
    expect(outcome(guard, 'upload', 'POST', { 'content-type': 'text/plain', 'content-length': '100' })).toBe('JSON_REQUIRED');
    expect(outcome(guard, 'upload', 'POST', { 'content-type': 'multipart/form-data; boundary=x', origin: 'http://evil.example' })).toBe('CROSS_ORIGIN_REFUSED');
  });
});
