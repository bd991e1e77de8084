package dev.jobline.lifecycle;

/** Who moved a job: the same status change means different things (RUNNING to QUEUED is a retry, or a recovery). */
public enum Cause {
    /** A tenant submitted it. */
    SUBMIT,
    /** The worker: a claim, an attempt's end, a cancel it saw, a crashed last attempt it found. */
    WORKER,
    /** A tenant's request: cancel or retry. */
    TENANT,
    /** An operator's request: redrive. */
    ADMIN,
    /** The sweeper: a job whose lease ended with no message left to bring it back. */
    SWEEPER,
    /** The dead-letter consumer: a job whose message no worker could handle. */
    DEAD_LETTER,
    /**
     * The worker gave back a claim it did not start: the claim landed after its own lease had (nearly) run out, so
     * the limit holds taken with it may be gone. Not a retry: the attempt is not counted.
     */
    CLAIM_GIVEN_BACK,
    /** A chain: the end of a job another depends on released or cancelled it. */
    CHAIN
}
