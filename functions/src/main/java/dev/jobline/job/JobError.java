package dev.jobline.job;

/** Why an attempt or a job failed: a stable code for machines, a message for people. */
public record JobError(String code, String message, boolean retryable) {

    public static final String HANDLER_ERROR = "HANDLER_ERROR";
    public static final String TIMED_OUT = "TIMED_OUT";
    public static final String ATTEMPTS_EXHAUSTED = "ATTEMPTS_EXHAUSTED";
    public static final String LEASE_EXPIRED = "LEASE_EXPIRED";
    public static final String UNKNOWN_TYPE = "UNKNOWN_TYPE";
    public static final String RESULT_TOO_LARGE = "RESULT_TOO_LARGE";
    public static final String DEAD_LETTERED = "DEAD_LETTERED";

    public JobError {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("an error needs a code");
        }
        message = message == null ? "" : message;
    }

    /** The same failure, now final: the job will not be tried again. */
    public JobError asFinal(String finalCode) {
        return new JobError(finalCode, code + ": " + message, false);
    }
}
