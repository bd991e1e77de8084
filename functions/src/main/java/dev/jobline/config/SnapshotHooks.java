package dev.jobline.config;

import dev.jobline.log.Log;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * A SnapStart function's runtime hooks (org.crac, which Lambda's Java runtime calls; a no-op on other JVMs): before
 * the snapshot, {@link Priming}; after each restore, {@link Wiring#afterRestore()}. Registered by a handler's
 * no-argument constructor, the one Lambda uses.
 */
public final class SnapshotHooks implements Resource {
    /** Lambda's context holds resources weakly: these references keep them. */
    private static final List<SnapshotHooks> REGISTERED = new CopyOnWriteArrayList<>();

    private final Wiring wiring;
    private final Function<Wiring, List<RequestRehearsal.Rehearsed>> priming;

    SnapshotHooks(Wiring wiring, Function<Wiring, List<RequestRehearsal.Rehearsed>> priming) {
        this.wiring = wiring;
        this.priming = priming;
    }

    /** Primes with {@code priming} before a snapshot of this function; refreshes {@code wiring} after a restore. */
    public static SnapshotHooks register(Wiring wiring, Function<Wiring, List<RequestRehearsal.Rehearsed>> priming) {
        SnapshotHooks hooks = new SnapshotHooks(wiring, priming);
        REGISTERED.add(hooks);
        Core.getGlobalContext().register(hooks);
        return hooks;
    }

    /**
     * Primes; a priming that fails leaves a colder snapshot, not a failed one, so it is logged and the snapshot
     * goes ahead.
     */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        try {
            List<RequestRehearsal.Rehearsed> rehearsed = priming.apply(wiring);
            Log.info("snapstart.primed", "requests", rehearsed.size());
        } catch (RuntimeException e) {
            Log.warn("snapstart.priming_failed", "exception", e.getClass().getName(), "reason", e.getMessage());
        }
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        wiring.afterRestore();
    }
}
