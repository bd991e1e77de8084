package dev.jobline.queue;

import java.time.Duration;

/** The queue that wakes workers. Implementations throw {@link QueueUnavailable} when a call fails. */
public interface JobQueue {

    void send(JobMessage message);

    /** Keeps a received message hidden for the given time from now (a retry's backoff, or a heartbeat). */
    void hide(String receiptHandle, Duration visibility);

    /** A send or visibility change that did not reach the queue. */
    final class QueueUnavailable extends RuntimeException {
        public QueueUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
