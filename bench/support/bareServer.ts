import express from 'express';

/**
 * The baseline of the API benchmarks: a bare Express 5 app answering the same JSON shape with no
 * middleware, no auth and no database. Started as its own process, like the real API.
 */
const app = express();
const body = {
  tenant: {
    id: '00000000-0000-4000-8000-000000000000',
    slug: 'bench',
    name: 'Bench',
    plan: 'starter',
    status: 'active',
    settings: {},
    branding: {},
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  },
};
// A page of 25 users, shaped like GET /v1/users (the authenticatedList baseline).
const usersPage = {
  data: Array.from({ length: 25 }, (_, index) => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    email: `user${index}@bench.test`,
    name: `Bench user ${index}`,
    role: 'member',
    status: 'invited',
    lastActiveAt: null,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  })),
  pagination: { page: 1, limit: 25, total: 25, totalPages: 1 },
};
// A page of 25 record changes, shaped like GET /v1/records (the apiLatency baseline).
const recordsPage = {
  data: Array.from({ length: 25 }, (_, index) => ({
    externalId: String(index).padStart(8, '0'),
    stream: 'medications',
    connectorId: '00000000-0000-4000-8000-000000000000',
    data: { name: `Medication ${index}`, ndc: `0000-${index}`, qty: index },
    sourceUpdatedAt: new Date(0).toISOString(),
    deletedAt: null,
    syncedAt: new Date(0).toISOString(),
    firstSeenAt: new Date(0).toISOString(),
  })),
  nextCursor: 'cjE6MC4yNQ',
  hasMore: true,
};
app.get('/v1/users', (_req, res) => {
  res.json(usersPage);
});
app.get('/v1/records', (_req, res) => {
  res.json(recordsPage);
});
app.get(/.*/, (_req, res) => {
  res.json(body);
});
// Express 5 calls the listen callback with the server's error too (a taken port): fail, don't report ready.
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', (error?: Error) => {
  if (error) throw error;
  const address = server.address();
  console.log(`bare express listening on ${typeof address === 'object' && address ? address.port : '?'}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
