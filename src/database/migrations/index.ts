import { Initial1700000000000 } from '@/database/migrations/1700000000000-initial';
import { ChorusProPull1700000003000 } from '@/database/migrations/1700000003000-chorus-pro-pull';
import { InvoiceWorkflow1700000004000 } from '@/database/migrations/1700000004000-invoice-workflow';
import { StatusReturn1700000005000 } from '@/database/migrations/1700000005000-status-return';
import { PesAsap1700000006000 } from '@/database/migrations/1700000006000-pes-asap';
import { WebListSorts1700000007000 } from '@/database/migrations/1700000007000-web-list-sorts';
import { CreditNoteLinks1700000008000 } from '@/database/migrations/1700000008000-credit-note-links';
import { AttachmentPackKeys1700000009000 } from '@/database/migrations/1700000009000-attachment-pack-keys';
import { FlowStructures1700000010000 } from '@/database/migrations/1700000010000-flow-structures';
import { ApiTokenIssuer1700000010100 } from '@/database/migrations/1700000010100-api-token-issuer';
import { StructureReasons1700000010200 } from '@/database/migrations/1700000010200-structure-reasons';
import { PullOutcomes1700000011000 } from '@/database/migrations/1700000011000-pull-outcomes';
import { PesV517Titres1700000012000 } from '@/database/migrations/1700000012000-pes-v517-titres';
import { PesBordereauxDomain1700000012100 } from '@/database/migrations/1700000012100-pes-bordereaux-domain';
import { PesBordereauErrorsOrder1700000012200 } from '@/database/migrations/1700000012200-pes-bordereau-errors-order';
import { ReceptionSort1700000013000 } from '@/database/migrations/1700000013000-reception-sort';
import { DepenseHelios1700000014000 } from '@/database/migrations/1700000014000-depense-helios';
import { PaymentClock1700000014500 } from '@/database/migrations/1700000014500-payment-clock';
import { StructureSync1700000015400 } from '@/database/migrations/1700000015400-structure-sync';
import { WorksInvoices1700000015500 } from '@/database/migrations/1700000015500-works-invoices';
import { MillionInvoices1700000015800 } from '@/database/migrations/1700000015800-million-invoices';
import { FlowRawPackKeys1700000016000 } from '@/database/migrations/1700000016000-flow-raw-pack-keys';
import { EngagementOrService1700000016100 } from '@/database/migrations/1700000016100-engagement-or-service';
// Migrations in order of their timestamp. Never `synchronize` outside tests' throwaway databases.

export const MIGRATIONS = [
  Initial1700000000000,
  ChorusProPull1700000003000,
  InvoiceWorkflow1700000004000,
  StatusReturn1700000005000,
  PesAsap1700000006000,
  WebListSorts1700000007000,
  CreditNoteLinks1700000008000,
  AttachmentPackKeys1700000009000,
  FlowStructures1700000010000,
  ApiTokenIssuer1700000010100,
  StructureReasons1700000010200,
  PullOutcomes1700000011000,
  PesV517Titres1700000012000,
  PesBordereauxDomain1700000012100,
  PesBordereauErrorsOrder1700000012200,
  ReceptionSort1700000013000,
  DepenseHelios1700000014000,
  PaymentClock1700000014500,
  StructureSync1700000015400,
  WorksInvoices1700000015500,
  MillionInvoices1700000015800,
  FlowRawPackKeys1700000016000,
  EngagementOrService1700000016100,
];
