import { Module } from '@nestjs/common';
import { IngestionModule } from '@/ingestion/ingestion.module';
import { InboxJob } from '@/scheduler/inbox.job';

/** Cron jobs of the service (loaded only when the scheduler runs: never in CLI commands). No logic of its own. */
@Module({
  imports: [IngestionModule],
  providers: [InboxJob],
})
export class SchedulerModule {}
