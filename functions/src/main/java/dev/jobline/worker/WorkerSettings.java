package dev.jobline.worker;

import java.time.Duration;

/**
 * How the worker paces an attempt.
 *
 * @param lease         how long a claim or heartbeat holds the job: another worker may take it over after this
 * @param visibility    how long a received or heartbeat-extended message stays hidden (the queue's visibility
 *                      timeout). Longer than the lease by at least the time from a message's receive to its claim,
 *                      so a crashed attempt's message comes back when its lease has already ended and is claimed
 * @param heartbeat     how often a running attempt extends its lease and the message's visibility
 * @param progressEvery the least time between two progress writes of one job
 * @param safetyMargin  time kept back from Lambda's deadline so no write is cut off mid-way
 * @param parallelism   records of one batch run at once
 * @param maxResultBytes a larger result fails the job instead of overflowing the item
 * @param memoryMb      the function's memory: an attempt's compute is billed at it
 */
public record WorkerSettings(Duration lease, Duration visibility, Duration heartbeat, Duration progressEvery,
                             Duration safetyMargin, int parallelism, int maxResultBytes, int memoryMb) {

    /** The template's MemorySize, for settings built without one. */
    public static final int DEFAULT_MEMORY_MB = 1024;

    public WorkerSettings {
        if (heartbeat.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("the heartbeat must come before the lease runs out");
        }
        if (visibility.compareTo(lease) <= 0) {
            throw new IllegalArgumentException("a message must stay hidden longer than the lease");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
    }

    /** Heartbeats at a third of the lease, as Lambda's own SQS guidance suggests for visibility. */
    public static WorkerSettings forLease(Duration lease, Duration visibility, Duration safetyMargin, int parallelism,
                                          int maxResultBytes) {
        return new WorkerSettings(lease, visibility, lease.dividedBy(3), Duration.ofSeconds(1), safetyMargin, parallelism,
                maxResultBytes, DEFAULT_MEMORY_MB);
    }

    public WorkerSettings withMemory(int newMemoryMb) {
        return new WorkerSettings(lease, visibility, heartbeat, progressEvery, safetyMargin, parallelism, maxResultBytes,
                newMemoryMb);
    }
}
