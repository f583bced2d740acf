import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, ValidateNested, IsArray } from 'class-validator';
import { ForbiddenError } from '@/common/errors/domain.error';
import { StructureView, StructuresService } from '@/structures/structures.service';
import { CurrentUser } from '@/users/auth.decorators';
import { assertAdmin, Principal } from '@/users/principal';

class ServiceDto {
  @ApiProperty() @IsString() code: string;
  @ApiProperty() @IsString() label: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

class StructureDto {
  @ApiProperty({ example: '21930053000017' }) @IsString() siret: string;
  @ApiProperty() @IsString() name: string;
  @ApiPropertyOptional({ type: [ServiceDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ServiceDto)
  services?: ServiceDto[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() serviceRequired?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() engagementRequired?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsInt() paymentDelayDays?: number;
}

@ApiTags('structures')
@Controller('api/structures')
export class StructuresController {
  constructor(private readonly structures: StructuresService) {}

  @Get()
  @ApiOperation({ summary: "Les structures de l'utilisateur (un SIRET par budget) et leurs services" })
  async list(@CurrentUser() user: Principal): Promise<StructureView[]> {
    return (await this.structures.list()).filter((s) => user.structureIds.includes(s.id));
  }

  @Get(':siret')
  async get(@CurrentUser() user: Principal, @Param('siret') siret: string): Promise<StructureView> {
    const structure = await this.structures.get(siret);
    assertMember(user, structure);
    return structure;
  }

  /**
   * Declaring a new structure or changing one's settings is the gestionnaire principal's job; an admin only
   * changes the structures they belong to (a new structure is attached to nobody until users are added).
   */
  @Post()
  @ApiOperation({ summary: 'Déclare ou met à jour une structure (administrateur)' })
  async upsert(@CurrentUser() user: Principal, @Body() body: StructureDto): Promise<StructureView> {
    assertAdmin(user);
    const existing = await this.structures.findEntityBySiret(body.siret.replace(/\s/g, ''));
    if (existing) assertMember(user, existing);
    return this.structures.upsert(body);
  }
}

function assertMember(user: Principal, structure: { id: string; siret: string }): void {
  if (!user.structureIds.includes(structure.id)) {
    throw new ForbiddenError('STRUCTURE_FORBIDDEN', `La structure ${structure.siret} ne fait pas partie de vos structures`);
  }
}
