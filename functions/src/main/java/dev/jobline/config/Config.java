package dev.jobline.config;

import dev.jobline.store.ItemBudget;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Everything the functions read from their environment, read once and checked. */
public record Config(
        String tableName,
        String queueUrl,
        String highPriorityQueueUrl,
        String deadLetterQueueUrl,
        String deadLetterQueueArn,
        int inFlightShards,
        Duration retention,
        Duration queuedStaleAfter,
        int maxPayloadBytes,
        Duration lease,
        Duration visibility,
        Duration safetyMargin,
        int workerParallelism,
        int maxResultBytes,
        int tenantMaxInFlight,
        int tenantMaxRunning,
        int tenantSubmitsPerMinute,
        String adminScope,
        String webhooksQueueUrl,
        String webhooksDeadLetterQueueArn,
        SigningKey webhookSigningKey,
        boolean webhookAllowPrivateHosts,
        int webhookMaxAttempts,
        int memoryMb,
        String metricsService,
        Duration pausedRecheck,
        String schedulesTableName,
        Duration scheduleMinRate,
        Duration scheduleLookahead,
        int reconcileReadUnitsPerSecond,
        Duration reconcileStaleAfter) {

    /** Set by Lambda itself to the function's MemorySize: what a job's compute is priced at. */
    public static final String MEMORY_SIZE = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE";

    /** Every variable {@link #from} reads; the template checks hold functions to this list. */
    public static final List<String> REQUIRED = List.of("TABLE_NAME", "QUEUE_URL");
    public static final List<String> OPTIONAL = List.of("HIGH_PRIORITY_QUEUE_URL", "DEAD_LETTER_QUEUE_URL",
            "DEAD_LETTER_QUEUE_ARN", "IN_FLIGHT_SHARDS", "RETENTION_DAYS", "QUEUED_STALE_SECONDS", "MAX_PAYLOAD_BYTES",
            "LEASE_SECONDS", "VISIBILITY_SECONDS", "SAFETY_MARGIN_MILLIS", "WORKER_PARALLELISM", "MAX_RESULT_BYTES", "TENANT_MAX_IN_FLIGHT",
            "TENANT_MAX_RUNNING", "TENANT_SUBMITS_PER_MINUTE", "ADMIN_SCOPE", "WEBHOOKS_QUEUE_URL", "WEBHOOKS_DEAD_LETTER_QUEUE_ARN", "WEBHOOK_SIGNING_KEY",
            "WEBHOOK_ALLOW_PRIVATE_HOSTS", "WEBHOOK_MAX_ATTEMPTS", "METRICS_SERVICE", MEMORY_SIZE, "PAUSED_RECHECK_SECONDS",
            "SCHEDULES_TABLE_NAME", "SCHEDULE_MIN_RATE_SECONDS", "SCHEDULE_LOOKAHEAD_SECONDS",
            "RECONCILE_READ_UNITS_PER_SECOND", "RECONCILE_STALE_SECONDS");

    /** The webhook signing key derives every tenant's secret; shorter keys are refused. */
    public static final int MIN_SIGNING_KEY_LENGTH = 32;

    /** A secret that never shows in a log line or an exception: toString hides it. */
    public record SigningKey(String value) {
        @Override
        public String toString() {
            return "SigningKey[hidden]";
        }
    }

    public static Config from(Map<String, String> env) {
        Duration lease = Duration.ofSeconds(number(env, "LEASE_SECONDS", 300, 2, 43_200));
        Duration visibility = Duration.ofSeconds(number(env, "VISIBILITY_SECONDS", (int) lease.toSeconds() + 60, 3, 43_200));
        if (visibility.compareTo(lease) <= 0) {
            // a crashed attempt's message must come back after its lease ended, or the next claim is refused
            throw new IllegalStateException("VISIBILITY_SECONDS (" + visibility.toSeconds() + ") must be longer than LEASE_SECONDS ("
                    + lease.toSeconds() + ")");
        }
        int maxPayloadBytes = number(env, "MAX_PAYLOAD_BYTES", 256 * 1024, 1, 350 * 1024);
        int maxResultBytes = number(env, "MAX_RESULT_BYTES", 120 * 1024, 1, 350 * 1024);
        ItemBudget.check(maxPayloadBytes, maxResultBytes);
        return new Config(
                required(env, "TABLE_NAME"),
                required(env, "QUEUE_URL"),
                optional(env, "HIGH_PRIORITY_QUEUE_URL"),
                optional(env, "DEAD_LETTER_QUEUE_URL"),
                optional(env, "DEAD_LETTER_QUEUE_ARN"),
                number(env, "IN_FLIGHT_SHARDS", 8, 1, 1000),
                Duration.ofDays(number(env, "RETENTION_DAYS", 7, 1, 3650)),
                Duration.ofSeconds(number(env, "QUEUED_STALE_SECONDS", 900, 10, 43_200)),
                maxPayloadBytes,
                lease,
                visibility,
                Duration.ofMillis(number(env, "SAFETY_MARGIN_MILLIS", 5000, 0, 60_000)),
                number(env, "WORKER_PARALLELISM", 10, 1, 100),
                maxResultBytes,
                number(env, "TENANT_MAX_IN_FLIGHT", 1000, 1, 10_000_000),
                // the most jobs of one tenant that run at once, every type together (0: no cap): what keeps one
                // tenant's flood from taking every worker
                number(env, "TENANT_MAX_RUNNING", 100, 0, 100_000),
                number(env, "TENANT_SUBMITS_PER_MINUTE", 600, 1, 10_000_000),
                env.getOrDefault("ADMIN_SCOPE", "jobline/admin"),
                optional(env, "WEBHOOKS_QUEUE_URL"),
                optional(env, "WEBHOOKS_DEAD_LETTER_QUEUE_ARN"),
                signingKey(env, "WEBHOOK_SIGNING_KEY"),
                flag(env, "WEBHOOK_ALLOW_PRIVATE_HOSTS", false),
                number(env, "WEBHOOK_MAX_ATTEMPTS", 8, 1, 15),
                // Lambda's own default MemorySize, for a process that is not a Lambda function
                number(env, MEMORY_SIZE, 128, 128, 10_240),
                env.getOrDefault("METRICS_SERVICE", "jobline"),
                // a paused type's message comes round again this often: what a resume waits at most
                Duration.ofSeconds(number(env, "PAUSED_RECHECK_SECONDS", 30, 1, 900)),
                optional(env, "SCHEDULES_TABLE_NAME"),
                // the scheduler runs every minute: a shorter rate is for local runs that speed it up
                Duration.ofSeconds(number(env, "SCHEDULE_MIN_RATE_SECONDS", 60, 1, 86_400)),
                // fires this far ahead are made at once and sent delayed: the scheduler's period, so none starts late
                Duration.ofSeconds(number(env, "SCHEDULE_LOOKAHEAD_SECONDS", 60, 0, 900)),
                // the reconciliation's scan reads at most this many read units a second (0.5 per 4 KB item read)
                number(env, "RECONCILE_READ_UNITS_PER_SECOND", 500, 1, 1_000_000),
                // the daily reconciliation re-sends a QUEUED job this long after its last move: longer than a queue's
                // usual backlog, so a job that only waits its turn is not sent twice (an operator's run uses its start)
                Duration.ofSeconds(number(env, "RECONCILE_STALE_SECONDS", 3_600, 10, 1_209_600)));
    }

    /** Absent is allowed (a function that signs nothing); present, it must be long enough to be a key. */
    private static SigningKey signingKey(Map<String, String> env, String name) {
        String value = optional(env, name);
        if (value == null) {
            return null;
        }
        if (value.length() < MIN_SIGNING_KEY_LENGTH) {
            throw new IllegalStateException(name + " must be at least " + MIN_SIGNING_KEY_LENGTH + " characters");
        }
        return new SigningKey(value);
    }

    private static boolean flag(Map<String, String> env, String name, boolean fallback) {
        String value = optional(env, name);
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalStateException(name + " must be true or false, not '" + value + "'");
        };
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    private static String optional(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
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
