package dev.jobline.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The reconciliation's place in the table's Scan (the last job id read), as an opaque string. */
final class ScanCursor {
    private ScanCursor() {
    }

    static String encode(String lastJobId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastJobId.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String cursor) {
        try {
            String jobId = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (jobId.isEmpty()) {
                throw new JobStore.InvalidCursor("not a scan cursor: " + cursor);
            }
            return jobId;
        } catch (IllegalArgumentException e) {
            throw new JobStore.InvalidCursor("not a scan cursor: " + cursor);
        }
    }
}
