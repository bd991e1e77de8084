package dev.jobline.jobs;

import dev.jobline.job.JobContext;
import dev.jobline.job.JobHandler;

/** Returns its payload unchanged: the smallest job there is, for demos and tests. */
public final class EchoJob implements JobHandler {
    @Override
    public Object run(JobContext context) {
        return context.payload();
    }
}
