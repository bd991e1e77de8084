package dev.jobline.jobs;

import dev.jobline.job.JobRegistry;
import dev.jobline.job.JobType;
import dev.jobline.job.KeyRule;
import dev.jobline.job.KeyScope;
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
                .register(JobType.of("echo", new EchoJob()).withTimeout(Duration.ofSeconds(10))
                        .withPurpose("Returns its payload: a smoke test of the whole path"))
                .register(JobType.of("sleep", new SleepJob()).withTimeout(Duration.ofSeconds(50))
                        .withPurpose("Sleeps for a while in steps, reporting progress: a stand-in for slow work"))
                .register(JobType.of("fail", new FailJob())
                        .withMaxAttempts(3)
                        .withTimeout(Duration.ofSeconds(10))
                        .withRetryPolicy(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30)))
                        .withPurpose("Fails as its payload says (every attempt, or the first failTimes): retries and dead letters"))
                // one scan per site at a time, with no client change: the key is the payload's siteId
                .register(JobType.of("scan-site", new ScanSiteJob())
                        .withTimeout(Duration.ofMinutes(5))
                        .withMaxConcurrent(20, 5)
                        .withKeys(KeyRule.fromPayload("siteId", KeyScope.ACTIVE))
                        .withPurpose("Scans a site's pages; one scan per site at a time, at most 20 scans at once (5 per tenant)"))
                .register(JobType.of("collect", new CollectJob()).withTimeout(Duration.ofSeconds(10))
                        .withPurpose("Returns its payload and the results of the jobs it depends on: the end of a chain"));
    }

    public static JobRegistry registry() {
        return register(JobRegistry.builder()).build();
    }
}
