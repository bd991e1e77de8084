package dev.jobline.store;

import dev.jobline.schedule.Schedule;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The tenants' schedules. Every change is conditional: a new one on its name being free, the others on the version
 * read, so two writers (two scheduler invocations, a PATCH during a fire) never overwrite each other. A schedule that
 * can fire is in a sparse due index, sharded like the jobs' in-flight index; a paused or finished one is not.
 */
public interface ScheduleStore {

    /** Writes a new schedule; false when the tenant has one by that name. */
    boolean create(Schedule schedule);

    Optional<Schedule> find(String tenantId, String name);

    /** Replaces the schedule if it is still at {@code expectedVersion}; false when it moved on (or is gone). */
    boolean replace(Schedule schedule, long expectedVersion);

    /** Deletes the tenant's schedule; false when there was none. */
    boolean delete(String tenantId, String name);

    /** A page of a tenant's schedules, by name. */
    record SchedulePage(List<Schedule> schedules, String nextCursor) {
    }

    SchedulePage list(String tenantId, int limit, String cursor);

    /** How many shards the due index has. */
    int shards();

    /** The schedules of one shard whose next fire is at or before {@code horizon}, read consistently. */
    List<Schedule> due(int shard, Instant horizon);
}
