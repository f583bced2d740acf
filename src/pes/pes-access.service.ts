import { Injectable } from '@nestjs/common';
import { ForbiddenError } from '@/common/errors/domain.error';
import { StructuresService } from '@/structures/structures.service';
import { Principal } from '@/users/principal';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';

export type PesAction = 'read' | 'write' | 'settings';

/**
 * Who may touch a budget: a budget whose collectivité SIRET (IdColl) is a declared structure belongs to that
 * structure's users; titres are issued by the ordonnateur (agent, admin), settings by an admin.
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
    if (principal.role === 'admin') return;
    const structure = await this.structures.findEntityBySiret(budget.idColl);
    if (structure && !principal.structureIds.includes(structure.id)) {
      throw new ForbiddenError('BUDGET_FORBIDDEN', `Budget ${budget.code} hors de vos structures`);
    }
  }
}
