import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsInt, IsOptional, IsString } from 'class-validator';
import { CAT_TIERS, CIVILITES, NAT_JUR } from '@/pes/pes-tiers.checks';
import { EDITIONS } from '@/pes/pes.types';

// REST bodies of the PES feature. The rules live in one place (pes.types.ts, zod, French messages) shared with
// the file imports; these classes list the accepted keys for the whitelist and describe the nested shapes in the
// OpenAPI document (nested objects are passed through as they are and checked by zod).

class AddressDoc {
  @ApiPropertyOptional({ description: 'Adr1 : complément de distribution (38)' }) adr1?: string;
  @ApiPropertyOptional({ description: 'Adr2 : numéro et voie (38), obligatoire pour un ASAP' }) adr2?: string;
  @ApiPropertyOptional({ description: 'Adr3 : lieu-dit, BP, TSA (38)' }) adr3?: string;
  @ApiProperty({ example: '34000' }) cp: string;
  @ApiProperty() ville: string;
  @ApiPropertyOptional({ description: 'Code pays INSEE (3 chiffres), débiteur résidant à l’étranger' }) codPays?: string;
}

class CollectiviteDoc {
  @ApiProperty({ description: 'IdColl : SIRET de la collectivité' }) siret: string;
  @ApiProperty({ description: 'CodCol (3)' }) codCol: string;
  @ApiProperty({ description: 'CodBud (2)' }) codBud: string;
  @ApiProperty({ description: 'IdPost : codique du poste comptable' }) idPost: string;
  @ApiPropertyOptional() libellePoste?: string;
  @ApiProperty({ description: 'Libellé (38)' }) label: string;
  @ApiProperty({ enum: CAT_TIERS, description: 'CatTiers' }) categorie: string;
  @ApiProperty({ enum: NAT_JUR, description: 'NatJur (paire permise par l’annexe 3)' }) natureJuridique: string;
  @ApiProperty({ type: AddressDoc }) adresse: AddressDoc;
  @ApiPropertyOptional({ description: 'InfoSuppl/NumTel' }) telephone?: string;
  @ApiPropertyOptional({ description: 'InfoSuppl/HorairesOuv' }) horairesOuverture?: string;
  @ApiPropertyOptional({ description: 'InfoSuppl/AdresseMelEmetteur' }) email?: string;
  @ApiPropertyOptional({ description: 'RefBdf : ICS (TIP) ou numéro émetteur (talon), obligatoire pour un ASAP' }) refBdf?: string;
  @ApiPropertyOptional({ description: 'Code PayFip (TIPI), avec adrTipi' }) codeTipi?: string;
  @ApiPropertyOptional() adrTipi?: string;
  @ApiPropertyOptional({ description: 'CodServ par défaut' }) codServ?: string;
}

class SignataireDoc {
  @ApiProperty() nom: string;
  @ApiProperty() prenom: string;
  @ApiProperty({ example: 'Le Maire' }) fonction: string;
}

class TresorerieDoc {
  @ApiProperty({ description: 'Tiers 26 : Centre des Finances Publiques (38)' }) nom: string;
  @ApiProperty({ type: AddressDoc }) adresse: AddressDoc;
  @ApiPropertyOptional({ description: 'InfoSupplTiers/NumTel2' }) telephone?: string;
  @ApiPropertyOptional({ description: 'InfoSupplTiers/HorairesOuv2' }) horairesOuverture?: string;
  @ApiPropertyOptional({ description: 'InfoSupplTiers/AdresseMelCFP' }) email?: string;
  @ApiProperty() bic: string;
  @ApiProperty() iban: string;
  @ApiPropertyOptional() titulaire?: string;
}

class CentreEncaissementAddressDoc {
  @ApiPropertyOptional({ example: 'TSA 00000' }) adr3?: string;
  @ApiProperty() cp: string;
  @ApiProperty() ville: string;
}

class CentreEncaissementDoc {
  @ApiProperty({ type: CentreEncaissementAddressDoc }) adresse: CentreEncaissementAddressDoc;
}

class ModalitesDoc {
  @ApiProperty({ description: 'ModalitesReglement (250), imprimé au verso de l’ASAP' }) reglement: string;
  @ApiProperty({ description: 'Voies de recours → ModalitesContestation (420) ; ancienne clé « contestation » acceptée' }) voiesDeRecours: string;
  @ApiPropertyOptional({ description: 'ConditionsGen (250), non imprimé ; par défaut le texte de règlement' }) conditionsGenerales?: string;
  @ApiProperty({ enum: ['TIP', 'TALON'], description: 'ModeRecouvrement 0 (TIP) ou 1 (talon)' }) modeRecouvrement: string;
}

class TalonTemplateDoc {
  @ApiPropertyOptional({ description: 'Ligne 1 telle que donnée par la trésorerie : chiffres, majuscules, espaces, champs {EXERCICE} {BORDEREAU} {TITRE} {MONTANT} {SIRET} {CODCOL} {CODBUD} {IDPOST} ({TITRE:13} : sur 13 chiffres)' })
  ligne1?: string;
  @ApiPropertyOptional({ description: 'Ligne 2, même syntaxe' }) ligne2?: string;
}

