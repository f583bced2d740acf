import { makeSiren, makeSiret } from '@/common/siret/siret';
import { makeFrenchIban } from '@/fixtures-generator/french-iban.factory';

// Fictitious but realistic demo data: recipient structures (one SIRET per budget, as Chorus Pro requires) and a
// pool of suppliers. Numbers are computed (valid Luhn / RIB key / IBAN) rather than typed, so they stay valid.

export interface DemoService {
  code: string;
  label: string;
  active: boolean;
}

/** Shape of fixtures/structures.json, read by the service's demo mode and the ingestion tests. */
export interface DemoStructure {
  siret: string;
  name: string;
  services: DemoService[];
  serviceRequired: boolean;
  engagementRequired: boolean;
  paymentDelayDays: number;
}

export interface DemoProduct {
  ref: string;
  label: string;
  /** Unit price range, in euros. */
  minPrice: number;
  maxPrice: number;
  /** VAT rate in percent, as written in the pivot (TauxTVA), e.g. "5.5". */
  vatRate: string;
}

export interface DemoSupplier {
  siret: string;
  name: string;
  iban: string;
  bankName: string;
  /** Prefix of the supplier's invoice numbers (DonneesFacture/Id ≤ 20 characters). */
  invoicePrefix: string;
  products: DemoProduct[];
}

const stAubinSiren = makeSiren('21490412');
const ccSiren = makeSiren('20007139');
const hospitalSiren = makeSiren('26490998');
const ccasSiren = makeSiren('26490417');

export const DEMO_STRUCTURES: readonly DemoStructure[] = [
  {
    siret: makeSiret(stAubinSiren + '0001'),
    name: 'Commune de Saint-Aubin-sur-Loire',
    services: [
      { code: 'FINANCES', label: 'Service des finances', active: true },
      { code: 'ST', label: 'Services techniques', active: true },
      { code: 'SCOLAIRE', label: 'Affaires scolaires et périscolaires', active: true },
      { code: 'CTM-ANCIEN', label: 'Ancien centre technique municipal (fermé)', active: false },
    ],
    serviceRequired: false,
    engagementRequired: false,
    paymentDelayDays: 30,
  },
  {
    siret: makeSiret(stAubinSiren + '0002'),
    name: "Commune de Saint-Aubin-sur-Loire - Budget annexe de l'eau et de l'assainissement",
    services: [
      { code: 'EAU', label: "Régie de l'eau potable", active: true },
      { code: 'ASST', label: 'Assainissement collectif', active: true },
    ],
    serviceRequired: true,
    engagementRequired: true,
    paymentDelayDays: 30,
  },
  {
    siret: makeSiret(ccSiren + '0001'),
    name: "Communauté de communes du Val d'Aubance et des Coteaux",
    services: [
      { code: 'DECHETS', label: 'Collecte et traitement des déchets ménagers', active: true },
      { code: 'VOIRIE', label: 'Voirie communautaire', active: true },
      { code: 'ENFANCE', label: 'Petite enfance & jeunesse', active: true },
      { code: 'ADMGEN', label: 'Administration générale', active: true },
    ],
    serviceRequired: true,
    engagementRequired: true,
    paymentDelayDays: 30,
  },
  {
    siret: makeSiret(hospitalSiren + '0001'),
    name: 'Centre hospitalier intercommunal Loire-et-Vignes',
    services: [
      { code: 'PUI', label: 'Pharmacie à usage intérieur', active: true },
      { code: 'BIOMED', label: 'Ingénierie biomédicale', active: true },
      { code: 'RESTAU', label: 'Restauration', active: true },
      { code: 'ACHATS', label: 'Direction des achats et de la logistique', active: true },
      { code: 'LABO', label: 'Laboratoire (activité transférée au GHT)', active: false },
    ],
    serviceRequired: true,
    engagementRequired: true,
    // Public health establishments have a 50-day legal payment period (décret 2013-269), not 30.
    paymentDelayDays: 50,
  },
  {
    siret: makeSiret(ccasSiren + '0001'),
    name: "Centre communal d'action sociale de Saint-Aubin-sur-Loire",
    services: [],
    serviceRequired: false,
    engagementRequired: false,
    paymentDelayDays: 30,
  },
];

