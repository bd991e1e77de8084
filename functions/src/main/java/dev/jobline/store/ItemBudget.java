package dev.jobline.store;

import dev.jobline.job.JobError;
import dev.jobline.job.Progress;

/**
 * How a job's DynamoDB item is shared out, so that every write of it fits: DynamoDB refuses an item over 400 KB
 * (names and values), and a refused completion would leave a job that can never finish. The payload and the result
 * are limited by configuration, the error and progress messages by the domain, and what is left over holds the job's
 * own attributes (ids, times, callback URL, cost, webhook outcome, names).
 */
public final class ItemBudget {
    /** DynamoDB's limit on one item. */
    public static final int ITEM_BYTES = 400 * 1024;
    /** Room kept for everything but payload, result and messages (measured well under half of it). */
    public static final int OWN_ATTRIBUTES_BYTES = 16 * 1024;
    /** What payload and result may share. */
    public static final int PAYLOAD_AND_RESULT_BYTES =
            ITEM_BYTES - OWN_ATTRIBUTES_BYTES - JobError.MAX_MESSAGE_BYTES - Progress.MAX_MESSAGE_BYTES;

    private ItemBudget() {
    }

    /** Refuses limits that together could make a job's item too large for DynamoDB. */
    public static void check(int maxPayloadBytes, int maxResultBytes) {
        if ((long) maxPayloadBytes + maxResultBytes > PAYLOAD_AND_RESULT_BYTES) {
            throw new IllegalStateException("MAX_PAYLOAD_BYTES (" + maxPayloadBytes + ") + MAX_RESULT_BYTES (" + maxResultBytes
                    + ") must be at most " + PAYLOAD_AND_RESULT_BYTES + " bytes, so that a job with both always fits in a DynamoDB item");
        }
    }
}
