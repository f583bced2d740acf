import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { StoreGcService } from '@/ingestion/store-gc.service';

/** At start-up of the service, frees what killed runs left in the store (in the background: start-up does not wait). */
@Injectable()
export class StoreGcJob implements OnApplicationBootstrap {
  private readonly logger = new Logger('Stockage');

  constructor(private readonly gc: StoreGcService) {}

  onApplicationBootstrap(): void {
    void this.gc.collect().catch((err: unknown) => this.logger.error(`Nettoyage du stockage au démarrage en échec : ${(err as Error).message}`));
  }
}
