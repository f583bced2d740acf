import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PullLeaseRepository } from '@/pull/pull-lease.repository';
import { PullOutcome } from '@/pull/pull.types';
import { CurrentUser } from '@/users/auth.decorators';
import { Principal } from '@/users/principal';

@ApiTags('pull')
@Controller('api/pull')
export class PullController {
  constructor(private readonly leases: PullLeaseRepository) {}

  @Get('outcomes')
  @ApiOperation({ summary: 'Dernier résultat de la relève Chorus Pro de chacune de vos structures (ok, en échec avec l’erreur, non relevée avec la raison)' })
  outcomes(@CurrentUser() user: Principal): Promise<PullOutcome[]> {
    return this.leases.lastOutcomes(user.structureIds);
  }
}
