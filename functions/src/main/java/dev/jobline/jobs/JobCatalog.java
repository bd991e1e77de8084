package dev.jobline.jobs;

import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobType;
import dev.jobline.job.RetryPolicy;
import java.time.Duration;

/**
 * Every job type this deployment runs. To add your own, implement {@link dev.jobline.job.JobHandler}
 * and register it in {@link #register} beside the built-in demo types.
 */
public final class JobCatalog {
    private JobCatalog() {
    }

    public static JobRegistry.Builder register(JobRegistry.Builder registry) {
        return registry
                .register(JobType.of("echo", new EchoJob()).withTimeout(Duration.ofSeconds(10)))
                .register(JobType.of("sleep", new SleepJob()).withTimeout(Duration.ofSeconds(50)))
                .register(JobType.of("fail", new FailJob())
                        .withMaxAttempts(3)
                        .withTimeout(Duration.ofSeconds(10))
                        .withRetryPolicy(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30))));
    }

    public static JobRegistry registry() {
        return register(JobRegistry.builder()).build();
    }
}
