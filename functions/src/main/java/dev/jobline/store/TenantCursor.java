package dev.jobline.store;

import dev.jobline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The list cursor: the tenant index's last key, base64url-encoded. It names its tenant, and a cursor
 * for another tenant is refused, so a cursor can never open someone else's list.
 */
final class TenantCursor {
    private TenantCursor() {
    }

    static String encode(Map<String, AttributeValue> lastKey) {
        Map<String, String> key = new LinkedHashMap<>();
        key.put("t", lastKey.get(JobItem.TENANT_ID).s());
        key.put("c", lastKey.get(JobItem.CREATED_KEY).s());
        key.put("j", lastKey.get(JobItem.JOB_ID).s());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(key).getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, AttributeValue> decode(String cursor, String tenantId) {
        Object parsed;
        try {
            parsed = Json.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | Json.MalformedJson e) {
            throw new JobStore.InvalidCursor("the cursor is not one this API issued");
        }
        if (!(parsed instanceof Map<?, ?> key)
                || !(key.get("t") instanceof String tenant)
                || !(key.get("c") instanceof String created)
                || !(key.get("j") instanceof String jobId)
                || !tenant.equals(tenantId)) {
            throw new JobStore.InvalidCursor("the cursor is not one this API issued");
        }
        return Map.of(
                JobItem.TENANT_ID, JobItem.s(tenant),
                JobItem.CREATED_KEY, JobItem.s(created),
                JobItem.JOB_ID, JobItem.s(jobId));
    }
}
