# One image for the six Lapse apps; the command picks the app (APP=console|policy|access-tracking|requests|notifications|grant-worker).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# The grant workflow runs from a prebuilt bundle in production.
RUN node -r @swc-node/register tools/scripts/build-workflow-bundle.ts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
ENV APP=policy
CMD ["sh", "-c", "exec node -r reflect-metadata -r @swc-node/register apps/${APP}/src/main.ts"]
