import { Module } from '@nestjs/common';
import { WebController } from '@/web/web.controller';

/** The pages of issue 7, served at `/` by the same application; they call the REST API only. */
@Module({ controllers: [WebController] })
export class WebModule {}
