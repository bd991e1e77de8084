package dev.jobline.job;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The job types this deployment can run, by name. Built once at start-up, read-only afterwards. */
public final class JobRegistry {
    private final Map<String, JobType> types;

    private JobRegistry(Map<String, JobType> types) {
        this.types = Collections.unmodifiableMap(types);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<JobType> find(String name) {
        return Optional.ofNullable(name == null ? null : types.get(name));
    }

    public Collection<JobType> all() {
        return types.values();
    }

    public static final class Builder {
        private final Map<String, JobType> types = new LinkedHashMap<>();

        public Builder register(JobType type) {
            if (types.putIfAbsent(type.name(), type) != null) {
                throw new IllegalArgumentException("job type registered twice: " + type.name());
            }
            return this;
        }

        public JobRegistry build() {
            return new JobRegistry(new LinkedHashMap<>(types));
        }
    }
}
