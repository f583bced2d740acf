import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';

/**
 * Registers a cron job whose expression comes from the configuration (validated at boot). A run that is
 * still going when the next tick comes is not started twice; failures are logged, never thrown.
 */
export function registerCronJob(
  registry: SchedulerRegistry,
  name: string,
  cronTime: string,
  timeZone: string,
  run: () => Promise<unknown>,
): void {
  const logger = new Logger(`Cron:${name}`);
  let running = false;
  const job = CronJob.from({
    cronTime,
    timeZone,
    start: true,
    onTick: async () => {
      if (running) return;
      running = true;
      try {
        await run();
      } catch (err) {
        logger.error(`Échec de la tâche planifiée « ${name} » : ${(err as Error).message}`);
      } finally {
        running = false;
      }
    },
  });
  registry.addCronJob(name, job as never);
}
