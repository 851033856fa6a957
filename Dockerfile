# chatd in a container. Build: docker build -t chat .
# Run:   docker run -d -p 8080:8080 -v chat-data:/data chat
# (Provided but not tested with Docker on the machine it was written on; see README "Docker".)

# ---- build stage: compile better-sqlite3, the TypeScript sources and the web client --------------------------
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# the web client's sources and its esbuild script (npm run build bundles them into dist/web)
COPY web ./web
COPY scripts/build-web.mjs ./scripts/build-web.mjs
# npm ci runs the `prepare` script, which builds dist/; then drop the dev dependencies.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime stage ---------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DBURL=file:/data/chat.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/.well-known/healthcheck.json').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/chatd.js"]
