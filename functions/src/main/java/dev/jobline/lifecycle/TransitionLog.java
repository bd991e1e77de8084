package dev.jobline.lifecycle;

import dev.jobline.job.Job;
import dev.jobline.job.JobStatus;
import dev.jobline.log.Log;

/** One structured log line per status change, named for what happened, with the job's keys and the move's reason. */
public final class TransitionLog implements JobListener {

    @Override
    public void moved(JobMoved event) {
        Job job = event.job();
        Object[] fields = {
                "jobId", job.jobId(), "tenantId", job.tenantId(), "type", job.type(), "attempt", job.attempts(),
                "from", event.from(), "to", event.to(), "cause", event.cause(),
                "errorCode", job.error() == null || event.to() == JobStatus.SUCCEEDED ? null : job.error().code(),
                "error", job.error() == null || !event.to().isTerminal() || event.to() == JobStatus.SUCCEEDED ? null : job.error().message(),
                "nextAttemptAt", event.to() == JobStatus.QUEUED ? job.nextAttemptAt() : null,
                "leaseExpired", event.leaseExpired() ? true : null};
        Log.info(name(event), fields);
    }

    /** The event's name: what a reader of the log looks for. */
    static String name(JobMoved event) {
        if (event.recounted()) {
            return "job.end_recounted";
        }
        JobStatus from = event.from();
        return switch (event.to()) {
            case WAITING -> "job.submitted_waiting";
            case QUEUED -> from == null ? "job.submitted"
                    : from == JobStatus.WAITING ? "job.released"
                    : from.isTerminal() ? "job.retried"
                    : event.cause() == Cause.WORKER ? "job.retry_scheduled"
                    : event.cause() == Cause.CLAIM_GIVEN_BACK ? "job.claim_given_back" : "job.requeued";
            case RUNNING -> "job.claimed";
            case SUCCEEDED -> "job.succeeded";
            case FAILED -> event.cause() == Cause.DEAD_LETTER ? "job.dead_lettered" : "job.failed";
            case CANCELLED -> "job.cancelled";
        };
    }
}
