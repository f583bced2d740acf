import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadRequestError } from '@/common/errors/domain.error';

export interface FieldProblem {
  /** Path of the field in the query or the body: `amountMin`, `imputations.0.amount`. */
  field: string;
  message: string;
}

/**
 * class-validator's messages are English (« amountMin must be a number string »): each failed constraint is said again
 * in French, naming the field. Numbers and allowed values are taken from the default English message, which has a
 * fixed shape for each constraint; a message written in French in a DTO (`{ message: '…' }`) is kept as it is.
 */
const FRENCH: Record<string, (english: string) => string> = {
  isString: () => 'texte attendu',
  isNotEmpty: () => 'valeur obligatoire',
  isDefined: () => 'valeur obligatoire',
  isInt: () => 'nombre entier attendu',
  isNumber: () => 'nombre attendu',
  isNumberString: () => 'nombre attendu (chiffres et point décimal, ex. 120.50)',
  isBoolean: () => 'true ou false attendu',
  isArray: () => 'liste attendue',
  isObject: () => 'objet attendu',
  nestedValidation: () => 'objet attendu',
  arrayNotEmpty: () => 'liste vide : un élément au moins',
  arrayMaxSize: (m) => `trop d'éléments (${lastNumber(m)} au plus)`,
  arrayMinSize: (m) => `pas assez d'éléments (${lastNumber(m)} au moins)`,
  min: (m) => `doit valoir au moins ${lastNumber(m)}`,
  max: (m) => `doit valoir au plus ${lastNumber(m)}`,
  maxLength: (m) => `trop long (${lastNumber(m)} caractères au plus)`,
  minLength: (m) => `trop court (${lastNumber(m)} caractères au moins)`,
  isIn: (m) => `valeur inconnue (valeurs possibles : ${m.split(': ').slice(1).join(': ')})`,
  isEnum: (m) => `valeur inconnue (valeurs possibles : ${m.split(': ').slice(1).join(': ')})`,
  isListOf: (m) => `valeur inconnue (valeurs possibles, séparées par des virgules : ${m.split(': ').slice(1).join(': ')})`,
  isStructureRef: () => 'SIRET (14 chiffres) ou identifiant de structure attendu',
  matches: () => 'format non reconnu',
  isISO8601: () => 'date-heure ISO 8601 attendue (ex. 2025-03-14T10:00:00Z)',
  isDateString: () => 'date-heure ISO 8601 attendue (ex. 2025-03-14T10:00:00Z)',
  isCalendarDate: () => 'date AAAA-MM-JJ attendue (un jour qui existe)',
  isUuid: () => 'identifiant attendu (UUID)',
  isEmail: () => 'adresse électronique attendue',
  whitelistValidation: () => 'champ inconnu',
};

const TYPE_CONSTRAINTS = new Set(['isString', 'isInt', 'isNumber', 'isNumberString', 'isBoolean', 'isArray', 'isObject', 'nestedValidation']);

function lastNumber(message: string): string {
  return message.match(/-?\d+(?:\.\d+)?(?!.*\d)/)?.[0] ?? '?';
}

/** A message already written in French in the DTO (`{ message }`) does not start with the property name. */
function isEnglishDefault(message: string, property: string): boolean {
  return message.startsWith(`${property} `) || message.startsWith(`each value in ${property} `) || message.startsWith('property ');
}

export function frenchProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    if (constraints.length > 0) {
      const missing = e.value === undefined || e.value === null;
      // A value of the wrong type: saying so is enough (its length or range mean nothing).
      const typeFailure = constraints.find(([name]) => TYPE_CONSTRAINTS.has(name));
      const messages = (typeFailure ? [typeFailure] : constraints).map(([name, english]) => {
        if (!isEnglishDefault(english, e.property)) return english;
        if (missing && name !== 'whitelistValidation') return 'valeur obligatoire';
        return (FRENCH[name] ?? (() => 'valeur invalide'))(english);
      });
      out.push({ field, message: [...new Set(messages)].join(', ') });
    }
    if (e.children?.length) out.push(...frenchProblems(e.children, field));
  }
  return out;
}

export function validationError(errors: ValidationError[]): BadRequestError {
  const problems = frenchProblems(errors);
  return new BadRequestError('INVALID_REQUEST', `Requête invalide : ${problems.map((p) => `« ${p.field} » : ${p.message}`).join(' ; ')}`, {
    fields: problems,
  });
}

/** The global pipe: DTOs checked, unknown fields dropped, errors in French (one BadRequestError, HTTP 400). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({ whitelist: true, transform: true, exceptionFactory: validationError });
}
