import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, NotFoundError } from '@/common/errors/domain.error';
import { UnitOfWork } from '@/database/unit-of-work';
import { checkSettings } from '@/pes/pes.checks';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { BudgetSettings, budgetSettingsSchema, Issue, zodIssues } from '@/pes/pes.types';

export interface BudgetView {
  id: string;
  code: string;
  settings: BudgetSettings;
  /** What is still missing for an ASAP (the flow is refused until it is fixed). */
  issues: Issue[];
}

/** Budget settings: the three tabs of Corail's « PES Facture ASAP (paramétrage global) ». */
@Injectable()
export class PesBudgetsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly dataSource: DataSource,
  ) {}

  static parse(input: unknown): BudgetSettings {
    const parsed = budgetSettingsSchema.safeParse(input);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      throw new DomainError('BUDGET_SETTINGS_INVALID', `Paramétrage du budget invalide : ${issues.map((i) => i.message).join(' ; ')}`, 'invalid', { issues });
    }
    return parsed.data;
  }

  /** Creates or replaces the settings of a budget (key: `code`). */
  async upsert(input: unknown): Promise<BudgetView> {
    const settings = PesBudgetsService.parse(input);
    const c = settings.collectivite;
    const saved = await this.uow.run(async (em) => {
      const repo = em.getRepository(PesBudgetEntity);
      const existing = await repo.findOne({ where: { code: settings.code } });
      return repo.save({ ...(existing ?? {}), code: settings.code, idColl: c.siret, codCol: c.codCol, codBud: c.codBud, label: c.label, settings });
    });
    return toView(saved);
  }

  async findEntity(code: string): Promise<PesBudgetEntity | null> {
    return this.dataSource.getRepository(PesBudgetEntity).findOne({ where: { code } });
  }

  async getEntity(code: string): Promise<PesBudgetEntity> {
    const b = await this.findEntity(code);
    if (!b) throw new NotFoundError('BUDGET_NOT_FOUND', `Budget inconnu : ${code}`);
    return b;
  }

  async getEntityById(id: string): Promise<PesBudgetEntity> {
    const b = await this.dataSource.getRepository(PesBudgetEntity).findOne({ where: { id } });
    if (!b) throw new NotFoundError('BUDGET_NOT_FOUND', `Budget inconnu : ${id}`);
    return b;
  }

  async get(code: string): Promise<BudgetView> {
    return toView(await this.getEntity(code));
  }

  async list(): Promise<BudgetView[]> {
    return (await this.dataSource.getRepository(PesBudgetEntity).find({ order: { code: 'ASC' } })).map(toView);
  }
}

function toView(b: PesBudgetEntity): BudgetView {
  return { id: b.id, code: b.code, settings: b.settings, issues: checkSettings(b.settings) };
}
