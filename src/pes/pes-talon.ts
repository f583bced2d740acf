import { money } from '@/common/money/money';
import type { BudgetSettings, Issue, TitreData } from '@/pes/pes.types';

// Talon optique (TalonOptique2Lignes, « norme HEL »): the key algorithm of the HEL norm is not public here, so
// Passerelle never computes a key. The lines are the titre's (computed by the accounting software) or the budget
// settings' templates with the titre's data put in; nothing else. README.pes.md « Talon optique ».

const FIELD = /\{(EXERCICE|BORDEREAU|TITRE|MONTANT|SIRET|CODCOL|CODBUD|IDPOST)(?::(\d{1,2}))?\}/g;
/** Base_Num60TalonOptique: 1 to 60 of [0-9A-Z] and spaces. */
const LINE = /^[0-9A-Z ]{1,60}$/;
/** IdBord is 7 digits at most (Base_Num7): the longest a {BORDEREAU} can print, for the checks made before numbering. */
const LONGEST_BORDEREAU = 9999999;

function fill(template: string, s: BudgetSettings, t: TitreData, bordereau: number): string {
  const c = s.collectivite;
  const values: Record<string, string> = {
    EXERCICE: String(t.year),
    BORDEREAU: String(bordereau),
    TITRE: String(t.number),
    MONTANT: money(t.amountTtc).times(100).toFixed(0),
    SIRET: c.siret,
    CODCOL: c.codCol,
    CODBUD: c.codBud,
    IDPOST: c.idPost,
  };
  return template.replace(FIELD, (_m, name: string, pad?: string) => (pad ? values[name].padStart(Number(pad), '0') : values[name]));
}

/** The two lines, or null when neither the titre nor the settings give them. */
export function talonLines(s: BudgetSettings, t: TitreData, bordereau: number): [string, string] | null {
  if (t.talon) return [t.talon.ligne1, t.talon.ligne2];
  const tpl = s.talon ?? {};
  if (!tpl.ligne1 || !tpl.ligne2) return null;
  return [fill(tpl.ligne1, s, t, bordereau), fill(tpl.ligne2, s, t, bordereau)];
}

/**
 * Does this ASAP need a talon? Mode de recouvrement « talon » (ModeRecouvrement 1) and an ASAP the DGFiP edits
 * and posts (Edition 01): the debtor pays with the stub. Edition 02 goes to Chorus Pro, 04 is not edited.
 */
export function talonRequired(s: BudgetSettings, t: Pick<TitreData, 'edition'>): boolean {
  return s.modalites.modeRecouvrement === 'TALON' && t.edition === '01';
}

/** Checked before a flow is written: a talon needed but not given, or lines the schema would refuse. */
export function checkTalon(s: BudgetSettings, t: TitreData): Issue[] {
  const lines = talonLines(s, t, LONGEST_BORDEREAU);
  if (!lines) {
    return talonRequired(s, t)
      ? [{ code: 'TALON_REQUIRED', message: "Talon optique obligatoire (mode de recouvrement « talon », ASAP à éditer) : ni le titre ni le paramétrage du budget ne donnent ses deux lignes, et Passerelle n'invente pas de clé HEL" }]
      : [];
  }
  return lines.flatMap((l, i) =>
    LINE.test(l) ? [] : [{ code: 'TALON_LINE_INVALID', message: `Talon optique, ligne ${i + 1} : « ${l} » — 60 caractères au plus, chiffres, majuscules et espaces` }],
  );
}
