import type { BudgetSettings } from '@/pes/pes.types';
import type { XmlSink } from '@/pes/pes-xml.writer';

// The parts every PES_Aller shares, whatever it carries (PES_RecetteAller, PES_DepenseAller, PES_PJ …):
// Enveloppe (Parametres, Emetteur) then EnTetePES (DosTech v5.19, « Domaine Global PES Aller », blocs communs).

export const PES_ALLER_NS = 'http://www.minefi.gouv.fr/cp/helios/pes_v2/Rev0/aller';

/** Enveloppe/Emetteur (TCarteVisite, mandatory from 5.x): « nom de l'éditeur émetteur du flux », « nom et version de l'application ». */
export const PES_EMETTEUR = { sigle: 'PASSERELLE', adresse: 'Passerelle 0.1.0' } as const;

/** What a PES_Aller is written for: the budget (EnTetePES), its NomFic and its emission date. */
export interface PesEnvelope {
  collectivite: Pick<BudgetSettings['collectivite'], 'siret' | 'codCol' | 'codBud' | 'idPost' | 'libellePoste' | 'label'>;
  /** Enveloppe/Parametres/NomFic, also the file name without `.xml` (see pesNomFic). */
  nomFic: string;
  /** DteStr: emission date of the file (YYYY-MM-DD, collectivité's time zone). */
  emittedOn: string;
}

/**
 * NomFic and file name, the S²LOW convention Hélios senders use: `PESALR2_<SIRET>_<aammjj>_<n>`, n counting the
 * files of that SIRET emitted that day (1, 2, …), so that NomFic is unique per file whatever the budget or domain.
 */
export function pesNomFic(siret: string, emittedOn: string, n: number): string {
  return `PESALR2_${siret}_${emittedOn.slice(2, 4)}${emittedOn.slice(5, 7)}${emittedOn.slice(8, 10)}_${n}`;
}

/** Sequence scope (and year) of the `<n>` of pesNomFic: per SIRET and day, shared by every budget and domain. */
export function nomFicScope(siret: string, emittedOn: string): { scope: string; year: number } {
  return { scope: `pes-nomfic:${siret}:${emittedOn}`, year: Number(emittedOn.slice(0, 4)) };
}

/**
 * One whole PES_Aller document: `n:PES_Aller`, Enveloppe (Parametres Version 2 / TypFic PESALR1 / NomFic, Emetteur),
 * EnTetePES of the budget, then `body` writes the domain blocks (PES_RecetteAller or PES_DepenseAller, PES_PJ) in
 * the XSD's order.
 */
export function writePesAller(w: XmlSink, env: PesEnvelope, body: (w: XmlSink) => void): void {
  const c = env.collectivite;
  w.open('n:PES_Aller', { 'xmlns:n': PES_ALLER_NS });
  w.open('Enveloppe');
  w.open('Parametres');
  // « Doit être valorisé à 2 » (TParametres, v5.x); TypFic « PESALR1 pour le PES_Aller ».
  w.leaf('Version', '2');
  w.leaf('TypFic', 'PESALR1');
  w.leaf('NomFic', env.nomFic);
  w.close();
  w.open('Emetteur');
  w.leaf('Sigle', PES_EMETTEUR.sigle);
  w.leaf('Adresse', PES_EMETTEUR.adresse);
  w.close();
  w.close();
  w.open('EnTetePES');
  w.leaf('DteStr', env.emittedOn);
  w.leaf('IdPost', c.idPost);
  if (c.libellePoste) w.leaf('LibellePoste', c.libellePoste);
  w.leaf('IdColl', c.siret);
  w.leaf('CodCol', c.codCol);
  w.leaf('CodBud', c.codBud);
  w.leaf('LibelleColBud', c.label);
  w.close();
  body(w);
  w.close();
}

export type PesDomain = 'recette' | 'depense';

/**
 * PES_PJ IdUnique (Base_Alphanum50): unique for the comptable whatever the budget, year or domain — SIRET, CodCol
 * and CodBud (zero-padded to 3 and 2), REC|DEP, the exercice, a kind (ASAP, DOC, PJ…), the piece number, and for a
 * piece with several PJs their rank (`S<n>`). Real files do the same (`33230962700016DEP2019…`). Hélios refuses an
 * IdUnique it already knows (anomalie 1984, « déjà intégrée »).
 */
export function pjIdUnique(
  c: Pick<BudgetSettings['collectivite'], 'siret' | 'codCol' | 'codBud'>,
  domain: PesDomain,
  year: number,
  kind: string,
  piece: number,
  rank?: number,
): string {
  const id = `${c.siret}${c.codCol.padStart(3, '0')}${c.codBud.padStart(2, '0')}${domain === 'recette' ? 'REC' : 'DEP'}${year}${kind}${piece}${rank ? `S${rank}` : ''}`;
  if (id.length > 50 || !/^[0-9A-Za-z]+$/.test(id)) throw new Error(`IdUnique PES invalide (50 caractères alphanumériques au plus) : ${id}`);
  return id;
}
