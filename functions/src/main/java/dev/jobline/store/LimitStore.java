package dev.jobline.store;

import java.time.Instant;

/**
 * Running limits: a limit ({@code limit#type#echo}, {@code limit#tenant#acme}, ...) lets at most {@code cap} jobs hold
 * it at once. A job holds it while it runs, until it gives it back or its hold runs out (a crashed attempt's hold
 * frees itself when its lease would have ended), so no hold can leak.
 */
public interface LimitStore {

    /** Holds the limit for {@code jobId} until {@code until} (again, if it holds it already); false when it is full. */
    boolean hold(String limit, int cap, String jobId, Instant until, Instant now);

    /** Moves the job's hold on to {@code until}; false when it holds none (its hold ran out and was removed). */
    boolean extend(String limit, String jobId, Instant until);

    /** Gives the job's hold back; nothing when it holds none. */
    void release(String limit, String jobId);

    /**
     * Holds {@code places} places of the limit at once for {@code holder} (a worker invocation, for its records) until
     * {@code until}, in one write; false when fewer are free. {@link #extend} moves it on, {@link #releaseMany} gives
     * all of them back, and they run out together as one hold does.
     */
    default boolean holdMany(String limit, int cap, String holder, int places, Instant until, Instant now) {
        return false;
    }

    /** Gives back the places {@code holder} took with {@link #holdMany}; nothing when it holds none. */
    default void releaseMany(String limit, String holder, int places) {
    }
}
