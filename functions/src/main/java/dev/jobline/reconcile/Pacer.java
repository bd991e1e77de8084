package dev.jobline.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps the scan at most {@code unitsPerSecond} read units a second: after a page that cost {@code units}, waits until
 * {@code units / unitsPerSecond} seconds have passed since the page began. A scan that reads as fast as it can would take
 * the table's read capacity from the API and the workers (or, on demand, spend in bursts).
 */
final class Pacer {
    /** Waits; a test passes one that only records. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    static final Sleeper THREAD = duration -> Thread.sleep(duration.toMillis());

    private final double unitsPerSecond;
    private final Clock clock;
    private final Sleeper sleeper;

    Pacer(double unitsPerSecond, Clock clock, Sleeper sleeper) {
        if (unitsPerSecond <= 0) {
            throw new IllegalArgumentException("the read rate must be positive, not " + unitsPerSecond);
        }
        this.unitsPerSecond = unitsPerSecond;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** How long the page's read units are worth at the rate. */
    Duration share(double units) {
        return Duration.ofNanos((long) (units / unitsPerSecond * 1_000_000_000L));
    }

    /** Waits out what is left of the page's share; answers how long it waited. */
    Duration after(Instant pageStarted, double units) {
        Duration wait = share(units).minus(Duration.between(pageStarted, clock.instant()));
        if (wait.isNegative() || wait.isZero()) {
            return Duration.ZERO;
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pacing the reconciliation", e);
        }
        return wait;
    }
}
