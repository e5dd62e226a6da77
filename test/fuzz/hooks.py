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
import re
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
    # An OIDC answer whose state this hub never issued (or spent, or issued to another browser).
    ("GET /v1/auth/sso/oidc/callback", "STATE_INVALID", None, None),
    ("GET /v1/auth/sso/oidc/callback", "STATE_MISMATCH", None, None),
    # The break-glass user must be an active admin of the tenant: a well-formed id of someone else is refused.
    ("PUT /v1/identity/settings", "BREAK_GLASS_NOT_ADMIN", None, None),
    # Group names are unique compared case-insensitively ("Admins" and "admins" are one group).
    ("PUT /v1/identity/settings", "VALIDATION_FAILED", "body.groupRoles", "custom"),
    # IdP metadata is fetched from its URL when a connection is saved: what that address answers decides.
    ("POST /v1/identity/connections", "METADATA_UNREACHABLE", None, None),
    ("POST /v1/identity/connections", "METADATA_INVALID", None, None),
    ("PATCH /v1/identity/connections/{id}", "METADATA_UNREACHABLE", None, None),
    ("PATCH /v1/identity/connections/{id}", "METADATA_INVALID", None, None),
    # A PATCH may name only the fields of the stored connection's type (OIDC or SAML), which the body alone does not say.
    ("PATCH /v1/identity/connections/{id}", "FIELD_NOT_FOR_TYPE", None, None),
    # Only a connector of a definition moves, and only to another version of that definition.
    ("PATCH /v1/connectors/{id}", "TYPE_CHANGE_NOT_ALLOWED", None, None),
]

# Rules of a connector definition the published schema states only in words (docs/connectors.md):
# the {{ expression }} grammar of templates, the JSON Schema subset of config and credentials,
# unique stream names, parents that exist, no prototype key names.
DEFINITION_RULES = re.compile(r"^(template: |names a forbidden key|forbidden name|stream \".*\" is declared twice|no stream \"|a parent stream may not)")



@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() == "DELETE" and case.path == "/v1/api-keys/{id}" and str((case.path_parameters or {}).get("id")) == OWN_KEY_ID:
        case.path_parameters["id"] = str(uuid.uuid4())


def _error(response):
    content = response.content or b"{}"
    # The SSO pages answer a browser in HTML; their reason code sits in data-testid="sso-code".
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.startswith("text/html"):
        match = re.search(rb'data-testid="sso-code">([A-Z_]+)<', content)
        return {"code": match.group(1).decode()} if match else {}
    try:
        return json.loads(content).get("error") or {}
    except (ValueError, AttributeError):
        return {}


def _is_definition_rule(operation, response):
    if operation != "POST /v1/connector-definitions" or response.status_code != 400:
        return False
    error = _error(response)
    details = error.get("details") or []
    if error.get("code") != "DEFINITION_INVALID" or not details:
        return False
    return all(
        str(d.get("pointer", "")).startswith(("/config", "/credentials")) or DEFINITION_RULES.match(str(d.get("message", "")))
        for d in details
    )


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


def _is_idp_unreachable(case, response):
    # POST /v1/identity/connections/{id}/tests reads the identity provider's discovery document or
    # metadata first; the fuzzer's connections name providers that do not exist, so the documented
    # 502 IDP_UNREACHABLE is the right answer, not a server fault.
    return (
        case.method.upper() == "POST"
        and case.path == "/v1/identity/connections/{id}/tests"
        and response.status_code == 502
        and _error(response).get("code") == "IDP_UNREACHABLE"
    )


@schemathesis.hook
def filter_failure(context, failure, case, response):
    # False drops the failure. Only "schema-valid request rejected" (ST202) can be a semantic refusal.
    operation = f"{case.method.upper()} {case.path}"
    if failure.code == "ST202" and (_is_semantic_refusal(operation, response) or _is_definition_rule(operation, response)):
        return False
    if failure.code == "ST301" and _is_revoked_key(case, response):
        return False
    if failure.code == "ST101" and (_is_connector_test_pending(case, response) or _is_idp_unreachable(case, response)):
        return False
    return True
