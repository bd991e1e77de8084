package dev.jobline.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which job types an operator has paused, and since when. Workers leave a paused type's messages in the queue (sent
 * again, delayed, without spending an attempt) until it is resumed; jobs already running finish.
 */
public interface TypePauses {

    /** The paused types and when each was paused. */
    Map<String, Instant> paused();

    /** Pauses a type; pausing a paused type keeps its first pausedAt. Answers when it was paused. */
    Instant pause(String type, Instant now);

    /** Resumes a type; false when it was not paused. */
    boolean resume(String type);

    /** No type is ever paused: for tests and functions that do not look. */
    TypePauses NONE = new TypePauses() {
        @Override
        public Map<String, Instant> paused() {
            return Map.of();
        }

        @Override
        public Instant pause(String type, Instant now) {
            throw new UnsupportedOperationException("no pause store");
        }

        @Override
        public boolean resume(String type) {
            return false;
        }
    };

    /**
     * The same pauses, read at most once per {@code freshFor}: a worker asks for every message, and one read a few
     * seconds covers them all. A pause takes effect within {@code freshFor}; a failed read keeps the last answer.
     */
    static TypePauses cached(TypePauses source, Duration freshFor, LongSupplier nanoTime) {
        return new TypePauses() {
            private volatile Map<String, Instant> known = Map.of();
            private volatile long readAt;
            private volatile boolean read;

            @Override
            public Map<String, Instant> paused() {
                long now = nanoTime.getAsLong();
                if (!read || now - readAt >= freshFor.toNanos()) {
                    synchronized (this) {
                        if (!read || now - readAt >= freshFor.toNanos()) {
                            try {
                                known = Map.copyOf(source.paused());
                            } catch (RuntimeException e) {
                                dev.jobline.log.Log.warn("type_pauses.not_read", "reason", e.getMessage());
                            }
                            readAt = now;
                            read = true;
                        }
                    }
                }
                return known;
            }

            @Override
            public Instant pause(String type, Instant now) {
                Instant at = source.pause(type, now);
                read = false;
                return at;
            }

            @Override
            public boolean resume(String type) {
                boolean resumed = source.resume(type);
                read = false;
                return resumed;
            }
        };
    }

    /** In memory, for tests. */
    static TypePauses inMemory() {
        Map<String, Instant> paused = new ConcurrentHashMap<>();
        return new TypePauses() {
            @Override
            public Map<String, Instant> paused() {
                return Map.copyOf(paused);
            }

            @Override
            public Instant pause(String type, Instant now) {
                return paused.computeIfAbsent(type, t -> now);
            }

            @Override
            public boolean resume(String type) {
                return paused.remove(type) != null;
            }
        };
    }
}
