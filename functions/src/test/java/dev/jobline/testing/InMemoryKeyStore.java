package dev.jobline.testing;

import dev.jobline.job.JobKey;
import dev.jobline.store.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link KeyStore} in memory, with DynamoKeyStore's conditions: a key is free, its holder's own, or run out. */
public final class InMemoryKeyStore implements KeyStore {
    private final Map<String, HeldKey> keys = new LinkedHashMap<>();
    /** Every give-back that removed a key, as "tenant/key/holder": what a test can check. */
    public final List<String> givenBack = new ArrayList<>();
    private boolean failGiveBacks;

    private static String id(String tenantId, String key) {
        return tenantId.length() + ":" + tenantId + "#" + key;
    }

    /** From now on give-backs throw, as a call to an unreachable table does (a lost give-back). */
    public synchronized void failGiveBacks(boolean fail) {
        failGiveBacks = fail;
    }

    @Override
    public synchronized Taken take(String tenantId, JobKey key, String jobId, Instant now) {
        HeldKey held = keys.get(id(tenantId, key.value()));
        if (held != null && held.holder().equals(jobId)) {
            keys.put(id(tenantId, key.value()), new HeldKey(tenantId, key.value(), jobId, now, key.heldUntil()));
            return Taken.ALREADY;
        }
        if (held != null && !held.heldUntil().isBefore(now)) {
            return new Taken(false, held.holder(), held.takenAt());
        }
        keys.put(id(tenantId, key.value()), new HeldKey(tenantId, key.value(), jobId, now, key.heldUntil()));
        return Taken.NOW;
    }

    @Override
    public synchronized boolean takeOver(String tenantId, JobKey key, String fromJobId, String jobId, Instant now) {
        HeldKey held = keys.get(id(tenantId, key.value()));
        if (held == null || !held.holder().equals(fromJobId)) {
            return false;
        }
        keys.put(id(tenantId, key.value()), new HeldKey(tenantId, key.value(), jobId, now, key.heldUntil()));
        return true;
    }

    @Override
    public synchronized void giveBack(String tenantId, String key, String jobId) {
        if (failGiveBacks) {
            throw new IllegalStateException("injected failure of giveBack");
        }
        HeldKey held = keys.get(id(tenantId, key));
        if (held != null && held.holder().equals(jobId)) {
            keys.remove(id(tenantId, key));
            givenBack.add(tenantId + "/" + key + "/" + jobId);
        }
    }

    @Override
    public synchronized List<HeldKey> held(int shard) {
        return shard == 0 ? List.copyOf(keys.values()) : List.of();
    }

    /** Who holds the tenant's key now (run out or not); null when nobody. */
    public synchronized String holder(String tenantId, String key) {
        HeldKey held = keys.get(id(tenantId, key));
        return held == null ? null : held.holder();
    }
}
