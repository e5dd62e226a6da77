/** A row of `webhook_endpoints` (migration 20261121080000). */
export interface WebhookEndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  events: string[];
  status: 'enabled' | 'disabled';
  disabled_reason: 'manual' | 'gone' | 'failing' | null;
  disabled_at: Date | null;
  secret_ciphertext: string;
  secret_key_id: string;
  failing_since: Date | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of `webhook_deliveries`: one event to one endpoint. */
export interface WebhookDeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  attempts: number;
  workflow_id: string;
  workflow_started_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  succeeded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A row of `webhook_attempts`: one HTTP request (or an attempt a lost worker left unfinished). */
export interface WebhookAttemptRow {
  id: string;
  tenant_id: string;
  delivery_id: string;
  attempt: number;
  intent: string;
  trigger: 'automatic' | 'manual';
  outcome: 'in_flight' | 'succeeded' | 'failed' | 'interrupted';
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  retry_after_ms: number | null;
  started_at: Date;
  finished_at: Date | null;
}
