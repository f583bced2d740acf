import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@/config/app.config';
import { PullService } from '@/pull/pull.service';
import { registerCronJob } from '@/scheduler/scheduled-jobs';

/**
 * « Mode service »: pulls Chorus Pro on the configured cron (PULL_CRON, default 0 2 * * *, timezone of the
 * configuration). The run key is the scheduled minute, the same on every instance of the service: each
 * structure is pulled by exactly one of them.
 */
@Injectable()
export class PullJob implements OnApplicationBootstrap {
  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly pull: PullService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.chorusPro.apiUrl) return; // no API configured: portal mode only
    registerCronJob(this.registry, 'chorus-pro-pull', this.config.chorusPro.pullCron, this.config.timezone, () =>
      this.pull.run({ runKey: `cron-${scheduledMinute(new Date())}` }),
    );
  }
}

/** The tick's minute, 'YYYY-MM-DDTHH:mm' UTC (ticks fire within the same minute on every instance). */
export function scheduledMinute(now: Date): string {
  return now.toISOString().slice(0, 16);
}
