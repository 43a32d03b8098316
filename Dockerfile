# Production image for the API, the worker and the simulators (one image, one command each).
# Multi-stage: dependencies are installed in a build stage; the runtime stage runs as a non-root user.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` honours the lock exactly; see scripts/ensure-deps.js for why not `npm ci`.
RUN npm install --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
USER node
EXPOSE 3000
# The compose file picks the entry point: src/bin/api.ts, src/bin/worker.ts, ...
CMD ["node", "--import", "tsx", "src/bin/api.ts"]
