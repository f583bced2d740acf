// Every TypeORM entity, listed explicitly (no globs: the same list works from src/ under jest and from dist/).
import { FlowErrorEntity } from '@/flows/flow-error.entity';
import { FlowEntity } from '@/flows/flow.entity';
import { InvoiceAnomalyEntity } from '@/invoices/invoice-anomaly.entity';
import { InvoiceAttachmentEntity } from '@/invoices/invoice-attachment.entity';
import { InvoiceHistoryEntity } from '@/invoices/invoice-history.entity';
import { InvoiceLineEntity } from '@/invoices/invoice-line.entity';
import { InvoiceValidationEntity } from '@/invoices/invoice-validation.entity';
import { InvoiceVatEntity } from '@/invoices/invoice-vat.entity';
import { InvoiceEntity } from '@/invoices/invoice.entity';
import { StatusOutboxEntity } from '@/status-return/status-outbox.entity';
import { StructureServiceEntity } from '@/structures/structure-service.entity';
import { StructureEntity } from '@/structures/structure.entity';

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
];
