import { formatCount } from '@/common/money/french-format';

/** A named simulator setup (`passerelle simulator --scenario NAME`, `npm run bench -- pull`). */
export interface SimulatorScenario {
  description: string;
  structures: number;
  invoices: number;
}

/**
 * The pull's measured cases (issue « Pull at the API's pace »): a large body receiving 5,000 invoices, and 5,000 spread
 * over 50 structures (one technical account each). Served from prepared groups (SimulatorState.prepare).
 */
export const SIMULATOR_SCENARIOS: Record<string, SimulatorScenario> = {
  'one-structure': { description: '5 000 factures pour une structure', structures: 1, invoices: 5000 },
  'fifty-structures': { description: '5 000 factures réparties sur 50 structures', structures: 50, invoices: 5000 },
  small: { description: '20 factures pour deux structures', structures: 2, invoices: 20 },
};

export function simulatorScenario(name: string): SimulatorScenario {
  const scenario = SIMULATOR_SCENARIOS[name];
  if (!scenario) {
    throw new Error(`Scénario de simulateur inconnu : ${name} (connus : ${Object.keys(SIMULATOR_SCENARIOS).join(', ')})`);
  }
  return scenario;
}

export function describeScenario(name: string): string {
  const s = simulatorScenario(name);
  return `${name} : ${s.description} (${formatCount(s.structures)} structure(s), ${formatCount(s.invoices)} factures)`;
}
