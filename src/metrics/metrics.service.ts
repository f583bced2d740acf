import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the process (one registry per application, so tests can run several). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly flows = new Counter({
    name: 'passerelle_flows_total',
    help: 'Flux pivot traités, par résultat',
    labelNames: ['result', 'source'],
    registers: [this.registry],
  });
  readonly invoices = new Counter({
    name: 'passerelle_invoices_total',
    help: 'Factures lues, par résultat (created, updated, duplicate)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly anomalies = new Counter({
    name: 'passerelle_invoice_anomalies_total',
    help: 'Anomalies détectées à la lecture des factures',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'passerelle_flow_ingest_seconds',
    help: "Durée d'intégration d'un flux",
    buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'passerelle_' });
  }
}
