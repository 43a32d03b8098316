# One image for the API, the worker, the one-shot namespace preparation and the simulators; the
# compose file (or your orchestrator) picks the entry point. README "Running in production".
#
# Stage 1 installs every dependency from the lock file and prebuilds the workflow bundle, so a worker
# starts without running webpack; then it drops the development dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
RUN npm run build:workflow-bundle -- /app/dist/workflow-bundle.js \
 && npm prune --omit=dev --no-audit --no-fund

# Stage 2: what runs. No compilers, no test tools, not root.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
COPY package.json tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
# The Faspay simulator keeps its generated keys here; a compose volume mounted on it shares them with
# the worker and the API. Owned by the runtime user so the volume is writable.
RUN mkdir -p /app/.data/faspay-simulator && chown -R node:node /app/.data
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/bin/api.ts"]
