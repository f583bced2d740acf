import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@/config/app.config';
import { InboxService } from '@/ingestion/inbox.service';
import { registerCronJob } from '@/scheduler/scheduled-jobs';

/** « Mode portail »: scans DATA_DIR/inbox on the configured cron (INBOX_CRON). */
@Injectable()
export class InboxJob implements OnApplicationBootstrap {
  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly inbox: InboxService,
  ) {}

  onApplicationBootstrap(): void {
    registerCronJob(this.registry, 'inbox-scan', this.config.ingestion.inboxCron, this.config.timezone, () => this.inbox.scan());
  }
}
