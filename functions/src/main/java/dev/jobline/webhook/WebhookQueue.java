package dev.jobline.webhook;

import dev.jobline.queue.JobQueue;
import dev.jobline.queue.ReceivedMessage;
import java.time.Duration;

/**
 * The queue of completion webhooks to deliver: a message carries a job id only, the body is read
 * from the job when it is sent. Calls throw {@link JobQueue.QueueUnavailable} when they fail.
 */
public interface WebhookQueue {

    void send(String jobId);

    /** Keeps a received message hidden for the given time from now: a failed delivery's backoff. */
    void hide(ReceivedMessage message, Duration visibility);
}
