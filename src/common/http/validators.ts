import { ValidateBy, ValidationOptions } from 'class-validator';

/** A real calendar day written AAAA-MM-JJ (« 2025-13-45 » and « 2025-02-30 » are refused before reaching SQL). */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isCalendarDate', validator: { validate: isCalendarDate, defaultMessage: () => '$property must be a date AAAA-MM-JJ' } }, options);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Text PostgreSQL casts to uuid (the id of a flow, an invoice …). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Several values separated by commas, each one of `allowed` (`?status=A_TRAITER,SUSPENDUE`). */
export function IsListOf(allowed: readonly string[], options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isListOf',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.split(',').every((v) => allowed.includes(v.trim()) || v.trim() === ''),
        defaultMessage: () => `$property must be one of the following values: ${allowed.join(', ')}`,
      },
    },
    options,
  );
}

/** A SIRET (14 digits) or a structure id (UUID). */
export function IsStructureRef(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isStructureRef', validator: { validate: (v: unknown) => typeof v === 'string' && (/^\d{14}$/.test(v) || isUuid(v)), defaultMessage: () => '$property must be a SIRET' } },
    options,
  );
}
