import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@/config/app.config';
import { registerCronJob } from '@/scheduler/scheduled-jobs';
import { StatusPushService } from '@/status-return/status-push.service';

/** Mode `api`: sends the outbox to Chorus Pro on the configured cron (STATUS_PUSH_CRON, every minute by default). */
@Injectable()
export class StatusPushJob implements OnApplicationBootstrap {
  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly push: StatusPushService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.chorusPro.apiUrl) return; // no API configured: statuses go by CPPStatut file only
    registerCronJob(this.registry, 'status-push', this.config.statusReturn.pushCron, this.config.timezone, () => this.push.push());
  }
}
