import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { DomainError, DomainErrorKind } from '@/common/errors/domain.error';

/**
 * What any error becomes for the person who caused or suffered it: a stable code and a French message. The technical
 * text (English library message, SQL state, errno) goes to the log only. Used by the HTTP filter and the CLI.
 */
export interface ErrorDescription {
  kind: DomainErrorKind | 'internal';
  code: string;
  message: string;
  details?: Record<string, unknown>;
  /** For the log: the original message (never shown to users). */
  technical?: string;
  /**
   * 'error': our fault or the server's (stack logged); 'warn': a request or file the service should have checked
   * sooner (database refusal, CSV), logged briefly; 'debug': an ordinary malformed request; 'none': a domain answer.
   */
  log: 'error' | 'warn' | 'debug' | 'none';
}

export function describeError(error: unknown): ErrorDescription {
  if (error instanceof DomainError) return { kind: error.kind, code: error.code, message: error.message, details: error.details, log: 'none' };
  if (error instanceof HttpException) return describeHttpException(error);
  const e = error as { code?: unknown; message?: unknown; syscall?: unknown } | null;
  const technical = error instanceof Error ? error.message : String(error);
  if (typeof e?.code === 'string') {
    if (/^CSV_/.test(e.code)) return { ...describeCsvError(error as CsvLikeError), technical, log: 'warn' };
    if (/^[0-9A-Z]{5}$/.test(e.code) && isDatabaseError(error)) {
      const db = describeDatabaseError(e.code);
      if (db) return { ...db, technical: `${e.code} ${technical}`, log: db.kind === 'unavailable' ? 'error' : 'warn' };
    }
    if (typeof e.syscall === 'string' || SYSTEM_ERRORS[e.code]) {
      const message = SYSTEM_ERRORS[e.code] ?? `Erreur du système de fichiers ou du réseau sur le serveur (${e.code})`;
      return { kind: 'unavailable', code: `SYSTEM_${e.code}`, message: `${message} : l'opération n'a pas été faite, prévenez l'administrateur.`, technical, log: 'error' };
    }
  }
  return { kind: 'internal', code: 'INTERNAL_ERROR', message: 'Erreur interne du service', technical, log: 'error' };
}

// errno codes of our own storage and connections (ENOSPC while writing the store, EACCES on a moved data folder …).
const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'Espace disque insuffisant sur le serveur',
  EDQUOT: 'Quota disque dépassé sur le serveur',
  EACCES: "Droits insuffisants sur un fichier ou un dossier du serveur",
  EPERM: "Opération non permise sur un fichier ou un dossier du serveur",
  EROFS: 'Le disque du serveur est en lecture seule',
  EIO: "Erreur d'entrée-sortie sur le disque du serveur",
  EMFILE: 'Trop de fichiers ouverts sur le serveur',
  ENFILE: 'Trop de fichiers ouverts sur le serveur',
  ENOENT: 'Fichier ou dossier introuvable sur le serveur',
  ECONNREFUSED: 'Un service dont Passerelle dépend (base de données …) refuse la connexion',
  ECONNRESET: 'La connexion à un service dont Passerelle dépend a été coupée',
  ETIMEDOUT: "Un service dont Passerelle dépend n'a pas répondu à temps",
};

function describeHttpException(error: HttpException): ErrorDescription {
  const status = error.getStatus();
  const body = error.getResponse();
  const raw = typeof body === 'object' && body && 'message' in body ? (body as { message: unknown }).message : error.message;
  const technical = Array.isArray(raw) ? raw.join(' ; ') : String(raw);
  const known: Record<number, [DomainErrorKind, string, string]> = {
    400: ['bad_request', 'INVALID_REQUEST', 'Requête invalide : un paramètre est mal formé'],
    404: ['not_found', 'NOT_FOUND', 'Adresse inconnue du service'],
    413: ['too_large', 'REQUEST_TOO_LARGE', 'Requête trop volumineuse'],
    415: ['unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Type de contenu non pris en charge'],
  };
  const [kind, code, message] = known[status] ?? ['bad_request', `HTTP_${status}`, `Requête refusée (HTTP ${status})`];
  if (status >= 500) return { kind: 'internal', code: 'INTERNAL_ERROR', message: 'Erreur interne du service', technical, log: 'error' };
  return { kind, code, message, technical, log: 'debug' };
}

