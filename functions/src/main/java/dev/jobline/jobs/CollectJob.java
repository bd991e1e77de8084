package dev.jobline.jobs;

import dev.jobline.job.JobContext;
import dev.jobline.job.JobHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Returns its payload with the results of the jobs it depends on, by job id: the end of a chain (crawl, scan, then a
 * report of both), and what a handler reading {@link JobContext#parentResults()} looks like.
 */
public final class CollectJob implements JobHandler {
    @Override
    public Object run(JobContext context) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("payload", context.payload());
        result.put("parentResults", context.parentResults());
        return result;
    }
}
