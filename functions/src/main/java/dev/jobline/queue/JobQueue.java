package dev.jobline.queue;

import java.time.Duration;
import java.util.List;

/** The queues that wake workers. Implementations throw {@link QueueUnavailable} when a call fails. */
public interface JobQueue {

    void send(JobMessage message);

    /** Sends many messages in as few calls as the queue allows; returns the ones that were not sent. */
    List<JobMessage> sendAll(List<JobMessage> messages);

    /**
     * Sends a copy of a received message (its body and message attributes) to the queue it came from, delayed; the
     * copy's receive count starts again. Throws {@link QueueUnavailable} when the send fails.
     */
    void resend(ReceivedMessage message, Duration delay);

    /** Keeps a received message hidden for the given time from now (a retry's backoff, or a heartbeat). */
    void hide(ReceivedMessage message, Duration visibility);

    /** A send or visibility change that did not reach the queue. */
    final class QueueUnavailable extends RuntimeException {
        public QueueUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
