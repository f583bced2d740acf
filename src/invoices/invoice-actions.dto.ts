import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { USER_ACTIONS } from '@/invoices/invoice-state.machine';
import { TRAINS } from '@/invoices/mandates.service';
import { REASON_ACTIONS } from '@/invoices/reasons.service';

export class ImputationDto {
  @ApiProperty({ example: '6064', description: 'article / nature' }) @IsString() @MaxLength(20) article: string;
  @ApiPropertyOptional({ example: '020' }) @IsOptional() @IsString() @MaxLength(20) fonction?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) operation?: string;
  @ApiPropertyOptional({ example: 'COMPTA' }) @IsOptional() @IsString() @MaxLength(100) service?: string;
  @ApiPropertyOptional({ example: '120.50', description: 'en euros, 2 décimales ; facultatif pour une imputation unique (net à payer)' })
  @IsOptional()
  @IsString()
  amount?: string;
  @ApiPropertyOptional({ example: 'EJ1', description: "n° d'engagement" }) @IsOptional() @IsString() @MaxLength(100) engagement?: string;
}

export class MandateDto {
  @ApiProperty({ type: [ImputationDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ImputationDto)
  imputations: ImputationDto[];

  @ApiPropertyOptional({ enum: TRAINS, description: "« attente » pour les factures déjà prélevées (défaut : attente en cadre A2, sinon normal)" })
  @IsOptional()
  @IsIn(TRAINS as string[])
  train?: 'normal' | 'attente';
}

export class ReasonDto {
  @ApiProperty({ example: 'MONTANT_ERRONE', description: 'code de motif (GET /api/reasons)' }) @IsString() reasonCode: string;
  @ApiPropertyOptional({ example: 'ne correspond pas au devis initial' }) @IsOptional() @IsString() @MaxLength(1000) complement?: string;
}

export class RecycleDto {
  @ApiPropertyOptional({ description: 'précision transmise à Chorus Pro (255 caractères au plus)' }) @IsOptional() @IsString() @MaxLength(1000) complement?: string;
}

export class BulkActionDto {
  @ApiProperty({ enum: USER_ACTIONS }) @IsIn(USER_ACTIONS as readonly string[] as string[]) action: (typeof USER_ACTIONS)[number];
  @ApiProperty({ type: [String] }) @IsArray() @ArrayNotEmpty() @ArrayMaxSize(500) @IsString({ each: true }) ids: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() reasonCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) complement?: string;
  @ApiPropertyOptional({ type: [ImputationDto], description: 'mandater : une imputation sans montant = le net de chaque facture' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ImputationDto)
  imputations?: ImputationDto[];
  @ApiPropertyOptional({ enum: TRAINS }) @IsOptional() @IsIn(TRAINS as string[]) train?: 'normal' | 'attente';
}

export class ReasonUpsertDto {
  @ApiPropertyOptional({ example: 'DOUBLON', description: 'obligatoire en POST' }) @IsOptional() @IsString() code?: string;
  @ApiProperty({ example: 'Doublon' }) @IsString() @MaxLength(200) label: string;
  @ApiPropertyOptional({ enum: REASON_ACTIONS, isArray: true }) @IsOptional() @IsArray() @IsIn(REASON_ACTIONS as string[], { each: true }) actions?: string[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
  @ApiPropertyOptional({ description: "SIRET de la structure dont c'est le motif (facultatif pour l'admin d'une seule structure)" })
  @IsOptional()
  @Matches(/^\d{14}$/, { message: 'SIRET (14 chiffres) attendu' })
  structure?: string;
}
