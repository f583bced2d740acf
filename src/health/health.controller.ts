import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@/database/unit-of-work';

@ApiTags('santé')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Le service et sa base répondent' })
  async check(): Promise<{ status: string; database: string; embedded: boolean }> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new ServiceUnavailableException({ status: 'error', database: 'indisponible' });
    }
    return { status: 'ok', database: 'ok', embedded: this.uow.isEmbedded };
  }
}
