import { MigrationInterface, QueryRunner } from 'typeorm';

// Foundation schema: structures, flows and received invoices (issue "Ingest Chorus Pro pivot flows").
// Money columns are numeric(24,6): the pivot carries up to 6 decimals.
export class Initial1700000000000 implements MigrationInterface {
  name = 'Initial1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE structures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        siret varchar(14) NOT NULL UNIQUE,
        name varchar NOT NULL,
        service_required boolean NOT NULL DEFAULT false,
        engagement_required boolean NOT NULL DEFAULT false,
        payment_delay_days int NOT NULL DEFAULT 30,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE structure_services (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        structure_id uuid NOT NULL REFERENCES structures(id) ON DELETE CASCADE,
        code varchar(100) NOT NULL,
        label varchar NOT NULL,
        active boolean NOT NULL DEFAULT true,
        UNIQUE (structure_id, code)
      )`);
    await q.query(`
      CREATE TABLE flows (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sha256 char(64) NOT NULL UNIQUE,
        file_name varchar NOT NULL,
        source varchar(20) NOT NULL,
        size bigint NOT NULL,
        storage_key char(64) NOT NULL,
        status varchar(20) NOT NULL,
        version varchar(20),
        id_flx varchar(100),
        dt_prd varchar(30),
        sender_id varchar(100),
        sender_label varchar,
        receiver_id varchar(100),
        receiver_label varchar,
        envelope jsonb,
        invoice_count int NOT NULL DEFAULT 0,
        error_code varchar(50),
        error_message text,
        received_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX flows_received_at_idx ON flows (received_at DESC)`);
    await q.query(`
      CREATE TABLE flow_errors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        flow_id uuid NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
        num_ordre int,
        invoice_number varchar,
        recipient_siret varchar(14),
        code varchar(50) NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX flow_errors_flow_idx ON flow_errors (flow_id)`);
    await q.query(`
      CREATE TABLE invoices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        flow_id uuid NOT NULL REFERENCES flows(id),
        num_ordre int NOT NULL,
        structure_id uuid REFERENCES structures(id),
        supplier_id_type varchar(10) NOT NULL,
        supplier_id varchar(100) NOT NULL,
        supplier_name varchar NOT NULL,
        supplier_country varchar(2),
        supplier_emission_mode varchar(50),
        bank_type varchar(20),
        bank_account varchar(100),
        bank_establishment varchar,
        bank_holder varchar,
        debtor_id_type varchar(10) NOT NULL,
        debtor_id varchar(100) NOT NULL,
        debtor_name varchar,
        service_code varchar(100),
        service_name varchar,
        number varchar(100) NOT NULL,
        invoice_year int NOT NULL,
        cpro_id varchar(100),
        renvoi varchar(50),
        origin_number varchar(100),
        origin_invoice_id uuid REFERENCES invoices(id),
        type varchar(3) NOT NULL,
        cadre varchar(10) NOT NULL,
        issue_date date NOT NULL,
        delivery_date date,
        reception_date date NOT NULL,
        moe_date date,
        currency varchar(3),
        payment_mode_code varchar(10),
        payment_mode_label varchar,
        amount_ht numeric(24,6) NOT NULL,
        amount_ttc numeric(24,6) NOT NULL,
        net_amount numeric(24,6) NOT NULL,
        market_number varchar(100),
        engagement_number varchar(100),
        status varchar(30) NOT NULL DEFAULT 'A_TRAITER',
        cpp_status varchar(50),
        anomaly_codes text[] NOT NULL DEFAULT '{}',
        due_date date,
        suspended_since timestamptz,
        attachment_count int NOT NULL DEFAULT 0,
        received_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        row_version int NOT NULL DEFAULT 1
      )`);
    // Duplicates are never stored twice: same IdCPRO, or same supplier + number + year.
    await q.query(`CREATE UNIQUE INDEX invoices_cpro_id_uq ON invoices (cpro_id) WHERE cpro_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX invoices_supplier_number_year_uq ON invoices (supplier_id, number, invoice_year)`);
    await q.query(`CREATE INDEX invoices_status_idx ON invoices (status, received_at DESC, id)`);
    await q.query(`CREATE INDEX invoices_structure_idx ON invoices (structure_id, received_at DESC, id)`);
    await q.query(`CREATE INDEX invoices_flow_idx ON invoices (flow_id)`);
    await q.query(`CREATE INDEX invoices_received_idx ON invoices (received_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE invoice_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        num_ordre int NOT NULL,
        product_ref varchar,
        unit_price numeric(24,6) NOT NULL,
        quantity numeric(24,6) NOT NULL,
        amount_ht numeric(24,6) NOT NULL,
        vat_rate numeric(12,6)
      )`);
    await q.query(`CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (invoice_id)`);
    await q.query(`
      CREATE TABLE invoice_vats (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        rate numeric(12,6) NOT NULL,
        base_ht numeric(24,6) NOT NULL,
        amount numeric(24,6) NOT NULL
      )`);
    await q.query(`CREATE INDEX invoice_vats_invoice_idx ON invoice_vats (invoice_id)`);
    await q.query(`
      CREATE TABLE invoice_attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        flow_id uuid NOT NULL REFERENCES flows(id),
        num_ordre int NOT NULL,
        id_unique varchar,
        id_original varchar,
        name varchar NOT NULL,
        original_name varchar,
        category varchar,
        type varchar(2) NOT NULL,
        mime_type varchar NOT NULL,
        entry_name varchar,
        size bigint,
        sha256 char(64),
        storage_key char(64),
        error_message text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invoice_attachments_invoice_idx ON invoice_attachments (invoice_id)`);
    await q.query(`
      CREATE TABLE invoice_anomalies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        code varchar(50) NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invoice_anomalies_invoice_idx ON invoice_anomalies (invoice_id)`);
    await q.query(`CREATE INDEX invoice_anomalies_created_idx ON invoice_anomalies (created_at)`);
    await q.query(`
      CREATE TABLE invoice_validations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        flow_id uuid NOT NULL REFERENCES flows(id),
        status_date date NOT NULL,
        status_code varchar(10) NOT NULL,
        complement varchar,
        comment text,
        producer jsonb
      )`);
    await q.query(`CREATE INDEX invoice_validations_invoice_idx ON invoice_validations (invoice_id)`);
    await q.query(`
      CREATE TABLE invoice_history (
        id bigserial PRIMARY KEY,
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        step varchar(50) NOT NULL,
        label varchar NOT NULL,
        actor varchar NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        from_status varchar(30),
        to_status varchar(30),
        flow_id uuid REFERENCES flows(id),
        details jsonb
      )`);
    await q.query(`CREATE INDEX invoice_history_invoice_idx ON invoice_history (invoice_id, id)`);
    // Outbox of statuses owed to Chorus Pro: written in the same transaction as the state change and its
    // history step; sent in (invoice_id, id) order by the status-return module (API or CPPStatut file).
    await q.query(`
      CREATE TABLE status_outbox (
        id bigserial PRIMARY KEY,
        invoice_id uuid NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        structure_id uuid REFERENCES structures(id),
        target_status varchar(30) NOT NULL,
        reason text,
        mandate_number varchar(50),
        history_id bigint REFERENCES invoice_history(id),
        state varchar(20) NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        sent_via varchar(10),
        status_flow_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX status_outbox_pending_idx ON status_outbox (state, next_attempt_at, invoice_id, id)`);
    await q.query(`CREATE INDEX status_outbox_invoice_idx ON status_outbox (invoice_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'status_outbox',
      'invoice_history',
      'invoice_validations',
      'invoice_anomalies',
      'invoice_attachments',
      'invoice_vats',
      'invoice_lines',
      'invoices',
      'flow_errors',
      'flows',
      'structure_services',
      'structures',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
