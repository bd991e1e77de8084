package dev.jobline.queue;

import dev.jobline.job.Job;
import dev.jobline.job.Priority;
import dev.jobline.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the queue carries for a job: its id, with tenant and type as message attributes. Never the
 * payload, which stays in the table, so SQS's message size limit can never cut one. The priority
 * picks the queue; the delay (at most 15 minutes, SQS's limit) holds the message back.
 */
public record JobMessage(String jobId, String tenantId, String type, Priority priority, Duration delay, long writeVersion) {
    /** The message attributes that name the job's tenant and type. */
    public static final String TENANT_ATTRIBUTE = "tenantId";
    public static final String TYPE_ATTRIBUTE = "type";
    /**
     * On a message sent before the write it announces (a retry, a release): the job's version once that write has
     * landed. A worker that finds the job at an older version, still ended or WAITING, knows the write is yet to come.
     */
    public static final String WRITE_VERSION_ATTRIBUTE = "jobVersion";

    public JobMessage(String jobId, String tenantId, String type, Priority priority, Duration delay) {
        this(jobId, tenantId, type, priority, delay, 0);
    }

    /** The same message, sent before the write that takes the job to {@code version}. */
    public JobMessage beforeWrite(long version) {
        return new JobMessage(jobId, tenantId, type, priority, delay, version);
    }

    public JobMessage {
        priority = priority == null ? Priority.NORMAL : priority;
        delay = delay == null || delay.isNegative() ? Duration.ZERO : delay;
        if (delay.compareTo(SqsLimits.MAX_DELAY) > 0) {
            throw new IllegalArgumentException("SQS delays a message by at most 15 minutes, not " + delay);
        }
    }

    public JobMessage(String jobId, String tenantId, String type, Priority priority) {
        this(jobId, tenantId, type, priority, Duration.ZERO);
    }

    /**
     * A message for the job that arrives no earlier than {@code when} (SQS delays in whole seconds: rounded up), or
     * after the longest delay SQS allows when that is sooner.
     */
    public static JobMessage arrivingAt(Job job, Instant when, Instant now) {
        Duration wait = Duration.between(now, when);
        long seconds = wait.isNegative() ? 0 : wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        Duration delay = Duration.ofSeconds(Math.min(seconds, SqsLimits.MAX_DELAY.toSeconds()));
        return new JobMessage(job.jobId(), job.tenantId(), job.type(), job.priority(), delay);
    }

    public String body() {
        return Json.write(Map.of("jobId", jobId));
    }

    /** The job id in a message body, or empty when the body is not one of ours. */
    public static Optional<String> jobIdFrom(String body) {
        if (body == null || body.isEmpty() || body.length() > 1024) {
            return Optional.empty();
        }
        try {
            if (Json.parse(body) instanceof Map<?, ?> map
                    && map.get("jobId") instanceof String id
                    && !id.isBlank()
                    && id.length() <= 128) {
                return Optional.of(id);
            }
        } catch (Json.MalformedJson e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
