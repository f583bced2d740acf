import { ParametresRetour, ParametresStructureCpp, ServiceCpp } from '@/chorus-pro/chorus-pro.types';
import type { SimStructure, SimulatorState } from '@/chorus-pro/simulator/simulator.state';

// The structure directory side of the fake Chorus Pro: structures/v1/rechercher, …/rechercher/services (paged)
// and …/consulter (`parametres`). Settings start from the demo structure and are changed by a scenario (tests, the
// bench) through SimulatorStructureSettings, as a gestionnaire would change them on the portal.

interface SimServiceSetting {
  idService: number;
  code: string;
  label: string;
  active: boolean;
}

interface SimStructureSetting {
  services: SimServiceSetting[];
  parametres: Required<Pick<ParametresStructureCpp, 'codeServiceDoitEtreRenseigne' | 'numeroEJDoitEtreRenseigne' | 'gestionNumeroEJOuCodeService'>>;
}

const MAX_PAGE_SIZE = 1000;
const DEFAULT_SERVICES_PAGE = 10;

/** Mutable copy of each structure's Chorus Pro settings (the demo data stays untouched). */
export class SimulatorStructureSettings {
  private readonly byId = new Map<number, SimStructureSetting>();

  of(structure: SimStructure): SimStructureSetting {
    let setting = this.byId.get(structure.idStructureCPP);
    if (!setting) {
      setting = {
        services: structure.demo.services.map((s, i) => ({ idService: structure.idStructureCPP * 10 + i, code: s.code, label: s.label, active: s.active })),
        parametres: {
          codeServiceDoitEtreRenseigne: structure.demo.serviceRequired,
          numeroEJDoitEtreRenseigne: structure.demo.engagementRequired,
          gestionNumeroEJOuCodeService: false,
        },
      };
      this.byId.set(structure.idStructureCPP, setting);
    }
    return setting;
  }

  /** Scenario: a service is deactivated (or reactivated) on the portal. */
  setServiceActive(structure: SimStructure, code: string, active: boolean): void {
    this.service(structure, code).active = active;
  }

  renameService(structure: SimStructure, code: string, label: string): void {
    this.service(structure, code).label = label;
  }

  addService(structure: SimStructure, code: string, label: string, active = true): void {
    const setting = this.of(structure);
    if (setting.services.some((s) => s.code === code)) throw new Error(`Service simulé déjà présent : ${code}`);
    setting.services.push({ idService: structure.idStructureCPP * 10 + setting.services.length + 1000, code, label, active });
  }

  /** Scenario: « code service obligatoire », « engagement obligatoire » changed on the portal. */
  setRequirements(structure: SimStructure, parametres: Partial<SimStructureSetting['parametres']>): void {
    Object.assign(this.of(structure).parametres, parametres);
  }

  activeCodes(structure: SimStructure): string[] {
    return this.of(structure).services.filter((s) => s.active).map((s) => s.code);
  }

  private service(structure: SimStructure, code: string): SimServiceSetting {
    const service = this.of(structure).services.find((s) => s.code === code);
    if (!service) throw new Error(`Service simulé inconnu : ${code}`);
    return service;
  }
}

export function searchStructures(state: SimulatorState, r: Record<string, unknown>) {
  const criteria = (r.structure ?? {}) as { identifiantStructure?: string; raisonSociale?: string };
  const list = state.structures
    .filter((s) => !criteria.identifiantStructure || s.siret === criteria.identifiantStructure)
    .filter((s) => !criteria.raisonSociale || s.name.toLowerCase().includes(criteria.raisonSociale.toLowerCase()))
    .map((s) => ({ idStructureCPP: s.idStructureCPP, identifiantStructure: s.siret, typeIdentifiantStructure: 'SIRET', designationStructure: s.name, statut: 'ACTIF' }));
  if (list.length === 0) return { codeRetour: 20000, libelle: 'Aucune structure ne correspond aux critères' };
  return { codeRetour: 0, libelle: 'TRA_MSG_00.000', listeStructures: list, parametresRetour: pageInfo(list.length, 1, Math.max(list.length, 1)) };
}

/** structures/v1/rechercher/services, paged as Chorus Pro pages it (`parametresRechercherServicesStructure`). */
export function searchServices(state: SimulatorState, r: Record<string, unknown>) {
  const structure = state.structures.find((s) => s.idStructureCPP === Number(r.idStructure));
  if (!structure) return { codeRetour: 20001, libelle: `Structure inconnue : ${String(r.idStructure)}` };
  const all: ServiceCpp[] = state.structureSettings.of(structure).services.map((s) => ({
    idService: s.idService,
    codeService: s.code,
    libelleService: s.label,
    estActif: s.active,
    statutService: s.active ? 'ACTIF' : 'INACTIF',
  }));
  const paging = (r.parametresRechercherServicesStructure ?? r.parametres ?? {}) as { pageResultatDemandee?: number; nbResultatsParPage?: number };
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(paging.nbResultatsParPage ?? DEFAULT_SERVICES_PAGE)));
  const page = Math.max(1, Number(paging.pageResultatDemandee ?? 1));
  const listeServices = all.slice((page - 1) * size, page * size);
  if (listeServices.length === 0) return { codeRetour: 20000, libelle: 'Aucun service pour cette structure', parametresRetour: pageInfo(all.length, page, size) };
  return { codeRetour: 0, libelle: 'TRA_MSG_00.000', listeServices, parametresRetour: pageInfo(all.length, page, size) };
}

/** structures/v1/consulter: accepts `idStructureCPP` (OCA) or `idStructure` (go-choruspro). */
export function consultStructure(state: SimulatorState, r: Record<string, unknown>) {
  const id = Number(r.idStructureCPP ?? r.idStructure);
  const structure = state.structures.find((s) => s.idStructureCPP === id);
  if (!structure) return { codeRetour: 20001, libelle: `Structure inconnue : ${String(r.idStructureCPP ?? r.idStructure)}` };
  return {
    codeRetour: 0,
    libelle: 'TRA_MSG_00.000',
    informationGenerales: {
      idStructureCPP: structure.idStructureCPP,
      identifiantStructure: structure.siret,
      typeIdentifiantStructure: 'SIRET',
      raisonSocialeStructure: structure.name,
      libelleStructure: structure.name,
    },
    parametres: { ...state.structureSettings.of(structure).parametres, statutMiseEnPaiementNestPasRemonte: false, estMoaUniquement: false },
  };
}

function pageInfo(total: number, page: number, size: number): ParametresRetour {
  return { total, pageCourante: page, pages: Math.ceil(total / size), nbResultatsParPage: size };
}
