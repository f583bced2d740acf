import { Injectable } from '@nestjs/common';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { isValidSiret } from '@/common/siret/siret';
import { UnitOfWork } from '@/database/unit-of-work';
import { StructureEntity } from '@/structures/structure.entity';
import { StructuresRepository } from '@/structures/structures.repository';

export interface StructureInput {
  siret: string;
  name: string;
  services?: Array<{ code: string; label: string; active?: boolean }>;
  serviceRequired?: boolean;
  engagementRequired?: boolean;
  paymentDelayDays?: number;
}

export interface StructureView {
  id: string;
  siret: string;
  name: string;
  serviceRequired: boolean;
  engagementRequired: boolean;
  paymentDelayDays: number;
  services: Array<{ code: string; label: string; active: boolean }>;
}

@Injectable()
export class StructuresService {
  constructor(
    private readonly repository: StructuresRepository,
    private readonly uow: UnitOfWork,
  ) {}

  /** Declares a structure, or updates it (same SIRET): services are added or updated, never dropped. */
  async upsert(input: StructureInput): Promise<StructureView> {
    const siret = input.siret.replace(/\s/g, '');
    if (!isValidSiret(siret)) {
      throw new DomainError('INVALID_SIRET', `SIRET invalide : « ${input.siret} » (14 chiffres, clé de Luhn)`);
    }
    if (!input.name?.trim()) throw new DomainError('NAME_REQUIRED', 'Le nom de la structure est obligatoire');
    await this.uow.run(async (em) => {
      const existing = await this.repository.findBySiret(siret, em);
      const saved = await this.repository.save(em, {
        ...(existing ?? {}),
        siret,
        name: input.name.trim(),
        serviceRequired: input.serviceRequired ?? existing?.serviceRequired ?? false,
        engagementRequired: input.engagementRequired ?? existing?.engagementRequired ?? false,
        paymentDelayDays: input.paymentDelayDays ?? existing?.paymentDelayDays ?? 30,
        services: undefined,
      });
      for (const service of input.services ?? []) {
        if (!service.code.trim()) throw new DomainError('SERVICE_CODE_REQUIRED', 'Code service vide');
        await this.repository.upsertService(em, saved.id, service.code.trim(), service.label.trim(), service.active ?? true);
      }
    });
    return this.get(siret);
  }

  async get(siret: string): Promise<StructureView> {
    const structure = await this.repository.findBySiret(siret);
    if (!structure) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    return toView(structure);
  }

  findEntityBySiret(siret: string): Promise<StructureEntity | null> {
    return this.repository.findBySiret(siret);
  }

  async list(): Promise<StructureView[]> {
    return (await this.repository.findAll()).map(toView);
  }
}

function toView(s: StructureEntity): StructureView {
  return {
    id: s.id,
    siret: s.siret,
    name: s.name,
    serviceRequired: s.serviceRequired,
    engagementRequired: s.engagementRequired,
    paymentDelayDays: s.paymentDelayDays,
    services: (s.services ?? [])
      .map((x) => ({ code: x.code, label: x.label, active: x.active }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  };
}
