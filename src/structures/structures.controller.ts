import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, ValidateNested, IsArray } from 'class-validator';
import { StructureView, StructuresService } from '@/structures/structures.service';

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
  @ApiOperation({ summary: 'Structures déclarées (un SIRET par budget) et leurs services' })
  list(): Promise<StructureView[]> {
    return this.structures.list();
  }

  @Get(':siret')
  get(@Param('siret') siret: string): Promise<StructureView> {
    return this.structures.get(siret);
  }

  @Post()
  @ApiOperation({ summary: 'Déclare ou met à jour une structure' })
  upsert(@Body() body: StructureDto): Promise<StructureView> {
    return this.structures.upsert(body);
  }
}