export class BudgetSettingsDto {
  @ApiProperty() @Allow() code: string;
  @ApiProperty({ type: CollectiviteDoc }) @Allow() collectivite: Record<string, unknown>;
  @ApiPropertyOptional({ type: SignataireDoc }) @Allow() signataire?: Record<string, unknown>;
  @ApiProperty({ type: TresorerieDoc }) @Allow() tresorerie: Record<string, unknown>;
  @ApiProperty({ type: CentreEncaissementDoc, description: "Tiers 25 : centre d'encaissement" }) @Allow() centreEncaissement: Record<string, unknown>;
  @ApiProperty({ type: ModalitesDoc }) @Allow() modalites: Record<string, unknown>;
  @ApiPropertyOptional({ type: TalonTemplateDoc, description: 'Talon optique (norme HEL) : la clé n’est pas calculée par Passerelle' }) @Allow() talon?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [Number], description: 'Exercices clos dans Hélios (génération : avertissement)' }) @Allow() exercicesClos?: number[];
}

class DebtorDoc {
  @ApiProperty({ enum: CAT_TIERS, description: 'CatTiers' }) category: string;
  @ApiProperty({ enum: NAT_JUR, description: 'NatJur (paire permise par l’annexe 3 ; 00 refusé)' }) legalNature: string;
  @ApiPropertyOptional({ enum: CIVILITES, description: 'Obligatoire pour la catégorie 01, interdite sinon' }) civility?: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional() complName?: string;
  @ApiPropertyOptional({ description: 'Obligatoire pour la catégorie 01, interdit sinon' }) firstName?: string;
  @ApiPropertyOptional() siret?: string;
  @ApiProperty({ type: AddressDoc }) address: AddressDoc;
}

class TitreLineDoc {
  @ApiProperty({ description: 'CodProdLoc (4)' }) productCode: string;
  @ApiProperty() nature: string;
  @ApiPropertyOptional() fonction?: string;
  @ApiPropertyOptional() operation?: string;
  @ApiProperty() label: string;
  @ApiPropertyOptional({ example: '1' }) quantity?: string;
  @ApiPropertyOptional() unitPrice?: string;
  @ApiProperty({ example: '1250.00' }) amountHt: string;
  @ApiPropertyOptional({ example: '20' }) vatRate?: string;
  @ApiPropertyOptional() amountTva?: string;
}

class TalonLinesDoc {
  @ApiProperty({ description: 'Ligne 1 calculée par le logiciel comptable (60 : chiffres, majuscules, espaces)' }) ligne1: string;
  @ApiProperty() ligne2: string;
}

class PdfDoc {
  @ApiProperty({ example: 'convention.pdf' }) name: string;
  @ApiProperty({ description: 'Contenu en base64' }) base64: string;
}

export class TitreDto {
  @ApiPropertyOptional({ description: 'Référence du logiciel comptable (idempotence)' }) @Allow() ref?: string;
  @ApiProperty({ example: '2024-03-15' }) @Allow() issueDate: string;
  @ApiPropertyOptional({ description: "Exercice (par défaut l'année de la date d'émission)" }) @Allow() year?: number;
  @ApiProperty() @Allow() object: string;
  @ApiPropertyOptional({ example: '01' }) @Allow() typPce?: string;
  @ApiPropertyOptional({ example: '01' }) @Allow() natPce?: string;
  @ApiProperty({ enum: EDITIONS, description: 'Type ASAP : 01 à éditer, 02 CPP, 04 sans traitement DGFiP' }) @Allow() edition: string;
  @ApiPropertyOptional() @Allow() codServ?: string;
  @ApiProperty({ type: DebtorDoc }) @Allow() debtor: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'ASAP CPP : NumeroFacture (obligatoire pour Edition 02 ; 20 : lettres, chiffres, espace - + _ /)' }) @Allow() invoiceNumber?: string;
  @ApiPropertyOptional({ description: 'ASAP CPP : CodeService du débiteur (annuaire Chorus Pro)' }) @Allow() serviceCode?: string;
  @ApiPropertyOptional({ description: 'ASAP CPP : NomService (par défaut le libellé de l’annuaire)' }) @Allow() serviceName?: string;
  @ApiPropertyOptional({ description: "ASAP CPP : NumeroEngagement (engagement juridique)" }) @Allow() engagementNumber?: string;
  @ApiPropertyOptional({ description: 'ASAP CPP : NumeroMarche' }) @Allow() marketNumber?: string;
  @ApiPropertyOptional({ type: TalonLinesDoc, description: 'Talon optique calculé par le logiciel comptable (gardé tel quel)' }) @Allow() talon?: Record<string, unknown>;
  @ApiProperty({ type: [TitreLineDoc] }) @Allow() lines: Array<Record<string, unknown>>;
  @ApiPropertyOptional({ type: PdfDoc, description: 'PDF joint (PJ 008)' }) @Allow() pdf?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Modification sans nouveau PDF : garder celui déjà joint (pages)' }) @Allow() keepPdf?: boolean;
}

export class CreateTitreDto extends TitreDto {
  @ApiProperty({ description: 'Code du budget' }) @IsString() budget: string;
}

export class GenerateDto {
  @ApiProperty() @IsString() budget: string;
  @ApiPropertyOptional({ description: "Numéro d'un bordereau déjà généré (rien n'est régénéré : son fichier est rendu)" }) @IsOptional() @IsInt() bordereau?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() year?: number;
}

export class FileContentDto {
  @ApiProperty({ description: 'Le fichier reçu d’Hélios, encodé en base64' }) @IsString() contentBase64: string;
  @ApiPropertyOptional({ description: 'Nom du fichier reçu (gardé avec lui)' }) @IsOptional() @IsString() fileName?: string;
}