/** TypeORM's QueryFailedError (node-postgres, PGlite) carries the PostgreSQL SQLSTATE in `code`. */
function isDatabaseError(error: unknown): boolean {
  return error instanceof QueryFailedError || typeof (error as { severity?: unknown })?.severity === 'string';
}

/**
 * SQLSTATEs a request's data can cause, as a last line of defence (inputs are checked before SQL): PostgreSQL refuses
 * NUL characters, malformed uuids, dates and numbers, over-long text. A database that is down is 503.
 */
function describeDatabaseError(sqlState: string): Omit<ErrorDescription, 'technical' | 'log'> | null {
  const bad = (code: string, message: string) => ({ kind: 'bad_request' as const, code, message });
  switch (sqlState) {
    case '22P02':
      return bad('INVALID_PARAMETER', 'Requête invalide : une valeur est mal formée (identifiant, nombre ou booléen attendu)');
    case '22007':
    case '22008':
      return bad('INVALID_DATE', 'Requête invalide : date ou date-heure inexistante ou mal formée');
    case '22003':
      return bad('NUMBER_OUT_OF_RANGE', 'Requête invalide : nombre hors des limites permises');
    case '22001':
      return bad('VALUE_TOO_LONG', 'Requête invalide : un texte dépasse la longueur permise');
    case '22021':
    case '22P05':
    case '22026':
      return bad('INVALID_CHARACTERS', 'Requête invalide : un texte contient un caractère interdit (caractère nul ou encodage invalide)');
    case '23505':
      return { kind: 'conflict', code: 'ALREADY_EXISTS', message: 'Cette donnée existe déjà (enregistrement en double refusé)' };
    case '23502':
    case '23503':
    case '23514':
    case '23P01':
      return bad('CONSTRAINT_VIOLATION', 'Donnée refusée par la base : une valeur ne respecte pas une de ses règles (valeur absente, référence ou contrôle)');
    case '40001':
    case '40P01':
    case '55P03':
      return { kind: 'unavailable', code: 'DATABASE_BUSY', message: 'Base de données occupée : réessayez dans un instant' };
  }
  // Any other data exception (class 22): the data's fault too, not the service's.
  if (/^22/.test(sqlState)) return bad('INVALID_VALUE', 'Requête invalide : une valeur est refusée par la base');
  if (/^(08|53|57)/.test(sqlState)) {
    return { kind: 'unavailable', code: 'DATABASE_UNAVAILABLE', message: "Base de données indisponible : l'opération n'a pas été faite, réessayez plus tard" };
  }
  return null;
}

interface CsvLikeError {
  code: string;
  lines?: number;
  message: string;
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'guillemet ouvert jamais refermé',
  CSV_INVALID_CLOSING_QUOTE: 'guillemet fermant suivi d’autres caractères',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'caractère inattendu après un guillemet fermant',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'nombre de colonnes différent de celui de l’en-tête',
  CSV_RECORD_INCONSISTENT_COLUMNS: 'nombre de colonnes différent de celui de l’en-tête',
  CSV_MAX_RECORD_SIZE: 'ligne trop longue',
  CSV_OPTION_COLUMNS_MISSING_NAME: 'colonne sans nom dans l’en-tête',
  CSV_INVALID_COLUMN_MAPPING: 'en-tête de colonnes invalide',
};

/** csv-parse errors (titres, annuaire imports): which line, and what is wrong with it, in French. */
function describeCsvError(error: CsvLikeError): Omit<ErrorDescription, 'technical' | 'log'> {
  const where = typeof error.lines === 'number' ? `, ligne ${error.lines}` : '';
  const what = CSV_PROBLEMS[error.code] ?? 'format non reconnu';
  return { kind: 'bad_request', code: 'CSV_UNREADABLE', message: `Fichier CSV illisible${where} : ${what}`, details: { csvCode: error.code, line: error.lines } };
}
