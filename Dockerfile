# Gatehouse production image. Node 24 runs the repository's TypeScript directly (type stripping);
# Node refuses to strip types under node_modules, so the image carries the repository's own files
# (bin/, src/, protocols/) beside a production-only node_modules, never an installed package.
# test/container/production-install.test.ts builds the same tree (the COPY lines of the final
# stage, minus .dockerignore) with the same `npm ci` and starts `gatehouse serve` from it.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts run (none of them needs one).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY protocols ./protocols
# The image's own user: no root at run time, and it cannot rewrite the code it runs.
USER node
EXPOSE 3000 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/gatehouse.js"]
CMD ["serve"]
