# The emulator's image: build (TypeScript and better-sqlite3 from source) in one stage, run from a slim one.

FROM node:22-bookworm-slim AS build
# better-sqlite3 compiles its native module here: prebuilt binaries come from GitHub, which a
# build may not reach, so it is always built from source against the image's own Node headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    npm_config_build_from_source=true \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are skipped, then better-sqlite3's alone is run: the same on every npm, whether or
# not it knows package.json's "allowScripts" approval, and the module is compiled once, explicitly.
# Loading it proves the build, so a broken image fails here, not at run time.
RUN npm ci --ignore-scripts \
 && npm rebuild better-sqlite3 \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
# scripts/build.mjs is what `npm run build` runs: the build needs it as much as the sources.
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    EC2_EMULATOR_HOST=0.0.0.0 \
    EC2_EMULATOR_PORT=4580
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY fixtures ./fixtures
COPY docker/entrypoint.sh /usr/local/bin/ec2-capacity-emulator-entrypoint
USER node
EXPOSE 4580
# node, not curl: the slim image has no curl, and the port follows EC2_EMULATOR_PORT.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.EC2_EMULATOR_PORT||4580)+'/_emulator/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["ec2-capacity-emulator-entrypoint"]
CMD []
