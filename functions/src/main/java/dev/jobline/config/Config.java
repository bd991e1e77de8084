package dev.jobline.config;

import java.time.Duration;
import java.util.Map;

/** Everything the functions read from their environment, read once and checked. */
public record Config(
        String tableName,
        String queueUrl,
        int inFlightShards,
        Duration retention,
        Duration queuedStaleAfter,
        int maxPayloadBytes,
        Duration lease,
        Duration safetyMargin,
        int workerParallelism,
        int maxResultBytes) {

    public static Config from(Map<String, String> env) {
        return new Config(
                required(env, "TABLE_NAME"),
                required(env, "QUEUE_URL"),
                number(env, "IN_FLIGHT_SHARDS", 8, 1, 1000),
                Duration.ofDays(number(env, "RETENTION_DAYS", 7, 1, 3650)),
                Duration.ofSeconds(number(env, "QUEUED_STALE_SECONDS", 900, 10, 43_200)),
                number(env, "MAX_PAYLOAD_BYTES", 256 * 1024, 1, 350 * 1024),
                Duration.ofSeconds(number(env, "LEASE_SECONDS", 360, 2, 43_200)),
                Duration.ofMillis(number(env, "SAFETY_MARGIN_MILLIS", 5000, 0, 60_000)),
                number(env, "WORKER_PARALLELISM", 10, 1, 100),
                number(env, "MAX_RESULT_BYTES", 300 * 1024, 1, 350 * 1024));
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    private static int number(Map<String, String> env, String name, int fallback, int min, int max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw new IllegalStateException(name + " must be " + min + ".." + max + ", not " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalStateException(name + " must be a whole number, not '" + value + "'", e);
        }
    }
}
