"""Stripe Billing behaviour that localstripe 1.15.10 lacks, added the way Stripe documents it.

The hub's monthly billing creates one-off invoices and must never charge twice, so its tests need:
- Idempotency-Key: the first result of a key is stored and replayed (header Idempotent-Replayed);
  the same key with other parameters is refused (400 idempotency_error); a key still being
  processed answers 409 (https://docs.stripe.com/api/idempotent_requests);
- one-off invoices: POST /v1/invoices without a subscription, with metadata, currency,
  collection_method, auto_advance and pending_invoice_items_behavior (default `exclude`, as in
  current API versions); localstripe only invoices subscriptions;
- invoice items created with `invoice=in_…` become lines of that draft invoice;
- POST /v1/invoices/{id}/finalize: draft -> open, with a `number`, a `hosted_invoice_url` (served
  by GET /_config/hosted/invoices/{id}) and the `invoice.finalized` event;
- `invoice.paid` next to `invoice.payment_succeeded`; a declined POST /v1/invoices/{id}/pay answers
  402 card_error card_declined and emits `invoice.payment_failed` (localstripe answered 200 and
  stayed silent).
"""
import contextlib
import hashlib
import itertools
import json

from aiohttp import web

import localstripe.resources as resources
from localstripe.errors import UserError
from localstripe.resources import (Customer, Event, Invoice, InvoiceItem,
                                   InvoiceLineItem, PaymentIntent,
                                   extra_apis)
from localstripe.server import api_extra, get_api_key

_base_url = {'value': 'http://127.0.0.1'}
_numbers = itertools.count(1)


class CardError(UserError):
    """A 402 whose error type is card_error, as Stripe answers declined charges."""

    def __init__(self, message, contents):
        UserError.__init__(self, 402, message, contents)
        self.body['error']['type'] = 'card_error'


# --- Idempotency-Key -------------------------------------------------------

_idempotent_results = {}
_in_flight = set()


def _stripe_error(status, message, code=None):
    body = {'error': {'type': 'idempotency_error', 'message': message}}
    if code:
        body['error']['code'] = code
    return web.json_response(body, status=status)


@web.middleware
async def idempotency_middleware(request, handler):
    key = request.headers.get('Idempotency-Key')
    if request.method != 'POST' or not key or \
            not request.path.startswith('/v1/'):
        return await handler(request)
    scope = (get_api_key(request) or '', key)
    body = await request.read()  # cached: the handler reads it again
    fingerprint = hashlib.sha256(
        request.method.encode() + b' ' + request.path_qs.encode() + b'\n' +
        body).hexdigest()
    stored = _idempotent_results.get(scope)
    if stored is not None:
        if stored['fingerprint'] != fingerprint:
            return _stripe_error(
                400, 'Keys for idempotent requests can only be used with the '
                'same parameters they were first used with. Try using a key '
                'other than \'%s\' if you meant to execute a different '
                'request.' % key)
        response = web.Response(status=stored['status'], body=stored['body'],
                                content_type='application/json')
        response.headers['Idempotent-Replayed'] = 'true'
        return response
    if scope in _in_flight:
        return _stripe_error(
            409, 'There is currently another in-progress request using this '
            'Idempotent Key (that probably means you submitted twice, and the '
            'other request is still going through): %s. Please try again '
            'later.' % key)
    _in_flight.add(scope)
    try:
        try:
            response = await handler(request)
        except UserError as error:
            response = error.to_response()
        if response.status != 429:
            _idempotent_results[scope] = {'fingerprint': fingerprint,
                                          'status': response.status,
                                          'body': response.body}
        return response
    finally:
        _in_flight.discard(scope)


# --- one-off invoices ------------------------------------------------------

_original_invoice_create = Invoice.__dict__['_api_create'].__func__
_original_item_list = InvoiceItem.__dict__['_api_list_all'].__func__
_exclude_pending = {'value': False}


def _item_list(cls, url, customer=None, limit=None, starting_after=None):
    listed = _original_item_list(cls, url, customer=customer, limit=limit,
                                 starting_after=starting_after)
    if _exclude_pending['value']:
        listed._list = []
    return listed


@contextlib.contextmanager
def _pending_items_excluded(excluded):
    _exclude_pending['value'] = excluded
    try:
        yield
    finally:
        _exclude_pending['value'] = False


def _as_bool(value, name):
    if value is None or isinstance(value, bool):
        return value
    if str(value).lower() in ('true', 'false'):
        return str(value).lower() == 'true'
    raise UserError(400, 'Invalid boolean: %s' % name)


