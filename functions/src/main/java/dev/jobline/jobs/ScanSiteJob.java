package dev.jobline.jobs;

import dev.jobline.job.JobContext;
import dev.jobline.job.JobFailure;
import dev.jobline.job.JobHandler;
import java.util.Map;

/**
 * A stand-in for a site scan: "scans" {@code pages} pages of {@code siteId}, {@code millisPerPage} each, reporting
 * progress per page; stops early when cancelled. Its type is keyed by {@code siteId}, so a site is scanned by one job
 * at a time. Payload: {"siteId": "example.com", "pages": 20, "millisPerPage": 500}.
 */
public final class ScanSiteJob implements JobHandler {
    static final int MAX_PAGES = 10_000;
    static final long MAX_MILLIS_PER_PAGE = 60_000;

    @Override
    public Object run(JobContext context) throws InterruptedException {
        Map<?, ?> payload = PayloadFields.object(context.payload());
        String siteId = String.valueOf(payload.get("siteId"));
        long pages = PayloadFields.optionalLong(payload, "pages", 10);
        long millisPerPage = PayloadFields.optionalLong(payload, "millisPerPage", 500);
        if (pages < 1 || pages > MAX_PAGES) {
            throw JobFailure.permanent("INVALID_PAYLOAD", "pages must be 1.." + MAX_PAGES);
        }
        if (millisPerPage < 0 || millisPerPage > MAX_MILLIS_PER_PAGE) {
            throw JobFailure.permanent("INVALID_PAYLOAD", "millisPerPage must be 0.." + MAX_MILLIS_PER_PAGE);
        }
        for (long page = 1; page <= pages; page++) {
            if (context.isCancelRequested()) {
                return Map.of("siteId", siteId, "pagesScanned", page - 1, "cancelled", true);
            }
            Thread.sleep(millisPerPage);
            context.reportProgress(page, pages, "scanned " + page + " of " + pages + " pages");
        }
        return Map.of("siteId", siteId, "pagesScanned", pages);
    }
}
