package dev.jobline.queue;

import java.time.Duration;

/** What SQS allows, written once: every delay, visibility change and batch of Jobline's stays within these. */
public final class SqsLimits {
    /** The longest a message can be delayed (DelaySeconds): a job due later waits for the sweeper instead. */
    public static final Duration MAX_DELAY = Duration.ofMinutes(15);
    /** The longest a received message can be kept hidden (ChangeMessageVisibility): a backoff's ceiling. */
    public static final Duration MAX_VISIBILITY = Duration.ofHours(12);
    /** The most messages of one SendMessageBatch, ReceiveMessage or DeleteMessageBatch. */
    public static final int MAX_BATCH = 10;
    /** The largest message body (1 MiB since 2025); a dead letter kept in the table is cut well below it. */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

    private SqsLimits() {
    }

    /** A visibility timeout SQS accepts: whole seconds, from 0 to 12 hours. */
    public static int visibilitySeconds(Duration visibility) {
        return (int) Math.max(0, Math.min(MAX_VISIBILITY.toSeconds(), visibility.toSeconds()));
    }
}
