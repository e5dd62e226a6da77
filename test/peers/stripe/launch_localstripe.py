"""Runs localstripe (pinned, from .tools/localstripe-<version>) for the hub's Stripe peer.

Differences from `localstripe --port N`, all about running it inside a test suite:
- listens on 127.0.0.1 only (localstripe binds every interface);
- keeps its store in memory: localstripe pickles the whole store to /tmp/localstripe.pickle after
  every write, a file parallel runs would share, and a cost that grows with every object;
- adds POST /_config/seed/customers {"count": N} that creates N customers with localstripe's own
  Customer class (creating 5,000 over HTTP one by one takes seconds);
- adds POST /_config/events/{id}/created {"created": unix seconds} that restamps an event, as one
  the Events API makes visible late, after newer ones were listed;
- exits when its parent closes stdin, so a crashed test run leaves nothing behind;
- adds the Stripe Billing behaviour the hub's billing needs and localstripe lacks (idempotency
  keys, one-off invoices, finalize, invoice.paid / payment_failed): see billing_extensions.py.
"""
import argparse
import os
import sys
import threading

from aiohttp import web

import localstripe.resources as resources

resources.Store.dump_to_disk = lambda self: None

from localstripe.resources import Customer  # noqa: E402
from localstripe.server import app  # noqa: E402

sys.dont_write_bytecode = True  # nothing written next to the sources
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import billing_extensions  # noqa: E402


async def seed_customers(request):
    data = await request.json()
    count = int(data.get('count', 0))
    prefix = str(data.get('prefix', 'Customer'))
    ids = []
    for index in range(count):
        customer = Customer(name='%s %d' % (prefix, index + 1),
                            email='customer%d@example.test' % (index + 1),
                            metadata={'seq': str(index + 1)})
        ids.append(customer.id)
    return web.json_response({'created': len(ids), 'ids': ids})


async def restamp_event(request):
    data = await request.json()
    event = resources.store.get('event:' + request.match_info['id'])
    if event is None:
        return web.json_response({'error': {'message': 'No such event'}}, status=404)
    event.created = int(data['created'])
    return web.json_response({'id': event.id, 'created': event.created})


def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args()
    app.router.add_post('/_config/seed/customers', seed_customers)
    app.router.add_post('/_config/events/{id}/created', restamp_event)
    billing_extensions.install(app, 'http://127.0.0.1:%d' % args.port)
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    print('localstripe listening on 127.0.0.1:%d' % args.port, flush=True)
    web.run_app(app, host='127.0.0.1', port=args.port, access_log=None,
                print=None)


if __name__ == '__main__':
    main()
