package dev.jobline.cost;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The fixed accounting of what a job causes, step by step. Counted:
 * <ul>
 *   <li><b>submit</b> (POST /jobs, or its share of POST /jobs/batch of n): one HTTP API request and one API function
 *       invocation (1/n each in a batch), the job's PutItem (1 WRU), the tenant quota's UpdateItem (1 WRU; 1/n in a
 *       batch), its SendMessage (1; a tenth of a SendMessageBatch in a batch);</li>
 *   <li><b>each attempt</b> the worker finishes (succeeded, failed, cancelled, or waiting for its retry): its billed
 *       compute, from the claim to the completion write, rounded up to the ms, times the function's MemorySize;
 *       its share of the worker invocation and of the event source's ReceiveMessage (1/records in the batch each);
 *       the claim's and the completion's UpdateItem (1 WRU each); per heartbeat,
 *       one UpdateItem (1 WRU) and, when it extends the lease, one ChangeMessageVisibility; then either the event
 *       source's DeleteMessageBatch share (1/records) for an attempt that ends the message, or the worker's
 *       ChangeMessageVisibility that sets a retry's backoff.</li>
 * </ul>
 * Not counted: the API function's compute, an attempt whose worker crashed (it writes nothing), the sweeper, the
 * dead-letter consumer, completion webhooks, the status counters and quota releases each invocation writes once
 * for all its jobs, GSI write units, items over 1 KB (one WRU per started KB in AWS), a concurrency key's two
 * writes (taken, given back), a running limit's two writes per attempt (held, given back; one more per heartbeat
 * that extends the lease), and what a job waiting for a full limit costs each time it looks (a refused hold, a
 * read, a visibility change). Concurrent records of one
 * invocation each count their own wall time, so a batch's jobs can add up to more compute than its invocation bills.
 */
public final class CostModel {
    private final int memoryMb;

    /** @param memoryMb the worker function's MemorySize, as Lambda gives it (AWS_LAMBDA_FUNCTION_MEMORY_SIZE) */
    public CostModel(int memoryMb) {
        this.memoryMb = memoryMb;
    }

    /** A job's submission, alone (n = 1) or one of a batch of n. */
    public static JobCost submit(int batchSize) {
        BigDecimal share = JobCost.share(batchSize);
        return new JobCost(0, BigDecimal.ZERO, share, share,
                batchSize > 1 ? JobCost.share(10) : BigDecimal.ONE,
                BigDecimal.ONE.add(share), BigDecimal.ZERO);
    }

    /**
     * One attempt.
     *
     * @param ran             from the claim to the completion write
     * @param batchSize       records in the worker invocation
     * @param heartbeats      heartbeat writes the attempt made
     * @param leaseExtensions of them, the ones that also changed the message's visibility
     * @param retried         true when the message is kept for a retry (its visibility set), false when it is deleted
     */
    public JobCost attempt(Duration ran, int batchSize, int heartbeats, int leaseExtensions, boolean retried) {
        long millis = Math.max(1, ran.toMillis() + (ran.toNanosPart() % 1_000_000 == 0 ? 0 : 1));
        BigDecimal share = JobCost.share(batchSize);
        BigDecimal sqs = share.add(BigDecimal.valueOf(leaseExtensions)).add(retried ? BigDecimal.ONE : share);
        return new JobCost(millis, JobCost.gbSeconds(millis, memoryMb), BigDecimal.ZERO, share, sqs,
                BigDecimal.valueOf(2L + heartbeats), BigDecimal.ZERO);
    }
}
