package dev.jobline.store;

import dev.jobline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The cursor of a list merged over tenants: the sort key (createdAt#jobId) of the last job it examined, base64url
 * JSON. Every tenant's next page starts below it. Only an operator gets one; a tenant's list refuses it.
 */
final class MergedCursor {
    private MergedCursor() {
    }

    static String encode(String createdKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                Json.write(Map.of("all", createdKey)).getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String cursor) {
        Object parsed;
        try {
            parsed = Json.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | Json.MalformedJson e) {
            throw new JobStore.InvalidCursor("the cursor is not one this API issued");
        }
        if (!(parsed instanceof Map<?, ?> key) || key.size() != 1 || !(key.get("all") instanceof String created)
                || created.isEmpty() || created.length() > 200) {
            throw new JobStore.InvalidCursor("the cursor is not one this API issued");
        }
        return created;
    }
}
