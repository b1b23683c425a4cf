import { randomBytes } from "node:crypto";

/** Where tests find the real services; CI starts both before the tests. */
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const TEST_TOKEN_SECRET = "test-secret-not-for-production";

/**
 * A namespace of its own for one test: streams, subjects, consumers, buckets
 * and the Postgres schema all carry it, so runs never see each other.
 */
export function uniqueNamespace(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

/** Environment shared by every service of one test's deployment. */
export function baseEnv(namespace: string): Record<string, string> {
  return {
    NATS_URL: TEST_NATS_URL,
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: namespace,
    PARLEY_NAMESPACE: namespace,
    PARLEY_PARTITIONS: "4",
    PARLEY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "info",
    SHUTDOWN_DEADLINE_MS: "5000",
  };
}
