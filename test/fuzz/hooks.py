"""Schemathesis hooks of the API fuzz run (test/fuzz/apiFuzz.test.ts loads them via SCHEMATHESIS_HOOKS).

Two things the OpenAPI document cannot carry are handled here, each narrowly:

- The fuzzer calls every tenant operation with one admin key. Revoking that key would turn the
  rest of the run into 401s, so a revocation aimed at it is sent to an id that does not exist
  instead (still a schema-valid request, answered 404).
- A few server rules depend on state or on the clock, which JSON Schema cannot state (the
  document describes each in words): a schema-valid request refused by exactly one of them is not
  a finding. SEMANTIC_REFUSALS lists them by operation, error code and the field named; any other
  refusal of a schema-valid request still fails the run.
"""

import json
import os
import uuid

import schemathesis

OWN_KEY_ID = os.environ.get("FUZZ_OWN_KEY_ID", "")

# (operation, error code, field path prefix or None, detail code or None): refusals of
# schema-valid requests that only state or time decide.
SEMANTIC_REFUSALS = [
    # A cursor has the documented form but was not written by this API (it names no feed position).
    ("GET /v1/records", "INVALID_CURSOR", "query.cursor", None),
    # "must be in the future", the tenant's key lifetime, the creating key's own expiry.
    ("POST /v1/api-keys", "VALIDATION_FAILED", "body.expiresAt", None),
    ("POST /v1/api-keys", "KEY_LIFETIME_EXCEEDED", None, None),
    # "from must be before to", "at most 400 days".
    ("GET /v1/usage", "VALIDATION_FAILED", "query.from", None),
    # A new config or credentials are checked against the schemas of the stored connector's type,
    # and a changed URL needs credentials: the body alone does not say which type that is.
    ("PATCH /v1/connectors/{id}", "VALIDATION_FAILED", "body.config", None),
    ("PATCH /v1/connectors/{id}", "VALIDATION_FAILED", "body.credentials", None),
    ("PATCH /v1/connectors/{id}", "CREDENTIALS_REQUIRED", None, None),
    # The streams a connector offers depend on its type and config.
    ("POST /v1/connectors/{id}/syncs", "UNKNOWN_STREAM", None, None),
    # A job kind's rules across its parameters (either uploadId or connectorId, the mapping's
    # fields for the target, confirm for a restore in place), described in each kind's parameters.
    ("POST /v1/jobs", "VALIDATION_FAILED", "body.params", "custom"),
    # A cron expression of five well-formed fields whose values Temporal refuses (day-of-month 0):
    # the schedule engine's own parser decides.
    ("PUT /v1/connectors/{id}/schedule", "VALIDATION_FAILED", "body.cron", "invalid_format"),
    # An IP allowlist must include the caller's own address (it would lock the key out).
    ("PATCH /v1/tenant", "IP_ALLOWLIST_LOCKOUT", None, None),
    # A one-time link token has the documented form but was never issued (or was used, or expired).
    ("POST /v1/auth/invitations/accept", "LINK_INVALID", None, None),
    ("POST /v1/auth/password-resets/complete", "LINK_INVALID", None, None),
]


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() == "DELETE" and case.path == "/v1/api-keys/{id}" and str((case.path_parameters or {}).get("id")) == OWN_KEY_ID:
        case.path_parameters["id"] = str(uuid.uuid4())


def _error(response):
    try:
        return json.loads(response.content or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        return {}


def _is_semantic_refusal(operation, response):
    if response.status_code != 400:
        return False
    error = _error(response)
    details = error.get("details") or []
    for rule_operation, code, field, detail_code in SEMANTIC_REFUSALS:
        if rule_operation != operation or error.get("code") != code:
            continue
        if field is None:
            return True
        # Every detail must be of the rule: one more problem in the same answer is a finding.
        if details and all(str(d.get("path", "")).startswith(field) and (detail_code is None or d.get("code") == detail_code) for d in details):
            return True
    return False


def _is_revoked_key(case, response):
    # DELETE /v1/api-keys/{id} revokes: the key stays readable, as documented, with status "revoked"
    # (the record of who could call the API when); it never authenticates again.
    if case.method.upper() != "GET" or case.path != "/v1/api-keys/{id}" or response.status_code != 200:
        return False
    try:
        return json.loads(response.content or b"{}").get("apiKey", {}).get("status") == "revoked"
    except (ValueError, AttributeError):
        return False


def _is_connector_test_pending(case, response):
    # POST /v1/connectors/{id}/test waits CONNECTOR_TEST_TIMEOUT for the connector's system and
    # then answers the documented 503 CONNECTOR_TEST_PENDING: the fuzzer's connectors point at
    # systems that do not answer. Not a server error.
    return case.method.upper() == "POST" and case.path == "/v1/connectors/{id}/test" and response.status_code == 503 and _error(response).get("code") == "CONNECTOR_TEST_PENDING"


@schemathesis.hook
def filter_failure(context, failure, case, response):
    # False drops the failure. Only "schema-valid request rejected" (ST202) can be a semantic refusal.
    if failure.code == "ST202" and _is_semantic_refusal(f"{case.method.upper()} {case.path}", response):
        return False
    if failure.code == "ST301" and _is_revoked_key(case, response):
        return False
    if failure.code == "ST101" and _is_connector_test_pending(case, response):
        return False
    return True
