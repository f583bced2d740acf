// Cadres de facturation of the works circuit (« factures de travaux ») in CPPFacturePivot_V2_02.xsd (Cadre's
// documentation): projets de décompte and états d'acompte, deposited by a supplier, a co/sous-traitant or the MOE,
// validated by the MOE and the MOA before they reach the recipient. The pages show them as « Facture de travaux ».
export const WORKS_CADRES = ['A4', 'A5', 'A6', 'A7', 'A8', 'A13', 'A14', 'A15', 'A16', 'A17', 'A18', 'A19', 'A20', 'A22', 'A23', 'A24', 'A25'] as const;

export function isWorksCadre(cadre: string | null | undefined): boolean {
  return Boolean(cadre) && (WORKS_CADRES as readonly string[]).includes(cadre as string);
}
