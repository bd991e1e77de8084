package dev.jobline.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WebhookSecretsTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @Test
    void aTenantsSecretIsTheHmacOfItsIdUnderTheSigningKey() {
        // python3 -c "import hmac,hashlib; print(hmac.new(KEY, b'jobline-webhook:tenant-a', hashlib.sha256).hexdigest())"
        assertEquals("whsec_1d009801dba036cec42ef574b0aad802642245cff6fc3edf06ede7feb2125937",
                new WebhookSecrets(KEY).secretFor("tenant-a"));
    }

    @Test
    void everyTenantHasItsOwnSecretAndTheSameOneEachTime() {
        WebhookSecrets secrets = new WebhookSecrets(KEY);

        assertEquals(secrets.secretFor("tenant-a"), new WebhookSecrets(KEY).secretFor("tenant-a"));
        assertNotEquals(secrets.secretFor("tenant-a"), secrets.secretFor("tenant-b"));
    }

    @Test
    void anotherSigningKeyGivesOtherSecrets() {
        assertNotEquals(new WebhookSecrets(KEY).secretFor("tenant-a"),
                new WebhookSecrets(KEY.replace('0', 'x')).secretFor("tenant-a"));
    }

    @Test
    void aShortSigningKeyIsRefusedAndTheKeyNeverPrints() {
        assertThrows(IllegalArgumentException.class, () -> new WebhookSecrets("too-short"));
        assertFalse(new WebhookSecrets(KEY).toString().contains(KEY));
    }
}
