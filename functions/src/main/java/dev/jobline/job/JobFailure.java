package dev.jobline.job;

/**
 * Thrown by a {@link JobHandler} to fail an attempt with a code of its own. A retryable failure is
 * tried again with backoff while attempts remain; a permanent one fails the job at once.
 */
public class JobFailure extends RuntimeException {
    private final String code;
    private final boolean retryable;

    private JobFailure(String code, String message, boolean retryable) {
        super(message);
        this.code = code;
        this.retryable = retryable;
    }

    public static JobFailure retryable(String code, String message) {
        return new JobFailure(code, message, true);
    }

    public static JobFailure permanent(String code, String message) {
        return new JobFailure(code, message, false);
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    public JobError toError() {
        return new JobError(code, getMessage(), retryable);
    }
}
