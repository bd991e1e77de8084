package dev.jobline.job;

/**
 * Why an attempt or a job failed: a stable code for machines, a message for people. The message is cut to
 * {@link #MAX_MESSAGE_BYTES}: a handler's exception text must not push the job past its item's size.
 */
public record JobError(String code, String message, boolean retryable) {

    public static final int MAX_MESSAGE_BYTES = 4 * 1024;
    public static final int MAX_CODE_LENGTH = 64;

    public static final String HANDLER_ERROR = "HANDLER_ERROR";
    public static final String TIMED_OUT = "TIMED_OUT";
    public static final String ATTEMPTS_EXHAUSTED = "ATTEMPTS_EXHAUSTED";
    public static final String LEASE_EXPIRED = "LEASE_EXPIRED";
    public static final String UNKNOWN_TYPE = "UNKNOWN_TYPE";
    public static final String RESULT_TOO_LARGE = "RESULT_TOO_LARGE";
    public static final String DEAD_LETTERED = "DEAD_LETTERED";
    /** A job this one depended on ended FAILED or CANCELLED (or never came to be stored): it will not run. */
    public static final String DEPENDENCY_FAILED = "DEPENDENCY_FAILED";
    /** A job of a batch flow that could not be stored whole: what was stored of it ends at once, without running. */
    public static final String FLOW_NOT_STORED = "FLOW_NOT_STORED";

    public JobError {
        if (code == null || code.isBlank()) {
            throw new IllegalArgumentException("an error needs a code");
        }
        // a handler's own code is cut too, rather than failing the write that records it
        code = code.length() > MAX_CODE_LENGTH ? code.substring(0, MAX_CODE_LENGTH) : code;
        message = message == null ? "" : BoundedText.of(message, MAX_MESSAGE_BYTES);
    }

    /** The same failure, now final: the job will not be tried again. */
    public JobError asFinal(String finalCode) {
        return new JobError(finalCode, code + ": " + message, false);
    }
}
