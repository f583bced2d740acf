import { DynamicModule, Global, Module, OnApplicationShutdown, Inject } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@/database/unit-of-work';

/** Shares one opened DataSource (migrated before Nest starts) and the UnitOfWork built on it. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forDataSource(dataSource: DataSource): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: UnitOfWork, useValue: new UnitOfWork(dataSource) },
      ],
      exports: [DataSource, UnitOfWork],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