def _invoice_create(cls, customer=None, subscription=None, tax_percent=None,
                    default_tax_rates=None, description=None, metadata=None,
                    pending_invoice_items_behavior=None, currency=None,
                    auto_advance=None, collection_method=None,
                    days_until_due=None):
    if subscription is not None:
        return _original_invoice_create(
            cls, customer=customer, subscription=subscription,
            tax_percent=tax_percent, default_tax_rates=default_tax_rates,
            description=description, metadata=metadata,
            pending_invoice_items_behavior=pending_invoice_items_behavior)
    behavior = pending_invoice_items_behavior or 'exclude'
    if behavior not in ('include', 'exclude'):
        raise UserError(400, 'Invalid pending_invoice_items_behavior')
    if collection_method not in (None, 'charge_automatically',
                                 'send_invoice'):
        raise UserError(400, 'Invalid collection_method')
    if metadata is not None and type(metadata) is not dict:
        raise UserError(400, 'Invalid metadata')
    auto_advance = _as_bool(auto_advance, 'auto_advance')
    with _pending_items_excluded(behavior == 'exclude'):
        invoice = cls(customer=customer, metadata=metadata,
                      description=description,
                      default_tax_rates=default_tax_rates)
    if currency:
        invoice.currency = currency.lower()
    invoice.collection_method = collection_method or 'charge_automatically'
    invoice.auto_advance = auto_advance if auto_advance is not None \
        else False
    invoice.days_until_due = days_until_due
    invoice.number = None
    invoice.hosted_invoice_url = None
    invoice.invoice_pdf = None
    return invoice


def _item_create(cls, **data):
    invoice_id = data.get('invoice')
    if invoice_id is not None:
        invoice = Invoice._api_retrieve(invoice_id)
        if invoice.status != 'draft':
            raise UserError(400, 'You can only add invoice items to draft '
                            'invoices.', {'code': 'invoice_not_editable'})
        if data.get('customer') != invoice.customer:
            raise UserError(400, 'The invoice item and the invoice must '
                            'belong to the same customer.')
    item = cls(**data)
    if invoice_id is not None:
        invoice.lines._list.append(InvoiceLineItem(item))
        invoice.currency = item.currency
    return item


# --- finalize, pay ---------------------------------------------------------

def _finalize_invoice(id, auto_advance=None, **kwargs):
    if kwargs:
        raise UserError(400, 'Unexpected ' + ', '.join(kwargs.keys()))
    invoice = Invoice._api_retrieve(id)
    if invoice.status != 'draft':
        raise UserError(400, 'This invoice is already finalized, you can\'t '
                        're-finalize a non-draft invoice.',
                        {'code': 'invoice_not_editable'})
    auto_advance = _as_bool(auto_advance, 'auto_advance')
    if auto_advance is not None:
        invoice.auto_advance = auto_advance
    invoice._finalize()
    invoice.number = 'HUB-%06d' % next(_numbers)
    invoice.hosted_invoice_url = '%s/_config/hosted/invoices/%s' % (
        _base_url['value'], invoice.id)
    invoice.invoice_pdf = invoice.hosted_invoice_url + '/pdf'
    resources.schedule_webhook(Event('invoice.finalized', invoice))
    return invoice


def _pay_invoice(id, **kwargs):
    invoice = Invoice._api_retrieve(id)
    if invoice.status == 'paid':
        raise UserError(400, 'Invoice is already paid',
                        {'code': 'invoice_already_paid'})
    if invoice.status not in ('draft', 'open'):
        raise UserError(400, 'Bad request')
    invoice._draft = False
    if invoice.total <= 0:
        invoice._on_payment_success()
        return invoice
    customer = Customer._api_retrieve(invoice.customer)
    method = customer._get_default_payment_method_or_source()
    if method is None:
        raise UserError(400, 'This customer has no attached payment source '
                        'or default payment method.')
    intent = PaymentIntent(amount=invoice.total, currency=invoice.currency,
                           customer=invoice.customer, payment_method=method.id)
    invoice.payment_intent = intent.id
    intent.invoice = invoice.id
    declined = {}

    def on_failure_now():
        declined['charge'] = intent.latest_charge.id
        invoice.attempt_count += 1
        invoice._on_payment_failure_now()

    intent._confirm(on_failure_now=on_failure_now)
    if declined:
        raise CardError('Your card was declined.',
                        {'code': 'card_declined',
                         'decline_code': 'generic_decline',
                         'charge': declined['charge']})
    return invoice


_original_success = Invoice._on_payment_success


def _on_payment_success(self):
    _original_success(self)
    resources.schedule_webhook(Event('invoice.paid', self))


async def hosted_invoice(request):
    invoice = Invoice._api_retrieve(request.match_info['id'])
    text = json.dumps({'id': invoice.id, 'number': invoice.number,
                       'status': invoice.status, 'total': invoice.total,
                       'currency': invoice.currency})
    return web.Response(text=text, content_type='application/json')


def install(app, base_url):
    """Patches localstripe's classes and adds routes and the middleware to `app` (before it starts)."""
    _base_url['value'] = base_url
    Invoice._api_create = classmethod(_invoice_create)
    InvoiceItem._api_list_all = classmethod(_item_list)
    InvoiceItem._api_create = classmethod(_item_create)
    Invoice._on_payment_success = _on_payment_success
    # The router matched /v1/invoices/{id}/pay already: point it at the patched function.
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        if route.method == 'POST' and \
                info.get('formatter') == '/v1/invoices/{id}/pay':
            route._handler = api_extra(_pay_invoice, '/v1/invoices/{id}/pay')
    extra_apis.append(('POST', '/v1/invoices/{id}/finalize',
                       _finalize_invoice))
    app.router.add_route('POST', '/v1/invoices/{id}/finalize',
                         api_extra(_finalize_invoice,
                                   '/v1/invoices/{id}/finalize'))
    app.router.add_get('/_config/hosted/invoices/{id}', hosted_invoice)
    app.middlewares.append(idempotency_middleware)
