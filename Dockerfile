# One image for the app, the worker and the one-shot migrate/seed jobs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# The SDK packages are npm workspaces: npm ci links them and builds them (the root prepare script).
COPY sdk ./sdk
RUN npm ci
COPY . .
RUN npx next build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000 8787 9464
CMD ["npx", "next", "start", "-H", "0.0.0.0", "-p", "3000"]
