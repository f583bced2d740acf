import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '@/common/errors/domain.error';
import { StructuresService } from '@/structures/structures.service';
import { Principal } from '@/users/principal';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';

export type PesAction = 'read' | 'write' | 'settings';

/**
 * Who may touch a budget: the users of the declared structure whose SIRET is the budget's collectivité (IdColl) —
 * administrators included, who act on their own structures only. A budget of an undeclared SIRET belongs to nobody
 * and is refused to all (declare the structure first). Titres are issued by the ordonnateur (agent, admin), settings
 * (the trésorerie's IBAN printed on every ASAP) changed by an admin of that structure.
 */
@Injectable()
export class PesAccessService {
  constructor(private readonly structures: StructuresService) {}

  async assertBudget(principal: Principal, budget: Pick<PesBudgetEntity, 'code' | 'idColl'>, action: PesAction): Promise<void> {
    if (action === 'settings' && principal.role !== 'admin') {
      throw new ForbiddenError('PES_SETTINGS_ADMIN_ONLY', 'Le paramétrage ASAP d’un budget est réservé au rôle admin');
    }
    if (action === 'write' && principal.role === 'tresorier') {
      throw new ForbiddenError('PES_ORDONNATEUR_ONLY', "Les titres et les flux PES sont émis par l'ordonnateur (rôle agent ou admin)");
    }
    const structure = budget.idColl ? await this.structures.findEntityBySiret(budget.idColl) : null;
    if (!structure) {
      throw new ForbiddenError(
        'BUDGET_STRUCTURE_UNDECLARED',
        `Budget ${budget.code} : la collectivité (SIRET ${budget.idColl || 'absent'}) n'est pas une structure déclarée ; déclarez-la d'abord`,
      );
    }
    if (!principal.structureIds.includes(structure.id)) {
      throw new ForbiddenError('BUDGET_FORBIDDEN', `Budget ${budget.code} hors de vos structures`);
    }
  }
}
