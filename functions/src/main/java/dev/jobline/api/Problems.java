package dev.jobline.api;

import dev.jobline.job.JobView;
import dev.jobline.job.Refusal;
import java.util.Map;

/** The API's answers to the domain's refusals: the one place a {@link Refusal} becomes problem+json. */
final class Problems {
    private Problems() {
    }

    static Problem of(Refusal refusal) {
        if (refusal instanceof Refusal.NotFound) {
            return Problem.notFound(SubmitRequest.abbreviate(refusal.getMessage()));
        }
        if (refusal instanceof Refusal.WrongStatus wrong) {
            return wrong.action() == Refusal.Action.CANCEL
                    ? new Problem(409, "job-finished", "The job has already ended", wrong.getMessage())
                            .with("jobStatus", wrong.status().name())
                    : new Problem(409, "job-not-retryable", "Only a failed or cancelled job can be retried", wrong.getMessage())
                            .with("jobStatus", wrong.status().name());
        }
        if (refusal instanceof Refusal.QuotaExceeded quota) {
            long seconds = Math.max(1, quota.retryAfter().toSeconds());
            return new Problem(429, "quota-exceeded", "Too many jobs",
                    "the tenant's " + quota.limit() + " limit is reached; try again in " + seconds + " s")
                    .with("limit", quota.limit())
                    .withHeader("retry-after", Long.toString(seconds));
        }
        if (refusal instanceof Refusal.KeyConflict key) {
            Problem problem = new Problem(409, "concurrency-key-held", "Another job holds this concurrency key", key.getMessage())
                    .with("existingJobId", key.holderId())
                    .with("links", Map.of("existing", JobView.selfLink(key.holderId())));
            // a holder whose own submission is still being written has no status yet: ask again in a moment
            return key.holder() == null ? problem.withHeader("retry-after", "1")
                    : problem.with("existingJobStatus", key.holder().status().name());
        }
        if (refusal instanceof Refusal.BadDependency bad) {
            Problem problem = switch (bad.why()) {
                case UNKNOWN -> new Problem(422, "unknown-dependency", "A job it depends on does not exist", bad.getMessage());
                case ENDED_UNSUCCESSFULLY -> new Problem(422, "dependency-failed", "A job it depends on has failed or was cancelled",
                        bad.getMessage());
                case TOO_MANY_DEPENDENTS -> new Problem(422, "too-many-dependents", "A job it depends on has too many dependents",
                        bad.getMessage());
            };
            problem.with("field", "dependsOn").with("dependency", bad.parentId());
            return bad.item() >= 0 ? problem.with("index", bad.item()) : problem;
        }
        Refusal.IdempotencyConflict conflict = (Refusal.IdempotencyConflict) refusal;
        return conflict.stillInFlight()
                ? new Problem(409, "idempotency-key-in-use", "The idempotency key's job is still running", conflict.getMessage())
                : new Problem(422, "idempotency-key-reused", "The idempotency key was used for another request", conflict.getMessage());
    }
}
