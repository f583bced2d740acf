import { Injectable } from '@nestjs/common';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { isValidSiret } from '@/common/siret/siret';
import { AppConfig } from '@/config/app.config';
import { UnitOfWork } from '@/database/unit-of-work';
import { paymentDelayDays, PUBLIC_HEALTH_DELAY_DAYS, STANDARD_DELAY_DAYS } from '@/invoices/payment-deadline';
import { decryptSecret, encryptSecret } from '@/structures/technical-account.cipher';
import { StructureEntity } from '@/structures/structure.entity';
import { StructuresRepository } from '@/structures/structures.repository';

export interface StructureInput {
  siret: string;
  name: string;
  services?: Array<{ code: string; label: string; active?: boolean }>;
  serviceRequired?: boolean;
  engagementRequired?: boolean;
  /** « N° d'engagement ou code service » : one of the two on every invoice. */
  engagementOrServiceRequired?: boolean;
  /** Délai global de paiement: 30 or 50 days only (R2192-10); given with `publicHealthBody`, both must agree. */
  paymentDelayDays?: number;
  /** Établissement public de santé: 50 days instead of 30 (R2192-10). */
  publicHealthBody?: boolean;
}

export interface StructureView {
  id: string;
  siret: string;
  name: string;
  serviceRequired: boolean;
  engagementRequired: boolean;
  engagementOrServiceRequired: boolean;
  paymentDelayDays: number;
  publicHealthBody: boolean;
  services: Array<{ code: string; label: string; active: boolean }>;
  /** Login of the Chorus Pro technical account; the password is never returned. */
  technicalAccountLogin: string | null;
  /** Return mode of statuses to Chorus Pro: explicit setting, or automatic (api with a technical account, else file). */
  returnMode: 'api' | 'file' | 'off';
  returnModeExplicit: boolean;
  /** Last time services and settings were read from Chorus Pro (structure-sync.service.ts), null if never. */
  syncedAt: Date | null;
  /** « Comptable sous Hélios »: Hélios tells Chorus Pro of the payment, Passerelle does not. */
  heliosComptable: boolean;
}

/** A structure the API pull may serve, with its account login (password read separately, decrypted). */
export interface StructureWithAccount {
  id: string;
  siret: string;
  name: string;
  login: string;
}

