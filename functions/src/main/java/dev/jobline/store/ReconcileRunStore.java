package dev.jobline.store;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Where the reconciliation's one run record lives. */
public interface ReconcileRunStore {

    /** The active run, or the last one; empty when none ever ran. Read consistently. */
    Optional<ReconcileRun> current();

    /**
     * Writes {@code run} over the record whose version is {@code expectedVersion} (0: there is none yet). False when the
     * record is no longer that version: another invocation or request wrote it first.
     */
    boolean write(ReconcileRun run, long expectedVersion);

    /** In memory, for tests: the same condition on the version. */
    static ReconcileRunStore inMemory() {
        AtomicReference<ReconcileRun> stored = new AtomicReference<>();
        return new ReconcileRunStore() {
            @Override
            public Optional<ReconcileRun> current() {
                return Optional.ofNullable(stored.get());
            }

            @Override
            public synchronized boolean write(ReconcileRun run, long expectedVersion) {
                ReconcileRun was = stored.get();
                if ((was == null ? 0 : was.version()) != expectedVersion) {
                    return false;
                }
                stored.set(run);
                return true;
            }
        };
    }
}
