package dev.jobline.job;

/**
 * The work of one job type. Return the result (anything JSON can hold: Map, List, String, Number,
 * Boolean, null); throw {@link JobFailure} to fail with a code, any other exception for a retryable
 * {@code HANDLER_ERROR}. A handler must stop when interrupted and should stop when
 * {@link JobContext#isCancelRequested()} turns true.
 */
@FunctionalInterface
public interface JobHandler {
    Object run(JobContext context) throws Exception;
}