@Injectable()
export class StructuresService {
  constructor(
    private readonly repository: StructuresRepository,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
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
      const delay = delaySetting(input, existing);
      const saved = await this.repository.save(em, {
        ...(existing ?? {}),
        siret,
        name: input.name.trim(),
        serviceRequired: input.serviceRequired ?? existing?.serviceRequired ?? false,
        engagementRequired: input.engagementRequired ?? existing?.engagementRequired ?? false,
        engagementOrServiceRequired: input.engagementOrServiceRequired ?? existing?.engagementOrServiceRequired ?? false,
        ...delay,
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

  /** Stores the Chorus Pro technical account of a structure (password encrypted with PASSERELLE_SECRET_KEY). */
  async setTechnicalAccount(siret: string, login: string, password: string): Promise<StructureView> {
    if (!login?.trim()) throw new DomainError('LOGIN_REQUIRED', 'Le login du compte technique est obligatoire');
    if (!password) throw new DomainError('PASSWORD_REQUIRED', 'Le mot de passe du compte technique est obligatoire');
    if (login.includes(':')) throw new DomainError('LOGIN_INVALID', 'Le login du compte technique ne peut pas contenir « : »');
    const encrypted = encryptSecret(password, this.config.secretKey);
    await this.uow.run(async (em) => {
      const result = await em
        .getRepository(StructureEntity)
        .update({ siret }, { cproLogin: login.trim(), cproPasswordEnc: encrypted, cproAccountUpdatedAt: () => 'now()' });
      if (!result.affected) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    });
    return this.get(siret);
  }

  /** How statuses go back to Chorus Pro (issue 5); `auto` returns to the default (api once a technical account is set). */
  async setReturnMode(siret: string, mode: 'api' | 'file' | 'off' | 'auto'): Promise<StructureView> {
    if (!['api', 'file', 'off', 'auto'].includes(mode)) {
      throw new DomainError('RETURN_MODE_INVALID', `Mode de retour inconnu : « ${mode} » (api, file, off ou auto)`);
    }
    const current = await this.repository.findBySiret(siret);
    if (!current) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    if (mode === 'api' && !current.cproLogin) {
      throw new DomainError('TECHNICAL_ACCOUNT_REQUIRED', `Le mode api demande un compte technique Chorus Pro pour ${siret} (compte technique : page Administration ou « passerelle structures set-account »)`);
    }
    await this.uow.run((em) => em.getRepository(StructureEntity).update({ siret }, { returnMode: mode === 'auto' ? null : mode }));
    return this.get(siret);
  }

  /**
   * « Comptable sous Hélios » (issue 14): yes, Hélios sets MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE and
   * MISE_EN_PAIEMENT in Chorus Pro and Passerelle pushes none of them; no, the trésorier's « Mise en paiement » is pushed.
   */
  async setHeliosComptable(siret: string, heliosComptable: boolean): Promise<StructureView> {
    if (typeof heliosComptable !== 'boolean') throw new DomainError('HELIOS_COMPTABLE_INVALID', '« Comptable sous Hélios » : oui ou non');
    await this.uow.run(async (em) => {
      const result = await em.getRepository(StructureEntity).update({ siret }, { heliosComptable });
      if (!result.affected) throw new NotFoundError('STRUCTURE_NOT_FOUND', `Structure inconnue : SIRET ${siret}`);
    });
    return this.get(siret);
  }

  /** Structures having a technical account (optionally one SIRET), in SIRET order. */
  async listWithTechnicalAccount(siret?: string): Promise<StructureWithAccount[]> {
    const rows = await this.uow.dataSource
      .getRepository(StructureEntity)
      .createQueryBuilder('s')
      .where('s.cpro_login IS NOT NULL')
      .andWhere(siret ? 's.siret = :siret' : '1=1', { siret })
      .orderBy('s.siret', 'ASC')
      .getMany();
    return rows.map((s) => ({ id: s.id, siret: s.siret, name: s.name, login: s.cproLogin as string }));
  }

  /** The decrypted technical account, for the Chorus Pro client only (never returned by the API, never logged). */
  async getTechnicalAccount(siret: string): Promise<{ login: string; password: string } | null> {
    const row = await this.uow.dataSource
      .getRepository(StructureEntity)
      .createQueryBuilder('s')
      .addSelect('s.cproPasswordEnc')
      .where('s.siret = :siret', { siret })
      .getOne();
    if (!row?.cproLogin || !row.cproPasswordEnc) return null;
    return { login: row.cproLogin, password: decryptSecret(row.cproPasswordEnc, this.config.secretKey) };
  }
}

/**
 * The délai global de paiement a structure gets (R2192-10): 30 days, 50 for an établissement public de santé. Either
 * field may be given; unchanged when neither is (a delay stored before this rule is kept until the next change).
 */
function delaySetting(input: StructureInput, existing: StructureEntity | null): { paymentDelayDays: number; publicHealthBody: boolean } {
  const given = input.paymentDelayDays;
  if (given !== undefined && given !== STANDARD_DELAY_DAYS && given !== PUBLIC_HEALTH_DELAY_DAYS) {
    throw new DomainError(
      'PAYMENT_DELAY_INVALID',
      `Délai global de paiement invalide : ${given} jours (${STANDARD_DELAY_DAYS} jours, ou ${PUBLIC_HEALTH_DELAY_DAYS} pour un établissement public de santé, article R2192-10 du code de la commande publique)`,
    );
  }
  if (input.publicHealthBody === undefined && given === undefined) {
    return { paymentDelayDays: existing?.paymentDelayDays ?? STANDARD_DELAY_DAYS, publicHealthBody: existing?.publicHealthBody ?? false };
  }
  const publicHealthBody = input.publicHealthBody ?? given === PUBLIC_HEALTH_DELAY_DAYS;
  if (given !== undefined && given !== paymentDelayDays(publicHealthBody)) {
    throw new DomainError(
      'PAYMENT_DELAY_MISMATCH',
      publicHealthBody
        ? `Un établissement public de santé a un délai global de paiement de ${PUBLIC_HEALTH_DELAY_DAYS} jours, pas ${given}`
        : `Une structure qui n'est pas un établissement public de santé a un délai global de paiement de ${STANDARD_DELAY_DAYS} jours, pas ${given}`,
    );
  }
  return { paymentDelayDays: paymentDelayDays(publicHealthBody), publicHealthBody };
}

function toView(s: StructureEntity): StructureView {
  return {
    id: s.id,
    siret: s.siret,
    name: s.name,
    serviceRequired: s.serviceRequired,
    engagementRequired: s.engagementRequired,
    engagementOrServiceRequired: s.engagementOrServiceRequired ?? false,
    paymentDelayDays: s.paymentDelayDays,
    publicHealthBody: s.publicHealthBody,
    services: (s.services ?? [])
      .map((x) => ({ code: x.code, label: x.label, active: x.active }))
      .sort((a, b) => a.code.localeCompare(b.code)),
    technicalAccountLogin: s.cproLogin ?? null,
    returnMode: s.returnMode ?? (s.cproLogin ? 'api' : 'file'),
    returnModeExplicit: s.returnMode !== null && s.returnMode !== undefined,
    syncedAt: s.cproSyncedAt ?? null,
    heliosComptable: s.heliosComptable ?? true,
  };
}
