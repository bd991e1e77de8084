package dev.jobline.webhook;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Each tenant's webhook secret, derived rather than stored: HMAC-SHA256(signing key,
 * "jobline-webhook:" + tenantId). Nothing to write, nothing to leak from the table; a tenant reads its
 * own with GET /webhook-secret. Changing the signing key changes every tenant's secret at once.
 */
public final class WebhookSecrets {
    private static final String PREFIX = "whsec_";
    private final byte[] signingKey;

    public WebhookSecrets(String signingKey) {
        if (signingKey == null || signingKey.length() < 32) {
            throw new IllegalArgumentException("a webhook signing key is at least 32 characters");
        }
        this.signingKey = signingKey.getBytes(StandardCharsets.UTF_8);
    }

    /** The secret a tenant verifies its webhooks with; the prefix makes it recognisable to secret scanners. */
    public String secretFor(String tenantId) {
        return PREFIX + HexFormat.of().formatHex(WebhookSignature.hmac(signingKey, "jobline-webhook:" + tenantId));
    }

    @Override
    public String toString() {
        return "WebhookSecrets[signing key hidden]";
    }
}
