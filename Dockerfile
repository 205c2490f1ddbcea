# The abx image that `abx fleet` runs as each shard (one container per shard):
#   docker build -t abx .
#   docker run --rm abx -n 100 -c 10 http://host.docker.internal:8080/
# Build stage: install every dependency and compile TypeScript (npm ci runs the
# "prepare" script, which is tsc), then drop the dev dependencies.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY schema ./schema
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: Node, the compiled CLI and its production dependencies only.
FROM node:20-slim
ENV NODE_ENV=production NO_COLOR=1
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
COPY --from=build /app/bin ./bin
# Load generation needs no privileges.
USER node
ENTRYPOINT ["node", "/app/bin/abx.js"]
