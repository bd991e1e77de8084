package dev.jobline.webhook;

import dev.jobline.job.RetryPolicy;
import java.time.Duration;

/**
 * How webhooks are delivered: at most {@code maxAttempts} calls per job ending, spaced by
 * {@code retryPolicy} (full jitter), each with {@code timeout} to connect and again to answer.
 */
public record WebhookSettings(int maxAttempts, RetryPolicy retryPolicy, Duration timeout, boolean allowPrivateHosts,
                              int parallelism) {

    /**
     * 30 s doubling to an hour: 8 attempts span up to about an hour (half that on average), enough
     * to ride out a receiver's deploy or short outage; the webhooks queue's maxReceiveCount is above it.
     */
    public static final RetryPolicy RETRY_POLICY = new RetryPolicy(Duration.ofSeconds(30), Duration.ofHours(1));
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** One batch of SQS records, delivered at once. */
    public static final int PARALLELISM = 10;

    public WebhookSettings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one delivery attempt is needed");
        }
    }

    public static WebhookSettings of(int maxAttempts, boolean allowPrivateHosts) {
        return new WebhookSettings(maxAttempts, RETRY_POLICY, TIMEOUT, allowPrivateHosts, PARALLELISM);
    }
}
