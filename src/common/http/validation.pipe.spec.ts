import { ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumberString, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { DomainError } from '@/common/errors/domain.error';
import { IsCalendarDate } from '@/common/http/validators';
import { createValidationPipe } from '@/common/http/validation.pipe';

class Line {
  @IsString() @MaxLength(5) article: string;
}

class Query {
  @IsOptional() @IsNumberString() amountMin?: string;
  @IsOptional() @IsCalendarDate() from?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) limit?: number;
  @IsOptional() @IsIn(['a-creer', 'creees']) tab?: string;
  @IsString() reasonCode: string;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Line) lines?: Line[];
}

async function problems(pipe: ValidationPipe, value: object): Promise<DomainError> {
  try {
    await pipe.transform(value, { type: 'query', metatype: Query });
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('no error');
}

describe('validation errors in French, field by field', () => {
  const pipe = createValidationPipe();

  it('names each field and says what is expected', async () => {
    const err = await problems(pipe, { amountMin: 'douze', from: '2025-13-45', limit: '0', tab: 'tout', lines: [{ article: 'TROP-LONG' }] });
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', kind: 'bad_request' });
    expect(err.details!.fields).toEqual([
      { field: 'amountMin', message: 'nombre attendu (chiffres et point décimal, ex. 120.50)' },
      { field: 'from', message: 'date AAAA-MM-JJ attendue (un jour qui existe)' },
      { field: 'limit', message: 'doit valoir au moins 1' },
      { field: 'tab', message: 'valeur inconnue (valeurs possibles : a-creer, creees)' },
      { field: 'reasonCode', message: 'valeur obligatoire' },
      { field: 'lines.0.article', message: 'trop long (5 caractères au plus)' },
    ]);
    expect(err.message).toMatch(/^Requête invalide : « amountMin » : nombre attendu/);
    expect(err.message).not.toMatch(/must|should/);
  });
});
