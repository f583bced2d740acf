import { formatCount } from '@/common/money/french-format';

export interface DemoBannerInput {
  url: string;
  password: string;
  users: ReadonlyArray<{ email: string; label: string }>;
  invoices: number;
  dataDir: string;
}

/**
 * What `npm run demo` prints on the terminal once it listens: a short plain block (not a log line), the first
 * thing a newcomer needs — where to go, how to log in, how to stop, and why the CLI waits meanwhile.
 */
export function demoBanner(d: DemoBannerInput): string {
  const width = Math.max(...d.users.map((u) => u.email.length));
  return [
    '',
    `  Passerelle (démonstration) : ${d.url}`,
    '',
    `  Comptes, mot de passe « ${d.password} » :`,
    ...d.users.map((u) => `    ${u.email.padEnd(width)}  ${u.label}`),
    '',
    `  ${formatCount(d.invoices)} facture(s) de démonstration, dates recalées sur aujourd'hui. API : ${d.url}api/docs`,
    `  Ctrl-C pour arrêter ; autre port : PORT=8080 npm run demo. Tant que la démo tourne, la base embarquée`,
    `  (${d.dataDir}) refuse « npx passerelle … » : arrêtez la démo d'abord, ou donnez à la commande un autre DATA_DIR.`,
    '',
  ].join('\n');
}