function supplier(
  sirenPrefix: string,
  nic: string,
  name: string,
  bank: { code: string; branch: string; account: string; name: string },
  invoicePrefix: string,
  products: DemoProduct[],
): DemoSupplier {
  return {
    siret: makeSiret(makeSiren(sirenPrefix) + nic),
    name,
    iban: makeFrenchIban(bank.code, bank.branch, bank.account),
    bankName: bank.name,
    invoicePrefix,
    products,
  };
}

export const DEMO_SUPPLIERS: readonly DemoSupplier[] = [
  supplier('41278903', '0002', 'SARL Boulangerie Martin', { code: '30004', branch: '00821', account: '00010457813', name: 'BNP Paribas' }, 'BM', [
    { ref: 'PAIN-CANT', label: 'Pain de campagne 400 g (restauration scolaire)', minPrice: 1.2, maxPrice: 2.4, vatRate: '5.5' },
    { ref: 'VIENN-ASS', label: 'Viennoiseries assorties', minPrice: 0.65, maxPrice: 1.35, vatRate: '5.5' },
    { ref: 'GAT-ANNIV', label: 'Gâteau pour manifestation communale', minPrice: 18, maxPrice: 65, vatRate: '5.5' },
  ]),
  supplier('52018734', '0001', "SAS Bureautique de l'Ouest", { code: '30003', branch: '01870', account: '00020138745', name: 'Société Générale' }, 'BO-F', [
    { ref: 'PAP-A4-80', label: 'Ramette papier A4 80 g/m²', minPrice: 3.85, maxPrice: 5.9, vatRate: '20' },
    { ref: 'TON-HP-415', label: 'Toner laser noir', minPrice: 58, maxPrice: 129, vatRate: '20' },
    { ref: 'CLAS-LEV', label: 'Classeur à levier dos 80 mm', minPrice: 1.95, maxPrice: 3.2, vatRate: '20' },
  ]),
  supplier('48391520', '0004', 'SARL Élec Services Loire', { code: '10278', branch: '39412', account: '00051237401', name: 'Crédit Mutuel Anjou' }, 'ESL', [
    { ref: 'MO-ELEC-H', label: "Main-d'œuvre électricien (heure)", minPrice: 42, maxPrice: 58, vatRate: '20' },
    { ref: 'LED-EP-40W', label: 'Luminaire LED éclairage public 40 W', minPrice: 189, maxPrice: 345.5, vatRate: '20' },
    { ref: 'RENOV-ECOLE', label: 'Rénovation électrique école (travaux)', minPrice: 850, maxPrice: 4200, vatRate: '10' },
  ]),
  supplier('79104562', '0001', 'SAS Fournitures Médicales Rhône-Alpes', { code: '30002', branch: '08944', account: '0000070451Z', name: 'LCL - Le Crédit Lyonnais' }, 'FMRA', [
    { ref: 'GANT-NIT-M', label: 'Gants nitrile non poudrés taille M (boîte de 100)', minPrice: 4.1234, maxPrice: 7.8, vatRate: '20' },
    { ref: 'MED-REMB-01', label: 'Spécialité pharmaceutique remboursable', minPrice: 12.5, maxPrice: 240, vatRate: '2.1' },
    { ref: 'PANS-STER', label: 'Pansements stériles', minPrice: 0.3125, maxPrice: 1.9, vatRate: '5.5' },
    { ref: 'SERING-5ML', label: 'Seringues 5 ml (boîte de 100)', minPrice: 9.95, maxPrice: 16.4, vatRate: '20' },
  ]),
  supplier('50217388', '0003', 'SARL Espaces Verts Dubois & Fils', { code: '18206', branch: '00412', account: '65004587120', name: 'Crédit Agricole Anjou Maine' }, 'EVD', [
    { ref: 'TONTE-HA', label: 'Tonte des espaces verts (hectare)', minPrice: 95, maxPrice: 160, vatRate: '20' },
    { ref: 'ELAG-ARB', label: "Élagage d'arbre d'alignement", minPrice: 120, maxPrice: 480, vatRate: '10' },
    { ref: 'PLANT-MASS', label: 'Plantation de massifs fleuris', minPrice: 35, maxPrice: 90, vatRate: '10' },
  ]),
  supplier('33490127', '0005', 'SAS Transports Lefèvre', { code: '20041', branch: '01011', account: '1234567K020', name: 'La Banque Postale' }, 'TL', [
    { ref: 'TRSP-SCOL', label: 'Transport scolaire (circuit journalier)', minPrice: 145, maxPrice: 310, vatRate: '10' },
    { ref: 'SORTIE-CAR', label: 'Location de car avec chauffeur (sortie)', minPrice: 420, maxPrice: 980, vatRate: '10' },
  ]),
  supplier('81355402', '0001', "SARL L'Atelier du Bâtiment", { code: '30004', branch: '02543', account: '00010987654', name: 'BNP Paribas' }, 'ATB', [
    { ref: 'MACON-H', label: 'Maçonnerie (heure)', minPrice: 38, maxPrice: 52, vatRate: '20' },
    { ref: 'REFECT-TOIT', label: 'Réfection de toiture (m²)', minPrice: 65, maxPrice: 140, vatRate: '10' },
    { ref: 'ISOL-COMBL', label: 'Isolation des combles (m²)', minPrice: 22, maxPrice: 48, vatRate: '5.5' },
  ]),
  supplier('88213407', '0002', 'SAS Informatique Cœur de France', { code: '14707', branch: '00034', account: '03021234567', name: 'Banque Populaire' }, 'ICF', [
    { ref: 'PC-PORT-14', label: 'Ordinateur portable 14" (écran 14 pouces)', minPrice: 689, maxPrice: 1149, vatRate: '20' },
    { ref: 'LIC-BUREAU', label: 'Licence bureautique annuelle', minPrice: 69.99, maxPrice: 129, vatRate: '20' },
    { ref: 'MAINT-SRV', label: 'Maintenance serveur (forfait mensuel)', minPrice: 250, maxPrice: 640, vatRate: '20' },
  ]),
  supplier('42957381', '0001', "SAS Restauration collective « Les Saveurs d'Anjou »", { code: '17906', branch: '00032', account: '84512036900', name: "Caisse d'Épargne Bretagne Pays de Loire" }, 'SDA', [
    { ref: 'REPAS-SCOL', label: 'Repas restauration scolaire', minPrice: 3.1, maxPrice: 4.75, vatRate: '5.5' },
    { ref: 'REPAS-PATIENT', label: 'Repas patient (liaison froide)', minPrice: 5.2, maxPrice: 8.9, vatRate: '10' },
  ]),
  {
    // La Poste's establishments do not follow Luhn (see common/siret): a supplier that exercises the exception.
    siret: makeSiret('3560000004171'),
    name: 'LA POSTE - Direction des services courrier colis Anjou',
    iban: makeFrenchIban('20041', '00001', '0123456A020'),
    bankName: 'La Banque Postale',
    invoicePrefix: 'LP',
    products: [
      { ref: 'AFFR-LV', label: 'Affranchissement lettre verte (lot)', minPrice: 1.29, maxPrice: 1.29, vatRate: '20' },
      { ref: 'REMISE-COUR', label: 'Remise du courrier (abonnement mensuel)', minPrice: 49.9, maxPrice: 49.9, vatRate: '20' },
    ],
  },
];

/** The structures in the JSON shape of fixtures/structures.json. */
export function structuresJson(structures: readonly DemoStructure[] = DEMO_STRUCTURES): string {
  const plain = structures.map((s) => ({
    siret: s.siret,
    name: s.name,
    services: s.services.map((x) => ({ code: x.code, label: x.label, active: x.active })),
    serviceRequired: s.serviceRequired,
    engagementRequired: s.engagementRequired,
    paymentDelayDays: s.paymentDelayDays,
  }));
  return JSON.stringify(plain, null, 2) + '\n';
}
