import { ConflictError, DomainError, ForbiddenError } from '@/common/errors/domain.error';
import { formatFrenchDate } from '@/common/money/french-format';

/**
 * THE state machine of a received invoice (issue 4). Nothing else decides transitions: services ask
 * `decide()`, which either returns the transition to apply or throws a DomainError with a stable code.
 *
 * Internal states are ours; the Chorus Pro status each transition produces goes to the outbox
 * (`status_outbox.target_status`) and the status read from Chorus Pro is kept beside (`invoices.cpp_status`).
 */
export const INVOICE_STATUSES = [
  'A_TRAITER',
  'FACTUREE',
  'SERVICE_FAIT',
  'MANDATEE',
  'REJETEE',
  'SUSPENDUE',
  'A_RECYCLER',
  'MISE_EN_PAIEMENT',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const STATUS_LABELS: Record<InvoiceStatus, string> = {
  A_TRAITER: 'À traiter',
  FACTUREE: 'Facturée',
  SERVICE_FAIT: 'Service fait',
  MANDATEE: 'Mandatée',
  REJETEE: 'Rejetée',
  SUSPENDUE: 'Suspendue',
  A_RECYCLER: 'À recycler',
  MISE_EN_PAIEMENT: 'Mise en paiement',
};

export type UserRole = 'agent' | 'tresorier' | 'admin';
/** Who acts: a person with a role, Chorus Pro itself (pull or pivot flow with Renvoi=Complétée), or Hélios (PES_DepenseRetour). */
export type ActorRole = UserRole | 'chorus-pro' | 'helios';

/** Actions offered to people (REST path segment, CLI subcommand, bulk `action`). */
export const USER_ACTIONS = [
  'record',
  'service-done',
  'mandate',
  'reject',
  'suspend',
  'recycle',
  'cancel-rejection',
  'end-suspension',
  'payment',
] as const;
export type UserAction = (typeof USER_ACTIONS)[number];
/** Events reported by Chorus Pro (InvoiceWorkflowPort.onChorusProStatus). */
export type ChorusProEvent = 'cpp-completed' | 'cpp-paid';
/** Events reported by Hélios (InvoiceWorkflowPort.onHeliosPayment): the comptable paid the mandat. */
export type HeliosEvent = 'helios-paid';
export type InvoiceAction = UserAction | ChorusProEvent | HeliosEvent;

/** Chorus Pro statuses a transition sends (traiterFactureRecue / CPPStatut). */
export type CppTargetStatus = 'SERVICE_FAIT' | 'MANDATEE' | 'REJETEE' | 'SUSPENDUE' | 'A_RECYCLER' | 'MISE_EN_PAIEMENT';

export interface TransitionRule {
  action: InvoiceAction;
  from: readonly InvoiceStatus[];
  to: InvoiceStatus;
  /** Chorus Pro status written to the outbox, null when Chorus Pro is not told (or told us). */
  produces: CppTargetStatus | null;
  /** A motif from the administrator's list is mandatory (rejeter, suspendre). */
  reasonRequired: boolean;
  roles: readonly ActorRole[];
  /** Allowed on an invoice whose recipient is unknown (anomaly UNKNOWN_RECIPIENT or no structure). */
  allowedForUnknownRecipient: boolean;
  /** History step (`invoice_history.step`) and its French label. */
  step: string;
  label: string;
  /** French verb for messages (« Impossible de mandater … »). */
  verb: string;
}

const STAFF: readonly ActorRole[] = ['agent', 'admin'];
const OPEN: readonly InvoiceStatus[] = ['A_TRAITER', 'FACTUREE', 'SERVICE_FAIT'];

export const TRANSITIONS: readonly TransitionRule[] = [
  { action: 'record', from: ['A_TRAITER'], to: 'FACTUREE', produces: null, reasonRequired: false, roles: STAFF, allowedForUnknownRecipient: false, step: 'RECORD', label: 'Facturation', verb: 'facturer' },
  { action: 'service-done', from: ['A_TRAITER'], to: 'SERVICE_FAIT', produces: 'SERVICE_FAIT', reasonRequired: false, roles: STAFF, allowedForUnknownRecipient: false, step: 'SERVICE_DONE', label: 'Service fait', verb: 'certifier le service fait de' },
  { action: 'mandate', from: OPEN, to: 'MANDATEE', produces: 'MANDATEE', reasonRequired: false, roles: STAFF, allowedForUnknownRecipient: false, step: 'MANDATE', label: 'Mandatement', verb: 'mandater' },
  { action: 'reject', from: OPEN, to: 'REJETEE', produces: 'REJETEE', reasonRequired: true, roles: STAFF, allowedForUnknownRecipient: true, step: 'REJECT', label: 'Rejet', verb: 'rejeter' },
  { action: 'suspend', from: OPEN, to: 'SUSPENDUE', produces: 'SUSPENDUE', reasonRequired: true, roles: STAFF, allowedForUnknownRecipient: false, step: 'SUSPEND', label: 'Suspension', verb: 'suspendre' },
  { action: 'recycle', from: ['A_TRAITER'], to: 'A_RECYCLER', produces: 'A_RECYCLER', reasonRequired: false, roles: STAFF, allowedForUnknownRecipient: true, step: 'RECYCLE', label: 'Recyclage', verb: 'recycler' },
  // Only while the REJETEE has not left for Chorus Pro (outbox row still pending): checked through `facts`.
  { action: 'cancel-rejection', from: ['REJETEE'], to: 'A_TRAITER', produces: null, reasonRequired: false, roles: STAFF, allowedForUnknownRecipient: true, step: 'CANCEL_REJECTION', label: 'Annulation du rejet', verb: 'annuler le rejet de' },
  { action: 'end-suspension', from: ['SUSPENDUE'], to: 'A_TRAITER', produces: null, reasonRequired: false, roles: STAFF, allowedForUnknownRecipient: false, step: 'END_SUSPENSION', label: 'Fin de suspension', verb: 'lever la suspension de' },
  { action: 'payment', from: ['MANDATEE'], to: 'MISE_EN_PAIEMENT', produces: 'MISE_EN_PAIEMENT', reasonRequired: false, roles: ['tresorier'], allowedForUnknownRecipient: false, step: 'PAYMENT', label: 'Mise en paiement', verb: 'mettre en paiement' },
  // Reported by Chorus Pro: the supplier completed a suspended invoice; the comptable paid it.
  { action: 'cpp-completed', from: ['SUSPENDUE'], to: 'A_TRAITER', produces: null, reasonRequired: false, roles: ['chorus-pro'], allowedForUnknownRecipient: true, step: 'END_SUSPENSION', label: 'Fin de suspension', verb: 'compléter' },
  { action: 'cpp-paid', from: ['MANDATEE'], to: 'MISE_EN_PAIEMENT', produces: null, reasonRequired: false, roles: ['chorus-pro'], allowedForUnknownRecipient: true, step: 'PAYMENT', label: 'Mise en paiement', verb: 'mettre en paiement' },
  // Reported by Hélios (PES_DepenseRetour, a PaiementEmargement « paiement réel »): the mandat was paid.
  { action: 'helios-paid', from: ['MANDATEE'], to: 'MISE_EN_PAIEMENT', produces: 'MISE_EN_PAIEMENT', reasonRequired: false, roles: ['helios'], allowedForUnknownRecipient: false, step: 'PAYMENT', label: 'Mise en paiement', verb: 'mettre en paiement' },
];

/**
 * « Comptable sous Hélios » (structure setting, default yes): Hélios itself sets these statuses in Chorus Pro once
 * the mandat reached the comptable, and a second writer makes Chorus Pro inconsistent. The transition is still
 * applied and recorded; only its outbox row is not written.
 */
export const HELIOS_OWNED_STATUSES: readonly string[] = ['MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT'];

/** The Chorus Pro status a transition writes to the outbox for this structure, or null. */
export function outboxStatus(rule: TransitionRule, structure: { heliosComptable: boolean }): CppTargetStatus | null {
  if (rule.produces && structure.heliosComptable && HELIOS_OWNED_STATUSES.includes(rule.produces)) return null;
  return rule.produces;
}

/**
 * What each person's action takes besides the invoice (the CLI offers exactly these options, the pages these
 * fields): a motif where the transition requires one, a free complement, the mandate's imputations and train.
 */
export type ActionInputField = 'reason' | 'complement' | 'imputations' | 'train';
export const ACTION_INPUTS: Readonly<Record<UserAction, readonly ActionInputField[]>> = {
  record: [],
  'service-done': [],
  mandate: ['imputations', 'train'],
  reject: ['reason', 'complement'],
  suspend: ['reason', 'complement'],
  recycle: ['complement'],
  'cancel-rejection': [],
  'end-suspension': [],
  payment: [],
};

/** Chorus Pro statuses (read from Chorus Pro) that move our internal state. Others are only recorded. */
export const CPP_STATUS_EVENTS: Readonly<Record<string, ChorusProEvent>> = {
  COMPLETEE: 'cpp-completed',
  MISE_EN_PAIEMENT: 'cpp-paid',
};

export function ruleOf(action: InvoiceAction): TransitionRule {
  const rule = TRANSITIONS.find((t) => t.action === action);
  if (!rule) throw new DomainError('UNKNOWN_ACTION', `Action inconnue : « ${action} »`);
  return rule;
}

export function isUserAction(value: string): value is UserAction {
  return (USER_ACTIONS as readonly string[]).includes(value);
}

/** What the machine needs to know about the invoice and the request; the caller reads it from the database. */
export interface TransitionFacts {
  status: string;
  role: ActorRole;
  unknownRecipient: boolean;
  reasonGiven: boolean;
  /** cancel-rejection: is the REJETEE still waiting in the outbox (not sent to Chorus Pro)? */
  rejectionPending?: boolean;
  /** suspend: the day ('YYYY-MM-DD') the invoice was already suspended, if it was (R2192-27: once only). */
  suspendedBeforeOn?: string | null;
}

/**
 * An invoice whose recipient is not one of our structures (no structure, or anomaly UNKNOWN_RECIPIENT): only the
 * transitions marked `allowedForUnknownRecipient` apply. Read by the workflow and sent with each listed invoice.
 */
export function isUnknownRecipient(invoice: { structureId: string | null; anomalyCodes: readonly string[] }): boolean {
  return invoice.structureId === null || invoice.anomalyCodes.includes('UNKNOWN_RECIPIENT');
}

function labelOf(status: string): string {
  return STATUS_LABELS[status as InvoiceStatus] ?? status;
}

/** The transition to apply, or a DomainError saying why not (stable codes, French messages). */
export function decide(action: InvoiceAction, facts: TransitionFacts): TransitionRule {
  const rule = ruleOf(action);
  if (!rule.roles.includes(facts.role)) {
    throw new ForbiddenError('ROLE_NOT_ALLOWED', `Votre rôle (${facts.role}) ne permet pas de ${rule.verb} une facture`, { action });
  }
  if (!rule.from.includes(facts.status as InvoiceStatus)) {
    throw new ConflictError(
      'TRANSITION_NOT_ALLOWED',
      `Impossible de ${rule.verb} une facture à l'état « ${labelOf(facts.status)} »`,
      { action, status: facts.status, allowedFrom: rule.from },
    );
  }
  if (facts.unknownRecipient && !rule.allowedForUnknownRecipient) {
    throw new ConflictError(
      'UNKNOWN_RECIPIENT_RESTRICTED',
      "Destinataire inconnu : cette facture peut seulement être recyclée ou rejetée",
      { action },
    );
  }
  if (action === 'cancel-rejection' && !facts.rejectionPending) {
    throw new ConflictError('REJECTION_ALREADY_SENT', 'Le rejet a déjà été transmis à Chorus Pro : il ne peut plus être annulé');
  }
  if (action === 'suspend' && facts.suspendedBeforeOn) {
    // R2192-27 du code de la commande publique: the payment delay is suspended once only.
    throw new ConflictError(
      'SUSPENSION_ALREADY_USED',
      `Le délai de paiement ne peut être suspendu qu'une seule fois (article R2192-27 du code de la commande publique) : cette facture a déjà été suspendue le ${formatFrenchDate(facts.suspendedBeforeOn)}`,
      { action, suspendedOn: facts.suspendedBeforeOn },
    );
  }
  if (rule.reasonRequired && !facts.reasonGiven) {
    throw new DomainError('REASON_REQUIRED', `Un motif est obligatoire pour ${rule.verb} une facture`, { action });
  }
  return rule;
}

/** Actions a given role may take now on an invoice (for the pages and the API's `actions` hint). */
export function availableActions(facts: Omit<TransitionFacts, 'reasonGiven'>): UserAction[] {
  return USER_ACTIONS.filter((action) => {
    try {
      decide(action, { ...facts, reasonGiven: true });
      return true;
    } catch {
      return false;
    }
  });
}
