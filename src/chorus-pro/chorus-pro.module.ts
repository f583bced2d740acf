import { Module } from '@nestjs/common';
import { ChorusProApi } from '@/chorus-pro/chorus-pro-api.port';
import { ChorusProCallQuota, PgCallQuota } from '@/chorus-pro/chorus-pro-call.quota';
import { HttpChorusProApi } from '@/chorus-pro/chorus-pro-http.client';
import { PisteTokenProvider } from '@/chorus-pro/piste-token.provider';

/** The Chorus Pro API client (PISTE token, shared quota). Production binds the HTTP client to the port. */
@Module({
  providers: [
    PisteTokenProvider,
    { provide: ChorusProCallQuota, useClass: PgCallQuota },
    HttpChorusProApi,
    { provide: ChorusProApi, useExisting: HttpChorusProApi },
  ],
  exports: [ChorusProApi, ChorusProCallQuota, HttpChorusProApi, PisteTokenProvider],
})
export class ChorusProModule {}
