import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '@/metrics/metrics.service';
import { PullLeaseRepository } from '@/pull/pull-lease.repository';

const OUTCOMES = ['ok', 'failed', 'skipped'] as const;

/**
 * /metrics: the last pull outcome of each structure (1 for its outcome, 0 for the others) and when it was recorded,
 * read from pull_outcomes at each scrape (shared by every instance), so an alert can fire on « failed » or « skipped ».
 */
@Injectable()
export class PullMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly leases: PullLeaseRepository,
  ) {}

  onModuleInit(): void {
    const leases = this.leases;
    new Gauge({
      name: 'passerelle_pull_last_outcome',
      help: 'Dernier résultat de la relève Chorus Pro par structure (1 pour ok, failed ou skipped)',
      labelNames: ['siret', 'outcome'],
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        for (const o of await leases.lastOutcomes('all')) for (const outcome of OUTCOMES) this.set({ siret: o.siret, outcome }, o.outcome === outcome ? 1 : 0);
      },
    });
    new Gauge({
      name: 'passerelle_pull_last_outcome_timestamp_seconds',
      help: 'Heure du dernier résultat de relève Chorus Pro, par structure',
      labelNames: ['siret'],
      registers: [this.metrics.registry],
      // prom-client collects the metrics concurrently: each gauge reads for itself.
      async collect() {
        this.reset();
        for (const o of await leases.lastOutcomes('all')) this.set({ siret: o.siret }, Math.floor(o.at.getTime() / 1000));
      },
    });
  }
}
