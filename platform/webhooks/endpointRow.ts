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
  /** Concurrent requests allowed (null: WEBHOOK_MAX_IN_FLIGHT); migration 20261204120000. */
  max_in_flight: number | null;
  /** Requests per second allowed (null: unlimited). */
  rate_limit_per_second: number | null;
  /** FIFO by event time, one request at a time. */
  ordered: boolean;
  breaker_state: 'closed' | 'open' | 'half_open';
  breaker_opened_at: Date | null;
}

/** A row of `webhook_deliveries`: one event to one endpoint; due while `next_attempt_at` is set. */
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
  event_seq: string | null;
  event_occurred_at: Date | null;
  /** What the next attempt is: `auto`, or `manual:<retryId>` (a re-send of a finished delivery). */
  next_intent: string;
  next_trigger: 'automatic' | 'manual';
  /** Set while a drain has the delivery in flight. */
  claimed_at: Date | null;
  /** A re-send asked for while an attempt was in flight (its retry id). */
  retry_requested: string | null;
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
