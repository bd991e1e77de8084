package dev.jobline.local.runner;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds, within a generous bound: a wait, never an assertion on speed. */
final class Eventually {
    private Eventually() {
    }

    static <T> T until(Duration bound, Supplier<T> value, Predicate<T> condition, String what) {
        long deadline = System.nanoTime() + bound.toNanos();
        T last = value.get();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + bound.toSeconds() + " s: " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
            last = value.get();
        }
        return last;
    }
}
