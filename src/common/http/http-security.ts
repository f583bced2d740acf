import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { json, NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { BadRequestError, DomainError } from '@/common/errors/domain.error';
import { AppConfig } from '@/config/app.config';

// The app's own CSP: scripts, styles and connections of its origin only; it frames only its own attachments (the
// invoice PDF) and is never framed itself.
const APP_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'frame-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Headers of every page and API answer (helmet): APP_CSP (attachments set their own, see attachmentHeaders), no
 * framing, no referrer, no `X-Powered-By`, `nosniff`; HSTS when the pages are served over HTTPS. `inlineStyles`: the
 * OpenAPI pages (Swagger UI) need inline styles; their scripts stay the service's own.
 */
function securityHeaders(config: AppConfig, inlineStyles: boolean): RequestHandler {
  const https = config.sessionCookieSecure || Boolean(config.publicOrigin?.startsWith('https:'));
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: inlineStyles ? { ...APP_CSP, 'style-src': ["'self'", "'unsafe-inline'"] } : APP_CSP },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000 } : false,
  });
}

/**
 * JSON bodies only (no urlencoded nor text parser: a form cannot post data the API reads), up to MAX_JSON_BYTES;
 * body-parser's English errors become French ones (413 beyond the limit, 400 for malformed JSON).
 */
function jsonBodies(config: AppConfig): RequestHandler {
  const parse = json({ limit: config.maxJsonBytes });
  const megabytes = (config.maxJsonBytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') {
        return next(new DomainError('REQUEST_TOO_LARGE', `Requête trop volumineuse : ${megabytes} Mo au plus (MAX_JSON_BYTES)`, 'too_large', { limit: config.maxJsonBytes }));
      }
      if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        return next(new DomainError('UNSUPPORTED_ENCODING', 'Encodage du corps non pris en charge : UTF-8 attendu', 'unsupported_media_type'));
      }
      next(new BadRequestError('INVALID_JSON', 'Corps de requête illisible : JSON mal formé'));
    });
}

// A lone surrogate half (U+D800–U+DFFF not paired): JSON allows it escaped, UTF-8 cannot encode it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Path of the first string holding a NUL or a lone surrogate, or null. */
export function findUnstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path || 'valeur' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      const found = findUnstorableText(key, here) ?? findUnstorableText(v, here);
      if (found) return found;
    }
  }
  return null;
}

/**
 * PostgreSQL refuses NUL characters in text, and UTF-8 cannot carry a lone surrogate (the driver would store U+FFFD
 * silently): both are refused on entry — query, body, path — with a French message naming the field.
 */
function storableText(req: Request, _res: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(new BadRequestError('INVALID_CHARACTERS', 'Adresse invalide : encodage des caractères incorrect (UTF-8 attendu)'));
  }
  const field = (findUnstorableText(path) ? 'adresse' : null) ?? findUnstorableText(req.query) ?? findUnstorableText(req.body);
  if (!field) return next();
  next(
    new BadRequestError(
      'INVALID_CHARACTERS',
      `Le champ « ${field} » contient un caractère interdit (caractère nul ou caractère Unicode incomplet) : retirez-le`,
      { field },
    ),
  );
}

/** Everything HTTP-level the service needs before its routes: headers, body parsing, character checks. */
export function applyHttpSecurity(app: INestApplication, config: AppConfig): void {
  (app as NestExpressApplication).disable('x-powered-by');
  const docs = securityHeaders(config, true);
  const pages = securityHeaders(config, false);
  app.use((req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/api/docs') ? docs : pages)(req, res, next));
  app.use(jsonBodies(config));
  app.use(storableText);
}
