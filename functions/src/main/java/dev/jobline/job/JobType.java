package dev.jobline.job;

import java.time.Duration;
import java.util.Objects;

/** A registered kind of job: its handler and the limits every job of the kind runs under. */
public record JobType(String name, JobHandler handler, int maxAttempts, Duration timeout, RetryPolicy retryPolicy) {

    public static final int MAX_ATTEMPTS_LIMIT = 20;

    public JobType {
        Objects.requireNonNull(handler, "handler");
        if (name == null || !name.matches("[a-z][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a type name is 1-64 lower-case letters, digits, '.', '_' or '-': " + name);
        }
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be 1.." + MAX_ATTEMPTS_LIMIT + ": " + maxAttempts);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        Objects.requireNonNull(retryPolicy, "retryPolicy");
    }

    public static JobType of(String name, JobHandler handler) {
        return new JobType(name, handler, 3, Duration.ofSeconds(30), RetryPolicy.DEFAULT);
    }

    public JobType withMaxAttempts(int attempts) {
        return new JobType(name, handler, attempts, timeout, retryPolicy);
    }

    public JobType withTimeout(Duration limit) {
        return new JobType(name, handler, maxAttempts, limit, retryPolicy);
    }

    public JobType withRetryPolicy(RetryPolicy policy) {
        return new JobType(name, handler, maxAttempts, timeout, policy);
    }
}
