import { BadRequestException, NotFoundException } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { QueryFailedError } from 'typeorm';
import { ConflictError } from '@/common/errors/domain.error';
import { describeError } from '@/common/errors/error-description';

describe('describeError: every failure said in French, the technical text kept for the log', () => {
  it('keeps domain errors as they are', () => {
    expect(describeError(new ConflictError('ALREADY', 'Déjà fait'))).toMatchObject({ kind: 'conflict', code: 'ALREADY', message: 'Déjà fait', log: 'none' });
  });

  it('says a full disk or a permission problem of the server in French, as unavailable', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    expect(describeError(enospc)).toEqual({
      kind: 'unavailable',
      code: 'SYSTEM_ENOSPC',
      message: "Espace disque insuffisant sur le serveur : l'opération n'a pas été faite, prévenez l'administrateur.",
      technical: 'ENOSPC: no space left on device, write',
      log: 'error',
    });
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/srv/store/x'"), { code: 'EACCES', syscall: 'open' });
    expect(describeError(eacces)).toMatchObject({ code: 'SYSTEM_EACCES', message: expect.stringMatching(/^Droits insuffisants/) });
  });

  it('says which line of a CSV is wrong', () => {
    let error: unknown;
    try {
      parse('a;b\n1;2\n"3;4\n', { delimiter: ';' });
    } catch (err) {
      error = err;
    }
    expect(describeError(error)).toMatchObject({ kind: 'bad_request', code: 'CSV_UNREADABLE', message: expect.stringMatching(/^Fichier CSV illisible, ligne \d+ : guillemet ouvert jamais refermé$/), log: 'warn' });
  });

  it('turns what PostgreSQL refuses in a request into a 400, a database outage into a 503', () => {
    const db = (code: string) => new QueryFailedError('SELECT', [], Object.assign(new Error('invalid input syntax for type uuid: "x"'), { code, severity: 'ERROR' }));
    expect(describeError(db('22P02'))).toMatchObject({ kind: 'bad_request', code: 'INVALID_PARAMETER', technical: expect.stringContaining('22P02') });
    expect(describeError(db('22021'))).toMatchObject({ kind: 'bad_request', code: 'INVALID_CHARACTERS' });
    // Integrity rules and other data exceptions: the data's fault (a flow the database refuses is reported, not fatal).
    for (const code of ['23502', '23503', '23514', '23P01']) expect(describeError(db(code))).toMatchObject({ kind: 'bad_request', code: 'CONSTRAINT_VIOLATION' });
    expect(describeError(db('22012'))).toMatchObject({ kind: 'bad_request', code: 'INVALID_VALUE' });
    expect(describeError(db('57P01'))).toMatchObject({ kind: 'unavailable', code: 'DATABASE_UNAVAILABLE', log: 'error' });
    expect(describeError(db('XX000'))).toMatchObject({ kind: 'internal', code: 'INTERNAL_ERROR' });
  });

  it('never lets an English framework message through', () => {
    expect(describeError(new BadRequestException('Validation failed (numeric string is expected)'))).toMatchObject({ code: 'INVALID_REQUEST', message: 'Requête invalide : un paramètre est mal formé' });
    expect(describeError(new NotFoundException('Cannot GET /x'))).toMatchObject({ code: 'NOT_FOUND', message: 'Adresse inconnue du service' });
    expect(describeError(new Error('boom'))).toMatchObject({ kind: 'internal', message: 'Erreur interne du service', technical: 'boom' });
  });
});
