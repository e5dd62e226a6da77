# Integration Hub: one image for the API, the worker and migrations (choose with the command).

# The console is a static build (Vite, a dev dependency): built here, copied into the image.
FROM node:20.20-bookworm-slim AS console
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY console ./console
RUN node node_modules/vite/bin/vite.js build --config console/vite.config.mts

FROM node:20.20-bookworm-slim

ENV NODE_ENV=production \
    HUB_DATA_DIR=/data
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY api ./api
COPY activities ./activities
COPY cli ./cli
COPY connectors ./connectors
COPY migrations ./migrations
COPY platform ./platform
COPY workflows ./workflows
COPY worker ./worker
COPY tsconfig.json ./
COPY --from=console /build/console/dist ./console/dist

# The workflow code, bundled once at build time: workers load it (TEMPORAL_WORKFLOW_BUNDLE) instead of
# running webpack at every start, and every replica of this image runs the same bytes.
RUN node node_modules/tsx/dist/cli.mjs worker/bundleWorkflowsMain.ts /app/dist/workflow-bundle.js
ENV TEMPORAL_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js

RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
