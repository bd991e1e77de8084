package dev.jobline.deadletter;

import dev.jobline.job.JobError;
import dev.jobline.log.Log;
import dev.jobline.metrics.JobMetrics.Cause;
import dev.jobline.queue.JobMessage;
import dev.jobline.queue.ReceivedMessage;
import dev.jobline.store.DeadLetter;
import dev.jobline.store.JobCounters;
import dev.jobline.store.JobStore;
import dev.jobline.webhook.CompletionNotifier;
import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Accounts for every message SQS moved to the dead-letter queue: its job ends FAILED with reason
 * DEAD_LETTERED, or, when the message names no job, the message is kept whole in the table. Only
 * then is it acknowledged, so nothing leaves the DLQ unrecorded.
 */
public final class DeadLetters {
    private final JobStore store;
    private final JobCounters counters;
    private final CompletionNotifier notifier;
    private final Clock clock;

    public DeadLetters(JobStore store, JobCounters counters, CompletionNotifier notifier, Clock clock) {
        this.store = store;
        this.counters = counters;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** Returns the ids of the messages that could not be recorded; they stay in the DLQ. */
    public List<String> process(List<ReceivedMessage> messages) {
        List<String> notRecorded = new ArrayList<>();
        for (ReceivedMessage message : messages) {
            Log.putContext("messageId", message.messageId());
            try {
                record(message);
            } catch (RuntimeException e) {
                Log.error("deadletter.not_recorded", e, "messageId", message.messageId());
                notRecorded.add(message.messageId());
            }
        }
        counters.flushQuietly();
        return notRecorded;
    }

    private void record(ReceivedMessage message) {
        Instant now = clock.instant();
        Optional<String> jobId = JobMessage.jobIdFrom(message.body());
        if (jobId.isEmpty()) {
            keep(message, "unreadable message body", now);
            return;
        }
        JobError error = new JobError(JobError.DEAD_LETTERED,
                "the job's message was moved to the dead-letter queue after " + message.receiveCount() + " receives", false);
        Optional<Job> before = store.find(jobId.get());
        if (before.isEmpty()) {
            keep(message, "names job " + jobId.get() + ", which does not exist", now);
            return;
        }
        Optional<Job> failed = store.failDeadLettered(jobId.get(), error, now);
        if (failed.isPresent()) {
            counters.moved(before.get().tenantId(), before.get().type(), before.get().status(), JobStatus.FAILED, Cause.DEAD_LETTER);
            Log.info("job.dead_lettered", "jobId", jobId.get(), "receiveCount", message.receiveCount());
            notifier.jobEnded(failed.get());
        } else {
            Log.info("deadletter.job_already_finished", "jobId", jobId.get());
        }
    }

    private void keep(ReceivedMessage message, String reason, Instant now) {
        store.keepDeadLetter(new DeadLetter(message.messageId(), message.body(), message.attributes(),
                message.receiveCount(), reason, now));
        Log.warn("deadletter.kept", "reason", reason, "receiveCount", message.receiveCount());
    }
}
