import { Module } from '@nestjs/common';
import { IngestionModule } from '@/ingestion/ingestion.module';
import { InboxJob } from '@/scheduler/inbox.job';
import { PullModule } from '@/pull/pull.module';
import { PullJob } from '@/pull/pull.job';
import { StatusReturnModule } from '@/status-return/status-return.module';
import { StatusPushJob } from '@/status-return/status-push.job';
import { StoreGcJob } from '@/scheduler/store-gc.job';

/** Cron jobs of the service (loaded only when the scheduler runs: never in CLI commands). No logic of its own. */
@Module({
  imports: [IngestionModule, PullModule, StatusReturnModule],
  providers: [InboxJob, PullJob, StatusPushJob, StoreGcJob],
})
export class SchedulerModule {}
