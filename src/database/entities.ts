import { DirectoryServiceEntity } from '@/directory/directory-service.entity';
import { DirectoryStructureEntity } from '@/directory/directory-structure.entity';
import { BordereauEntity } from '@/pes/bordereau.entity';
import { PesBudgetEntity } from '@/pes/pes-budget.entity';
import { TitreLineEntity } from '@/pes/titre-line.entity';
import { TitreEntity } from '@/pes/titre.entity';
// Every TypeORM entity, listed explicitly (no globs: the same list works from src/ under jest and from dist/).
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity } from '@/flows/flow.entity';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceWorksEntity } from '@/invoices/invoice-works.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { StatusOutboxEntity } from '@/status-return/status-outbox.entity';
import { StatusFlowEntity } from '@/status-return/status-flow.entity';
import { StructureServiceEntity } from '@/structures/structure-service.entity';
import { StructureEntity } from '@/structures/structure.entity';
import { StructureHistoryEntity } from '@/structures/structure-history.entity';
import { ReasonEntity } from '@/invoices/reason.entity';
import { ApiTokenEntity } from '@/users/api-token.entity';
import { SessionEntity } from '@/users/session.entity';
import { UserEntity } from '@/users/user.entity';

export const ENTITIES: Function[] = [
  StructureEntity,
  StructureServiceEntity,
  FlowEntity,
  FlowErrorEntity,
  InvoiceEntity,
  InvoiceLineEntity,
  InvoiceVatEntity,
  InvoiceAttachmentEntity,
  InvoiceAnomalyEntity,
  InvoiceValidationEntity,
  InvoiceHistoryEntity,
  StatusOutboxEntity,
  StatusFlowEntity,
  UserEntity,
  ApiTokenEntity,
  SessionEntity,
  ReasonEntity,
  DirectoryStructureEntity,
  DirectoryServiceEntity,
  PesBudgetEntity,
  TitreEntity,
  TitreLineEntity,
  BordereauEntity,
  StructureHistoryEntity,
  InvoiceWorksEntity,
];
